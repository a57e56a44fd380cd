"""Drive any scene headless with synthetic pygame events: tap, click, stroke, finger and key.

Works on every scene with `handle_event(event)`, `size` and `button_center(button_id)`: the
painting window (`PaintScreen`), the review window (`ReviewScreen`) and the kiosk (`KioskApp`).
Positions are window pixels; `at(scene, view, (x, y))` turns atlas units on a view into them.

    from drive import at, click, key, stroke, tap
    stroke(screen, [at(screen, "back", p) for p in pts])            # a mouse stroke
    stroke(app, pts_px, finger=True)                                # a finger stroke
    tap(app, "answer:yes")                                          # a finger tap on a button
    key(screen, pygame.K_z, pygame.KMOD_CTRL)

SDL's own habits are copied where they matter: a finger also produces mouse events marked
`touch=True` (`mouse_copies=True` sends them too: a scene must count each touch once), and
FINGER events carry junk in `pressure` (pygame-ce 2.5.8 puts dy there: a scene must not read it).
"""
from __future__ import annotations

from typing import Iterable, Sequence

import pygame

Pos = tuple[float, float]


def ev(kind: int, **kw) -> pygame.event.Event:
    return pygame.event.Event(kind, **kw)


def _int(pos: Pos) -> tuple[int, int]:
    return int(round(pos[0])), int(round(pos[1]))


def at(scene, view: str, point: Sequence[float]) -> tuple[int, int]:
    """The window pixel of atlas point `point` on `view` (the kiosk's painting layout, or a window's)."""
    layouts = getattr(scene, "paint_layouts", None) or scene.layouts
    x, y = layouts[view].to_screen(point[0], point[1])
    return _int((float(x), float(y)))


def finger(scene, kind: int, pos: Pos, fid: int = 0, touch_id: int = 7) -> None:
    """One FINGERDOWN / FINGERMOTION / FINGERUP at window pixel `pos` (sent as 0..1, as SDL does)."""
    w, h = scene.size
    scene.handle_event(ev(kind, x=pos[0] / w, y=pos[1] / h, dx=0.0, dy=0.0, touch_id=touch_id, finger_id=fid,
                          pressure=0.37))


_send_finger = finger  # `stroke` takes a `finger` flag


def mouse(scene, kind: int, pos: Pos, touch: bool = False) -> None:
    p = _int(pos)
    if kind == pygame.MOUSEMOTION:
        scene.handle_event(ev(kind, pos=p, rel=(0, 0), buttons=(1, 0, 0), touch=touch))
    else:
        scene.handle_event(ev(kind, pos=p, button=1, touch=touch))


def stroke(scene, points: Iterable[Pos], *, finger: bool = False, mouse_copies: bool = False, fid: int = 0) -> None:
    """Press at the first point, move through the others, release at the last.

    `finger=True` sends FINGER events (with SDL's touch=True mouse copies if `mouse_copies`)."""
    pts = list(points)
    if not pts:
        raise ValueError("a stroke needs at least one point")
    kinds = [pygame.FINGERDOWN] + [pygame.FINGERMOTION] * (len(pts) - 2) + [pygame.FINGERUP] if len(pts) > 1 \
        else [pygame.FINGERDOWN, pygame.FINGERUP]
    positions = pts if len(pts) > 1 else pts * 2
    to_mouse = {pygame.FINGERDOWN: pygame.MOUSEBUTTONDOWN, pygame.FINGERMOTION: pygame.MOUSEMOTION,
                pygame.FINGERUP: pygame.MOUSEBUTTONUP}
    for kind, p in zip(kinds, positions):
        if finger:
            _send_finger(scene, kind, p, fid)
            if mouse_copies:
                mouse(scene, to_mouse[kind], p, touch=True)
        else:
            mouse(scene, to_mouse[kind], p)


def click(scene, button_id: str) -> None:
    """A mouse click on a button, found by its id."""
    stroke(scene, [scene.button_center(button_id)])


def tap(scene, button_id: str, *, mouse_copies: bool = True, fid: int = 0) -> None:
    """A finger tap on a button, with SDL's mouse copies (a scene must act once)."""
    stroke(scene, [scene.button_center(button_id)], finger=True, mouse_copies=mouse_copies, fid=fid)


def key(scene, k: int, mod: int = 0, unicode: str = "") -> None:
    """A key press and release."""
    scene.handle_event(ev(pygame.KEYDOWN, key=k, mod=mod, unicode=unicode, scancode=0))
    scene.handle_event(ev(pygame.KEYUP, key=k, mod=mod, unicode="", scancode=0))


def display_fixture(size: tuple[int, int]):
    """A module-scoped autouse fixture opening one headless display of `size` for a window test file:
    `display = display_fixture(SIZE)` at the top of the file."""
    import pytest

    @pytest.fixture(scope="module", autouse=True)
    def display():
        pygame.display.init()
        pygame.font.init()
        pygame.display.set_mode(size)
        yield

    return display
