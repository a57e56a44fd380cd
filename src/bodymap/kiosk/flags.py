"""The kiosk's red flags for a map, in one place (issue 20).

`session_flags` is the only function the kiosk asks for flags: `bodymap.triage`
(the rules by pathology, "not sure" answers, at most same_day for a doubt), and
the drawing's conflicts with the answers (bodymap.kiosk.drawing), most urgent first.
"""
from __future__ import annotations

from ..painting import PainMap
from ..redflags import EMERGENCY, SAME_DAY, RedFlag, by_urgency
from ..triage import Case, assess_case
from . import drawing

TELL_RECEPTION = (EMERGENCY, SAME_DAY)  # urgencies that set the staff mark (bodymap.kiosk.reception)


def session_flags(m: PainMap) -> list[RedFlag]:
    """Every flag for the kiosk map `m`, most urgent first."""
    answers = dict(m.answers)
    rules = assess_case(Case(answers, m.both_legs_painted)).red_flags
    return by_urgency(rules + drawing.conflict_flags(answers, m))
