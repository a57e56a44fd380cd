"""Batch scoring: many .bodymap files, both cores, no PainMap objects on the hot path.

Each file is a pure function of its bytes, so a registry splits across processes
(here) or machines (shard the file list) without coordination. The figures come from
the one feature computation (bodymap.features) on the file's painted boxes.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable, NamedTuple

import numpy as np

from . import features, rule_arrays
from .atlas import load_atlas
from .errors import BodymapError
from .fileformat import read_bytes, read_document
from .matcher import (NONE_ID, WIDESPREAD_ID, Features, Model, _painted_sides, _side_rank, get_model, inputs_from,
                      inputs_many, posterior, posterior_many)
from .redflags import rule_key
from .triage import Case, assess_case


def features_from_bytes(raw: bytes, model: Model, where: str = "<bytes>", flags=None) -> Features:
    """Score inputs from .bodymap bytes via the one reader (fileformat.read_document), skipping the
    stroke log; `red_flag_ids` set. `flags(answers, both_legs, recorded)` -> flag ids (default: red_flags)."""
    f, ids = _drawing_from_bytes(raw, model, where, flags or _flag_ids)
    out = inputs_from(f)
    out.red_flag_ids = ids
    return out


def _drawing_from_bytes(raw: bytes, model: Model, where: str, flags) -> tuple[features.Features, list[str]]:
    """The drawing's features (bodymap.features) and its red flags, from .bodymap bytes."""
    doc = read_document(raw, model.atlas, where, strokes=False)
    f = features.from_document(doc, model.atlas)
    return f, flag_ids(f, doc.red_flags, flags)


def _flag_ids(answers: dict, both_legs: bool, recorded: list[dict] | None) -> tuple[str, ...]:
    """The red flags by the one triage (bodymap.triage, issue 18)."""
    return tuple(x.id for x in assess_case(Case(answers, both_legs, recorded=list(recorded or []))).red_flags)


def flag_ids(f: features.Features, recorded: list[dict] | None, flags=_flag_ids) -> list[str]:
    """The red flags of a drawing, running the island step behind "both legs" only where it can
    change them: when the raw paint reaches both legs and the answers make a flag hang on it."""
    without = flags(f.answers, False, recorded)
    if f.both_legs_possible:
        both = flags(f.answers, True, recorded)
        if both != without and f.both_legs:
            return list(both)
    return list(without)


def top_lines(model: Model, fs: list[Features], post: np.ndarray) -> list[tuple[str, str, float]]:
    """(pattern id, side, belief in the pattern) of each map's first line, as `matcher.rank` shows it
    (`matcher.pattern_lines`), from their (N, H) posteriors."""
    rt = model.rules
    n_ids = len(model.pattern_ids)
    N = len(fs)
    belief = rule_arrays.belief(rt, post, n_ids)
    ks = np.argmax(np.round(belief, 12), axis=1)  # the first of equal beliefs, as pattern_lines orders them
    cand = _line_rows(model)[ks]  # (N, 3): the line's hypotheses, -1 past its last
    valid = cand >= 0
    n = np.arange(N)[:, None]
    safe = np.where(valid, cand, 0)
    rp = np.where(valid, np.round(post[n, safe], 12), -np.inf)
    painted = _painted_sides(model, np.array([f.coverage for f in fs]).reshape(N, -1))
    ranks = {p: _side_rank(model, p) for p in set(painted)}
    sr = np.array([ranks[p] for p in painted]).reshape(N, -1)[n, safe]
    pick = np.zeros(N, dtype=int)  # most probable first, then the painted side, then the line's order
    r = np.arange(N)
    for j in range(1, cand.shape[1]):
        better = valid[:, j] & ((rp[:, j] > rp[r, pick]) | ((rp[:, j] == rp[r, pick]) & (sr[:, j] < sr[r, pick])))
        pick[better] = j
    best = cand[r, pick]
    out = []
    for i in range(N):
        rows = rt.extra["rows_of"][ks[i]]
        pid, side = model.hyps[best[i]]
        if pid == NONE_ID:
            side = painted[i]
        elif pid != WIDESPREAD_ID and model.lib.get(pid).symmetric:
            side = "bilateral"
        out.append((pid, side, float(post[i, rows].sum())))
    return out


def _line_rows(model: Model) -> np.ndarray:
    """(len(pattern_ids), 3) the hypotheses of each line in order, -1 past its last (kept on the model)."""
    hit = model.__dict__.get("_line_rows")
    if hit is None:
        rows_of = model.rules.extra["rows_of"]
        hit = np.full((len(rows_of), max(len(r) for r in rows_of)), -1)
        for k, rows in enumerate(rows_of):
            hit[k, :len(rows)] = rows
        model.__dict__["_line_rows"] = hit
    return hit


class BatchResult(NamedTuple):
    """One file's result: red flags are part of it, never dropped in batch work."""

    path: str
    top: str | None
    side: str | None
    probability: float
    red_flags: tuple[str, ...]
    error: str | None


