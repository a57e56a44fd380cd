"""The painting window's tool bar and top bar: `ToolBar` owns the painting tools' choices and draws the bar.

An owned part of `PaintScreen` (bodymap.ui.paint.screen). Its state is what a person picked: the sensation,
the brush, the eraser, and whether the body shows its outlines and dermatomes (the top bar's toggles). The
window passes the layout, the text cache and what the bar shows besides (the pain score, the pressed button).
"""
from __future__ import annotations

from typing import Any

import pygame

from ...painting import SENSATIONS
from ..kit import TextCache
from ..kit.desk_colours import BAR_BG, BAR_LINE, MUTED

from .sizes import BRUSHES


def draw_bar(surface: pygame.Surface, rect: pygame.Rect, line_side: str) -> None:
    """A bar's background and the line on its inner side (the top, tool and status bars)."""
    pygame.draw.rect(surface, BAR_BG, rect)
    a, b = {"bottom": (rect.bottomleft, rect.bottomright), "right": (rect.topright, rect.bottomright),
            "top": (rect.topleft, rect.topright)}[line_side]
    pygame.draw.line(surface, BAR_LINE, (a[0], a[1] - 1) if line_side == "bottom" else a,
                     (b[0], b[1] - 1) if line_side == "bottom" else b, 2)


def draw_top_bar(surface: pygame.Surface, layout: Any, text: TextCache, pressed: Any) -> None:
    """The top bar's buttons (the patient banner under them is drawn by its own part)."""
    draw_bar(surface, layout.top_rect, "bottom")
    for bid, b in layout.buttons.items():
        if layout.top_rect.contains(b.rect):
            b.draw(surface, text, layout.bar_font_size, pressed=(pressed == bid))


class ToolBar:
    """The painting tools (see the module)."""

    def __init__(self) -> None:
        self.sensation = SENSATIONS[0]
        self.brush = "medium"
        self.eraser = False
        self.show_outlines = True
        self.show_dermatomes = False

    @property
    def radius(self) -> float:
        """The brush's radius in atlas units."""
        return BRUSHES[self.brush]

    def choose(self, action: tuple) -> bool:
        """A tool button's or key's action: ("sensation", name), ("brush", name), ("eraser",), ("outlines",),
        ("dermatomes",). True when it was one of these."""
        kind, arg = action[0], (action[1] if len(action) > 1 else None)
        if kind == "sensation":
            self.sensation, self.eraser = arg, False
        elif kind == "brush":
            self.brush = arg
        elif kind == "eraser":
            self.eraser = not self.eraser
        elif kind == "outlines":
            self.show_outlines = not self.show_outlines
        elif kind == "dermatomes":
            self.show_dermatomes = not self.show_dermatomes
        else:
            return False
        return True

    def sync(self, buttons: dict[str, Any]) -> None:
        """Show the choices on their buttons."""
        for s in SENSATIONS:
            buttons[f"sensation:{s}"].on = (s == self.sensation and not self.eraser)
        for name in BRUSHES:
            buttons[f"brush:{name}"].on = name == self.brush
        buttons["eraser"].on = self.eraser
        buttons["outlines"].on = self.show_outlines
        buttons["dermatomes"].on = self.show_dermatomes

    def draw(self, surface: pygame.Surface, layout: Any, text: TextCache, pressed: Any, intensity: int | None) -> None:
        draw_bar(surface, layout.tool_rect, "right")
        fs = layout.font_size
        for heading, pos in layout.headings:
            surface.blit(text(heading, fs, MUTED), pos)
        label = f"Pain now: {intensity} / 10" if intensity is not None else "Pain now (0-10): tap"
        surface.blit(text(label, fs, MUTED), layout.intensity_label_pos)
        for bid, b in layout.buttons.items():
            if layout.tool_rect.contains(b.rect):
                b.draw(surface, text, fs, pressed=(pressed == bid))
        layout.slider.draw(surface, text, fs)
