"""The rules a clinician applies without thinking, and the doubt about the tables, for the matcher.

The matcher (bodymap.matcher) scores every (pattern, side) hypothesis with a tempered naive-Bayes
likelihood. This module turns those scores into the probabilities a clinician sees
(docs/adr/0019-probs-table-uncertainty.md):

1. **Doubt about the tables.** Each number has a range (bodymap.doubt); the posterior is
   averaged over tables drawn from those ranges: the mean and variance of each hypothesis's
   log-likelihood are matrix products, and the average of the softmax is taken over fixed draws.
2. **Both sides.** A bilateral hypothesis needs paint on both sides inside the pattern's area;
   a symmetric pattern (e.g. a polyneuropathy) has no one-sided hypothesis at all.
3. **Widespread pain** (ACR 2016, Wolfe 2016): generalised pain in at least 4 of 5 body regions
   makes `widespread_pain` a hypothesis whose share grows with the widespread pain index (WPI,
   0-19 areas); the rest is scaled down, so no single pattern can be "strong".
4. **Ceilings** (at most `CEILING`, below "strong"), each with a reason shown as evidence:
   - paint outside the pattern's area in another quarter of the body (arm, neck, head, chest,
     abdomen for a low back pattern): also at most the share of the painting the pattern covers;
     the excess goes to "no pattern fits well";
   - a discriminating answer (patterns.yaml `discriminating:`) not given;
   - burning or pins and needles painted, for a joint pattern (at most NERVE_JOINT_CEILING: weak);
   - the painted areas the pattern explains rest mostly on team estimates (M);
   - a `confusable_with:` partner (L5 and S1, Albert 2019) has at least CONFUSABLE_MIN;
   - the pattern's `evidence_ceiling:` (ADR 0036): the most its best published diagnostic
     accuracy supports (0.65 by default, where no such study exists).
   The excess of the other ceilings is shared over the other hypotheses, half by their
   probability and half by their prior (shrinking towards the prior where evidence is thin).

Headless: numpy only; the matcher passes its model in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import doubt

CEILING = 0.65  # below calibration.STRONG_AT: "moderately consistent" at most (ADR 0019)
NERVE_JOINT_CEILING = 0.35  # burning or tingling painted: a joint pattern is "weakly consistent" at most (M)
TERRITORY_P = 0.10  # a region is in a pattern's area if the pattern reaches it at least this often
M_SHARE_CAP = 0.5  # a drawing "rests on M numbers" when M numbers carry at least half its support
CONFUSABLE_MIN = 0.02  # a partner not ruled out (at least 2%) holds the line below strong (Albert 2019; M)
NERVE_SENSATIONS = ("burning", "pins_and_needles")
# painting a root's ISNCSCI key sensory point: about half of that root's drawings cover it, about
# a tenth of other drawings do (bodymap estimate, M): log(0.5 / 0.1)
KEY_POINT_LLR = float(np.log(0.5 / 0.1))
TRUNK_FRONT = ("chest", "upper_abdomen", "lower_abdomen")

# ACR 2016 widespread pain index areas (Wolfe et al. 2016, S): 7 areas per side and 5 axial.
# Atlas stems not listed here (hands and fingers, feet, head and face) are not WPI areas. Atlas 3's finer
# upper-body regions sit in the area they are part of, as regions/indices.yaml counts them: the trapezius
# ridge with the shoulder girdle (M), the arm strips with the upper arm, the forearm halves with the lower
# arm, the shoulder blade and between the shoulder blades with the upper back; its jaw region is the jaw.
WPI_SIDED = {
    "front_of_shoulder": "shoulder girdle", "back_of_shoulder": "shoulder girdle", "trapezius_ridge": "shoulder girdle",
    "upper_arm_front": "upper arm", "upper_arm_back": "upper arm", "lateral_arm": "upper arm", "medial_arm": "upper arm",
    "elbow_front": "lower arm", "elbow_back": "lower arm",
    "forearm_radial_front": "lower arm", "forearm_ulnar_front": "lower arm",
    "forearm_radial_back": "lower arm", "forearm_ulnar_back": "lower arm",
    "jaw": "jaw",
    "buttock": "hip", "lower_buttock": "hip", "lateral_hip": "hip", "sacroiliac": "hip", "groin": "hip",
    "anterior_thigh": "upper leg", "lateral_thigh": "upper leg", "medial_thigh": "upper leg",
    "posterior_thigh": "upper leg", "posterolateral_thigh": "upper leg",
    "knee": "lower leg", "back_of_knee": "lower leg", "shin": "lower leg", "calf": "lower leg",
    "lateral_leg": "lower leg", "medial_leg": "lower leg",
}
WPI_AXIAL = {"front_of_neck": "neck", "back_of_neck": "neck", "upper_back": "upper back", "scapular": "upper back",
             "interscapular": "upper back", "mid_back": "lower back",
             "lower_back": "lower back", "sacrum": "lower back", "chest": "chest", "upper_abdomen": "abdomen",
             "lower_abdomen": "abdomen"}
UPPER_AREAS = ("shoulder girdle", "upper arm", "lower arm", "jaw")
# generalised pain counts these five regions; jaw, chest and abdomen are not part of it (ACR 2016)
GENERALISED_AXIAL = ("neck", "upper back", "lower back")
GENERALISED_MIN = 4
WIDESPREAD_BASE = 0.35  # share of widespread_pain when generalised pain is painted (M)
WIDESPREAD_STEP = 0.05  # more per WPI area above 4 (M)
WIDESPREAD_MAX = 0.85


# Atlas 3 (ADR 0021) cut eight atlas 2 regions finer: the hand into digits, thenar and hypothenar,
# the forearm into halves, the front of the upper arm into three strips, the face and the back of
# the head into parts, the upper back into four. "No pain in the hand" is one observation however
# finely the hand is cut, so an unpainted region counts as its share (1/n) of the old region it
# refines (ADR 0024); painted regions count in full, so a painted thumb still tells C6 from C8.
REFINES = {
    "palm": "palm", "thenar": "palm", "hypothenar": "palm",
    **{f"{d}_palmar": "palm" for d in ("thumb", "index_finger", "middle_finger", "ring_finger", "little_finger")},
    "back_of_hand": "back_of_hand", "first_web_space": "back_of_hand",
    **{f"{d}_dorsal": "back_of_hand" for d in ("thumb", "index_finger", "middle_finger", "ring_finger",
                                                "little_finger")},
    "forearm_radial_front": "forearm_front", "forearm_ulnar_front": "forearm_front",
    "forearm_radial_back": "forearm_back", "forearm_ulnar_back": "forearm_back",
    "upper_arm_front": "upper_arm_front", "lateral_arm": "upper_arm_front", "medial_arm": "upper_arm_front",
    "face": "face", "temple": "face", "jaw": "face",
    "back_of_head": "back_of_head", "occiput": "back_of_head",
    "upper_back": "upper_back", "trapezius_ridge": "upper_back", "scapular": "upper_back", "interscapular": "upper_back",
}


def absence_weights(regions) -> np.ndarray:
    """(R,) the weight of each region's "not painted" term: 1 over the number of regions (same view
    and side) that refine one old region, else 1 (ADR 0024)."""
    fam = [(REFINES.get(r.stem, r.stem + "#"), r.view, r.side) for r in regions]
    n: dict = {}
    for k in fam:
        n[k] = n.get(k, 0) + 1
    return np.array([1.0 / n[k] for k in fam])


def wpi_area(region) -> str | None:
    """The WPI area a region belongs to ('right upper leg', 'neck'), or None."""
    if region.stem in WPI_AXIAL:
        return WPI_AXIAL[region.stem]
    if region.stem in WPI_SIDED and region.side in ("left", "right"):
        return f"{region.side} {WPI_SIDED[region.stem]}"
    return None


def body_region(area: str) -> str | None:
    """The ACR 2016 body region of a WPI area for generalised pain, or None (jaw, chest, abdomen)."""
    if area in GENERALISED_AXIAL:
        return "axial"
    side, _, rest = area.partition(" ")
    if rest == "jaw" or side not in ("left", "right"):
        return None
    return f"{side} {'upper' if rest in UPPER_AREAS else 'lower'}"


# ---------------------------------------------------------------------------
# Compiled tables


@dataclass
class Doubt:
    e_lp: np.ndarray  # (H, R) E log theta
    e_lq: np.ndarray  # (H, R) E log(1 - theta)
    v_lp: np.ndarray
    v_lq: np.ndarray
    g_p: np.ndarray  # (H, R) slope of log theta per unit of the pattern-wide logit error
    g_q: np.ndarray
    sens: tuple  # (E lp, V lp, E lq, V lq) each (H, 5)
    ans: tuple  # each (H, A)
    age: tuple  # each (H,)
    none_e_lp: np.ndarray | None = None  # (C, R) E log theta of the none components
    none_e_lq: np.ndarray | None = None


def compile_doubt(P, sd, sens, sens_sd, ans, ans_sd, age, age_sd) -> Doubt:
    e_lp, v_lp, e_lq, v_lq, g_p, g_q = doubt.log_moments(P, sd)
    s = doubt.log_moments(sens, sens_sd)[:4]
    a = doubt.log_moments(ans, ans_sd)[:4]
    g = doubt.log_moments(age, age_sd)[:4]
    return Doubt(e_lp, e_lq, v_lp, v_lq, g_p, g_q, s, a, g)


@dataclass
class RuleTables:
    hyp_pat: np.ndarray  # (H,) index into model.pattern_ids
    n_pat: int  # hypotheses 0..n_pat-1 are (pattern, side); then none, then widespread
    territory: np.ndarray  # (H, R) bool
    left: np.ndarray  # (H, R) bool: territory on the left
    right: np.ndarray  # (H, R) bool
    remote: np.ndarray  # (H, R) bool: outside the territory, in a quarter of the body the pattern never reaches
    w_all: np.ndarray  # (H, R) support of a painted region (log of p over the floor), on the territory
    w_m: np.ndarray  # (H, R) the part of it carried by M numbers
    joint: np.ndarray  # (H,) bool
    disc: list  # per hypothesis: the discriminating answer keys
    wpi: list  # per region: WPI area or None
    log_prior: np.ndarray  # (H,) prior of each hypothesis, normalised over the scored ones
    extra: dict = field(default_factory=dict)


def compile_rules(model, labm: np.ndarray) -> RuleTables:
    lib, atlas = model.lib, model.atlas
    pids = model.pattern_ids
    H, R = model.region_p.shape
    n_pat = 3 * len(lib.patterns)
    hyp_pat = np.array([pids.index(pid) for pid, _ in model.hyps])
    P = model.region_p
    side = np.array([r.side for r in atlas.regions])
    quarter = np.array(["upper" if (r.level == "upper" or r.stem in TRUNK_FRONT) else "lower"
                        for r in atlas.regions])
    territory = np.zeros((H, R), dtype=bool)
    remote = np.zeros((H, R), dtype=bool)
    territory[:n_pat] = P[:n_pat] >= TERRITORY_P
    for k in range(len(lib.patterns)):
        hb = 3 * k + 2  # the bilateral row covers both sides
        quarters = set(quarter[territory[hb]])
        far = ~np.isin(quarter, list(quarters)) & (P[hb] < TERRITORY_P)
        remote[3 * k: 3 * k + 3] = far
    floor = max(lib.region_p, 1e-3)
    w_all = np.where(territory, np.log(np.maximum(P, floor) / floor), 0.0)
    w_m = w_all * labm
    joint = np.array([h < n_pat and lib.get(pid).kind == "joint" for h, (pid, _) in enumerate(model.hyps)])
    disc = [lib.get(pid).discriminating if h < n_pat else () for h, (pid, _) in enumerate(model.hyps)]
    lp = model.log_prior.copy()
    lp[n_pat + 1:] = -np.inf
    lp = lp - np.logaddexp.reduce(lp[np.isfinite(lp)])
    rt = RuleTables(hyp_pat, n_pat, territory, territory & (side == "left"), territory & (side == "right"),
                    remote, w_all, w_m, joint, disc, [wpi_area(r) for r in atlas.regions], np.exp(lp))
    rt.extra.update(_vector_tables(model, rt, side))
    return rt


def _vector_tables(model, rt: RuleTables, side: np.ndarray) -> dict:
    """Arrays that let one map's rules run without a Python loop over hypotheses or regions."""
    lib, nh = model.lib, rt.n_pat
    K = len(lib.patterns)
    hside = np.array([s_ for _, s_ in model.hyps])
    key_rows: dict = {}
    for h in range(nh):
        pid, hs = model.hyps[h]
        if pid.startswith("root_"):
            for ks in (("left", "right") if hs == "bilateral" else (hs,)):
                key_rows.setdefault((pid[5:], ks), []).append(h)
    areas = sorted({a for a in rt.wpi if a})
    wpi_idx = np.array([areas.index(a) if a else -1 for a in rt.wpi])
    ids = model.pattern_ids
    return {
        "hside": hside,
        "key_rows": {k: np.array(v) for k, v in key_rows.items()},
        "lr": np.vstack([rt.left[:nh], rt.right[:nh]]).astype(float),  # (2 nh, R)
        "bilateral": hside[:nh] == "bilateral",
        "dead": np.array([not np.isfinite(model.log_prior[h]) or model.log_prior[h] < -600 for h in range(nh)]),
        "remote_k": rt.remote[2:nh:3].astype(float),  # (K, R): each pattern's bilateral row covers both sides
        "joint_k": rt.joint[2:nh:3],
        "disc_k": [(k, rt.disc[3 * k + 2]) for k in range(K) if rt.disc[3 * k + 2]],
        "w_both": np.vstack([rt.w_all, rt.w_m]),  # (2H, R)
        "wpi_idx": wpi_idx,
        "wpi_region": [body_region(a) for a in areas],
        "side": side,
        "confusable": [(k, ids.index(o)) for k, pat in enumerate(lib.patterns) for o in pat.confusable_with],
        "rows_of": [np.flatnonzero(rt.hyp_pat == k) for k in range(len(ids))],
        "evidence_k": np.array([pat.evidence_ceiling[0] if pat.evidence_ceiling else 1.0 for pat in lib.patterns]),
    }


