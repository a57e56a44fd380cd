"""The flag rate a clinic can expect: simulated pain-clinic patients through the red-flag rules (issue 18).

    python -m bodymap.flagrate [--n 20000] [--seed 1] [--per-day 25] [--prevalence FILE] [--docs]

Each simulated patient answers every red-flag question yes, no or "not sure" with the
shares in regions/answer-prevalence.yaml (each with its source and R/S/M label; the
defaults are team estimates, M), has an age band, and paints both legs or not. The
rules (`bodymap.redflags`, as `bodymap.triage` runs them) give each patient's most
urgent flag. The report gives the share at each urgency and per pathology, and the
same-day flags a day of `--per-day` patients brings. `--docs` writes
docs/red-flag-rates.md. `make validate` runs it. Headless; no matcher needed.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import vocabulary
from .errors import BodymapError, ConfigError
from .paths import regions_dir
from .redflags import red_flags

URGENCY_ORDER = ("emergency", "same_day", None)


@dataclass(frozen=True)
class Prevalence:
    yes: dict[str, float]
    unsure: float
    both_legs: float
    ages: tuple[tuple[int, float], ...]
    labels: dict[str, str]  # what -> R/S/M
    path: Path


def load_prevalence(path: str | Path | None = None) -> Prevalence:
    from .yamlio import read_yaml

    p = Path(path) if path else regions_dir() / "answer-prevalence.yaml"
    doc = read_yaml(p, ConfigError, what="the answer prevalences")

    def prob(d, at):
        if (not isinstance(d, dict) or isinstance(d.get("p"), bool) or not isinstance(d.get("p"), (int, float))
                or not 0 <= d["p"] <= 1 or not isinstance(d.get("source"), str) or d.get("label") not in ("R", "S", "M")):
            raise ConfigError(f"{p}: {at} needs p (0-1), a source and a label R, S or M")
        return float(d["p"]), d["label"]

    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.answer_prevalence/1":
        raise ConfigError(f"{p}: schema must be 'bodymap.answer_prevalence/1'")
    labels: dict[str, str] = {}
    yes = {}
    asked = [k for k in vocabulary.red_flag_keys() if vocabulary.question(k).kind == "yesno"]
    for k in asked:
        if k not in (doc.get("answers") or {}):
            raise ConfigError(f"{p}: answers.{k} is missing (every red-flag question needs a share)")
        yes[k], labels[k] = prob(doc["answers"][k], f"answers.{k}")
    unsure, labels["unsure"] = prob(doc.get("unsure"), "unsure")
    both, labels["both_legs_painted"] = prob(doc.get("both_legs_painted"), "both_legs_painted")
    ages = []
    for i, b in enumerate(doc.get("age_bands") or []):
        pr, labels[f"age_bands[{i}]"] = prob(b, f"age_bands[{i}]")
        if not isinstance(b.get("age"), int):
            raise ConfigError(f"{p}: age_bands[{i}] needs an age")
        ages.append((b["age"], pr))
    total = sum(pr for _, pr in ages)
    if not ages or abs(total - 1) > 1e-6:
        raise ConfigError(f"{p}: age_bands must give shares that add up to 1, got {total:.3f}")
    return Prevalence(yes, unsure, both, tuple(ages), labels, p)


def simulate(prev: Prevalence, n: int, seed: int = 1) -> list[dict]:
    """n patients' answers (and both legs painted, under the key `_both_legs`): follow-ups only when they apply."""
    rng = np.random.default_rng(seed)
    ages = np.array([a for a, _ in prev.ages])
    shares = np.array([p for _, p in prev.ages])
    out = []
    for _ in range(n):
        a: dict = {"age": int(rng.choice(ages, p=shares))}
        for k, p in prev.yes.items():  # vocabulary order: a follow-up comes after its condition
            if not vocabulary.applies(k, a):
                continue
            u = rng.random()
            a[k] = "unsure" if u < prev.unsure else bool(rng.random() < p)
        a["_both_legs"] = bool(rng.random() < prev.both_legs)
        out.append(a)
    return out


def rates(patients: list[dict]) -> tuple[Counter, Counter]:
    """(patients by their most urgent urgency (None: no flag), flags by pathology)."""
    by_urgency: Counter = Counter()
    by_pathology: Counter = Counter()
    for a in patients:
        answers = {k: v for k, v in a.items() if not k.startswith("_")}
        flags = red_flags(answers, a["_both_legs"])
        by_urgency[flags[0].urgency if flags else None] += 1
        for f in flags:
            by_pathology[f.pathology] += 1
    return by_urgency, by_pathology


def report_lines(prev: Prevalence, n: int, seed: int, per_day: int) -> list[str]:
    pts = simulate(prev, n, seed)
    by_u, by_p = rates(pts)
    labels = Counter(prev.labels.values())
    lines = [f"Flag rate: {n} simulated pain-clinic patients (seed {seed}), prevalences from {prev.path.name}",
             f"prevalence labels: {', '.join(f'{k} {v}' for k, v in sorted(labels.items()))} "
             "(M: team estimates, not read in a source; replace with local figures)",
             "", "| most urgent flag | share of patients | per day of %d patients |" % per_day, "|---|---|---|"]
    for u in URGENCY_ORDER:
        share = by_u[u] / n
        lines.append(f"| {vocabulary.urgency_label(u) if u else 'no flag'} | {100 * share:.1f}% | "
                     f"{share * per_day:.1f} |")
    lines += ["", "| pathology | flags per 100 patients |", "|---|---|"]
    for path in vocabulary.PATHOLOGIES:
        lines.append(f"| {path} | {100 * by_p[path] / n:.1f} |")
    return lines


DOC_HEAD = """# Red-flag rates a clinic can expect

Generated by `python -m bodymap.flagrate --docs` (run by `make validate`). Simulated
pain-clinic patients answer the red-flag questions with the shares in
`regions/answer-prevalence.yaml`; the rules of docs/red-flags.md give each patient's most
urgent flag. **Every default share is a team estimate (label M): no study of these answers
in a pain clinic was read.** The rates are an order of magnitude for planning, not a
measurement; a clinic should replace the shares with its own counts
(`python -m bodymap.flagrate --prevalence FILE`). Answers are drawn independently; real
answers cluster, so the true rate of patients with any flag is probably lower.

"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bodymap.flagrate", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-day", type=int, default=25)
    ap.add_argument("--prevalence", default=None)
    ap.add_argument("--docs", action="store_true", help="write docs/red-flag-rates.md")
    args = ap.parse_args(argv)
    if args.n < 1 or args.per_day < 1:
        print("bodymap.flagrate: --n and --per-day must be 1 or more", file=sys.stderr)
        return 2
    try:
        lines = report_lines(load_prevalence(args.prevalence), args.n, args.seed, args.per_day)
    except BodymapError as exc:
        print(f"bodymap.flagrate: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    if args.docs:
        out = Path(__file__).resolve().parents[2] / "docs" / "red-flag-rates.md"
        out.write_text(DOC_HEAD + "\n".join(lines[2:]) + "\n\n" + lines[1] + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
