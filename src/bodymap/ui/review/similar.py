"""Maps like this one (review, key L): the folder's maps nearest the open map, by Jaccard of painted
pixels and Ruzicka of region coverage (bodymap.exports.similar, as `bodymap similar`).

`SimilarMaps` is a part the review window owns, given only the session. Computed only when asked, over
the folder's readable maps; each file is decoded once and kept while it is unchanged (path, size,
mtime), so asking again after opening another map is quick.
"""
from __future__ import annotations

from pathlib import Path

from ...review.session import ReviewSession

SHOWN = 5


class SimilarMaps:
    """The nearest maps to the open one, when asked for (`find`); `lines()` for the information panel."""

    def __init__(self, session: ReviewSession):
        self.session = session
        self._decoder = None
        self._records: dict = {}
        self._found: tuple[Path, list[tuple[str, float | None, float | None]]] | None = None

    def find(self) -> bool:
        """Find the maps nearest the open map among the folder's; False when there is nothing to search."""
        from ...errors import BodymapError
        from ...exports.common import Decoder
        from ...exports.similar import neighbours, top

        s = self.session
        cur = s.current
        if cur is None or not cur.ok or not s.is_folder:
            return False
        if self._decoder is None:
            self._decoder = Decoder(s.atlas)
        records, query = [], None
        for e in s.all_entries:
            try:
                st = e.path.stat()
                key = (e.path, st.st_size, st.st_mtime_ns)
                rec = self._records.get(key)
                if rec is None:
                    rec = self._records[key] = self._decoder.read(e.path)
            except (BodymapError, OSError):
                continue
            if e.path == cur.entry.path:
                query = rec
            records.append(rec)
        if query is None:
            return False
        near = top(neighbours(query, records, self._decoder), "jaccard", SHOWN)
        self._found = (cur.entry.path, [(n.path.name, n.jaccard, n.ruzicka) for n in near])
        return True

    def lines(self) -> list[str]:
        """The lines of the 'Maps like this one' section for the open map, or [] when not asked for it."""
        cur = self.session.current
        if not self._found or cur is None or self._found[0] != cur.entry.path:
            return []
        if not self._found[1]:
            return ["No other readable map in this folder."]
        return [f"{name}: Jaccard {j or 0:.2f}, Ruzicka {r or 0:.2f}" for name, j, r in self._found[1]]