# ---------------------------------------------------------------------------
# One map


@dataclass
class Parts:
    """Everything about one map the final probabilities need, before the temperature."""

    mean: np.ndarray  # (H,) expected log-likelihood over the table ranges (-inf: hypothesis ruled out)
    var: np.ndarray  # (H,) its variance
    none_comp: np.ndarray | None  # (C,) the none components' region log-likelihoods (tempered per T)
    none_feat: float  # the none row's feature log-likelihood
    ceiling: np.ndarray  # (len(pattern_ids),) ceiling per pattern line
    to_none: np.ndarray  # (len(pattern_ids),) bool: the ceiling's excess goes to "no pattern fits well"
    reasons_of: Any  # (k) -> [(text, source, ceiling, always shown)] of pattern k, written when read
    wide_q: float = 0.0
    wide_text: str = ""
    painted_sides: tuple = ()
    confused: dict = field(default_factory=dict)  # line index -> partner name, filled by combine (for evidence)

    @property
    def reasons(self) -> "_Reasons":
        """pattern index -> list of (text, source, ceiling, always shown): written only for the
        lines a ranking shows (batch scoring never reads them)."""
        if not isinstance(self.reasons_of, _Reasons):
            self.reasons_of = _Reasons(self.reasons_of)
        return self.reasons_of


