"""What every kiosk screen and overlay offers the shell: its buttons, its drawing, its actions."""
from __future__ import annotations

from typing import Protocol

import pygame

from ..kit import KButton


class KioskScene(Protocol):
    """One kiosk screen (or overlay), a scene of `bodymap.ui.scene.SceneManager`.

    It is built with the narrow `ScreenContext` (context.py), never the shell. It draws the headless flow's
    state (`ctx.kiosk`) and turns a tap on one of its buttons into a flow call: `activate(button.action, now)`.
    Buttons carry their action as a tuple, e.g. ("answer", 4); nothing parses button ids. A screen may also
    have `enter()` (it was just shown, or shows a new question) and `spoken()` (its own reading order).
    """

    def buttons(self) -> dict[str, KButton]: ...

    def draw(self, surface: pygame.Surface) -> None: ...

    def activate(self, action: tuple, now: float) -> None: ...
