"""Local validation: how the matcher does on the clinic's own confirmed cases (`bodymap lab validate FOLDER`).

No public, diagnosis-labelled pain-drawing dataset exists, so a clinic's confirmed cases
(`confirmed` on a visit: bodymap.confirmed) are the only real validation bodymap can get.
For every map whose confirmed diagnosis is a pattern id, the matcher ranks the map as
`bodymap match` does and this module counts:

- top-1 and top-3 accuracy (a pattern is right whatever its side; distinct patterns in rank order);
- for each band (strong / moderate / weak), its accuracy beside its mean confidence;
- a reliability diagram (ten confidence bins of the top-1 probability) and its expected
  calibration error;
- a confusion table (confirmed pattern x top-1 pattern);
- the published human baselines beside them (docs/validation.md).

Maps confirmed with free text (no pattern names it) are counted and named, not scored.

A local prior (opt-in, `--fit-prior FILE`): the clinic's own pattern prevalences among its
confirmed cases (add-one smoothed), stored with its provenance (cases, when, by whom, which
folder). `--prior FILE` scores the same cases with the matcher's posterior re-weighted by
local / library prevalence, beside the result without it, so the two can be compared. The live
matcher (painting window, `bodymap match`, batch) uses it only when BODYMAP_LOCAL_PRIOR or
`bodymap match --local-prior FILE` names the file (bodymap.matcher.get_model).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from ..errors import BodymapError, UsageError

MIN_CASES_FOR_PRIOR = 30
BANDS = ("strong", "moderate", "weak")
PRIOR_SCHEMA = "bodymap.local-prior/1"

#: published human baselines (docs/validation.md, "Published human baselines": sources and labels there)
HUMAN_BASELINES = (
    ("8 experts classifying pain drawings into 5 classes", "51% on average (44-60%)", "Mann, Brown & Enger 1992 (R)"),
    ("discriminant analysis / neural net on drawings", "46.2% / 49%", "Mann 1991; Sanders 2000 (R)"),
    ("clinicians telling L5 from S1 by drawing", "no better than chance", "Albert et al. 2019 (R)"),
    ("facet / SIJ templates confirmed by blocks", "49% / 46%", "Jung et al. 2007 (R)"),
)


@dataclass
class Case:
    path: str
    truth: str  # confirmed pattern id
    ranked: list[str]  # distinct pattern ids, most probable first
    confidence: float  # the top-1 hypothesis's probability
    band: str


@dataclass
class Measure:
    """The shape bodymap's reliability plot reads: bins, ece, top1, n."""

    bins: list[tuple[float, float, float, int]]  # (low edge, mean confidence, accuracy, count)
    ece: float
    top1: float
    n: int


