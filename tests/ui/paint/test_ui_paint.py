"""The painting window (bodymap.ui.paint), driven headless with synthetic pygame events.

Positions are computed from the window's own layout for known atlas points, and
every assertion reads the painted masks (or pixels) back, so a stroke landing on
the wrong side, in the wrong view or in the wrong layer fails.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pygame
import pytest

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import SENSATIONS, PainMap
from bodymap.ui.kit import ranking as app_module  # the matcher loader
from bodymap.ui.paint import PaintScreen

SIZE = (1280, 800)
SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"
ROOT = Path(__file__).resolve().parents[3]


# ---------------------------------------------------------------------------
# fixtures and helpers


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode(SIZE)
    pygame.event.clear()
    yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


from fakes import Ev, FakeRanking, Flag, Hyp  # noqa: E402
from snapshot import compare_snapshot, pixels  # noqa: E402


class FakeMatcher:
    """Stands in for bodymap.matcher: records what it was asked, answers a fixed ranking."""

    def __init__(self, ranking=None, zone=None):
        self.ranking = ranking or FakeRanking([], [], [])
        self.zone = zone or {}
        self.calls = []
        self.zone_calls = []

    def match(self, pain_map):
        self.calls.append(pain_map.version)
        return self.ranking

    def pattern_zone(self, atlas, pattern_id, side):
        self.zone_calls.append((pattern_id, side))
        return self.zone


@pytest.fixture
def screen(atlas, tmp_path):
    return PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                       now=lambda: datetime(2024, 3, 5, 14, 7, 9))


def ev(kind, **kw):
    return pygame.event.Event(kind, **kw)


def rep(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def to_screen(screen, view, pt):
    x, y = screen.layouts[view].to_screen(pt[0], pt[1])
    return int(round(float(x))), int(round(float(y)))


def mouse_stroke(screen, view, pts, touch=False):
    pos = [to_screen(screen, view, p) for p in pts]
    screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos[0], button=1, touch=touch))
    for a, b in zip(pos, pos[1:]):
        screen.handle_event(ev(pygame.MOUSEMOTION, pos=b, rel=(b[0] - a[0], b[1] - a[1]), buttons=(1, 0, 0),
                               touch=touch))
    screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos[-1], button=1, touch=touch))


def mouse_stroke_px(screen, pos):
    screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos[0], button=1, touch=False))
    for p in pos[1:]:
        screen.handle_event(ev(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0), touch=False))
    screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos[-1], button=1, touch=False))


def finger(screen, kind, pos, fid=7):
    w, h = screen.size
    screen.handle_event(ev(kind, x=pos[0] / w, y=pos[1] / h, dx=0.0, dy=0.0, touch_id=1, finger_id=fid,
                           pressure=0.25))  # pressure holds junk (dy) in pygame-ce 2.5.8


def finger_stroke(screen, view, pts, with_mouse_copies=False):
    """A finger stroke; with_mouse_copies also sends the touch=True mouse events SDL synthesises."""
    pos = [to_screen(screen, view, p) for p in pts]
    finger(screen, pygame.FINGERDOWN, pos[0])
    if with_mouse_copies:
        screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos[0], button=1, touch=True))
    for p in pos[1:]:
        finger(screen, pygame.FINGERMOTION, p)
        if with_mouse_copies:
            screen.handle_event(ev(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0), touch=True))
    finger(screen, pygame.FINGERUP, pos[-1])
    if with_mouse_copies:
        screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos[-1], button=1, touch=True))


def click(screen, bid):
    pos = screen.button_center(bid)
    screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False))
    screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=False))


def tap(screen, bid, with_mouse_copies=True):
    pos = screen.button_center(bid)
    finger(screen, pygame.FINGERDOWN, pos)
    if with_mouse_copies:
        screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=True))
    finger(screen, pygame.FINGERUP, pos)
    if with_mouse_copies:
        screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=True))


def key(screen, k, mod=0):
    screen.handle_event(ev(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0))
    screen.handle_event(ev(pygame.KEYUP, key=k, mod=mod, unicode="", scancode=0))


def dab(atlas, rid, dy=0.06):
    """A short stroke around a region's representative point."""
    x, y = rep(atlas, rid)
    return [(x, y - dy), (x, y), (x, y + dy)]


def cov(screen, rid, sensation=None):
    return screen.pain_map.region_coverage(sensation).get(rid, 0.0)


def painted_at(pain_map, view, pt) -> bool:
    col, row = pain_map.raster.to_px(*pt)
    return bool(pain_map.layers(view)[:, int(row), int(col)].any())




def counterpart(rid: str) -> str:
    return rid.replace("right_", "left_", 1)


# ---------------------------------------------------------------------------
# painting lands where the pointer is, on the patient's right


@pytest.mark.parametrize("view,rid", [("back", "right_calf"), ("front", "right_lateral_leg")])
def test_mouse_stroke_paints_the_region_on_the_patients_right(screen, atlas, view, rid):
    mouse_stroke(screen, view, dab(atlas, rid))
    assert cov(screen, rid) > 0.02
    assert cov(screen, counterpart(rid)) == 0.0
    assert screen.pain_map.any_mask("front" if view == "back" else "back").sum() == 0
    # where on the picture: the patient's right is the viewer's left on the front, the viewer's right on the back
    mask = screen.pain_map.any_mask(view)
    cols = np.nonzero(mask)[1]
    middle = mask.shape[1] / 2
    if view == "front":
        assert cols.max() < middle
    else:
        assert cols.min() > middle
    # and the screen shows it there: the paint overlay is opaque at the stroke, on the same half of the view
    lay = screen.layouts[view]
    sx, sy = to_screen(screen, view, rep(atlas, rid))
    ov = screen.canvas.overlays[view]
    alpha = pygame.surfarray.array_alpha(ov.surface)
    assert alpha[sx - ov.topleft[0], sy - ov.topleft[1]] > 0
    assert (sx < lay.left + lay.width / 2) == (view == "front")


