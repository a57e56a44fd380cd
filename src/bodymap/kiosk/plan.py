"""Which screen the kiosk asks next, in the short flow of issue 14 (headless, no pygame).

After the painting the patient sees, in this order:

1. the pain now, 0-10 (`intensity`, one tap);
2. the age in bands of ten years (`age`, one tap; see `AGE_BANDS`);
3. every red-flag question on one screen (`red_flags`): a tick box per
   question, each yes / no / not sure, and one "None of these" that answers
   them all no in one tap (`RED_FLAG_SCREEN`);
4. a follow-up of a red-flag answer, only when it applies (e.g. "is the
   weakness new?" after a yes to weakness);
5. the feature questions whose answer could change what the clinician reads
   at the top of the ranking, most valuable first, chosen by
   `bodymap.questioning.next_question` (expected information gain from the
   matcher, threshold `questioning.MIN_GAIN_BITS`); questions the painting
   already answers are skipped (painted numbness or pins and needles answer
   "numbness or tingling?");

then the review. A screen already shown in this session is not planned again.
See docs/kiosk.md "Which questions are asked" and docs/adr/0010-kiosk-fewer-actions.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .. import questioning, vocabulary
from ..matcher import ANSWER_FEATURES
from ..unsure import UNSURE

RED_FLAG_SCREEN = ("red_flags", "redflags")  # (key, kind) of the one red-flag screen
SCALE = ("intensity", "scale")
AGE = ("age", "decade")
NONE_OF_THESE = "none"  # the red-flag screen's one-tap answer: every question no


@dataclass(frozen=True)
class AgeBand:
    id: str  # the catalogue key of its button is f"age_{id}"
    low: int
    high: int  # inclusive; the open top band says its lowest age
    stored: int  # the age written into the map's answers

    @property
    def range_text(self) -> str:
        return f"{self.low}-{self.high}" if self.high < 120 else f"{self.low}+"


# The stored age is the OLDEST age in the band (the open top band: its lowest,
# 80). So a red-flag rule "age over N" fires for every band holding any age
# over N: the 50s count as over 50, the 60s as over 65. That errs towards
# raising a flag (a 50-year-old with new pain counts as the risk factor "new pain over 50" for a clinician
# to ask) and never hides one. The matcher's "60 or over" falls on a band edge,
# so it is exact. The band itself is saved beside the age (`AGE_RANGE_KEY`).
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("under_30", 0, 29, 29),
    AgeBand("30s", 30, 39, 39),
    AgeBand("40s", 40, 49, 49),
    AgeBand("50s", 50, 59, 59),
    AgeBand("60s", 60, 69, 69),
    AgeBand("70s", 70, 79, 79),
    AgeBand("80_plus", 80, 120, 80),
)
AGE_RANGE_KEY = "age_range"  # saved with the map's answers (read back as an extra answer): e.g. "50-59"


def age_band(band_id: str) -> AgeBand:
    for b in AGE_BANDS:
        if b.id == band_id:
            return b
    raise ValueError(f"unknown age band {band_id!r}; known: {', '.join(b.id for b in AGE_BANDS)}")


def band_of_age(age: int) -> AgeBand:
    for b in AGE_BANDS:
        if b.low <= age <= b.high:
            return b
    raise ValueError(f"age {age} is outside every band")


def _urgency_of_key(key: str) -> int:
    """Rank of the most urgent trigger that reads this key (cauda equina questions first)."""
    ranks = [vocabulary.urgency_rank(t.urgency or (r.combine.urgency if r.combine else "same_day"))
             for r in vocabulary.flag_rules() for t in r.triggers if key in t.answer_keys]
    return min(ranks, default=len(vocabulary.URGENCIES))


def red_flag_screen_keys() -> tuple[str, ...]:
    """The yes/no red-flag questions on the one screen: most urgent rules first, then vocabulary order.

    Follow-ups (`ask_if`) are not on it: they are asked after it, only when they apply.
    """
    keys = [q.key for q in vocabulary.questions()
            if "red_flag" in q.uses and q.kind == "yesno" and not q.ask_if and q.kiosk]  # kiosk: false: the desk
    return tuple(sorted(keys, key=_urgency_of_key))  # sorted() is stable: vocabulary order within a rank


def red_flag_follow_ups() -> tuple[str, ...]:
    return tuple(q.key for q in vocabulary.questions()
                 if "red_flag" in q.uses and q.kind == "yesno" and q.ask_if)


def red_flag_answers(value: Any) -> dict[str, Any]:
    """The answers a red-flag screen value gives: NONE_OF_THESE (all no) or {key: True | False | "unsure"}.

    A key the screen shows that the value leaves out is answered no: on this screen
    an unticked box means no (the patient saw it and did not tick it).
    """
    keys = red_flag_screen_keys()
    if value == NONE_OF_THESE:
        return {k: False for k in keys}
    if not isinstance(value, dict):
        raise ValueError(f"a red-flag screen answer is {NONE_OF_THESE!r} or a mapping, got {value!r}")
    out = {}
    for k in keys:
        v = value.get(k, False)
        if v not in (True, False, UNSURE):
            raise ValueError(f"red-flag answer {k!r} must be yes, no or {UNSURE!r}, got {v!r}")
        out[k] = v
    unknown = set(value) - set(keys)
    if unknown:
        raise ValueError(f"not on the red-flag screen: {', '.join(sorted(unknown))}")
    return out


# The kiosk words the `numbness` question as "numbness or tingling": painted
# numbness answers it (bodymap.questioning), and so does painted pins and needles.
TINGLING_ANSWERS = {"numbness": ("numbness", "pins_and_needles")}


def answered_by_painting(features) -> set[str]:
    from ..painting import SENSATIONS

    painted = {s for s, on in zip(SENSATIONS, features.sensations) if on}
    return questioning.answered_by_painting(features) | {
        k for k, sens in TINGLING_ANSWERS.items() if painted & set(sens)}


def next_screen(answers: dict[str, Any], visited: Iterable[str], *, ask_age: bool = True,
                features=None, model=None) -> tuple[str, str] | None:
    """The next (key, kind) to ask, or None for the review.

    `visited`: keys of the screens already shown this session (never planned again).
    `features` / `model`: the matcher's view of the map so far (features_of, get_model),
    for choosing the feature questions; without them no feature question is asked.
    """
    seen = set(visited)
    for screen in (SCALE, AGE if ask_age else None, RED_FLAG_SCREEN):
        if screen is not None and screen[0] not in seen:
            return screen
    for key in red_flag_follow_ups():
        if key not in seen and key not in answers and vocabulary.applies(key, answers):
            return (key, "yesno")
    if features is None or model is None:
        return None
    keys = [k for k in ANSWER_FEATURES if k not in seen and k not in answered_by_painting(features)]
    key = questioning.next_question(model, features, keys)
    return (key, "yesno") if key is not None else None
