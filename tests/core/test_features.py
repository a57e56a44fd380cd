"""bodymap.features: the one feature computation, the same from a file's boxes as from a PainMap."""
from __future__ import annotations

import numpy as np
import pytest

from bodymap import batch, features, fileformat, matcher
from bodymap.painting import SENSATIONS, PainMap
from bodymap.redflags import red_flags

CASES = {
    "right calf, burning": [("right_calf", 0.5, "burning")],
    "left groin and right buttock": [("left_groin", 0.4, "sharp"), ("right_buttock", 0.3, "aching")],
    "both legs, two sensations": [("right_calf", 0.6, "aching"), ("left_lateral_thigh", 0.4, "numbness")],
    "saddle": [("perineum", 1.0, "numbness")],
}


def _map(atlas, paint):
    m = PainMap(atlas)
    for rid, frac, sens in paint:
        m.paint_region(rid, frac, sens)
    return m


def _both(atlas, m):
    doc = fileformat.read_document(fileformat.dumps(m), atlas, strokes=False)
    return features.from_map(m), features.from_document(doc, atlas)


@pytest.mark.parametrize("name", list(CASES))
def test_a_file_and_its_pain_map_give_the_same_features(atlas, name):
    m = _map(atlas, CASES[name])
    a, b = _both(atlas, m)
    assert np.array_equal(a.counts, b.counts) and a.counts.sum() > 0
    assert np.allclose(a.coverage, m.coverage_vector())
    assert np.array_equal(a.sensations, b.sensations)
    assert a.sensations_present == m.sensations_present()
    for k in ("total", "front", "back"):
        assert a.extent[k] == pytest.approx(b.extent[k]) == pytest.approx(m.extent_percent()[k])
    assert a.extent["by_sensation"] == pytest.approx(m.extent_percent()["by_sensation"])
    assert np.array_equal(a.counted, b.counted)
    assert a.painted_regions() == b.painted_regions() == m.painted_regions()
    assert (a.both_legs, a.saddle, a.most_distal) == (b.both_legs, b.saddle, b.most_distal)
    assert a.both_legs == (name == "both legs, two sensations") and a.saddle == (name == "saddle")
    for s in SENSATIONS:
        assert np.array_equal(a.counts_for(s), m.region_counts(s))


@pytest.mark.parametrize("view", ["front", "back"])
def test_left_and_right_are_the_patients_on_both_views(atlas, view):
    """A region on the patient's right stays the patient's right in every figure, whichever view it is on."""
    rid = next(r.id for r in atlas.regions if r.view == view and r.side == "right" and r.level == "thigh")
    f = features.from_map(_map(atlas, [(rid, 0.8, "aching")]))
    sides = {atlas.regions[i].side for i in np.flatnonzero(f.counted)}
    assert sides == {"right"}
    left, right = features.leg_sides(atlas)
    assert (f.counted & right).any() and not (f.counted & left).any()


def test_a_speck_on_the_other_leg_does_not_make_both_legs(atlas):
    """The raw paint reaches both legs, the counted paint does not: the island step decides."""
    m = _map(atlas, [("right_calf", 0.7, "aching")])
    r = m.raster
    lab = r.labels["back"]
    i = atlas.index("left_calf")
    inside = lab == i
    speck = np.zeros(r.shape, dtype=bool)
    placed = 0
    for y, x in zip(*np.nonzero(inside)):  # 3 x 3 dabs, 4 pixels apart: each island is 9 pixels (under 20)
        if placed < 8 and inside[y:y + 3, x:x + 3].all() and not speck[max(y - 2, 0):y + 5, max(x - 2, 0):x + 5].any():
            speck[y:y + 3, x:x + 3] = True
            placed += 1
    assert placed == 8 and speck.sum() >= 40  # together enough for the region to count, were they not specks
    layers = {v: m.layers(v).copy() for v in ("front", "back")}
    layers["back"][0] |= speck
    m.replace_layers(layers)
    f = features.from_map(m)
    assert f.both_legs_possible and not f.both_legs
    doc = fileformat.read_document(fileformat.dumps(m), atlas, strokes=False)
    assert not features.from_document(doc, atlas).both_legs


def test_answers_given_after_a_match_are_read_by_the_next_match(atlas):
    """Answers change without a new map version: the kept features must not keep stale answers."""
    m = _map(atlas, [("right_calf", 0.6, "aching"), ("left_calf", 0.6, "aching")])
    assert not matcher.match(m).red_flags
    m.answers["bladder_bowel"] = True
    assert "cauda_equina" in [x.id for x in matcher.match(m).red_flags]


@pytest.mark.parametrize("answers", [{}, {"bladder_bowel": True}, {"saddle_numbness": True}, {"weakness": True},
                                     {"age": 70, "night_pain": True}])
@pytest.mark.parametrize("paint", [[("right_calf", 0.6, "aching")],
                                   [("right_calf", 0.6, "aching"), ("left_calf", 0.6, "aching")]])
def test_the_batch_skips_the_island_step_only_where_it_cannot_change_the_flags(atlas, answers, paint):
    m = _map(atlas, paint)
    for k, v in answers.items():
        m.answers[k] = v
    doc = fileformat.read_document(fileformat.dumps(m), atlas, strokes=False)
    f = features.from_document(doc, atlas)
    want = [x.id for x in red_flags(dict(m.answers), m.both_legs_painted, [])]
    assert batch.flag_ids(f, []) == want
    got = batch.features_from_bytes(fileformat.dumps(m), matcher.get_model(atlas)).red_flag_ids
    assert got == want


def test_the_model_is_kept_on_the_atlas_and_compiled_again_when_forgotten(atlas):
    a = matcher.get_model(atlas)
    assert matcher.get_model(atlas) is a
    matcher.forget_models()
    b = matcher.get_model(atlas)
    assert b is not a and b.hyps == a.hyps
    assert not [k for k in atlas.derived if isinstance(k, tuple) and k[0] == "matcher.model" and
                atlas.derived[k] is a]  # the old generation is dropped, not kept for ever


def test_bits_a_file_does_not_name_are_cleared_on_the_fast_path_too(atlas):
    """A file in bodymap's own sensation order skips the bit lookup; a bit beyond its own list must still go."""
    import base64
    import json
    import zlib

    m = _map(atlas, [("right_calf", 0.5, "aching")])
    doc = json.loads(fileformat.dumps(m))
    doc["layers"]["sensations"] = list(SENSATIONS[:2])  # aching, sharp
    enc = doc["layers"]["back"]
    sub = np.frombuffer(zlib.decompress(base64.b64decode(enc["data"])), dtype=np.uint8).copy()
    sub[sub != 0] |= 0b10100  # burning and numbness bits, which this file does not name
    enc["data"] = base64.b64encode(zlib.compress(sub.tobytes())).decode()
    d = fileformat.read_document(json.dumps(doc).encode(), atlas, strokes=False)
    assert set(np.unique(d.views["back"][2])) == {0, 1}
    f = features.from_document(d, atlas)
    assert f.sensations_present == ["aching"]
    assert features.from_map(fileformat.to_pain_map(d, atlas)).sensations_present == ["aching"]
