"""A patient's visit timeline: every map of one patient identifier, in visit order, with what changed.

The review window shows it (bodymap.ui.review.timeline); this module has no
pygame and no window, so it can be tested and used headless.

Order: by the visit date (the calendar date the clinician recorded, ADR 0011),
falling back to the date of the map's `created` time when the visit date is not
given; equal days by `created` time, then by the map's key (its file name).

For each visit: the extent (% of the body, both views) and the pain score now
(0-10, or None when not given). For each pair of consecutive visits, the change
per region: new (painted now, not at the visit before), resolved (painted
before, not now) and persistent (painted at both), where "painted" is the
documented minimum that counts (`PainMap.counted_regions`: no slivers, no stray
dots); and from `bodymap.compare` the pixel similarity (Jaccard) and the change
in extent.

>>> tl = build("MRN 0042", [])
>>> tl.visits, tl.changes
((), ())
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Iterable

import numpy as np

from .compare import compare
from .painting import PainMap
from .times import parse_time

DATED_BY_VISIT = "visit date"
DATED_BY_CREATED = "created"
UNDATED = "no date"


@dataclass(frozen=True)
class TimelineVisit:
    """One visit on the timeline."""

    key: str  # what names the map (the review window: its file path)
    day: date | None  # the visit date, else the created date; None when neither is known
    dated_by: str  # DATED_BY_VISIT | DATED_BY_CREATED | UNDATED
    created: datetime | None  # aware
    extent: float  # % of the body painted, both views
    pain: int | None  # overall pain now 0-10, None when not given
    regions: tuple[str, ...]  # region ids that count as painted, atlas order
    session_code: str | None = None


@dataclass(frozen=True)
class VisitChange:
    """What changed between two consecutive visits (indices into `Timeline.visits`)."""

    before: int
    after: int
    new: tuple[str, ...]  # region ids painted now, not before
    resolved: tuple[str, ...]  # painted before, not now
    persistent: tuple[str, ...]  # painted at both
    jaccard: float  # from bodymap.compare: painted both times over painted either time (pixels)
    extent_change: float  # percentage points, after minus before
    comparable: bool = True  # False when the two maps were drawn on different atlases (no region change)


@dataclass(frozen=True)
class Timeline:
    patient_id: str
    visits: tuple[TimelineVisit, ...]
    changes: tuple[VisitChange, ...]  # len(visits) - 1 of them, in order

    def series(self, which: str) -> list[tuple[int, float]]:
        """(visit index, value) for 'extent' or 'pain'; visits without a value are left out."""
        out = []
        for i, v in enumerate(self.visits):
            val = v.extent if which == "extent" else v.pain
            if val is not None:
                out.append((i, float(val)))
        return out


def visit_day(m: PainMap, created: str | None) -> tuple[date | None, str]:
    """(the day a map is placed on, how it was dated)."""
    if m.visit.visit_date:
        return date.fromisoformat(m.visit.visit_date), DATED_BY_VISIT
    dt = parse_time(created)
    if dt is not None:
        return dt.astimezone(timezone.utc).date(), DATED_BY_CREATED
    return None, UNDATED


def painted_regions(m: PainMap) -> tuple[str, ...]:
    """The region ids that count as painted (the documented minimum), in atlas order."""
    idx = np.flatnonzero(m.counted_regions())
    return tuple(m.atlas.regions[i].id for i in idx)


def region_change(before: PainMap, after: PainMap, i: int = 0, j: int = 1) -> VisitChange:
    """New, resolved and persistent regions from `before` to `after`, with compare's similarity."""
    a, b = painted_regions(before), painted_regions(after)
    try:
        comp = compare(before, after)
    except Exception:  # noqa: BLE001 - different atlases: shown as "cannot compare", never a crash
        return VisitChange(i, j, (), (), (), 0.0, after.extent_percent()["total"] - before.extent_percent()["total"],
                           comparable=False)
    sa, sb = set(a), set(b)
    return VisitChange(i, j, tuple(r for r in b if r not in sa), tuple(r for r in a if r not in sb),
                       tuple(r for r in b if r in sa), comp.jaccard, comp.extent_change)


def same_patient(a: str | None, b: str | None) -> bool:
    """Two patient identifiers name the same patient when they are equal, ignoring case and blanks."""
    if not a or not b:
        return False
    return "".join(a.split()).casefold() == "".join(b.split()).casefold()


def build(patient_id: str, maps: Iterable[tuple[str, PainMap, str | None]]) -> Timeline:
    """The timeline of `patient_id` from (key, pain map, created time as written in the file or None).

    Maps of another patient identifier are left out (`same_patient`); the rest are put in visit
    order and each consecutive pair is compared."""
    rows = []
    for key, m, created in maps:
        if not same_patient(m.visit.patient_id, patient_id):
            continue
        day, how = visit_day(m, created)
        cr = parse_time(created)
        rows.append((day, cr, key, m, how))
    rows.sort(key=lambda r: (r[0] is None, r[0] or date.min, r[1] is None,
                             r[1] or datetime.min.replace(tzinfo=timezone.utc), r[2]))
    visits = tuple(TimelineVisit(key, day, how, cr, float(m.extent_percent()["total"]), m.intensity.get("overall"),
                                 painted_regions(m), m.meta.get("session_code") or None)
                   for day, cr, key, m, how in rows)
    changes = tuple(region_change(rows[k][3], rows[k + 1][3], k, k + 1) for k in range(len(rows) - 1))
    return Timeline(patient_id, visits, changes)
