"""The painting model: strokes, eraser, clear, undo/redo, region painting, answers and derived figures."""
from __future__ import annotations

import collections
import math

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings, strategies as st
from shapely.geometry import LineString, Point

from bodymap.atlas import VIEWS, viewer_sign
from bodymap.errors import BodymapError, UnknownRegionError, UsageError
from bodymap.painting import QUESTIONS, SENSATIONS, UNDO_LIMIT, PainMap, replay

TIE = 1e-6  # pixel centres this close to the brush edge may go either way


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BODYMAP_CACHE", str(tmp_path_factory.mktemp("paint-cache")))
        yield



@pytest.fixture
def m(atlas):
    return PainMap(atlas)


def centres(pm, view):
    """Atlas coordinates of every pixel centre (rows, cols)."""
    rows, cols = pm.raster.shape
    ox, oy = pm.raster.origin
    yy, xx = np.mgrid[0:rows, 0:cols]
    return ox + (xx + 0.5) / pm.scale, oy + (yy + 0.5) / pm.scale


def distance_to(pm, view, points):
    xs, ys = centres(pm, view)
    geom = LineString(points) if len(points) > 1 else Point(points[0])
    return shapely.distance(geom, shapely.points(xs.ravel(), ys.ravel())).reshape(xs.shape)


def assert_brush(pm, view, points, radius, mask):
    """`mask` must be exactly the body pixels whose centre lies within `radius` of the polyline."""
    rows, cols = pm.raster.shape
    ox, oy = pm.raster.origin
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    c0 = max(int((min(xs) - radius - ox) * pm.scale) - 2, 0)
    c1 = min(int((max(xs) + radius - ox) * pm.scale) + 3, cols)
    r0 = max(int((min(ys) - radius - oy) * pm.scale) - 2, 0)
    r1 = min(int((max(ys) + radius - oy) * pm.scale) + 3, rows)
    window = np.zeros(mask.shape, bool)
    window[r0:r1, c0:c1] = True
    assert not (mask & ~window).any(), "paint far away from the stroke"
    if r1 <= r0 or c1 <= c0:
        return
    yy, xx = np.mgrid[r0:r1, c0:c1]
    geom = LineString(points) if len(points) > 1 else Point(points[0])
    d = shapely.distance(geom, shapely.points((ox + (xx + 0.5) / pm.scale).ravel(),
                                              (oy + (yy + 0.5) / pm.scale).ravel())).reshape(xx.shape)
    mask = mask[r0:r1, c0:c1]
    body = pm.raster.body[view][r0:r1, c0:c1]
    inside = (d < radius - TIE) & body
    outside = (d > radius + TIE) | ~body
    missing = inside & ~mask
    extra = outside & mask
    assert not missing.any(), f"{int(missing.sum())} pixels within the brush were not painted"
    assert not extra.any(), f"{int(extra.sum())} pixels outside the brush (or the body) were painted"


def components4(mask):
    """Number of 4-connected components (plain BFS, independent of the code under test)."""
    seen = np.zeros(mask.shape, bool)
    n = 0
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        n += 1
        seen[start] = True
        q = collections.deque([start])
        while q:
            r, c = q.popleft()
            for rr, cc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= rr < mask.shape[0] and 0 <= cc < mask.shape[1] and mask[rr, cc] and not seen[rr, cc]:
                    seen[rr, cc] = True
                    q.append((rr, cc))
    return n


def largest_component(mask):
    seen = np.zeros(mask.shape, bool)
    best = 0
    for start in zip(*np.nonzero(mask)):
        if seen[start]:
            continue
        seen[start] = True
        q, size = collections.deque([start]), 0
        while q:
            r, c = q.popleft()
            size += 1
            for rr, cc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
                if 0 <= rr < mask.shape[0] and 0 <= cc < mask.shape[1] and mask[rr, cc] and not seen[rr, cc]:
                    seen[rr, cc] = True
                    q.append((rr, cc))
        best = max(best, size)
    return best


def region_mask(pm, rid):
    r = pm.atlas.region(rid)
    return pm.raster.labels[r.view] == pm.atlas.index(rid)


def snapshot(pm):
    return {v: pm.layers(v).copy() for v in VIEWS}


def same(a, b):
    return all(np.array_equal(a[v], b[v]) for v in VIEWS)


