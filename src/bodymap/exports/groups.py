"""Group comparisons over a folder: `bodymap stats FOLDER --by COLUMN` and `bodymap heatmap FOLDER --by COLUMN`.

The group of a map is a column of the CSV export (`recorded_by`, `top_pattern`, `answer_age`,
`generalised_pain`, `confirmed`, ...), one of the derived columns `visit_year` and `age_band`
(decades: `40-49`), or a column of a side CSV keyed by file name (`--groups FILE.csv`, a
`file` column beside the group column). Maps without a value are counted and left out.

Per group: the number of maps, the share painting each region (a region counts from 2%
coverage, as in `bodymap stats`), the pain profile (the mean map: the mean coverage of each
region, and the share of maps painting each pixel, drawn on one colour scale for all groups),
and the extent. Per region: Fisher's exact test (two groups) or the chi-square test (more), with
Benjamini-Hochberg control of the false-discovery rate; every group's n is stated.

Streaming: per map only counters are added, so memory does not grow with the folder.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from ..atlas import VIEWS
from ..errors import UsageError
from ..stats_tests import bh_adjust, chi_square_2xk, fisher_exact
from .common import PAINTED_MIN, Decoder, MapRecord

DERIVED = ("visit_year", "age_band")
MAX_GROUPS = 12
NO_VALUE = None


class GroupKey:
    """Finds a map's group: a CSV export column, a derived column, or a side CSV keyed by file."""

    def __init__(self, column: str, decoder: Decoder, side_csv: str | None = None):
        from .csvexport import MapRow, columns

        self.column = column
        self._MapRow = MapRow
        self.decoder = decoder
        self.side: dict[str, str] | None = None
        self.col = None
        if side_csv:
            self.side = read_side_csv(side_csv, column)
        elif column not in DERIVED:
            cols = {c.name: c for c in columns(decoder, include_identifiers=False)}
            if column not in cols:
                known = ", ".join(list(DERIVED) + [c for c in cols if not c.startswith("cov_")][:40])
                raise UsageError(f"--by {column}: no such column; use a CSV export column ({known}, ...) "
                                 f"or give --groups FILE.csv with a 'file' column and a {column!r} column")
            self.col = cols[column]
            if self.col.kind == "float":  # one "group" per measured value, 0.320729, 0.637622, ... (ADR 0043)
                raise UsageError(f"--by {column}: holds a measurement (a share or a percentage), not groups; put "
                                 f"bands in a side CSV (--groups FILE.csv with 'file' and your band column), or "
                                 f"use age_band, visit_year or a yes/no or text column")

    def __call__(self, rec: MapRecord) -> str | None:
        if self.side is not None:
            v = self.side.get(rec.path.name)
            return v if v else None
        if self.column == "visit_year":
            d = rec.meta.get("visit_date")
            return d[:4] if d else None
        if self.column == "age_band":
            age = rec.answers.get("age")
            if not isinstance(age, int) or isinstance(age, bool):
                return None
            lo = age // 10 * 10
            return f"{lo}-{lo + 9}"
        v = self.col.value(self._MapRow(self.decoder, rec))
        if v is None or v == "":
            return None
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, float):
            return f"{v:g}"
        return str(v)


