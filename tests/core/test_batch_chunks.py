"""The batch ranks a chunk of maps in one pass (ADR 0033): every number is the one the map gets alone.

Varied maps (both views and sides, every sensation, strokes over key sensory points, answers given,
refused and "not sure", ages either side of 60, empty maps, red flags, a corrupt file) are scored as
one chunk, in another order, and one at a time; the probabilities must agree bit for bit, with each
other and with `bodymap match`'s own posterior of the loaded map.
"""
from __future__ import annotations

import numpy as np
import pytest

import bodymap
from bodymap import batch, doubt, matcher
from bodymap.painting import SENSATIONS, YES_NO_QUESTIONS, PainMap


def _varied_map(atlas, rng) -> PainMap:
    m = PainMap(atlas)
    regions = atlas.regions
    for i in rng.choice(len(regions), size=int(rng.integers(0, 9)), replace=False):
        m.paint_region(regions[i].id, float(rng.uniform(0.05, 1.0)), SENSATIONS[rng.integers(len(SENSATIONS))])
    for _ in range(int(rng.integers(0, 3))):  # strokes: they cross key sensory points and region edges
        view = ("front", "back")[rng.integers(2)]
        r = regions[rng.integers(len(regions))]
        while r.view != view:
            r = regions[rng.integers(len(regions))]
        p = r.geometry.representative_point()
        pts = [(p.x + k * 0.02, p.y + k * 0.05) for k in range(int(rng.integers(2, 12)))]
        m.stroke(view, pts, SENSATIONS[rng.integers(len(SENSATIONS))], radius=float(rng.uniform(0.03, 0.12)))
    for key in rng.choice(YES_NO_QUESTIONS, size=int(rng.integers(0, 8)), replace=False):
        m.answers[str(key)] = (True, False, "unsure")[rng.integers(3)]
    if rng.random() < 0.7:
        m.answers["age"] = int(rng.integers(18, 95))
    return m


@pytest.fixture(scope="module")
def files(atlas, tmp_path_factory):
    d = tmp_path_factory.mktemp("chunks")
    rng = np.random.default_rng(33)
    maps = [_varied_map(atlas, rng) for _ in range(40)]
    # a red flag that hangs on the drawing (both legs) and one from the answers alone, on an empty map
    both = PainMap(atlas)
    both.paint_region("right_calf", 0.6, "sharp")
    both.paint_region("left_calf", 0.6, "burning")
    both.answers.update({"weakness": True, "age": 61})
    empty = PainMap(atlas)
    empty.answers["cancer_history"] = True
    maps += [both, empty, PainMap(atlas)]
    out = []
    for i, m in enumerate(maps):
        p = d / f"m{i:03d}.bodymap"
        bodymap.save(m, p)
        out.append(p)
    (d / "broken.bodymap").write_text('{"format": "bodymap"')
    out.insert(7, d / "broken.bodymap")
    return [str(p) for p in out]


def test_a_chunk_gives_each_map_its_own_result(files):
    scorer = batch.Scorer()
    alone = [scorer(p) for p in files]
    together = scorer.many(files)
    order = np.random.default_rng(1).permutation(len(files))
    shuffled = scorer.many([files[i] for i in order])
    assert together == alone  # tuples: the probabilities compared bit for bit
    assert [shuffled[list(order).index(i)] for i in range(len(files))] == alone
    assert sum(r.error is not None for r in alone) == 1 and "broken.bodymap" in alone[7].error
    assert sum(r.top is None and r.error is None for r in alone) >= 2  # the empty maps: no line
    assert any(r.red_flags for r in alone if r.top is None and r.error is None)  # ...and their flags kept
    assert any(r.top and r.red_flags for r in alone)


def test_the_chunk_has_the_posterior_of_bodymap_match(files, atlas):
    model = matcher.get_model(atlas)
    maps = [bodymap.load(p) for p in files if "broken" not in p]
    fs = [matcher.features_of(m) for m in maps]
    # key points found a chunk at once are the ones the painted layers show (features.key_points_in)
    assert [f.key_points for f in fs] == [matcher.painted_key_points(m) for m in maps]
    fs = [f for f in fs if (matcher.soft_painted(f.coverage) * model.scored).any()]
    assert len(fs) > 30 and sum(bool(f.key_points) for f in fs) > 5
    many = matcher.posterior_many(model, fs)
    for f, row in zip(fs, many):
        assert np.array_equal(matcher.posterior(model, f), row)


def _averaged_softmax_one_map(mu, sd, groups):
    """The average over tables as ADR 0019 wrote it, one map at a time (the reference the chunks must keep),
    in float32 after the map's largest log-score is taken off (ADR 0041)."""
    ok = np.isfinite(mu)
    out = np.zeros_like(mu)
    if not ok.any():
        return out
    z = doubt._draws(int(groups.max()) + 1).astype(np.float32)[:, groups[ok]]
    z *= sd[ok].astype(np.float32)
    z += (mu[ok] - mu[ok].max()).astype(np.float32)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(np.maximum(z, doubt.EXP_FLOOR))
    e /= e.sum(axis=1, keepdims=True)
    out[ok] = e.mean(axis=0)
    return out / out.sum()


def test_the_average_over_tables_is_the_one_map_average_bit_for_bit():
    """Rows of every count of ruled-out hypotheses (including one left, and none), in bundles of every size."""
    rng = np.random.default_rng(19)
    groups = np.repeat(np.arange(34), 3)[:101]
    groups[-2:] = [33, 34]
    mu = rng.normal(0, 8, (3 * doubt.BUNDLE + 5, 101))
    sd = rng.gamma(2.0, 1.0, mu.shape)
    for i, k in enumerate(rng.integers(0, 102, len(mu))):
        mu[i, rng.permutation(101)[k:]] = -np.inf
    mu[:doubt.BUNDLE + 2, 50:] = -np.inf  # a bundle and more of one count
    mu[-1] = -np.inf
    mu[-2, 1:] = -np.inf
    many = doubt.averaged_softmax_many(mu, sd, groups)
    for row_mu, row_sd, row in zip(mu, sd, many):
        assert np.array_equal(_averaged_softmax_one_map(row_mu, row_sd, groups), row)
