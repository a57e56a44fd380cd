"""Honest confidence: the matcher's temperature fit, its measurement, and the plain bands.

    python -m bodymap.lab.calibration [--fit] [--docs]   # measure; refit T (docs/adr/0020); rewrite the
                                                     # "Second cohort" section of docs/validation.md

T is fixed by the rule of docs/adr/0020-probs-temperature-rule.md: minimum log loss on the
second cohort (validation/independent via bodymap.lab.cohort.independent, ADR 0025), seed FIT_SEED, on the probabilities a
clinician sees (ADR 0019), reported on REPORT_SEEDS; the vignettes are reported, never used.
Bands (`band_for`): p >= STRONG_AT "strong", p >= MODERATE_AT "moderate", else "weak"; the cut
points are fixed, not fitted (docs/adr/0008), and docs/validation.md reports the hit rate and
the mean probability shown in each band. Headless (numpy and zlib); the matcher is imported only
inside functions, because the matcher imports band_for.
"""
from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomicio import write_atomic
# The bands (band_for and its cut points) are runtime words and live in the core: bodymap.bands.
from ..bands import BAND_TEXT, BANDS, MODERATE_AT, STRONG_AT, band_for, band_text  # noqa: E402,F401


# ---------------------------------------------------------------------------
# Fitting and measuring on the second cohort

FIT_SEED = 11
REPORT_SEEDS = (12, 13)
COHORT_N = 1500
ECE_TARGET = 0.05  # the project's former, two-sided target: reported, no longer aimed at (docs/adr/0036)
OVERCONFIDENT_MAX = 0.05  # ADR 0036's target: no band shows more than this above its strict hit rate
BINS = 10


@dataclass
class Scored:
    """Per-drawing results under one temperature (sides summed into patterns).

    Two events, kept apart (docs/adr/0036): the **strict** event "the top-1 line is the drawing's
    true pattern" (its truth; for an out-of-library drawing the first id of its accept list,
    "none" or widespread pain) is the event the shown top-1 probability is the probability of,
    so calibration (ECE, bands, reliability diagram) is measured on it. The **accept-list**
    event "the top-1 line is one the case accepts" (adjacent roots, facet or SIJ with
    non-specific low back pain...) is recognition: top-1 and top-3. Its fair calibration view
    compares the probability of the accept set the top-1 line belongs to (`conf_set`) with it.
    """

    conf: np.ndarray  # (n,) top-1 pattern probability (the line a clinician reads first)
    hit: np.ndarray  # (n,) bool: top-1 pattern accepted (recognition, not calibration)
    top3: np.ndarray  # (n,) bool: an accepted pattern within the top 3
    top_h: np.ndarray  # (n,) probability of the top line, what the clinician sees (= conf)
    top_h_hit: np.ndarray  # (n,) bool: the top line is the true pattern (strict)
    p_true: np.ndarray  # (n,) summed probability of the accepted patterns (the fit's log loss)
    ool: np.ndarray  # (n,) bool: out-of-library drawing
    strict: np.ndarray | None = None  # (n,) bool: top-1 is the true pattern, sides summed
    conf_set: np.ndarray | None = None  # (n,) probability that the top-1 line is accepted
    top_id: np.ndarray | None = None  # (n,) the top-1 pattern id
    truth_id: np.ndarray | None = None  # (n,) the true pattern id (or "none" / widespread pain)

    def __post_init__(self):
        if self.strict is None:  # a hand-made Scored (tests): one event for both views
            self.strict = np.asarray(self.top_h_hit, dtype=bool)
        if self.conf_set is None:
            self.conf_set = self.conf


