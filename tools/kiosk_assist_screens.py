"""Draw the kiosk's screens for the docs, headless, in every kiosk language.

    python tools/kiosk_assist_screens.py [docs/images]

Writes docs/images/kiosk-paint.png and docs/images/kiosk-welcome.png (English) and, for each of
en and es: kiosk-zoom-<lang>.png (the feet bigger, with a painted outer foot),
kiosk-zoom-hand-<lang>.png (one hand bigger), kiosk-help-<lang>.png (after "Help"), kiosk-staff-<lang>.png (the staff screen after
the PIN, with a map waiting in recovery and a help call) and
kiosk-corner-<lang>.png (the welcome screen with the staff corner's marks: the
count, "Help asked", and "Locked" after wrong PINs) and kiosk-tap-<lang>.png (the
"tap the parts that hurt" mode, `tap_regions`, with the typical patient's leg filled by one drag). The screens are driven with
synthetic FINGER events, as a patient's taps arrive.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
from shapely.ops import polylabel  # noqa: E402

from bodymap.atlas import load_atlas  # noqa: E402
from bodymap.kiosk.config import KioskConfig  # noqa: E402
from bodymap.kiosk.security import hash_pin  # noqa: E402
from bodymap.render.picture import save_png  # noqa: E402
from bodymap.ui.kiosk import KioskApp  # noqa: E402

SIZE = (1920, 1080)
PIN = "2468"


class Clock:
    t = 1000.0

    def __call__(self) -> float:
        return self.t


def finger(app, kind, pos):
    w, h = app.size
    app.handle_event(pygame.event.Event(kind, x=pos[0] / w, y=pos[1] / h, dx=0.0, dy=0.0, touch_id=1, finger_id=0,
                                        pressure=0.0))


def tap(app, clock, bid):
    pos = app.button_center(bid)
    finger(app, pygame.FINGERDOWN, pos)
    finger(app, pygame.FINGERUP, pos)
    clock.t += 0.6
    app.update(clock())


def dab(app, view, rid, layouts):
    g = app.atlas.region(rid).geometry
    p = polylabel(g, 0.001) if g.geom_type == "Polygon" else g.representative_point()
    x, y = (float(v) for v in layouts[view].to_screen(p.x, p.y))
    for kind in (pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP):
        finger(app, kind, (x, y + (4 if kind != pygame.FINGERDOWN else 0)))


def drag(app, view, rids, layouts):
    """A finger put down in the first region and moved through each next one's inner point."""
    pts = []
    for rid in rids:
        p = polylabel(app.atlas.region(rid).geometry, 0.001)
        pts.append(tuple(float(v) for v in layouts[view].to_screen(p.x, p.y)))
    finger(app, pygame.FINGERDOWN, pts[0])
    for a, b in zip(pts[:-1], pts[1:]):
        for k in range(1, 11):
            finger(app, pygame.FINGERMOTION, (a[0] + (b[0] - a[0]) * k / 10, a[1] + (b[1] - a[1]) * k / 10))
    finger(app, pygame.FINGERUP, pts[-1])


def kiosk(folder: Path, atlas, lang: str, **kw) -> tuple[KioskApp, Clock]:
    clock = Clock()
    cfg = KioskConfig(spool_dir=folder / "spool", drafts_dir=folder / "drafts", recovery_dir=folder / "recovery",
                      default_language=lang, **kw)
    return KioskApp(cfg, SIZE, atlas=atlas, clock=clock), clock


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/images")
    pygame.display.init()
    pygame.font.init()
    atlas = load_atlas()
    tmp = Path(tempfile.mkdtemp(prefix="kiosk-screens-"))
    app, clock = kiosk(tmp / "plain", atlas, "en")
    save_png(app.screenshot(), str(out / "kiosk-welcome.png"))
    tap(app, clock, "start")
    dab(app, "back", "right_calf", app.paint_layouts)
    save_png(app.screenshot(), str(out / "kiosk-paint.png"))
    for lang in ("en", "es"):
        app, clock = kiosk(tmp / f"zoom-{lang}", atlas, lang)
        tap(app, clock, "start")
        tap(app, clock, "sensation:pins_and_needles" if "sensation:pins_and_needles" in app.buttons()
            else "sens:pins_and_needles")
        tap(app, clock, "zoom")
        dab(app, "front", "right_lateral_foot", app.zoom_layouts)
        dab(app, "back", "right_heel", app.zoom_layouts)
        save_png(app.screenshot(), str(out / f"kiosk-zoom-{lang}.png"))
        tap(app, clock, "zoom")  # whole body, then the right hand bigger, as two quick taps on it show it
        app.scenes.scenes["paint"].set_zoom(True, ("hand", "right"))
        dab(app, "front", "right_palm", app.zoom_layouts)
        save_png(app.screenshot(), str(out / f"kiosk-zoom-hand-{lang}.png"))
        tap(app, clock, "zoom")
        tap(app, clock, "help")
        save_png(app.screenshot(), str(out / f"kiosk-help-{lang}.png"))
        # a crash leaves a draft: at the next start it waits in recovery, and staff see it
        clock.t += app.config.autosave_interval_s + 1
        tap(app, clock, "help_continue")
        clock.t += app.config.autosave_interval_s + 1
        app.update(clock())
        app, clock = kiosk(tmp / f"zoom-{lang}", atlas, lang, pin_hash=hash_pin(PIN))
        tap(app, clock, "help")
        tap(app, clock, "help_continue")
        for _ in range(5):  # five wrong PINs lock the keypad
            hold(app, clock)
            for d in "1111":
                tap(app, clock, f"pin:{d}")
            tap(app, clock, "pin:ok")
            clock.t += 5
            app.update(clock())
        hold(app, clock)
        save_png(app.screenshot(), str(out / f"kiosk-corner-{lang}.png"))
        clock.t += app.kiosk.pin_guard.seconds_locked(clock()) + 1
        app.update(clock())
        hold(app, clock)
        for d in PIN:
            tap(app, clock, f"pin:{d}")
        tap(app, clock, "pin:ok")
        save_png(app.screenshot(), str(out / f"kiosk-staff-{lang}.png"))
        # "tap the parts that hurt" (kiosk config tap_regions, issue 24): the typical patient's finger dragged
        # from the buttock down the thigh to the calf, one action that fills every region it crosses (ADR 0035),
        # and pins and needles tapped on the thumb side of the forearm (atlas 3's finer regions)
        app, clock = kiosk(tmp / f"tap-{lang}", atlas, lang, tap_regions=True)
        tap(app, clock, "start")
        tap(app, clock, "sens:burning")
        drag(app, "back", ("right_buttock", "right_posterior_thigh", "right_calf"), app.paint_layouts)
        clock.t += 0.6
        app.update(clock())
        tap(app, clock, "sens:pins_and_needles")
        dab(app, "front", "right_forearm_radial_front", app.paint_layouts)
        save_png(app.screenshot(), str(out / f"kiosk-tap-{lang}.png"))
    print(f"wrote the kiosk screens to {out}/")
    return 0


def hold(app, clock):
    pos = app.corner.center
    finger(app, pygame.FINGERDOWN, pos)
    clock.t += app.config.exit_hold_s + 0.2
    app.update(clock())
    finger(app, pygame.FINGERUP, pos)
    app.update(clock())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
