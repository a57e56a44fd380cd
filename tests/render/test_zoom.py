"""Zoomed views: exact input at every zoom, framing the feet, the patient's sides, finer painting."""
from __future__ import annotations

import pygame
import pytest

from bodymap.atlas import viewer_sign
from bodymap.painting import PainMap
from bodymap.render.view import frame_regions, layout_views, zoom_layout

AREA = pygame.Rect(40, 60, 900, 1000)
FINGER_PX = 30  # a fingertip-sized brush on screen



def _feet(atlas, view, side=None):
    return [r for r in atlas.regions if r.view == view and r.level == "foot" and (side is None or r.side == side)]


@pytest.mark.parametrize("zoom", [1.0, 2.5, 8.0])
@pytest.mark.parametrize("view", ["front", "back"])
def test_screen_and_atlas_points_round_trip_at_every_zoom(atlas, view, zoom):
    lay = zoom_layout(atlas, view, AREA, (0.3, 7.2), zoom)
    for px, py in [(AREA.left, AREA.top), AREA.center, (AREA.right - 1, AREA.bottom - 1)]:
        x, y = lay.to_atlas(px, py)
        sx, sy = lay.to_screen(x, y)
        assert (float(sx), float(sy)) == pytest.approx((px, py), abs=1e-9)
    whole = zoom_layout(atlas, view, AREA, (0, 0), 1.0)
    assert lay.scale == pytest.approx(whole.scale * zoom)


@pytest.mark.parametrize("view", ["front", "back"])
def test_the_zoomed_window_never_leaves_the_body(atlas, view):
    x0, y0, x1, y1 = atlas.bounds
    lay = zoom_layout(atlas, view, AREA, (x1 + 5, y1 + 5), 4.0)  # asked to centre far off the body
    ax0, ay0 = lay.to_atlas(AREA.left, AREA.top)
    ax1, ay1 = lay.to_atlas(AREA.right, AREA.bottom)
    assert x0 - 1e-9 <= ax0 and ax1 <= x1 + 1e-9
    assert y0 - 1e-9 <= ay0 and ay1 <= y1 + 1e-9


@pytest.mark.parametrize("view", ["front", "back"])
def test_framing_the_feet_shows_every_foot_region_larger(atlas, view):
    ids = [r.id for r in _feet(atlas, view)]
    lay = frame_regions(atlas, view, AREA, ids)
    whole = layout_views(atlas, AREA)[view]
    assert lay.scale > 2 * whole.scale
    for r in _feet(atlas, view):
        bx0, by0, bx1, by1 = r.geometry.bounds
        (sx0, sx1), (sy0, sy1) = (lay.to_screen([bx0, bx1], [by0, by1]))
        assert AREA.left <= sx0 and sx1 <= AREA.right and AREA.top <= sy0 and sy1 <= AREA.bottom, r.id


@pytest.mark.parametrize("view", ["front", "back"])
def test_the_patients_right_foot_is_where_the_view_puts_it(atlas, view):
    lay = frame_regions(atlas, view, AREA, [r.id for r in _feet(atlas, view)])
    xs = {}
    for side in ("right", "left"):
        c = [r.geometry.centroid.x for r in _feet(atlas, view, side)]
        xs[side] = float(lay.to_screen(sum(c) / len(c), 0)[0])
    # front: the patient's right is on the viewer's left; back: on the viewer's right
    assert (xs["right"] < xs["left"]) == (viewer_sign(view, "right") < 0)


# Outer foot against the top of the foot (front) and heel against the sole (back): at the
# whole-body size a fingertip covers both, zoomed on the foot it covers only the one aimed at.
@pytest.mark.parametrize("view,aim,neighbour", [("front", "lateral_foot", "dorsum_foot"), ("back", "heel", "sole")])
@pytest.mark.parametrize("side", ["right", "left"])
def test_a_fingertip_on_the_zoomed_foot_paints_only_the_region_aimed_at(atlas, view, aim, neighbour, side):
    target = atlas.region(f"{side}_{aim}")
    pt = target.geometry.representative_point()
    lay = frame_regions(atlas, view, AREA, [r.id for r in _feet(atlas, view, side)])
    # the patient taps the screen point that shows the aimed-at spot
    sx, sy = (float(v) for v in lay.to_screen(pt.x, pt.y))
    m = PainMap(atlas)
    m.stroke(view, [lay.to_atlas(sx, sy)], "aching", FINGER_PX / lay.scale)
    cov = m.region_coverage()
    assert cov.get(target.id, 0) > 0
    assert cov.get(f"{side}_{neighbour}", 0) == 0
    assert not any(rid.startswith("left_" if side == "right" else "right_") for rid, c in cov.items() if c > 0)
    whole = layout_views(atlas, pygame.Rect(0, 0, 1920, 1000))[view]
    m2 = PainMap(atlas)
    m2.stroke(view, [(pt.x, pt.y)], "aching", FINGER_PX / whole.scale)
    assert m2.region_coverage().get(f"{side}_{neighbour}", 0) > 0  # why the zoom is needed
