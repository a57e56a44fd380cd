"""Batch scoring: many .bodymap files, both cores, no PainMap objects on the hot path.

Each file is a pure function of its bytes, so a registry splits across processes
(here) or machines (shard the file list) without coordination.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np

from .atlas import VIEWS, load_atlas
from .errors import BodymapError, FileFormatError
from .fileformat import read_bytes, read_document
from .matcher import Features, get_model, key_points_in, posterior, top_line
from .painting import SENSATIONS, both_legs_painted, counted_regions
from .triage import Case, assess_case


def features_from_bytes(raw: bytes, model, where: str = "<bytes>") -> Features:
    """Score inputs from .bodymap bytes via the one reader (fileformat.read_document), skipping the stroke log."""
    doc = read_document(raw, model.atlas, where, strokes=False)
    raster = model.atlas.raster()
    n = len(model.atlas.regions)
    counts = np.zeros(n, dtype=np.int64)
    sens_bits = 0
    rows, cols = raster.shape
    if doc.shape != (rows, cols):  # scores on another grid would differ from bodymap.match: refuse, never guess
        raise FileFormatError(f"{where}: painted on another atlas grid (open it with bodymap.load to migrate)")
    painted = {}
    for v in VIEWS:
        r0, c0, sub = doc.views[v]  # only the painted box: no full-grid copy on the hot path
        if sub.size == 0:
            continue
        h, w = sub.shape
        painted[v] = (r0, c0, ((sub & _KNOWN) != 0) & raster.body[v][r0:r0 + h, c0:c0 + w])
        b = np.ascontiguousarray(sub).ravel()
        nz = _nonzero_bytes(b)
        if len(nz):
            sens_bits |= int(np.bitwise_or.reduce(b[nz]))
            w = sub.shape[1]
            flat = (nz // w + r0) * cols + (nz % w + c0)
            lab = raster.labels[v].ravel()[flat]
            counts += np.bincount(lab[lab >= 0], minlength=n)
    cov = counts / np.maximum(_region_px(model), 1)
    sensations = np.array([bool(sens_bits >> i & 1) for i in range(len(SENSATIONS))])  # bits are in SENSATIONS order
    answers = dict(doc.answers)
    # Both legs painted, by the one rule (specks and slivers do not count). That rule can only take
    # paint away, so the costly island and sliver step runs only when the raw paint reaches both legs.
    both = _both_legs(model, counts > 0)
    if both:
        both = _both_legs(model, counted_regions(raster.labels, painted, _region_px(model)))
    flags = assess_case(Case(answers, both, recorded=list(doc.red_flags or []))).red_flags  # issue 18
    f = Features(cov, sensations, answers, key_points=key_points_in(model.atlas, raster, painted))
    f.red_flag_ids = [x.id for x in flags]
    return f


def _both_legs(model, counted: np.ndarray) -> bool:
    regions = model.atlas.regions
    return both_legs_painted(model.atlas, [regions[i].id for i in np.flatnonzero(counted)])


_KNOWN = np.uint8((1 << len(SENSATIONS)) - 1)  # bits beyond the known sensations are ignored, as the loader does


def _nonzero_bytes(b: np.ndarray) -> np.ndarray:
    """Indices of non-zero bytes, scanning 8 bytes at a time (maps are mostly empty)."""
    n8 = len(b) // 8 * 8
    words = np.flatnonzero(b[:n8].view(np.uint64))
    idx = (words[:, None] * 8 + np.arange(8)).ravel()
    idx = idx[b[idx] != 0]
    if n8 < len(b):
        tail = np.flatnonzero(b[n8:]) + n8
        idx = np.concatenate([idx, tail])
    return idx


_REGION_PX: dict[int, np.ndarray] = {}


def _region_px(model) -> np.ndarray:
    key = id(model)
    if key not in _REGION_PX:
        r = model.atlas.raster()
        _REGION_PX[key] = np.bincount(np.concatenate([lab[lab >= 0] for lab in r.labels.values()]),
                                      minlength=len(model.atlas.regions))
    return _REGION_PX[key]


_MODEL = None


class BatchResult(NamedTuple):
    """One file's result: red flags are part of it, never dropped in batch work."""

    path: str
    top: str | None
    side: str | None
    probability: float
    red_flags: tuple[str, ...]
    error: str | None


def score_file(path: str) -> BatchResult:
    """The top hypothesis and the red flags of one file (error set instead when it cannot be read)."""
    global _MODEL
    if _MODEL is None:
        _MODEL = get_model(load_atlas())
    model = _MODEL
    try:
        raw = read_bytes(Path(path))  # refuses folders and oversized files before reading them
        f = features_from_bytes(raw, model, path)
    except BodymapError as exc:
        return BatchResult(path, None, None, 0.0, (), str(exc))
    if not f.coverage.any():  # nothing painted: no line, as bodymap.match
        return BatchResult(path, None, None, 0.0, tuple(f.red_flag_ids), None)
    try:
        pid, side, p = top_line(model, f, posterior(model, f))  # the first pattern line (ADR 0019)
    except Exception as exc:  # noqa: BLE001 - a failing matcher never drops the file's red flags (issue 18)
        return BatchResult(path, None, None, 0.0, tuple(f.red_flag_ids), f"ranking failed ({type(exc).__name__}: {exc})")
    return BatchResult(path, pid, side, p, tuple(f.red_flag_ids), None)


def score_many(paths: Iterable[str], workers: int | None = None, chunksize: int = 64):
    paths = list(paths)
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        return [score_file(p) for p in paths]
    with ProcessPoolExecutor(workers) as ex:
        return list(ex.map(score_file, paths, chunksize=chunksize))
