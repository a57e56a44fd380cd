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
   - a `confusable_with:` partner (L5 and S1, Albert 2019) has at least CONFUSABLE_MIN.
   The excess of the other ceilings is shared over the other hypotheses, half by their
   probability and half by their prior (shrinking towards the prior where evidence is thin).

Headless: numpy only; the matcher passes its model in.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import doubt
from .body_areas import body_region, wpi_area

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

GENERALISED_MIN = 4  # generalised pain: at least 4 of the 5 body regions (ACR 2016)
WIDESPREAD_BASE = 0.35  # share of widespread_pain when generalised pain is painted (M)
WIDESPREAD_STEP = 0.05  # more per WPI area above 4 (M)
WIDESPREAD_MAX = 0.85


# ---------------------------------------------------------------------------
# Compiled tables


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


@dataclass
class PartsMany:
    """`Parts` of many maps at once, one row per map (`one(i, ...)` gives map i's Parts; ADR 0033)."""

    mean: np.ndarray  # (N, H)
    var: np.ndarray  # (N, H)
    none_comp: np.ndarray | None  # (N, C)
    none_feat: np.ndarray  # (N,)
    ceiling: np.ndarray  # (N, len(pattern_ids))
    to_none: np.ndarray  # (N, len(pattern_ids)) bool
    wide_q: np.ndarray  # (N,)
    wide_n: np.ndarray  # (N, 2) int: body regions and WPI areas painted (the words of the widespread line)
    painted_sides: list  # per map: (), ('left',), ('right',) or ('left', 'right')

    def one(self, i: int, model, f, x: np.ndarray) -> Parts:
        """Map i's Parts (`f` and `x` as given to parts_many, for the words of its ceilings)."""
        mean = self.mean[i]
        on = (x >= 0.5).astype(float)
        nerve = [s_ for s_, on_ in zip(_sensations(), f.sensations) if on_ and s_ in NERVE_SENSATIONS]
        groups, areas = (int(n) for n in self.wide_n[i])
        wide_text = (f"pain in {groups} of the 5 body regions (generalised pain) and {areas} of the 19 areas of the "
                     "widespread pain index") if groups >= GENERALISED_MIN else ""
        return Parts(mean, self.var[i], None if self.none_comp is None else self.none_comp[i], float(self.none_feat[i]),
                     self.ceiling[i], self.to_none[i], lambda k: _reasons(model, f, x, on, mean, nerve, k),
                     float(self.wide_q[i]), wide_text, self.painted_sides[i])

    @classmethod
    def of(cls, parts: Parts) -> "PartsMany":
        """One map's Parts as a PartsMany of one row, for combine (which reads no words: wide_n is left 0)."""
        return cls(parts.mean[None], parts.var[None], None if parts.none_comp is None else parts.none_comp[None],
                   np.array([parts.none_feat]), parts.ceiling[None], parts.to_none[None], np.array([parts.wide_q]),
                   np.zeros((1, 2), dtype=int), [parts.painted_sides])


def parts_of(model, f, x: np.ndarray) -> Parts:
    """x: (R,) soft-painted share of each scored region (0 outside the scored ones)."""
    return parts_many(model, [f], x[None]).one(0, model, f, x)


def _sens_tables(model) -> np.ndarray:
    """(sensation codes, 4, H): the four sensation terms of parts_many for every code (bit i = sensation i),
    each the same matrix-vector product as one map's (kept on the model's rule tables: 32 codes)."""
    hit = model.rules.extra.get("sens_terms")
    if hit is None:
        d = model.doubt
        rows = []
        for code in range(1 << len(_sensations())):
            s = ((code >> np.arange(len(_sensations()))) & 1).astype(bool).astype(float)
            rows.append([d.sens[0] @ s, d.sens[2] @ (1 - s), d.sens[1] @ s, d.sens[3] @ (1 - s)])
        hit = model.rules.extra["sens_terms"] = np.array(rows)
        hit.flags.writeable = False
    return hit


def _region_tables(model) -> dict:
    """Per-atlas tables of parts_many: the WPI areas and body regions of each region, and its side."""
    hit = model.rules.extra.get("region_terms")
    if hit is None:
        vt = model.rules.extra
        idx = vt["wpi_idx"]
        n_areas = len(vt["wpi_region"])
        area = np.zeros((len(idx), n_areas))
        area[np.flatnonzero(idx >= 0), idx[idx >= 0]] = 1.0
        names = sorted({g for g in vt["wpi_region"] if g})
        group = np.zeros((n_areas, len(names)))
        for a, g in enumerate(vt["wpi_region"]):
            if g:
                group[a, names.index(g)] = 1.0
        hit = model.rules.extra["region_terms"] = {
            "area": area, "group": group, "left": vt["side"] == "left", "right": vt["side"] == "right",
            **_disc_tables(vt["disc_k"]),
            "nerve": np.array([s_ in NERVE_SENSATIONS for s_ in _sensations()]),
            "key_rows": {k: tuple(v.tolist()) for k, v in vt["key_rows"].items()},
        }
    return hit


