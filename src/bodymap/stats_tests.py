"""Small exact statistics without scipy: Fisher's exact test, the chi-square test of a 2 x k table,
and Benjamini-Hochberg false-discovery-rate control.

Fisher's exact test sums hypergeometric probabilities (log-space via math.lgamma) of every table
with the same margins that is no more probable than the one observed (the usual two-sided rule,
as R's fisher.test and scipy.stats.fisher_exact with a relative tolerance of 1e-7). The chi-square
p-value uses the regularised upper incomplete gamma function (series and continued fraction).

    >>> round(fisher_exact(3, 1, 1, 3), 4)    # Fisher's tea-tasting table
    0.4857
    >>> [round(q, 4) for q in bh_adjust([0.01, 0.04, 0.03, 0.2])]
    [0.04, 0.0533, 0.0533, 0.2]
"""
from __future__ import annotations

import math
from typing import Sequence


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p of Fisher's exact test for the 2 x 2 table [[a, b], [c, d]]."""
    if min(a, b, c, d) < 0:
        raise ValueError("table cells must be counts")
    r1, c1, n = a + b, a + c, a + b + c + d
    lo, hi = max(0, c1 - (n - r1)), min(r1, c1)
    if lo == hi:
        return 1.0
    denom = _log_choose(n, c1)

    def logp(x: int) -> float:
        return _log_choose(r1, x) + _log_choose(n - r1, c1 - x) - denom

    obs = logp(a)
    tol = obs + math.log1p(1e-7)
    p = sum(math.exp(logp(x)) for x in range(lo, hi + 1) if logp(x) <= tol)
    return min(1.0, p)


def chi_square_2xk(painted: Sequence[int], totals: Sequence[int]) -> tuple[float, int, float]:
    """(statistic, degrees of freedom, p) of Pearson's chi-square test of a 2 x k table:
    `painted[i]` of `totals[i]` maps in group i. Groups of size 0 are left out."""
    pairs = [(int(p), int(t)) for p, t in zip(painted, totals) if t > 0]
    n = sum(t for _, t in pairs)
    yes = sum(p for p, _ in pairs)
    k = len(pairs)
    if k < 2 or yes == 0 or yes == n:
        return 0.0, max(k - 1, 0), 1.0
    stat = 0.0
    for p, t in pairs:
        for obs, share in ((p, yes / n), (t - p, (n - yes) / n)):
            exp = t * share
            stat += (obs - exp) ** 2 / exp
    df = k - 1
    return stat, df, chi2_sf(stat, df)


def chi2_sf(x: float, df: int) -> float:
    """P(X >= x) for a chi-square variable with `df` degrees of freedom."""
    if x <= 0:
        return 1.0
    return _gamma_q(df / 2.0, x / 2.0)


def _gamma_q(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x)."""
    if x < a + 1:  # series for P, then Q = 1 - P
        term = total = 1.0 / a
        ap = a
        for _ in range(10000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(-x + a * math.log(x) - math.lgamma(a)))
    # continued fraction (modified Lentz)
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 10000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(-x + a * math.log(x) - math.lgamma(a)) * h)


def bh_adjust(pvalues: Sequence[float]) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        out[i] = min(1.0, running)
    return out
