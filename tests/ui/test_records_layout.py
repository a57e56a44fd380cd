"""The painting window on a laptop (issue 21, item 5): it fits 1366x768 and 1280x800, the patient banner
is always in view, the bodies grow when the panel is hidden, answer buttons stay put while answering,
and zoom keeps the body point under the pointer and never leaves the body. Driven headless through
`PaintScreen.handle_event`."""
from __future__ import annotations

from datetime import datetime

import pygame
import pytest

from bodymap.atlas import load_atlas
from bodymap.painting import PainMap
from bodymap.ui.paint import PaintScreen
from bodymap.window_size import fit_to_screen

from fakes import FakeRanking, Hyp
from test_paint_day import FakeMatcher, click, ev

LAPTOPS = [(1366, 768), (1280, 800), fit_to_screen((1280, 800), (1366, 768)), fit_to_screen((1280, 800), (1280, 800))]


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode((1366, 768))
    yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def visit_map(atlas) -> PainMap:
    m = PainMap(atlas)
    m.paint_region("right_calf")
    m.set_intensity(None, 6)
    m.set_visit(patient_id="MRN-004217", visit_date="2026-12-21", recorded_by="Dr Okafor")
    return m


@pytest.mark.parametrize("size", LAPTOPS)
@pytest.mark.parametrize("panel", [True, False])
def test_every_control_fits_the_window(atlas, size, panel):
    s = PaintScreen(size, atlas=atlas, pain_map=visit_map(atlas), matcher=FakeMatcher(), show_panel=panel)
    window = pygame.Rect(0, 0, *size)
    for bid, b in s.layout.buttons.items():
        assert window.contains(b.rect), (bid, b.rect, size)
    assert window.contains(s.layout.slider.rect) and window.contains(s.layout.patient_rect)
    assert window.contains(s.layout.body_rect) and window.contains(s.layout.status_rect)
    assert s.layout.top_rect.contains(s.layout.patient_rect) and s.layout.patient_rect.bottom <= s.layout.body_rect.top
    assert not any(s.layout.patient_rect.colliderect(b.rect) for b in s.layout.buttons.values())
    assert not s.layout.too_small


def test_the_default_window_fits_the_laptop_screen():
    for screen in ((1366, 768), (1280, 800)):
        w, h = fit_to_screen((1280, 800), screen)
        assert w <= screen[0] and h <= screen[1] - 40
    assert fit_to_screen((1280, 800), (2560, 1440)) == (1280, 800)
    assert fit_to_screen((1280, 800), None) == (1280, 800)


def test_the_patient_banner_shows_identifier_and_visit_date_with_a_pain_score(atlas):
    s = PaintScreen((1366, 768), atlas=atlas, pain_map=visit_map(atlas), matcher=FakeMatcher())
    assert "MRN-004217" in s.patient_banner.text and "2026-12-21" in s.patient_banner.text
    s.pain_map.set_intensity(None, 9)  # the status line fills up; the banner keeps the identifier
    assert "MRN-004217" in s.patient_banner.text
    # the banner is drawn: its pixels differ from the bar colour over the text
    surf = s.screenshot()
    r = s.layout.patient_rect
    colours = {tuple(surf.get_at((x, r.centery)))[:3] for x in range(r.left + 10, r.left + 200)}
    assert len(colours) > 2


def test_hiding_the_panel_makes_the_bodies_larger(atlas):
    s = PaintScreen((1366, 768), atlas=atlas, pain_map=visit_map(atlas), matcher=FakeMatcher())
    with_panel = s.layouts["front"].scale
    click(s, "panel")
    assert not s.show_panel
    assert s.layouts["front"].scale > 1.08 * with_panel


class ShiftingMatcher(FakeMatcher):
    """A ranking that grows with every answer, as a real ranking can change with one."""

    def match(self, pain_map):
        super().match(pain_map)
        n = 2 + 3 * len(pain_map.answers)
        hyps = [Hyp(f"p{i}", "left", 0.5 / (i + 1), f"Pattern number {i} with a long name that wraps")
                for i in range(n)]
        return FakeRanking(red_flags=[], hypotheses=hyps, prompts=[])


