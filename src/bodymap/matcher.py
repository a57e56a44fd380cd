"""The pattern matcher: which referral patterns a pain map is consistent with, and why.

Model (docs/adr/0003-matcher-model.md): a Bernoulli likelihood per atlas region
("does the pain reach this region?") under each (pattern, side) hypothesis,
using the per-region probabilities in regions/patterns.yaml, times Bernoulli
likelihoods of the sensations painted and the answers given, times the
pattern's prior. Regions are soft evidence: a region counts as painted in
proportion to how much of it is covered (`soft_painted`). The naive-Bayes
product over-counts correlated regions, so log-likelihoods are tempered by a
single temperature fitted on the validation set (regions/calibration.yaml); the
reported probabilities are those tempered posteriors, with their Brier score and
calibration error published in docs/validation.md.

Red flags are computed separately from the answers and are never affected by
the ranking. Saddle-area painting prompts the red-flag questions; it is not
scored. It is never a diagnosis.

Vectorised: scoring a map is two small matrix products once the atlas and
patterns are loaded; no Python loop over pixels.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from . import body_areas, doubt, features, rules, vocabulary
from .citations import cite
from .features import _NonzeroBits, key_points_in, painted_key_points  # noqa: F401 - their old home
from .localprior import (LOCAL_PRIOR_ENV, LOCAL_PRIOR_SCHEMA, LocalPrior, local_prior_path,  # noqa: F401
                         read_local_prior, with_local_prior)
from .atlas import Atlas, load_atlas
from .bands import band_for
from .errors import PatternError
from .paths import regions_dir
from .painting import SENSATIONS, PainMap
from .redflags import (RED_FLAG_QUESTIONS, RED_FLAG_TEXT, RedFlag, RiskFactor, evaluate, red_flags,  # noqa: F401
                       risk_factors)

ANSWER_FEATURES = ("numbness", "weakness", "worse_sitting", "worse_walking", "better_resting",
                   "calf_pain_walking_eases_rest",
                   "night_numb_hands", "neck_movement_pain", "arm_raising_pain", "clumsy_hands_or_walking")  # upper limb, issue 24
DEFAULT_ANSWER_P = 0.3  # a pattern's chance of a "yes" when neither it nor defaults.answers lists the answer
NOT_SCORED_STEMS = ("perineum", "pubic")  # saddle area: prompts the red-flag questions instead
NONE_ID = "none"
WIDESPREAD_ID = "widespread_pain"
RARE_MAX_P = 0.06  # a region listed under `rare:` may not be given a higher probability
TOP_N = 8
SOFT_LOW, SOFT_HIGH = 0.02, 0.20  # coverage ramp: below 2% not painted, above 20% fully painted


# ---------------------------------------------------------------------------
# Result types


@dataclass(frozen=True)
class Evidence:
    text: str
    direction: str  # "for" or "against"
    source: str
    weight: float = 0.0  # |log likelihood ratio| contribution, for ordering

    def to_json(self) -> dict[str, str]:
        return {"text": self.text, "direction": self.direction, "source": self.source}


@dataclass(frozen=True)
class Hypothesis:
    id: str
    side: str  # left, right or bilateral
    probability: float
    name: str
    plain_name: str
    evidence: tuple[Evidence, ...] = ()
    # one line per pattern (ADR 0019): `probability` is the belief in the pattern, all sides
    # together; `side` is its most probable side and `sides` the per-side numbers
    sides: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def band(self) -> str:
        """'strong', 'moderate' or 'weak' (bands.band_for; cut points in docs/adr/0008)."""
        return band_for(min(max(self.probability, 0.0), 1.0))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "side": self.side, "probability": round(self.probability, 4), "band": self.band,
                "name": self.name, "evidence": [e.to_json() for e in self.evidence],
                "sides": {k: round(v, 4) for k, v in self.sides.items()}}


@dataclass
class Ranking:
    """Red flags first, then hypotheses ordered by probability."""

    red_flags: list[RedFlag]
    hypotheses: list[Hypothesis]
    prompts: list[str]
    summary: dict[str, Any]
    all_probabilities: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    risk_factors: list[RiskFactor] = field(default_factory=list)  # lone ones: prompts, never flags (ADR 0009)

    @property
    def top(self) -> Hypothesis | None:
        return self.hypotheses[0] if self.hypotheses else None

    def to_json(self) -> dict[str, Any]:
        return {
            "red_flags": [f.to_json() for f in self.red_flags],
            "hypotheses": [h.to_json() for h in self.hypotheses],
            "prompts": list(self.prompts),
            "risk_factors": [x.to_json() for x in self.risk_factors],
            "summary": self.summary,
            "disclaimer": DISCLAIMER,
        }


DISCLAIMER = ("Decision aid, not a diagnosis: painted areas overlap heavily between sources of pain "
              "(Albert 2019; Taylor 2013). Probabilities are calibrated on simulated and textbook cases only.")


# ---------------------------------------------------------------------------
# Pattern library


@dataclass(frozen=True)
class Pattern:
    id: str
    name: str
    plain_name: str
    kind: str
    prior: float
    p_bilateral: float
    regions: dict[str, tuple[float, str]]  # stem -> (p, source)
    midline: dict[str, tuple[float, str]]
    rare: tuple[str, ...]
    sensations: dict[str, tuple[float, str]]
    answers: dict[str, tuple[float, str]]
    age60: tuple[float, str] | None
    key_points: tuple[dict, ...]
    labels: dict[str, str] = field(default_factory=dict, compare=False)  # "regions.calf" -> "R", "S" or "M"
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict, compare=False)  # explicit `range:` only
    symmetric: bool = False  # both sides by definition: no one-sided hypothesis (ADR 0019)
    discriminating: tuple[str, ...] = ()  # answers without which the pattern cannot be "strong"
    safety: str = ""  # a safety-net line shown with the pattern (e.g. the cauda equina link)
    confusable_with: tuple[str, ...] = ()  # patterns a drawing cannot tell it from (held below strong together)
    evidence_ceiling: tuple[float, str] | None = None  # (p, source): the most its published accuracy supports (ADR 0036)

    def sd(self, key: str) -> float:
        """The logit-scale doubt about one number ('regions.calf'): from its range or its label."""
        return doubt.sd_for(self.labels.get(key, "M"), self.ranges.get(key))


@dataclass(frozen=True)
class NoneComponent:
    """One kind of drawing outside the library: its chance of pain reaching a region inside the
    library's territory, outside it, or (if it has a core) a region whose stem is in its core."""

    id: str
    text: str
    share: float
    inside: float
    outside: float
    source: str
    core: float | None = None  # chance for the regions whose stem is in core_stems (overrides inside/outside)
    core_stems: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoneModel:
    """'No pattern fits well' as an explicit model of out-of-library drawings (docs/adr/0007)."""

    prior: float
    reach: float  # a region is in the library's territory if some pattern reaches it this often
    components: tuple[NoneComponent, ...]
    source: str


