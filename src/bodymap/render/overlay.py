"""The paint on screen: one RGBA surface per view, updated only where a stroke changed it.

Each screen pixel of a view shows the mask pixel under its centre (nearest
neighbour, the same mapping `ViewLayout.to_atlas` uses for input), and the
sensation textures are laid out in screen pixels so that they stay crisp at any
window size. `refresh(window)` recomputes only the screen pixels whose mask pixel
lies in `window` = (r0, r1, c0, c1), the rectangle `PainMap.extend_stroke` returns.
"""
from __future__ import annotations

import math

import numpy as np
import pygame

from ..painting import PainMap
from .palette import PATTERN_PERIOD
from .picture import compose_rgba
from .view import ViewLayout


class PaintOverlay:
    def __init__(self, pain_map: PainMap, lay: ViewLayout, period: int = PATTERN_PERIOD):
        self.pain_map = pain_map
        self.lay = lay
        self.view = lay.view
        self.period = max(3, int(period))
        raster = pain_map.raster
        rows, cols = raster.shape
        w, h = max(lay.width, 1), max(lay.height, 1)
        xs = lay.x0 + (np.arange(w) + 0.5) / lay.scale
        ys = lay.y0 + (np.arange(h) + 0.5) / lay.scale
        self.cols = np.clip(np.floor((xs - raster.origin[0]) * raster.scale).astype(np.int64), 0, cols - 1)
        self.rows = np.clip(np.floor((ys - raster.origin[1]) * raster.scale).astype(np.int64), 0, rows - 1)
        self.surface = pygame.Surface((w, h), pygame.SRCALPHA)
        if pygame.display.get_surface() is not None:
            self.surface = self.surface.convert_alpha()  # the display's pixel format blits faster
        self.full_refreshes = 0
        self.partial_refreshes = 0
        self.refresh()

    @property
    def topleft(self) -> tuple[int, int]:
        return int(self.lay.left), int(self.lay.top)

    def screen_span(self, window: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """Mask rectangle (r0, r1, c0, c1) -> the overlay pixels (x0, x1, y0, y1) showing it."""
        r0, r1, c0, c1 = window
        x0 = int(np.searchsorted(self.cols, c0, side="left"))
        x1 = int(np.searchsorted(self.cols, c1, side="left"))
        y0 = int(np.searchsorted(self.rows, r0, side="left"))
        y1 = int(np.searchsorted(self.rows, r1, side="left"))
        return x0, x1, y0, y1

    def refresh(self, window: tuple[int, int, int, int] | None = None) -> pygame.Rect | None:
        """Recompute the whole overlay, or only the part showing mask `window`. Returns the screen rect."""
        w, h = self.surface.get_size()
        if window is None:
            x0, x1, y0, y1 = 0, w, 0, h
            self.full_refreshes += 1
        else:
            x0, x1, y0, y1 = self.screen_span(window)
            self.partial_refreshes += 1
        if x1 <= x0 or y1 <= y0:
            return None
        layers = self.pain_map.layers(self.view)
        sub = layers[:, self.rows[y0:y1]][:, :, self.cols[x0:x1]]
        rgba = compose_rgba(sub, origin=(y0, x0), period=self.period)
        px = pygame.surfarray.pixels3d(self.surface)
        px[x0:x1, y0:y1] = rgba[..., :3].transpose(1, 0, 2)
        del px
        pa = pygame.surfarray.pixels_alpha(self.surface)
        pa[x0:x1, y0:y1] = rgba[..., 3].T
        del pa
        return pygame.Rect(x0 + self.topleft[0], y0 + self.topleft[1], x1 - x0, y1 - y0)


def brush_window(pain_map: PainMap, point, radius: float) -> tuple[int, int, int, int]:
    """The mask rectangle a single brush dab at `point` (atlas units) can touch (for begin_stroke)."""
    raster = pain_map.raster
    rows, cols = raster.shape
    cx, cy = raster.to_px(float(point[0]), float(point[1]))
    rpx = radius * raster.scale
    c0 = max(int(math.floor(cx - rpx)) - 1, 0)
    c1 = min(int(math.ceil(cx + rpx)) + 2, cols)
    r0 = max(int(math.floor(cy - rpx)) - 1, 0)
    r1 = min(int(math.ceil(cy + rpx)) + 2, rows)
    return r0, max(r1, r0), c0, max(c1, c0)
