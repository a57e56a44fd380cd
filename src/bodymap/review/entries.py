"""The review session's list of maps, without pygame: the scan of a folder and the triage order.

`scan(path)` lists a folder's .bodymap files with red flags first (most urgent
first), then newest first (by the file's own `created` time, falling back to the
file's modification time); every file is
read once for its session code, time and red flags and then let go (a folder can
hold hundreds of maps; only the maps on screen stay in memory). A file that
cannot be read becomes an entry with `error` set: it is listed, never raised.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .. import fileformat, vocabulary
from ..atlas import Atlas
from ..painting import PainMap
from ..paths import walk_maps
from .words import flag_short

FILE_SUFFIX = ".bodymap"


@dataclass
class MapEntry:
    """One row of the list: a file, readable or not."""

    path: Path
    error: str | None = None  # one line: why the file cannot be opened
    session_code: str | None = None
    created: datetime | None = None  # aware; None when the file has no usable `created`
    mtime: float = 0.0
    flags: list[str] = field(default_factory=list)  # red-flag ids (from the match and as recorded)
    flag_texts: list[str] = field(default_factory=list)
    match_error: str | None = None
    stamp: tuple = ()  # (mtime_ns, size): re-read the file when it changes
    urgency: str | None = None  # the most urgent red flag's urgency (emergency | same_day), None without flags
    patient_id: str | None = None  # the visit fields (ADR 0011): review is a clinician tool and shows them
    visit_date: str | None = None  # YYYY-MM-DD

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def red_flag(self) -> bool:
        return bool(self.flags)

    @property
    def when(self) -> datetime:
        """The time the list is ordered by: `created`, else the file's modification time."""
        if self.created is not None:
            return self.created
        return datetime.fromtimestamp(self.mtime, timezone.utc)

    @property
    def visit_order(self) -> tuple:
        """How two maps are put in time order when compared: by visit date (the clinician's record of when the
        visit was), else the day of `when`; then by `when`, then by file name (as bodymap.timeline orders)."""
        day = self.visit_date or self.when.astimezone(timezone.utc).date().isoformat()
        return day, self.when.timestamp(), self.path.name

    @property
    def time_from_file(self) -> bool:
        return self.created is None

    @property
    def title(self) -> str:
        return self.session_code or self.path.name

    def flag_summary(self) -> str:
        return "; ".join(flag_short(f) for f in self.flags)


def one_line(text: str, path: Path | None = None, limit: int = 200) -> str:
    """An error message as one short line, without the file's path in front."""
    t = " ".join(str(text).split())
    if path is not None:
        for prefix in (f"{path}: ", f"{path.name}: "):
            if t.startswith(prefix):
                t = t[len(prefix):]
                break
    return t if len(t) <= limit else t[: limit - 1] + "…"


def parse_time(text: Any) -> datetime | None:
    """An ISO 8601 time as written in .bodymap files ('2025-11-21T12:35:09Z'); naive times are UTC."""
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt



#: how far down review looks for maps: the folder and this many levels of subfolders (issue 21: a patient
#: saved in a new folder by Save As is listed too); symlinked folders are not followed (no loops)
MAX_DEPTH = 3
MAX_FILES = 20000  # a folder of a whole registry is for the export commands, not a list to scroll


def list_files(folder: Path, depth: int = MAX_DEPTH) -> list[Path]:
    """The .bodymap files in `folder` and its subfolders down to `depth` levels (hidden ones left out)."""
    return walk_maps(folder, depth, MAX_FILES, FILE_SUFFIX)


def subfolder_count(entries, root: Path) -> int:
    """How many of the listed maps lie in subfolders of `root`."""
    return sum(1 for e in entries if Path(e.path).parent != Path(root))


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return ()


def read_entry(path: Path, atlas: Atlas | None = None, matcher: Any = None) -> tuple[MapEntry, PainMap | None]:
    """Read one file for the list: (entry, the map or None). Never raises for a bad file."""
    e = MapEntry(Path(path), stamp=_stamp(Path(path)))
    try:
        e.mtime = e.path.stat().st_mtime
    except OSError:
        e.mtime = 0.0
    try:
        m = fileformat.load(e.path, atlas=atlas)
    except Exception as exc:  # noqa: BLE001 - a bad file is a row, not a crash
        msg = str(exc) or type(exc).__name__
        if not isinstance(exc, fileformat.FileFormatError):
            msg = f"{type(exc).__name__}: {msg}"
        e.error = one_line(msg, e.path) or "unreadable"
        return e, None
    e.session_code = m.meta.get("session_code") or None
    e.patient_id, e.visit_date = m.visit.patient_id, m.visit.visit_date
    e.created = parse_time(m.meta.get("created"))  # what the file says (the codec checked it): no second read
    ranking, err = run_match(m, matcher)
    e.match_error = err
    e.flags, e.flag_texts = flags_of(m, ranking)
    e.urgency = flag_urgency(m, ranking) if e.flags else None
    return e, m


def file_created(path: Path) -> Any:
    """The `created` field as written in the file (None when absent).

    Not `PainMap.meta['created']`: the loader leaves the new map's own creation
    time (now) there when the file has none, which would list an undated map as
    the newest.
    """
    try:  # through the one codec (ADR 0018): its checks and caps, and the stroke log skipped unparsed
        doc = fileformat.read_document(fileformat.read_bytes(Path(path)), None, str(path), strokes=False)
    except Exception:  # noqa: BLE001 - a file spoilt since it was listed has no time to give
        return None
    return doc.meta.get("created")