@dataclass
class PatternLibrary:
    patterns: list[Pattern]
    sources: dict[str, dict]
    region_p: float
    contralateral_p: float
    none_p_lower: float
    none_p_upper: float
    none_prior: float
    temperature: float
    path: Path
    answer_defaults: dict[str, tuple[float, str]] = field(default_factory=dict)
    none: NoneModel | None = None

    def get(self, pid: str) -> Pattern:
        for p in self.patterns:
            if p.id == pid:
                return p
        raise PatternError(f"unknown pattern id {pid!r}; known: {', '.join(p.id for p in self.patterns)}")

    def cite(self, source: str) -> str:
        cache = self.__dict__.setdefault("_cites", {})
        if source not in cache:
            cache[source] = cite(source, self.sources)
        return cache[source]


def _prob(d: Any, where: str) -> tuple[float, str]:
    if not isinstance(d, dict) or "p" not in d:
        raise PatternError(f"{where}: needs {{p, source, label}}")
    p = d["p"]
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < float(p) < 1:
        raise PatternError(f"{where}: p must be a number strictly between 0 and 1, got {p!r}")
    src = d.get("source")
    if not isinstance(src, str) or not src:
        raise PatternError(f"{where}: every number needs a source")
    if d.get("label") not in ("R", "S", "M"):
        raise PatternError(f"{where}: label must be R, S or M")
    return float(p), src


def load_patterns(path: str | Path | None = None, calibration: str | Path | None = None) -> PatternLibrary:
    from .yamlio import read_yaml

    path = Path(path) if path else regions_dir() / "patterns.yaml"
    doc = read_yaml(path, PatternError, what="a pattern library")
    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.patterns/1":
        raise PatternError(f"{path}: schema must be 'bodymap.patterns/1'")
    sources = doc.get("sources") or {}
    if not isinstance(sources, dict):
        raise PatternError(f"{path}: 'sources' must be a mapping")
    defaults = doc.get("defaults") or {}
    region_p, _ = _prob(defaults.get("region_p"), f"{path}: defaults.region_p")
    contra_p, _ = _prob(defaults.get("contralateral_p"), f"{path}: defaults.contralateral_p")
    ans_defaults = {a: _prob(v, f"{path}: defaults.answers.{a}") for a, v in (defaults.get("answers") or {}).items()}
    ceil_default = (_prob(defaults["evidence_ceiling"], f"{path}: defaults.evidence_ceiling")  # ADR 0036
                    if "evidence_ceiling" in defaults else None)
    pats = []
    seen = set()
    for k, pd in enumerate(doc.get("patterns") or []):
        pid = pd.get("id") if isinstance(pd, dict) else None
        if not isinstance(pid, str):
            raise PatternError(f"{path}: patterns[{k}] needs an id")
        w = f"{path}: pattern '{pid}'"
        if pid in seen:
            raise PatternError(f"{w}: defined twice")
        seen.add(pid)
        for src_field in _all_sources(pd):
            if not (src_field in sources or src_field.startswith("bodymap estimate") or src_field.startswith("seed ")):
                raise PatternError(f"{w}: source {src_field!r} is not listed under sources")
        prior, _ = _prob(pd.get("prior"), f"{w}: prior")
        sides = pd.get("sides") or {}
        p_bi = float(sides.get("bilateral", 0.1))
        regions = {stem: _prob(v, f"{w}: regions.{stem}") for stem, v in (pd.get("regions") or {}).items()}
        rare = tuple(pd.get("rare") or ())
        for stem in rare:
            if regions.get(stem, (region_p, ""))[0] > RARE_MAX_P:
                raise PatternError(f"{w}: '{stem}' is listed as rare but its probability is above {RARE_MAX_P}")
        midline = {stem: _prob(v, f"{w}: midline.{stem}") for stem, v in (pd.get("midline") or {}).items()}
        feats = pd.get("features") or {}
        sens = {s: _prob(v, f"{w}: features.sensations.{s}") for s, v in (feats.get("sensations") or {}).items()}
        ans = {a: _prob(v, f"{w}: features.answers.{a}") for a, v in (feats.get("answers") or {}).items()}
        age = _prob(feats["age_60_plus"], f"{w}: features.age_60_plus") if "age_60_plus" in feats else None
        disc = pd.get("discriminating") or ()
        if not isinstance(disc, (list, tuple)) or not all(a in ANSWER_FEATURES for a in disc):
            raise PatternError(f"{w}: discriminating must list answer keys from {', '.join(ANSWER_FEATURES)}")
        pats.append(Pattern(
            id=pid, name=str(pd.get("name", pid)), plain_name=str(pd.get("plain_name", pid)),
            kind=str(pd.get("kind", "other")), prior=prior, p_bilateral=p_bi, regions=regions, midline=midline,
            rare=rare, sensations=sens, answers=ans, age60=age,
            key_points=tuple(pd.get("key_points") or ()), labels=_labels(pd), ranges=_ranges(pd, w),
            symmetric=bool(pd.get("symmetric", False)), discriminating=tuple(disc),
            safety=str(pd.get("safety", "") or ""), confusable_with=tuple(pd.get("confusable_with") or ()),
            evidence_ceiling=(_prob(pd["evidence_ceiling"], f"{w}: evidence_ceiling") if "evidence_ceiling" in pd
                              else ceil_default)))
    if not pats:
        raise PatternError(f"{path}: no patterns")
    for p_ in pats:
        unknown = [c for c in p_.confusable_with if c not in seen]
        if unknown:
            raise PatternError(f"{path}: pattern '{p_.id}': confusable_with names unknown pattern(s) {unknown}")
    cal = _load_calibration(Path(calibration) if calibration else path.parent / "calibration.yaml")
    none_model = _none_model(doc.get("none"), f"{path}: none", sources)
    none_prior = none_model.prior if none_model else max(1e-3, 1.0 - sum(p.prior for p in pats))
    return PatternLibrary(pats, sources, region_p, contra_p, cal["none_p_lower"], cal["none_p_upper"],
                          cal.get("none_prior", none_prior), cal["temperature"], path, ans_defaults, none_model)


