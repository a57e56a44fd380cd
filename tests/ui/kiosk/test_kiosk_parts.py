"""The kiosk's owned parts and screens work from a `ScreenContext` alone, without `KioskApp` (ADR 0039)."""
from __future__ import annotations

import pygame
import pytest

from bodymap.kiosk.config import KioskConfig
from bodymap.kiosk.flow import Kiosk
from bodymap.kiosk.security import hash_pin
from bodymap.ui.kit import Texts
from bodymap.ui.kit.tap import TapTracker
from bodymap.ui.kiosk.bodies import BodyViews
from bodymap.ui.kiosk.context import ScreenContext, ScreenState, Words
from bodymap.ui.kiosk.layout import Geometry
from bodymap.ui.kiosk.pin import WRONG_PIN_SECONDS, PinOverlay
from bodymap.ui.kiosk.redflag import REDFLAG_FINISH_AFTER_S, RedFlagScene
from bodymap.ui.kiosk.welcome import WelcomeScene

from kiosk_drive import Clock

PIN = "1357"


def context(tmp_path, atlas, size=(1920, 1080), **kw) -> tuple[ScreenContext, Clock, list[float]]:
    """A screen context put together by hand, as `KioskApp.__init__` does; `synced` records `sync` calls."""
    clock = Clock()
    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "recovery",
                      **kw)
    kiosk = Kiosk(cfg, atlas, clock=clock)
    views = BodyViews(atlas)
    geo = Geometry(size, cfg.exit_corner, atlas, views.canvas)
    views.geo = geo
    synced: list[float] = []
    ctx = ScreenContext(kiosk, cfg, atlas, clock, Texts(), Words(kiosk), geo, ScreenState(shown_since=clock()),
                        views, TapTracker(), synced.append)
    return ctx, clock, synced


@pytest.mark.parametrize("corner", ["top_left", "top_right", "bottom_left", "bottom_right"])
def test_the_geometry_puts_the_staff_corner_where_configured_and_listen_help_stop_away_from_it(tmp_path, atlas,
                                                                                                corner):
    ctx, _, _ = context(tmp_path, atlas, exit_corner=corner)
    g = ctx.geo
    w, h = g.size
    assert (g.corner.left == 0) == ("left" in corner) and (g.corner.right == w) == ("right" in corner)
    assert (g.corner.top == 0) == ("top" in corner) and (g.corner.bottom == h) == ("bottom" in corner)
    for r in g.assist_rects.values():
        assert not r.colliderect(g.corner)


def test_the_geometry_is_placed_again_for_a_new_size(tmp_path, atlas):
    ctx, _, _ = context(tmp_path, atlas)
    g = ctx.geo
    wide = (g.px(100), g.tools_rect.copy(), g.portrait)
    g.place((1080, 1920))
    assert g.size == (1080, 1920) and g.portrait and not wide[2]
    front = g.paint_layouts["front"]
    assert g.tools_rect.top > front.top + front.height  # portrait: the colours under the body, not beside it
    g.place((1280, 800))
    assert g.px(100) < wide[0]  # a smaller screen, everything scaled down


def test_the_welcome_screen_starts_a_session_and_its_words_are_heard(tmp_path, atlas):
    ctx, clock, _ = context(tmp_path, atlas)
    scene = WelcomeScene(ctx)
    ctx.words.listening = []
    scene.draw(pygame.Surface(ctx.geo.size))
    assert ctx.words.listening[:2] == ["welcome_title", "welcome_body"]  # "Listen" says what was drawn, in order
    scene.activate(("start",), clock())
    assert ctx.kiosk.screen == "paint" and ctx.kiosk.session is not None


def test_the_red_flag_screen_offers_done_only_after_a_while(tmp_path, atlas):
    ctx, clock, _ = context(tmp_path, atlas)
    scene = RedFlagScene(ctx)
    ctx.state.shown_since = clock()
    assert scene.buttons() == {}
    clock.t += REDFLAG_FINISH_AFTER_S
    assert set(scene.buttons()) == {"finish"}


def test_the_pin_pad_hands_a_right_pin_to_the_shell_and_locks_a_wrong_one(tmp_path, atlas):
    ctx, clock, _ = context(tmp_path, atlas, pin_hash=hash_pin(PIN))
    right: list[float] = []
    pad = PinOverlay(ctx, on_right_pin=right.append)
    pad.open(clock())
    for d in "9999":
        pad.activate(("digit", d), clock())
    pad.activate(("enter",), clock())
    assert not right and pad.pad is not None and pad.pad.wrong_until is not None
    assert not any(b.enabled for b in pad.buttons().values())  # locked while "wrong PIN" shows
    clock.t += WRONG_PIN_SECONDS
    pad.update(clock())
    assert pad.pad is None  # closed after the wrong-PIN pause
    pad.open(clock())
    for d in PIN:
        pad.activate(("digit", d), clock())
    pad.activate(("enter",), clock())
    assert right == [clock()] and pad.pad is None
