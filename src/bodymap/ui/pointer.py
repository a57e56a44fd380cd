"""Pointer input: the one place that turns mouse, touch and finger events into plain pointer events.

Every window (painting, review, kiosk) reads its pointer through `pointer_event`,
so the input rules live here once:

- positions come from the event, never polled from `pygame.mouse`;
- SDL's mouse copies of touches (`event.touch` true) are dropped, so each touch
  counts once;
- only the left mouse button presses (a move needs no button);
- FINGER x, y are 0..1 of the window and become window pixels;
- `pressure` is never read (pygame-ce 2.5.8 puts dy there).

Scenes then handle a `Pointer` as a plain function of (state, pointer): tests
build one directly, or feed a synthetic pygame event through `pointer_event`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pygame

DOWN, MOVE, UP = "down", "move", "up"

POINTER_EVENTS = {
    pygame.MOUSEBUTTONDOWN: DOWN, pygame.MOUSEMOTION: MOVE, pygame.MOUSEBUTTONUP: UP,
    pygame.FINGERDOWN: DOWN, pygame.FINGERMOTION: MOVE, pygame.FINGERUP: UP,
}
_FINGER = (pygame.FINGERDOWN, pygame.FINGERMOTION, pygame.FINGERUP)
MOUSE = "mouse"  # the pointer id of the mouse; a finger's id is ("finger", touch id, finger id)


@dataclass(frozen=True)
class Pointer:
    """One pointer event: its phase (down, move, up), where (window pixels) and which pointer."""

    phase: str
    pos: tuple[float, float]
    id: Any


def pointer_event(event, size: tuple[int, int]) -> Pointer | None:
    """The plain pointer event for a pygame event, or None if it is not one (or must be ignored)."""
    phase = POINTER_EVENTS.get(event.type)
    if phase is None:
        return None
    if event.type in _FINGER:
        pos = (float(event.x) * size[0], float(event.y) * size[1])
        return Pointer(phase, pos, ("finger", getattr(event, "touch_id", 0), getattr(event, "finger_id", 0)))
    if getattr(event, "touch", False):
        return None
    if phase != MOVE and getattr(event, "button", 1) != 1:
        return None
    return Pointer(phase, (float(event.pos[0]), float(event.pos[1])), MOUSE)


def pointer(event, size: tuple[int, int]):
    """(phase, (x, y), pointer id) for a mouse or finger event, or None: `pointer_event` as a tuple."""
    p = pointer_event(event, size)
    return None if p is None else (p.phase, p.pos, p.id)
