"""Arrays that let the rules (bodymap.rules) run over many maps, or one, without a Python loop.

Built from the compiled model once and kept on its rule tables (`rt.extra`): which regions each
pattern's sides reach, the WPI areas of each region, the sensation terms of every combination of
sensations, which answers the rules read, and each pattern line's belief from the hypotheses'
probabilities (ADR 0019, ADR 0033).

Headless: numpy only.
"""
from __future__ import annotations

import numpy as np

from .body_areas import body_region
from .painting import SENSATIONS


def vector_tables(model, rt, side: np.ndarray) -> dict:
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


def sens_terms(model) -> np.ndarray:
    """(sensation codes, 4, H): the four sensation terms of parts_many for every code (bit i = sensation i),
    each the same matrix-vector product as one map's (kept on the model's rule tables: 32 codes)."""
    hit = model.rules.extra.get("sens_terms")
    if hit is None:
        d = model.doubt
        rows = []
        for code in range(1 << len(SENSATIONS)):
            s = ((code >> np.arange(len(SENSATIONS))) & 1).astype(bool).astype(float)
            rows.append([d.sens[0] @ s, d.sens[2] @ (1 - s), d.sens[1] @ s, d.sens[3] @ (1 - s)])
        hit = model.rules.extra["sens_terms"] = np.array(rows)
        hit.flags.writeable = False
    return hit


def region_products(model) -> tuple:
    """The tables of parts_many's sums over regions, stacked and laid out by region (kept on the model's rule
    tables, ADR 0041): (tables read with the painted share x, tables read with the unpainted share, the
    latter's products with `absent_w`). A map paints a few of the 135 regions: its products read only
    their rows, a tenth of the tables (reading all of them, nine times a map, was half of parts_many)."""
    hit = model.rules.extra.get("region_products")
    if hit is None:
        d, vt = model.doubt, model.rules.extra
        with_none = model.none_lp is not None
        none_p, none_q = (d.none_e_lp, d.none_e_lq) if d.none_e_lp is not None else (model.none_lp, model.none_lq)
        on_x = [d.e_lp, d.v_lp, d.g_p, vt["w_both"]] + ([none_p] if with_none else [])
        on_nx = [d.e_lq, d.v_lq, d.g_q] + ([none_q] if with_none else [])
        ax = np.ascontiguousarray(np.vstack(on_x).T)  # (R, rows): one region's entries of every table together
        anx = np.ascontiguousarray(np.vstack(on_nx).T)
        hit = (ax, anx, model.absent_w @ anx)
        for a in hit:
            a.flags.writeable = False
        model.rules.extra["region_products"] = hit
    return hit


def region_terms(model, nerve_sensations: tuple) -> dict:
    """Per-atlas tables of parts_many (kept on the model's rule tables): the WPI areas and body regions of each
    region, its side, the answers read, the sensations that are nerve qualities, the rows of each key point."""
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
            **disc_tables(vt["disc_k"]),
            "nerve": np.array([s_ in nerve_sensations for s_ in SENSATIONS]),
            "key_rows": {k: tuple(v.tolist()) for k, v in vt["key_rows"].items()},
        }
    return hit


def disc_tables(disc_k: list) -> dict:
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


def belief(rt, post: np.ndarray, n_ids: int) -> np.ndarray:
    """(N, n_ids) each map's belief in each pattern line: the same sums, in the same order, as a bincount per map."""
    N = len(post)
    idx = (np.arange(N)[:, None] * n_ids + rt.hyp_pat).ravel()
    return np.bincount(idx, weights=post.ravel(), minlength=N * n_ids).reshape(N, n_ids)