def _none_model(d: Any, where: str, sources: dict) -> NoneModel | None:
    """The `none:` section of patterns.yaml; without it the old flat model is used."""
    if d is None:
        return None
    if not isinstance(d, dict):
        raise PatternError(f"{where}: must be a mapping")
    for src in _all_sources(d):
        if not (src in sources or src.startswith("bodymap estimate")):
            raise PatternError(f"{where}: source {src!r} is not listed under sources")
    prior, src = _prob(d.get("prior"), f"{where}: prior")
    reach, _ = _prob(d.get("library_reach"), f"{where}: library_reach")
    comps = []
    raw = d.get("components")
    if not isinstance(raw, dict) or not raw:
        raise PatternError(f"{where}: needs components")
    for cid, c in raw.items():
        cw = f"{where}: components.{cid}"
        if not isinstance(c, dict):
            raise PatternError(f"{cw}: must be a mapping")
        share, csrc = _prob(c.get("share"), f"{cw}.share")
        inside, _ = _prob(c.get("inside"), f"{cw}.inside")
        outside, _ = _prob(c.get("outside"), f"{cw}.outside")
        core, stems = None, ()
        if "core" in c:
            core, _ = _prob(c["core"], f"{cw}.core")
            stems = c["core"].get("stems")
            if not isinstance(stems, list) or not stems or not all(isinstance(x, str) for x in stems):
                raise PatternError(f"{cw}.core: needs stems, a list of region stems")
            stems = tuple(stems)
        comps.append(NoneComponent(str(cid), str(c.get("text", cid)), share, inside, outside, csrc, core, stems))
    total = sum(c.share for c in comps)
    if abs(total - 1.0) > 1e-6:
        raise PatternError(f"{where}: component shares must add up to 1, they add up to {total:g}")
    return NoneModel(prior, reach, tuple(comps), src)


def _labels(pd: dict) -> dict[str, str]:
    """Each number's R/S/M label, keyed like 'regions.calf', 'answers.numbness', 'age_60_plus'."""
    out = {}
    feats = pd.get("features") or {}
    for section, d in (("regions", pd.get("regions")), ("midline", pd.get("midline")),
                       ("sensations", feats.get("sensations")), ("answers", feats.get("answers"))):
        for k, v in (d or {}).items():
            out[f"{section}.{k}"] = v.get("label", "M")
    if isinstance(feats.get("age_60_plus"), dict):
        out["age_60_plus"] = feats["age_60_plus"].get("label", "M")
    return out


def _ranges(pd: dict, where: str) -> dict[str, tuple[float, float]]:
    """Explicit 90% ranges (`range: [lo, hi]` beside a number); numbers without one get a range
    from their label (bodymap.doubt)."""
    out = {}
    feats = pd.get("features") or {}
    for section, d in (("regions", pd.get("regions")), ("midline", pd.get("midline")),
                       ("sensations", feats.get("sensations")), ("answers", feats.get("answers")),
                       ("", {"age_60_plus": feats.get("age_60_plus")})):
        for k, v in (d or {}).items():
            if not isinstance(v, dict) or "range" not in v:
                continue
            r = v["range"]
            key = f"{section}.{k}" if section else k
            ok = (isinstance(r, list) and len(r) == 2 and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                             for x in r) and 0 < r[0] <= v.get("p", -1) <= r[1] < 1)
            if not ok:
                raise PatternError(f"{where}: {key}.range must be [lo, hi] with 0 < lo <= p <= hi < 1")
            out[key] = (float(r[0]), float(r[1]))
    return out


def _all_sources(d: Any):
    if isinstance(d, dict):
        for k, v in d.items():
            if k == "source" and isinstance(v, str):
                yield v
            else:
                yield from _all_sources(v)
    elif isinstance(d, list):
        for v in d:
            yield from _all_sources(v)


def _load_calibration(path: Path) -> dict[str, float]:
    from .yamlio import read_yaml

    cal = {"temperature": 1.0, "none_p_lower": 0.04, "none_p_upper": 0.15}
    if path.exists():
        doc = read_yaml(path, PatternError, what="a calibration file")
        if isinstance(doc, dict):
            for k in ("temperature", "none_p_lower", "none_p_upper", "none_prior"):
                if k in doc and isinstance(doc[k], (int, float)) and not isinstance(doc[k], bool):
                    cal[k] = float(doc[k])
    return cal


# ---------------------------------------------------------------------------
# The compiled model: matrices over the atlas regions


@dataclass
class Model:
    atlas: Atlas
    lib: PatternLibrary
    hyps: list[tuple[str, str]]  # (pattern id or none, side)
    log_prior: np.ndarray  # (H,)
    region_p: np.ndarray  # (H, R)
    lp: np.ndarray  # (H, R) log p
    lq: np.ndarray  # (H, R) log (1-p)
    scored: np.ndarray  # (R,) bool: regions that enter the likelihood
    sens_lp: np.ndarray  # (H, 5)
    sens_lq: np.ndarray
    ans_lp: np.ndarray  # (H, A)
    ans_lq: np.ndarray
    age_lp: np.ndarray  # (H,)
    age_lq: np.ndarray
    # the none hypothesis as a mixture of out-of-library components (C components over R regions)
    none_lp: np.ndarray | None = None  # (C, R)
    none_lq: np.ndarray | None = None
    none_log_share: np.ndarray | None = None  # (C,)
    inside: np.ndarray | None = None  # (R,) bool: regions some pattern reaches often (the library's territory)
    doubt: Any = None  # doubt.Doubt: moments of the log tables over their ranges (ADR 0019)
    rules: Any = None  # rules.RuleTables: territories, sides, M shares (ADR 0019)
    local_prior: Any = None  # LocalPrior in use (opt-in, BODYMAP_LOCAL_PRIOR), or None: the library's priors
    absent_w: np.ndarray | None = None  # (R,) weight of a region's "not painted" term (body_areas.absence_weights, ADR 0024)

    @property
    def pattern_ids(self) -> list[str]:
        """Every id a ranking line can have: the patterns, none, widespread_pain."""
        return [p.id for p in self.lib.patterns] + [NONE_ID, WIDESPREAD_ID]