@dataclass
class Measure:
    name: str
    n: int
    top1: float  # recognition: top-1 line in the accept list
    top3: float
    ece: float  # calibration on the strict event (top-1 is the true pattern): docs/adr/0036
    log_loss: float
    ool_n: int
    ool_top1: float  # out-of-library drawings whose top-1 is "none" or their mimic
    lib_top1: float
    bins: list[tuple[float, float, float, int]]  # (lo, mean confidence, strict accuracy, count)
    bands: dict[str, tuple[int, float]]  # band -> (count, share of top lines that were the true pattern)
    gap: float = 0.0  # strict accuracy minus mean top-1 probability: > 0 under-confident, < 0 over-confident
    ool_conf: float = float("nan")  # mean top-1 probability on out-of-library drawings
    ece_lib: float = float("nan")  # strict ECE on in-library drawings only
    ece_ool: float = float("nan")  # strict ECE on out-of-library drawings only
    band_conf: dict = None  # band -> mean top-1 probability shown in that band
    per_pattern: dict = None  # truth id -> (n, top-1 rate, top-3 rate)
    top1_strict: float = float("nan")  # top-1 is the true pattern (sides summed)
    ece_accept: float = float("nan")  # the old figure: top-1 probability against the accept-list event
    gap_accept: float = float("nan")
    ece_lib_accept: float = float("nan")
    ece_ool_accept: float = float("nan")
    ece_set: float = float("nan")  # fair accept view: P(top-1 accepted) against being accepted
    gap_set: float = float("nan")
    bins_set: list = None
    band_accept: dict = None  # band -> share of top lines that the case accepts
    per_line: dict = None  # top-1 pattern -> (n, mean shown, strict right, accepted)


def _truths(model, drawings) -> tuple[np.ndarray, list[str]]:
    """(n, P) bool: which pattern ids count as right for each drawing, and the line ids."""
    pids = model.pattern_ids
    acc = np.zeros((len(drawings), len(pids)), dtype=bool)
    for k, d in enumerate(drawings):
        for a in d.accept:
            if a in pids:
                acc[k, pids.index(a)] = True
        if not acc[k].any():
            raise ValueError(f"drawing {k} ({d.truth}): none of {d.accept} is in the pattern library")
    return acc, pids


def _loglik(model, drawings) -> list:
    """Per drawing, everything the final probabilities need before the temperature (ADR 0019)."""
    from ..matcher import parts_of

    return [parts_of(model, d.features) for d in drawings]


def true_index(drawings, pids: list[str]) -> np.ndarray:
    """The true pattern of each drawing as an index into `pids`: its truth when that is a pattern,
    else (an out-of-library drawing) the first id of its accept list ("none" or widespread pain)."""
    out = np.empty(len(drawings), dtype=int)
    for k, d in enumerate(drawings):
        t = d.truth if d.truth in pids else next((a for a in d.accept if a in pids), None)
        if t is None:
            raise ValueError(f"drawing {k} ({d.truth}): no true pattern in the library")
        out[k] = pids.index(t)
    return out


def accept_relation(drawings, pids: list[str]) -> np.ndarray:
    """(P, P) bool: R[t, m] when a drawing whose true pattern is m accepts t as its top-1 (the
    cases' own accept lists; every pattern accepts itself). P(top-1 t is accepted) = sum over m
    with R[t, m] of p(m): the probability of the event the accept-list top-1 counts."""
    rel = np.eye(len(pids), dtype=bool)
    truth = true_index(drawings, pids)
    for k, d in enumerate(drawings):
        for a in d.accept:
            if a in pids:
                rel[pids.index(a), truth[k]] = True
    return rel


def score(model, drawings, temperature: float, ll: list | None = None) -> Scored:
    """Scores of the probabilities a clinician sees (doubt and rules included), one line per pattern."""
    from ..rules import combine

    ll = _loglik(model, drawings) if ll is None else ll
    acc, pids = _truths(model, drawings)
    hyp_pat = model.rules.hyp_pat
    post = np.vstack([combine(model, p, temperature) for p in ll])
    pp = np.zeros((len(drawings), len(pids)))
    np.add.at(pp.T, hyp_pat, post.T)  # sum the sides of each pattern: the line a clinician reads
    order = np.argsort(-pp, axis=1)
    top1 = order[:, 0]
    rows = np.arange(len(drawings))
    truth = true_index(drawings, pids)
    rel = accept_relation(drawings, pids)
    strict = top1 == truth
    ids = np.array(pids, dtype=object)
    return Scored(
        conf=pp[rows, top1], hit=acc[rows, top1], top3=acc[rows[:, None], order[:, :3]].any(axis=1),
        top_h=pp[rows, top1], top_h_hit=strict, p_true=(pp * acc).sum(axis=1),
        ool=np.array([d.out_of_library for d in drawings]), strict=strict,
        conf_set=(pp * rel[top1]).sum(axis=1), top_id=ids[top1], truth_id=ids[truth])


