#!/usr/bin/env python3
"""Independent simulated cohort of patient pain drawings (for checking bodymap).

Pure Python 3.11 + numpy + pyyaml. Imports nothing from bodymap. Every number
the simulation uses comes from cohort.yaml (beside this file) as
[value, "source key", "R"|"S"|"M"]; the file is validated before use.

    generate(n, seed, regions) -> list[dict]
    python generate.py --n 20 --seed 1 --regions /work/indep/atlas_regions.json
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import yaml

COHORT_PATH = Path(__file__).resolve().parent / "cohort.yaml"

# The matcher's pattern ids as listed in /work/indep/pattern_ids.json, plus the
# two non-pattern answers a ranking can give.
PATTERN_IDS = (
    "root_L2 root_L3 root_L4 root_L5 root_S1 bilateral_radicular lumbar_spinal_stenosis "
    "hip_joint si_joint facet_lumbar piriformis gtps meralgia_paresthetica peroneal_nerve "
    "nonspecific_low_back distal_symmetric_polyneuropathy vascular_claudication knee_joint "
    "proximal_hamstring plantar_heel_pain root_C5 root_C6 root_C7 root_C8 facet_cervical "
    "shoulder_subacromial carpal_tunnel cubital_tunnel radial_sensory thoracic_outlet "
    "polyneuropathy_gloves renal_colic abdominal_aortic_aneurysm"
).split()
EXTRA_ANSWERS = ("none", "widespread_pain")
SENSATIONS = ("aching", "sharp", "burning", "pins_and_needles", "numbness")
NERVE_SENSATIONS = ("burning", "pins_and_needles", "numbness")
YESNO_KEYS = (
    "numbness", "weakness", "worse_sitting", "worse_walking", "better_resting",
    "calf_pain_walking_eases_rest", "clumsy_hands_or_walking", "night_numb_hands",
    "neck_movement_pain", "arm_raising_pain",
)
LABELS = ("R", "S", "M")
DISTAL_WORDS = ("foot", "toe", "sole", "heel", "finger", "thumb", "hand", "palm", "thenar", "web_space")


class CohortError(ValueError):
    """cohort.yaml or the regions passed in are not usable."""


# --------------------------------------------------------------------------- validation
def _is_triple(x) -> bool:
    return (isinstance(x, list) and len(x) == 3 and isinstance(x[0], (int, float))
            and not isinstance(x[0], bool) and isinstance(x[1], str) and isinstance(x[2], str))


def _check_numbers(node, path, sources, problems):
    """Every number must sit in a [value, source, label] triple with a known source."""
    if _is_triple(node):
        key, lab = node[1], node[2]
        if key not in sources:
            problems.append(f"{path}: unknown source key {key!r}")
        if lab not in LABELS:
            problems.append(f"{path}: label {lab!r} is not R, S or M")
        elif key in sources and sources[key].get("label") == "M" and lab != "M":
            problems.append(f"{path}: number labelled {lab} but its source {key!r} is an M estimate")
        return
    if isinstance(node, bool):
        return
    if isinstance(node, (int, float)):
        problems.append(f"{path}: bare number {node!r} without [value, source, label]")
        return
    if isinstance(node, dict):
        for k, v in node.items():
            _check_numbers(v, f"{path}.{k}", sources, problems)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _check_numbers(v, f"{path}[{i}]", sources, problems)


def _region_names(cfg):
    for cid, c in cfg["conditions"].items():
        for j, comp in enumerate(c.get("territory", [])):
            for name in comp["r"]:
                yield f"conditions.{cid}.territory[{j}]", name
    for j, site in enumerate(cfg.get("comorbid_sites", [])):
        for name in site["r"]:
            yield f"comorbid_sites[{j}]", name


def validate(cfg: dict, regions: list[dict]) -> None:
    """Raise CohortError with one clear message listing every problem."""
    problems: list[str] = []
    sources = cfg.get("sources") or {}
    for k, s in sources.items():
        if not isinstance(s, dict) or s.get("label") not in LABELS or not s.get("cite"):
            problems.append(f"sources.{k}: needs cite and label R/S/M")
    for section in ("meta", "drawing", "comorbid_sites", "profiles", "conditions"):
        if section not in cfg:
            problems.append(f"missing section {section!r}")
        else:
            _check_numbers(cfg[section], section, sources, problems)
    ids = {r.get("id") for r in regions if isinstance(r, dict)}
    if not ids:
        problems.append("no regions were passed in")
    missing: dict[str, str] = {}
    for where, name in _region_names(cfg):
        if name in ids:
            continue
        for rid in (f"{s}_{name}" for s in ("right", "left")):
            if rid not in ids:
                missing.setdefault(rid, where)
    if missing:
        names = sorted(missing)
        shown = ", ".join(names[:12]) + (f", ... ({len(names)} in all)" if len(names) > 12 else "")
        problems.append(f"region ids used by cohort.yaml are not in the regions passed in: {shown}"
                        f" (first use: {missing[names[0]]})")
    conds = cfg.get("conditions", {})
    ok_accept = set(PATTERN_IDS) | set(EXTRA_ANSWERS)
    for cid, c in conds.items():
        ool = bool(c.get("out_of_library", False))
        if not ool and cid not in PATTERN_IDS:
            problems.append(f"conditions.{cid}: not a pattern id and not marked out_of_library")
        if ool and cid in PATTERN_IDS:
            problems.append(f"conditions.{cid}: a pattern id cannot be out_of_library")
        acc = c.get("accept") or []
        if not acc:
            problems.append(f"conditions.{cid}: empty accept list")
        for a in acc:
            if a not in ok_accept:
                problems.append(f"conditions.{cid}: accept id {a!r} unknown")
        if c.get("profile") not in cfg.get("profiles", {}):
            problems.append(f"conditions.{cid}: unknown profile {c.get('profile')!r}")
        if not c.get("territory"):
            problems.append(f"conditions.{cid}: no territory")
        for k in list(c.get("sensations", {})):
            if k not in SENSATIONS:
                problems.append(f"conditions.{cid}.sensations: unknown sensation {k!r}")
        for k in list(c.get("answers", {})):
            if k not in YESNO_KEYS:
                problems.append(f"conditions.{cid}.answers: unknown answer key {k!r}")
    for p in PATTERN_IDS:
        if p not in conds:
            problems.append(f"pattern id {p!r} has no condition in the cohort")
    if problems:
        raise CohortError("cohort.yaml is invalid (" + str(len(problems)) + " problem(s)): "
                          + "; ".join(problems))


def load_cohort(path: Path | str = COHORT_PATH) -> dict:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# --------------------------------------------------------------------------- helpers
def v(x) -> float:
    """Value of a [value, source, label] triple."""
    return float(x[0])


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


class _Atlas:
    def __init__(self, regions):
        self.ids = [r["id"] for r in regions]
        self.idset = set(self.ids)
        self.nb = {r["id"]: [t for t in r.get("touches_same_view", []) if t in self.idset] for r in regions}
        self.side = {r["id"]: r.get("side") for r in regions}

    def resolve(self, name: str, side: str) -> str:
        sid = f"{side}_{name}"
        if sid in self.idset:
            return sid
        return name  # midline region (validated to exist)


# --------------------------------------------------------------------------- generator
def generate(n: int, seed: int, regions: list[dict], cohort: dict | None = None) -> list[dict]:
    cfg = cohort if cohort is not None else load_cohort()
    validate(cfg, regions)
    atlas = _Atlas(regions)
    rng = np.random.default_rng(seed)
    D = cfg["drawing"]

    cids = list(cfg["conditions"])
    shares = np.array([v(cfg["conditions"][c]["share"]) for c in cids])
    ool = np.array([bool(cfg["conditions"][c].get("out_of_library", False)) for c in cids])
    target = v(cfg["meta"]["out_of_library_target_share"])  # in-library and OOL weights scaled to this split
    if ool.any() and (~ool).any():
        shares = np.where(ool, shares / shares[ool].sum() * target, shares / shares[~ool].sum() * (1 - target))
    shares = shares / shares.sum()
    styles = list(D["painter_styles"])
    style_p = np.array([v(D["painter_styles"][s]["share"]) for s in styles])
    style_p = style_p / style_p.sum()
    como = cfg.get("comorbid_sites", [])
    como_w = np.array([v(s["w"]) for s in como]) if como else np.array([])
    if como:
        como_w = como_w / como_w.sum()
    conc = v(D["cov_concentration"])

    def beta_cov(mean: float) -> float:
        mean = min(max(mean, 0.03), 0.97)
        return float(np.clip(rng.beta(mean * conc, (1 - mean) * conc), 0.02, 1.0))

    out = []
    for _ in range(n):
        cid = cids[int(rng.choice(len(cids), p=shares))]
        c = cfg["conditions"][cid]
        st = D["painter_styles"][styles[int(rng.choice(len(styles), p=style_p))]]
        cov_mean, p_exp, spill = v(st["cov_mean"]), v(st["p_exp"]), v(st["spill"])

        # ---- side (the patient's side)
        midline = c.get("laterality") == "midline"
        if c.get("dominant_arm"):
            primary = "right" if rng.random() < v(D["dominant_right_share"]) else "left"
        else:
            primary = "right" if rng.random() < 0.5 else "left"
        other = "left" if primary == "right" else "right"
        p_bil = v(c["bilateral"]) if "bilateral" in c else 0.0
        bilateral = (not midline) and rng.random() < p_bil
        symmetric = p_bil >= v(D["symmetric_threshold"])
        if midline:
            side_label = "none"
            passes = [(primary, 1.0, 1.0), (other, 1.0, 1.0)]
        elif bilateral:
            side_label = "bilateral"
            if symmetric:
                passes = [(primary, 1.0, 1.0), (other, v(D["symmetric_keep"]), v(D["symmetric_cov_scale"]))]
            else:
                passes = [(primary, 1.0, 1.0), (other, v(D["contralateral_keep"]), v(D["contralateral_cov_scale"]))]
        else:
            side_label = primary
            passes = [(primary, 1.0, 1.0)]

        cov: dict[str, float] = {}

        def paint(rid: str, frac: float):
            cov[rid] = max(cov.get(rid, 0.0), round(float(frac), 3))

        # ---- territory components
        keep = v(D["region_keep_in_component"])
        for comp in c["territory"]:
            p = v(comp["p"]) ** p_exp
            fired_midline = rng.random() < p if midline else None
            for side, k_side, cscale in passes:
                fire = fired_midline if midline else (rng.random() < p * k_side)
                if not fire:
                    continue
                names = comp["r"]
                chosen = [nm for nm in names if len(names) == 1 or rng.random() < keep]
                if not chosen:
                    chosen = [names[int(rng.integers(len(names)))]]
                for nm in chosen:
                    paint(atlas.resolve(nm, side), beta_cov(cov_mean * cscale))
        if not cov:  # every patient here has pain somewhere: paint the most likely component
            best = max(c["territory"], key=lambda comp: v(comp["p"]))
            for nm in best["r"]:
                paint(atlas.resolve(nm, primary), beta_cov(cov_mean))

        core = dict(cov)
        # ---- contiguity: bridge unpainted regions lying between painted ones
        min_c = v(D["gap_fill_min_cov"])
        for rid in atlas.ids:
            if rid in cov:
                continue
            if sum(1 for t in atlas.nb[rid] if core.get(t, 0) >= min_c) >= 2 and rng.random() < v(D["gap_fill_prob"]):
                paint(rid, beta_cov(cov_mean * v(D["gap_fill_cov_scale"])))
        # ---- brush strokes crossing borders
        for rid, f in list(cov.items()):
            for t in atlas.nb[rid]:
                if t not in cov and rng.random() < spill * f:
                    paint(t, rng.uniform(0.01, v(D["spill_cov_max"])))
        # ---- unrelated second pain site
        if como and rng.random() < v(D["comorbid_pain_prob"]):
            site = como[int(rng.choice(len(como), p=como_w))]
            s2 = "right" if rng.random() < 0.5 else "left"
            for nm in site["r"]:
                if rng.random() < keep:
                    paint(atlas.resolve(nm, s2), beta_cov(cov_mean * v(D["comorbid_cov_scale"])))
        # ---- stray marks
        if rng.random() < v(D["stray_mark_prob"]):
            for _k in range(int(rng.integers(1, 3))):
                rid = atlas.ids[int(rng.integers(len(atlas.ids)))]
                if rid not in cov:
                    paint(rid, rng.uniform(0.005, v(D["stray_cov_max"])))

        # ---- sensations
        prof = cfg["profiles"][c["profile"]]
        sens_p = {k: v(x) for k, x in prof["sensations"].items()}
        sens_p.update({k: v(x) for k, x in c.get("sensations", {}).items()})
        z = rng.normal(0.0, v(D["neuro_latent_sd"]))
        distal = any(any(w in rid for w in DISTAL_WORDS) for rid, f in core.items())
        sensations: list[str] = []
        skipped_sens = rng.random() < v(D["sensation_skip_prob"])
        if not skipped_sens:
            for s in SENSATIONS:
                lo = _logit(sens_p.get(s, 0.0))
                if s in NERVE_SENSATIONS:
                    lo += z
                    if distal and c["profile"] in ("radicular", "cervical_radicular"):
                        lo += v(D["distal_neuro_boost"])
                if rng.random() < _sigmoid(lo):
                    sensations.append(s)
            if not sensations:
                sensations.append(max(SENSATIONS, key=lambda s: sens_p.get(s, 0.0)))

        # ---- answers
        ans_p = {k: v(x) for k, x in prof["answers"].items()}
        ans_p.update({k: v(x) for k, x in c.get("answers", {}).items()})
        skipper = rng.random() < v(D["skipper_share"])
        skip_p = v(D["skipper_skip_prob"]) if skipper else v(D["answer_skip_prob"])
        answers: dict = {}
        for key in YESNO_KEYS:
            if rng.random() < skip_p:
                continue
            p = ans_p.get(key, 0.05)
            if key == "numbness" and not skipped_sens:
                if "numbness" in sensations or "pins_and_needles" in sensations:
                    p = max(p, v(D["numbness_answer_if_ticked"]))
                else:
                    p = p * v(D["numbness_answer_if_not_ticked_scale"])
            answers[key] = bool(rng.random() < p)
        if rng.random() >= v(D["age_skip_prob"]):
            age = rng.normal(v(c["age"]), v(D["age_sd"]))
            answers["age"] = int(np.clip(round(age), v(D["age_min"]), v(D["age_max"])))

        out.append({
            "truth": cid,
            "accept": list(c["accept"]),
            "side": side_label,
            "out_of_library": bool(c.get("out_of_library", False)),
            "coverage": {k: cov[k] for k in sorted(cov)},
            "sensations": sensations,
            "answers": answers,
        })
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Simulated pain-drawing cohort (independent of bodymap).")
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--regions", required=True, help="atlas_regions.json (uses its 'regions' list)")
    ap.add_argument("--cohort", default=str(COHORT_PATH))
    a = ap.parse_args(argv)
    with open(a.regions, encoding="utf-8") as fh:
        data = json.load(fh)
    regions = data["regions"] if isinstance(data, dict) else data
    try:
        drawings = generate(a.n, a.seed, regions, load_cohort(a.cohort))
    except CohortError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for d in drawings:
        print(json.dumps(d, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
