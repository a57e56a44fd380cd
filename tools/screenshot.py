"""Draw the painting window after a scripted painting, headless, to a PNG.

    SDL_VIDEODRIVER=dummy python tools/screenshot.py docs/images/paint-window.png [WxH]

The painting is made with synthetic pointer events through `PaintScreen.handle_event`,
exactly as a patient's strokes arrive; the clinician panel shows the real matcher.
"""
from __future__ import annotations

import os
import sys

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from bodymap.atlas import load_atlas
from bodymap.painting import PainMap
from bodymap.ui.paint import PaintScreen
from bodymap.window_size import parse_window_size
from bodymap.render.picture import save_png


def _stroke(screen: PaintScreen, view: str, points) -> None:
    lay = screen.layouts[view]
    pos = [tuple(int(round(float(c))) for c in lay.to_screen(x, y)) for x, y in points]
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos[0], button=1))
    for p in pos[1:]:
        screen.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0)))
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos[-1], button=1))


def _tap(screen: PaintScreen, bid: str) -> None:
    pos = screen.button_center(bid)
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))


def scripted_screen(size=(1280, 800), show_panel: bool = True) -> PaintScreen:
    """A window with a typical right-sided L5-like painting and one red-flag answer."""
    atlas = load_atlas()
    m = PainMap(atlas)
    m.answers["bladder_bowel"] = True  # as if read from a file with the patient's answers
    screen = PaintScreen(size, atlas=atlas, pain_map=m, show_panel=show_panel)

    def rp(rid):
        p = atlas.region(rid).geometry.representative_point()
        return p.x, p.y

    (bx, by), (cx, cy) = rp("right_lower_back"), rp("right_buttock")
    _stroke(screen, "back", [(bx, by), (cx, cy), rp("right_posterolateral_thigh"), rp("right_calf")])
    _tap(screen, "sensation:burning")
    lx, ly = rp("right_lateral_leg")
    _stroke(screen, "front", [(lx, ly - 0.35), (lx, ly), (lx + 0.03, ly + 0.35)])
    _tap(screen, "sensation:pins_and_needles")
    _tap(screen, "brush:small")
    tx, ty = rp("right_dorsum_foot")
    _stroke(screen, "front", [(tx, ty), rp("right_big_toe")])
    r = screen.layout.slider.rect
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        screen.handle_event(pygame.event.Event(kind, pos=(int(r.left + 0.7 * r.width), r.centery), button=1))
    screen.update()
    if screen.clinician.panel.hypotheses:
        _tap(screen, "panel:hyp:0")
    screen.update()
    return screen


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = argv[0] if argv else "docs/images/paint-window.png"
    size = parse_window_size(argv[1], "WxH") if len(argv) > 1 else (1280, 800)
    pygame.display.init()
    pygame.font.init()
    screen = scripted_screen(size)
    save_png(screen.screenshot(), out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
