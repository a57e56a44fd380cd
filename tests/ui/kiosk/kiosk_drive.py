"""Shared set-up of the kiosk window tests: a settable clock, a kiosk app on a private spool,
fingers as SDL sends them, and the pause a patient takes before touching a new screen."""
from __future__ import annotations

import pygame

from bodymap.kiosk.config import KioskConfig
from bodymap.ui.kiosk import KioskApp
from bodymap.ui.kiosk.app import TAP_GUARD_S

SIZE = (1920, 1080)


class Clock:
    """The kiosk's clock, moved by hand: `clock.t += 0.6`."""

    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def kiosk_app(tmp_path, atlas, size=SIZE, clock=None, **kw) -> tuple[KioskApp, Clock]:
    """A kiosk whose spool, drafts and recovery folders are under `tmp_path`; `kw` go to its config."""
    clock = clock or Clock()
    kw.setdefault("spool_dir", tmp_path / "spool")
    cfg = KioskConfig(drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "recovery", **kw)
    return KioskApp(cfg, size, atlas=atlas, clock=clock), clock


def finger(app, kind, pos, fid=0):
    """One FINGER* event at screen position `pos`. `pressure` gets a junk value: pygame-ce 2.5.8 puts
    dy there, so the app must never read it."""
    w, h = app.size
    app.handle_event(pygame.event.Event(kind, x=pos[0] / w, y=pos[1] / h, dx=0.0, dy=0.0, touch_id=7,
                                        finger_id=fid, pressure=0.37))


def settle(app):
    """A patient looks at a new screen before touching it: a touch in its first TAP_GUARD_S is ignored."""
    app._sync(app.clock())
    wait = app.state.shown_since + TAP_GUARD_S - app.clock()
    if wait > 0 and hasattr(app.clock, "t"):
        app.clock.t += wait + 0.01
        app.update(app.clock())
