"""Research tools over many maps: frequency (heat) maps and region statistics.

Both stream the folder (bodymap.exports.common.FolderRun): per map they add its
painted pixels into numpy accumulators in the atlas grid and keep nothing else,
so memory does not grow with the number of maps.

- Frequency map: for every pixel, the share of the kept maps that paint it (any
  sensation, or only the sensations chosen with --where sensation=...).
- Region statistics: share of maps painting each region (a region counts as
  painted from 2% coverage, the matcher's own threshold), co-occurring region
  pairs with their count, Jaccard index and phi coefficient, and the extent
  distribution (median and interquartile range, numpy's linear interpolation).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

import numpy as np

from ..atlas import VIEWS
from ..errors import UsageError
from ..painting import SENSATIONS
from .common import PAINTED_MIN, Decoder, MapRecord

# The colour scale lives in the core (bodymap.heatscale) so that the picture renderer
# can use it without importing the exports; it is re-exported here for callers.
from ..heatscale import VIRIDIS_ANCHORS, colour_scale, heatmap_rgb  # noqa: E402,F401


# ---------------------------------------------------------------------------
# Filters


@dataclass
class Where:
    patterns: set[str] = field(default_factory=set)  # keep maps whose top hypothesis is one of these
    sides: set[str] = field(default_factory=set)  # ... and whose top hypothesis has one of these sides
    sensations: list[str] = field(default_factory=list)  # count only these layers (default: any)

    @property
    def needs_ranking(self) -> bool:
        return bool(self.patterns or self.sides)

    def describe(self) -> list[str]:
        out = []
        if self.patterns:
            out.append("top pattern " + " or ".join(sorted(self.patterns)))
        if self.sides:
            out.append("side " + " or ".join(sorted(self.sides)))
        if self.sensations:
            out.append("sensation " + " or ".join(s.replace("_", " ") for s in self.sensations))
        return out


def parse_where(items: Iterable[str], pattern_ids: Iterable[str]) -> Where:
    """--where KEY=VALUE items (pattern=, side=, sensation=); the same key twice means OR."""
    known = set(pattern_ids) | {"none"}
    w = Where()
    for item in items or ():
        if "=" not in item:
            raise UsageError(f"--where {item!r}: use KEY=VALUE, e.g. pattern=root_L5 or sensation=burning")
        key, value = (x.strip() for x in item.split("=", 1))
        if key == "pattern":
            if value not in known:
                raise UsageError(f"--where pattern={value}: unknown pattern; known: {', '.join(sorted(known))}")
            w.patterns.add(value)
        elif key == "side":
            if value not in ("left", "right", "bilateral"):
                raise UsageError(f"--where side={value}: use left, right or bilateral")
            w.sides.add(value)
        elif key == "sensation":
            if value not in SENSATIONS:
                raise UsageError(f"--where sensation={value}: unknown sensation; use one of {', '.join(SENSATIONS)}")
            if value not in w.sensations:
                w.sensations.append(value)
        else:
            raise UsageError(f"--where {key}=...: unknown key; use pattern, side or sensation")
    return w


def keeps(decoder: Decoder, rec: MapRecord, where: Where) -> bool:
    if not where.needs_ranking:
        return True
    top = decoder.rank(rec, top_n=1).top
    if top is None:
        return False
    return (not where.patterns or top.id in where.patterns) and (not where.sides or top.side in where.sides)


# ---------------------------------------------------------------------------
# Frequency map


@dataclass
class Heatmap:
    counts: dict[str, np.ndarray]  # view -> (rows, cols) number of kept maps painting each pixel
    n_maps: int  # kept maps (the denominator)
    n_read: int  # maps read before filtering
    where: Where
    body: dict[str, np.ndarray]

    def share(self, view: str) -> np.ndarray:
        """(rows, cols) share of kept maps painting each pixel, 0..1 (0 where no maps were kept)."""
        return self.counts[view] / max(self.n_maps, 1)

    @property
    def max_share(self) -> float:
        if self.n_maps == 0:
            return 0.0
        return max(float(self.counts[v].max()) for v in VIEWS) / self.n_maps


def accumulate_heatmap(records: Iterable[MapRecord], decoder: Decoder, where: Where) -> Heatmap:
    rows, cols = decoder.shape
    acc = {v: np.zeros(rows * cols, dtype=np.uint32) for v in VIEWS}
    mask = 0
    for s in where.sensations:
        mask |= 1 << SENSATIONS.index(s)
    n_read = kept = 0
    for rec in records:
        n_read += 1
        if not keeps(decoder, rec, where):
            continue
        kept += 1
        for v in VIEWS:
            nz = rec.nonzero[v]
            if mask:
                nz = nz[(rec.bits[v][nz] & mask) != 0]
            acc[v][nz] += 1  # nz holds each pixel once, so fancy-index += is exact
    counts = {v: acc[v].reshape(rows, cols) for v in VIEWS}
    body = {v: decoder.raster.body[v] for v in VIEWS}
    return Heatmap(counts, kept, n_read, where, body)


# ---------------------------------------------------------------------------
# Region statistics


@dataclass
class RegionStats:
    n_maps: int
    region_ids: list[str]
    counts: np.ndarray  # (R,) maps painting each region
    cooc: np.ndarray  # (R, R) maps painting both
    extents: list[float]


def accumulate_stats(records: Iterable[MapRecord], decoder: Decoder, threshold: float = PAINTED_MIN) -> RegionStats:
    R = len(decoder.atlas.regions)
    cooc = np.zeros((R, R), dtype=np.int64)
    extents: list[float] = []
    n = 0
    for rec in records:
        n += 1
        cov = decoder.coverage(rec)
        idx = np.flatnonzero(cov >= threshold)
        if len(idx):
            cooc[np.ix_(idx, idx)] += 1
        extents.append(decoder.extent(rec)["total"])
    return RegionStats(n, decoder.atlas.region_ids, np.diag(cooc).copy(), cooc, extents)


def summarize_stats(st: RegionStats, decoder: Decoder, top_pairs: int = 20,
                    threshold: float = PAINTED_MIN) -> dict[str, Any]:
    n = st.n_maps
    regions = []
    for i, r in enumerate(decoder.atlas.regions):
        regions.append({"id": r.id, "name": r.name, "view": r.view, "count": int(st.counts[i]),
                        "share": round(st.counts[i] / n, 6) if n else 0.0})
    pairs = []
    iu, ju = np.triu_indices(len(st.region_ids), k=1)
    both = st.cooc[iu, ju]
    sel = np.flatnonzero(both > 0)
    for k in sel.tolist():
        a, b = int(iu[k]), int(ju[k])
        n11 = int(both[k])
        n1_, n_1 = int(st.counts[a]), int(st.counts[b])
        n10, n01 = n1_ - n11, n_1 - n11
        n00 = n - n11 - n10 - n01
        union = n11 + n10 + n01
        den = n1_ * (n - n1_) * n_1 * (n - n_1)
        phi = (n11 * n00 - n10 * n01) / math.sqrt(den) if den > 0 else None
        pairs.append({"a": st.region_ids[a], "b": st.region_ids[b], "count": n11,
                      "jaccard": round(n11 / union, 6) if union else None,
                      "phi": round(phi, 6) if phi is not None else None})
    pairs.sort(key=lambda p: (-p["count"], -(p["jaccard"] or 0), p["a"], p["b"]))
    ext = np.asarray(st.extents, dtype=float)
    if len(ext):
        q1, med, q3 = (float(x) for x in np.percentile(ext, [25, 50, 75]))
        extent = {"median": round(med, 4), "q1": round(q1, 4), "q3": round(q3, 4), "iqr": round(q3 - q1, 4),
                  "min": round(float(ext.min()), 4), "max": round(float(ext.max()), 4),
                  "mean": round(float(ext.mean()), 4)}
    else:
        extent = {k: None for k in ("median", "q1", "q3", "iqr", "min", "max", "mean")}
    return {"maps": n, "painted_if_coverage_at_least": threshold, "regions": regions,
            "pairs": pairs[:top_pairs], "extent_percent": extent}


def format_stats(summary: dict[str, Any], top_regions: int = 15) -> str:
    out = [f"{summary['maps']} maps; a region counts as painted from "
           f"{100 * summary['painted_if_coverage_at_least']:.0f}% coverage"]
    e = summary["extent_percent"]
    if e["median"] is not None:
        out.append(f"extent: median {e['median']:.1f}% of body (IQR {e['q1']:.1f}-{e['q3']:.1f}%, "
                   f"range {e['min']:.1f}-{e['max']:.1f}%)")
    regs = sorted((r for r in summary["regions"] if r["count"]), key=lambda r: (-r["count"], r["id"]))
    out.append("")
    out.append(f"{'region':<30} {'maps':>6} {'share':>7}")
    for r in regs[:top_regions]:
        out.append(f"{r['id']:<30} {r['count']:>6} {100 * r['share']:6.1f}%")
    if len(regs) > top_regions:
        out.append(f"... {len(regs) - top_regions} more regions painted (use --json for all)")
    if not regs:
        out.append("(no region painted in any map)")
    out.append("")
    if summary.get("pairs_over") == "choir_segments":  # issue 25: every map came from codes
        # what is known is that every map paints whole regions only (maps from `bodymap new` do too), not
        # that each was imported
        out.append("every map paints whole regions only, as maps imported from region codes do: pairs are CHOIR "
                   "segments, not bodymap regions")
    out.append(f"{'pair':<56} {'both':>6} {'Jaccard':>8} {'phi':>7}")
    for p in summary["pairs"]:
        phi = f"{p['phi']:7.2f}" if p["phi"] is not None else "      -"
        jac = f"{p['jaccard']:8.2f}" if p["jaccard"] is not None else "       -"
        out.append(f"{p['a'] + ' + ' + p['b']:<56} {p['count']:>6} {jac} {phi}")
    if not summary["pairs"]:
        out.append("(no two regions painted together)")
    return "\n".join(out)
