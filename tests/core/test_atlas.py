"""The atlas: contract ids, coverage, symmetry, anatomy, dermatomes, rasterisation, cache, schema errors, snapshots.

Expectations come from geometry and from /work/shared/anatomy-notes.md (proportions in head
heights, ISNCSCI key points), never from figures the atlas code printed.
"""
from __future__ import annotations

import collections
import copy
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
import shapely.affinity
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from bodymap import atlas as atlas_mod
from bodymap import geometry as g
from bodymap.atlas import VIEWS, build_atlas, load_atlas, side_at, viewer_sign
from bodymap.atlas_check import check_atlas
from bodymap.errors import AtlasError, BodymapError, UnknownRegionError
from snapshot import MAX_SHARE, compare_snapshot, pixels, share_differing

REPO = Path(__file__).resolve().parents[2]
REGIONS = REPO / "regions"
SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"

# The region contract (ids the matcher, the patterns and the UI rely on).
SIDED_STEMS = (
    "groin anterior_thigh lateral_thigh medial_thigh knee shin lateral_leg medial_leg dorsum_foot big_toe "
    "lesser_toes lower_abdomen lower_back sacroiliac buttock lower_buttock lateral_hip posterior_thigh "
    "back_of_knee calf heel sole lateral_foot"
).split()
MIDLINE_IDS = ("sacrum", "perineum")
DERMATOME_ROOTS = ("T10", "T11", "T12", "L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3_S5")
SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BODYMAP_CACHE", str(tmp_path_factory.mktemp("atlas-cache")))
        yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def centroid(atlas, rid):
    c = atlas.region(rid).geometry.centroid
    return c.x, c.y


# ---------------------------------------------------------------------------
# Contract ids


def test_every_contract_id_exists_on_both_sides(atlas):
    ids = set(atlas.region_ids)
    missing = [f"{side}_{stem}" for stem in SIDED_STEMS for side in ("left", "right") if f"{side}_{stem}" not in ids]
    assert not missing, f"contract ids missing from the atlas: {missing}"
    for rid in MIDLINE_IDS:
        assert rid in ids
        assert atlas.region(rid).side == "midline"
    for stem in SIDED_STEMS:
        for side in ("left", "right"):
            r = atlas.region(f"{side}_{stem}")
            assert r.side == side and r.stem == stem


def test_region_ids_are_unique_and_snake_case(atlas):
    ids = atlas.region_ids
    dupes = [i for i, n in collections.Counter(ids).items() if n > 1]
    assert not dupes
    bad = [i for i in ids if not SNAKE.fullmatch(i)]
    assert not bad, f"not snake_case: {bad}"


def test_regions_have_names_levels_and_valid_non_empty_geometry(atlas):
    for r in atlas.regions:
        assert r.view in VIEWS
        assert r.name.strip()
        assert r.level in atlas_mod.LEVELS
        assert r.geometry.is_valid, r.id
        assert r.geometry.area > 1e-3, r.id


# ---------------------------------------------------------------------------
# Coverage, overlap, symmetry, left/right


@pytest.mark.parametrize("view", VIEWS)
def test_regions_tile_the_silhouette(atlas, view):
    """Computed here with shapely: >= 99.5 % covered, no pair overlapping by more than 0.1 %."""
    sil = atlas.silhouette(view)
    regs = atlas.regions_in(view)
    geoms = [r.geometry for r in regs]
    union = shapely.union_all(geoms)
    coverage = shapely.intersection(union, sil).area / sil.area
    assert coverage >= 0.995, f"{view}: regions cover only {100 * coverage:.3f}% of the silhouette"
    outside = shapely.difference(union, sil).area / sil.area
    assert outside <= 0.001, f"{view}: {100 * outside:.3f}% of the regions' area is outside the body"
    worst = (0.0, "")
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            if not geoms[i].intersects(geoms[j]):
                continue
            a = shapely.intersection(geoms[i], geoms[j]).area / sil.area
            if a > worst[0]:
                worst = (a, f"{regs[i].id}/{regs[j].id}")
    assert worst[0] <= 0.001, f"{view}: {worst[1]} overlap by {100 * worst[0]:.4f}% of the silhouette"
    total_overlap = (sum(g_.area for g_ in geoms) - union.area) / sil.area
    assert total_overlap <= 0.001


def test_left_and_right_regions_are_mirror_images(atlas):
    for r in atlas.regions:
        if r.side == "midline":
            mirrored = g.mirror_x(r.geometry)
            assert shapely.symmetric_difference(mirrored, r.geometry).area <= 1e-9 * r.area, r.id
            continue
        if r.side != "right":
            continue
        other = atlas.region("left_" + r.id[len("right_"):])
        assert other.view == r.view and other.level == r.level
        diff = shapely.symmetric_difference(g.mirror_x(r.geometry), other.geometry).area
        assert diff <= 1e-6 * r.area, f"{r.id} vs {other.id}: {diff:.2e}"


def test_silhouettes_are_symmetric(atlas):
    for view in VIEWS:
        sil = atlas.silhouette(view)
        assert shapely.symmetric_difference(sil, g.mirror_x(sil)).area <= 1e-9 * sil.area


def test_viewer_sign_front_right_is_viewer_left_back_right_is_viewer_right():
    assert viewer_sign("front", "right") == -1
    assert viewer_sign("front", "left") == 1
    assert viewer_sign("back", "right") == 1
    assert viewer_sign("back", "left") == -1
    assert side_at("front", -0.5) == "right" and side_at("front", 0.5) == "left"
    assert side_at("back", 0.5) == "right" and side_at("back", -0.5) == "left"
    with pytest.raises(ValueError):
        viewer_sign("side", "right")