def _distance_to_polyline(px, py, pts):
    best = np.full(px.shape, np.inf)
    for (ax, ay), (bx, by) in zip(pts, pts[1:] or pts):
        dx, dy = bx - ax, by - ay
        ll = dx * dx + dy * dy
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / ll, 0, 1) if ll else 0.0
        best = np.minimum(best, np.hypot(px - (ax + t * dx), py - (ay + t * dy)))
    return best


@pytest.mark.parametrize("view,rids", [("front", ("right_anterior_thigh", "right_shin")),
                                       ("back", ("left_posterior_thigh", "left_calf"))])
def test_paint_stays_under_the_pointer_path(screen, atlas, view, rids):
    pts = [rep(atlas, r) for r in rids]
    mouse_stroke(screen, view, pts)
    m = screen.pain_map
    rows, cols = np.nonzero(m.any_mask(view))
    assert len(rows) > 200
    ax, ay = m.raster.to_atlas(cols + 0.5, rows + 0.5)
    # every painted pixel is within the brush radius (plus a screen pixel of rounding) of the path
    slack = screen.tools.radius + 1.5 / screen.layouts[view].scale + 1 / m.raster.scale
    assert _distance_to_polyline(ax, ay, pts).max() <= slack
    other = "back" if view == "front" else "front"
    assert not m.any_mask(other).any()


def test_both_views_paint_the_patients_right_in_one_session(screen, atlas):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    mouse_stroke(screen, "front", dab(atlas, "right_lateral_leg"))
    painted = screen.pain_map.painted_regions()
    assert "right_calf" in painted and "right_lateral_leg" in painted
    assert not [r for r in painted if r.startswith("left_")]


def test_stroke_starting_outside_both_views_paints_nothing(screen, atlas):
    lay = screen.layouts["front"]
    start = (screen.layout.body_rect.left + 2, int(lay.top) + 5)  # the margin left of the front view
    assert screen.view_at(start) is None
    end = to_screen(screen, "front", rep(atlas, "right_lateral_thigh"))
    mouse_stroke_px(screen, [start, end])
    assert screen.pain_map.is_empty


def test_the_view_under_the_stroke_start_owns_the_stroke(screen, atlas):
    # start on the back view's right calf and slide onto the front view: only the back view gets paint
    start = to_screen(screen, "back", rep(atlas, "right_calf"))
    end = to_screen(screen, "front", rep(atlas, "right_shin"))
    mouse_stroke_px(screen, [start, end])
    assert screen.pain_map.any_mask("back").any()
    assert not screen.pain_map.any_mask("front").any()


# ---------------------------------------------------------------------------
# touch


def test_finger_stroke_paints(screen, atlas):
    finger_stroke(screen, "back", dab(atlas, "right_calf"))
    assert cov(screen, "right_calf") > 0.02
    assert cov(screen, "left_calf") == 0.0


def test_touch_mouse_events_alone_never_paint(screen, atlas):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"), touch=True)
    assert screen.pain_map.is_empty
    assert not screen.pain_map.can_undo


def test_finger_tap_on_a_toggle_acts_once(screen):
    before = screen.tools.show_outlines
    tap(screen, "outlines", with_mouse_copies=True)  # SDL sends the finger and a touch mouse copy
    assert screen.tools.show_outlines is (not before)


def test_finger_erase_then_touch_mouse_copies_do_not_paint(screen, atlas):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    assert cov(screen, "right_calf") > 0
    tap(screen, "brush:large")
    tap(screen, "eraser")
    assert screen.tools.eraser
    finger_stroke(screen, "back", dab(atlas, "right_calf", dy=0.2), with_mouse_copies=True)
    assert cov(screen, "right_calf") == 0.0
    tap(screen, "sensation:aching")
    assert not screen.tools.eraser
    # a stray touch-mouse copy (e.g. arriving late) must not paint with the paint brush now selected
    mouse_stroke(screen, "back", dab(atlas, "right_calf"), touch=True)
    assert cov(screen, "right_calf") == 0.0


def test_a_second_finger_does_not_start_another_stroke(screen, atlas):
    a = to_screen(screen, "back", rep(atlas, "right_calf"))
    b = to_screen(screen, "front", rep(atlas, "left_anterior_thigh"))
    finger(screen, pygame.FINGERDOWN, a, fid=1)
    finger(screen, pygame.FINGERDOWN, b, fid=2)
    finger(screen, pygame.FINGERMOTION, (b[0], b[1] + 20), fid=2)
    finger(screen, pygame.FINGERUP, b, fid=2)
    finger(screen, pygame.FINGERUP, a, fid=1)
    assert cov(screen, "right_calf") > 0
    assert cov(screen, "left_anterior_thigh") == 0.0


