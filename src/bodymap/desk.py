"""The painting desk as a headless session: the visit, the answers and every save decision (issue 19 item 1).

The painting window (bodymap.ui.paint) only draws a `Desk` and feeds it the clinician's actions, as
the kiosk's screens draw `bodymap.kiosk.flow.Kiosk`. Everything here runs without pygame, so a test
can play a whole clinic day (new patient, visit fields, answers, save, a follow-up visit, Save As) in
a few lines and find the files on disk.

- **The visit**: one `PainMap` (`pain_map`), the file it came from or was last saved to (`path`),
  whether it changed since (`dirty`), and the visit that file holds (`opened_visit`).
- **New patient** (`new_patient`) forgets everything of the last one, the Save As folder included;
  **new visit** (`new_visit`) keeps the identifier and recorder, takes today's date and its own
  painted time, empty or with a copy of the painting (bodymap.visits).
- **Saving never replaces another visit** (ADR 0017): `save_to` refuses a file that holds another
  patient or visit date (`visits.VisitConflict`, the window then offers "Save as new visit"); the
  replaced version of the same visit is kept beside it (`name.bodymap~1`, ...); a new file is named
  after the visit (`default_path`), never over an existing one.
- **Save As** (`save_as_target`): a file name and a folder, checked; a new folder is made (0700).
- **Open** lists the maps of a folder and its subfolders, down to `MAX_DEPTH` levels (`list_maps`).
- **What it says**: triage's red flags and ranking (`assess`, `flags`), a broken matcher never hiding a flag.
- **Answers** (`answer`, `set_answer`), the visit fields (`set_visit`) and the pain score
  (`clear_pain_score`): each change is an unsaved change and makes the ranking stale
  (`version` moves on).

Errors are `BodymapError`s carrying one message for the person at the desk; nothing here opens a
dialog or shows a note.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from . import fileformat, paths, visits
from .atlas import Atlas
from .errors import BodymapError
from .painting import UNSURE, PainMap

FILE_SUFFIX = ".bodymap"

#: how far Open looks for maps: the folder and this many levels of subfolders (issue 21: a patient saved
#: in a new folder by Save As is listed too), as the review window's scan; symlinked folders are not followed
MAX_DEPTH = 3
MAX_FILES = 5000  # a registry folder is for the export commands, not a list to page through

#: the answer buttons of a yes/no question: choice id -> stored value
CHOICE_VALUES: dict[str, Any] = {"yes": True, "no": False, "unsure": UNSURE}


def short_path(path: Path) -> str:
    """A folder as a person reads it: "~/Documents/bodymap" under the home folder, else in full."""
    try:
        return "~/" + str(path.relative_to(Path.home())) if path != Path.home() else "~"
    except ValueError:
        return str(path)


WALK_LIMIT = 200_000  # names walked to find the newest MAX_FILES (a name costs a directory entry and one stat)


def list_maps(folder: Path, depth: int = MAX_DEPTH, limit: int = MAX_FILES) -> list[Path]:
    """The map files in `folder` and its subfolders down to `depth` levels, newest first (then by name).

    Hidden files and folders are left out, symlinked folders are not followed (no loops), an unreadable
    folder is skipped; at most `limit` files. `~N` history copies never count (they end in `~N`)."""
    return newest_maps(folder, depth, limit)[0]


def newest_maps(folder: Path, depth: int = MAX_DEPTH, limit: int | None = None,
                find: str = "") -> tuple[list[Path], int]:
    """(the newest `limit` maps whose name holds `find`, in any case, newest first; how many hold it in all).
    The cut is by age: it was the first `limit` names, so with more maps than that the newest visits of
    patients late in the alphabet were never listed (ADR 0043)."""
    def newest_first(p: Path) -> tuple[float, str]:
        try:
            return -p.stat().st_mtime, str(p)
        except OSError:  # gone or unreadable since the walk: last
            return float("inf"), str(p)

    limit = MAX_FILES if limit is None else limit
    found = paths.walk_maps(folder, depth, max(limit, WALK_LIMIT), FILE_SUFFIX)
    want = find.strip().casefold()
    if want:
        found = [p for p in found if want in p.name.casefold()]
    return sorted(found, key=newest_first)[:limit], len(found)


def utc_stamp(now: datetime) -> str:
    """`now` (local when naive) as a file's UTC time: "2026-03-14T08:05:00Z"."""
    now = now.astimezone() if now.tzinfo is None else now
    return now.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Desk:
    """One painting desk: the visit on it and the decisions about saving it (see the module)."""

    atlas: Atlas
    pain_map: PainMap | None = None
    folder_given: Path | None = None  # None: the per-user maps folder, made on first use
    now: Callable[[], datetime] = datetime.now
    path: Path | None = None
    saved_version: int = 0
    opened_visit: tuple | None = None  # (patient_id, visit_date) of the file on disk, None for a new map
    save_as_folder: Path | None = None  # the folder Save As last used: forgotten with the patient
    _folder: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self):
        if self.pain_map is None:
            self.pain_map = PainMap(self.atlas)
        self._folder = Path(self.folder_given) if self.folder_given is not None else None
        self.saved_version = self.pain_map.version

    # -- where --------------------------------------------------------
    @property
    def folder(self) -> Path:
        """Where Save writes a new map and Open looks: the folder given, or the per-user maps folder
        (`paths.default_maps_dir()`, created on first use). If that cannot be made, its path is still
        returned: saving there fails with the reason."""
        if self._folder is None:
            try:
                self._folder = paths.default_maps_dir()
            except BodymapError:
                return paths.default_maps_dir(create=False)
        return self._folder

    @folder.setter
    def folder(self, value: str | os.PathLike) -> None:
        self._folder = Path(value)

    @property
    def dirty(self) -> bool:
        """Unsaved changes."""
        return self.pain_map.version != self.saved_version

    def default_path(self) -> Path:
        """A new map's file in the folder, never an existing one: named after the visit
        ("MRN-0042_2026-03-14.bodymap") when it has a patient identifier, else after the time."""
        v = self.pain_map.visit
        if v.patient_id:
            stem = paths.map_file_stem(v.patient_id, v.visit_date, today=self.now().date())
        else:
            stem = "bodymap-" + self.now().strftime("%Y%m%d-%H%M%S")
        return paths.unused_map_path(self.folder, stem)

    def target_path(self) -> Path:
        """Where Save writes: the open file, else a new one named after the visit."""
        return self.path if self.path is not None else self.default_path()

    def pdf_path(self) -> Path:
        return self.target_path().with_suffix(".pdf")

    @property
    def is_another_visit_than_opened(self) -> bool:
        """The open file's visit was changed (another date or patient): saved elsewhere, it is a new record."""
        v = self.pain_map.visit
        return self.opened_visit is not None and self.opened_visit != (v.patient_id, v.visit_date)

    def utc_stamp(self) -> str:
        return utc_stamp(self.now())

    # -- the map on the desk --------------------------------------------
    def set_map(self, m: PainMap, path: Path | None) -> None:
        """Put `m` (from `path`, or new) on the desk, saved as it is."""
        self.pain_map = m
        self.path = path
        self.saved_version = m.version
        # the visit of the file opened: a save elsewhere under another visit date or patient is a new record
        self.opened_visit = (m.visit.patient_id, m.visit.visit_date) if path is not None else None

    def open(self, path: Path) -> PainMap:
        """Read the map at `path` onto the desk. A file that cannot be read raises BodymapError and leaves
        the desk as it was."""
        m = fileformat.load(path, atlas=self.atlas)
        self.set_map(m, Path(path))
        return m

    def new_patient(self) -> PainMap:
        """An empty map for the next patient: nothing of the last one is kept, not even the Save As folder;
        the next save goes to a new file."""
        self.set_map(PainMap(self.atlas), None)
        self.save_as_folder = None
        return self.pain_map

    def new_visit(self, copy: bool) -> PainMap:
        """The next visit of this patient: same identifier and recorder, today's date, its own painted time,
        an empty map or a copy of the painting; unsaved until saved, and saved to a new file."""
        if not self.pain_map.visit.patient_id:
            raise BodymapError("a new visit needs the patient identifier (set it in the visit fields first)")
        m = visits.new_visit(self.pain_map, self.now().date(), copy_painting=copy)
        m.meta["created"] = self.utc_stamp()  # this visit's own painted time
        self.set_map(m, None)
        self.saved_version = -1  # unsaved until saved
        return m

    # -- saving -----------------------------------------------------------
    def save(self) -> Path:
        """Save to the open file, or to a new file in the folder named after the visit."""
        return self.save_to(self.target_path())

    def save_to(self, path: Path, *, new_record: bool = False) -> Path:
        """Save to `path` and return it.

        A file holding another visit or another patient is never replaced: `visits.VisitConflict` is raised
        (offer `save_as_new_visit`). The version a save replaces is kept beside it (`name.bodymap~1`, ...).
        `new_record`: this save starts a new file for this visit, so the map takes its own painted time.
        Any failure (BodymapError, OSError) leaves the map, its times and the file on disk as they were."""
        path = Path(path)
        created = self.pain_map.meta.get("created")
        if new_record:
            self.pain_map.meta["created"] = self.utc_stamp()
        # a name that is not the open file's, or not on disk yet, is saved only as a new file: if another window
        # or program takes the name first, this save is told "already exists" instead of replacing its map
        new = path != self.path or not path.exists()
        try:
            visits.save_visit(self.pain_map, path, new=new)
        except (BodymapError, OSError):
            self.pain_map.meta["created"] = created
            raise
        self.path = path
        self.saved_version = self.pain_map.version
        self.opened_visit = (self.pain_map.visit.patient_id, self.pain_map.visit.visit_date)  # the file's now
        return path

    def save_as_new_visit(self) -> Path:
        """Save to a new file named after this visit (never over another), with this visit's own times."""
        return self.save_to(self.default_path(), new_record=True)

    def save_as_start(self) -> Path:
        """The file Save As suggests: this map's own file, else one named after the visit (never the last
        patient's), in the folder Save As last used for this patient."""
        own = self.path is not None and not self.is_another_visit_than_opened
        target = self.path if own else self.default_path()
        return (self.save_as_folder or target.parent) / target.name

    def save_as_target(self, name: str, folder_text: str) -> Path:
        """The file Save As writes for a typed file name and folder; the folder is made (private, 0700)
        when it does not exist. A name with a folder in it, a folder that is a file, an existing file
        other than the open one, or a folder that cannot be made raise BodymapError with the message to
        show."""
        name = name.strip()
        if not name or name in (".", "..") or "/" in name or "\\" in name:
            raise BodymapError("Type a file name (without a folder).")
        if not name.lower().endswith(FILE_SUFFIX):
            name += FILE_SUFFIX
        if paths.windows_device_name(name):
            raise BodymapError(f"{name.split('.')[0]} is a device on Windows, never a file: type another name.")
        folder = Path(os.path.expanduser(folder_text.strip() or "."))
        if folder.exists() and not folder.is_dir():
            raise BodymapError(f"{folder} is a file, not a folder: pick or type another.")
        if not folder.is_dir():
            try:
                from .atomicio import prepare_folder

                folder.parent.mkdir(parents=True, exist_ok=True)
                prepare_folder(folder)  # a new folder, private (0700): maps hold health data
            except (BodymapError, OSError) as exc:
                raise BodymapError(f"Could not make the folder {folder}: {exc}") from exc
        path = folder / name
        if path.exists() and path != self.path:
            raise BodymapError(f"{name} already exists in {folder}: type another name.")
        return path

    def save_as(self, path: Path) -> Path:
        """Save to `path` from Save As (see `save_as_target`); remembers the folder for this patient."""
        self.save_as_folder = Path(path).parent
        return self.save_to(path, new_record=path != self.path and self.is_another_visit_than_opened)

    # -- what the painting and the answers say -----------------------------
    def assess(self, matcher: Callable[[], Any]) -> tuple[Any, str | None]:
        """Triage's assessment of the map (`bodymap.triage.assess_case`: red flags first, then the ranking) and
        why the ranking is missing, if it is. `matcher()` gives the object with `match(pain_map)`; a matcher
        that cannot be had or that fails leaves the flags whole and says why ("matcher unavailable ...",
        "matcher error ...")."""
        from .triage import Case, assess_case

        why: list[str] = []

        def ranker():
            try:
                m = matcher()
            except ImportError:
                why.append("matcher unavailable")
                raise
            except Exception as exc:
                why.append(f"matcher unavailable ({type(exc).__name__}: {exc})")
                raise
            try:
                return m.match(self.pain_map)
            except Exception as exc:
                why.append(f"matcher error ({type(exc).__name__}: {exc})")
                raise

        result = assess_case(Case.of(self.pain_map), ranker)
        return result, (why[0] if why else result.ranking_error)

    def flags(self) -> list[Any]:
        """The map's red flags by triage (rules, "not sure", recorded), most urgent first, without ranking."""
        from .triage import Case, assess_case

        m = self.pain_map
        return assess_case(Case(dict(m.answers), bool(m.both_legs_painted), False, {},
                                list(m.red_flags_recorded or []))).red_flags

    # -- answers, visit fields, pain score -------------------------------
    def set_answer(self, key: str, value: Any) -> bool:
        """Set (or with None clear) one answer. True when it changed (an unsaved change; the ranking and the
        flags are stale)."""
        answers = self.pain_map.answers
        if value is None:
            if key not in answers:
                return False
            del answers[key]
        else:
            if key in answers and _same(answers[key], value):
                return False
            answers[key] = value  # validated by Answers
        self.pain_map.version += 1
        return True

    def answer(self, key: str, choice: str) -> bool:
        """A yes / no / unsure button: sets that answer, or clears it when it is the answer already."""
        value = CHOICE_VALUES[choice]
        current = self.pain_map.answers.get(key)
        return self.set_answer(key, None if current is not None and _same(current, value) else value)

    def set_visit(self, values: dict[str, str]) -> None:
        """The visit fields as typed (blank clears one); a bad value raises BodymapError, nothing changed."""
        visits.check_typed_visit_date(values.get("visit_date"), self.now().date())
        self.pain_map.set_visit(**{k: (str(x).strip() or None) for k, x in values.items()})

    def clear_pain_score(self) -> bool:
        """The pain score "not given". True when there was one."""
        if self.pain_map.intensity.pop("overall", None) is None:
            return False
        self.pain_map.version += 1
        return True


def _same(a: Any, b: Any) -> bool:
    return a is b if isinstance(a, bool) or isinstance(b, bool) else a == b