def compile_model(atlas: Atlas, lib: PatternLibrary) -> Model:
    regions = atlas.regions
    R = len(regions)
    hyps: list[tuple[str, str]] = []
    priors = []
    rows = []
    sd_rows = []  # the logit-scale doubt about every number in `rows` (bodymap.doubt, ADR 0019)
    labm = []  # 1 where the number is a team estimate (M)
    sd_m = doubt.LOGIT_SD["M"]
    for p in lib.patterns:
        for side in ("right", "left", "bilateral"):
            share = p.p_bilateral if side == "bilateral" else (1 - p.p_bilateral) / 2
            if p.symmetric:  # both sides by definition: the one-sided hypotheses do not exist
                share = 1.0 if side == "bilateral" else 0.0
            hyps.append((p.id, side))
            priors.append(p.prior * max(share, 1e-300))
            row = np.empty(R)
            sdr = np.full(R, sd_m)
            mrow = np.ones(R)
            for i, r in enumerate(regions):
                if r.side == "midline":
                    row[i] = p.midline.get(r.stem, (lib.region_p, ""))[0]
                    key = f"midline.{r.stem}"
                    if r.stem in p.midline:
                        sdr[i], mrow[i] = p.sd(key), float(p.labels.get(key, "M") == "M")
                elif side == "bilateral" or r.side == side:
                    # never below the other side's stray-mark rate: an unusual region on the affected
                    # side must not count as evidence for the same pattern on the other side
                    row[i] = max(p.regions.get(r.stem, (lib.region_p, ""))[0], lib.contralateral_p)
                    key = f"regions.{r.stem}"
                    if r.stem in p.regions and p.regions[r.stem][0] >= lib.contralateral_p:
                        sdr[i], mrow[i] = p.sd(key), float(p.labels.get(key, "M") == "M")
                else:
                    row[i] = lib.contralateral_p
            rows.append(row)
            sd_rows.append(sdr)
            labm.append(mrow)
    # "no pattern fits well": an explicit model of drawings outside the library (docs/adr/0007)
    hyps.append((NONE_ID, "bilateral"))
    priors.append(lib.none_prior)
    comp = None
    inside = None
    if lib.none is not None:
        reach = np.max(np.vstack(rows), axis=0)  # the most any pattern (any side) reaches each region
        inside = reach >= lib.none.reach
        stem_of = np.array([r.stem for r in regions])
        comp = np.array([np.where(np.isin(stem_of, c.core_stems), c.core if c.core is not None else 0.0,
                                  np.where(inside, c.inside, c.outside)) for c in lib.none.components])
        shares = np.array([c.share for c in lib.none.components])
        rows.append(shares @ comp)  # the mixture's mean, for display and the evidence
    else:
        rows.append(np.array([lib.none_p_upper if r.level == "upper" else lib.none_p_lower for r in regions]))
    sd_rows.append(np.full(R, sd_m))
    labm.append(np.ones(R))
    # widespread pain (ACR 2016): a hypothesis set by rule from the painted areas, not by likelihood
    hyps.append((WIDESPREAD_ID, "bilateral"))
    priors.append(1e-300)
    rows.append(np.array([0.5 if body_areas.wpi_area(r) else lib.region_p for r in regions]))
    sd_rows.append(np.full(R, sd_m))
    labm.append(np.ones(R))
    P = np.clip(np.vstack(rows), 1e-4, 1 - 1e-4)
    H = len(hyps)
    sens = np.full((H, len(SENSATIONS)), 0.3)
    ans = np.tile([lib.answer_defaults.get(a, (DEFAULT_ANSWER_P, ""))[0] for a in ANSWER_FEATURES], (H, 1))
    age = np.full(H, 0.35)
    sens_sd = np.full(sens.shape, sd_m)
    ans_sd = np.full(ans.shape, sd_m)
    age_sd = np.full(H, sd_m)
    n_pat = len(lib.patterns) * 3
    for h, (pid, _) in enumerate(hyps[:n_pat]):
        pat = lib.get(pid)
        for j, s in enumerate(SENSATIONS):
            if s in pat.sensations:
                sens[h, j] = pat.sensations[s][0]
                sens_sd[h, j] = pat.sd(f"sensations.{s}")
        for j, a in enumerate(ANSWER_FEATURES):
            if a in pat.answers:
                ans[h, j] = pat.answers[a][0]
                ans_sd[h, j] = pat.sd(f"answers.{a}")
        if pat.age60:
            age[h] = pat.age60[0]
            age_sd[h] = pat.sd("age_60_plus")
    # the none (and widespread) rows use the average pattern for features: features alone never favour them
    for h in range(n_pat, H):
        sens[h] = sens[:n_pat].mean(axis=0)
        ans[h] = ans[:n_pat].mean(axis=0)
        age[h] = age[:n_pat].mean()
    scored = np.array([r.stem not in NOT_SCORED_STEMS for r in regions])
    model = Model(atlas, lib, hyps, np.log(np.asarray(priors)), P, np.log(P), np.log1p(-P), scored,
                  np.log(sens), np.log1p(-sens), np.log(ans), np.log1p(-ans), np.log(age), np.log1p(-age))
    model.absent_w = scored * body_areas.absence_weights(regions)
    model.doubt = doubt.compile_doubt(P, np.vstack(sd_rows), sens, sens_sd, ans, ans_sd, age, age_sd)
    model.rules = rules.compile_rules(model, np.vstack(labm))
    if comp is not None:
        comp = np.clip(comp, 1e-4, 1 - 1e-4)
        model.none_lp, model.none_lq = np.log(comp), np.log1p(-comp)
        # the none components are estimates too: the same doubt (and the same Jensen term) as a pattern's M numbers
        e_lp, _, e_lq, _, _, _ = doubt.log_moments(comp, np.full(comp.shape, sd_m))
        model.doubt.none_e_lp, model.doubt.none_e_lq = e_lp, e_lq
        model.none_log_share = np.log(np.array([c.share for c in lib.none.components]))
        model.inside = inside
    return model