def read_side_csv(path: str, column: str) -> dict[str, str]:
    """file name -> group value from a side CSV with a `file` column and `column`."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"--groups {p}: no such file")
    if p.stat().st_size > 64 * 1024 * 1024:
        raise UsageError(f"--groups {p}: larger than 64 MB")
    from ..paths import read_regular
    from .sheet import decode_sheet

    try:  # without blocking on a FIFO; as a spreadsheet saves it (';', 'sep=', CR line ends, UTF-16: ADR 0043)
        text, delim = decode_sheet(read_regular(p, 64 * 1024 * 1024, "a --groups CSV"), f"--groups {p}")
    except (OSError, ValueError) as exc:
        raise UsageError(f"--groups {p}: cannot read ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        with io.StringIO(text, newline="") as fh:
            reader = csv.DictReader(fh, delimiter=delim)
            fields = reader.fieldnames or []
            if "file" not in fields or column not in fields:
                raise UsageError(f"--groups {p}: needs a 'file' column and a {column!r} column (has: "
                                 f"{', '.join(fields[:10]) or 'no header'})")
            out = {}
            for row in reader:
                name = Path((row.get("file") or "").strip()).name
                if name:
                    out[name] = (row.get(column) or "").strip()
    except csv.Error as exc:
        raise UsageError(f"--groups {p}: not a readable CSV ({exc})") from None
    return out


@dataclass
class Group:
    name: str
    n: int = 0
    painted: np.ndarray | None = None  # (R,) maps painting each region (coverage >= PAINTED_MIN)
    cov_sum: np.ndarray | None = None  # (R,) summed coverage: / n is the pain profile
    pixels: dict[str, np.ndarray] = field(default_factory=dict)  # view -> (rows*cols) maps painting each pixel
    extents: list[float] = field(default_factory=list)


@dataclass
class GroupRun:
    column: str
    groups: dict[str, Group]
    no_value: int  # maps with no value in the column: left out
    shape: tuple[int, int]
    body: dict[str, np.ndarray]

    def ordered(self) -> list[Group]:
        return [self.groups[k] for k in sorted(self.groups, key=_natural)]


def _natural(s: str):
    try:
        return (0, float(s.split("-")[0]), s)
    except ValueError:
        return (1, 0.0, s)


def accumulate_groups(records: Iterable[MapRecord], decoder: Decoder, key: GroupKey, *, pixels: bool = True,
                      threshold: float = PAINTED_MIN) -> GroupRun:
    R = len(decoder.atlas.regions)
    rows, cols = decoder.shape
    groups: dict[str, Group] = {}
    none = 0
    for rec in records:
        g = key(rec)
        if g is None:
            none += 1
            continue
        grp = groups.get(g)
        if grp is None:
            if len(groups) >= MAX_GROUPS:
                raise UsageError(f"--by {key.column}: more than {MAX_GROUPS} groups (e.g. {g!r}); "
                                 f"group the values first (a side CSV with --groups)")
            grp = groups[g] = Group(g, 0, np.zeros(R, np.int64), np.zeros(R))
            if pixels:
                grp.pixels = {v: np.zeros(rows * cols, np.uint32) for v in VIEWS}
        cov = decoder.coverage(rec)
        grp.n += 1
        grp.painted += cov >= threshold
        grp.cov_sum += cov
        grp.extents.append(decoder.extent(rec)["total"])
        if pixels:
            for v in VIEWS:
                grp.pixels[v][rec.nonzero[v]] += 1
    body = {v: decoder.raster.body[v] for v in VIEWS}
    return GroupRun(key.column, groups, none, (rows, cols), body)


def compare_regions(run: GroupRun, region_ids: list[str], fdr: float = 0.05) -> list[dict[str, Any]]:
    """Per region: each group's count and share, the test's p, the BH q, and whether q <= fdr.

    Regions painted in no map, or in every map, are not tested (nothing can differ)."""
    groups = run.ordered()
    ns = [g.n for g in groups]
    rows = []
    for i, rid in enumerate(region_ids):
        counts = [int(g.painted[i]) for g in groups]
        total = sum(counts)
        if total == 0 or total == sum(ns):
            continue
        if len(groups) == 2:
            a, c = counts
            p = fisher_exact(a, ns[0] - a, c, ns[1] - c)
            test = "fisher"
            small = False
        else:
            _, _, p = chi_square_2xk(counts, ns)
            test = "chi-square"
            N = sum(ns)
            small = min(min(n * total / N, n * (N - total) / N) for n in ns if n) < 5  # Cochran's rule
        rows.append({"region": rid, "counts": counts, "shares": [round(k / n, 6) if n else None
                                                                 for k, n in zip(counts, ns)],
                     "test": test, "p": p, "small_expected": small})
    qs = bh_adjust([r["p"] for r in rows])
    for r, q in zip(rows, qs):
        r["q"] = q
        r["differs"] = q <= fdr
    rows.sort(key=lambda r: (r["p"], r["region"]))
    return rows


def summarize_groups(run: GroupRun, decoder: Decoder, fdr: float = 0.05) -> dict[str, Any]:
    ids = decoder.atlas.region_ids
    out_groups = []
    for g in run.ordered():
        ext = np.asarray(g.extents)
        profile = g.cov_sum / max(g.n, 1)
        top = np.argsort(-g.painted, kind="stable")[:10]
        out_groups.append({
            "group": g.name, "n": g.n,
            "extent_percent": {"median": round(float(np.median(ext)), 4), "mean": round(float(ext.mean()), 4)}
            if len(ext) else {"median": None, "mean": None},
            "regions": [{"id": ids[i], "count": int(g.painted[i]), "share": round(g.painted[i] / g.n, 6),
                         "mean_coverage": round(float(profile[i]), 6)} for i in range(len(ids))],
            "most_painted": [ids[i] for i in top if g.painted[i] > 0],
        })
    groups = run.ordered()
    tests = compare_regions(run, ids, fdr) if len(groups) >= 2 else []
    return {"by": run.column, "groups": out_groups, "maps_without_value": run.no_value,
            "painted_if_coverage_at_least": PAINTED_MIN, "fdr": fdr,
            "test": ("Fisher's exact test, two-sided" if len(groups) == 2 else
                     "chi-square test of the 2 x k table" if len(groups) > 2 else None),
            "regions_tested": len(tests),
            "differences": [{"region": t["region"], "counts": t["counts"], "shares": t["shares"],
                             "p": _sig(t["p"]), "q": _sig(t["q"]), "differs": t["differs"],
                             "small_expected": t["small_expected"]} for t in tests]}


def _sig(x: float) -> float:
    return float(f"{x:.4g}")


def format_groups(summary: dict[str, Any], top: int = 15) -> str:
    g = summary["groups"]
    # "; " between groups: a group's name can hold a comma ("Dr B, PT")
    out = [f"groups by {summary['by']}: " + ("; ".join(f"{x['group']} (n={x['n']})" for x in g) or "none")]
    if summary["maps_without_value"]:
        n = summary["maps_without_value"]
        out.append(f"{n} map{'s have' if n != 1 else ' has'} no {summary['by']} and {'are' if n != 1 else 'is'} "
                   "left out")
    for x in g:
        e = x["extent_percent"]
        ext = f"extent median {e['median']:.1f}% of body" if e["median"] is not None else "no maps"
        most = ", ".join(x["most_painted"][:5]) or "nothing painted"
        out.append(f"  {x['group']}: n={x['n']}, {ext}; most painted: {most}")
    if len(g) < 2:
        out.append("one group only: nothing to compare")
        return "\n".join(out)
    out.append("")
    out.append(f"per-region test: {summary['test']}, Benjamini-Hochberg FDR {summary['fdr']:.0%}; "
               f"{summary['regions_tested']} regions tested")
    w = min(24, max([12] + [len(x["group"]) for x in g]))  # a group's name whole up to 24 characters
    names = [x["group"][:w] for x in g]
    out.append(f"{'region':<28} " + " ".join(f"{n:>{w}}" for n in names) + f" {'p':>9} {'q':>9}")
    diffs = summary["differences"]
    for d in diffs[:top]:
        shares = " ".join(f"{100 * s:{w - 1}.0f}%" if s is not None else f"{'-':>{w}}" for s in d["shares"])
        mark = "  *" if d["differs"] else ""
        out.append(f"{d['region']:<28} {shares} {d['p']:>9.3g} {d['q']:>9.3g}{mark}")
    if any(d.get("small_expected") for d in diffs):
        out.append("(some expected counts are under 5: those chi-square p-values are approximate; "
                   "merge groups for a firmer test)")
    n_diff = sum(d["differs"] for d in diffs)
    out.append(f"{n_diff} region{'s differ' if n_diff != 1 else ' differs'} at FDR {summary['fdr']:.0%} (marked *)"
               if diffs else "(no region painted in some maps and not others)")
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Co-occurrence over CHOIR segments when maps came from codes


def whole_regions_only(decoder: Decoder, rec: MapRecord) -> bool:
    """Whether every region with paint is painted whole: the mark of a map imported from codes."""
    cov = decoder.coverage(rec)
    got = cov[cov > 0]
    return len(got) > 0 and bool(np.all(got >= 0.999))


class SegmentPairs:
    """Passes records through while counting CHOIR-segment co-occurrence and whether every map was imported."""

    def __init__(self, records: Iterable[MapRecord], decoder: Decoder, threshold: float = PAINTED_MIN):
        from .choir import choir_table

        self.records = records
        self.decoder = decoder
        self.threshold = threshold
        t = choir_table()
        ids = decoder.atlas.region_ids
        self.codes = sorted(t.codes)
        pos = {c: k for k, c in enumerate(self.codes)}
        self.region_codes = [[pos[c] for c in t.export.get(rid, ())] for rid in ids]
        self.labels = {c: t.codes[c].label for c in self.codes}
        self.cooc = np.zeros((len(self.codes), len(self.codes)), np.int64)
        self.n = 0
        self.whole_only = True
        self.n_painted = 0

    @property
    def all_imported(self) -> bool:
        """Every map with paint paints whole regions only, and at least one has paint (a folder of empty maps
        is not a folder of imported ones)."""
        return self.whole_only and self.n_painted > 0

    def __iter__(self) -> Iterator[MapRecord]:
        for rec in self.records:
            self.n += 1
            cov = self.decoder.coverage(rec)
            if cov.any():
                self.n_painted += 1
                if not whole_regions_only(self.decoder, rec):
                    self.whole_only = False
            seg = sorted({k for i in np.flatnonzero(cov >= self.threshold) for k in self.region_codes[i]})
            if seg:
                self.cooc[np.ix_(seg, seg)] += 1
            yield rec

    def pairs(self, top: int) -> list[dict[str, Any]]:
        n = self.n
        counts = np.diag(self.cooc)
        iu, ju = np.triu_indices(len(self.codes), k=1)
        both = self.cooc[iu, ju]
        out = []
        for k in np.flatnonzero(both > 0).tolist():
            a, b = int(iu[k]), int(ju[k])
            n11, na, nb = int(both[k]), int(counts[a]), int(counts[b])
            union = na + nb - n11
            den = na * (n - na) * nb * (n - nb)
            phi = (n11 * (n - na - nb + n11) - (na - n11) * (nb - n11)) / den ** 0.5 if den > 0 else None
            out.append({"a": str(self.codes[a]), "b": str(self.codes[b]), "a_label": self.labels[self.codes[a]],
                        "b_label": self.labels[self.codes[b]], "count": n11,
                        "jaccard": round(n11 / union, 6) if union else None,
                        "phi": round(phi, 6) if phi is not None else None})
        out.sort(key=lambda p: (-p["count"], -(p["jaccard"] or 0), p["a"], p["b"]))
        return out[:top]
