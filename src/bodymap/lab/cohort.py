"""The second simulated cohort: drawings that share neither the matcher's tables nor its
independence assumption (validation/cohort2.yaml, docs/adr/0008-calibration-bands.md).

    from bodymap.lab.cohort import load_cohort_spec, generate
    drawings = generate(atlas, load_cohort_spec(), n=1500, seed=11)

Differences from the first cohorts (bodymap.validation.simulate):

- frequencies come from validation/cohort2.yaml, not regions/patterns.yaml, and several
  are moved on purpose (label P);
- painting grows over region adjacency from one or two start regions, with a per-patient
  spread trait, so painted regions are contiguous and correlated;
- sensations and answers go together through a per-patient "nerve-like" trait;
- a share of drawings (15%) come from conditions outside the library (both feet in a
  stocking distribution, the knee alone, calf claudication, widespread pain); their truth
  is "none" or the mimic pattern that covers them.

Headless: numpy, shapely and the atlas only; it reads nothing from the matcher's tables.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..atlas import Atlas
from ..errors import BodymapError
from ..painting import SENSATIONS, both_legs_painted
from ..yamlio import read_yaml

SCHEMA = "bodymap.cohort2/1"
LABELS = ("R", "S", "M", "P")
QUESTIONS = ("numbness", "weakness", "worse_sitting", "worse_walking", "better_resting")
NOT_PAINTED_STEMS = ("perineum", "pubic")  # the saddle area prompts questions; the cohort never paints it
NONE_ID = "none"


class CohortError(BodymapError):
    """validation/cohort2.yaml is missing a field or has a bad value."""


@dataclass(frozen=True)
class Recipe:
    """How one kind of drawing is made: a library pattern or an out-of-library condition."""

    id: str
    share: float
    accept: tuple[str, ...]  # ids whose top-1 counts as right
    out_of_library: bool
    bilateral: float
    both_sides: bool
    start: tuple[str, ...]
    start_all: bool
    starts: int
    grow: dict[str, float]
    no_leak: bool
    nerve_like: float
    sharp: float
    answers: dict[str, float]
    age60: float


@dataclass
class CohortSpec:
    recipes: list[Recipe]
    leak: float
    spread_sd: float
    skip_answer: float
    ool_share: float
    path: Path


@dataclass
class Drawing:
    """One simulated pain map as the matcher reads it, with its truth."""

    truth: str  # pattern id, or the out-of-library recipe id
    accept: tuple[str, ...]
    side: str  # left, right or bilateral
    out_of_library: bool
    features: Any  # matcher.Features
    both_legs: bool
    painted: list[str] = field(default_factory=list)  # region ids


def _num(v: Any, where: str) -> float:
    """[value, source, label] -> value, checking that a source and label are given."""
    if not (isinstance(v, list) and len(v) == 3):
        raise CohortError(f"{where}: needs [value, source, label], got {v!r}")
    x, src, label = v
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= float(x) <= 1:
        raise CohortError(f"{where}: value must be a number from 0 to 1, got {x!r}")
    if not isinstance(src, str) or not src:
        raise CohortError(f"{where}: every number needs a source")
    if label not in LABELS:
        raise CohortError(f"{where}: label must be one of {', '.join(LABELS)}, got {label!r}")
    return float(x)


def load_cohort_spec(path: str | Path | None = None) -> CohortSpec:
    from ..paths import data_root

    path = Path(path) if path else data_root() / "validation" / "cohort2.yaml"
    doc = read_yaml(path, CohortError, what="a cohort file")
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise CohortError(f"{path}: schema must be {SCHEMA!r}")
    sources = doc.get("sources") or {}
    profiles = doc.get("profiles") or {}

    def check_source(v: Any, where: str) -> None:
        if isinstance(v, list) and len(v) == 3 and v[1] != "perturbed" and v[1] not in sources:
            raise CohortError(f"{where}: source {v[1]!r} is not listed under sources")
        if isinstance(v, list) and len(v) == 3 and (v[1] == "perturbed") != (v[2] == "P"):
            raise CohortError(f"{where}: a perturbation is written [value, perturbed, P]")

    def num(v: Any, where: str) -> float:
        x = _num(v, where)
        check_source(v, where)
        return x

    ool_share = num(doc.get("ool_share"), f"{path}: ool_share")
    recipes: list[Recipe] = []
    for group, ool in (("patterns", False), ("out_of_library", True)):
        block = doc.get(group) or {}
        if not isinstance(block, dict) or not block:
            raise CohortError(f"{path}: '{group}' must be a non-empty mapping")
        raw = []
        for rid, d in block.items():
            w = f"{path}: {group}.{rid}"
            if not isinstance(d, dict):
                raise CohortError(f"{w}: must be a mapping")
            prof_name = d.get("profile")
            if prof_name not in profiles:
                raise CohortError(f"{w}: profile {prof_name!r} is not defined under profiles")
            prof = profiles[prof_name]
            answers = {k: num(v, f"{w}: answers.{k}") for k, v in {**(prof.get("answers") or {}),
                                                                   **(d.get("answers") or {})}.items()}
            bad = sorted(set(answers) - set(QUESTIONS))
            if bad:
                raise CohortError(f"{w}: unknown answer key(s) {', '.join(bad)}; known: {', '.join(QUESTIONS)}")
            start = d.get("start")
            if not isinstance(start, list) or not start:
                raise CohortError(f"{w}: 'start' must list at least one region stem")
            accept = tuple(d.get("accept") or ()) if ool else (rid,)
            if ool and NONE_ID not in accept:
                raise CohortError(f"{w}: 'accept' must include {NONE_ID!r}")
            raw.append((rid, num(d.get("share"), f"{w}: share"), Recipe(
                id=rid, share=0.0, accept=accept, out_of_library=ool,
                bilateral=num(d["bilateral"], f"{w}: bilateral") if "bilateral" in d else 0.0,
                both_sides=bool(d.get("both_sides", False)), start=tuple(start),
                start_all=bool(d.get("start_all", False)), starts=int(d.get("starts", 1)),
                grow={k: num(v, f"{w}: grow.{k}") for k, v in (d.get("grow") or {}).items()},
                no_leak=bool(d.get("no_leak", False)),
                nerve_like=num(d.get("nerve_like", prof.get("nerve_like")), f"{w}: nerve_like"),
                sharp=num(d.get("sharp", prof.get("sharp")), f"{w}: sharp"),
                answers=answers, age60=num(d.get("age60", prof.get("age60")), f"{w}: age60"))))
        total = sum(s for _, s, _ in raw)
        if total <= 0:
            raise CohortError(f"{path}: {group} shares add up to 0")
        scale = (ool_share if ool else 1 - ool_share) / total  # shares are relative within each group
        recipes += [Recipe(**{**r.__dict__, "share": s * scale}) for _, s, r in raw]
    return CohortSpec(recipes, num(doc.get("leak"), f"{path}: leak"), num(doc.get("spread_sd"), f"{path}: spread_sd"),
                      num(doc.get("skip_answer"), f"{path}: skip_answer"), ool_share, path)


# ---------------------------------------------------------------------------
# Region adjacency


def adjacency(atlas: Atlas) -> list[tuple[int, ...]]:
    """Neighbours of every region (indices into atlas.regions), kept with the atlas.

    Two regions are neighbours when they touch on the same view, or when they lie on the
    same side at the same level on the two views and overlap vertically by at least half
    of the shorter one (the front and back of a limb wrap round into each other)."""
    hit = atlas.derived.get("lab.cohort.adjacency")
    if hit is None:
        hit = atlas.derived["lab.cohort.adjacency"] = tuple(tuple(x) for x in _compute_adjacency(atlas))
    return list(hit)


def _compute_adjacency(atlas: Atlas) -> list[list[int]]:
    import shapely

    regs = atlas.regions
    geoms = [r.geometry.buffer(0.02) for r in regs]
    tree = shapely.STRtree(geoms)
    out: list[set[int]] = [set() for _ in regs]
    a, b = tree.query(geoms, predicate="intersects")
    for i, j in zip(a.tolist(), b.tolist()):
        if i != j and regs[i].view == regs[j].view:
            out[i].add(j)
    bounds = [r.geometry.bounds for r in regs]  # (minx, miny, maxx, maxy)
    for i, ri in enumerate(regs):
        for j, rj in enumerate(regs):
            if j <= i or ri.view == rj.view or ri.side != rj.side or ri.level != rj.level or ri.side == "midline":
                continue
            lo, hi = max(bounds[i][1], bounds[j][1]), min(bounds[i][3], bounds[j][3])
            shorter = min(bounds[i][3] - bounds[i][1], bounds[j][3] - bounds[j][1])
            if shorter > 0 and hi - lo >= 0.5 * shorter:
                out[i].add(j)
                out[j].add(i)
    return [sorted(s) for s in out]


# ---------------------------------------------------------------------------
# Drawing


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _grow_side(atlas: Atlas, nb: list[tuple[int, ...]], rec: Recipe, spec: CohortSpec, side: str,
               spread: float, rng: np.random.Generator) -> set[int]:
    """Regions painted on one side: start region(s), then growth over adjacency (breadth first)."""
    regs = atlas.regions
    by_id = {r.id: i for i, r in enumerate(regs)}
    starts = [by_id[f"{side}_{s}"] for s in rec.start if f"{side}_{s}" in by_id]
    if not starts:
        raise CohortError(f"{spec.path}: {rec.id}: no start region exists in this atlas on the {side} side")
    if rec.start_all:
        chosen = starts
    else:
        k = min(len(starts), rec.starts if rec.starts > 1 else 1 + int(rng.random() < 0.3))
        chosen = [starts[i] for i in rng.choice(len(starts), size=k, replace=False)]
    painted = set(chosen)
    frontier = list(chosen)
    tried: set[int] = set(chosen)
    while frontier:
        i = frontier.pop(0)
        for j in nb[i]:
            r = regs[j]
            if j in tried or r.stem in NOT_PAINTED_STEMS or r.side not in (side, "midline"):
                continue
            tried.add(j)
            if r.stem in rec.grow:
                p = rec.grow[r.stem]
            elif rec.no_leak:
                continue
            else:
                p = spec.leak
            if rng.random() < _sigmoid(_logit(p) + spread):
                painted.add(j)
                frontier.append(j)
    return painted


def draw_one(atlas: Atlas, nb: list[tuple[int, ...]], spec: CohortSpec, rec: Recipe,
             rng: np.random.Generator) -> Drawing:
    from ..matcher import Features

    regs = atlas.regions
    R = len(regs)
    if rec.both_sides or rng.random() < rec.bilateral:
        side, sides = "bilateral", ["right", "left"]
    else:
        side = "right" if rng.random() < 0.5 else "left"
        sides = [side]
    spread = rng.normal(0.0, spec.spread_sd)  # one trait per patient, shared by both legs
    painted: set[int] = set()
    for s in sides:
        painted |= _grow_side(atlas, nb, rec, spec, s, spread, rng)
    cov = np.zeros(R)
    for i in painted:
        cov[i] = rng.uniform(0.3, 1.0)  # most of a painted region, rarely all of it
    for i in list(painted):  # the brush crosses a border now and then
        for j in nb[i]:
            if cov[j] == 0 and regs[j].stem not in NOT_PAINTED_STEMS and rng.random() < 0.15:
                cov[j] = rng.uniform(0.03, 0.25)
    if side != "bilateral" and rng.random() < 0.06:  # a stray mark on the other side
        other = "left" if side == "right" else "right"
        cands = [i for i, r in enumerate(regs) if r.side == other and r.level != "upper"]
        cov[cands[rng.integers(len(cands))]] = rng.uniform(0.03, 0.3)
    nerve = rng.random() < rec.nerve_like
    sens = np.zeros(len(SENSATIONS), dtype=bool)
    for k, s in enumerate(SENSATIONS):
        if s == "aching":
            p = 0.55 if nerve else 0.9
        elif s == "sharp":
            p = rec.sharp
        else:  # burning, pins_and_needles, numbness
            p = {"burning": 0.45, "pins_and_needles": 0.7, "numbness": 0.6}[s] if nerve else 0.04
        sens[k] = rng.random() < p
    if not sens.any():
        sens[SENSATIONS.index("aching")] = True
    answers: dict[str, Any] = {}
    for q in QUESTIONS:
        if rng.random() < spec.skip_answer:
            continue
        if q == "numbness":
            p = 0.85 if nerve else 0.08
        else:
            p = rec.answers.get(q, 0.3)
        answers[q] = bool(rng.random() < p)
    if rng.random() > spec.skip_answer:
        answers["age"] = int(rng.integers(60, 90) if rng.random() < rec.age60 else rng.integers(18, 60))
    both_legs = both_legs_painted(atlas, [regs[i].id for i in np.flatnonzero(cov > 0.02)])
    return Drawing(rec.id, rec.accept, side, rec.out_of_library, Features(cov, sens, answers),
                   both_legs, [regs[i].id for i in sorted(painted)])


def generate(atlas: Atlas, spec: CohortSpec | None = None, n: int = 1500, seed: int = 11) -> list[Drawing]:
    """`n` drawings from the second cohort, reproducible from `seed`."""
    spec = spec or load_cohort_spec()
    if n < 1:
        raise CohortError(f"cohort size must be at least 1, got {n}")
    rng = np.random.default_rng(seed)
    nb = adjacency(atlas)
    shares = np.array([r.share for r in spec.recipes])
    shares = shares / shares.sum()
    picks = rng.choice(len(spec.recipes), size=n, p=shares)
    return [draw_one(atlas, nb, spec, spec.recipes[k], rng) for k in picks]


# ---------------------------------------------------------------------------
# The independent second cohort (validation/independent/, issue 23 item 6)
#
# Written from the cited sources alone by an author who never read regions/, src/ or the tests
# (validation/independent/README.md). The lab reads it only through its public interface,
# generate(n, seed, regions) -> list of drawing dicts, with the regions of the LIVE atlas, and
# adapts each dict to a Drawing here. Nothing in that folder is edited or read otherwise.

INDEPENDENT_DIR = Path("validation") / "independent"


def atlas_regions(atlas: Atlas) -> list[dict]:
    """The live atlas as the independent generator reads it (id, name, view, side, level, area,
    point, touches_same_view), kept with the atlas."""
    hit = atlas.derived.get("lab.cohort.atlas_regions")
    if hit is None:
        import shapely

        regs = atlas.regions
        geoms = [r.geometry.buffer(0.02) for r in regs]
        a, b = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        touch: list[set[str]] = [set() for _ in regs]
        for i, j in zip(a.tolist(), b.tolist()):
            if i != j and regs[i].view == regs[j].view:
                touch[i].add(regs[j].id)
        hit = []
        for r, t in zip(regs, touch):
            p = r.geometry.representative_point()
            hit.append({"id": r.id, "name": r.name, "view": r.view, "side": r.side, "level": r.level,
                        "area": round(float(r.area), 5), "point": [round(p.x, 4), round(p.y, 4)],
                        "touches_same_view": sorted(t)})
        atlas.derived["lab.cohort.atlas_regions"] = hit
    return [dict(r) for r in hit]


def _independent_module(root: Path | None = None):
    import importlib.util

    from ..paths import data_root

    path = (root or data_root()) / INDEPENDENT_DIR / "generate.py"
    if not path.exists():
        raise CohortError(f"{path}: the independent cohort's generator is missing")
    spec = importlib.util.spec_from_file_location("bodymap_independent_cohort", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def independent(atlas: Atlas, n: int = 1500, seed: int = 11) -> list[Drawing]:
    """`n` drawings of the independent second cohort, reproducible from `seed`, as Drawings."""
    if n < 1:
        raise CohortError(f"cohort size must be at least 1, got {n}")
    gen = _independent_module()
    try:
        raw = gen.generate(n, seed, atlas_regions(atlas))
    except SystemExit as exc:  # the generator stops with one message on an invalid cohort.yaml
        raise CohortError(f"the independent cohort refused to generate (exit {exc.code})") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise CohortError(f"the independent cohort refused to generate: {exc}") from None
    return [from_independent(atlas, d, k) for k, d in enumerate(raw)]


def from_independent(atlas: Atlas, d: dict, k: int = 0) -> Drawing:
    """One drawing dict of the independent generator -> a Drawing (Features on the live atlas)."""
    from ..matcher import ANSWER_FEATURES, Features

    where = f"independent cohort drawing {k}"
    try:
        cov = np.zeros(len(atlas.regions))
        for rid, frac in d["coverage"].items():
            cov[atlas.index(rid)] = float(frac)
        sens = np.zeros(len(SENSATIONS), dtype=bool)
        for s in d["sensations"]:
            sens[SENSATIONS.index(s)] = True
        answers: dict[str, Any] = {}
        for q, v in (d.get("answers") or {}).items():
            if q == "age" and isinstance(v, int) and not isinstance(v, bool):
                answers[q] = v
            elif q in ANSWER_FEATURES and isinstance(v, bool):
                answers[q] = v
        truth, accept = str(d["truth"]), tuple(str(a) for a in d["accept"])
        side, ool = str(d["side"]), bool(d["out_of_library"])
    except (KeyError, ValueError, TypeError, AttributeError, BodymapError) as exc:
        raise CohortError(f"{where}: not in the documented shape ({type(exc).__name__}: {exc})") from None
    if not np.all((cov >= 0) & (cov <= 1)):
        raise CohortError(f"{where}: a coverage fraction lies outside 0..1")
    painted = [atlas.regions[i].id for i in np.flatnonzero(cov > 0.02)]
    return Drawing(truth, accept, side, ool, Features(cov, sens, answers), both_legs_painted(atlas, painted),
                   painted)