def test_events_posted_through_the_pygame_queue_paint(screen, atlas):
    pygame.event.clear()
    pos = [to_screen(screen, "back", p) for p in dab(atlas, "right_calf")]
    pygame.event.post(ev(pygame.MOUSEBUTTONDOWN, pos=pos[0], button=1))
    for p in pos[1:]:
        pygame.event.post(ev(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0)))
    pygame.event.post(ev(pygame.MOUSEBUTTONUP, pos=pos[-1], button=1))
    for e in pygame.event.get():
        screen.handle_event(e)
    assert cov(screen, "right_calf") > 0.02


# ---------------------------------------------------------------------------
# strokes


@pytest.mark.parametrize("how", ["motion", "release"])
def test_fast_swipe_leaves_no_gap(screen, atlas, how):
    a, b = rep(atlas, "right_posterior_thigh"), rep(atlas, "right_calf")
    if how == "motion":
        mouse_stroke(screen, "back", [a, b])  # one jump: no motion events in between
    else:  # the far point arrives only with the release
        pa, pb = to_screen(screen, "back", a), to_screen(screen, "back", b)
        screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pa, button=1, touch=False))
        screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pb, button=1, touch=False))
    m = screen.pain_map
    inside = 0
    for t in np.linspace(0, 1, 400):
        pt = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        col, row = m.raster.to_px(*pt)
        if m.raster.body["back"][int(row), int(col)]:
            inside += 1
            assert painted_at(m, "back", pt), f"gap at t={t:.3f}"
    assert inside > 300  # the segment runs down the leg


def test_brush_sizes_paint_different_widths(screen, atlas):
    counts = {}
    for size in ("small", "large"):
        click(screen, f"brush:{size}")
        mouse_stroke(screen, "back", dab(atlas, "right_posterior_thigh"))
        counts[size] = int(screen.pain_map.any_mask("back").sum())
        click(screen, "undo")
        assert screen.pain_map.is_empty
    assert counts["large"] > 3 * counts["small"] > 0


def test_sensation_buttons_choose_the_layer(screen, atlas):
    click(screen, "sensation:burning")
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    masks = screen.pain_map.masks["back"]
    assert masks["burning"].any()
    assert not any(masks[s].any() for s in SENSATIONS if s != "burning")
    key(screen, pygame.K_5)  # number keys pick sensations too: 5 = the fifth
    mouse_stroke(screen, "front", dab(atlas, "right_lateral_leg"))
    assert screen.pain_map.masks["front"][SENSATIONS[4]].any()
    assert not screen.pain_map.masks["front"]["burning"].any()


def test_undo_and_redo_by_keys_and_buttons(screen, atlas):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    painted = screen.pain_map.layers("back").copy()
    ctrl, shift = pygame.KMOD_LCTRL, pygame.KMOD_LSHIFT
    key(screen, pygame.K_z, ctrl)
    assert screen.pain_map.is_empty
    key(screen, pygame.K_y, ctrl)
    assert np.array_equal(screen.pain_map.layers("back"), painted)
    key(screen, pygame.K_z, ctrl)
    key(screen, pygame.K_z, ctrl | shift)
    assert np.array_equal(screen.pain_map.layers("back"), painted)
    click(screen, "undo")
    assert screen.pain_map.is_empty
    # the screen follows the undo: no paint left on the overlay
    assert pygame.surfarray.array_alpha(screen.canvas.overlays["back"].surface).max() == 0
    click(screen, "redo")
    assert np.array_equal(screen.pain_map.layers("back"), painted)
    assert pygame.surfarray.array_alpha(screen.canvas.overlays["back"].surface).max() > 0


def test_eraser_removes_paint(screen, atlas):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    click(screen, "brush:large")
    click(screen, "eraser")
    mouse_stroke(screen, "back", dab(atlas, "right_calf", dy=0.25))
    assert cov(screen, "right_calf") == 0.0
    click(screen, "eraser")  # off again: paints
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    assert cov(screen, "right_calf") > 0


def test_clear_asks_first_then_clears_one_view_or_both(screen, atlas):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    mouse_stroke(screen, "front", dab(atlas, "right_lateral_leg"))
    click(screen, "clear")
    assert screen.dialog is not None
    click(screen, "dialog:cancel")
    assert screen.dialog is None
    assert screen.pain_map.any_mask("front").any() and screen.pain_map.any_mask("back").any()
    # while the question is open, the body does not take paint
    click(screen, "clear")
    mouse_stroke(screen, "back", dab(atlas, "left_calf"))
    assert cov(screen, "left_calf") == 0.0
    click(screen, "dialog:clear_front")
    assert not screen.pain_map.any_mask("front").any()
    assert screen.pain_map.any_mask("back").any()
    click(screen, "clear")
    click(screen, "dialog:clear_all")
    assert screen.pain_map.is_empty
    click(screen, "undo")
    assert screen.pain_map.any_mask("back").any()


def test_sliding_off_a_button_cancels_it_and_does_not_paint(screen, atlas):
    start = screen.button_center("clear")
    end = to_screen(screen, "back", rep(atlas, "right_calf"))
    mouse_stroke(screen, "back", dab(atlas, "left_calf"))
    before = screen.pain_map.layers("back").copy()
    mouse_stroke_px(screen, [start, end])
    assert screen.dialog is None  # released away from the button: not pressed
    assert np.array_equal(before, screen.pain_map.layers("back"))  # and the drag painted nothing
    click(screen, "undo")
    assert not np.array_equal(before, screen.pain_map.layers("back"))  # a tap on it still works