def test_patient_right_is_on_the_viewer_left_in_front_and_viewer_right_behind(atlas):
    for r in atlas.regions:
        x = r.geometry.centroid.x
        if r.side == "midline":
            assert abs(x) < 1e-6, r.id
            continue
        want_right_of_viewer = (r.view == "back") == (r.side == "right")
        assert (x > 0) == want_right_of_viewer, f"{r.id} ({r.view}) centroid x = {x:.3f}"
        # the whole region, not just its centroid, stays on its own side of the midline
        minx, _, maxx, _ = r.geometry.bounds
        assert (minx >= -1e-9) if want_right_of_viewer else (maxx <= 1e-9), r.id


def test_named_examples_of_the_side_convention(atlas):
    assert centroid(atlas, "right_calf")[0] > 0  # back view: patient's right calf on the viewer's right
    assert centroid(atlas, "right_shin")[0] < 0  # front view: patient's right shin on the viewer's left
    assert centroid(atlas, "left_knee")[0] > 0
    assert centroid(atlas, "left_back_of_knee")[0] < 0


# ---------------------------------------------------------------------------
# Anatomy (from anatomy-notes.md: heights in head heights, y down from the crown)


def test_figure_is_about_seven_and_a_half_heads_tall(atlas):
    for view in VIEWS:
        minx, miny, maxx, maxy = atlas.silhouette(view).bounds
        assert abs(miny) < 0.05, "the crown is at y = 0"
        assert 7.3 <= maxy - miny <= 7.9
        # shoulders about 2 h wide, so the figure with hanging arms is wider than 2 h but not absurdly
        assert 2.0 <= maxx - minx <= 3.7


def test_shoulder_and_hip_widths_follow_the_canon(atlas):
    sil = atlas.silhouette("front")

    def width_at(y):
        piece = sil.intersection(LineString([(-5, y), (5, y)]))
        parts = sorted(getattr(piece, "geoms", [piece]), key=lambda p: p.bounds[0])
        mid = [p for p in parts if p.bounds[0] <= 0 <= p.bounds[2]]
        return mid[0].length

    # hips at the trochanters (about 3.8 h): about 1.5 h (male) to 1.75 h (female)
    assert 1.35 <= width_at(3.8) <= 1.9
    # the waist is narrower than the hips
    assert width_at(2.85) < width_at(3.8)


@pytest.mark.parametrize("view", VIEWS)
def test_arms_hang_free_of_the_trunk_at_waist_level(atlas, view):
    cut = atlas.silhouette(view).intersection(LineString([(-5, 2.85), (5, 2.85)]))
    pieces = list(getattr(cut, "geoms", [cut]))
    assert len(pieces) == 3, "a line across the waist should cross right arm, trunk, left arm"
    xs = sorted(p.centroid.x for p in pieces)
    assert xs[0] < 0 and abs(xs[1]) < 1e-6 and xs[2] > 0


def test_knees_sit_at_the_knee_joint_line(atlas):
    for rid in ("right_knee", "left_knee", "right_back_of_knee", "left_back_of_knee"):
        assert 5.2 <= centroid(atlas, rid)[1] <= 5.8, rid


def test_vertical_order_of_landmark_regions(atlas):
    for side in ("right", "left"):
        y = {stem: centroid(atlas, f"{side}_{stem}")[1] for stem in SIDED_STEMS}
        assert y["heel"] > y["calf"]
        assert y["sacroiliac"] > y["lower_back"]
        assert y["lower_buttock"] > y["buttock"]
        assert y["posterior_thigh"] > y["lower_buttock"]
        assert y["calf"] > y["back_of_knee"] > y["posterior_thigh"]
        assert y["shin"] > y["knee"] > y["anterior_thigh"] > y["groin"] > y["lower_abdomen"]
        assert y["big_toe"] > y["dorsum_foot"]
        # groin: the band below the inguinal ligament, between the ASIS (3.3 h) and the crotch (about 4 h)
        assert 3.3 <= y["groin"] <= 4.0
        # lateral hip: the greater trochanter, level with the crotch (3.75-4 h) give or take
        assert 3.5 <= y["lateral_hip"] <= 4.1
        # widest calf at about 6.25 h; the foot below the ankles (7.2 h)
        assert 5.8 <= y["calf"] <= 6.7
        assert y["heel"] >= 7.0 and y["sole"] >= 7.0 and y["dorsum_foot"] >= 7.0
    assert centroid(atlas, "perineum")[1] > centroid(atlas, "sacrum")[1]


def test_lateral_regions_lie_outside_medial_ones(atlas):
    for side in ("right", "left"):
        ax = {stem: abs(centroid(atlas, f"{side}_{stem}")[0]) for stem in SIDED_STEMS}
        assert ax["lateral_thigh"] > ax["anterior_thigh"] > ax["medial_thigh"]
        assert ax["lateral_leg"] > ax["shin"] > ax["medial_leg"]
        assert ax["lateral_foot"] > ax["big_toe"]
        assert ax["lateral_hip"] > ax["groin"]
        assert ax["sacroiliac"] < ax["buttock"]


def test_lateral_hip_reaches_the_silhouette_edge(atlas):
    edge = atlas.silhouette("front").exterior
    for rid in ("right_lateral_hip", "left_lateral_hip"):
        geom = atlas.region(rid).geometry
        shared = geom.boundary.intersection(edge.buffer(1e-6)).length
        assert shared > 0.2, f"{rid} shares only {shared:.3f} h of outline with the silhouette"


