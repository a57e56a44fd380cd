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
    mu = np.asarray(mu, dtype=float)
    ok = np.isfinite(mu)
    out = np.zeros_like(mu)
    if not ok.any():
        return out
    g = np.arange(len(mu)) if groups is None else np.asarray(groups)
    sd = np.asarray(sd, dtype=float)
    draws = _draws(int(g.max()) + 1)
    m, s, gk = mu[ok], sd[ok], g[ok]
    z = draws[:, gk]
    z *= s
    z += m
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    z /= z.sum(axis=1, keepdims=True)
    out[ok] = z.mean(axis=0)
    return out / out.sum()