def test_intensity_slider(screen):
    r = screen.layout.slider.rect
    for x, want in ((r.left + 1, 0), (r.right - 2, 10), (r.centerx, 5)):
        screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=(x, r.centery), button=1))
        screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=(x, r.centery), button=1))
        assert screen.pain_map.intensity["overall"] == want
    # dragging follows the pointer
    screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=(r.left + 1, r.centery), button=1))
    screen.handle_event(ev(pygame.MOUSEMOTION, pos=(r.right - 2, r.centery), rel=(0, 0), buttons=(1, 0, 0)))
    assert screen.pain_map.intensity["overall"] == 10
    screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=(r.right - 2, r.centery), button=1))


def test_live_readout_names_regions_and_extent(screen, atlas):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    screen.update()
    text = " ".join(screen.status.readout_lines())
    assert atlas.region("right_calf").name in text
    assert atlas.region("left_calf").name not in text
    ext = screen.pain_map.extent_percent()["total"]
    assert f"{ext:.1f}%" in text and ext > 0


def test_paint_overlay_is_updated_in_place_and_matches_a_full_render(screen, atlas, monkeypatch):
    ov = screen.canvas.overlays["back"]
    full_before = ov.full_refreshes
    mouse_stroke(screen, "back", [rep(atlas, "right_posterior_thigh"), rep(atlas, "right_calf"),
                                  rep(atlas, "right_heel")])
    assert ov.full_refreshes == full_before  # painting never re-renders the whole overlay
    assert ov.partial_refreshes >= 3
    incremental = pygame.surfarray.array3d(ov.surface).copy(), pygame.surfarray.array_alpha(ov.surface).copy()
    ov.refresh()
    assert np.array_equal(incremental[1], pygame.surfarray.array_alpha(ov.surface))
    assert np.array_equal(incremental[0], pygame.surfarray.array3d(ov.surface))
    assert incremental[1].max() > 0


def test_overlay_pixels_map_exactly_to_mask_windows(screen):
    ov = screen.canvas.overlays["front"]
    lay, raster = screen.layouts["front"], screen.pain_map.raster
    rows, cols = raster.shape
    # each overlay pixel shows the mask pixel under its centre, as input maps it
    for x in range(0, lay.width, 7):
        for y in range(0, lay.height, 53):
            col, row = raster.to_px(*lay.to_atlas(lay.left + x + 0.5, lay.top + y + 0.5))
            assert (ov.cols[x], ov.rows[y]) == (min(int(col), cols - 1), min(int(row), rows - 1))
    rng = np.random.default_rng(3)
    for _ in range(50):
        r0, c0 = int(rng.integers(0, rows - 2)), int(rng.integers(0, cols - 2))
        r1, c1 = int(rng.integers(r0 + 1, rows + 1)), int(rng.integers(c0 + 1, cols + 1))
        x0, x1, y0, y1 = ov.screen_span((r0, r1, c0, c1))
        # exactly the screen pixels whose mask pixel lies in the window
        assert np.array_equal(np.flatnonzero((ov.cols >= c0) & (ov.cols < c1)), np.arange(x0, x1))
        assert np.array_equal(np.flatnonzero((ov.rows >= r0) & (ov.rows < r1)), np.arange(y0, y1))


# ---------------------------------------------------------------------------
# window size


@pytest.mark.parametrize("size,event", [((900, 1000), "VIDEORESIZE"), ((1600, 700), "WINDOWRESIZED"),
                                        ((1024, 768), "VIDEORESIZE")])
def test_resize_keeps_proportions_and_painting_lands(screen, atlas, size, event):
    if event == "VIDEORESIZE":
        screen.handle_event(ev(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1]))
    else:
        screen.handle_event(ev(pygame.WINDOWRESIZED, x=size[0], y=size[1]))
    assert screen.size == size
    x0, y0, x1, y1 = atlas.bounds
    front, back = screen.layouts["front"], screen.layouts["back"]
    assert front.scale == back.scale
    for lay in (front, back):
        assert abs(lay.width / lay.height - (x1 - x0) / (y1 - y0)) < 2 / lay.height
        assert screen.layout.body_rect.contains(lay.rect)
        assert not lay.rect.colliderect(screen.layout.tool_rect)
        assert screen.layout.panel_rect is None or not lay.rect.colliderect(screen.layout.panel_rect)
    assert front.rect.right <= back.rect.left
    for b in screen.layout.buttons.values():
        assert not b.rect.colliderect(front.rect) and not b.rect.colliderect(back.rect)
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    assert cov(screen, "right_calf") > 0.02 and cov(screen, "left_calf") == 0.0
    surf = pygame.Surface(size)
    screen.draw(surf)  # draws at the new size without complaint


def test_a_tall_window_puts_the_panel_under_the_body(screen):
    screen.handle_event(ev(pygame.VIDEORESIZE, size=(900, 1200), w=900, h=1200))
    p = screen.layout.panel_rect
    assert p is not None and p.top >= screen.layout.status_rect.bottom and p.top >= screen.layout.body_rect.bottom
    assert all(not lay.rect.colliderect(p) for lay in screen.layouts.values())
    assert min(b.rect.height for b in screen.layout.buttons.values()) >= 48