def _disc_tables(disc_k: list) -> dict:
    """The answers parts_many reads (ANSWER_FEATURES, then age; a discriminating key not among them after),
    and which of them each pattern with discriminating answers needs."""
    from .matcher import ANSWER_FEATURES  # the matcher imports this module at its top

    keys = sorted({a for _, ks in disc_k for a in ks})
    asked = list(ANSWER_FEATURES) + [a for a in keys if a not in ANSWER_FEATURES and a != "age"] + ["age"]
    cols = [asked.index(a) for a in keys]
    of = np.zeros((len(keys), len(disc_k)))
    for j, (_, ks) in enumerate(disc_k):
        for a in ks:
            of[keys.index(a), j] = 1.0
    return {"asked": asked, "disc_cols": cols, "disc_of": of, "disc_ks": [k for k, _ in disc_k]}


def parts_many(model, fs: list, X: np.ndarray) -> PartsMany:
    """parts_of for many maps at once (ADR 0033): X (N, R) their soft-painted shares, fs their inputs
    (sensations, answers, key_points). Row by row the same numbers, bit for bit, as one map at a time:
    the products that sum over regions are each map's own matrix-vector products (a matrix product over
    the chunk would add in another order), everything else is elementwise or a sum of whole numbers."""
    from .matcher import ANSWER_FEATURES  # the matcher imports this module at its top

    d, rt = model.doubt, model.rules
    vt = rt.extra
    N = len(fs)
    H = len(model.hyps)
    nh = rt.n_pat
    X = np.asarray(X, dtype=float)
    NOTX = (1 - X) * model.absent_w
    terms = np.empty((7, N, H))  # e_lp x, e_lq notx, v_lp x, v_lq notx, g_p x, g_q notx, w_all x
    w_m = np.empty((N, H))
    with_none = model.none_lp is not None
    C = len(model.none_log_share) if with_none else 0
    none_terms = np.empty((2, N, C))
    none_p, none_q = (d.none_e_lp, d.none_e_lq) if d.none_e_lp is not None else (model.none_lp, model.none_lq)
    e_lp, e_lq, v_lp, v_lq, g_p, g_q, w_both = d.e_lp, d.e_lq, d.v_lp, d.v_lq, d.g_p, d.g_q, vt["w_both"]
    for i in range(N):
        x, nx = X[i], NOTX[i]
        terms[0, i] = e_lp @ x
        terms[1, i] = e_lq @ nx
        terms[2, i] = v_lp @ x
        terms[3, i] = v_lq @ nx
        terms[4, i] = g_p @ x
        terms[5, i] = g_q @ nx
        w = w_both @ x
        terms[6, i], w_m[i] = w[:H], w[H:]
        if with_none:
            none_terms[0, i] = none_p @ x
            none_terms[1, i] = none_q @ nx
    region = terms[0] + terms[1]
    var = (1 - doubt.SHARED_RHO) * (terms[2] + terms[3]) + doubt.SHARED_RHO * (terms[4] + terms[5]) ** 2
    sens = np.array([f.sensations for f in fs], dtype=bool).reshape(N, -1)
    codes = sens @ (1 << np.arange(sens.shape[1]))
    st = _sens_tables(model)[codes]  # (N, 4, H)
    mean = region + st[:, 0] + st[:, 1]
    var = var + st[:, 2] + st[:, 3]
    answers = [f.answers for f in fs]
    tabs = _region_tables(model)
    given = [[ans.get(a) for a in tabs["asked"]] for ans in answers]  # ANSWER_FEATURES, ..., age
    yes = np.array([[v is True for v in row] for row in given]).reshape(N, -1)
    no = np.array([[v is False for v in row] for row in given]).reshape(N, -1)
    n_ans = len(ANSWER_FEATURES)
    # answers: the model's own log table, with its range's spread; each map's in ANSWER_FEATURES order
    for j in np.flatnonzero((yes[:, :n_ans] | no[:, :n_ans]).any(axis=0)).tolist():
        for rows, lp, v in ((np.flatnonzero(yes[:, j]), model.ans_lp, d.ans[1]),
                            (np.flatnonzero(no[:, j]), model.ans_lq, d.ans[3])):
            if rows.size:
                mean[rows] += lp[:, j]
                var[rows] += v[:, j]
    ages = [row[-1] for row in given]
    old = np.array([isinstance(a, int) and not isinstance(a, bool) and a >= 60 for a in ages])
    young = np.array([isinstance(a, int) and not isinstance(a, bool) and a < 60 for a in ages])
    for rows, (e, v) in ((np.flatnonzero(old), d.age[:2]), (np.flatnonzero(young), d.age[2:])):
        if rows.size:
            mean[rows] += e
            var[rows] += v
    # the ISNCSCI key sensory point painted: evidence for that root on that side (M); a row two points
    # speak for (a bilateral root) gets the term twice, one addition after the other, as one map at a time
    key_rows = tabs["key_rows"]
    hits = [i * H + h for i, f in enumerate(fs) for key in (getattr(f, "key_points", ()) or ())
            for h in key_rows.get(key, ())]
    if hits:
        times = np.bincount(hits, minlength=N * H).reshape(N, H)
        for n in range(1, int(times.max()) + 1):
            np.add(mean, KEY_POINT_LLR, out=mean, where=times >= n)
            np.add(var, doubt.LOGIT_SD["M"] ** 2, out=var, where=times >= n)
    none_comp, none_feat = None, np.zeros(N)
    if with_none:
        none_comp = none_terms[0] + none_terms[1]
        none_feat = mean[:, nh] - region[:, nh]
    # both sides: a bilateral hypothesis needs paint on both sides inside the pattern's area
    on = (X >= 0.5).astype(float)
    lr = on @ vt["lr"].T  # counts of regions: whole numbers, exact in any order
    both = (lr[:, :nh] > 0) & (lr[:, nh:] > 0)
    head = mean[:, :nh]
    head[(vt["bilateral"] & ~both) | vt["dead"]] = -np.inf  # a symmetric pattern has no one side
    mean[:, nh + 1:] = -np.inf  # widespread is set by rule below
    n_ids = len(model.pattern_ids)
    K = len(model.lib.patterns)
    ceiling = np.ones((N, n_ids))
    to_none = np.zeros((N, n_ids), dtype=bool)
    painted = on.sum(axis=1)
    nerve = (sens & tabs["nerve"]).any(axis=1)
    c = ceiling[:, :K]
    far_n = on @ vt["remote_k"].T
    far = far_n > 0  # never where nothing is painted (0 / 1 there: a share no row reads)
    c_far = np.minimum(CEILING, 1.0 - far_n / np.maximum(painted, 1.0)[:, None])
    c[far] = c_far[far]
    to_none[:, :K] = far & ~(nerve[:, None] & (NERVE_JOINT_CEILING < c_far))
    if vt["disc_k"]:  # a discriminating answer not given (yes or no) holds its pattern's line
        said = yes[:, tabs["disc_cols"]] | no[:, tabs["disc_cols"]]
        unanswered = (~said).astype(float) @ tabs["disc_of"] > 0  # (N, patterns with such answers)
        ks = tabs["disc_ks"]
        c[:, ks] = np.where(unanswered, np.minimum(c[:, ks], CEILING), c[:, ks])
    if nerve.any():
        cj = c[:, vt["joint_k"]]
        cj[nerve] = np.minimum(cj[nerve], NERVE_JOINT_CEILING)
        c[:, vt["joint_k"]] = cj
    best = 3 * np.arange(K) + head.reshape(N, K, 3).argmax(axis=2)
    r = np.arange(N)[:, None]
    wa, wm = terms[6][r, best], w_m[r, best]
    m_cap = (wa > 0) & (wm / np.where(wa > 0, wa, 1.0) >= M_SHARE_CAP)
    c[m_cap] = np.minimum(c[m_cap], CEILING)
    # widespread pain (ACR 2016)
    areas_on = (on @ tabs["area"]) > 0
    n_areas = areas_on.sum(axis=1)
    n_groups = ((areas_on @ tabs["group"]) > 0).sum(axis=1)
    wide = n_groups >= GENERALISED_MIN
    wide_q = np.where(wide, np.minimum(WIDESPREAD_MAX, WIDESPREAD_BASE + WIDESPREAD_STEP
                                       * np.maximum(0, n_areas - GENERALISED_MIN)), 0.0)
    left, right = (on[:, tabs["left"]] > 0).any(axis=1), (on[:, tabs["right"]] > 0).any(axis=1)
    sides = [("left", "right") if lt and rt_ else ("left",) if lt else ("right",) if rt_ else ()
             for lt, rt_ in zip(left.tolist(), right.tolist())]
    return PartsMany(mean, var, none_comp, none_feat, ceiling, to_none, wide_q,
                     np.stack([n_groups, n_areas], axis=1), sides)


