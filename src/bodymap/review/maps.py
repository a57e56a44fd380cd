"""The maps the review session has open: each read once, ranked once, and kept while its file is unchanged.

`MapCache` is a part the session owns: the scan hands it the maps it has just read (`keep_read`), so
that opening one does not read its file again, and it keeps the last few opened (`load`), each with its
ranking; a map whose file changed (modification time or size) is read again.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import fileformat
from ..atlas import Atlas
from ..errors import BodymapError
from ..painting import PainMap
from .entries import MapEntry, flag_urgency, flags_of, one_line, run_match

CACHE_MAPS = 4  # maps kept open (the scan's last reads and the last opened)


@dataclass
class Loaded:
    """A map opened for viewing: the pain map and its ranking (or why not)."""

    entry: MapEntry
    pain_map: PainMap | None
    ranking: Any = None
    error: str | None = None
    match_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.pain_map is not None


def _stamp(path: Path) -> tuple:
    try:
        st = path.stat()
        return st.st_mtime_ns, st.st_size
    except OSError:
        return ()


class MapCache:
    """The last few maps read (by the scan) and opened (with their ranking). `matcher()` gives the matcher
    in use (None: bodymap's own)."""

    def __init__(self, atlas: Atlas | None, matcher: Callable[[], Any]):
        self.atlas = atlas
        self.matcher = matcher
        self._opened: dict[Path, tuple[tuple, Loaded]] = {}
        self._scanned: dict[Path, tuple[tuple, PainMap]] = {}

    def keep_read(self, entry: MapEntry, m: PainMap) -> None:
        """A map the scan has just read: kept (the last few) so that opening it reads the file only once."""
        self._scanned[entry.path] = (entry.stamp, m)
        while len(self._scanned) > CACHE_MAPS:
            self._scanned.pop(next(iter(self._scanned)))

    def forget(self, path: Path) -> None:
        """Read `path` again next time (the session has just written it)."""
        self._opened.pop(Path(path), None)
        self._scanned.pop(Path(path), None)

    def load(self, entry: MapEntry) -> Loaded:
        """Open an entry's map, ranked; its red flags and urgency are written back to the entry. A file that
        cannot be read gives a Loaded with `error` (one line), never an exception."""
        stamp = _stamp(entry.path)
        hit = self._opened.get(entry.path)
        if hit is not None and hit[0] == stamp and stamp:
            return hit[1]
        scanned = self._scanned.pop(entry.path, None)
        try:
            if scanned is not None and scanned[0] == stamp and stamp:
                m = scanned[1]  # read by the scan a moment ago and unchanged since: not read twice
            else:
                m = fileformat.load(entry.path, atlas=self.atlas)
        except Exception as exc:  # noqa: BLE001 - a bad file never closes the window
            msg = str(exc) if isinstance(exc, BodymapError) else f"{type(exc).__name__}: {exc}"
            entry.error = one_line(msg, entry.path) or "unreadable"
            return Loaded(entry, None, error=entry.error)
        ranking, err = run_match(m, self.matcher())
        entry.flags, entry.flag_texts = flags_of(m, ranking)
        entry.urgency = flag_urgency(m, ranking) if entry.flags else None
        entry.match_error = err
        loaded = Loaded(entry, m, ranking, None, err)
        self._opened[entry.path] = (stamp, loaded)
        while len(self._opened) > CACHE_MAPS:
            self._opened.pop(next(iter(self._opened)))
        return loaded
