"""Where one view of the body sits on screen: the one mapping from atlas units to pixels.

Everything that draws the body or reads a pointer on it goes through a `ViewLayout`
(made by `view.layout_views`, `view.zoom_layout`...). It lives apart from `view` so that
`labels` (which `view` uses) can read it without importing `view` back.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pygame


@dataclass(frozen=True)
class ViewLayout:
    """Where one view sits on screen: atlas (x, y) -> pixel (px, py)."""

    view: str
    left: float
    top: float
    scale: float  # pixels per head height
    x0: float  # atlas frame origin
    y0: float
    width: int
    height: int

    def to_screen(self, x, y):
        return self.left + (np.asarray(x) - self.x0) * self.scale, self.top + (np.asarray(y) - self.y0) * self.scale

    def to_atlas(self, px: float, py: float) -> tuple[float, float]:
        return (px - self.left) / self.scale + self.x0, (py - self.top) / self.scale + self.y0

    def contains(self, px: float, py: float) -> bool:
        return self.left <= px < self.left + self.width and self.top <= py < self.top + self.height

    @property
    def rect(self) -> pygame.Rect:
        return pygame.Rect(int(self.left), int(self.top), self.width, self.height)
