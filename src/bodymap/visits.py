"""Visits that never overwrite each other: a new visit of the same patient, the check before a save
replaces a file, and the replaced version kept beside it (docs/adr/0017-records-visits-and-keys.md).

- `new_visit(m, today, copy_painting)`: the next visit of `m`'s patient: the same identifier and
  recorder, today's date, no note, no answers, no pain score, its own painted time; the painting is
  empty or a copy of `m`'s, to edit.
- `save_conflict(m, path)`: why saving `m` over `path` would replace another visit or another patient
  (the file on disk names a different patient identifier or visit date), or None.
- `save_visit(m, path)`: refuse a conflict (`VisitConflict`), keep the version being replaced as
  `path~1`, `path~2`, ... (`history_path`), then write atomically. Nothing is ever lost, and a
  failure leaves no half-written file (bodymap.atomicio).
"""
from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from . import fileformat
from .atlas import VIEWS
from .atomicio import write_atomic
from .errors import BodymapError, FileFormatError, FileWriteError
from .painting import PainMap, _now

HISTORY_MARK = "~"  # MRN-1_2026-12-07.bodymap~1: the version the first later save replaced


FUTURE_DAYS_ALLOWED = 1  # a clinic a time zone ahead of the computer's clock may already be on tomorrow


def check_typed_visit_date(value: str | None, today: date) -> None:
    """A visit date typed by hand (the painting window's Visit form, `bodymap new --visit-date`) that lies
    after tomorrow is a typing slip (3026 for 2026): refused, naming the date. Files already saved with such
    a date still open (only typing is checked), so nothing made is lost."""
    if not value:
        return
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        return  # not a date at all: PainMap.set_visit names that problem
    if (day - today).days > FUTURE_DAYS_ALLOWED:
        raise BodymapError(f"visit date {day.isoformat()} is in the future (today is {today.isoformat()}); "
                           "check the year")


class VisitConflict(BodymapError):
    """Saving would replace a file that holds another visit or another patient."""

    def __init__(self, message: str, path: Path, on_disk: dict[str, str]):
        super().__init__(message)
        self.path = path
        self.on_disk = on_disk


def new_visit(m: PainMap, today: date, copy_painting: bool = False) -> PainMap:
    """The next visit of `m`'s patient: identifier and recorder kept, `today` as the visit date, the note,
    answers and pain scores left for this visit; an empty painting or a copy of `m`'s to edit. The new
    map has its own painted time (`meta["created"]`) and no saved time until it is saved."""
    n = PainMap(m.atlas, m.scale)
    n.visit.update({"patient_id": m.visit.patient_id, "recorded_by": m.visit.recorded_by,
                    "visit_date": today.isoformat()})
    n.meta["language"] = m.meta.get("language", "en")
    n.meta["created"] = _now()
    if copy_painting and not m.is_empty:
        n.replace_layers({v: m.layers(v) for v in VIEWS})
    n.version = 1  # unsaved: closing asks first
    return n


def visit_on_disk(path: Path, atlas=None) -> dict[str, str] | None:
    """The visit fields of the map at `path` (empty dict: a map without them), or None when there is no
    readable map there."""
    try:
        raw = fileformat.read_bytes(Path(path))
        doc = fileformat.read_document(raw, atlas, str(path), strokes=False)
    except FileFormatError:
        return None
    return {k: v for k, v in dict(doc.visit).items() if v}


def save_conflict(m: PainMap, path: Path, atlas=None) -> dict[str, str] | None:
    """The visit fields of the file at `path` when saving `m` there would replace another visit or another
    patient (a patient identifier or a visit date on disk that differs from `m`'s); else None. A field
    empty on disk may be filled in: that is the same visit, completed."""
    path = Path(path)
    if not path.exists():
        return None
    disk = visit_on_disk(path, atlas or m.atlas)
    if not disk:
        return None
    ours = m.visit.as_dict()
    for key in ("patient_id", "visit_date"):
        if disk.get(key) and disk.get(key) != ours.get(key):
            return disk
    return None


def describe_visit(v: dict[str, str]) -> str:
    """'patient MRN-1, visit of 2026-12-07' (or what of it is known)."""
    parts = []
    if v.get("patient_id"):
        parts.append(f"patient {v['patient_id']}")
    parts.append(f"visit of {v['visit_date']}" if v.get("visit_date") else "no visit date")
    return ", ".join(parts)


def history_path(path: Path) -> Path:
    """The next free `path~N` beside `path` (N from 1): where the version a save replaces is kept."""
    path = Path(path)
    pat = re.compile(re.escape(path.name + HISTORY_MARK) + r"([0-9]+)")
    taken = [0]
    try:
        for p in path.parent.iterdir():
            mm = pat.fullmatch(p.name)
            if mm:
                taken.append(int(mm.group(1)))
    except OSError:
        pass
    return path.with_name(f"{path.name}{HISTORY_MARK}{max(taken) + 1}")


def history_of(path: Path) -> list[Path]:
    """The kept earlier versions of `path`, oldest first."""
    path = Path(path)
    pat = re.compile(re.escape(path.name + HISTORY_MARK) + r"([0-9]+)")
    found = []
    try:
        for p in path.parent.iterdir():
            mm = pat.fullmatch(p.name)
            if mm:
                found.append((int(mm.group(1)), p))
    except OSError:
        return []
    return [p for _, p in sorted(found)]


def keep_previous(path: Path) -> Path | None:
    """Copy the file at `path` to `history_path(path)` (same permissions) before it is replaced. Returns the
    copy, or None when there was nothing to keep. A copy that cannot be written stops the save."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        mode = os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise FileWriteError(f"{path}: cannot keep the previous version ({exc.strerror or exc})") from None
    try:
        return write_atomic(history_path(path), raw, mode=mode, verb="keep the previous version")
    except FileWriteError as exc:  # it said "cannot keep the previous version in (...)": say what was not done
        raise FileWriteError(f"{exc}; {path} is unchanged") from None


def save_visit(m: PainMap, path: Path, *, keep_history: bool = True, allow_other_visit: bool = False,
               new: bool = False) -> Path:
    """Save `m` to `path`: refused (`VisitConflict`) when the file there holds another visit or patient;
    the version replaced is kept as `path~N` when `keep_history`. Atomic: a failure leaves the old file
    and no partial one. `new`: only as a new file (fileformat.save's exclusive write: a file that appears
    there first is never replaced)."""
    path = Path(path)
    if new:
        return fileformat.save(m, path, new=True)
    if not allow_other_visit:
        disk = save_conflict(m, path)
        if disk is not None:
            raise VisitConflict(f"{path.name} holds another visit ({describe_visit(disk)}); this map is the "
                                f"{describe_visit(m.visit.as_dict())}", path, disk)
    if keep_history and path.exists():
        keep_previous(path)
    return fileformat.save(m, path)
