"""Maps like this one (review, key L): the folder's maps nearest the open map, by Jaccard of painted
pixels and Ruzicka of region coverage (bodymap.exports.similar, as `bodymap similar`).

Computed only when asked, over the folder's readable maps; each file is decoded once and kept
while it is unchanged (path, size, mtime), so asking again after opening another map is quick.
"""
from __future__ import annotations

from typing import Any

SHOWN = 5


def show_similar(screen: Any) -> None:
    """Fill `screen._similar` for the open map and rebuild the information panel."""
    from ...errors import BodymapError
    from ...exports.common import Decoder
    from ...exports.similar import neighbours, top

    cur = getattr(screen, "current", None)
    if cur is None or not cur.ok or not getattr(screen, "is_folder", False):
        return
    dec = getattr(screen, "_similar_decoder", None)
    if dec is None:
        dec = screen._similar_decoder = Decoder(screen.atlas)
        screen._similar_cache = {}
    cache: dict = screen._similar_cache
    records = []
    query = None
    for e in screen.all_entries:
        try:
            st = e.path.stat()
            key = (e.path, st.st_size, st.st_mtime_ns)
            rec = cache.get(key)
            if rec is None:
                rec = cache[key] = dec.read(e.path)
        except (BodymapError, OSError):
            continue
        if e.path == cur.entry.path:
            query = rec
        records.append(rec)
    if query is None:
        return
    near = top(neighbours(query, records, dec), "jaccard", SHOWN)
    screen._similar = (cur.entry.path, [(n.path.name, n.jaccard, n.ruzicka) for n in near])
    screen._build_info(keep_scroll=True)


def similar_lines(screen: Any) -> list[str]:
    """The lines of the 'Maps like this one' section for the open map, or [] when not asked for it."""
    got = getattr(screen, "_similar", None)
    cur = getattr(screen, "current", None)
    if not got or cur is None or got[0] != cur.entry.path:
        return []
    if not got[1]:
        return ["No other readable map in this folder."]
    return [f"{name}: Jaccard {j or 0:.2f}, Ruzicka {r or 0:.2f}" for name, j, r in got[1]]