class _Reasons(dict):
    """{pattern index: reasons}, each pattern's written on first `get`."""

    def __init__(self, write):
        super().__init__()
        self._write = write

    def get(self, k, default=None):
        if k not in self:
            self[k] = self._write(k)
        return super().get(k) or default


def parts_of(model, f, x: np.ndarray) -> Parts:
    """x: (R,) soft-painted share of each scored region (0 outside the scored ones)."""
    d, rt = model.doubt, model.rules
    vt = rt.extra
    notx = (1 - x) * model.absent_w
    region = d.e_lp @ x + d.e_lq @ notx
    var = (1 - doubt.SHARED_RHO) * (d.v_lp @ x + d.v_lq @ notx) + doubt.SHARED_RHO * (d.g_p @ x + d.g_q @ notx) ** 2
    s = f.sensations.astype(float)
    mean = region + d.sens[0] @ s + d.sens[2] @ (1 - s)
    var = var + d.sens[1] @ s + d.sens[3] @ (1 - s)
    from .matcher import ANSWER_FEATURES  # the matcher imports this module at its top

    for j, a in enumerate(ANSWER_FEATURES):  # answers: the model's own log table, with its range's spread
        v = f.answers.get(a)
        if v is True:
            mean, var = mean + model.ans_lp[:, j], var + d.ans[1][:, j]
        elif v is False:
            mean, var = mean + model.ans_lq[:, j], var + d.ans[3][:, j]
    age = f.answers.get("age")
    if isinstance(age, int) and not isinstance(age, bool):
        mean, var = (mean + d.age[0], var + d.age[1]) if age >= 60 else (mean + d.age[2], var + d.age[3])
    nh = rt.n_pat
    # the ISNCSCI key sensory point painted: evidence for that root on that side (M)
    for key in getattr(f, "key_points", ()) or ():
        rows = vt["key_rows"].get(key)
        if rows is not None:
            mean[rows] += KEY_POINT_LLR
            var[rows] += doubt.LOGIT_SD["M"] ** 2
    none_comp, none_feat = None, 0.0
    if model.none_lp is not None:
        none_comp = (d.none_e_lp @ x + d.none_e_lq @ notx) if d.none_e_lp is not None else \
            (model.none_lp @ x + model.none_lq @ notx)
        none_feat = float(mean[nh] - region[nh])
    # both sides: a bilateral hypothesis needs paint on both sides inside the pattern's area
    on = (x >= 0.5).astype(float)
    lr = vt["lr"] @ on
    both = (lr[:nh] > 0) & (lr[nh:] > 0)
    mean[:nh][(vt["bilateral"] & ~both) | vt["dead"]] = -np.inf  # a symmetric pattern has no one side
    mean[nh + 1:] = -np.inf  # widespread is set by rule below
    n_ids = len(model.pattern_ids)
    K = len(model.lib.patterns)
    ceiling = np.ones(n_ids)
    to_none = np.zeros(n_ids, dtype=bool)
    painted = float(on.sum())
    nerve = [s_ for s_, on_ in zip(_sensations(), f.sensations) if on_ and s_ in NERVE_SENSATIONS]
    c = ceiling[:K]
    if painted:
        far_n = vt["remote_k"] @ on
        far = far_n > 0
        c_far = np.minimum(CEILING, 1.0 - far_n / painted)
        c[far] = c_far[far]
        to_none[:K] = far & ~(bool(nerve) & (NERVE_JOINT_CEILING < c_far))
    for k, keys in vt["disc_k"]:
        if any(not isinstance(f.answers.get(a), bool) for a in keys):
            c[k] = min(c[k], CEILING)
    if nerve:
        c[vt["joint_k"]] = np.minimum(c[vt["joint_k"]], NERVE_JOINT_CEILING)
    best = 3 * np.arange(K) + mean[:nh].reshape(K, 3).argmax(axis=1)
    w = vt["w_both"] @ x
    wa, wm = w[:len(model.hyps)][best], w[len(model.hyps):][best]
    with np.errstate(invalid="ignore", divide="ignore"):
        m_cap = (wa > 0) & (wm / np.where(wa > 0, wa, 1.0) >= M_SHARE_CAP)
    c[m_cap] = np.minimum(c[m_cap], CEILING)
    np.minimum(c, vt["evidence_k"], out=c)  # the most the pattern's published accuracy supports (ADR 0036)
    # widespread pain (ACR 2016)
    onr = np.flatnonzero(on > 0)
    idx = vt["wpi_idx"][onr]
    areas = np.unique(idx[idx >= 0])
    groups = {vt["wpi_region"][a] for a in areas} - {None}
    wide_q, wide_text = 0.0, ""
    if len(groups) >= GENERALISED_MIN:
        wide_q = min(WIDESPREAD_MAX, WIDESPREAD_BASE + WIDESPREAD_STEP * max(0, len(areas) - GENERALISED_MIN))
        wide_text = (f"pain in {len(groups)} of the 5 body regions (generalised pain) and {len(areas)} of the 19 "
                     "areas of the widespread pain index")
    sides = tuple(sorted(set(vt["side"][onr].tolist()) - {"midline"}))
    made: list = []  # the Parts, for its reasons (which confusable pair combine found)
    made.append(Parts(mean, var, none_comp, none_feat, ceiling, to_none,
                      lambda k: _reasons(model, f, x, on, mean, nerve, k, made), wide_q, wide_text, sides))
    return made[0]