def test_a_window_too_small_to_paint_on_says_so_and_does_not_crash(screen, atlas):
    assert not screen.layout.too_small
    for size in ((320, 240), (1, 1)):
        screen.handle_event(ev(pygame.VIDEORESIZE, size=size, w=size[0], h=size[1]))
        assert screen.layout.too_small
        screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=(size[0] // 2, size[1] // 2), button=1))
        screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=(size[0] // 2, size[1] // 2), button=1))
        screen.update()
        screen.draw(pygame.Surface(size))
    screen.handle_event(ev(pygame.VIDEORESIZE, size=SIZE, w=SIZE[0], h=SIZE[1]))
    assert not screen.layout.too_small
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    assert cov(screen, "right_calf") > 0.02


def test_hiding_the_panel_gives_the_body_more_room(screen):
    with_panel = screen.layouts["front"].scale
    assert screen.layout.panel_rect is not None
    click(screen, "panel")
    assert screen.layout.panel_rect is None and not screen.show_panel
    assert screen.layouts["front"].scale >= with_panel
    assert screen.layouts["back"].rect.right > SIZE[0] - 400  # the views use the panel's space
    key(screen, pygame.K_F2)
    assert screen.show_panel and screen.layout.panel_rect is not None


def test_show_panel_false_starts_hidden_and_never_runs_the_matcher(atlas, tmp_path):
    fm = FakeMatcher()
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=fm, show_panel=False)
    assert s.layout.panel_rect is None
    mouse_stroke(s, "back", dab(atlas, "right_calf"))
    s.update()
    assert fm.calls == []
    surf = pygame.Surface(SIZE)
    s.draw(surf)
    assert not any(b.rect.right > SIZE[0] for b in s.layout.buttons.values())


@pytest.mark.parametrize("size", [SIZE, (1024, 768), (1920, 1080), (1080, 1920)])
def test_controls_are_touch_sized_and_do_not_overlap(screen, size):
    screen.resize(size)
    rects = [b.rect for b in screen.layout.buttons.values()] + [screen.layout.slider.rect]
    for r in rects:
        assert r.height >= 48 and r.width >= 48
        assert pygame.Rect(0, 0, *size).contains(r)
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.colliderect(b)
    assert screen.layout.font_size >= 20


# ---------------------------------------------------------------------------
# files


def test_ctrl_s_saves_to_the_given_file_and_reads_back_equal(atlas, tmp_path):
    path = tmp_path / "patient.bodymap"
    s = PaintScreen(SIZE, path, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    assert s.dialog is None and s.pain_map.is_empty  # a missing file is a new painting
    mouse_stroke(s, "back", dab(atlas, "right_calf"))
    click(s, "sensation:sharp")
    mouse_stroke(s, "front", dab(atlas, "right_lateral_leg"))
    assert s.dirty
    key(s, pygame.K_s, pygame.KMOD_LCTRL)
    assert path.is_file() and not s.dirty
    back = fileformat.load(path, atlas)
    for v in ("front", "back"):
        assert np.array_equal(back.layers(v), s.pain_map.layers(v))
    assert back.any_mask("front").any() and back.any_mask("back").any()


def test_save_without_a_file_writes_a_dated_name_in_the_folder(screen, atlas, tmp_path):
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    click(screen, "save")
    files = list(tmp_path.glob("*.bodymap"))
    assert len(files) == 1
    assert re.fullmatch(r"bodymap-\d{8}-\d{6}\.bodymap", files[0].name)
    assert files[0].name == "bodymap-20240305-140709.bodymap"  # the injected clock
    # the next save goes to the same file
    mouse_stroke(screen, "back", dab(atlas, "left_calf"))
    key(screen, pygame.K_s, pygame.KMOD_LCTRL)
    assert list(tmp_path.glob("*.bodymap")) == files
    assert fileformat.load(files[0], atlas).region_coverage().get("left_calf", 0) > 0


def test_opening_an_existing_file_loads_it(atlas, tmp_path):
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5, "burning")
    m.set_intensity(None, 6)
    path = fileformat.save(m, tmp_path / "old.bodymap")
    s = PaintScreen(SIZE, str(path), atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    assert s.dialog is None
    assert np.array_equal(s.pain_map.layers("back"), m.layers("back"))
    assert not s.dirty and s.layout.slider.value == 6
    assert pygame.surfarray.array_alpha(s.canvas.overlays["back"].surface).max() > 0


def test_a_bad_file_shows_one_message_and_is_never_overwritten(atlas, tmp_path):
    path = tmp_path / "broken.bodymap"
    path.write_bytes(b"{this is not json")
    s = PaintScreen(SIZE, path, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    assert s.dialog is not None and s.dialog.kind == "message"
    assert path.name in " ".join(s.dialog.lines)
    s.draw(pygame.Surface(SIZE))
    click(s, "dialog:ok")
    assert s.dialog is None
    mouse_stroke(s, "back", dab(atlas, "right_calf"))
    key(s, pygame.K_s, pygame.KMOD_LCTRL)
    assert path.read_bytes() == b"{this is not json"
    others = [p for p in tmp_path.glob("*.bodymap") if p != path]
    assert len(others) == 1 and fileformat.load(others[0], atlas).region_coverage().get("right_calf", 0) > 0


def test_save_failure_is_a_message_not_a_crash(atlas, tmp_path):
    s = PaintScreen(SIZE, tmp_path / "no-such-folder" / "x.bodymap", atlas=atlas, folder=tmp_path,
                    matcher=FakeMatcher())
    mouse_stroke(s, "back", dab(atlas, "right_calf"))
    key(s, pygame.K_s, pygame.KMOD_LCTRL)
    assert s.dialog is not None and s.dialog.tone == "error"
    assert s.dirty


def test_ctrl_o_lists_the_folder_and_opens_the_chosen_file(screen, atlas, tmp_path):
    maps = {}
    for i, rid in enumerate(("right_calf", "left_anterior_thigh")):
        m = PainMap(atlas)
        m.paint_region(rid, 0.4)
        p = fileformat.save(m, tmp_path / f"map{i}.bodymap")
        os.utime(p, (1_700_000_000 + i * 100, 1_700_000_000 + i * 100))
        maps[p.name] = m
    (tmp_path / "notes.txt").write_text("not a map")
    key(screen, pygame.K_o, pygame.KMOD_LCTRL)
    d = screen.dialog
    assert d is not None and d.kind == "open"
    file_buttons = [bid for bid, _ in d.buttons if bid.startswith("file:")]
    assert len(file_buttons) == 2
    labels = dict(d.buttons)
    target = next(bid for bid in file_buttons if labels[bid].startswith("map0.bodymap"))
    click(screen, f"dialog:{target}")
    assert screen.dialog is None
    assert screen.path.name == "map0.bodymap"
    assert np.array_equal(screen.pain_map.layers("back"), maps["map0.bodymap"].layers("back"))


def test_open_with_unsaved_changes_asks_first(screen, atlas, tmp_path):
    m = PainMap(atlas)
    m.paint_region("left_calf", 0.4)
    fileformat.save(m, tmp_path / "other.bodymap")
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    click(screen, "open")
    click(screen, "dialog:file:0")
    assert screen.dialog is not None and screen.dialog.kind == "unsaved_open"
    click(screen, "dialog:cancel")
    assert cov(screen, "right_calf") > 0  # nothing lost
    click(screen, "open")
    click(screen, "dialog:file:0")
    click(screen, "dialog:discard")
    assert cov(screen, "right_calf") == 0 and cov(screen, "left_calf") > 0


def test_quit_asks_once_when_there_are_unsaved_changes(screen, atlas, tmp_path):
    screen.handle_event(ev(pygame.QUIT))
    assert screen.done  # nothing painted: closes at once
    screen.done = False
    mouse_stroke(screen, "back", dab(atlas, "right_calf"))
    screen.handle_event(ev(pygame.QUIT))
    assert not screen.done and screen.dialog.kind == "quit"
    first = screen.dialog
    screen.handle_event(ev(pygame.QUIT))
    assert screen.dialog is first  # asked once, not stacked
    click(screen, "dialog:cancel")
    assert not screen.done and screen.dialog is None
    screen.handle_event(ev(pygame.QUIT))
    click(screen, "dialog:discard")
    assert screen.done
    assert list(tmp_path.glob("*.bodymap")) == []


def test_quit_and_save(atlas, tmp_path):
    path = tmp_path / "p.bodymap"
    s = PaintScreen(SIZE, path, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    mouse_stroke(s, "back", dab(atlas, "right_calf"))
    s.handle_event(ev(pygame.QUIT))
    click(s, "dialog:save")
    assert s.done and s.exit_status == 0
    assert fileformat.load(path, atlas).region_coverage().get("right_calf", 0) > 0


# ---------------------------------------------------------------------------
# the clinician panel


def _ranking():
    return FakeRanking(
        hypotheses=[Hyp("root_L5", "right", 0.61, "L5 nerve root",
                        [Ev("pain in the right big toe", "for"), Ev("no pain in the right calf", "against")]),
                    Hyp("peroneal_nerve", "right", 0.27, "Common peroneal neuropathy")],
        red_flags=[Flag("cauda_equina", "Possible cauda equina: same-day assessment")],
        prompts=["Ask about weakness lifting the foot."])


def test_ranking_updates_when_a_stroke_ends_not_during_it(atlas, tmp_path):
    fm = FakeMatcher(_ranking())
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=fm)
    s.update()
    assert len(fm.calls) == 1  # the empty map, on opening
    a, b = (to_screen(s, "back", p) for p in (rep(atlas, "right_posterior_thigh"), rep(atlas, "right_calf")))
    s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=a, button=1))
    s.handle_event(ev(pygame.MOUSEMOTION, pos=b, rel=(0, 0), buttons=(1, 0, 0)))
    s.update()
    assert len(fm.calls) == 1
    s.handle_event(ev(pygame.MOUSEBUTTONUP, pos=b, button=1))
    s.update()
    assert len(fm.calls) == 2 and fm.calls[-1] == s.pain_map.version
    s.update()
    assert len(fm.calls) == 2  # nothing changed: not asked again


def test_red_flags_are_at_the_top_in_red_and_a_tapped_pattern_shows_its_zone(atlas, tmp_path):
    zone = {"right_lateral_leg": 0.9, "right_big_toe": 0.6, "right_calf": 0.1}
    fm = FakeMatcher(_ranking(), zone)
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=fm)
    s.clinician.set_answer("bladder_bowel", True)  # the flags come from triage's rules, never from the matcher (issue 18)
    mouse_stroke(s, "back", dab(atlas, "right_calf"))
    s.update()
    kinds = [k for k, _ in s.clinician.panel.items]
    first_hyp = kinds.index("hypothesis")
    assert "red_flag" in kinds[:first_hyp]
    flag_row = next(r for r in s.clinician.panel.rows if r.kind == "red_flag")
    hyp_rows = [r for r in s.clinician.panel.rows if r.kind == "hypothesis"]
    assert all(s.clinician.panel.row_screen_rect(flag_row).bottom <= s.clinician.panel.row_screen_rect(h).top for h in hyp_rows)
    assert all(h.rect.height >= 48 for h in hyp_rows)
    before = s.screenshot()
    px = pixels(before)
    fr = s.clinician.panel.row_screen_rect(flag_row)
    region = px[fr.top:fr.bottom, fr.left:fr.right]
    reddish = (region[..., 0] > 140) & (region[..., 1] < 80) & (region[..., 2] < 80)
    assert reddish.sum() > 30  # the flag's text is drawn in red
    # scrolling the panel never moves the red flag
    s.input.pointer_pos = s.layout.panel_rect.center
    s.handle_event(ev(pygame.MOUSEWHEEL, x=0, y=-5, flipped=False, precise_x=0.0, precise_y=-5.0, touch=False))
    assert s.clinician.panel.row_screen_rect(flag_row) == fr
    # tap the first pattern: it is selected, its zone is asked for and drawn
    click(s, "panel:hyp:0")
    assert s.clinician.panel.selected == ("root_L5", "right")
    assert fm.zone_calls[-1] == ("root_L5", "right")
    assert ("evidence_for", "+ pain in the right big toe [test source]") in s.clinician.panel.items
    after = pixels(s.screenshot())
    for rid in ("right_lateral_leg", "right_big_toe"):
        x, y = to_screen(s, "front", rep(atlas, rid))
        assert after[y, x].sum() < px[y, x].sum() - 30  # shaded darker
    x, y = to_screen(s, "front", rep(atlas, "left_lateral_leg"))
    assert abs(after[y, x] - px[y, x]).sum() < 10  # outside the zone: unchanged
    # tapping it again clears the zone
    click(s, "panel:hyp:0")
    assert s.clinician.panel.selected is None and s.clinician.zone is None


