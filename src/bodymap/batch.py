"""Batch scoring: many .bodymap files, both cores, no PainMap objects on the hot path.

Each file is a pure function of its bytes, so a registry splits across processes
(here) or machines (shard the file list) without coordination.
"""
from __future__ import annotations

import json
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np

from .atlas import VIEWS, load_atlas
from .errors import BodymapError, FileFormatError
from .fileformat import FORMAT_VERSION, LAYER_ENCODING, MAX_FILE_BYTES, decode_view, read_bytes
from .matcher import Features, get_model, posterior
from .painting import QUESTIONS, SENSATIONS, both_legs_painted, validate_answer
from .redflags import red_flags


def features_from_bytes(raw: bytes, model, where: str = "<bytes>") -> Features:
    """Decode only what scoring needs: the layer bitfields, answers and grid checks."""
    if len(raw) > MAX_FILE_BYTES:
        raise FileFormatError(f"{where}: too large")
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError):
        raise FileFormatError(f"{where}: not a .bodymap file") from None
    if not isinstance(doc, dict) or doc.get("format") != "bodymap":
        raise FileFormatError(f"{where}: not a .bodymap file")
    if not isinstance(doc.get("format_version"), int) or doc["format_version"] > FORMAT_VERSION:
        raise FileFormatError(f"{where}: unsupported format version")
    atlas_doc = doc.get("atlas")
    if not isinstance(atlas_doc, dict) or atlas_doc.get("id") != model.atlas.id:
        raise FileFormatError(f"{where}: drawn on another atlas")
    layers = doc.get("layers")
    raster = model.atlas.raster()
    if not isinstance(layers, dict) or layers.get("encoding") != LAYER_ENCODING or layers.get("shape") != list(raster.shape):
        raise FileFormatError(f"{where}: layers missing or on another grid (open it with bodymap.load to migrate)")
    n = len(model.atlas.regions)
    counts = np.zeros(n, dtype=np.int64)
    sens_bits = 0
    rows, cols = raster.shape
    for v in VIEWS:
        r0, c0, sub = decode_view(layers.get(v), rows, cols, f"{where}: layers.{v}")
        if sub.size == 0:
            continue
        b = np.ascontiguousarray(sub).ravel()
        nz = _nonzero_bytes(b)
        if len(nz):
            sens_bits |= int(np.bitwise_or.reduce(b[nz]))
            w = sub.shape[1]
            flat = (nz // w + r0) * cols + (nz % w + c0)
            lab = raster.labels[v].ravel()[flat]
            counts += np.bincount(lab[lab >= 0], minlength=n)
    cov = counts / np.maximum(_region_px(model), 1)
    names = layers.get("sensations")
    if not isinstance(names, list) or len(names) > 8 or any(x not in SENSATIONS for x in names):
        raise FileFormatError(f"{where}: layers.sensations is not a list of known sensations")
    present = {name for i, name in enumerate(names) if sens_bits >> i & 1}  # bits map by the file's own names
    sensations = np.array([s in present for s in SENSATIONS])
    raw_answers = doc.get("answers", {})
    if not isinstance(raw_answers, dict):
        raise FileFormatError(f"{where}: 'answers' must be an object")
    answers = {}
    for k, v in raw_answers.items():
        if k in QUESTIONS:
            try:
                answers[k] = validate_answer(k, v)
            except BodymapError as exc:
                raise FileFormatError(f"{where}: answers: {exc}") from None
    flags = red_flags(answers, _both_legs(model, cov), doc.get("red_flags") if isinstance(doc.get("red_flags"), list)
                      else None)
    f = Features(cov, sensations, answers)
    f.red_flag_ids = [x.id for x in flags]
    return f


def _both_legs(model, cov: np.ndarray) -> bool:
    regions = model.atlas.regions
    return both_legs_painted(model.atlas, [regions[i].id for i in np.flatnonzero(cov > 0)])


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
    post = posterior(model, f)
    h = int(np.argmax(post))
    return BatchResult(path, model.hyps[h][0], model.hyps[h][1], float(post[h]), tuple(f.red_flag_ids), None)


def score_many(paths: Iterable[str], workers: int | None = None, chunksize: int = 64):
    paths = list(paths)
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        return [score_file(p) for p in paths]
    with ProcessPoolExecutor(workers) as ex:
        return list(ex.map(score_file, paths, chunksize=chunksize))
