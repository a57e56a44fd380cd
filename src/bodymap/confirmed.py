"""The diagnosis that was finally confirmed for a visit: what, how, and when.

A visit may carry `confirmed`: `{"diagnosis": ..., "how": ..., "date": ...}`:

- `diagnosis`: a pattern id of regions/patterns.yaml (`root_L5`, `hip_joint`, ...) or free text
  ("L4 schwannoma") when no pattern names it;
- `how`: `imaging`, `block`, `surgery` or `follow-up`;
- `date`: the date it was confirmed, `YYYY-MM-DD` (optional).

It is clinical record, for the clinic and the lab (`bodymap lab validate`), and is never shown to
patients: the kiosk never reads it. It round-trips in the .bodymap file as the top-level key
`confirmed` (an older bodymap keeps it as an unknown key and writes it back unchanged).

    >>> validate_confirmed({"diagnosis": " root_L5 ", "how": "imaging"})
    {'diagnosis': 'root_L5', 'how': 'imaging', 'date': None}
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, Iterable

from .errors import FileFormatError, UsageError

CONFIRMED_HOW = ("imaging", "block", "surgery", "follow-up")
DIAGNOSIS_MAX_CHARS = 200
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def validate_confirmed(value: Any, today: date | None = None) -> dict[str, str | None] | None:
    """`confirmed` as stored, or None when not given. Raises UsageError naming the problem.
    `today` (where a person types it: `bodymap confirm`, the painting window): a date after it is refused
    (2999-01-01, a slip for 2026, was stored; ADR 0043). A file's own value is read without it."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise UsageError("confirmed must be an object with diagnosis, how and date")
    unknown = set(value) - {"diagnosis", "how", "date"}
    if unknown:
        raise UsageError(f"confirmed: unknown field {sorted(unknown)[0]!r}; known: diagnosis, how, date")
    diag = value.get("diagnosis")
    if not isinstance(diag, str) or not diag.strip():
        raise UsageError("confirmed: the diagnosis must be given (a pattern id or plain text)")
    diag = diag.strip()
    if len(diag) > DIAGNOSIS_MAX_CHARS:
        raise UsageError(f"confirmed: the diagnosis is too long ({len(diag)} characters; at most {DIAGNOSIS_MAX_CHARS})")
    if _CONTROL.search(diag):
        raise UsageError("confirmed: the diagnosis must be one line of plain text")
    how = value.get("how")
    if how not in CONFIRMED_HOW:
        raise UsageError(f"confirmed: how must be one of {', '.join(CONFIRMED_HOW)}, got {str(how)[:20]!r}")
    when = value.get("date")
    if when is not None:
        if not isinstance(when, str) or not _DATE.fullmatch(when.strip()):
            raise UsageError("confirmed: the date must be written YYYY-MM-DD")
        when = when.strip()
        try:
            date.fromisoformat(when)
        except ValueError:
            raise UsageError(f"confirmed: {when} is not a calendar date") from None
        if today is not None and date.fromisoformat(when) > today + timedelta(days=1):  # a day for time zones
            raise UsageError(f"confirmed: {when} is in the future (today is {today.isoformat()})")
    return {"diagnosis": diag, "how": how, "date": when}


def read_confirmed(value: Any, where: str) -> dict[str, str | None] | None:
    """`confirmed` as read from a file named `where`: a bad value is a FileFormatError naming the key."""
    try:
        return validate_confirmed(value)
    except UsageError as exc:
        raise FileFormatError(f"{where}: 'confirmed': {exc}") from None


def confirmed_pattern(confirmed: dict | None, pattern_ids: Iterable[str]) -> str | None:
    """The pattern id a confirmed diagnosis names, or None (free text, or nothing confirmed)."""
    if not confirmed:
        return None
    d = confirmed.get("diagnosis")
    return d if d in set(pattern_ids) else None