def test_midline_regions_straddle_the_midline(atlas):
    for rid in MIDLINE_IDS:
        geom = atlas.region(rid).geometry
        assert geom.intersects(LineString([(0, 0), (0, 8)]))
        minx, _, maxx, _ = geom.bounds
        assert minx < 0 < maxx


# ---------------------------------------------------------------------------
# Dermatomes


def test_dermatomes_exist_for_every_root_on_both_sides(atlas):
    ids = {d.id for d in atlas.dermatomes}
    want = {f"{side}_{root}" for root in DERMATOME_ROOTS for side in ("left", "right")}
    assert want <= ids, sorted(want - ids)
    for d in atlas.dermatomes:
        assert d.sources, d.id


def test_dermatome_core_lies_within_its_wide_zone_and_the_body(atlas):
    for d in atlas.dermatomes:
        assert any(not d.core[v].is_empty for v in VIEWS), d.id
        for v in VIEWS:
            core, wide = d.core[v], d.wide[v]
            if core.is_empty:
                continue
            assert shapely.difference(core, wide).area <= 1e-9, f"{d.id} {v}: core sticks out of the wide zone"
            assert shapely.difference(wide, atlas.silhouette(v)).area <= 1e-6, f"{d.id} {v}: wide outside the body"


def test_dermatomes_are_on_their_own_side(atlas):
    for d in atlas.dermatomes:
        for v in VIEWS:
            core = d.core[v]
            if core.is_empty:
                continue
            # allow a zone to reach the midline (saddle, umbilicus) but its bulk is on its side
            assert core.centroid.x * viewer_sign(v, d.side) > 0, f"{d.id} {v}"


def test_every_key_point_is_inside_its_core_in_its_view_and_on_its_side(atlas):
    n = 0
    for d in atlas.dermatomes:
        for kp in d.key_points:
            n += 1
            p = Point(kp.x, kp.y)
            assert d.core[kp.view].contains(p), f"{d.id}: {kp.name} not inside its core ({kp.view})"
            assert atlas.silhouette(kp.view).contains(p), f"{d.id}: {kp.name} outside the body"
            assert kp.x * viewer_sign(kp.view, d.side) > 0, f"{d.id}: {kp.name} on the wrong side"
    # T10 T12 L1 L2 L3 L4 L5 S1 S2 S3 S4-5, each side (T11 has no ISNCSCI key point here)
    assert n >= 2 * 11


def _kp(atlas, did, name_part=""):
    d = next(d for d in atlas.dermatomes if d.id == did)
    return next(kp for kp in d.key_points if name_part in kp.name)


@pytest.mark.parametrize("side", ["right", "left"])
def test_isncsci_key_points_fall_on_the_anatomical_landmark(atlas, side):
    """The ISNCSCI landmarks of anatomy-notes.md, in the regions named after them."""
    def in_region(did, stem, name_part=""):
        kp = _kp(atlas, f"{side}_{did}", name_part)
        return atlas.region(stem if stem in MIDLINE_IDS else f"{side}_{stem}").geometry.contains(Point(kp.x, kp.y))

    assert in_region("T12", "groin")  # mid inguinal ligament
    assert in_region("L2", "anterior_thigh")  # mid anterior thigh
    assert in_region("L5", "dorsum_foot")  # third MTP joint on the dorsum
    assert in_region("S1", "heel")  # lateral heel
    assert in_region("S2", "back_of_knee")  # popliteal fossa
    assert in_region("S3_S5", "lower_buttock", "S3")  # ischial tuberosity
    assert in_region("S3_S5", "perineum", "S4")  # perianal
    umb = _kp(atlas, f"{side}_T10")
    assert umb.view == "front" and abs(umb.x) < 0.1 and 2.9 <= umb.y <= 3.1  # navel at about 3 h
    l3 = _kp(atlas, f"{side}_L3")  # medial femoral condyle: just above the knee joint line, on the inside
    assert 5.0 <= l3.y <= 5.5
    l4 = _kp(atlas, f"{side}_L4")  # medial malleolus, about 7.1-7.2 h, inner side of the ankle
    assert 6.95 <= l4.y <= 7.25
    for kp in (l3, l4):
        row = atlas.silhouette("front").intersection(LineString([(-5, kp.y), (5, kp.y)]))
        leg = next(p for p in getattr(row, "geoms", [row]) if p.bounds[0] <= kp.x <= p.bounds[2])
        centre = (leg.bounds[0] + leg.bounds[2]) / 2
        assert abs(kp.x) < abs(centre), f"{kp.name} should be on the inner side of the leg"


def test_front_key_points_descend_with_the_root(atlas):
    order = ["T10", "T12", "L1", "L2", "L3", "L4"]
    ys = [_kp(atlas, f"right_{root}").y for root in order]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)


# ---------------------------------------------------------------------------
# Rasterisation: the boundary convention


def test_rasterize_box_covers_the_known_pixels():
    # scale 1, origin 0: pixel (r, c) has its centre at (c + 0.5, r + 0.5)
    m = g.rasterize(box(2, 3, 5, 7), (10, 10), 1.0, (0.0, 0.0))
    want = np.zeros((10, 10), bool)
    want[3:7, 2:5] = True
    assert np.array_equal(m, want)