def ece(conf: np.ndarray, hit: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error of the top-1 probability over equal-width bins."""
    return float(sum(n / len(conf) * abs(c - a) for _, c, a, n in reliability_bins(conf, hit, bins)))


def reliability_bins(conf: np.ndarray, hit: np.ndarray, bins: int = BINS) -> list[tuple[float, float, float, int]]:
    """(bin start, mean confidence, accuracy, count) for every non-empty bin; a bin is (lo, hi]."""
    edges = np.linspace(0, 1, bins + 1)
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi) if lo > 0 else (conf >= 0) & (conf <= hi)
        if sel.any():
            out.append((float(lo), float(conf[sel].mean()), float(hit[sel].mean()), int(sel.sum())))
    return out


def _ece_or_nan(conf: np.ndarray, hit: np.ndarray, sel: np.ndarray) -> float:
    return ece(conf[sel], hit[sel]) if sel.any() else float("nan")


def measure(name: str, s: Scored) -> Measure:
    bands, band_conf, band_acc = {}, {}, {}
    hb = np.array([band_for(min(max(p, 0.0), 1.0)) for p in s.top_h])
    for b in BANDS:
        sel = hb == b
        bands[b] = (int(sel.sum()), float(s.strict[sel].mean()) if sel.any() else float("nan"))
        band_conf[b] = float(s.top_h[sel].mean()) if sel.any() else float("nan")
        band_acc[b] = float(s.hit[sel].mean()) if sel.any() else float("nan")
    n = len(s.conf)
    lib = ~s.ool
    per_line = None
    if s.top_id is not None:
        per_line = {}
        for t in sorted(set(s.top_id)):
            sel = s.top_id == t
            per_line[str(t)] = (int(sel.sum()), float(s.conf[sel].mean()), float(s.strict[sel].mean()),
                                float(s.hit[sel].mean()))
    return Measure(name, n, float(s.hit.mean()), float(s.top3.mean()), ece(s.conf, s.strict),
                   float(-np.log(np.maximum(s.p_true, 1e-12)).mean()), int(s.ool.sum()),
                   float(s.hit[s.ool].mean()) if s.ool.any() else float("nan"),
                   float(s.hit[lib].mean()) if lib.any() else float("nan"),
                   reliability_bins(s.conf, s.strict), bands, float(s.strict.mean() - s.conf.mean()),
                   float(s.conf[s.ool].mean()) if s.ool.any() else float("nan"),
                   _ece_or_nan(s.conf, s.strict, lib), _ece_or_nan(s.conf, s.strict, s.ool), band_conf,
                   top1_strict=float(s.strict.mean()), ece_accept=ece(s.conf, s.hit),
                   gap_accept=float(s.hit.mean() - s.conf.mean()),
                   ece_lib_accept=_ece_or_nan(s.conf, s.hit, lib), ece_ool_accept=_ece_or_nan(s.conf, s.hit, s.ool),
                   ece_set=ece(s.conf_set, s.hit), gap_set=float(s.hit.mean() - s.conf_set.mean()),
                   bins_set=reliability_bins(s.conf_set, s.hit), band_accept=band_acc, per_line=per_line)


def per_pattern(drawings, s: Scored) -> dict[str, tuple[int, float, float]]:
    """Top-1 and top-3 rate by the drawing's true pattern (or out-of-library kind)."""
    out = {}
    truth = np.array([d.truth for d in drawings])
    for t in sorted(set(truth)):
        sel = truth == t
        out[str(t)] = (int(sel.sum()), float(s.hit[sel].mean()), float(s.top3[sel].mean()))
    return out


def fit_temperature(model, drawings) -> float:
    """The temperature with the smallest log loss of the accepted patterns (grid, then golden section)."""
    ll = _loglik(model, drawings)

    def loss(T: float) -> float:
        return float(-np.log(np.maximum(score(model, drawings, T, ll).p_true, 1e-12)).mean())

    grid = np.exp(np.linspace(math.log(0.5), math.log(20), 25))
    k = int(np.argmin([loss(T) for T in grid]))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    g = (math.sqrt(5) - 1) / 2
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = loss(c), loss(d)
    for _ in range(40):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = loss(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = loss(d)
    return float((a + b) / 2)


def vignette_misses(model, temperature: float) -> list[str]:
    """Ids of the vignettes (validation/vignettes.yaml) that miss at this T (reported only, ADR 0020)."""
    from ..paths import data_root
    from .validation import run_vignettes

    saved = model.lib.temperature
    model.lib.temperature = temperature
    try:
        rows = run_vignettes(model.atlas, model, data_root() / "validation" / "vignettes.yaml")
    finally:
        model.lib.temperature = saved
    return [r["id"] for r in rows if not r["ok"]]


@dataclass
class Fit:
    temperature: float  # the one written
    optimum: float  # minimum log loss
    misses_at_optimum: list[str]  # vignettes that miss at it (reported, never acted on: ADR 0020)


def fit_constrained(model, drawings, step: float = 0.05) -> Fit:
    """ADR 0020: the minimum-log-loss T on what the clinician sees; vignettes only reported."""
    opt = fit_temperature(model, drawings)
    return Fit(float(round(opt, 4)), opt, vignette_misses(model, opt))


def write_temperature(path: Path, T: float, note: str) -> None:
    """Set `temperature:` in regions/calibration.yaml, keeping every other key and comment as found."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    prov = f"# temperature fit: {note}"
    lines = [ln for ln in text.splitlines() if not ln.startswith("# temperature fit:")]
    out, done = [], False
    for ln in lines:
        if re.match(r"^temperature\s*:", ln):
            out += [prov, f"temperature: {T:.4f}"]
            done = True
        else:
            out.append(ln)
    if not done:
        out += [prov, f"temperature: {T:.4f}"]
    write_atomic(path, "\n".join(out) + "\n", 0o644)


# ---------------------------------------------------------------------------
# Report, docs and the command line (the reliability diagram: bodymap.reliability_plot, headless)
from .reliability_plot import reliability_png  # noqa: E402
WIDE_MAX = 0.85  # bodymap.rules.WIDESPREAD_MAX, for the docs text (checked in tests/core/test_probs_rules.py)

SECTION = "## Second cohort"  # written by bodymap.lab.calibration_docs
FIGURE = "docs/images/reliability-cohort2.png"


@dataclass
class _Adapted:
    """A first-cohort case (bodymap.validation.Case) seen as a drawing with one accepted pattern."""

    accept: tuple[str, ...]
    features: object
    out_of_library: bool = False
    truth: str = ""


def run(fit: bool = False, docs: bool = False, n: int = COHORT_N) -> int:
    from ..atlas import load_atlas
    from .cohort import independent
    from ..matcher import forget_models, get_model
    from ..paths import data_root
    from .calibration_docs import _OolMix, _pct, _section, _SetView, _worst_band, causes
    from .validation import simulate

    root = data_root()
    atlas = load_atlas()
    model = get_model(atlas)
    train = independent(atlas, n, FIT_SEED)
    cal_path = root / "regions" / "calibration.yaml"
    if fit:
        f = fit_constrained(model, train)
        why = (f"log-loss optimum {f.optimum:.4f} by the rule of docs/adr/0020 (no vignette floor; "
               f"vignettes missing at it: {', '.join(f.misses_at_optimum) or 'none'})")
        write_temperature(cal_path, f.temperature,
                          f"second cohort (validation/independent, through bodymap.lab.cohort.independent), "
                          f"seed {FIT_SEED}, n = {n}; "
                          f"{why}; written by `make calibrate`. Label M: a model parameter fitted to simulated "
                          f"data, not a clinical figure.")
        forget_models()
        model = get_model(atlas)
        print(f"fitted temperature T = {f.temperature:.4f} on the second cohort (seed {FIT_SEED}, n = {n}); {why}")
    T = model.lib.temperature
    fit_note = next((ln[len("# temperature fit:"):].strip() for ln in cal_path.read_text(encoding="utf-8")
                     .splitlines() if ln.startswith("# temperature fit:")), "not fitted by make calibrate yet")
    per_seed = {s: independent(atlas, n, s) for s in REPORT_SEEDS}
    held = [d for s in REPORT_SEEDS for d in per_seed[s]]
    old = [_Adapted(c.accept, c.features, c.out_of_library, truth=c.pattern) for c in simulate(model, n, seed=3, perturb=0.5)]
    lls = {s: _loglik(model, per_seed[s]) for s in REPORT_SEEDS}
    held_ll = [p for s in REPORT_SEEDS for p in lls[s]]
    held_s = score(model, held, T, held_ll)
    rows = [
        measure(f"second cohort, fitting seed {FIT_SEED}", score(model, train, T)),
        *[measure(f"second cohort, seed {s}", score(model, per_seed[s], T, lls[s])) for s in REPORT_SEEDS],
        measure(f"second cohort, seeds {' + '.join(map(str, REPORT_SEEDS))}", held_s),
        measure(f"second cohort, seeds {' + '.join(map(str, REPORT_SEEDS))}, T = 1 (not tempered)",
                score(model, held, 1.0, held_ll)),
        measure("first cohort (perturbed, seed 3), same T", score(model, old, T)),
    ]
    rows[3].per_pattern = per_pattern(held, held_s)
    known = set(model.pattern_ids) - {"none"}
    mimics = sorted({a for d in held if d.out_of_library for a in d.accept if a in known})
    spec = _OolMix(held)
    held_m, old_m, raw_m = rows[3], rows[5], rows[4]
    why = causes(model, held, T, held_ll)
    for m in rows:
        print(f"{m.name}: n={m.n} top-1 {100 * m.top1:.1f}% (strict {100 * m.top1_strict:.1f}%) "
              f"top-3 {100 * m.top3:.1f}% ECE {m.ece:.3f} (accept-list event, old: {m.ece_accept:.3f}) "
              f"log loss {m.log_loss:.3f}; out-of-library {m.ool_n}, 'none'/mimic first {_pct(m.ool_top1)}")
    print("bands (held out): " + ", ".join(f"{b} {c} drawings, mean shown {_pct(held_m.band_conf[b])}, "
                                           f"true pattern {_pct(a)}" for b, (c, a) in held_m.bands.items()))
    worst = _worst_band(held_m)
    print(f"held-out ECE {held_m.ece:.3f} (strict; in-library {held_m.ece_lib:.3f}, out-of-library "
          f"{held_m.ece_ool:.3f}); former target {ECE_TARGET}: {'met' if held_m.ece <= ECE_TARGET else 'MISSED'}; "
          f"most over-confident band {worst[0]} by {100 * worst[1]:+.1f} points (ADR 0036 target at most "
          f"{100 * OVERCONFIDENT_MAX:.0f}): {'met' if worst[1] <= OVERCONFIDENT_MAX else 'MISSED'}")
    for name, m in why:
        print(f"  {name}: strict top-1 {_pct(m.top1_strict)}, ECE {m.ece:.3f}, gap {100 * m.gap:+.1f} points")
    if docs:
        set_view = _SetView(held_m)
        reliability_png([("FIRST COHORT (PERTURBED)", old_m, (230, 150, 60)),
                         ("HELD OUT, TRUE PATTERN", held_m, (70, 120, 200)),
                         ("HELD OUT, ACCEPT SET", set_view, (170, 170, 220))], root / FIGURE)
        path = root / "docs" / "validation.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "# Matcher validation\n"
        cut = text.find("\n" + SECTION)
        text = (text if cut < 0 else text[:cut]).rstrip("\n") + "\n\n" + _section(
            T, n, rows, held_m, mimics, spec, fit_note, why) + "\n"
        write_atomic(path, text, 0o644)
        print(f"wrote the '{SECTION}' section of docs/validation.md and {FIGURE}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bodymap.lab.calibration")
    ap.add_argument("--fit", action="store_true", help="refit the temperature into regions/calibration.yaml")
    ap.add_argument("--docs", action="store_true",
                    help="rewrite the 'Second cohort' section of docs/validation.md and its reliability diagram")
    ap.add_argument("-n", type=int, default=COHORT_N, help="drawings per seed")
    args = ap.parse_args(argv)
    if args.n < 50:
        print(f"error: -n must be at least 50, got {args.n}", file=sys.stderr)
        return 2
    from ..errors import BodymapError

    try:
        return run(args.fit, args.docs, args.n)
    except (BodymapError, ValueError) as exc:  # a bad cohort file or library: one line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