_GENERATION = [0]  # bumped by forget_models(): a refit pattern or calibration file is read again

def get_model(atlas: Atlas | None = None, patterns_path: str | Path | None = None,
              local_prior: str | Path | bool | None = None) -> Model:
    """The compiled model for `atlas` and a pattern file, kept on the atlas (Atlas.derived) as long as it lives.

    `local_prior`: None reads BODYMAP_LOCAL_PRIOR (unset: the library's priors); False never uses
    one; a path uses that file. `Model.local_prior` says which was used (its provenance)."""
    atlas = atlas or load_atlas()
    path = str(Path(patterns_path) if patterns_path else regions_dir() / "patterns.yaml")
    prior_path = local_prior_path() if local_prior is None else (None if local_prior is False else str(local_prior))
    stamp = None
    if prior_path:
        try:
            stamp = Path(prior_path).stat().st_mtime_ns  # a refitted prior file is read again
        except OSError:
            raise PatternError(f"local prior {prior_path}: no such file (named by {LOCAL_PRIOR_ENV} or "
                               "--local-prior)") from None
    key = ("matcher.model", path, _GENERATION[0], prior_path, stamp)
    model = atlas.derived.get(key)
    if model is None:
        for old in [k for k in atlas.derived if isinstance(k, tuple) and k[:2] == ("matcher.model", path)
                    and k[3:4] == (prior_path,)]:
            del atlas.derived[old]  # an earlier generation of this file
        lib = load_patterns(path)
        prior = read_local_prior(prior_path) if prior_path else None
        model = compile_model(atlas, with_local_prior(lib, prior) if prior else lib)
        model.local_prior = prior
        atlas.derived[key] = model
    return model


def forget_models() -> None:
    """Compile every model again on next use (after the pattern or calibration file changed on disk)."""
    _GENERATION[0] += 1


def soft_painted(coverage: np.ndarray) -> np.ndarray:
    return np.clip((coverage - SOFT_LOW) / (SOFT_HIGH - SOFT_LOW), 0.0, 1.0)


@dataclass
class Features:
    """Everything the matcher reads from a pain map, as plain arrays (so batches need no PainMap)."""

    coverage: np.ndarray  # (R,) share of each region painted
    sensations: np.ndarray  # (5,) bool: painted anywhere
    answers: dict[str, Any]
    extent_percent: float = 0.0
    red_flag_ids: list = field(default_factory=list)  # filled by batch readers
    key_points: frozenset = frozenset()  # {(root, side)} whose key sensory point is painted


def features_of(pain_map: PainMap) -> Features:
    """The matcher's inputs from a PainMap, by the one feature computation (bodymap.features)."""
    return inputs_from(features.from_map(pain_map))


def inputs_from(f: features.Features) -> Features:
    """The matcher's inputs (coverage, sensations, answers) from the one feature computation."""
    return inputs_many([f])[0]


def inputs_many(fs: list[features.Features]) -> list[Features]:
    """inputs_from of many drawings, their key points found together (the drawings of one grid at a time)."""
    keys: dict = {}
    for grid in {(id(f.atlas), f.paint.scale) for f in fs}:
        idx = [i for i, f in enumerate(fs) if (id(f.atlas), f.paint.scale) == grid]
        f0 = fs[idx[0]]
        keys.update(zip(idx, features.key_points_many(f0.atlas, f0.raster, [fs[i].paint.views for i in idx])))
    return [Features(f.coverage, f.sensations, dict(f.answers), key_points=keys[i]) for i, f in enumerate(fs)]


def log_scores(model: Model, f: Features, temperature: float | None = None) -> np.ndarray:
    """Tempered log posterior (unnormalised) for every hypothesis."""
    T = model.lib.temperature if temperature is None else temperature
    x = soft_painted(f.coverage) * model.scored
    notx = (1 - soft_painted(f.coverage)) * model.absent_w
    ll = model.lp @ x + model.lq @ notx
    if model.none_lp is not None:  # the none row is a mixture: log-sum-exp over its components
        c = model.none_lp @ x + model.none_lq @ notx  # each component tempered like a pattern
        ll[-1] = T * float(np.logaddexp.reduce(model.none_log_share + c / T))
    s = f.sensations.astype(float)
    ll += model.sens_lp @ s + model.sens_lq @ (1 - s)
    for j, a in enumerate(ANSWER_FEATURES):
        v = f.answers.get(a)
        if v is True:
            ll += model.ans_lp[:, j]
        elif v is False:
            ll += model.ans_lq[:, j]
    age = f.answers.get("age")
    if isinstance(age, int) and not isinstance(age, bool):
        ll += model.age_lp if age >= 60 else model.age_lq
    return model.log_prior + ll / T


def point_posterior(model: Model, f: Features, temperature: float | None = None) -> np.ndarray:
    """The posterior of the point tables alone, without doubt or rules (for comparison only)."""
    z = log_scores(model, f, temperature)
    z = z - z.max()
    p = np.exp(z)
    return p / p.sum()


def parts_of(model: Model, f: Features) -> rules.Parts:
    """What the final probabilities need from one map, before the temperature (bodymap.rules)."""
    return rules.parts_of(model, f, soft_painted(f.coverage) * model.scored)


def posterior(model: Model, f: Features, temperature: float | None = None,
              parts: rules.Parts | None = None) -> np.ndarray:
    """The probability of every (pattern, side) hypothesis a clinician sees: averaged over the
    ranges of the tables, with the clinical rules applied (docs/adr/0019)."""
    T = model.lib.temperature if temperature is None else temperature
    return rules.combine(model, parts if parts is not None else parts_of(model, f), T)


