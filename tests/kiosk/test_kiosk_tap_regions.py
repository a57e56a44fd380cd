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