def test_rasterize_edges_on_pixel_centres_are_half_open():
    # left/top edges through pixel centres count, right/bottom edges do not
    m = g.rasterize(box(0.5, 0.5, 3.5, 2.5), (5, 5), 1.0, (0.0, 0.0))
    want = np.zeros((5, 5), bool)
    want[0:2, 0:3] = True
    assert np.array_equal(m, want)


def test_rasterize_scale_and_origin():
    m = g.rasterize(box(-1, -1, 1, 1), (16, 16), 4.0, (-2.0, -2.0))
    assert m.sum() == 4 * 16  # area 4 h^2 at 16 px per h^2
    rows, cols = np.nonzero(m)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (4, 11, 4, 11)


def test_rasterize_holes_are_left_empty():
    ring = Polygon(box(0, 0, 10, 10).exterior.coords, [box(3, 3, 7, 7).exterior.coords])
    m = g.rasterize(ring, (10, 10), 1.0, (0.0, 0.0))
    assert m.sum() == 100 - 16
    assert not m[3:7, 3:7].any()


def test_rasterize_clips_to_the_grid():
    m = g.rasterize(box(-5, -5, 2, 2), (4, 4), 1.0, (0.0, 0.0))
    assert m.sum() == 4 and m[:2, :2].all()


quarter = st.integers(min_value=0, max_value=40).map(lambda k: k / 4)


@settings(max_examples=80, deadline=None)
@given(xs=st.lists(quarter, min_size=1, max_size=4, unique=True), ys=st.lists(quarter, min_size=1, max_size=4, unique=True))
def test_a_grid_of_cells_partitions_its_pixels_exactly(xs, ys):
    """Cells meeting on edges through pixel centres: every pixel of the whole lands in exactly one cell."""
    X = sorted({0.0, 10.0, *xs})
    Y = sorted({0.0, 10.0, *ys})
    count = np.zeros((12, 12), int)
    for x0, x1 in zip(X, X[1:]):
        for y0, y1 in zip(Y, Y[1:]):
            count += g.rasterize(box(x0, y0, x1, y1), (12, 12), 1.0, (0.0, 0.0))
    whole = g.rasterize(box(0, 0, 10, 10), (12, 12), 1.0, (0.0, 0.0))
    assert count.max() <= 1
    assert np.array_equal(count == 1, whole)


@settings(max_examples=150, deadline=None)
@given(
    x0=st.floats(0.5, 40), y0=st.floats(0.5, 40), r=st.integers(2, 45), c=st.integers(2, 45),
    t=st.floats(1.05, 3.0), bulge=st.floats(1.0, 6.0),
)
def test_triangles_sharing_an_edge_through_a_pixel_centre_never_share_or_drop_it(x0, y0, r, c, t, bulge):
    """The shared edge is built to pass (up to rounding) through the centre of pixel (r, c).

    Both triangles run along it in opposite directions; each pixel centre of the quadrilateral
    must land in exactly one of them.
    """
    px, py = c + 0.5, r + 0.5
    x1, y1 = x0 + t * (px - x0), y0 + t * (py - y0)
    if math.hypot(x1 - x0, y1 - y0) < 1.0 or abs(y1 - y0) < 0.5:
        return
    nx, ny = -(y1 - y0), x1 - x0
    n = math.hypot(nx, ny)
    nx, ny = nx / n * bulge, ny / n * bulge
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    a, b = (x0, y0), (x1, y1)
    left, right = (mx + nx, my + ny), (mx - nx, my - ny)
    shape, origin = (220, 220), (-30.0, -30.0)
    t1 = g.rasterize(Polygon([a, b, left]), shape, 1.0, origin)
    t2 = g.rasterize(Polygon([b, a, right]), shape, 1.0, origin)
    quad = g.rasterize(Polygon([a, right, b, left]), shape, 1.0, origin)
    assert not (t1 & t2).any(), "a pixel on the shared edge belongs to both triangles"
    assert np.array_equal(t1 | t2, quad), "a pixel on the shared edge belongs to neither triangle"


# ---------------------------------------------------------------------------
# Rasterisation of the atlas


@pytest.fixture(scope="module")
def raster(atlas):
    return atlas.raster()


@pytest.fixture(scope="module")
def trees(atlas):
    out = {}
    for v in VIEWS:
        regs = atlas.regions_in(v)
        out[v] = (shapely.STRtree([r.geometry for r in regs]), [atlas.index(r.id) for r in regs])
    return out


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(view=st.sampled_from(VIEWS), u=st.floats(0, 1, exclude_max=True), v=st.floats(0, 1, exclude_max=True))
def test_label_image_agrees_with_shapely_at_pixel_centres(atlas, raster, trees, view, u, v):
    rows, cols = raster.shape
    r, c = int(u * rows), int(v * cols)
    x, y = raster.to_atlas(c + 0.5, r + 0.5)
    p = Point(x, y)
    label = int(raster.labels[view][r, c])
    sil = atlas.silhouette(view)
    near_edge = 1e-6
    if sil.exterior.distance(p) > near_edge and not sil.contains(p):
        assert label == -1, f"pixel ({r}, {c}) outside the body is labelled {label}"
        return
    tree, idx = trees[view]
    for k in tree.query(p, predicate="intersects"):
        geom = tree.geometries[k]
        if geom.contains(p) and geom.boundary.distance(p) > near_edge:
            assert label == idx[k], (
                f"pixel ({r}, {c}) at ({x:.4f}, {y:.4f}) is inside {atlas.regions[idx[k]].id} "
                f"but labelled {atlas.regions[label].id if label >= 0 else 'outside'}")
            return
    # on an edge or in a sliver: it must still carry a region of this view if it is in the body
    if sil.contains(p) and sil.exterior.distance(p) > near_edge:
        assert label >= 0 and atlas.regions[label].view == view


