"""The kiosk's red flags for a map, in one place (issue 20).

`session_flags` is the only function the kiosk asks for flags: the rules on the
answers and the painting (bodymap.redflags), the flags of "not sure" answers
(bodymap.unsure), and the drawing's conflicts with the answers
(bodymap.kiosk.drawing). When `bodymap.triage.assess` lands, this is the one
function to switch to it (keeping `drawing.conflict_flags`).
"""
from __future__ import annotations

from ..painting import PainMap
from ..redflags import EMERGENCY, SAME_DAY, RedFlag, by_urgency, red_flags
from ..unsure import all_flags
from . import drawing

TELL_RECEPTION = (EMERGENCY, SAME_DAY)  # urgencies that set the staff mark (bodymap.kiosk.reception)


def session_flags(m: PainMap, *, short_flow: bool = True) -> list[RedFlag]:
    """Every flag for the kiosk map `m`, most urgent first."""
    answers = dict(m.answers)
    rules = all_flags(answers, m.both_legs_painted) if short_flow else red_flags(answers, m.both_legs_painted)
    return by_urgency(rules + drawing.conflict_flags(answers, m))