def inner_point(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return (p.x, p.y)


# ---------------------------------------------------------------------------
# Strokes


def test_sensation_ids_are_exactly_the_contract():
    assert SENSATIONS == ("aching", "sharp", "burning", "pins_and_needles", "numbness")


def test_a_fast_swipe_paints_the_whole_capsule_without_gaps(m):
    # two points far apart (one mouse event per 2.5 head heights): down the patient's right leg
    pts = [(-0.35, 4.3), (-0.30, 6.8)]
    m.stroke("front", pts, "aching", radius=0.09)
    assert_brush(m, "front", pts, 0.09, m.masks["front"]["aching"])
    assert not m.layers("back").any()
    for s in SENSATIONS[1:]:
        assert not m.masks["front"][s].any()


def test_a_zigzag_stroke_paints_the_union_of_its_segments(m):
    pts = [(0.2, 2.2), (0.45, 2.5), (0.15, 2.8), (0.4, 3.1), (0.1, 3.4)]
    m.stroke("back", pts, "burning", radius=0.06)
    assert_brush(m, "back", pts, 0.06, m.masks["back"]["burning"])


def test_a_single_click_paints_a_disc(m, atlas):
    c = inner_point(atlas, "right_lower_back")
    m.stroke("back", [c], "sharp", radius=0.1)
    assert_brush(m, "back", [c], 0.1, m.masks["back"]["sharp"])
    # a disc of radius 0.1 h is pi * 0.01 h^2: about 201 px at 80 px per h
    n = int(m.masks["back"]["sharp"].sum())
    want = math.pi * 0.1 ** 2 * m.scale ** 2
    assert abs(n - want) <= 2 * math.pi * 0.1 * m.scale * 0.5


segment_point = st.tuples(st.floats(-1.8, 1.8), st.floats(-0.05, 7.85))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(view=st.sampled_from(VIEWS), pts=st.lists(segment_point, min_size=1, max_size=4),
       radius=st.floats(0.02, 0.4), sensation=st.sampled_from(SENSATIONS))
def test_strokes_paint_exactly_the_body_pixels_within_the_radius(atlas, view, pts, radius, sensation):
    pm = PainMap(atlas)
    pm.stroke(view, pts, sensation, radius=radius)
    # points and radius are stored (and stamped) at 1e-4 h precision: compare with what was stored
    if pm.strokes:
        entry = pm.strokes[0]
        assert abs(entry["radius"] - radius) <= 0.5e-4 + 1e-12
        for p in entry["points"]:  # (repeated points are stored once)
            assert min(max(abs(p[0] - q[0]), abs(p[1] - q[1])) for q in pts) <= 0.5e-4 + 1e-12
        pts, radius = [tuple(p) for p in entry["points"]], entry["radius"]
    assert_brush(pm, view, pts, radius, pm.masks[view][sensation])
    other = [v for v in VIEWS if v != view][0]
    assert not pm.layers(other).any()


def test_interactive_strokes_match_one_shot_strokes(atlas):
    pts = [(-0.3, 4.4), (-0.32, 4.9), (-0.35, 5.6), (-0.3, 6.3)]
    a = PainMap(atlas)
    a.begin_stroke("front", pts[0], "numbness", radius=0.07)
    boxes = [a.extend_stroke(p) for p in pts[1:]]
    a.end_stroke()
    b = PainMap(atlas)
    b.stroke("front", pts, "numbness", radius=0.07)
    assert same(snapshot(a), snapshot(b))
    assert len(a._undo) == 1, "one drag is one undo step"
    # each returned rectangle covers the segment it painted
    rows, cols = a.raster.shape
    for (x0, y0), (x1, y1), bx in zip(pts, pts[1:], boxes):
        r0, r1, c0, c1 = bx
        for x, y in ((x0, y0), (x1, y1)):
            c, r = a.raster.to_px(x, y)
            assert r0 <= r < r1 and c0 <= c < c1


def test_paint_outside_the_body_is_ignored(m):
    m.stroke("front", [(1.8, 0.2), (1.8, 1.0)], "aching", radius=0.05)  # beside the head
    assert m.is_empty
    assert not m.can_undo
    assert m.strokes == []


def test_a_stroke_across_the_outline_only_paints_inside(m, atlas):
    # across the right flank at the waist on the back view, from outside to inside
    pts = [(0.78, 2.7), (0.2, 2.7)]
    m.stroke("back", pts, "aching", radius=0.08)
    mask = m.masks["back"]["aching"]
    assert mask.any()
    assert not (mask & ~m.raster.body["back"]).any()
    assert_brush(m, "back", pts, 0.08, mask)


def test_brush_radius_and_view_and_sensation_are_validated(m):
    for bad in (0, -0.1, 2.5):
        with pytest.raises(UsageError):
            m.stroke("front", [(0, 3)], radius=bad)
    with pytest.raises(UsageError, match="view"):
        m.stroke("side", [(0, 3)])
    with pytest.raises(UsageError, match="pins_and_needles"):
        m.stroke("front", [(0, 3)], "itching")
    assert m.is_empty


def test_the_eraser_clears_every_sensation_within_its_radius_only(m, atlas):
    m.paint_region("right_calf", 1.0, "aching")
    m.stroke("back", [(0.15, 5.8), (0.5, 6.6)], "burning", radius=0.1)
    before = snapshot(m)
    er = [(0.3, 5.9), (0.3, 6.5)]
    m.erase("back", er, radius=0.06)
    d = distance_to(m, "back", er)
    inside, outside = d < 0.06 - TIE, d > 0.06 + TIE
    after = m.layers("back")
    assert not after[:, inside].any(), "paint left under the eraser"
    assert np.array_equal(after[:, outside], before["back"][:, outside]), "the eraser touched paint outside it"
    assert m.strokes[-1]["op"] == "erase"
    m.undo()
    assert same(snapshot(m), before)


# ---------------------------------------------------------------------------
# Clear, undo, redo


def paint_both_views(pm, atlas):
    pm.paint_region("right_shin", 0.5, "aching")
    pm.paint_region("left_calf", 0.5, "sharp")


def test_clear_one_view_leaves_the_other(m, atlas):
    paint_both_views(m, atlas)
    before = snapshot(m)
    m.clear("front")
    assert not m.layers("front").any()
    assert np.array_equal(m.layers("back"), before["back"])
    m.undo()
    assert same(snapshot(m), before)


def test_clear_everything_is_one_undo_step(m, atlas):
    paint_both_views(m, atlas)
    before = snapshot(m)
    m.clear()
    assert m.is_empty
    assert m.undo() is True
    assert same(snapshot(m), before), "one undo should bring back both views"
    assert m.redo() is True
    assert m.is_empty
    assert replay(atlas, m.strokes) == m


def test_clear_with_a_bad_view_is_refused(m, atlas):
    paint_both_views(m, atlas)
    with pytest.raises(UsageError):
        m.clear("side")
    assert not m.is_empty


def test_clearing_in_the_middle_of_a_drag_keeps_replay_exact(m, atlas):
    m.begin_stroke("front", (-0.3, 6.0), "aching")
    m.extend_stroke((-0.3, 6.3))
    m.clear("front")
    m.extend_stroke((-0.3, 6.6))
    m.end_stroke()
    assert replay(atlas, m.strokes) == m


@pytest.mark.parametrize("steps", [60])
def test_undo_and_redo_walk_back_and_forth_through_many_steps(m, atlas, steps):
    history = [snapshot(m)]
    for k in range(steps):
        view = VIEWS[k % 2]
        x = viewer_sign(view, "right") * (0.12 + 0.4 * (k % 5) / 5)
        y = 2.2 + 4.8 * k / steps
        m.stroke(view, [(x, y), (x + 0.02, y + 0.05)], SENSATIONS[k % len(SENSATIONS)], radius=0.05)
        history.append(snapshot(m))
    assert all(not same(a, b) for a, b in zip(history, history[1:])), "every step should change something"
    for k in range(steps, 0, -1):
        assert m.undo() is True
        assert same(snapshot(m), history[k - 1]), f"undo to step {k - 1}"
    assert m.undo() is False
    assert m.is_empty
    for k in range(1, steps + 1):
        assert m.redo() is True
        assert same(snapshot(m), history[k]), f"redo to step {k}"
    assert m.redo() is False


def test_a_new_action_after_undo_drops_the_redo_chain(m, atlas):
    m.paint_region("right_calf", 0.3)
    m.paint_region("right_calf", 0.6)
    m.undo()
    assert m.can_redo
    m.paint_region("left_calf", 0.3)
    assert not m.can_redo
    assert m.redo() is False


def test_undo_keeps_the_last_hundred_steps(m, atlas):
    n = UNDO_LIMIT + 5
    for k in range(1, n + 1):
        m.paint_region("right_posterior_thigh", k / n)
    undone = 0
    while m.undo():
        undone += 1
    assert undone == UNDO_LIMIT >= 50
    assert not m.is_empty  # the oldest steps can no longer be undone


# ---------------------------------------------------------------------------
# Painting named regions


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), fraction=st.floats(0.01, 1.0), sensation=st.sampled_from(SENSATIONS))
def test_paint_region_covers_the_fraction_in_one_piece_inside_the_region(atlas, data, fraction, sensation):
    rid = data.draw(st.sampled_from(atlas.region_ids), label="region")
    pm = PainMap(atlas)
    pm.paint_region(rid, fraction, sensation)
    view = atlas.region(rid).view
    painted = pm.masks[view][sensation]
    region = region_mask(pm, rid)
    n = int(region.sum())
    assert not (painted & ~region).any(), "paint outside the region"
    got = int(painted.sum())
    # one contiguous piece: it can only be as large as the region's largest 4-connected piece
    want = min(math.ceil(fraction * n - 1e-9), largest_component(region))
    assert got == want, f"{rid}: {got} px painted for {fraction:.3f} of {n} px"
    assert components4(painted) == 1
    assert abs(pm.region_coverage()[rid] - fraction) <= max(1.5 / n, (n - largest_component(region)) / n + 1e-9)
    assert [s for s in SENSATIONS if pm.masks[view][s].any()] == [sensation]


