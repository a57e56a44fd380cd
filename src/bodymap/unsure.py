"""Red flags for answers the patient was not sure about.

The kiosk's red-flag screen offers "not sure" beside yes and no; the answer is
stored as the value `UNSURE` ("unsure"). The rules in regions/questions.yaml
only fire on a yes, so on their own they would treat "not sure" like "no" and a
red flag could be lost. This module closes that gap:

- a trigger that would fire if every "not sure" answer were a yes, and does not
  fire on the answers as given, raises a flag whose reason is "not sure about …";
- its urgency is capped at `same_day`: a "not sure" never raises `emergency` on
  its own (the patient is not sent to the desk "now" on a doubt), but the
  clinician sees the question first, today, and asks it again;
- the flag gets its own id (`<rule id>_unsure`), so it is kept beside a flag the
  rules raise from a real yes, and survives every later re-evaluation of the map
  as a recorded flag (bodymap.redflags.red_flags keeps recorded flags the rules
  do not raise again).

See docs/adr/0010-kiosk-fewer-actions.md.

>>> [f.urgency for f in unsure_flags({"saddle_numbness": "unsure"}, both_legs=False)]
['same_day']
"""
from __future__ import annotations

from typing import Any

from . import vocabulary
from .painting import UNSURE  # noqa: F401 (the answer value; re-exported)
from .redflags import SAME_DAY, RedFlag, by_urgency, flag_text, red_flags

CAP = SAME_DAY  # the most urgent a "not sure" may make a flag
SUFFIX = "_unsure"


def unsure_keys(answers: dict[str, Any]) -> tuple[str, ...]:
    return tuple(k for k, v in answers.items() if v == UNSURE)


def _cap(urgency: str) -> str:
    return CAP if vocabulary.urgency_rank(urgency) < vocabulary.urgency_rank(CAP) else urgency


def unsure_flags(answers: dict[str, Any], both_legs: bool) -> list[RedFlag]:
    """The flags raised only because of "not sure" answers (never more urgent than same_day).

    The rules are evaluated as if every "not sure" were a yes; each flag that gives and the
    answers as given do not (or give less urgently) comes back as `<rule id>_unsure`. A lone
    risk factor is not a flag when it is a yes (ADR 0009), so a "not sure" about it is not one either.
    """
    doubts = unsure_keys(answers)
    if not doubts:
        return []
    as_given = {f.id: f for f in red_flags(answers, both_legs)}
    as_yes = red_flags({**answers, **{k: True for k in doubts}}, both_legs)
    out: list[RedFlag] = []
    for f in as_yes:
        keys = tuple(k for k in f.because if k in doubts)
        if not keys:
            continue
        urgency = _cap(f.urgency)
        real = as_given.get(f.id)
        if real is not None and vocabulary.urgency_rank(real.urgency) <= vocabulary.urgency_rank(urgency):
            continue  # the rule already stands from a yes, at least as urgent: nothing to add
        rule = next(r for r in vocabulary.flag_rules() if r.id == f.id)
        reasons = tuple(f"not sure about {vocabulary.words(k, 'short', 'en')}" for k in keys)
        out.append(RedFlag(f.id + SUFFIX, flag_text(rule.title, reasons, urgency), reasons, urgency, keys))
    return out


def all_flags(answers: dict[str, Any], both_legs: bool) -> list[RedFlag]:
    """The rules' flags and the "not sure" flags together, most urgent first."""
    return by_urgency(red_flags(answers, both_legs) + unsure_flags(answers, both_legs))