def test_matcher_unavailable_is_shown_and_painting_still_works(atlas, tmp_path, monkeypatch):
    import bodymap

    # as if src/bodymap/matcher.py did not exist: importing it raises ImportError
    monkeypatch.setitem(sys.modules, "bodymap.matcher", None)
    monkeypatch.delattr(bodymap, "matcher", raising=False)
    with pytest.raises(ImportError):
        app_module.load_matcher()
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path)
    mouse_stroke(s, "back", dab(atlas, "right_calf"))
    s.update()
    assert ("note", "matcher unavailable") in s.clinician.panel.items
    assert cov(s, "right_calf") > 0
    s.draw(pygame.Surface(SIZE))


def test_real_matcher_ranks_and_shows_a_zone(atlas, tmp_path):
    pytest.importorskip("bodymap.matcher")
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path)  # the default: bodymap.matcher
    mouse_stroke(s, "front", dab(atlas, "right_lateral_leg", dy=0.2))
    s.update()
    assert s.clinician.matcher_error is None, s.clinician.matcher_error
    hyps = s.clinician.panel.hypotheses
    assert hyps and all(0 <= h.probability <= 1 for h in hyps)
    probs = [h.probability for h in hyps]
    assert probs == sorted(probs, reverse=True)
    real = next(i for i, h in enumerate(hyps) if s.clinician.matcher().pattern_zone(atlas, h.id, h.side))
    click(s, f"panel:hyp:{real}")
    assert s.clinician.zone and set(s.clinician.zone) <= set(atlas.region_ids)
    s.draw(pygame.Surface(SIZE))