def _reasons(model, f, x: np.ndarray, on: np.ndarray, mean: np.ndarray, nerve: list, k: int,
             made: list = ()) -> list:
    """The words for each ceiling of parts_of on pattern line k (the same tests, written out for the evidence)."""
    rt = model.rules
    reasons: list = []

    def cap(k: int, c: float, text: str, source: str, always: bool = True) -> None:
        """`always`: shown even when the line stays below the ceiling anyway (else only when it binds)."""
        reasons.append((text, source, c, always))

    painted = float(on.sum())
    names = rt.extra.get("names") or rt.extra.setdefault("names", [r.name for r in model.atlas.regions])
    if k < len(model.lib.patterns):
        hb = 3 * k + 2
        pat = model.lib.patterns[k]
        far = np.flatnonzero(rt.remote[hb] & (on > 0))
        if far.size and painted:
            share = far.size / painted
            where = ", ".join(names[i] for i in far[:3]) + (" and more" if far.size > 3 else "")
            cap(k, min(CEILING, 1.0 - share), f"pain in the {where}: outside the area of {pat.name}, which "
                f"explains at most {100 * (1 - share):.0f}% of the painted areas", "bodymap rule (ADR 0019)")
        missing = [a for a in rt.disc[hb] if not isinstance(f.answers.get(a), bool)]
        if missing:
            said = " and ".join(a.replace("_", " ") for a in missing)
            cap(k, CEILING, f"not answered: '{said}', which tells {pat.name} from its look-alikes; it cannot "
                "be strongly consistent until it is", "bodymap rule (ADR 0019)")
        if rt.joint[hb] and nerve:
            cap(k, NERVE_JOINT_CEILING, f"{' and '.join(s.replace('_', ' ') for s in nerve)} painted: nerve qualities, "
                f"unusual for a joint ({pat.name})", "seed 003 (user's reading)")
        best = max(range(3 * k, 3 * k + 3), key=lambda h: mean[h])
        wa = float(rt.w_all[best] @ x)
        if wa > 0 and float(rt.w_m[best] @ x) / wa >= M_SHARE_CAP:
            cap(k, CEILING, f"the painted areas that fit {pat.name} rest mostly on bodymap estimates (M), "
                "not on published figures", "bodymap rule (ADR 0019)", always=False)
        ec, src = pat.evidence_ceiling or (1.0, "")
        confused = k in (made[0].confused if made else {})  # filled by combine, before reasons are written
        if ec < 1.0 and not any(c <= ec for _, _, c, _ in reasons) and not (confused and ec >= CEILING):
            # said only where no other reason holds the line as low (a confusable pair says Albert 2019)
            estimate = src.startswith("bodymap estimate") or src.startswith("defaults.")
            cap(k, ec, (f"no published study shows that a drawing tells {pat.name} from its look-alikes; it "
                        "cannot be strongly consistent") if estimate else
                (f"the best published accuracy of a drawing of {pat.name} against its look-alikes supports "
                 f"at most {100 * ec:.0f}%"), model.lib.cite(src), always=False)
    return reasons