@dataclass
class LocalReport:
    cases: list[Case] = field(default_factory=list)
    free_text: list[tuple[str, str]] = field(default_factory=list)  # (file, diagnosis) not a pattern id
    unscored: list[tuple[str, str]] = field(default_factory=list)  # (file, why): nothing to rank
    not_confirmed: int = 0
    bad: list[tuple[str, str]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.cases)

    def top_k(self, k: int) -> float | None:
        return sum(c.truth in c.ranked[:k] for c in self.cases) / self.n if self.n else None

    def bands(self) -> dict[str, dict[str, Any]]:
        out = {}
        for b in BANDS:
            cs = [c for c in self.cases if c.band == b]
            out[b] = {"n": len(cs),
                      "accuracy": sum(c.ranked[:1] == [c.truth] for c in cs) / len(cs) if cs else None,
                      "mean_confidence": sum(c.confidence for c in cs) / len(cs) if cs else None}
        return out

    def measure(self) -> Measure:
        bins = []
        ece = 0.0
        for k in range(10):
            lo = k / 10
            cs = [c for c in self.cases if lo <= c.confidence < lo + 0.1 or (k == 9 and c.confidence >= 1.0)]
            if not cs:
                continue
            conf = sum(c.confidence for c in cs) / len(cs)
            acc = sum(c.ranked[:1] == [c.truth] for c in cs) / len(cs)
            bins.append((lo, conf, acc, len(cs)))
            ece += len(cs) / self.n * abs(acc - conf)
        return Measure(bins, ece, self.top_k(1) or 0.0, self.n)

    def confusion(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for c in self.cases:
            row = out.setdefault(c.truth, {})
            top = c.ranked[0] if c.ranked else "(nothing)"
            row[top] = row.get(top, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        m = self.measure()
        return {"cases": self.n, "top1": self.top_k(1), "top3": self.top_k(3), "bands": self.bands(),
                "ece": round(m.ece, 6) if self.n else None,
                "reliability_bins": [{"low": lo, "mean_confidence": round(c, 6), "accuracy": round(a, 6), "n": n}
                                     for lo, c, a, n in m.bins],
                "confusion": self.confusion(), "free_text": [{"file": f, "diagnosis": d} for f, d in self.free_text],
                "unscored": [{"file": f, "why": w} for f, w in self.unscored], "not_confirmed": self.not_confirmed,
                "bad_files": [{"file": f, "why": w} for f, w in self.bad],
                "human_baselines": [{"comparison": a, "figure": b, "source": s} for a, b, s in HUMAN_BASELINES]}


def _distinct_patterns(hyps: Iterable) -> list[str]:
    seen: list[str] = []
    for h in hyps:
        if h.id not in seen:
            seen.append(h.id)
    return seen


def validate_folder(paths: Iterable[Path], prior: dict[str, float] | None = None, progress=None) -> LocalReport:
    """Score the matcher on every confirmed map of `paths` (optionally re-weighted by a local prior)."""
    from ..confirmed import confirmed_pattern
    from ..fileformat import load
    from ..matcher import get_model, match

    rep = LocalReport()
    model = None
    for p in paths:
        if progress:
            progress()
        try:
            m = load(p)
        except BodymapError as exc:
            rep.bad.append((str(p), str(exc)))
            continue
        conf = getattr(m, "confirmed", None)
        if not conf:
            rep.not_confirmed += 1
            continue
        model = model or get_model(m.atlas, local_prior=False)  # the library alone; --prior is the comparison
        ids = [pat.id for pat in model.lib.patterns] + ["none"]
        truth = confirmed_pattern(conf, ids)
        if truth is None:
            rep.free_text.append((p.name, conf["diagnosis"]))
            continue
        r = match(m, top_n=len(model.hyps), local_prior=False)
        if not r.hypotheses:
            rep.unscored.append((p.name, "nothing scoreable painted"))
            continue
        if prior:
            hyps = _reweighted(r.all_probabilities, model, prior)
            ranked = _distinct_patterns(_H(pid, pr) for (pid, _), pr in hyps)
            confidence = hyps[0][1]
        else:
            ranked = _distinct_patterns(r.hypotheses)
            confidence = r.hypotheses[0].probability
        rep.cases.append(Case(p.name, truth, ranked, float(confidence), _band(confidence)))
    return rep


@dataclass
class _H:
    id: str
    probability: float


def _band(p: float) -> str:
    from ..matcher import Hypothesis

    return Hypothesis("x", "left", float(min(max(p, 0.0), 1.0)), "", "", ()).band


def _reweighted(allp: dict[tuple[str, str], float], model, prior: dict[str, float]) -> list:
    """Posterior x (local prevalence / library prior), renormalised, most probable first."""
    lib = {pat.id: pat.prior for pat in model.lib.patterns}
    lib["none"] = model.lib.none_prior
    total_lib = sum(lib.values())
    w = {}
    for (pid, side), pr in allp.items():
        base = lib.get(pid, 0.0) / total_lib if total_lib else 0.0
        local = prior.get(pid)
        w[(pid, side)] = pr * (local / base) if local is not None and base > 0 else pr
    z = sum(w.values()) or 1.0
    return sorted(((k, v / z) for k, v in w.items()), key=lambda kv: (-kv[1], kv[0]))


def fit_prior(rep: LocalReport, pattern_ids: list[str], by: str, folder: str,
              now: datetime | None = None) -> dict[str, Any]:
    """The clinic's pattern prevalences among its confirmed cases (add-one smoothed), with provenance."""
    if rep.n < MIN_CASES_FOR_PRIOR:
        raise UsageError(f"a local prior needs at least {MIN_CASES_FOR_PRIOR} confirmed cases with a pattern id; "
                         f"this folder has {rep.n}")
    if not by.strip():
        raise UsageError("--fitted-by: say who fitted the prior (a name)")
    counts = {pid: 0 for pid in pattern_ids}
    for c in rep.cases:
        counts[c.truth] = counts.get(c.truth, 0) + 1
    total = sum(counts.values()) + len(counts)
    stamp = (now or datetime.now(timezone.utc)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return {"schema": PRIOR_SCHEMA, "cases": rep.n, "fitted": stamp, "fitted_by": by.strip(),
            "folder": folder, "smoothing": "add-one (Laplace)",
            "counts": counts, "prevalence": {k: round((v + 1) / total, 6) for k, v in counts.items()},
            "note": "opt-in: used by `bodymap lab validate --prior`, and by the live matcher only when "
                    "BODYMAP_LOCAL_PRIOR or `bodymap match --local-prior` names this file"}


def read_prior(path: str) -> dict[str, float]:
    from ..paths import read_regular

    p = Path(path)
    try:  # without blocking on a FIFO (it hung), at most 1 MB like the matcher's reader (localprior)
        doc = json.loads(read_regular(p, 1 << 20, "a local prior").decode("utf-8"))
    except FileNotFoundError:
        raise UsageError(f"--prior {p}: no such file") from None
    except RecursionError:  # '[[[[...' 200,000 deep was an internal error, exit 1 (ADR 0043)
        raise UsageError(f"--prior {p}: not a local prior (JSON nested too deeply)") from None
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise UsageError(f"--prior {p}: not a local prior ({getattr(exc, 'strerror', None) or exc})") from None
    if not isinstance(doc, dict) or doc.get("schema") != PRIOR_SCHEMA or not isinstance(doc.get("prevalence"), dict):
        raise UsageError(f"--prior {p}: not a local prior (schema {PRIOR_SCHEMA})")
    prev = doc["prevalence"]
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1 and math.isfinite(v)
               for v in prev.values()):
        raise UsageError(f"--prior {p}: prevalences must be numbers in (0, 1]")
    return {str(k): float(v) for k, v in prev.items()}


def format_report(rep: LocalReport, label: str = "") -> str:
    def pct(x):
        return "-" if x is None else f"{100 * x:.0f}%"

    out = [f"{label}{rep.n} confirmed cases scored ({len(rep.free_text)} confirmed as free text, "
           f"{len(rep.unscored)} with nothing to rank, {rep.not_confirmed} maps not confirmed)"]
    if not rep.n:
        out.append("nothing to score: set confirmed diagnoses with `bodymap confirm FILE --diagnosis PATTERN ...`")
        return "\n".join(out)
    out.append(f"top-1 {pct(rep.top_k(1))}   top-3 {pct(rep.top_k(3))}   "
               f"expected calibration error {rep.measure().ece:.3f}")
    out.append("")
    out.append(f"{'band':<10} {'n':>5} {'accuracy':>9} {'mean confidence':>16}")
    for b, v in rep.bands().items():
        out.append(f"{b:<10} {v['n']:>5} {pct(v['accuracy']):>9} {pct(v['mean_confidence']):>16}")
    out.append("")
    out.append("confusion (confirmed -> top-1):")
    for truth, row in sorted(rep.confusion().items()):
        cells = ", ".join(f"{k} {v}" for k, v in sorted(row.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(f"  {truth:<24} {cells}")
    out.append("")
    out.append("published human baselines (real patients; docs/validation.md):")
    for a, b, s in HUMAN_BASELINES:
        out.append(f"  {a}: {b} ({s})")
    return "\n".join(out)
