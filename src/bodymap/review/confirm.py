"""Writing a visit's confirmed diagnosis (issue 25) from the review session, without overwriting another visit.

The file is read again and only `confirmed` changes, so whatever another window saved meanwhile is kept.
Before writing, the visit in the file (patient identifier and visit date) must still be the visit that was
open: when the file now holds another visit or another patient, nothing is written (`VisitConflict`, ADR
0017). The write is `visits.save_visit`: atomic (temp file, fsync, rename), the version replaced kept
beside it as `name.bodymap~N`.
"""
from __future__ import annotations

from pathlib import Path

from .. import fileformat
from ..atlas import Atlas
from ..confirmed import validate_confirmed
from ..visits import VisitConflict, describe_visit, save_visit


def write_confirmed(path: Path, opened_visit: dict, diagnosis: str | None, how: str | None, date: str | None,
                    atlas: Atlas | None = None) -> Path:
    """Record `diagnosis` (a pattern id or plain text), `how` (imaging, block, surgery, follow-up) and `date`
    (YYYY-MM-DD or empty) in the map at `path`; an empty diagnosis clears it. `opened_visit`: the visit fields
    of the map as it was opened. Raises UsageError (a bad field, named), VisitConflict, FileFormatError or
    FileWriteError; returns the path written."""
    new = None if not (diagnosis or "").strip() else validate_confirmed(
        {"diagnosis": diagnosis, "how": how or None, "date": date or None})
    path = Path(path)
    fresh = fileformat.load(path, atlas=atlas)
    on_disk = fresh.visit.as_dict()
    for key in ("patient_id", "visit_date"):
        if (opened_visit.get(key) or None) != (on_disk.get(key) or None):
            raise VisitConflict(f"{path.name} now holds another visit ({describe_visit(on_disk)}); the map open is "
                                f"the {describe_visit(opened_visit)}: refresh and try again", path, on_disk)
    fresh.confirmed = new
    return save_visit(fresh, path)