def posterior_many(model: Model, fs: list[Features], temperature: float | None = None) -> np.ndarray:
    """(N, H): `posterior` of many maps at once, row by row the same numbers (ADR 0033)."""
    T = model.lib.temperature if temperature is None else temperature
    X = soft_painted(np.array([f.coverage for f in fs], dtype=float).reshape(len(fs), -1)) * model.scored
    return rules.combine_many(model, rules.parts_many(model, fs, X), T)[0]


# ---------------------------------------------------------------------------
# Red flags (rules in bodymap.redflags, never affected by the ranking) and prompts

def prompts_for(pain_map_summary: dict, answers: dict[str, Any], saddle_painted: bool, both_legs: bool) -> list[str]:
    out = []
    unanswered = list(vocabulary.unanswered_red_flag_keys(answers))  # a follow-up that does not apply is not open
    if saddle_painted:
        out.append("The saddle area (perineum) is painted: ask about bladder or bowel changes and saddle numbness "
                   "(cauda equina screen).")
    if both_legs:
        out.append("Both legs are painted: ask the cauda equina questions (bladder, bowel, saddle numbness, "
                   "new or worsening leg weakness, new sexual dysfunction).")
    if unanswered and pain_map_summary.get("most_distal") in ("back", "buttock", "thigh", "knee", "leg", "foot"):
        said = [vocabulary.words(q, "short") + (" (answered not sure)" if answers.get(q) == "unsure" else "")
                for q in unanswered]
        out.append(f"Red-flag questions not answered: {', '.join(said)}.")
    return out


# ---------------------------------------------------------------------------
# Evidence


def _pct(p: float) -> str:
    return f"{100 * p:.0f}%"


def share_text(p: float, label: str, who: str, verb: str, what: str = "") -> str:
    """How often `who` (e.g. 'L5 nerve root cases') `verb`s: '<what> reported in N% of <who>' for a
    figure read in a named source (label R or S), 'bodymap estimates about N% of <who> <verb>' for
    the project's own estimates (label M), so that an estimate never reads as a published figure."""
    if label in ("R", "S"):
        return f"{what + ' ' if what else ''}reported in {_pct(p)} of {who}"
    return f"bodymap estimates about {_pct(p)} of {who} {verb}"


def evidence_for(model: Model, h: int, f: Features, max_items: int = 6) -> tuple[Evidence, ...]:
    pid, side = model.hyps[h]
    atlas = model.atlas
    lib = model.lib
    x = soft_painted(f.coverage) * model.scored
    items: list[Evidence] = []
    if pid == NONE_ID:
        if model.inside is not None:
            outside = [atlas.regions[i].name for i in np.flatnonzero((x > 0.5) & ~model.inside)]
        else:
            outside = [atlas.regions[i].name for i in np.flatnonzero(x > 0.5) if atlas.regions[i].level == "upper"]
        if outside:
            items.append(Evidence(f"pain in the {', '.join(outside[:3])}: outside the areas every "
                                  "pattern in the library reaches", "for", "regions/patterns.yaml", 2.0))
        if model.none_lp is not None:
            notx = (1 - x) * model.absent_w
            best = int(np.argmax(model.none_log_share + model.none_lp @ x + model.none_lq @ notx))
            comp = lib.none.components[best]
            items.append(Evidence(f"the drawing is consistent with {comp.text}", "for", lib.cite(comp.source), 1.5))
        items.append(Evidence("no single referral pattern explains the painted area well", "for",
                              "bodymap model", 1.0))
        return tuple(items)
    pat = lib.get(pid)
    st = _pattern_stats(model, pid)
    P = model.region_p
    key_stems = st["key_stems"]
    p_other_all = st["p_other_regions"]
    cand = np.flatnonzero(model.scored & ((x > 0.5) | ((x == 0) & (P[h] >= 0.5))))
    # weigh every candidate first; write text only for the ones that will be shown
    scored_items: list[tuple[float, str, str, int]] = []  # (weight, direction, kind, region index)
    for i in cand.tolist():
        r = atlas.regions[i]
        p = float(P[h, i])
        p_other = float(p_other_all[i])
        if x[i] > 0.5:
            w = math.log(p / p_other)
            if r.stem in key_stems and (side == "bilateral" or r.side == side):
                scored_items.append((abs(w) + 1.0, "for", "key", i))
            elif p >= 0.25 and w > 0:
                scored_items.append((w, "for", "typical", i))
            elif side != "bilateral" and r.side not in (side, "midline"):
                if p <= RARE_MAX_P:
                    scored_items.append((abs(w), "against", "other_side", i))
            elif r.stem in pat.rare:  # the pattern's `rare:` list names the regions that argue against it
                scored_items.append((abs(w) + 0.5, "against", "rare", i))
        elif side == "bilateral" or r.side == side:
            scored_items.append((abs(math.log((1 - p) / max(1 - p_other, 1e-6))), "against", "missing", i))
    scored_items.sort(key=lambda t: -t[0])
    keep = [t for t in scored_items if t[1] == "for"][: max_items - 2] + \
        [t for t in scored_items if t[1] == "against"][:2]
    for w, direction, kind, i in keep:
        r = atlas.regions[i]
        p = float(P[h, i])
        src = _region_source(pat, r, side, lib)
        label = _region_label(pat, r, side)
        who = f"{pat.name} cases"
        if kind == "key":
            kp = key_stems[r.stem]
            text = f"pain reaches the {r.name}: typical of {pat.name} ({kp.get('text', 'key point')})"
            src = str(kp.get("source", src))
        elif kind == "typical":
            text = f"pain in the {r.name}: {share_text(p, label, who, 'feel pain there')}"
        elif kind == "rare":
            text = f"pain in the {r.name}: rare with {pat.name} ({share_text(p, label, who, 'feel pain there')})"
        elif kind == "other_side":
            text = (f"pain in the {r.name} (the other side): {pat.name} on the {side} seldom gives it "
                    f"({share_text(p, label, who, 'feel pain there')})")
        else:
            text = f"no pain in the {r.name}, where {share_text(p, label, who, 'feel it', 'pain is')}"
        items.append(Evidence(text, direction, lib.cite(src), w))
    if not any(t[1] == "for" for t in scored_items):
        items.append(Evidence(f"nothing painted is typical of {pat.name}: ranked only because the alternatives fit "
                              "no better", "against", "bodymap model", 3.0))
    # sensations and answers: likelihood ratio against the average other pattern
    for j, s in enumerate(SENSATIONS):
        if f.sensations[j] and s in pat.sensations:
            p = pat.sensations[s][0]
            w = math.log(p / st["p_other_sens"][j])
            if abs(w) > 0.4:
                how = share_text(p, pat.labels.get(f"sensations.{s}", "M"), f"{pat.name} cases", "feel it")
                items.append(Evidence(f"{s.replace('_', ' ')} painted: {'typical' if w > 0 else 'unusual'} for "
                                      f"{pat.name} ({how})", "for" if w > 0 else "against",
                                      lib.cite(pat.sensations[s][1]), abs(w)))
    for j, a in enumerate(ANSWER_FEATURES):
        v = f.answers.get(a)
        if not isinstance(v, bool) or a not in pat.answers:  # not given, or "unsure": no evidence either way
            continue
        p = pat.answers[a][0]
        po = st["p_other_ans"][j]
        w = math.log(p / po) if v else math.log((1 - p) / (1 - po))
        if abs(w) > 0.35:
            said = "yes" if v else "no"
            label = pat.labels.get(f"answers.{a}", "M")
            how = share_text(p if v else 1 - p, label, f"{pat.name} cases", f"would answer {said}",
                             f"a '{said}' is")
            items.append(Evidence(f"answered {said} to '{a.replace('_', ' ')}': {how}",
                                  "for" if w > 0 else "against", lib.cite(pat.answers[a][1]), abs(w)))
    age = f.answers.get("age")
    if isinstance(age, int) and not isinstance(age, bool) and pat.age60:
        p = pat.age60[0]
        po = st["p_other_age"]
        w = math.log(p / po) if age >= 60 else math.log((1 - p) / (1 - po))
        if abs(w) > 0.35:
            how = share_text(p, pat.labels.get("age_60_plus", "M"), f"{pat.name} cases", "are 60 or over",
                             "age 60 or over is")
            items.append(Evidence(f"age {age}: {how}",
                                  "for" if w > 0 else "against", lib.cite(pat.age60[1]), abs(w)))
    items.sort(key=lambda e: -e.weight)
    fors = [e for e in items if e.direction == "for"][: max_items - 2]
    against = [e for e in items if e.direction == "against"][:2]
    return tuple(sorted(fors + against, key=lambda e: (e.direction != "for", -e.weight)))


