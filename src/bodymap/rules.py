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

from . import doubt, rule_arrays
from .body_areas import wpi_area

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
    rt.extra.update(rule_arrays.vector_tables(model, rt, side))
    return rt


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
        made: list = []  # the Parts, for its reasons (which confusable pair combine found)
        made.append(Parts(mean, self.var[i], None if self.none_comp is None else self.none_comp[i],
                          float(self.none_feat[i]), self.ceiling[i], self.to_none[i],
                          lambda k: _reasons(model, f, x, on, mean, nerve, k, made), float(self.wide_q[i]), wide_text,
                          self.painted_sides[i]))
        return made[0]

    @classmethod
    def of(cls, parts: Parts) -> "PartsMany":
        """One map's Parts as a PartsMany of one row, for combine (which reads no words: wide_n is left 0)."""
        return cls(parts.mean[None], parts.var[None], None if parts.none_comp is None else parts.none_comp[None],
                   np.array([parts.none_feat]), parts.ceiling[None], parts.to_none[None], np.array([parts.wide_q]),
                   np.zeros((1, 2), dtype=int), [parts.painted_sides])


def parts_of(model, f, x: np.ndarray) -> Parts:
    """x: (R,) soft-painted share of each scored region (0 outside the scored ones)."""
    return parts_many(model, [f], x[None]).one(0, model, f, x)


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
    with_none = model.none_lp is not None
    C = len(model.none_log_share) if with_none else 0
    # Each table times x (the painted shares) and times (1 - x) absent_w (the unpainted), as
    # A x = A[:, painted] x[painted] and A (1 - x) absent_w = A absent_w - A[:, painted] (x absent_w)[painted]:
    # only the painted regions' rows of the tables are read (ADR 0041). One map's products at a time, so a
    # map's numbers do not depend on the chunk it is in (a matrix product adds in another order).
    ax, anx, anx_all = rule_arrays.region_products(model)
    on_x = np.empty((N, ax.shape[1]))  # e_lp, v_lp, g_p (H each), w_all, w_m (H each), none (C) of x
    on_nx = np.empty((N, anx.shape[1]))  # e_lq, v_lq, g_q (H each), none (C) of (1 - x) absent_w
    absent_w = model.absent_w
    for i in range(N):
        x = X[i]
        nz = np.flatnonzero(x)
        xs = x[nz]
        on_x[i] = xs @ ax[nz]
        np.subtract(anx_all, (xs * absent_w[nz]) @ anx[nz], out=on_nx[i])
    terms = (on_x[:, :H], on_nx[:, :H], on_x[:, H:2 * H], on_nx[:, H:2 * H], on_x[:, 2 * H:3 * H],
             on_nx[:, 2 * H:3 * H], on_x[:, 3 * H:4 * H])
    w_m = on_x[:, 4 * H:5 * H]
    none_terms = (on_x[:, 5 * H:], on_nx[:, 3 * H:]) if with_none else (np.empty((N, C)),) * 2
    region = terms[0] + terms[1]
    var = (1 - doubt.SHARED_RHO) * (terms[2] + terms[3]) + doubt.SHARED_RHO * (terms[4] + terms[5]) ** 2
    sens = np.array([f.sensations for f in fs], dtype=bool).reshape(N, -1)
    codes = sens @ (1 << np.arange(sens.shape[1]))
    st = rule_arrays.sens_terms(model)[codes]  # (N, 4, H)
    mean = region + st[:, 0] + st[:, 1]
    var = var + st[:, 2] + st[:, 3]
    answers = [f.answers for f in fs]
    tabs = rule_arrays.region_terms(model, NERVE_SENSATIONS)
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
    np.minimum(c, vt["evidence_k"], out=c)  # the most the pattern's published accuracy supports (ADR 0036)
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
    post, confused = combine_many(model, PartsMany.of(parts), T)
    parts.confused = confused[0]
    return post[0]


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
    belief0 = rule_arrays.belief(rt, post, n_ids)
    confused: list[dict] = [{} for _ in range(N)]
    pairs = rt.extra["confusable"]  # pairs the drawing cannot tell apart (Albert 2019): a partner not ruled
    if pairs:  # out holds the line at CEILING (shown also where another ceiling is as low); the last one is named
        ks, js = np.array(pairs).T
        hit = (belief0[:, js] >= CONFUSABLE_MIN) & (CEILING <= ceiling[:, ks])  # a line set to CEILING stays <=
        for i, p in zip(*np.nonzero(hit)):  # each map's pairs in order
            confused[i][int(ks[p])] = model.lib.patterns[js[p]].name
            ceiling[i, ks[p]] = CEILING
    mine_of = rt.hyp_pat == np.arange(n_ids)[:, None]  # (lines, H): each line's hypotheses
    others_of = ~mine_of & (np.arange(H) != wide_h)  # ...and where its excess may go
    # a line over its ceiling gives up its excess: few maps have one, each is settled alone
    for i in np.flatnonzero((rule_arrays.belief(rt, post, n_ids) > ceiling + 1e-12).any(axis=1)).tolist():
        _settle(rt, post[i], ceiling[i], pm.to_none[i], prior[i], mine_of, others_of, none_h)
    wide = np.flatnonzero(pm.wide_q > 0)
    if wide.size:
        post[wide] *= (1 - pm.wide_q[wide])[:, None]
        post[wide, wide_h] = pm.wide_q[wide]
    return post / post.sum(axis=1, keepdims=True), confused


def _settle(rt, post: np.ndarray, ceiling: np.ndarray, to_none: np.ndarray, prior: np.ndarray, mine_of: np.ndarray,
            others_of: np.ndarray, none_h: np.ndarray) -> None:
    """One map's lines over their ceilings give up their excess, in place: to "no pattern fits well" or
    to the other hypotheses, half by their probability and half by their prior."""
    rows_of = rt.extra["rows_of"]  # each line's hypotheses as indices: the same elements, in the same order,
    for _ in range(3):  # as mine_of's mask, fetched faster.  A moved excess can push another line over its ceiling
        belief = np.bincount(rt.hyp_pat, weights=post, minlength=len(ceiling))
        over = np.flatnonzero(belief > ceiling + 1e-12)
        if not over.size:
            break
        for k in over.tolist():
            mine = rows_of[k]
            now = float(post[mine].sum())  # not belief[k]: an earlier line's excess may have reached it this round
            c = float(ceiling[k])
            if now <= c:
                continue
            excess = now - c
            post[mine] *= c / now  # moves exactly `excess`, so the final division changes nothing
            if to_none[k]:
                post[none_h] += excess
                continue
            others = others_of[k]
            w1 = np.where(others, post, 0.0)
            w2 = np.where(others, prior, 0.0)
            w = 0.5 * w1 / max(w1.sum(), 1e-300) + 0.5 * w2 / max(w2.sum(), 1e-300)
            post += excess * w / w.sum()
