"""Times as people read them: local time with its zone, the same way everywhere.

A .bodymap file stores its times in UTC (`created`, `modified`: ISO 8601 ending in
"Z"). People read them in the clinic's own time, so `bodymap show`, the PDF report
(and the windows) show `local_time(...)`: the local wall-clock time and the zone it is
in, e.g. "2026-03-14 09:05 CET (UTC+01:00)", or "2026-03-14 08:05 UTC".
The local zone is the computer's (the TZ environment variable where set).
"""
from __future__ import annotations

from datetime import datetime, timezone, tzinfo


def parse_time(text: str | None) -> datetime | None:
    """An ISO 8601 time as written in a .bodymap file ("...Z" or with an offset), always aware: the file
    format's times are UTC, so one written without a zone (by hand, or by another tool) is read as UTC.
    None when missing or unreadable."""
    if not text or not isinstance(text, str):
        return None
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def zone_text(dt: datetime) -> str:
    """The zone of an aware time: "UTC", "CET (UTC+01:00)", or "UTC+05:30" when the zone has no name."""
    off = dt.utcoffset()
    if off is None:
        return "zone not recorded"
    total = int(off.total_seconds() // 60)
    name = dt.tzname() or ""
    if total == 0 and name in ("UTC", "GMT", "Z", ""):
        return "UTC"
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    offset = f"UTC{sign}{hours:02d}:{minutes:02d}"
    # a zone name that is only an offset ("+03", "UTC+05:30") adds nothing to the offset itself
    if name and name[0].isalpha() and not name.startswith(("UTC", "GMT")):
        return f"{name} ({offset})"
    return offset


def local_time(text: str | None, tz: tzinfo | None = None, *, missing: str = "-") -> str:
    """A file's time as local wall-clock time with its zone: "2026-03-14 09:05 CET (UTC+01:00)".

    `tz` overrides the local zone (tests, a review PC set to the clinic's zone). A time
    written without a zone is UTC (the file format's rule); text that is not a time is
    shown unchanged; a missing time is `missing`.

    >>> local_time("2026-03-14T08:05:00Z", timezone.utc)
    '2026-03-14 08:05 UTC'
    """
    if not text:
        return missing
    dt = parse_time(text)
    if dt is None:
        return str(text)
    local = dt.astimezone(tz) if tz is not None else dt.astimezone()
    return f"{local:%Y-%m-%d %H:%M} {zone_text(local)}"