@pytest.mark.parametrize("rid", ["right_calf", "left_lateral_leg", "right_anterior_thigh", "sacrum", "left_sole"])
@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_paint_region_is_deterministic(atlas, rid, fraction):
    a, b = PainMap(atlas), PainMap(atlas)
    a.paint_region(rid, fraction, "burning")
    b.paint_region(rid, fraction, "burning")
    assert same(snapshot(a), snapshot(b))


def test_paint_region_grows_monotonically_with_the_fraction(atlas):
    prev = None
    for f in (0.1, 0.3, 0.5, 0.8, 1.0):
        pm = PainMap(atlas)
        pm.paint_region("right_buttock", f)
        cur = pm.masks["back"]["aching"].copy()
        if prev is not None:
            assert not (prev & ~cur).any(), "a larger fraction should contain the smaller one"
        prev = cur


def test_whole_region_paint_covers_nearly_all_of_it(m, atlas):
    for rid in ("right_calf", "left_knee", "perineum", "right_big_toe"):
        m.paint_region(rid, 1.0)
        assert m.region_coverage()[rid] >= 0.99


def test_unknown_region_lists_the_nearest_ids(m):
    with pytest.raises(UnknownRegionError) as ei:
        m.paint_region("right_kne", 0.5)
    msg = str(ei.value)
    assert "right_kne" in msg and "right_knee" in msg
    assert isinstance(ei.value, BodymapError) and isinstance(ei.value, KeyError)
    assert "\n" not in msg
    assert m.is_empty


