"""Issue 18: an emergency or same-day flag shows in a banner in the painting window in every state: clinician
panel shown or hidden (F2, --no-panel), zoomed, a dialog open, the smallest window; and never without a flag."""
from __future__ import annotations

import numpy as np
import pygame
import pytest

import bodymap
from bodymap.ui.kit import desk_colours as widgets  # the desk colour names
from bodymap.ui.paint.banner import banner_text
from bodymap.ui.paint.screen import PaintScreen

SIZE = (1400, 900)


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.display.set_mode((10, 10))
    yield


def saved(tmp_path, answers, legs=("right_calf", "left_calf")):
    m = bodymap.PainMap()
    for r in legs:
        m.paint_region(r, 0.7, "sharp")
    m.answers.update(answers)
    return bodymap.save(m, tmp_path / "m.bodymap")


def shown(s: PaintScreen) -> tuple[pygame.Rect | None, float]:
    """(banner rect, share of its pixels in the alert red) on a fresh screenshot."""
    r = s.flag_banner.rect()
    if r is None:
        return None, 0.0
    px = pygame.surfarray.array3d(s.screenshot())[r.left:r.right, r.top:r.bottom]  # (w, h, 3)
    red = np.all(px == np.array(widgets.RED), axis=-1)
    return r, float(red.mean())


def screen(path, size=SIZE, panel=True) -> PaintScreen:
    s = PaintScreen(size, path, show_panel=panel)
    s.update()
    return s


@pytest.mark.parametrize("panel", [True, False])
def test_an_emergency_shows_a_red_banner_with_the_panel_shown_or_hidden(tmp_path, panel):
    s = screen(saved(tmp_path, {"bladder_bowel": True}), panel=panel)
    r, red = shown(s)
    assert r is not None and red > 0.5
    assert pygame.Rect(0, 0, *SIZE).contains(r)
    text = banner_text(s.flag_banner.flags, s.show_panel)
    assert text.startswith("EMERGENCY: possible cauda equina")
    assert ("F2" in text) == (not panel)  # where to read more when the panel is hidden
    for lay in s.layouts.values():  # the body is laid out under the banner: no view is covered
        assert lay.top >= r.bottom


def test_f2_hides_the_panel_and_the_banner_stays(tmp_path):
    s = screen(saved(tmp_path, {"saddle_numbness": True}))
    s.handle_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F2, mod=0, unicode=""))
    s.update()
    assert not s.show_panel
    assert shown(s)[1] > 0.5


def test_zoomed_with_a_dialog_open_the_banner_is_still_on_top(tmp_path):
    s = screen(saved(tmp_path, {"bladder_bowel": True}))
    s.zoom_controls.zoom_by(2.0)
    s.update()
    assert s.zoom is not None and shown(s)[1] > 0.5
    s.files.message("A dialog", "with the banner still showing above its shade")
    assert s.dialog is not None and shown(s)[1] > 0.5


@pytest.mark.parametrize("size", [(320, 240), (640, 480)])
def test_the_smallest_windows_show_the_banner(tmp_path, size):
    s = screen(saved(tmp_path, {"bladder_bowel": True}), size=size, panel=False)
    r, red = shown(s)
    assert r is not None and pygame.Rect(0, 0, *size).contains(r) and red > 0.5


def test_a_same_day_flag_has_its_own_calmer_banner_and_no_flag_has_none(tmp_path):
    s = screen(saved(tmp_path, {"cancer_history": True}), panel=False)
    r, red = shown(s)
    assert r is not None and 0 < red < 0.5  # red border and text on pale red, not the emergency's solid red
    assert banner_text(s.flag_banner.flags, False).startswith("SAME DAY: possible malignancy")
    (tmp_path / "m.bodymap").unlink()
    s = screen(saved(tmp_path, {"cancer_history": False}), panel=False)
    assert s.flag_banner.rect() is None


def test_answering_in_the_window_raises_and_clears_the_banner(tmp_path):
    s = screen(saved(tmp_path, {}))
    assert s.flag_banner.rect() is None
    s.clinician.set_answer("saddle_numbness", "unsure")
    s.update()
    assert s.flag_banner.flags[0].id == "cauda_equina_unsure" and shown(s)[1] < 0.5  # not sure: same day
    s.clinician.set_answer("saddle_numbness", True)
    s.update()
    assert shown(s)[1] > 0.5
    s.clinician.set_answer("saddle_numbness", False)
    s.update()
    assert s.flag_banner.rect() is None


def test_a_stroke_under_the_banner_never_wipes_it(tmp_path):
    s = screen(saved(tmp_path, {"bladder_bowel": True}))
    surf = pygame.Surface(SIZE)
    s.draw(surf)
    r = s.flag_banner.rect()
    s.canvas.dirty_rects = [r.inflate(-10, -10)]
    s.draw_partial(surf)
    px = pygame.surfarray.array3d(surf)[r.left:r.right, r.top:r.bottom]
    assert np.all(px == np.array(widgets.RED), axis=-1).mean() > 0.5
