"""The one typeface, DejaVu Sans, shipped in assets/fonts (its licence is beside it).

pygame's built-in font spaces some letter pairs badly ("Shar p"). Sizes keep the
meaning they had with the built-in font: `size` is scaled so text takes about as much room.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from ..paths import assets_dir

_FONT_CACHE: dict[int, pygame.font.Font] = {}
FONT_FILE = "DejaVuSans.ttf"
FONT_SCALE = 0.66


def font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    f = _FONT_CACHE.get(size)
    if f is None:
        path = assets_dir() / "fonts" / FONT_FILE
        try:
            f = pygame.font.Font(str(path), max(1, round(size * FONT_SCALE)))
        except (OSError, FileNotFoundError, pygame.error):
            f = pygame.font.Font(None, size)  # a broken install still shows text
        _FONT_CACHE[size] = f
    return f
