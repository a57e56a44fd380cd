"""The one typeface, DejaVu Sans, shipped in assets/fonts (its licence is beside it).

pygame's built-in font spaces some letter pairs badly ("Shar p"). Sizes keep the
meaning they had with the built-in font: `size` is scaled so text takes about as much room.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from ..bidi import visual
from ..paths import assets_dir

_FONT_CACHE: dict[int, pygame.font.Font] = {}
FONT_FILE = "DejaVuSans.ttf"
FONT_SCALE = 0.66


class Font(pygame.font.Font):
    """The typeface, drawing right-to-left text (Hebrew, Arabic) in reading order (bodymap.bidi, ADR 0043):
    pygame lays a string's characters out left to right as stored, so "מטופל" showed as "לפוטמ"."""

    def render(self, text, antialias, color, bgcolor=None, wraplength=0):
        if isinstance(text, str):
            text = visual(text)
        return super().render(text, antialias, color, bgcolor, wraplength)

    def size(self, text):
        return super().size(visual(text) if isinstance(text, str) else text)


def font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    f = _FONT_CACHE.get(size)
    if f is None:
        path = assets_dir() / "fonts" / FONT_FILE
        try:
            f = Font(str(path), max(1, round(size * FONT_SCALE)))
        except (OSError, FileNotFoundError, pygame.error):
            f = Font(None, size)  # a broken install still shows text
        _FONT_CACHE[size] = f
    return f
