"""What every kiosk screen and overlay has: the app it draws, its buttons, its drawing, its actions."""
from __future__ import annotations

import pygame

from ..kit import KButton


class KioskScene:
    """One kiosk screen (or overlay), a scene of `bodymap.ui.scene.SceneManager`.

    It draws the headless flow's state (`app.kiosk`) and turns a tap on one of its
    buttons into a flow call: `activate(button.action, now)`. Buttons carry their
    action as a tuple, e.g. ("answer", 4); nothing parses button ids.
    """

    def __init__(self, app):
        self.app = app

    def enter(self) -> None:
        """The screen was just shown (or shows a new question)."""

    def buttons(self) -> dict[str, KButton]:
        return {}

    def draw(self, surface: pygame.Surface) -> None:
        raise NotImplementedError

    def activate(self, action: tuple, now: float) -> None:
        """A button of this screen was tapped (pressed and released on it)."""