@pytest.mark.parametrize("bad", [0, -0.5, 1.01, float("nan"), "half", None])
def test_bad_fractions_are_refused(m, bad):
    with pytest.raises(UsageError, match="fraction"):
        m.paint_region("right_calf", bad)
    assert m.is_empty


def test_bad_sensation_for_a_region_is_refused(m):
    with pytest.raises(UsageError, match="sensation"):
        m.paint_region("right_calf", 0.5, "tickle")


# ---------------------------------------------------------------------------
# Patient's left and right


def test_viewer_left_on_the_front_is_the_patients_right(m):
    m.stroke("front", [(-0.3, 6.3)], radius=0.05)  # viewer's left, mid shin
    painted = m.painted_regions()
    assert painted and all(r.startswith("right_") for r in painted), painted


def test_viewer_right_on_the_front_is_the_patients_left(m):
    m.stroke("front", [(0.3, 6.3)], radius=0.05)
    painted = m.painted_regions()
    assert painted and all(r.startswith("left_") for r in painted), painted


def test_viewer_right_on_the_back_is_the_patients_right(m):
    m.stroke("back", [(0.3, 6.2)], radius=0.05)  # viewer's right, mid calf
    assert m.painted_regions() == ["right_calf"]


def test_viewer_left_on_the_back_is_the_patients_left(m):
    m.stroke("back", [(-0.3, 6.2)], radius=0.05)
    assert m.painted_regions() == ["left_calf"]