def _pattern_stats(model: Model, pid: str) -> dict:
    """Per-pattern figures the evidence compares against (the average other pattern), computed once."""
    cache = model.__dict__.setdefault("_stats", {})
    if pid not in cache:
        pat = model.lib.get(pid)
        others = np.array([i for i, (q, _) in enumerate(model.hyps) if q != pid and q != NONE_ID])
        cache[pid] = {
            "p_other_regions": model.region_p[others].mean(axis=0),
            "p_other_sens": np.exp(model.sens_lp[others]).mean(axis=0),
            "p_other_ans": np.exp(model.ans_lp[others]).mean(axis=0),
            "p_other_age": float(np.exp(model.age_lp[others]).mean()),
            "key_stems": {kp.get("region"): kp for kp in pat.key_points if isinstance(kp, dict)},
        }
    return cache[pid]


def _region_label(pat: Pattern, region, side: str) -> str:
    """R, S or M for the figure behind a region's probability (defaults are estimates, M)."""
    if region.side == "midline":
        return pat.labels.get(f"midline.{region.stem}", "M")
    if side != "bilateral" and region.side != side:
        return "M"
    return pat.labels.get(f"regions.{region.stem}", "M")


def _region_source(pat: Pattern, region, side: str, lib: PatternLibrary) -> str:
    if region.side == "midline":
        return pat.midline.get(region.stem, (0, "defaults.region_p"))[1]
    if side != "bilateral" and region.side != side:
        return "defaults.contralateral_p"
    return pat.regions.get(region.stem, (0, "defaults.region_p"))[1]


# ---------------------------------------------------------------------------
# Public entry points


def match(pain_map: PainMap, top_n: int = TOP_N, patterns_path: str | Path | None = None,
          local_prior: str | Path | bool | None = None) -> Ranking:
    """Rank the (pattern, side) hypotheses for a pain map. Red flags first; never a diagnosis.
    `local_prior` as for get_model (None: BODYMAP_LOCAL_PRIOR if set; False: the library's priors)."""
    return match_features(features.from_map(pain_map), pain_map.red_flags_recorded, top_n, patterns_path,
                          local_prior)


def match_features(f: features.Features, recorded: list[dict] | None = None, top_n: int = TOP_N,
                   patterns_path: str | Path | None = None, local_prior: str | Path | bool | None = None) -> Ranking:
    """`match` from the one feature computation: a PainMap's (features.from_map) or a file's
    (features.from_document, no PainMap built), with the red flags recorded in the file."""
    model = get_model(f.atlas, patterns_path, local_prior)
    summary = {"extent_percent": f.extent["total"], "regions": f.painted_regions(), "most_distal": f.most_distal}
    return rank(model, inputs_from(f), summary, f.both_legs, f.saddle, recorded, top_n)