INPUTS_AT_ONCE = 16  # maps whose key points are found together (features.key_points_many)
HELD_PAINT_BYTES = 8 << 20  # ...or fewer, when their paint is large: a chunk of the largest files the caps allow
# then holds a few of them at a time, never a chunk's worth (docs/security.md)


class Scorer:
    """Scores files against one compiled model (the atlas keeps the model; see matcher.get_model)."""

    def __init__(self, model: Model | None = None):
        self.model = model or get_model(load_atlas())
        self._flags: dict[tuple, tuple[str, ...]] = {}  # red flags are a pure function of these inputs

    def flags(self, answers: dict, both_legs: bool, recorded: list[dict] | None) -> tuple[str, ...]:
        key = (rule_key(answers), both_legs, repr(recorded or []))  # ages in one band share an entry
        hit = self._flags.get(key)
        if hit is None:
            if len(self._flags) > 4096:
                self._flags.clear()
            hit = self._flags[key] = _flag_ids(answers, both_legs, recorded)
        return hit

    def __call__(self, path: str) -> BatchResult:
        """The top hypothesis and the red flags of one file (error set instead when it cannot be read)."""
        return self.many([path])[0]

    def many(self, paths: list[str]) -> list[BatchResult]:
        """The results of many files, in order: each file read on its own, then all of them ranked in one
        pass (matcher.posterior_many: row by row the same numbers as one file at a time, ADR 0033)."""
        model = self.model
        out: list[BatchResult | None] = [None] * len(paths)
        todo: list[int] = []
        drawings: list[features.Features] = []  # read, their inputs not yet taken (they hold the paint)
        held = 0  # bytes of paint they hold
        fs: list[Features] = []  # the matcher's inputs: a few numbers a map
        flags: list[tuple[str, ...]] = []
        for i, path in enumerate(paths):
            try:
                raw = read_bytes(path)  # refuses folders, FIFOs and oversized files by name
                f, ids = _drawing_from_bytes(raw, model, path, self.flags)
            except BodymapError as exc:
                out[i] = BatchResult(path, None, None, 0.0, (), str(exc))
                continue
            if not f.coverage.any():  # nothing painted: no line, as bodymap.match
                out[i] = BatchResult(path, None, None, 0.0, tuple(ids), None)
                continue
            todo.append(i)
            drawings.append(f)
            flags.append(tuple(ids))
            held += sum(sub.nbytes for _, _, sub in f.paint.views.values())
            if len(drawings) >= INPUTS_AT_ONCE or held >= HELD_PAINT_BYTES:  # memory stays that of a few maps
                fs += inputs_many(drawings)
                drawings, held = [], 0
        fs += inputs_many(drawings)
        try:
            tops = top_lines(model, fs, posterior_many(model, fs)) if fs else []
        except Exception:  # noqa: BLE001 - one map the chunk cannot rank: rank each alone, so only it fails
            tops = [self._rank_one(f) for f in fs]
        for i, ids, top in zip(todo, flags, tops):
            if isinstance(top, str):
                out[i] = BatchResult(paths[i], None, None, 0.0, ids, top)
            else:
                out[i] = BatchResult(paths[i], *top, ids, None)
        return out  # type: ignore[return-value]

    def _rank_one(self, f: Features) -> tuple[str, str, float] | str:
        try:
            return top_lines(self.model, [f], posterior(self.model, f)[None])[0]  # the first line (ADR 0019)
        except Exception as exc:  # noqa: BLE001 - a failing matcher never drops the file's red flags (issue 18)
            return f"ranking failed ({type(exc).__name__}: {exc})"


def one_blas_thread():
    """A context in which numpy's BLAS runs on one thread (ADR 0033).

    Scoring multiplies small matrices (a 101 x 135 table by one map's regions): a second BLAS thread
    only waits for the first, and in a pool of one process per core it takes a core from another
    process. Without threadpoolctl, nothing changes."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; only slower without it
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


_WORKER: list[Scorer] = []  # this process's scorer: set before the pool forks, or on first use


def _scorer() -> Scorer:
    if not _WORKER:
        _WORKER.append(Scorer())
    return _WORKER[0]


def _worker_init() -> None:
    """A pool process (ours for its life): BLAS on one thread, as in score_many's own process."""
    one_blas_thread().__enter__()


def score_file(path: str) -> BatchResult:
    """The top hypothesis and the red flags of one file, with this process's model."""
    return _scorer()(path)


def _score_chunk(paths: list[str]) -> list[BatchResult]:
    return _scorer().many(paths)


def score_many(paths: Iterable[str], workers: int | None = None, chunksize: int = 256) -> list[BatchResult]:
    """Score every file, in order, on `workers` processes (default: every core).

    The atlas and model are loaded once here; where the platform forks, the workers inherit them
    instead of loading their own.
    """
    paths = [str(p) for p in paths]
    workers = workers or os.cpu_count() or 1
    score = _scorer()
    chunks = [paths[i:i + chunksize] for i in range(0, len(paths), chunksize)]
    with one_blas_thread():
        if workers == 1 or len(paths) < 2 * chunksize:
            return [r for part in chunks for r in score.many(part)]
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as ex:
            return [r for part in ex.map(_score_chunk, chunks) for r in part]
