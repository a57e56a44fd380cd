"""The review window's passing note (`Toast`): a line or three over the foot of the centre for a few seconds,
an owned part of `ReviewScreen`, given only the text cache; each draw gets the window's layout."""
from __future__ import annotations

import time

import pygame

from ... import render
from ..kit import TextCache, wrap_text
from ..kit.desk_colours import BUTTON_ON_BG, BUTTON_ON_TEXT

TOAST_SECONDS = 3.0


class Toast:
    def __init__(self, text: TextCache):
        self.texts = text
        self.text: str | None = None  # the note showing, or None
        self._until = 0.0

    def say(self, text: str) -> None:
        self.text, self._until = text, time.monotonic() + TOAST_SECONDS

    def tick(self) -> None:
        """Once a frame: the note goes when its time is up."""
        if self.text is not None and time.monotonic() >= self._until:
            self.text = None

    def draw(self, surface: pygame.Surface, layout) -> None:
        """The note in a box over the foot of the centre (`layout`: the window's `ReviewLayout`)."""
        if not self.text:
            return
        c, fs, px = layout.center_rect, layout.font_size, layout.px
        lines = wrap_text(self.text, fs, max(c.width - px(60), 60), max_lines=3)
        lh = render.font(fs).get_linesize()
        w = max(self.texts.width(l, fs) for l in lines) + px(32)
        box = pygame.Rect(0, 0, w, len(lines) * lh + px(20))
        box.midbottom = (c.centerx, c.bottom - px(12))
        pygame.draw.rect(surface, BUTTON_ON_BG, box, border_radius=8)
        y = box.top + px(10)
        for line in lines:
            t = self.texts(line, fs, BUTTON_ON_TEXT)
            surface.blit(t, t.get_rect(midtop=(box.centerx, y)))
            y += lh