def rank(model: Model, f: Features, summary: dict, both_legs: bool, saddle: bool,
         recorded: list[dict] | None = None, top_n: int = TOP_N) -> Ranking:
    from .triage import clinician_prompts  # the one place flags and prompts are made (issue 18)

    flags, risks = evaluate(f.answers, both_legs, recorded)
    prompts = clinician_prompts(f.answers, summary.get("most_distal"), saddle, both_legs, risks,
                                list(summary.get("regions", [])))
    out_summary = {"extent_percent": round(float(summary.get("extent_percent", f.extent_percent)), 3),
                   "regions": list(summary.get("regions", []))}
    if model.local_prior is not None:  # opt-in (issue 25): say which clinic prior shaped this ranking
        out_summary["local_prior"] = model.local_prior.to_json()
    if not (soft_painted(f.coverage) * model.scored).any():
        return Ranking(flags, [], prompts + (["No painted area to match yet (the saddle area is not scored: it "
                                              "prompts the red-flag questions)."] if not flags else []), out_summary,
                       risk_factors=risks)
    parts = parts_of(model, f)
    post = posterior(model, f, parts=parts)
    painted = _painted_side(model, f)
    ids = model.pattern_ids
    belief = np.bincount(model.rules.hyp_pat, weights=post, minlength=len(ids))
    hyps = []
    for k, best in pattern_lines(model, f, post)[:top_n]:
        rows = np.flatnonzero(model.rules.hyp_pat == k)
        pid, side = model.hyps[best]
        sides = {model.hyps[h][1]: float(post[h]) for h in rows if pid not in (NONE_ID, WIDESPREAD_ID)}
        if pid == NONE_ID:
            name, plain = "No pattern fits well", "no single pattern"
            side = painted
            ev = evidence_for(model, best, f)
        elif pid == WIDESPREAD_ID:
            name, plain = "Widespread pain", "pain in many parts of the body (widespread pain)"
            ev = (Evidence(parts.wide_text, "for", "Wolfe 2016 (S), ACR 2016 criteria", 3.0),) if parts.wide_text \
                else ()
        else:
            pat = model.lib.get(pid)
            name, plain = pat.name, pat.plain_name
            side = "bilateral" if pat.symmetric else side
            ev = _with_rules(evidence_for(model, best, f), parts, int(k), pat, float(belief[k]))
        hyps.append(Hypothesis(pid, side, float(belief[k]), name, plain, ev, sides))
    allp = {model.hyps[h]: float(post[h]) for h in range(len(post))}
    return Ranking(flags, hyps, prompts + _ask_next(model, f, parts, belief), out_summary, allp, risks)


def pattern_lines(model: Model, f: Features, post: np.ndarray) -> list[tuple[int, int]]:
    """(line index into model.pattern_ids, its best hypothesis) for every pattern line, most
    probable first; a line's side is its most probable side, ties going to the painted side."""
    side_rank = _side_rank(model, _painted_side(model, f))
    belief = np.bincount(model.rules.hyp_pat, weights=post, minlength=len(model.pattern_ids))
    rows_of = model.rules.extra["rows_of"]
    rpost = np.round(post, 12)
    out = []
    for k in np.lexsort((np.arange(len(belief)), -np.round(belief, 12))):
        rows = rows_of[k]
        if not rows.size or (belief[k] <= 0 and out):
            continue
        out.append((int(k), int(rows[np.lexsort((side_rank[rows], -rpost[rows]))[0]])))
    return out


def _side_rank(model: Model, painted: str) -> np.ndarray:
    """Per hypothesis: 0 on the painted side, 1 bilateral, 2 the other side (kept on the model)."""
    cache = model.__dict__.setdefault("_side_rank", {})
    if painted not in cache:
        cache[painted] = np.array([0 if side == painted else 1 if side == "bilateral" else 2 for _, side in model.hyps])
    return cache[painted]


def _with_rules(ev: tuple[Evidence, ...], parts: rules.Parts, k: int, pat: Pattern,
                belief: float = 1.0) -> tuple[Evidence, ...]:
    """The pattern's evidence, with the reasons it was held below "strong" and its safety line
    (a reason that only holds the line where it already is, like resting on estimates, is shown
    when it binds)."""
    extra = [Evidence(text, "against", src, 5.0) for text, src, c, always in parts.reasons.get(k, [])
             if always or belief >= c - 1e-6]
    if k in parts.confused:
        extra.append(Evidence(f"the drawing also fits {parts.confused[k]}; clinicians tell these apart by the "
                              "drawing no better than chance", "against", "Albert 2019 (R)", 5.0))
    if parts.wide_q > 0:
        extra.append(Evidence(f"{parts.wide_text}: widespread pain is more likely than any single pattern",
                              "against", "Wolfe 2016 (S), ACR 2016 criteria", 5.0))
    fors = [e for e in ev if e.direction == "for"]
    against = extra + [e for e in ev if e.direction == "against"]
    safety = [Evidence(pat.safety, "for", "clinical-evidence.md: NICE CKS sciatica (S); Wood 2024 (S)", 9.0)] \
        if pat.safety else []
    return tuple(safety + fors + against[:2])  # as many lines as before: the rule reasons come first


def _ask_next(model: Model, f: Features, parts: rules.Parts, belief: np.ndarray) -> list[str]:
    """'Ask next' prompts: the discriminating answers of a pattern that leads or is moderate."""
    out = []
    for k, pat in enumerate(model.lib.patterns):
        if belief[k] < 0.25 or not pat.discriminating:
            continue
        missing = [a for a in pat.discriminating if not isinstance(f.answers.get(a), bool)]
        if missing:
            out.append(f"Ask next: {', '.join(vocabulary.words(a, 'short') if _known(a) else a for a in missing)} "
                       f"(tells {pat.name} from its look-alikes).")
    return out


def _known(key: str) -> bool:
    try:
        vocabulary.words(key, "short")
        return True
    except Exception:  # noqa: BLE001 - a key the vocabulary does not word is shown as it is
        return False


def _painted_side(model: Model, f: Features) -> str:
    return _painted_sides(model, np.asarray(f.coverage)[None])[0]


def _painted_sides(model: Model, coverage: np.ndarray) -> list[str]:
    """Per row of (N, R) coverage: 'left' or 'right' where only that side is painted, else 'bilateral'."""
    on = coverage > SOFT_LOW  # soft_painted(coverage) > 0
    sides = model.__dict__.get("_region_side")
    if sides is None:
        sides = model.__dict__["_region_side"] = np.array([r.side for r in model.atlas.regions])
    left, right = (on & (sides == "left")).any(axis=1).tolist(), (on & (sides == "right")).any(axis=1).tolist()
    return ["left" if lt and not rt else "right" if rt and not lt else "bilateral" for lt, rt in zip(left, right)]


def pattern_zone(atlas: Atlas, pattern_id: str, side: str) -> dict[str, float]:
    """{region_id: probability the pattern reaches it} for overlaying a pattern's zone."""
    model = get_model(atlas)
    if pattern_id == NONE_ID:
        return {}
    try:
        h = model.hyps.index((pattern_id, side))
    except ValueError:
        raise PatternError(f"unknown pattern/side {pattern_id!r}/{side!r}") from None
    return {r.id: float(model.region_p[h, i]) for i, r in enumerate(atlas.regions) if model.scored[i]}
