"""The painting window's fixed sizes and settings, and its keyboard modifiers."""
from __future__ import annotations

import pygame

from ...painting import DEFAULT_RADIUS

BASE_SIZE = (1280, 800)
BRUSHES = {"small": 0.05, "medium": DEFAULT_RADIUS, "large": 0.16}
BRUSH_LETTERS = {"small": "S", "medium": "M", "large": "L"}
TOAST_SECONDS = 3.0
FILE_SUFFIX = ".bodymap"

REDRAW_EVENTS = (pygame.VIDEOEXPOSE, pygame.WINDOWEXPOSED, pygame.WINDOWSHOWN, pygame.WINDOWRESTORED,
                 pygame.WINDOWMAXIMIZED)


def ctrl_held(event) -> bool:
    mod = getattr(event, "mod", 0) or 0
    return bool(mod & (pygame.KMOD_CTRL | pygame.KMOD_META))


def shift_held(event) -> bool:
    return bool((getattr(event, "mod", 0) or 0) & pygame.KMOD_SHIFT)
