"""The kiosk's optional "tap the parts that hurt" mode (issue 24): `tap_regions: true` in the kiosk
config. Taps arrive as FINGER events, as a patient's do; both views and both sides are checked."""
from __future__ import annotations

import sys
from pathlib import Path

import pygame
import pytest
from shapely.ops import polylabel

from bodymap.atlas import load_atlas, viewer_sign
from bodymap.kiosk.config import KioskConfig, load_config

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import kiosk_assist_screens as ks  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.font.init()
    yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def tap_on(app, view, rid):
    g = app.atlas.region(rid).geometry
    p = polylabel(g, 0.001)
    x, y = (float(v) for v in app.paint_layouts[view].to_screen(p.x, p.y))
    ks.finger(app, pygame.FINGERDOWN, (x, y))
    ks.finger(app, pygame.FINGERUP, (x, y))
    return x


@pytest.mark.parametrize("view,rid_stem", [("front", "thumb_palmar"), ("back", "little_finger_dorsal"),
                                           ("back", "calf"), ("front", "shin")])
@pytest.mark.parametrize("side", ["right", "left"])
def test_a_tap_fills_the_whole_region_and_a_second_tap_clears_it(atlas, tmp_path, view, rid_stem, side):
    app, clock = ks.kiosk(tmp_path, atlas, "en", tap_regions=True)
    ks.tap(app, clock, "start")
    rid = f"{side}_{rid_stem}"
    x = tap_on(app, view, rid)
    mid = float(app.paint_layouts[view].to_screen(0.0, 0.0)[0])
    assert (x > mid) == (viewer_sign(view, side) > 0)  # the patient's right is on the viewer's left in front
    m = app.pain_map
    assert m.region_coverage()[rid] == pytest.approx(1.0)
    assert set(m.painted_regions()) == {rid}
    clock.t += 2
    tap_on(app, view, rid)
    assert m.region_coverage().get(rid, 0.0) == 0.0


def test_colouring_stays_the_default(atlas, tmp_path):
    app, clock = ks.kiosk(tmp_path, atlas, "en")
    assert not app.config.tap_regions
    ks.tap(app, clock, "start")
    tap_on(app, "back", "right_calf")
    assert 0 < app.pain_map.region_coverage()["right_calf"] < 0.5  # a dab, not the whole region


def test_the_config_key_is_read_and_checked(tmp_path):
    p = tmp_path / "kiosk.yaml"
    p.write_text("tap_regions: true\n")
    assert load_config(p).tap_regions is True
    p.write_text("tap_regions: sometimes\n")
    from bodymap.errors import ConfigError
    with pytest.raises(ConfigError, match="tap_regions"):
        load_config(p)
    assert KioskConfig().tap_regions is False


def test_the_screen_says_tap_in_every_language(atlas, tmp_path):
    from bodymap.kiosk.i18n import text as i18n_text

    for lang in ("en", "es"):
        assert i18n_text(lang, "paint_title_tap") and i18n_text(lang, "paint_title_tap") != i18n_text(lang, "paint_title")


# ---------------------------------------------------------------------------
# a drag fills every region the finger crosses (ADR 0035): one action, as a coloured stroke is


def drag(app, view, rids, lays=None):
    """A finger put down in the first region, moved through each next one's inner point, lifted in the last."""
    lays = lays or app.paint_layouts
    pts = []
    for rid in rids:
        p = polylabel(app.atlas.region(rid).geometry, 0.001)
        pts.append(tuple(float(v) for v in lays[view].to_screen(p.x, p.y)))
    ks.finger(app, pygame.FINGERDOWN, pts[0])
    for a, b in zip(pts[:-1], pts[1:]):
        for k in range(1, 9):
            ks.finger(app, pygame.FINGERMOTION, (a[0] + (b[0] - a[0]) * k / 8, a[1] + (b[1] - a[1]) * k / 8))
    ks.finger(app, pygame.FINGERUP, pts[-1])
    return pts


@pytest.mark.parametrize("view,top,bottom,between", [("back", "posterior_thigh", "calf", "back_of_knee"),
                                                     ("front", "anterior_thigh", "shin", "knee")])
@pytest.mark.parametrize("side", ["right", "left"])
def test_a_drag_fills_every_region_it_crosses_on_the_patients_side_and_undo_takes_it_back(
        atlas, tmp_path, view, top, bottom, between, side):
    app, clock = ks.kiosk(tmp_path, atlas, "en", tap_regions=True)
    ks.tap(app, clock, "start")
    ks.tap(app, clock, "sens:burning")
    m = app.pain_map
    pts = drag(app, view, [f"{side}_{top}", f"{side}_{bottom}"])
    mid = float(app.paint_layouts[view].to_screen(0.0, 0.0)[0])
    assert (pts[0][0] > mid) == (viewer_sign(view, side) > 0)  # the patient's right: viewer's left in front
    filled = {rid for rid, c in m.region_coverage("burning").items() if c > 0.99}
    assert {f"{side}_{top}", f"{side}_{between}", f"{side}_{bottom}"} <= filled
    assert all(rid.startswith(f"{side}_") for rid in m.painted_regions())  # nothing on the other leg
    assert m.region_coverage()[f"{side}_{top}"] == pytest.approx(1.0)  # the first region filled, not toggled off
    clock.t += 2
    ks.tap(app, clock, "undo")  # one drag, one action: Undo takes all of it back
    assert m.is_empty


def test_a_drag_over_filled_regions_keeps_them_and_rub_out_clears_what_it_crosses(atlas, tmp_path):
    app, clock = ks.kiosk(tmp_path, atlas, "en", tap_regions=True)
    ks.tap(app, clock, "start")
    m = app.pain_map
    drag(app, "back", ["right_posterior_thigh", "right_calf"])
    before = m.region_coverage()
    clock.t += 2
    drag(app, "back", ["right_posterior_thigh", "right_calf"])  # over full regions: a drag never clears
    assert m.region_coverage() == before
    clock.t += 2
    ks.tap(app, clock, "eraser")
    drag(app, "back", ["right_back_of_knee", "right_calf"])
    cov = m.region_coverage()
    assert cov.get("right_calf", 0) == 0 and cov.get("right_back_of_knee", 0) == 0
    assert cov["right_posterior_thigh"] == pytest.approx(1.0)


@pytest.mark.parametrize("side", ["right", "left"])
def test_a_drag_on_the_feet_shown_bigger_fills_the_foot_regions_it_crosses(atlas, tmp_path, side):
    app, clock = ks.kiosk(tmp_path, atlas, "en", tap_regions=True)
    ks.tap(app, clock, "start")
    ks.tap(app, clock, "zoom")
    assert app.scenes.scenes["paint"].zoomed
    drag(app, "back", [f"{side}_heel", f"{side}_sole"], app.zoom_layouts)
    assert {f"{side}_heel", f"{side}_sole"} <= set(app.pain_map.painted_regions())
    assert all(rid.startswith(f"{side}_") for rid in app.pain_map.painted_regions())
