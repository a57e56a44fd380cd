"""What counts as a painted region: slivers, specks and grazes do not (docs/atlas.md).

A stray dot or an eraser's leftover on the other leg must not make "both legs painted"
(a red-flag rule), in either view; a real dab, even a small one on the big toe, must.
"""
from __future__ import annotations

import numpy as np
import pytest

from bodymap.atlas import load_atlas
from bodymap.painting import (REGION_MIN_PX, REGION_MIN_SHARE, SPECK_PX, PainMap, counts_as_painted, drop_specks,
                              open_square)

SMALL, MEDIUM = 0.05, 0.09  # the painting window's small and medium brush radii (head heights)


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def centre(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def line_through(atlas, rid, half=0.25):
    x, y = centre(atlas, rid)
    return [(x, y - half), (x, y + half)]


# the right leg painted for real, and something tiny on the left leg, per view
LEGS = {"back": ("right_calf", "left_calf"), "front": ("right_shin", "left_shin")}


@pytest.mark.parametrize("view", ["back", "front"])
def test_a_single_stray_dot_does_not_paint_the_other_leg(atlas, view):
    right, left = LEGS[view]
    m = PainMap(atlas)
    m.stroke(view, line_through(atlas, right), radius=MEDIUM)
    m.stroke(view, [centre(atlas, left)], radius=0.02)  # a touch with a 1.6 px brush: a few pixels
    assert m.region_coverage().get(left, 0) > 0, "the dot is on the map"
    assert left not in m.painted_regions()
    assert right in m.painted_regions()
    assert not m.both_legs_painted
    assert m.sides_painted() == {"right"}


@pytest.mark.parametrize("view", ["back", "front"])
def test_an_eraser_sliver_does_not_paint_the_other_leg(atlas, view):
    right, left = LEGS[view]
    m = PainMap(atlas)
    m.stroke(view, line_through(atlas, right), radius=MEDIUM)
    pts = line_through(atlas, left)
    m.stroke(view, pts, radius=MEDIUM)
    # erase along the same line, a little to one side: a thin crescent strip is left behind
    m.erase(view, [(x + 0.02, y) for x, y in pts], radius=MEDIUM)
    left_leg = [i for i, r in enumerate(atlas.regions) if r.side == "left" and r.level in ("thigh", "knee", "leg",
                                                                                         "foot")]
    assert int(m.region_counts()[left_leg].sum()) > REGION_MIN_PX, \
        "the sliver is larger than the area minimum: only its thinness can drop it"
    assert not [rid for rid in m.painted_regions() if atlas.region(rid).side == "left"]
    assert not m.both_legs_painted
    # a real dab on the same leg counts again
    m.stroke(view, [centre(atlas, left)], radius=MEDIUM)
    assert left in m.painted_regions()
    assert m.both_legs_painted


@pytest.mark.parametrize("rid", ["right_big_toe", "left_big_toe", "right_lesser_toes"])
def test_one_small_brush_tap_on_a_toe_counts(atlas, rid):
    m = PainMap(atlas)
    m.stroke(atlas.region(rid).view, [centre(atlas, rid)], radius=SMALL)
    assert rid in m.painted_regions()


def test_a_small_dab_on_a_large_region_counts_by_area_under_two_percent(atlas):
    rid = "right_calf"
    idx = [r.id for r in atlas.regions].index(rid)
    m = PainMap(atlas)
    m.stroke("back", [centre(atlas, rid)], radius=SMALL)
    n = int(m.region_counts()[idx])
    region_px = n / m.coverage_vector()[idx]
    assert n < REGION_MIN_SHARE * region_px and n >= REGION_MIN_PX
    assert rid in m.painted_regions()


def test_region_rule_needs_both_the_share_and_the_area_to_be_small():
    region_px = np.array([100, 100, 10_000, 10_000, 10_000, 50])
    counts = np.array([1, 2, 39, 40, 199, 0])
    got = counts_as_painted(counts, region_px)
    want = [(c > 0) and (c >= REGION_MIN_SHARE * r or c >= REGION_MIN_PX) for c, r in zip(counts, region_px)]
    assert got.tolist() == want
    assert got.tolist() == [False, True, False, True, True, False]


def _islands_reference(mask, min_px):
    """Flood fill, one island at a time (8-connected): what drop_specks must agree with."""
    rows, cols = mask.shape
    seen = np.zeros_like(mask)
    out = mask.copy()
    for r, c in zip(*np.nonzero(mask)):
        if seen[r, c]:
            continue
        stack, island = [(r, c)], []
        seen[r, c] = True
        while stack:
            y, x = stack.pop()
            island.append((y, x))
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < rows and 0 <= xx < cols and mask[yy, xx] and not seen[yy, xx]:
                        seen[yy, xx] = True
                        stack.append((yy, xx))
        if len(island) < min_px:
            for y, x in island:
                out[y, x] = False
    return out


def test_drop_specks_matches_a_flood_fill_on_random_masks():
    rng = np.random.default_rng(7)
    for _ in range(80):
        mask = rng.random((24, 31)) < rng.uniform(0.05, 0.6)
        k = int(rng.integers(2, 15))
        assert np.array_equal(drop_specks(mask, k), _islands_reference(mask, k))


def test_drop_specks_joins_diagonal_neighbours():
    mask = np.zeros((6, 6), dtype=bool)
    for i in range(5):
        mask[i, i] = True  # a diagonal chain of 5 pixels is one island
    assert drop_specks(mask, 5).sum() == 5
    assert drop_specks(mask, 6).sum() == 0


def test_open_square_drops_thin_strips_and_keeps_wide_shapes():
    mask = np.zeros((20, 30), dtype=bool)
    mask[2:4, 2:28] = True  # 2 px strip
    mask[8:16, 5:15] = True  # 8 x 10 block
    opened = open_square(mask, 3)
    assert not opened[2:4].any()
    assert np.array_equal(opened[8:16, 5:15], mask[8:16, 5:15])
    assert opened.sum() == 80


def test_speck_minimum_is_smaller_than_any_brush_tap(atlas):
    """The minimum never hides a whole tap of the smallest brush, wherever it lands on the body."""
    m = PainMap(atlas)
    m.stroke("front", [centre(atlas, "right_anterior_thigh")], radius=SMALL)
    tap = int(m.any_mask("front").sum())
    assert tap >= 2 * SPECK_PX
    assert int(m.counted_mask("front").sum()) == tap


def test_a_speck_in_the_saddle_area_is_not_saddle_paint(atlas):
    m = PainMap(atlas)
    x, y = centre(atlas, "perineum")
    m.stroke("back", [(x, y)], radius=0.02)
    assert m.region_coverage().get("perineum", 0) > 0
    assert not m.saddle_painted
    m.stroke("back", [(x, y)], radius=SMALL)
    assert m.saddle_painted
