"""Doubt about the tables themselves: every number in regions/patterns.yaml has a range.

A number read in a primary source (R) is known better than one read in a summary (S), and both
better than a team estimate (M). Each number p gets a range on the logit scale,

    logit(theta) ~ Normal(logit(p), s**2)      s = LOGIT_SD[label]

unless its entry gives an explicit 90% range `range: [lo, hi]` (then s is read from it). The
matcher does not use the point table alone: it averages the posterior over tables drawn from
these ranges (docs/adr/0019-probs-table-uncertainty.md). This module supplies the closed-form
pieces:

- `log_moments(p, s)`: mean and variance of log(theta) and log(1 - theta), and their slopes in
  the logit, by Gauss-Hermite quadrature (exact to ~1e-10 for these smooth functions);
- `averaged_softmax(mu, sd, draws)`: the posterior averaged over tables, given each
  hypothesis's log-score mean and standard deviation, using fixed normal draws (common random
  numbers, so the same map always gives the same numbers).

Numbers of one pattern were estimated by the same people from the same sources, so their errors
go together: a share SHARED_RHO of every number's logit error is common to the whole pattern.

Headless: numpy only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# logit-scale standard deviation per reliability label (ADR 0019). R ~ a study of ~50 patients
# (standard error of a 50% share ~0.07, i.e. ~0.28 on the logit); S adds the risk of a misread
# summary; M is an estimate: p = 0.5 has the 90% range 0.16-0.84 and p = 0.10 the range 0.02-0.36.
LOGIT_SD = {"R": 0.3, "S": 0.6, "M": 1.0}
Z90 = 1.6449
SHARED_RHO = 0.5  # share of the logit error common to all the numbers of one pattern (M)
DRAWS = 256  # tables averaged per map
_GH_X, _GH_W = np.polynomial.hermite_e.hermegauss(32)  # probabilists' Hermite: weight exp(-x^2/2)
_GH_W = _GH_W / _GH_W.sum()


def logit(p):
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


def sd_for(label: str, rng: tuple[float, float] | None = None) -> float:
    """The logit-scale sd of a number: from its explicit 90% range if given, else from its label."""
    if rng is not None:
        lo, hi = float(rng[0]), float(rng[1])
        return float((logit(hi) - logit(lo)) / (2 * Z90))
    return LOGIT_SD.get(label, LOGIT_SD["M"])


def range_of(p: float, label: str, rng: tuple[float, float] | None = None) -> tuple[float, float]:
    """The 90% range of a number (explicit, or derived from its label)."""
    if rng is not None:
        return float(rng[0]), float(rng[1])
    s = sd_for(label)
    m = float(logit(p))
    return float(1 / (1 + math.exp(-(m - Z90 * s)))), float(1 / (1 + math.exp(-(m + Z90 * s))))


def log_moments(p: np.ndarray, s: np.ndarray):
    """For theta with logit(theta) ~ N(logit p, s^2), elementwise:
    (E log theta, Var log theta, E log(1-theta), Var log(1-theta), slope_p, slope_q), where the
    slopes are d log(theta)/du = 1 - theta and d log(1-theta)/du = -theta at the median (for the
    shared, pattern-wide part of the error)."""
    p = np.asarray(p, dtype=float)
    s = np.asarray(s, dtype=float)
    m = logit(p)
    u = m[..., None] + s[..., None] * _GH_X  # (..., nodes)
    lp = -np.logaddexp(0.0, -u)  # log sigmoid(u)
    lq = -np.logaddexp(0.0, u)  # log sigmoid(-u)
    e_lp = (lp * _GH_W).sum(-1)
    e_lq = (lq * _GH_W).sum(-1)
    v_lp = np.maximum(((lp - e_lp[..., None]) ** 2 * _GH_W).sum(-1), 0.0)
    v_lq = np.maximum(((lq - e_lq[..., None]) ** 2 * _GH_W).sum(-1), 0.0)
    return e_lp, v_lp, e_lq, v_lq, (1 - p) * s, -p * s


@dataclass
class Doubt:
    """The matcher's log tables as moments over their ranges (compiled once per model, matcher.compile_model)."""

    e_lp: np.ndarray  # (H, R) E log theta
    e_lq: np.ndarray  # (H, R) E log(1 - theta)
    v_lp: np.ndarray
    v_lq: np.ndarray
    g_p: np.ndarray  # (H, R) slope of log theta per unit of the pattern-wide logit error
    g_q: np.ndarray
    sens: tuple  # (E lp, V lp, E lq, V lq) each (H, 5)
    ans: tuple  # each (H, A)
    age: tuple  # each (H,)
    none_e_lp: np.ndarray | None = None  # (C, R) E log theta of the none components
    none_e_lq: np.ndarray | None = None


def compile_doubt(P, sd, sens, sens_sd, ans, ans_sd, age, age_sd) -> Doubt:
    """The moments of every log table of the model over its numbers' ranges (region, sensation, answer, age)."""
    e_lp, v_lp, e_lq, v_lq, g_p, g_q = log_moments(P, sd)
    s = log_moments(sens, sens_sd)[:4]
    a = log_moments(ans, ans_sd)[:4]
    g = log_moments(age, age_sd)[:4]
    return Doubt(e_lp, e_lq, v_lp, v_lq, g_p, g_q, s, a, g)