def run_match(m: PainMap, matcher: Any = None) -> tuple[Any, str | None]:
    """(triage, None) or (triage without a ranking, one-line error), by `bodymap.triage`: a broken matcher
    must not close the window, and never takes the flags or prompts with it (issue 18)."""
    from ..triage import Case, assess_case

    why: list[str] = []

    def ranker():
        try:
            if matcher is None:
                from .. import match as matcher_match
            else:
                matcher_match = matcher.match
            return matcher_match(m)
        except Exception as exc:
            why.append(f"matcher error ({type(exc).__name__}: {one_line(str(exc))})")
            raise

    t = assess_case(Case.of(m), ranker)
    return t, (why[0] if why else None)


def flags_of(m: PainMap, ranking: Any) -> tuple[list[str], list[str]]:
    """(ids, texts) of the red flags: the ranking's, or when the matcher failed, the red-flag rules
    run on their own (they never depend on the ranking), else at least the ones recorded in the file."""
    if ranking is not None:
        flags = list(getattr(ranking, "red_flags", None) or [])
        return [str(getattr(f, "id", "red_flag")) for f in flags], [str(getattr(f, "text", f)) for f in flags]
    try:
        from ..matcher import red_flags

        flags = red_flags(dict(m.answers), m.both_legs_painted, m.red_flags_recorded)
        return [f.id for f in flags], [f.text for f in flags]
    except Exception:  # noqa: BLE001
        rec = [f for f in m.red_flags_recorded if isinstance(f, dict)]
        return ([str(f.get("id", "red_flag")) for f in rec],
                [str(f.get("text", "red flag recorded at the kiosk")) for f in rec])


def flag_urgency(m: PainMap, ranking: Any) -> str | None:
    """The most urgent urgency among the map's red flags (emergency | same_day), None without flags.

    From the ranking's flags; a flag that carries no urgency (a stand-in matcher) and the
    kiosk's recorded flags count as same_day at least, never less (a flag is never played down)."""
    flags = list(getattr(ranking, "red_flags", None) or []) if ranking is not None else []
    urgencies = [u for u in (getattr(f, "urgency", None) for f in flags) if u]
    if len(urgencies) < len(flags) or not flags:  # a flag without its urgency: the rules say how urgent
        try:
            from ..redflags import flags_for_map

            urgencies += [f.urgency for f in flags_for_map(m)]
        except Exception:  # noqa: BLE001 - the rules failing must not hide a recorded flag
            urgencies += [str(f.get("urgency") or "same_day") for f in m.red_flags_recorded if isinstance(f, dict)]
    if not urgencies:
        return "same_day" if flags else None
    return min(urgencies, key=vocabulary.urgency_rank)


def sort_entries(entries: list[MapEntry]) -> list[MapEntry]:
    """Newest first; equal times by file name."""
    return sorted(entries, key=lambda e: (-e.when.timestamp(), e.path.name))


def triage_order(entries: list[MapEntry]) -> list[MapEntry]:
    """The review list's order: maps with red flags first, most urgent first, then newest first."""
    def key(e: MapEntry):
        rank = vocabulary.urgency_rank(e.urgency or "same_day") if e.red_flag else len(vocabulary.URGENCIES)
        return (rank, -e.when.timestamp(), e.path.name)
    return sorted(entries, key=key)


FILTERS = ("all", "red_flags", "emergency")  # the list's filter, in the order its button steps through
FILTER_WORDS = {"all": "Filter: all", "red_flags": "Filter: red flags", "emergency": "Filter: emergency"}


def filter_entries(entries: list[MapEntry], which: str) -> list[MapEntry]:
    """The entries a filter keeps: all, those with red flags, or those with an emergency flag."""
    if which == "red_flags":
        return [e for e in entries if e.red_flag]
    if which == "emergency":
        return [e for e in entries if e.red_flag and e.urgency == "emergency"]
    return list(entries)


def scan(path: Path, atlas: Atlas | None = None, matcher: Any = None,
         known: dict[Path, MapEntry] | None = None, keep: Any = None) -> list[MapEntry]:
    """The entries for a folder (red flags first, then newest first: `triage_order`) or a single file. `known` skips files unchanged since.

    `keep(entry, pain_map)` is given each map read, so that opening it need not read the file again."""
    path = Path(path)
    files = list_files(path) if path.is_dir() else [path]
    out = []
    for p in files:
        old = (known or {}).get(p)
        if old is not None and old.stamp and old.stamp == _stamp(p):
            out.append(old)
            continue
        entry, m = read_entry(p, atlas, matcher)
        if keep is not None and m is not None:
            keep(entry, m)
        out.append(entry)
    return triage_order(out)


def patient_maps(entries: list[MapEntry], patient_id: str, atlas: Atlas | None = None) -> tuple[list, dict]:
    """The maps of one patient identifier among `entries`, for `timeline.build`: ([(key, map, created)],
    {key: entry}), the key being the file's path. A file spoilt since the scan is left out, never raised."""
    from ..timeline import same_patient

    maps, found = [], {}
    for e in entries:
        if not (e.ok and same_patient(e.patient_id, patient_id)):
            continue
        try:
            m = fileformat.load(e.path, atlas=atlas)
        except Exception:  # noqa: BLE001 - a file spoilt since the scan is left out, never a crash
            continue
        maps.append((str(e.path), m, file_created(e.path)))
        found[str(e.path)] = e
    return maps, found