# ---------------------------------------------------------------------------
# pictures


def _scripted_painting(s: PaintScreen, atlas) -> None:
    mouse_stroke(s, "back", [rep(atlas, "right_buttock"), rep(atlas, "right_posterior_thigh"),
                             rep(atlas, "right_calf")])
    click(s, "sensation:burning")
    mouse_stroke(s, "front", dab(atlas, "right_lateral_leg", dy=0.25))
    click(s, "sensation:pins_and_needles")
    click(s, "brush:small")
    mouse_stroke(s, "front", dab(atlas, "right_big_toe", dy=0.02))
    click(s, "sensation:numbness")
    click(s, "brush:large")
    mouse_stroke(s, "back", dab(atlas, "right_lower_back", dy=0.1))
    r = s.layout.slider.rect
    s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=(r.centerx, r.centery), button=1))
    s.handle_event(ev(pygame.MOUSEBUTTONUP, pos=(r.centerx, r.centery), button=1))
    s.update()




def test_snapshot_painting_without_panel(atlas, tmp_path, update_snapshots):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(), show_panel=False)
    _scripted_painting(s, atlas)
    compare_snapshot(s.screenshot(), "paint-window-no-panel.png", update_snapshots)


def test_snapshot_painting_with_panel_and_zone(atlas, tmp_path, update_snapshots):
    zone = {"right_lateral_leg": 0.9, "right_big_toe": 0.6, "right_shin": 0.3, "right_calf": 0.2}
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(_ranking(), zone))
    _scripted_painting(s, atlas)
    click(s, "panel:hyp:0")
    click(s, "dermatomes")
    compare_snapshot(s.screenshot(), "paint-window-panel.png", update_snapshots)


def test_snapshot_comparison_notices_a_changed_picture(atlas, tmp_path):
    ref = SNAPSHOTS / "paint-window-no-panel.png"
    if not ref.exists():
        pytest.skip("reference not generated yet")
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(), show_panel=False)
    _scripted_painting(s, atlas)
    mouse_stroke(s, "front", [rep(atlas, "left_anterior_thigh"), rep(atlas, "left_shin")])
    with pytest.raises(AssertionError):
        compare_snapshot(s.screenshot(), ref.name, False)


