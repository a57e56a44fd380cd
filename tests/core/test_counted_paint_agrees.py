"""One rule for what counts as painted: a loaded PainMap, the batch scorer and the folder exports agree.

A stray dot or an eraser sliver on the other leg must not raise a cauda equina flag in one path and not in
another (painting.counted_regions is the one rule; specks and slivers do not count).
"""
from __future__ import annotations

import pytest

import bodymap
from bodymap import batch, fileformat
from bodymap.atlas import load_atlas
from bodymap.exports.common import Decoder
from bodymap.painting import PainMap

MEDIUM = 0.09  # the painting window's medium brush (head heights)
LEGS = {"back": ("right_calf", "left_calf"), "front": ("right_shin", "left_shin")}


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture(scope="module")
def decoder(atlas):
    return Decoder(atlas)


def centre(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def line_through(atlas, rid, half=0.25):
    x, y = centre(atlas, rid)
    return [(x, y - half), (x, y + half)]


def _three_ways(path, decoder):
    """(loaded PainMap, batch, exports): whether cauda equina is flagged, and the exports' saddle prompt."""
    m = bodymap.load(path)
    by_map = "cauda_equina" in {f.id for f in bodymap.match(m).red_flags}
    by_batch = "cauda_equina" in batch.score_file(str(path)).red_flags
    ranking = decoder.rank(decoder.read(path))
    by_exports = "cauda_equina" in {f.id for f in ranking.red_flags}
    return m, (by_map, by_batch, by_exports), ranking


def _leg_map(atlas, view, other):
    right, left = LEGS[view]
    m = PainMap(atlas)
    m.stroke(view, line_through(atlas, right), radius=MEDIUM)
    if other == "dot":
        m.stroke(view, [centre(atlas, left)], radius=0.02)  # a touch with a tiny brush: a few pixels
    elif other == "sliver":
        pts = line_through(atlas, left)
        m.stroke(view, pts, radius=MEDIUM)
        m.erase(view, [(x + 0.02, y) for x, y in pts], radius=MEDIUM)  # a thin crescent is left
    elif other == "real":
        m.stroke(view, [centre(atlas, left)], radius=MEDIUM)
    m.answers["weakness"] = True  # never asked if new: with pain in both legs, a cauda equina flag
    return m, left


@pytest.mark.parametrize("view", ["back", "front"])
@pytest.mark.parametrize("other", ["dot", "sliver"])
def test_a_stray_mark_on_the_other_leg_raises_no_flag_in_any_path(atlas, decoder, tmp_path, view, other):
    m, left = _leg_map(atlas, view, other)
    assert m.region_coverage().get(left, 0) > 0, "the mark is on the map"
    path = fileformat.save(m, tmp_path / "m.bodymap")
    loaded, ways, ranking = _three_ways(path, decoder)
    assert not loaded.both_legs_painted
    assert ways == (False, False, False)
    assert left not in ranking.summary["regions"] and left not in loaded.summary()["regions"]


@pytest.mark.parametrize("view", ["back", "front"])
def test_real_paint_on_the_other_leg_raises_the_flag_in_every_path(atlas, decoder, tmp_path, view):
    m, _ = _leg_map(atlas, view, "real")
    path = fileformat.save(m, tmp_path / "m.bodymap")
    loaded, ways, _ = _three_ways(path, decoder)
    assert loaded.both_legs_painted
    assert ways == (True, True, True)


@pytest.mark.parametrize("radius, counted", [(0.02, False), (MEDIUM, True)])
def test_saddle_prompt_follows_the_same_rule_in_match_and_exports(atlas, decoder, tmp_path, radius, counted):
    m = PainMap(atlas)
    m.stroke("back", line_through(atlas, "right_calf"), radius=MEDIUM)
    m.stroke(atlas.region("perineum").view, [centre(atlas, "perineum")], radius=radius)
    assert m.region_coverage().get("perineum", 0) > 0
    path = fileformat.save(m, tmp_path / "s.bodymap")
    loaded = bodymap.load(path)

    def saddle_prompt(r):
        return any(p.startswith("The saddle area") for p in r.prompts)

    assert loaded.saddle_painted is counted
    assert saddle_prompt(bodymap.match(loaded)) is counted
    assert saddle_prompt(decoder.rank(decoder.read(path))) is counted


def test_counted_regions_of_a_box_equal_those_of_the_whole_view(atlas):
    from bodymap.painting import counted_regions

    m, _ = _leg_map(atlas, "back", "dot")
    m.stroke("back", [centre(atlas, "left_heel")], radius=MEDIUM)
    raster = m.raster
    whole = {v: (0, 0, m.any_mask(v)) for v in ("front", "back")}
    mask = m.any_mask("back")
    rows, cols = mask.nonzero()
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    boxed = {"back": (int(r0), int(c0), mask[r0:r1, c0:c1])}
    px = m._region_px
    assert (counted_regions(raster.labels, whole, px) == counted_regions(raster.labels, boxed, px)).all()
    assert (counted_regions(raster.labels, whole, px) == m.counted_regions()).all()