# ---------------------------------------------------------------------------
# Answers and intensity


def test_yes_no_answers_take_booleans_only(m):
    m.answers["numbness"] = True
    m.answers["weakness"] = False
    assert m.answers == {"numbness": True, "weakness": False}
    for bad in (1, 0, "yes", None, "True"):
        with pytest.raises(UsageError, match="numbness"):
            m.answers["numbness"] = bad
    assert m.answers["numbness"] is True


def test_age_takes_a_whole_number_of_years(m):
    m.answers["age"] = 0
    m.answers["age"] = 120
    assert m.answers["age"] == 120
    for bad in (-1, 121, 40.5, "40", True, None):
        with pytest.raises(UsageError, match="age"):
            m.answers["age"] = bad
    assert m.answers["age"] == 120


def test_unknown_questions_are_refused_by_every_way_in(m):
    with pytest.raises(UsageError, match="mood"):
        m.answers["mood"] = True
    with pytest.raises(UsageError):
        m.answers.update({"mood": True})
    with pytest.raises(UsageError):
        m.answers.update(age="old")
    with pytest.raises(UsageError):
        m.answers.setdefault("mood", True)
    with pytest.raises(UsageError):
        m.answers |= {"age": "abc"}
    assert dict(m.answers) == {}
    m.answers |= {"age": 50}
    assert m.answers == {"age": 50}


def test_every_question_accepts_its_type(m):
    for q in QUESTIONS:
        m.answers[q] = 42 if q == "age" else True
    assert set(m.answers) == set(QUESTIONS)


def test_intensity_is_a_whole_number_from_0_to_10(m):
    m.set_intensity(None, 7)
    m.set_intensity("burning", 0)
    assert m.intensity == {"overall": 7, "burning": 0}
    for bad in (-1, 11, 5.5, True, "5"):
        with pytest.raises(UsageError):
            m.set_intensity(None, bad)
    with pytest.raises(UsageError):
        m.set_intensity("itching", 3)


# ---------------------------------------------------------------------------
# Derived figures


def test_extent_of_an_empty_map_is_zero(m):
    ext = m.extent_percent()
    assert ext["front"] == ext["back"] == ext["total"] == 0
    assert all(v == 0 for v in ext["by_sensation"].values())


def test_extent_of_a_painted_region_matches_its_share_of_the_body(m, atlas):
    m.paint_region("right_calf", 1.0, "sharp")
    calf = atlas.region("right_calf").area
    back, front = atlas.silhouette("back").area, atlas.silhouette("front").area
    ext = m.extent_percent()
    assert ext["front"] == 0
    assert ext["back"] == pytest.approx(100 * calf / back, rel=0.03)
    assert ext["total"] == pytest.approx(100 * calf / (front + back), rel=0.03)
    assert ext["by_sensation"]["sharp"] == pytest.approx(ext["total"])
    assert ext["by_sensation"]["aching"] == 0


def test_extent_counts_overlapping_sensations_once(m, atlas):
    m.paint_region("left_shin", 1.0, "aching")
    one = m.extent_percent()["total"]
    m.paint_region("left_shin", 1.0, "burning")
    ext = m.extent_percent()
    assert ext["total"] == pytest.approx(one)
    assert ext["by_sensation"]["burning"] == pytest.approx(one)


def test_extent_of_a_disc_matches_its_area(m, atlas):
    c = inner_point(atlas, "right_upper_abdomen")
    m.stroke("front", [c], radius=0.1)
    want = 100 * math.pi * 0.1 ** 2 / atlas.silhouette("front").area
    assert m.extent_percent()["front"] == pytest.approx(want, rel=0.05)


def test_region_coverage_names_exactly_the_painted_regions(m, atlas):
    m.paint_region("right_calf", 0.5)
    cov = m.region_coverage()
    assert set(cov) == {"right_calf"}
    assert cov["right_calf"] == pytest.approx(0.5, abs=0.01)
    # a stroke across the knee crease touches the back of the knee and the calf
    m.stroke("back", [(-0.3, 5.4), (-0.3, 5.9)], radius=0.05)
    cov = m.region_coverage()
    assert {"left_back_of_knee", "left_calf"} <= set(cov)
    assert all(0 < v <= 1 for v in cov.values())
    assert m.region_coverage(min_fraction=0.4).keys() == {"right_calf"}
    assert m.painted_regions()[0] == "right_calf"


