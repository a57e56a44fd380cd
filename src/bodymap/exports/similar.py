"""Nearest maps: `bodymap similar FILE FOLDER [-k 10]`.

Two similarities between the query map and each map of the folder, both 0 (nothing shared) to 1
(the same):

- **Jaccard** of the painted pixels (any sensation, both views): |A and B| / |A or B|;
- **Ruzicka** (weighted Jaccard) of the region coverage vectors: sum(min(a_i, b_i)) / sum(max(a_i, b_i)),
  which weighs how much of each region is painted rather than which exact pixels.

Two empty maps have no similarity (None) and are listed last. The query file itself is skipped
when it lies in the folder. Streaming: per map only its two scores are kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from ..atlas import VIEWS
from .common import Decoder, MapRecord


@dataclass
class Neighbour:
    path: Path
    jaccard: float | None
    ruzicka: float | None


def jaccard_pixels(a: MapRecord, b: MapRecord) -> float | None:
    inter = union = 0
    for v in VIEWS:
        x, y = a.nonzero[v], b.nonzero[v]
        k = len(np.intersect1d(x, y, assume_unique=True))
        inter += k
        union += len(x) + len(y) - k
    return inter / union if union else None


def ruzicka(a: np.ndarray, b: np.ndarray) -> float | None:
    hi = float(np.maximum(a, b).sum())
    return float(np.minimum(a, b).sum()) / hi if hi > 0 else None


def neighbours(query: MapRecord, records: Iterable[MapRecord], decoder: Decoder) -> list[Neighbour]:
    qcov = decoder.coverage(query)
    qpath = query.path.resolve()
    out = []
    for rec in records:
        if rec.path.resolve() == qpath:
            continue
        out.append(Neighbour(rec.path, jaccard_pixels(query, rec), ruzicka(qcov, decoder.coverage(rec))))
    return out


def top(items: list[Neighbour], key: str, k: int) -> list[Neighbour]:
    def sort_key(n: Neighbour):
        v = getattr(n, key)
        return (v is None, -(v or 0.0), n.path.name)

    return sorted(items, key=sort_key)[:k]