def test_region_pixel_counts_match_their_areas(atlas, raster):
    s = raster.scale
    for i, r in enumerate(atlas.regions):
        n = int((raster.labels[r.view] == i).sum())
        area_px = r.area * s * s
        perimeter_px = r.geometry.length * s
        # each pixel the boundary passes through is counted wrong by at most one pixel
        assert abs(n - area_px) <= 0.5 * perimeter_px + 1, f"{r.id}: {n} px for {area_px:.1f} px of area"
    for v in VIEWS:
        body = int(raster.body[v].sum())
        sil = atlas.silhouette(v)
        assert abs(body - sil.area * s * s) <= 0.5 * sil.length * s


def test_every_region_has_pixels_and_labels_stay_in_their_view(atlas, raster):
    for v in VIEWS:
        lab = raster.labels[v]
        present = set(np.unique(lab[lab >= 0]).tolist())
        for i, r in enumerate(atlas.regions):
            if r.view == v:
                assert i in present, f"{r.id} has no pixels"
            else:
                assert i not in present, f"{r.id} ({r.view}) appears in the {v} label image"


def test_raster_grid_matches_the_frame(atlas, raster):
    x0, y0, x1, y1 = atlas.bounds
    assert raster.shape == (round((y1 - y0) * raster.scale), round((x1 - x0) * raster.scale))
    # the grid is centred on the midline, so mirrored regions get the same pixel counts (+- edge ties)
    for r in atlas.regions:
        if r.side == "right":
            i, j = atlas.index(r.id), atlas.index("left_" + r.id[6:])
            ni = int((raster.labels[r.view] == i).sum())
            nj = int((raster.labels[r.view] == j).sum())
            assert abs(ni - nj) <= max(2, 0.01 * ni), r.id