def test_region_coverage_per_sensation(m):
    m.paint_region("right_calf", 0.5, "burning")
    m.paint_region("left_calf", 0.25, "numbness")
    assert set(m.region_coverage("burning")) == {"right_calf"}
    assert set(m.region_coverage("numbness")) == {"left_calf"}
    assert m.region_coverage("sharp") == {}
    assert m.sensations_present() == ["burning", "numbness"]


def test_both_sides(m):
    m.paint_region("right_calf", 0.5)
    assert not m.both_sides_painted and not m.both_legs_painted
    m.paint_region("sacrum", 0.5)  # the midline is neither side
    assert not m.both_sides_painted
    m.paint_region("left_lower_back", 0.5)
    assert m.both_sides_painted and not m.both_legs_painted
    m.paint_region("left_shin", 0.2)
    assert m.both_legs_painted


def test_most_distal_level_follows_the_lowest_paint(m):
    assert m.most_distal_level() is None
    m.paint_region("right_chest", 0.5)
    assert m.most_distal_level() is None  # above the back: not a distal level
    m.paint_region("right_lower_back", 0.5)
    assert m.most_distal_level() == "back"
    m.paint_region("left_buttock", 0.5)
    assert m.most_distal_level() == "buttock"
    m.paint_region("right_posterior_thigh", 0.5)
    assert m.most_distal_level() == "thigh"
    m.paint_region("left_knee", 0.5)
    assert m.most_distal_level() == "knee"
    m.paint_region("right_lateral_leg", 0.5)
    assert m.most_distal_level() == "leg"
    m.paint_region("left_big_toe", 0.5)
    assert m.most_distal_level() == "foot"


def test_layers_and_masks_are_read_only(m):
    m.paint_region("right_calf", 0.5)
    with pytest.raises(ValueError):
        m.layers("back")[0, 0, 0] = True
    with pytest.raises(ValueError):
        m.masks["back"]["aching"][0, 0] = True


# ---------------------------------------------------------------------------
# Replay


op_strategy = st.one_of(
    st.tuples(st.just("stroke"), st.sampled_from(VIEWS), st.lists(segment_point, min_size=1, max_size=3),
              st.sampled_from(SENSATIONS), st.floats(0.03, 0.3)),
    st.tuples(st.just("erase"), st.sampled_from(VIEWS), st.lists(segment_point, min_size=1, max_size=3),
              st.floats(0.03, 0.3)),
    st.tuples(st.just("region"), st.integers(0, 10_000), st.floats(0.05, 1.0), st.sampled_from(SENSATIONS)),
    st.tuples(st.just("clear"), st.sampled_from([None, "front", "back"])),
    st.tuples(st.just("undo")),
    st.tuples(st.just("redo")),
    # an interactive drag with another action in the middle of it
    st.tuples(st.just("drag"), st.sampled_from(VIEWS), segment_point, segment_point,
              st.sampled_from(["clear", "region", "undo", "redo", "nothing"])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(op_strategy, max_size=12))
def test_replaying_the_stroke_log_reproduces_the_masks_exactly(atlas, ops):
    pm = PainMap(atlas)
    ids = atlas.region_ids
    for op in ops:
        kind = op[0]
        if kind == "stroke":
            pm.stroke(op[1], op[2], op[3], radius=op[4])
        elif kind == "erase":
            pm.erase(op[1], op[2], radius=op[3])
        elif kind == "region":
            pm.paint_region(ids[op[1] % len(ids)], op[2], op[3])
        elif kind == "clear":
            pm.clear(op[1])
        elif kind == "undo":
            pm.undo()
        elif kind == "redo":
            pm.redo()
        else:
            _, view, p0, p1, middle = op
            pm.begin_stroke(view, p0, "sharp", 0.1)
            if middle == "clear":
                pm.clear(view)
            elif middle == "region":
                pm.paint_region(ids[0], 0.5)
            elif middle == "undo":
                pm.undo()
            elif middle == "redo":
                pm.redo()
            pm.extend_stroke(p1)
            pm.end_stroke()
    again = replay(atlas, pm.strokes)
    for v in VIEWS:
        assert np.array_equal(again.layers(v), pm.layers(v)), f"{v} differs after replay"
    assert again.strokes == pm.strokes