def test_answer_buttons_stay_put_while_answering(atlas):
    s = PaintScreen((1366, 768), atlas=atlas, pain_map=visit_map(atlas), matcher=ShiftingMatcher())
    s.update()
    for key in ("numbness", "weakness", "worse_sitting"):
        bid = f"panel:q:{key}:yes"
        before = s.button_center(bid)
        s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=before, button=1))
        s.handle_event(ev(pygame.MOUSEBUTTONUP, pos=before, button=1))
        s.update()
        assert s.pain_map.answers.get(key) is True, key
        assert s.button_center(bid) == before, key  # the ranking changed below; the button did not move


def body_at(s, view, pos) -> bool:
    x, y = s.layouts[view].to_atlas(*pos)
    raster = s.pain_map.raster
    r, c = int((y - raster.origin[1]) * raster.scale), int((x - raster.origin[0]) * raster.scale)
    return 0 <= r < raster.shape[0] and 0 <= c < raster.shape[1] and bool(raster.body[view][r, c])


@pytest.mark.parametrize("view,region", [("back", "right_calf"), ("front", "left_knee")])
def test_zoom_keeps_the_point_under_the_pointer(atlas, view, region):
    s = PaintScreen((1366, 768), atlas=atlas, pain_map=visit_map(atlas), matcher=FakeMatcher())
    p = atlas.region(region).geometry.representative_point()
    at = tuple(int(round(float(c))) for c in s.layouts[view].to_screen(p.x, p.y))
    s.zoom_controls.zoom_by(2.0, at)  # from both views to one: the view is laid out anew, the point lands near the pointer
    assert s.zoom[0] == view and s.view_at(at) == view
    at = tuple(int(round(float(c))) for c in s.layouts[view].to_screen(p.x, p.y))
    for _ in range(2):
        s.zoom_controls.zoom_by(2.0, at)  # the wheel and "+" at the pointer
        lay = s.layouts[view]
        sx, sy = (float(c) for c in lay.to_screen(p.x, p.y))
        assert abs(sx - at[0]) <= 2 and abs(sy - at[1]) <= 2
    assert s.zoom_controls.factor == 8.0


def test_zoom_plus_three_times_from_beside_the_body_never_leaves_it(atlas):
    s = PaintScreen((1366, 768), atlas=atlas, pain_map=visit_map(atlas), matcher=FakeMatcher())
    lay = s.layouts["front"]
    beside = (int(lay.left + lay.width * 0.5), int(lay.top + lay.height * 0.62))  # between the legs, off the body
    assert not body_at(s, "front", beside)
    for _ in range(3):  # "+" with the pointer resting there
        s.handle_event(ev(pygame.MOUSEMOTION, pos=beside, rel=(0, 0), buttons=(0, 0, 0)))
        s.handle_event(ev(pygame.TEXTINPUT, text="+"))
    assert s.zoom is not None and s.zoom_controls.factor == 8.0
    assert body_at(s, "front", beside)  # the nearest body point came under the pointer
    lay = s.layouts["front"]
    grid = [(lay.left + lay.width * i / 10, lay.top + lay.height * j / 10) for i in range(1, 10) for j in range(1, 10)]
    on = sum(body_at(s, "front", p) for p in grid)
    assert on >= len(grid) // 4  # the zoomed view shows the body, not a blank background


@pytest.mark.parametrize("size", [(1366, 768), fit_to_screen((1400, 900), (1366, 768)), fit_to_screen((1400, 900),
                                                                                                     (1280, 800))])
def test_the_review_window_fits_the_laptop(atlas, tmp_path, size):
    from bodymap import fileformat
    from bodymap.ui.review import ReviewScreen

    fileformat.save(visit_map(atlas), tmp_path / "a.bodymap")
    s = ReviewScreen(tmp_path, size, atlas=atlas)
    s.screenshot()
    window = pygame.Rect(0, 0, *size)
    for bid, b in s.layout.buttons.items():
        assert window.contains(b.rect), (bid, b.rect, size)