# ---------------------------------------------------------------------------
# Cache


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """An empty cache folder and no in-memory atlases."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("BODYMAP_CACHE", str(cache))
    monkeypatch.setattr(atlas_mod, "_LOADED", {})
    return cache


def _same_atlas(a, b):
    assert a.region_ids == b.region_ids
    for ra, rb in zip(a.regions, b.regions):
        assert (ra.view, ra.side, ra.name, ra.level) == (rb.view, rb.side, rb.name, rb.level)
        assert shapely.equals_exact(ra.geometry, rb.geometry, tolerance=1e-12), ra.id
    assert [d.id for d in a.dermatomes] == [d.id for d in b.dermatomes]
    for da, db in zip(a.dermatomes, b.dermatomes):
        assert da.key_points == db.key_points
        for v in VIEWS:
            assert shapely.equals_exact(da.core[v], db.core[v], tolerance=1e-12)


def test_a_warm_cache_is_used_instead_of_building(fresh, monkeypatch):
    built = load_atlas()
    assert any(fresh.iterdir()), "the first load should write the cache"
    raster = built.raster(20)

    def boom(*a, **k):
        raise AssertionError("build_atlas called although the cache is warm")

    monkeypatch.setattr(atlas_mod, "build_atlas", boom)
    monkeypatch.setattr(atlas_mod.Atlas, "build_raster", boom)
    monkeypatch.setattr(atlas_mod, "_LOADED", {})
    cached = load_atlas()
    assert cached is not built
    _same_atlas(built, cached)
    again = cached.raster(20)
    for v in VIEWS:
        assert np.array_equal(again.labels[v], raster.labels[v])


def test_a_corrupt_geometry_cache_is_rebuilt(fresh, monkeypatch):
    reference = load_atlas()
    files = [p for p in fresh.iterdir() if p.name.endswith("geom.npz")]
    assert len(files) == 1
    files[0].write_bytes(b"PK\x03\x04 this is not a zip file at all" * 10)
    monkeypatch.setattr(atlas_mod, "_LOADED", {})
    calls = []
    real = atlas_mod.build_atlas
    monkeypatch.setattr(atlas_mod, "build_atlas", lambda *a, **k: calls.append(1) or real(*a, **k))
    rebuilt = load_atlas()
    assert calls == [1]
    _same_atlas(reference, rebuilt)
    # and the rebuilt cache is good again
    monkeypatch.setattr(atlas_mod, "_LOADED", {})
    load_atlas()
    assert calls == [1]


def test_a_truncated_cache_file_is_rebuilt(fresh, monkeypatch):
    reference = load_atlas()
    path = next(p for p in fresh.iterdir() if p.name.endswith("geom.npz"))
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    monkeypatch.setattr(atlas_mod, "_LOADED", {})
    _same_atlas(reference, load_atlas())


def test_a_corrupt_raster_cache_is_rebuilt(fresh, monkeypatch):
    a = load_atlas()
    want = a.build_raster(16)
    a.raster(16)
    path = next(p for p in fresh.iterdir() if "raster-16" in p.name)
    path.write_bytes(os.urandom(2000))
    a._rasters.clear()
    got = a.raster(16)
    for v in VIEWS:
        assert np.array_equal(got.labels[v], want.labels[v])


def test_a_stale_raster_cache_of_the_wrong_shape_is_rebuilt(fresh, monkeypatch):
    a = load_atlas()
    want = a.build_raster(16)
    a.raster(16)
    path = next(p for p in fresh.iterdir() if "raster-16" in p.name)
    small = np.zeros((3, 3), dtype=np.int16)
    with open(path, "wb") as fh:
        np.savez(fh, origin=np.array([0.0, 0.0]), front=small, back=small)
    a._rasters.clear()
    got = a.raster(16)
    assert got.shape == want.shape
    assert np.array_equal(got.labels["back"], want.labels["back"])


def test_editing_the_yaml_invalidates_the_cache(fresh, tmp_path):
    root = tmp_path / "regions"
    shutil.copytree(REGIONS, root)
    first = load_atlas(root)
    assert first.region("right_heel").name == "right heel"
    doc = yaml.safe_load((root / "atlas.yaml").read_text())
    next(r for r in doc["views"]["back"]["regions"] if r["id"] == "heel")["name"] = "hind foot"
    (root / "atlas.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    assert load_atlas(root).region("right_heel").name == "right hind foot"


def test_an_unwritable_cache_folder_only_costs_time(monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("BODYMAP_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(atlas_mod, "_LOADED", {})
    a = load_atlas()
    assert "right_knee" in a.region_ids
    assert a.raster(10).shape[0] > 0


# ---------------------------------------------------------------------------
# Schema errors in broken YAML


def _copy(tmp_path):
    root = tmp_path / "regions"
    shutil.copytree(REGIONS, root)
    return root


def _edit(root, name, fn):
    path = root / name
    doc = yaml.safe_load(path.read_text())
    fn(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def _region_doc(doc, view, rid):
    return next(r for r in doc["views"][view]["regions"] if r["id"] == rid)


def _derm_doc(doc, root):
    return next(d for d in doc["dermatomes"] if d["root"] == root)


def _drop_id(doc):
    del _region_doc(doc, "front", "knee")["id"]


def _dup_same_view(doc):
    regs = doc["views"]["front"]["regions"]
    regs.append(copy.deepcopy(_region_doc(doc, "front", "knee")))


def _dup_across_views(doc):
    doc["views"]["back"]["regions"].insert(0, {"id": "knee", "name": "knee", "level": "knee",
                                               "shapes": [{"part": "body", "box": [0, 5.3, 1, 5.6]}]})


def _set(path_fn, value):
    def fn(doc):
        parent, key = path_fn(doc)
        parent[key] = value
    return fn


YAML_BREAKAGES = {
    "missing id": ("atlas.yaml", _drop_id, ["atlas.yaml", "'id'"]),
    "unknown part in a view": ("atlas.yaml", lambda d: d["views"]["front"]["parts"].append("tail"),
                               ["atlas.yaml", "tail"]),
    "unknown part in a shape": ("atlas.yaml",
                                _set(lambda d: (_region_doc(d, "front", "knee")["shapes"][0], "part"), "tail"),
                                ["atlas.yaml", "knee", "tail"]),
    "too few points": ("atlas.yaml", _set(lambda d: (d["parts"]["head"], "half"), [[0, 0], [1, 1]]),
                       ["atlas.yaml", "head", "points"]),
    "points are not numbers": ("atlas.yaml",
                               _set(lambda d: (d["parts"]["foot_front"]["outline"], 0), ["left", "up"]),
                               ["atlas.yaml", "foot_front"]),
    "point with three numbers": ("atlas.yaml", _set(lambda d: (d["parts"]["arm"]["limb"], "tip"), [1, 2, 3]),
                                 ["atlas.yaml", "arm"]),
    "half widths are not numbers": ("atlas.yaml",
                                    _set(lambda d: (d["parts"]["arm"]["limb"]["half_width"], 2), "wide"),
                                    ["atlas.yaml", "arm", "half_width"]),
    "duplicate id in one view": ("atlas.yaml", _dup_same_view, ["atlas.yaml", "knee", "twice"]),
    "duplicate id across views": ("atlas.yaml", _dup_across_views, ["atlas.yaml", "knee", "twice"]),
    "unknown shape kind": ("atlas.yaml",
                           _set(lambda d: (_region_doc(d, "front", "knee"), "shapes"),
                                [{"part": "body", "triangle": [[0, 5], [1, 5], [0, 6]]}]),
                           ["atlas.yaml", "knee", "triangle", "box"]),
    "box with three numbers": ("atlas.yaml", _set(lambda d: (_region_doc(d, "front", "shin")["shapes"][0], "box"),
                                                  [0, 5.5, 1.2]), ["atlas.yaml", "shin"]),
    "not a number in a shape": ("atlas.yaml",
                                _set(lambda d: (_region_doc(d, "front", "shin")["shapes"][0], "box"),
                                     [0, float("nan"), 1.2, 7.4]), ["atlas.yaml", "shin", "finite"]),
    "infinite ellipse": ("atlas.yaml",
                         _set(lambda d: (_region_doc(d, "front", "knee")["shapes"][0]["ellipse"], "radii"),
                              [float("inf"), 0.2]), ["atlas.yaml", "knee", "finite"]),
    "id not snake_case": ("atlas.yaml", _set(lambda d: (_region_doc(d, "back", "calf"), "id"), "Calf-Muscle"),
                          ["atlas.yaml", "Calf-Muscle", "snake_case"]),
    "id with an accent": ("atlas.yaml", _set(lambda d: (_region_doc(d, "back", "calf"), "id"), "mollet_\u00e9"),
                          ["atlas.yaml", "snake_case"]),
    "unknown level": ("atlas.yaml", _set(lambda d: (_region_doc(d, "back", "calf"), "level"), "ankle"),
                      ["atlas.yaml", "calf", "level"]),
    "region without a name": ("atlas.yaml", lambda d: _region_doc(d, "back", "calf").pop("name"),
                              ["atlas.yaml", "calf", "'name'"]),
    "region swallowed by earlier ones": ("atlas.yaml",
                                         _set(lambda d: (_region_doc(d, "back", "calf"), "shapes"),
                                              [{"part": "body", "box": [0, 7.0, 1.2, 7.3]}]),
                                         ["atlas.yaml", "calf", "empty"]),
    "frame is not two numbers": ("atlas.yaml", _set(lambda d: (d["frame"], "x"), "wide"), ["atlas.yaml", "frame"]),
    "wrong schema": ("atlas.yaml", _set(lambda d: (d, "schema"), "bodymap.atlas/9"), ["atlas.yaml", "schema"]),
    "dermatome root twice": ("dermatomes.yaml", lambda d: d["dermatomes"].append(copy.deepcopy(_derm_doc(d, "L5"))),
                             ["dermatomes.yaml", "L5", "twice"]),
    "dermatome cites an unknown source": ("dermatomes.yaml",
                                          _set(lambda d: (_derm_doc(d, "L4"), "sources"), ["gray1918"]),
                                          ["dermatomes.yaml", "L4", "gray1918"]),
    "dermatome buffer is not a number": ("dermatomes.yaml",
                                         _set(lambda d: (_derm_doc(d, "S1")["wide"], "buffer"), "a bit"),
                                         ["dermatomes.yaml", "S1", "buffer"]),
    "dermatome key point is not a point": ("dermatomes.yaml",
                                           _set(lambda d: (_derm_doc(d, "L5")["key_points"][0], "at"), ["x", 1]),
                                           ["dermatomes.yaml", "L5", "key_points"]),
    "dermatome key point in no view": ("dermatomes.yaml",
                                       _set(lambda d: (_derm_doc(d, "L5")["key_points"][0], "view"), "side"),
                                       ["dermatomes.yaml", "L5", "view"]),
    "dermatome shape names an unknown part": ("dermatomes.yaml",
                                              _set(lambda d: (_derm_doc(d, "S2")["core"]["back"][0], "part"), "tail"),
                                              ["dermatomes.yaml", "S2", "tail"]),
    "dermatome with an empty core": ("dermatomes.yaml", _set(lambda d: (_derm_doc(d, "T11"), "core"), {}),
                                     ["dermatomes.yaml", "T11", "empty"]),
}


@pytest.mark.parametrize("case", sorted(YAML_BREAKAGES))
def test_broken_yaml_raises_an_atlas_error_naming_file_and_problem(tmp_path, case):
    name, fn, fragments = YAML_BREAKAGES[case]
    root = _copy(tmp_path)
    _edit(root, name, fn)
    with pytest.raises(AtlasError) as ei:
        build_atlas(root)
    msg = str(ei.value)
    assert "\n" not in msg
    for frag in fragments:
        assert frag in msg, f"{case}: {frag!r} not in {msg!r}"


RAW_BREAKAGES = {
    "yaml syntax error": ("atlas.yaml", lambda t: t.replace("views:\n", "views: [\n", 1), ["atlas.yaml", "line"]),
    "tab indentation": ("dermatomes.yaml", lambda t: t.replace("  - root: T11", "\t- root: T11", 1),
                        ["dermatomes.yaml", "YAML"]),
    "alias bomb": ("atlas.yaml",
                   lambda t: t + "\nbomb0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                   + "".join(f"bomb{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 9)}]\n" for i in range(1, 12)),
                   ["atlas.yaml", "alias"]),
    "deep nesting": ("atlas.yaml", lambda t: t + "\nextra: " + "[" * 200000 + "]" * 200000 + "\n",
                     ["atlas.yaml", "nested"]),
    "python tag": ("atlas.yaml", lambda t: t + '\nboom: !!python/object/apply:os.system ["echo hi"]\n',
                   ["atlas.yaml", "YAML"]),
    "empty file": ("atlas.yaml", lambda t: "", ["atlas.yaml", "mapping"]),
    "a list at the top": ("dermatomes.yaml", lambda t: "- 1\n- 2\n", ["dermatomes.yaml", "schema"]),
    "not UTF-8": ("atlas.yaml", lambda t: None, ["atlas.yaml", "read"]),
}


def _raw_break(root, name, fn):
    path = root / name
    text = fn(path.read_text())
    if text is None:
        path.write_bytes(b"schema: \xff\xfe bodymap\n")
    else:
        path.write_text(text)


@pytest.mark.parametrize("case", sorted(RAW_BREAKAGES))
def test_broken_yaml_text_raises_an_atlas_error(tmp_path, case):
    name, fn, fragments = RAW_BREAKAGES[case]
    root = _copy(tmp_path)
    _raw_break(root, name, fn)
    with pytest.raises(AtlasError) as ei:
        build_atlas(root)
    msg = str(ei.value)
    assert "\n" not in msg
    for frag in fragments:
        assert frag in msg, f"{case}: {frag!r} not in {msg!r}"


def test_missing_dermatome_file_is_named(tmp_path):
    root = _copy(tmp_path)
    (root / "dermatomes.yaml").unlink()
    with pytest.raises(AtlasError, match="dermatomes.yaml.*not found"):
        build_atlas(root)


def test_a_folder_in_place_of_a_yaml_file(tmp_path):
    root = _copy(tmp_path)
    (root / "atlas.yaml").unlink()
    (root / "atlas.yaml").mkdir()
    with pytest.raises(AtlasError, match="atlas.yaml.*folder"):
        build_atlas(root)


def test_an_oversized_yaml_file_is_refused_before_parsing(tmp_path):
    root = _copy(tmp_path)
    with open(root / "atlas.yaml", "ab") as fh:
        fh.truncate(atlas_mod.MAX_YAML_BYTES + 10)
    with pytest.raises(AtlasError, match="too large"):
        build_atlas(root)


def _move_l5_key_point(doc):
    _derm_doc(doc, "L5")["key_points"][0]["at"] = [0.3, 2.0]  # the chest: far from the foot


def test_a_key_point_outside_its_core_is_a_check_problem(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "dermatomes.yaml", _move_l5_key_point)
    rep = check_atlas(root)
    assert not rep.ok
    msgs = [p for p in rep.problems if "L5" in p]
    assert any("right_L5" in p and "core" in p for p in msgs), rep.problems
    assert any("left_L5" in p and "core" in p for p in msgs), rep.problems
    assert all("L5" in p for p in rep.problems), "only the moved key point should be reported"


def test_the_shipped_atlas_passes_its_check():
    rep = check_atlas(REGIONS)
    assert rep.ok, rep.problems
    assert rep.figures["front_coverage_percent"] >= 99.5
    assert rep.figures["back_coverage_percent"] >= 99.5


def test_check_catches_an_asymmetric_region():
    a = build_atlas(REGIONS)
    i = a.index("left_calf")
    r = a.regions[i]
    shrunk = atlas_mod.Region(**{**{k: getattr(r, k) for k in ("id", "stem", "view", "side", "name", "level")},
                                 "geometry": shapely.affinity.scale(r.geometry, 0.8, 0.8)})
    a.regions[i] = shrunk
    rep = check_atlas(REGIONS, atlas=a)
    assert any("left_calf" in p and "mirror" in p for p in rep.problems), rep.problems


def _cli(*args, env_extra=None):
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "bodymap", *args], capture_output=True, text=True, env=env,
                          timeout=120)


@pytest.mark.parametrize("case", ["missing id", "unknown shape kind", "dermatome buffer is not a number",
                                  "duplicate id in one view"])
def test_cli_atlas_check_on_broken_yaml_exits_2_with_one_line(tmp_path, case):
    name, fn, fragments = YAML_BREAKAGES[case]
    root = _copy(tmp_path)
    _edit(root, name, fn)
    res = _cli("atlas", "check", "--root", str(root), env_extra={"BODYMAP_CACHE": str(tmp_path / "c")})
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert all(f in lines[0] for f in fragments)


@pytest.mark.parametrize("case", ["alias bomb", "yaml syntax error", "deep nesting"])
def test_cli_atlas_check_on_broken_yaml_text_exits_2(tmp_path, case):
    name, fn, fragments = RAW_BREAKAGES[case]
    root = _copy(tmp_path)
    _raw_break(root, name, fn)
    res = _cli("atlas", "check", "--root", str(root), env_extra={"BODYMAP_CACHE": str(tmp_path / "c")})
    assert res.returncode == 2
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "Traceback" not in res.stderr


def test_cli_atlas_check_reports_a_moved_key_point(tmp_path):
    root = _copy(tmp_path)
    _edit(root, "dermatomes.yaml", _move_l5_key_point)
    res = _cli("atlas", "check", "--root", str(root), env_extra={"BODYMAP_CACHE": str(tmp_path / "c")})
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert lines and all(line.startswith("bodymap: ") or line.startswith("problem: ") for line in lines)
    assert any("right_L5" in line for line in lines)


# ---------------------------------------------------------------------------
# Pixel snapshots of the rendered atlas


SNAPSHOT_HEIGHT = 700


@pytest.mark.parametrize("layer", ["regions", "dermatomes"])
def test_rendered_atlas_matches_its_snapshot(atlas, layer, request):
    from bodymap.render import picture as headless

    surf = headless.render_atlas_png(atlas, layer, SNAPSHOT_HEIGHT)
    assert surf.get_height() == SNAPSHOT_HEIGHT
    compare_snapshot(surf, f"atlas-{layer}.png", request.config.getoption("--update-snapshots", default=False))


def test_snapshot_comparison_notices_a_changed_atlas(atlas):
    """The tolerance is not so loose that a visibly different picture passes."""
    import pygame

    from bodymap.render import picture as headless

    ref = SNAPSHOTS / "atlas-regions.png"
    if not ref.exists():
        pytest.fail("snapshot missing; run pytest --update-snapshots")
    other = pixels(headless.render_atlas_png(atlas, "dermatomes", SNAPSHOT_HEIGHT))
    want = pixels(pygame.image.load(str(ref)))
    assert share_differing(other, want) > MAX_SHARE


@pytest.mark.parametrize("scale", [40.0, 80.0, 120.0])
def test_any_set_of_regions_becomes_a_mask_at_any_resolution(scale):
    atlas = load_atlas()
    ids = ["right_calf", "left_calf", "right_groin"]
    masks = atlas.regions_mask(ids, scale=scale)
    for v in ("front", "back"):
        want_area = sum(atlas.region(r).area for r in ids if atlas.region(r).view == v)
        got_area = masks[v].sum() / scale ** 2
        assert got_area == pytest.approx(want_area, rel=0.05, abs=2 / scale)
    # the back view holds both calves, on opposite halves: the patient's right on the viewer's right
    back = masks["back"]
    cols = np.nonzero(back.any(axis=0))[0]
    mid = atlas.raster(scale).to_px(0.0, 0.0)[0]
    assert cols.min() < mid < cols.max()
    with pytest.raises(UnknownRegionError):
        atlas.regions_mask(["right_kalf"])
