"""What the drawing itself asks at the kiosk (issue 20), headless.

A patient who colours the saddle area or both legs (above all as "Numb") is asked
the cauda equina questions first, one per screen, each with Yes, No and Not sure,
before the pain and the age (`cauda_prompted`). A "no" that the drawing
contradicts (numbness or pins and needles coloured on the saddle area, answered
"no" to saddle numbness; or on both legs, answered "no" to numbness or weakness
in both legs) is asked again in plain words (`recheck_<key>`, `CONTRADICTS`); the second
answer replaces the first unless it is "no" again. A "no" the drawing still
contradicts raises a `same_day` flag whose `because` names the question and the
drawing (`conflict_flags`): a clinician asks today. It never raises `emergency`
by itself: the patient said no twice, and the saved map shows both the
answer and the painting.

See docs/adr/0016-kiosk-safe-for-a-patient.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import vocabulary
from ..painting import SADDLE_REGIONS, PainMap
from ..redflags import SAME_DAY, RedFlag, flag_text

ALTERED = ("numbness", "pins_and_needles")  # the sensations that contradict "no numbness there"
CAUDA_RULE = "cauda_equina"
RECHECK_PREFIX = "recheck_"  # screen key of a question asked again: recheck_<key>
CONFLICT_ID = "cauda_equina_drawing_conflict"
CONFLICT_TITLE = "Drawing and answer disagree (cauda equina question)"
# The drawing a "no" disagrees with, for `because`: "<answer key>" and then this
DRAWING_CAUSE = {"saddle_numbness": "painted:saddle:numbness_or_pins_and_needles",
                 "legs_numb_or_weak_both": "painted:both_legs:numbness_or_pins_and_needles"}
CONFLICT_REASON = {"saddle_numbness": "numbness or pins and needles coloured on the saddle area, "
                                      "but 'no' to saddle numbness, asked twice",
                   "legs_numb_or_weak_both": "numbness or pins and needles coloured on both legs, "
                                             "but 'no' to numbness or weakness in both legs, asked twice"}


def cauda_keys() -> tuple[str, ...]:
    """The questions the cauda equina rule reads (follow-ups left out), in red-flag screen order."""
    from .plan import _memo, red_flag_screen_keys

    def make():
        read = {k for r in vocabulary.flag_rules() if r.id == CAUDA_RULE for t in r.triggers for k in t.answer_keys}
        return tuple(k for k in red_flag_screen_keys() if k in read)

    return _memo("cauda_keys", make)


def _saddle_idx(m: PainMap) -> list[int]:
    return [i for i, r in enumerate(m.atlas.regions) if r.id in SADDLE_REGIONS]


def saddle_altered(m: PainMap) -> bool:
    """Numbness or pins and needles coloured on the saddle area (a region that counts as painted)."""
    idx = _saddle_idx(m)
    if not idx:
        return False
    counted = m.counted_regions()
    for s in ALTERED:
        counts = m.region_counts(s)
        if any(counts[i] > 0 and counted[i] for i in idx):
            return True
    return False


def legs_altered(m: PainMap) -> bool:
    """Numbness or pins and needles coloured on both legs (thigh down to foot; counted regions only)."""
    from ..painting import LEG_LEVELS

    counted = m.counted_regions()
    sides = set()
    for s in ALTERED:
        counts = m.region_counts(s)
        for i, r in enumerate(m.atlas.regions):
            if counts[i] > 0 and counted[i] and r.level in LEG_LEVELS and r.side in ("left", "right"):
                sides.add(r.side)
    return sides == {"left", "right"}


# answer key -> the drawing that says "yes" to it (a key the vocabulary does not have is left out)
CONTRADICTS = {"saddle_numbness": saddle_altered, "legs_numb_or_weak_both": legs_altered}


# The painted areas a question's `kiosk_when` may name (vocabulary.KIOSK_AREAS, ADR 0042): words in atlas region
# ids, on either side and view (tests check that each area finds regions on both sides)
AREAS = {
    "neck": ("front_of_neck", "back_of_neck", "trapezius_ridge"),
    "arm": ("shoulder", "upper_arm", "lateral_arm", "medial_arm", "elbow", "forearm"),
    "hand": ("palm", "back_of_hand", "thumb", "finger", "thenar", "hypothenar", "first_web_space"),
    "abdomen": ("abdomen",),
    "groin": ("groin",),
}


def areas_of(region_ids) -> frozenset:
    """The `AREAS` these painted region ids fall in."""
    ids = list(region_ids)
    return frozenset(a for a, words in AREAS.items() if any(w in rid for rid in ids for w in words))


@dataclass(frozen=True)
class DrawingView:
    """What the planner needs to know of the drawing (bodymap.kiosk.plan.next_screen)."""

    cauda_prompted: bool = False
    contradicted: frozenset = frozenset()  # answer keys whose "no" the drawing contradicts
    both_legs_painted: bool | None = None  # what the red-flag rules read of the drawing (None: not known)
    areas: frozenset | None = None  # the painted `AREAS` (None: not known, every area may be painted)


def view(m: PainMap | None) -> DrawingView:
    if m is None or m.is_empty:
        return DrawingView(both_legs_painted=None if m is None else False,
                           areas=None if m is None else frozenset())
    prompted = bool(m.saddle_painted or m.both_legs_painted)
    return DrawingView(prompted, frozenset(k for k, f in CONTRADICTS.items() if f(m)), bool(m.both_legs_painted),
                       areas_of(m.painted_regions()))


def recheck_key(key: str) -> str:
    return RECHECK_PREFIX + key


def rechecked(key: str) -> str | None:
    """The answer key a recheck screen asks again, or None when `key` is not a recheck screen."""
    return key[len(RECHECK_PREFIX):] if key.startswith(RECHECK_PREFIX) else None


def conflict_flags(answers: dict[str, Any], m: PainMap | None) -> list[RedFlag]:
    """A same_day flag for each "no" the drawing contradicts (see the module docstring)."""
    if m is None:
        return []
    keys = [k for k, painted in CONTRADICTS.items() if answers.get(k) is False and painted(m)]
    if not keys:
        return []
    reasons = tuple(CONFLICT_REASON[k] for k in keys)
    because = tuple(x for k in keys for x in (k, DRAWING_CAUSE[k]))
    return [RedFlag(CONFLICT_ID, flag_text(CONFLICT_TITLE, reasons, SAME_DAY), reasons, SAME_DAY, because,
                    pathology=CAUDA_RULE, source=("bodymap_choice",))]