_DRAW_CACHE: dict[int, np.ndarray] = {}


def _draws(n: int) -> np.ndarray:
    """(DRAWS, n) fixed standard normal draws, antithetic (every draw and its mirror image)."""
    if n not in _DRAW_CACHE:
        half = np.random.default_rng(20190).standard_normal((DRAWS // 2, n))
        _DRAW_CACHE[n] = np.vstack([half, -half])
    return _DRAW_CACHE[n]


def averaged_softmax(mu: np.ndarray, sd: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """E[softmax(z)] for z_h ~ N(mu_h, sd_h^2), by fixed draws (deterministic). Hypotheses in one
    `group` (the sides of one pattern: the same table) share their draw; groups are independent.
    Entries with mu = -inf get probability 0."""
    return averaged_softmax_many(np.asarray(mu, dtype=float)[None], np.asarray(sd, dtype=float)[None], groups)[0]


def _draws_by_group(draws: np.ndarray) -> np.ndarray:
    """(n, DRAWS): the draws of each group in one contiguous row (kept with the draws)."""
    n = draws.shape[1]
    key = -n
    if key not in _DRAW_CACHE:
        _DRAW_CACHE[key] = np.ascontiguousarray(draws.T)
    return _DRAW_CACHE[key]


def _draws_by_group32(draws: np.ndarray) -> np.ndarray:
    """`_draws_by_group` in float32 (kept with the draws)."""
    key = -draws.shape[1] - (1 << 20)
    if key not in _DRAW_CACHE:
        _DRAW_CACHE[key] = _draws_by_group(draws).astype(np.float32)
    return _DRAW_CACHE[key]


BUNDLE = 8  # maps averaged in one pass: (8, hypotheses, DRAWS) floats stay within the cache
# The draws of the average run in float32 (ADR 0041): numpy has a vector float32 `exp` on every
# x86-64 it supports and a float64 one only with AVX-512, so float32 is about 4 times faster on a
# 2-core AVX2 machine, and every other step moves half the bytes. Each map's log-scores are first
# shifted by their largest (in float64), so the float32 values stay small; the probabilities move
# by at most about 1e-5 of themselves (ADR 0041 measures it), where the 256 draws of the average
# are a Monte Carlo estimate whose own spread is about 1e-2.
# Before the exponential, each value (at most 0: the draw's largest is subtracted) is raised to
# EXP_FLOOR, where float32 is still a normal number: below it float32's `exp` takes a slow path for
# subnormal results, and the term, at most 1.7e-38 of the draw's largest, adds nothing a float32
# sum can hold.
EXP_FLOOR = np.float32(-87.0)


def averaged_softmax_many(mu: np.ndarray, sd: np.ndarray, groups: np.ndarray | None = None) -> np.ndarray:
    """`averaged_softmax` of each row of (N, H) `mu` and `sd`, many maps in one pass (ADR 0033).

    Row by row the numbers are the same, bit for bit, as one map at a time: rows are bundled by
    which entries are finite, so every sum adds the same terms in the same order (a sum over a
    longer row, padded with zeros, would round differently), and the rows of one bundle share one
    gather of their draws (ADR 0041)."""
    mu = np.asarray(mu, dtype=float)
    sd = np.asarray(sd, dtype=float)
    ok = np.isfinite(mu)
    out = np.zeros_like(mu)
    g = np.arange(mu.shape[1]) if groups is None else np.asarray(groups)
    by_group = _draws_by_group32(_draws(int(g.max()) + 1))
    with np.errstate(invalid="ignore"):  # a row of no finite entry is never read
        shifted = (mu - np.max(np.where(ok, mu, -np.inf), axis=1, keepdims=True)).astype(np.float32)
    sd32 = sd.astype(np.float32)
    rows_of: dict[bytes, list[int]] = {}  # rows by which entries are finite (np.unique(axis=0) sorted slowly)
    for i, key in enumerate(np.packbits(ok, axis=1)):
        rows_of.setdefault(key.tobytes(), []).append(i)
    for same in rows_of.values():
        same = np.array(same)
        cols = np.flatnonzero(ok[same[0]])
        if not cols.size:
            continue
        half = by_group[g[cols], :DRAWS // 2][None]  # (1, k, DRAWS / 2): the draws; the rest are their mirror images
        for start in range(0, len(same), BUNDLE):
            rows = same[start:start + BUNDLE, None]
            # (maps, k, DRAWS): each map's draws laid out as the one-map path lays them (a row of
            # draws per hypothesis), so a sum over hypotheses runs in order and a mean over draws pairwise.
            # mu - sd * d is the same number as mu + sd * (-d): the product is taken once for both.
            m = shifted[rows, cols][:, :, None]
            p = sd32[rows, cols][:, :, None] * half
            e = np.empty(p.shape[:2] + (DRAWS,), dtype=np.float32)
            np.add(m, p, out=e[:, :, :DRAWS // 2])
            np.subtract(m, p, out=e[:, :, DRAWS // 2:])
            e -= e.max(axis=1, keepdims=True)
            np.maximum(e, EXP_FLOOR, out=e)
            np.exp(e, out=e)
            e /= e.sum(axis=1, keepdims=True)
            out[rows, cols] = e.mean(axis=2)
    tot = out.sum(axis=1, keepdims=True)
    return np.divide(out, tot, out=out, where=ok.any(axis=1)[:, None])
