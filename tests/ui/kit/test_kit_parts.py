"""The kit's owned parts (issue 19 item 2): BodyCanvas, TapTracker, ScrollList, on their own, without a window.

BodyCanvas is checked on both views: the patient's right is on the viewer's left on the front view and on
the viewer's right on the back view, and a stroke paints the atlas region under it on the view it began on.
"""
from __future__ import annotations

import pygame
import pytest

from bodymap import render
from bodymap.painting import PainMap
from bodymap.ui.kit.canvas import BodyCanvas
from bodymap.ui.kit.scroll import ScrollList
from bodymap.ui.kit.tap import TapTracker

from drive import display_fixture

display = display_fixture((800, 600))


def canvas_for(atlas, pain_map):
    c = BodyCanvas(atlas)
    lays = render.layout_views(atlas, pygame.Rect(0, 0, 800, 600), gap=20, title_h=10)
    c.place(pain_map, lays, 6)
    return c


def rep(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


@pytest.mark.parametrize("view,region,other", [("front", "right_shin", "left_shin"),
                                               ("back", "right_calf", "left_calf")])
def test_a_stroke_paints_the_region_under_it_on_its_view(atlas, view, region, other):
    m = PainMap(atlas)
    c = canvas_for(atlas, m)
    x, y = rep(atlas, region)
    a = tuple(float(v) for v in c.layouts[view].to_screen(x, y - 0.05))
    b = tuple(float(v) for v in c.layouts[view].to_screen(x, y + 0.05))
    assert c.view_at(a) == view
    c.begin_stroke(view, a, "aching", 0.05)
    c.extend_stroke(b)
    assert c.stroke["view"] == view and c.dirty_rects
    assert c.end_stroke() and c.stroke is None and not c.end_stroke()
    cov = m.region_coverage()
    assert cov.get(region, 0) > 0 and cov.get(other, 0) == 0
    rects = c.take_dirty()
    assert rects and not c.dirty_rects
    # the patient's right: the viewer's left on the front view, the viewer's right on the back view
    mid = c.layouts[view].left + c.layouts[view].width / 2
    assert (a[0] < mid) == (view == "front")
    overlay = c.overlays[view]
    alpha = pygame.surfarray.array_alpha(overlay.surface)
    assert alpha.max() > 0  # the stroke is in the view's overlay


def test_zoom_keeps_atlas_coordinates_and_finds_the_body(atlas):
    m = PainMap(atlas)
    c = canvas_for(atlas, m)
    whole = dict(c.layouts)
    x, y = rep(atlas, "right_calf")
    c.zoom = ("back", (x, y), 4.0)
    lays = c.zoomed_layouts(pygame.Rect(0, 0, 800, 600), whole)
    assert set(lays) == {"back"} and c.zoom_factor == 4.0
    c.place(m, lays, 6)
    sx, sy = (float(v) for v in c.layouts["back"].to_screen(x, y))
    back = c.layouts["back"].to_atlas(sx, sy)
    assert abs(back[0] - x) < 1e-6 and abs(back[1] - y) < 1e-6
    far = (x + 100.0, y)  # beside the body: the nearest body point instead
    nx, ny = c.nearest_on_body("back", far)
    assert (nx, ny) != far and abs(nx - x) < abs(far[0] - x)
    assert c.nearest_on_body("back", (x, y)) == (x, y)
    c.zoom = None
    assert c.zoomed_layouts(pygame.Rect(0, 0, 800, 600), whole) == whole


def test_tap_tracker_one_pointer_and_a_tap_is_press_and_release_on_one_target():
    t = TapTracker()
    assert t.down("mouse")
    t.press("save")
    assert not t.down(("finger", 1, 2))  # a second pointer does nothing
    assert t.up(("finger", 1, 2), "save") is None and t.owns("mouse")
    assert t.up("mouse", "save") == "save" and t.pointer is None
    assert t.down("mouse")
    t.press("save")
    assert t.up("mouse", "open") is None  # released elsewhere: nothing
    assert t.down("mouse")
    t.press("panel:hyp:0")
    t.cancel()  # a drag
    assert t.up("mouse", "panel:hyp:0") is None
    assert t.down("mouse")
    t.release()
    assert t.pointer is None and t.down(("finger", 1, 1))


def test_scroll_list_bounds_drag_and_into_view():
    s = ScrollList()
    s.height, s.fixed_h, s.content_h = 300, 100, 900  # 200 visible under the fixed top, 800 to scroll
    assert s.scroll_to(10_000) and s.offset == 600
    assert s.scroll_to(-5) and s.offset == 0 and not s.scroll_to(0)
    s.drag_start(250)
    assert not s.drag_move(255, slop=12) and s.offset == 0  # within the slop: still a tap
    assert s.drag_move(150, slop=12) and s.offset == 100  # up by 100: the list follows the finger
    s.drag_end()
    assert not s.dragging and not s.drag_move(0, slop=12)
    assert s.into_view(700, 760) and s.offset == 760 - 100 - 200  # the row's bottom at the bottom
    assert s.into_view(150, 190) and s.offset == 150 - 100  # the row's top just under the fixed top
    surf = pygame.Surface((50, 300))
    surf.fill((0, 0, 0))
    s.draw_hint(surf, 50, (255, 0, 0))
    assert pygame.surfarray.array3d(surf)[:, :, 0].max() == 255  # a hint: the list is longer than its room
    s.content_h = 250
    surf.fill((0, 0, 0))
    s.draw_hint(surf, 50, (255, 0, 0))
    assert pygame.surfarray.array3d(surf).max() == 0  # no hint when everything fits


@pytest.mark.parametrize("view,region", [("front", "left_anterior_thigh"), ("back", "right_posterior_thigh")])
def test_zoom_keeping_holds_the_body_point_under_the_pointer_and_pans(atlas, view, region):
    m = PainMap(atlas)
    c = canvas_for(atlas, m)
    whole = dict(c.layouts)
    area = pygame.Rect(0, 0, 240, 600)  # a view's own narrow frame: the zoomed window can move both ways

    def relayout():  # the window's one duty: place the canvas for the zoom
        c.place(m, c.zoomed_layouts(area, whole), 6)

    x, y = rep(atlas, region)
    c.zoom_to(view, (x, y), 2.0, relayout)
    assert c.zoom[0] == view and c.zoom_factor == 2.0 and set(c.layouts) == {view}
    x, y = x + 0.03, y + 0.05  # beside the centre: zooming on must keep it under the pointer
    at_px = tuple(float(v) for v in c.layouts[view].to_screen(x, y))
    c.zoom_keeping(view, at_px, 3.0, relayout)
    assert c.zoom_factor == 3.0
    sx, sy = (float(v) for v in c.layouts[view].to_screen(x, y))
    assert abs(sx - at_px[0]) <= 2 and abs(sy - at_px[1]) <= 2  # the same body point under the pointer
    before = c.zoom[1]
    c.pan(0.25, 0.0, relayout)
    assert c.zoom[1][0] > before[0]  # moved right in atlas units
    c.zoom_to(view, before, 100.0, relayout)
    assert c.zoom_factor == 8.0  # never past the limit
    c.zoom_to(view, before, 1.0, relayout)
    assert c.zoom is None and set(c.layouts) == {"front", "back"}


def test_tap_tracker_lets_a_new_finger_in_after_a_still_owner_whose_release_was_lost():
    t = TapTracker()
    assert t.down(("finger", 1, 1), now=10.0)
    t.moved(12.0)
    assert not t.stale(("finger", 1, 2), now=15.0, stale_s=10.0)  # still in use: a second finger does nothing
    assert t.stale(("finger", 1, 1), now=15.0, stale_s=10.0)  # the same finger again
    assert t.stale(("finger", 1, 2), now=22.0, stale_s=10.0)  # still for 10 s: its release was probably lost


# ---------------------------------------------------------------------------
# a part magnified on both views (the kiosk's feet and hand, ADR 0035)


@pytest.mark.parametrize("part,front_stem,back_stem", [(("feet",), "big_toe", "heel"),
                                                        (("hand", "right"), "thumb_palmar", "thumb_dorsal"),
                                                        (("hand", "left"), "little_finger_palmar",
                                                         "little_finger_dorsal")])
def test_a_part_shows_magnified_on_both_views_keeping_the_patients_sides(atlas, part, front_stem, back_stem):
    m = PainMap(atlas)
    c = canvas_for(atlas, m)
    whole = dict(c.layouts)
    area = pygame.Rect(0, 0, 800, 600)

    def relayout():
        c.place(m, c.zoomed_layouts(area, whole, gap=20, title_h=10, label_h=10), 6)

    c.show_part(part, relayout)
    assert c.part == part and c.zoom is None and set(c.layouts) == {"front", "back"}
    front, back = c.layouts["front"], c.layouts["back"]
    assert front.left + front.width <= back.left  # side by side, front at the left, each in its half
    sides = ("right", "left") if part[0] == "feet" else (part[1],)
    for view, stem in (("front", front_stem), ("back", back_stem)):
        lay = c.layouts[view]
        assert lay.scale > 2 * whole[view].scale  # magnified
        xs = {}
        for side in sides:
            x, y = rep(atlas, f"{side}_{stem}")
            sx, sy = (float(v) for v in lay.to_screen(x, y))
            assert lay.contains(sx, sy), (view, side)  # the part is in its frame on both views
            xs[side] = sx
            # a fingertip stays a fingertip on screen: smaller on the magnified body
            r = c.fingertip(view, 0.14)
            assert r * lay.scale == pytest.approx(0.14 * whole[view].scale)
            c.begin_stroke(view, (sx, sy), "aching", r)
            c.end_stroke()
            assert m.region_coverage().get(f"{side}_{stem}", 0) > 0  # the same atlas point under the finger
        if len(xs) == 2:  # the patient's right: the viewer's left on the front view, the viewer's right on the back
            assert (xs["right"] < xs["left"]) == (view == "front")
    if part[0] == "hand":  # the other hand is not in the frame
        other = "left" if part[1] == "right" else "right"
        x, y = rep(atlas, f"{other}_palm")
        assert not c.layouts["front"].contains(*(float(v) for v in c.layouts["front"].to_screen(x, y)))
    c.zoom_to("front", (0.0, 0.0), 2.0, relayout)  # the one-view zoom replaces the part
    assert c.part is None and set(c.layouts) == {"front"}
    c.show_part(None, relayout)
    assert c.part is None and c.zoom is None and c.layouts == whole
    with pytest.raises(ValueError):
        c.show_part(("elbow",), relayout)


def test_draw_views_shows_the_paint_inside_each_view_and_a_map_none_shows_none(atlas):
    m = PainMap(atlas)
    c = canvas_for(atlas, m)
    x, y = rep(atlas, "right_calf")
    at = tuple(float(v) for v in c.layouts["back"].to_screen(x, y))
    c.begin_stroke("back", at, "aching", 0.1)
    c.end_stroke()
    shown, plain = pygame.Surface((800, 600)), pygame.Surface((800, 600))
    for surf, paint in ((shown, True), (plain, False)):
        surf.fill((255, 255, 255))
        c.draw_views(surf, under=dict(outline_width=2), paint=paint, over=dict(outlines=False, dermatomes=False),
                     clip=True)
    spot = (int(at[0]), int(at[1]))
    assert plain.get_at(spot) != (255, 255, 255, 255)  # the body is drawn under the paint
    assert shown.get_at(spot) != plain.get_at(spot)  # and the paint over it, where it was painted
    far = tuple(int(v) for v in c.layouts["front"].to_screen(*rep(atlas, "right_shin")))
    assert shown.get_at(far) == plain.get_at(far)  # and nowhere else
    seen = []
    c.draw_views(surf, paint=lambda s, v, lay: seen.append(v))  # what takes the paint's place, once a view
    assert seen == ["front", "back"]
    c.place(None, c.layouts, 6)
    assert c.overlays == {} and c.pain_map is None



def test_what_goes_over_the_paint_is_drawn_once_per_layout_and_reaches_past_the_view_by_the_margin(atlas,
                                                                                                  monkeypatch):
    """The painting window's layer over the paint (`margin`): the view's rectangle grown on every side, cut
    to the window, drawn once while the layout and `over` stay, again when either changes."""
    from bodymap.ui.kit import canvas as kit_canvas

    c = canvas_for(atlas, PainMap(atlas))
    calls = []
    real = kit_canvas.body.draw_over
    monkeypatch.setattr(kit_canvas.body, "draw_over", lambda *a, **k: (calls.append(a[2].view), real(*a, **k)))
    over = dict(outlines=True, dermatomes=False)
    window = pygame.Rect(0, 0, 800, 600)
    layer, at = c.over_layer("back", over, 6, window)
    lay = c.layouts["back"]
    assert pygame.Rect(at, layer.get_size()) == lay.rect.inflate(12, 12).clip(window)
    surf = pygame.Surface((800, 600))
    c.draw_views(surf, over=over, margin=6)  # the back view's layer is kept; the front view's drawn once
    c.draw_views(surf, over=dict(over), margin=6)  # the same words in a new dict: kept too
    assert sorted(calls) == ["back", "front"]
    c.draw_views(surf, over=dict(over, outlines=False), margin=6)  # other words: drawn again
    assert sorted(calls) == ["back", "back", "front", "front"]
    x, y = rep(atlas, "right_calf")  # a region line over the paint, on the patient's right calf (back view)
    assert layer.get_at(tuple(int(v) for v in (lay.to_screen(x, y)[0] - at[0], lay.to_screen(x, y)[1] - at[1]))).a == 0
    edge = layer.get_bounding_rect()  # the outline drawn inside the layer, the margin left around it
    assert edge.width > 0 and pygame.Rect((0, 0), layer.get_size()).contains(edge)

class TwoQuestions:
    """A window's own rows for the clinician panel: two questions with buttons, the second answered "no"."""

    state_key = ("q2", "no")

    def add_rows(self, add, s):
        add("heading", "Questions", (0, 0, 0))
        add("question", "First question", (0, 0, 0), key="q1", choices=(("yes", "Yes", False), ("no", "No", False)))
        add("question", "Second question", (0, 0, 0), key="q2", choices=(("yes", "Yes", False), ("no", "No", False),
                                                                         ("clear", "Clear", True)), chosen="no")


def test_the_ranking_panel_lays_out_hits_and_draws_the_buttons_of_a_window_s_own_rows():
    """The panel is given the rows as a part (composition): it places each row's buttons side by side under
    its text, hits them as panel:q:<key>:<choice>, and draws the chosen one as on; a red-flag box of
    `flag_lines` keeps its height, flags or not."""
    from bodymap.ui.kit import TextCache
    from bodymap.ui.kit.desk_colours import SELECT_BORDER
    from bodymap.ui.kit.ranking import RankingPanel
    from fakes import FakeRanking

    panel = RankingPanel(TwoQuestions(), flag_lines=2)
    panel.layout(pygame.Rect(300, 0, 480, 600), 1.0, 22)
    panel.set_ranking(FakeRanking(red_flags=[], hypotheses=[], prompts=[]), None, True)
    assert panel.state_key == ("q2", "no")
    kinds = [r.kind for r in panel.rows]
    assert kinds.index("question") > kinds.index("no_flag")  # the window's rows come under the red-flag box
    fixed = panel.fixed_h
    q1, q2 = [r for r in panel.rows if r.kind == "question"]
    rects = panel.choice_rects(q2)
    assert list(rects) == ["yes", "no", "clear"]
    assert all(q2.rect.contains(r) for r in rects.values())
    assert rects["yes"].right < rects["no"].left < rects["no"].right < rects["clear"].left  # side by side
    for key, row in (("q1", q1), ("q2", q2)):
        for c, r in panel.choice_rects(row).items():
            assert panel.hit(r.move(panel.rect.left, panel.rect.top).center) == f"panel:q:{key}:{c}"
    surf = pygame.Surface((800, 600))
    panel.draw(surf, TextCache())
    on, off = (rects[c].move(panel.rect.left, panel.rect.top) for c in ("no", "yes"))
    assert tuple(surf.get_at((on.centerx, on.top + 1)))[:3] == SELECT_BORDER  # the chosen answer is shown on
    assert tuple(surf.get_at((off.centerx, off.top + 1)))[:3] != SELECT_BORDER
    panel.set_ranking(FakeRanking(red_flags=["Urgent: a flag"], hypotheses=[], prompts=[]), None, False)
    assert panel.fixed_h == fixed and [r.kind for r in panel.rows if r.fixed][1] == "red_flag"