def _sensations():
    from .painting import SENSATIONS

    return SENSATIONS


def combine(model, parts: Parts, T: float) -> np.ndarray:
    """The probability of every hypothesis (model.hyps) a clinician sees, at temperature T."""
    rt = model.rules
    nh = rt.n_pat
    mean = parts.mean.copy()
    if parts.none_comp is not None:
        mean[nh] = T * float(np.logaddexp.reduce(model.none_log_share + parts.none_comp / T)) + parts.none_feat
    with np.errstate(invalid="ignore"):
        mu = np.where(np.isfinite(mean), model.log_prior + mean / T, -np.inf)
    post = doubt.averaged_softmax(mu, np.sqrt(np.maximum(parts.var, 0.0)) / T, rt.hyp_pat)
    n_ids = len(model.pattern_ids)
    none_k = n_ids - 2
    wide_h = len(model.hyps) - 1
    # the prior share of a moved excess goes only to hypotheses on the painted side(s)
    hside = rt.extra["hside"]
    on_side = (hside == parts.painted_sides[0]) if len(parts.painted_sides) == 1 else np.ones(len(hside), dtype=bool)
    prior = np.where(np.isfinite(mean) & on_side, rt.log_prior, 0.0)
    ceiling = parts.ceiling.copy()
    belief0 = np.bincount(rt.hyp_pat, weights=post, minlength=n_ids)
    parts.confused = {}
    for k, j in rt.extra["confusable"]:  # a pair the drawing cannot tell apart (Albert 2019)
        if belief0[j] >= CONFUSABLE_MIN and CEILING <= ceiling[k]:  # shown also where another ceiling is as low
            ceiling[k] = CEILING
            parts.confused[k] = model.lib.patterns[j].name
    for _ in range(3):  # a moved excess can push another line over its ceiling
        belief = np.bincount(rt.hyp_pat, weights=post, minlength=n_ids)
        over = np.flatnonzero(belief > ceiling + 1e-12)
        if not over.size:
            break
        for k in over:
            mine = rt.hyp_pat == k
            now = float(post[mine].sum())  # not belief[k]: an earlier line's excess may have reached it this round
            if now <= ceiling[k]:
                continue
            excess = now - ceiling[k]
            post[mine] *= ceiling[k] / now  # moves exactly `excess`, so the final division changes nothing
            if parts.to_none[k]:
                post[rt.hyp_pat == none_k] += excess
                continue
            others = ~mine & (np.arange(len(post)) != wide_h)
            w1 = np.where(others, post, 0.0)
            w2 = np.where(others, prior, 0.0)
            w = 0.5 * w1 / max(w1.sum(), 1e-300) + 0.5 * w2 / max(w2.sum(), 1e-300)
            post += excess * w / w.sum()
    if parts.wide_q > 0:
        post *= 1 - parts.wide_q
        post[wide_h] = parts.wide_q
    return post / post.sum()
