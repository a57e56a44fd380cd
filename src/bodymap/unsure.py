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
  rules raise from a real yes. Since issue 18 `bodymap.redflags.red_flags` (so every
  window and export) gives these flags too; this module keeps the old names.

See docs/adr/0010-kiosk-fewer-actions.md.

>>> [f.urgency for f in unsure_flags({"saddle_numbness": "unsure"}, both_legs=False)]
['same_day']
"""
from __future__ import annotations

from typing import Any

from .painting import UNSURE  # noqa: F401 (the answer value; re-exported)
from .redflags import CAP, SUFFIX, RedFlag, _rule_flags, _unsure_flags, by_urgency, unsure_keys  # noqa: F401


def unsure_flags(answers: dict[str, Any], both_legs: bool) -> list[RedFlag]:
    """The flags raised only because of "not sure" answers (never more urgent than same_day).

    The rules are evaluated as if every "not sure" were a yes; each flag that gives and the
    answers as given do not (or give less urgently) comes back as `<rule id>_unsure`. A lone
    risk factor is not a flag when it is a yes (ADR 0009), so a "not sure" about it is not one either.
    """
    return _unsure_flags(answers, both_legs, _rule_flags(answers, both_legs)[0])


def all_flags(answers: dict[str, Any], both_legs: bool) -> list[RedFlag]:
    """The rules' flags and the "not sure" flags together, most urgent first (as `redflags.red_flags`)."""
    flags = _rule_flags(answers, both_legs)[0]
    return by_urgency(flags + _unsure_flags(answers, both_legs, flags))