def _reasons(model, f, x: np.ndarray, on: np.ndarray, mean: np.ndarray, nerve: list, k: int) -> list:
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
    return reasons


def _sensations():
    from .painting import SENSATIONS

    return SENSATIONS


def combine(model, parts: Parts, T: float) -> np.ndarray:
    """The probability of every hypothesis (model.hyps) a clinician sees, at temperature T."""
    post, confused = combine_many(model, PartsMany.of(parts), T)
    parts.confused = confused[0]
    return post[0]


def _belief(rt, post: np.ndarray, n_ids: int) -> np.ndarray:
    """(N, n_ids) each map's belief in each pattern line: the same sums, in the same order, as a bincount per map."""
    N = len(post)
    idx = (np.arange(N)[:, None] * n_ids + rt.hyp_pat).ravel()
    return np.bincount(idx, weights=post.ravel(), minlength=N * n_ids).reshape(N, n_ids)


def combine_many(model, pm: PartsMany, T: float) -> tuple[np.ndarray, list[dict]]:
    """combine for many maps at once: ((N, H) probabilities, per map {line: confusable partner name}).
    Row by row the same numbers as one map at a time (ADR 0033)."""
    rt = model.rules
    nh = rt.n_pat
    mean = pm.mean.copy()
    N, H = mean.shape
    if pm.none_comp is not None:
        mean[:, nh] = T * np.logaddexp.reduce(model.none_log_share + pm.none_comp / T, axis=1) + pm.none_feat
    with np.errstate(invalid="ignore"):
        mu = np.where(np.isfinite(mean), model.log_prior + mean / T, -np.inf)
    post = doubt.averaged_softmax_many(mu, np.sqrt(np.maximum(pm.var, 0.0)) / T, rt.hyp_pat)
    n_ids = len(model.pattern_ids)
    none_h = np.flatnonzero(rt.hyp_pat == n_ids - 2)
    wide_h = H - 1
    # the prior share of a moved excess goes only to hypotheses on the painted side(s)
    hside = rt.extra["hside"]
    on_side = np.array([hside == s[0] if len(s) == 1 else np.ones(H, dtype=bool) for s in pm.painted_sides])
    prior = np.where(np.isfinite(mean) & on_side.reshape(N, H), rt.log_prior, 0.0)
    ceiling = pm.ceiling.copy()
    belief0 = _belief(rt, post, n_ids)
    confused: list[dict] = [{} for _ in range(N)]
    pairs = rt.extra["confusable"]  # pairs the drawing cannot tell apart (Albert 2019): a line's first
    if pairs:  # partner not ruled out holds it at CEILING and is named
        ks, js = np.array(pairs).T
        hit = (belief0[:, js] >= CONFUSABLE_MIN) & (CEILING < ceiling[:, ks])
        for i, p in zip(*np.nonzero(hit)):
            if ks[p] not in confused[i]:
                confused[i][int(ks[p])] = model.lib.patterns[js[p]].name
                ceiling[i, ks[p]] = CEILING
    mine_of = rt.hyp_pat == np.arange(n_ids)[:, None]  # (lines, H): each line's hypotheses
    others_of = ~mine_of & (np.arange(H) != wide_h)  # ...and where its excess may go
    for _ in range(3):  # a moved excess can push another line over its ceiling
        belief = _belief(rt, post, n_ids)
        over = belief > ceiling + 1e-12
        if not over.any():
            break
        for k in np.flatnonzero(over.any(axis=0)).tolist():  # each map's lines in order, as one map at a time
            rows = np.flatnonzero(over[:, k])
            b, c = belief[rows, k], ceiling[rows, k]
            excess = b - c
            p = post[rows]
            p[:, mine_of[k]] *= (c / b)[:, None]
            to_none = pm.to_none[rows, k]
            some = bool(to_none.any())
            if some:
                p[np.ix_(np.flatnonzero(to_none), none_h)] += excess[to_none][:, None]
            if not to_none.all():
                move = ~to_none
                q, e, pr = (p[move], excess[move], prior[rows[move]]) if some else (p, excess, prior[rows])
                others = others_of[k]
                w1 = np.where(others, q, 0.0)
                w2 = np.where(others, pr, 0.0)
                w = (0.5 * w1 / np.maximum(w1.sum(axis=1, keepdims=True), 1e-300)
                     + 0.5 * w2 / np.maximum(w2.sum(axis=1, keepdims=True), 1e-300))
                q += e[:, None] * w / w.sum(axis=1, keepdims=True)
                if some:
                    p[move] = q
            post[rows] = p
    wide = np.flatnonzero(pm.wide_q > 0)
    if wide.size:
        post[wide] *= (1 - pm.wide_q[wide])[:, None]
        post[wide, wide_h] = pm.wide_q[wide]
    return post / post.sum(axis=1, keepdims=True), confused
