"""tests/drive.py drives every window the same way: fingers with SDL's mouse copies count once,
strokes land on the patient's side on both views, keys reach the scene."""
from __future__ import annotations

import pygame
import pytest

from drive import at, key, stroke, tap

SIZE = (1280, 800)


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode(SIZE)
    yield


@pytest.fixture
def paint(atlas, tmp_path):
    from bodymap.ui.paint import PaintScreen

    return PaintScreen(SIZE, atlas=atlas, folder=tmp_path, show_panel=False)


def _calf_line(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return [(p.x, p.y - 0.1), (p.x, p.y), (p.x, p.y + 0.1)]


@pytest.mark.parametrize("view", ["front", "back"])
@pytest.mark.parametrize("how", ["mouse", "finger with mouse copies"])
def test_a_stroke_paints_the_patients_right_once_on_either_view(paint, atlas, view, how):
    rid = next(r.id for r in atlas.regions if r.view == view and r.side == "right" and r.level == "leg")
    pts = [at(paint, view, p) for p in _calf_line(atlas, rid)]
    stroke(paint, pts, finger=how != "mouse", mouse_copies=True)
    cov = paint.pain_map.region_coverage()
    assert cov.get(rid, 0) > 0
    assert not any(atlas.region(r).side == "left" for r in cov)
    assert paint.pain_map.can_undo and len(paint.pain_map.strokes) == 1  # one stroke, not two


def test_a_key_reaches_the_scene(paint, atlas):
    stroke(paint, [at(paint, "back", p) for p in _calf_line(atlas, "right_calf")])
    assert not paint.pain_map.is_empty
    key(paint, pygame.K_z, pygame.KMOD_CTRL)
    assert paint.pain_map.is_empty


def test_a_kiosk_tap_with_mouse_copies_acts_once(tmp_path, atlas):
    from bodymap.kiosk.config import KioskConfig
    from bodymap.ui.kiosk import KioskApp

    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts",
                      recovery_dir=tmp_path / "recovery")
    now = [100.0]
    app = KioskApp(cfg, SIZE, atlas=atlas, clock=lambda: now[0])
    tap(app, "start")
    assert app.kiosk.screen == "paint"
    now[0] += 2.0  # past the kiosk's guard against a tap landing on the next screen
    app.update(now[0])
    tap(app, "next")  # nothing painted: the kiosk asks, once
    assert app.state.dialog == "nothing"