# ---------------------------------------------------------------------------
# the real window loop


def test_run_paint_app_opens_runs_and_returns_an_exit_status(tmp_path):
    bad = tmp_path / "bad.bodymap"
    bad.write_text("nope")
    code = ("import sys; from bodymap.ui.paint import run_paint_app; "
            f"sys.exit(run_paint_app({str(bad)!r}, (800, 600), show_panel=True, max_frames=5))")
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert bad.read_text() == "nope"
    assert "Traceback" not in r.stderr


def test_partial_redraw_during_a_stroke_matches_a_full_redraw():
    """The dirty-rectangle path must leave the screen exactly as a full redraw would."""
    import pygame as pg

    from bodymap.ui.paint import PaintScreen

    size = (1280, 800)
    screen = PaintScreen(size, show_panel=False)
    surf = pg.Surface(size)
    screen.draw(surf)
    lay = screen.layouts["back"]
    calf = screen.atlas.region("right_calf").geometry.representative_point()
    x, y = (float(v) for v in lay.to_screen(calf.x, calf.y))
    screen.handle_event(pg.event.Event(pg.MOUSEBUTTONDOWN, pos=(int(x), int(y)), button=1))
    partial_rects = []
    for k in range(1, 12):
        screen.handle_event(pg.event.Event(pg.MOUSEMOTION, pos=(int(x), int(y + 6 * k)), rel=(0, 6),
                                           buttons=(1, 0, 0)))
        screen.update()
        rects = screen.draw_partial(surf)
        assert rects is not None  # nothing but paint changed: no full redraw
        partial_rects += rects
    assert partial_rects
    full = pg.Surface(size)
    screen.draw(full)
    a = pg.surfarray.array3d(surf)
    b = pg.surfarray.array3d(full)
    assert (a != b).any(axis=2).sum() == 0


def test_a_new_ranking_after_a_stroke_redraws_the_panel_alone_and_matches_a_full_redraw():
    """At a stroke's end only the ranking panel (and the paint) change: the partial path redraws the
    panel and must leave the screen exactly as a full redraw would."""
    import pygame as pg

    from bodymap.ui.paint import PaintScreen

    size = (1600, 900)
    screen = PaintScreen(size, show_panel=True)
    surf = pg.Surface(size)
    lay = screen.layouts["back"]
    for stem, dx in (("right_calf", 0), ("left_calf", 0), ("right_buttock", 4)):
        screen.update()
        screen.draw_partial(surf)
        p = screen.atlas.region(stem).geometry.representative_point()
        x, y = (int(v) for v in lay.to_screen(p.x, p.y))
        screen.handle_event(pg.event.Event(pg.MOUSEBUTTONDOWN, pos=(x, y), button=1))
        for k in range(1, 6):
            screen.handle_event(pg.event.Event(pg.MOUSEMOTION, pos=(x + dx * k, y + 5 * k), rel=(0, 5),
                                               buttons=(1, 0, 0)))
            screen.update()
            screen.draw_partial(surf)
        screen.handle_event(pg.event.Event(pg.MOUSEBUTTONUP, pos=(x + dx * 5, y + 25), button=1))
        before = screen.clinician.ranking
        screen.update()
        assert screen.clinician.ranking is not before  # the stroke's end ranked the map again
    rects = screen.draw_partial(surf)
    assert rects is not None and screen.layout.panel_rect in rects  # the panel alone, not the whole window
    full = pg.Surface(size)
    screen.draw(full)
    assert (pg.surfarray.array3d(surf) != pg.surfarray.array3d(full)).any(axis=2).sum() == 0


def test_an_expose_event_forces_a_full_redraw():
    """Under a real window system the pixels can be lost (first map, uncovering): redraw them all."""
    import pygame as pg

    from bodymap.ui.paint import PaintScreen

    screen = PaintScreen((1024, 768), show_panel=False)
    surf = pg.Surface((1024, 768))
    screen.draw(surf)
    assert screen.draw_partial(surf) == []  # nothing changed: nothing to redraw
    screen.handle_event(pg.event.Event(pg.WINDOWEXPOSED))
    surf.fill((0, 0, 0))
    assert screen.draw_partial(surf) is None  # a full redraw
    assert pg.surfarray.array3d(surf).any()


def test_importing_the_windows_never_forces_the_dummy_video_driver():
    """`make run` must open a real window: no module may set SDL_VIDEODRIVER behind the user's back."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SDL_VIDEODRIVER", "SDL_AUDIODRIVER")}
    code = ("import os, bodymap.cli, bodymap.ui.paint, bodymap.ui.review, bodymap.ui.kiosk, "
            "bodymap.render.picture, bodymap.cli.exports; print(os.environ.get('SDL_VIDEODRIVER'))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "None"


def test_red_flags_stay_on_top_when_the_matcher_fails():
    from bodymap.ui.paint import PaintScreen

    class Broken:
        def match(self, pain_map):
            raise RuntimeError("pattern library unreadable")

        def pattern_zone(self, *a):
            return {}

    screen = PaintScreen((1280, 800), matcher=Broken())
    screen.pain_map.answers["bladder_bowel"] = True
    screen.pain_map.paint_region("right_calf", 0.5)
    screen.clinician.refresh()
    assert screen.clinician.matcher_error
    assert [f.id for f in screen.clinician.panel.red_flags] == ["cauda_equina"]
