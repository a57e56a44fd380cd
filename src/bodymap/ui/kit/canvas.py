"""`BodyCanvas`: the body views a person paints on, as one owned part of a window (issue 19 item 2).

It holds where each view sits on screen (`layouts`, atlas coordinates to window pixels), the paint
overlay of each view (`render.overlay.PaintOverlay`, updated only where a stroke changed it), which
view a window point is on (`view_at`), the stroke in progress (`begin_stroke`, `extend_stroke`,
`end_stroke`), the zoom (one view magnified around an atlas point) and the window rectangles the
paint changed since the last draw (`dirty_rects`, `take_dirty`).

The views keep the atlas's own coordinates at every zoom, so a stroke lands on the same atlas point
whatever the window size or zoom, and the patient's right stays on the viewer's left on the front view
(`render.view`). Drawing the body itself is `render`'s; the window draws the overlays this part keeps.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pygame

from ...atlas import VIEWS, Atlas
from ...render.overlay import PaintOverlay, brush_window
from ...render.view import zoom_layout

MAX_ZOOM = 8.0


class BodyCanvas:
    def __init__(self, atlas: Atlas):
        self.atlas = atlas
        self.pain_map: Any = None  # the map painted on (set by `place`)
        self.layouts: dict[str, Any] = {}  # view -> render.ViewLayout on screen
        self.overlays: dict[str, PaintOverlay] = {}
        self.zoom: tuple[str, tuple[float, float], float] | None = None  # (view, atlas centre, factor)
        self.stroke: dict | None = None  # {"view", "version"} while a stroke goes on
        self.dirty_rects: list[pygame.Rect] = []
        self._body_pixels: dict[tuple, np.ndarray] = {}

    # -- where the views are -------------------------------------------------
    def place(self, pain_map, layouts: dict[str, Any], period: int) -> None:
        """Show `pain_map` in `layouts` (after a resize, a zoom, another map): fresh overlays."""
        self.pain_map, self.layouts = pain_map, dict(layouts)
        self.overlays = {v: PaintOverlay(pain_map, lay, period) for v, lay in self.layouts.items()}

    def zoomed_layouts(self, area, atlas_layouts: dict[str, Any]) -> dict[str, Any]:
        """The layouts to show: `atlas_layouts` (both views whole) or the one zoomed view in `area`."""
        if self.zoom is None:
            return atlas_layouts
        view, centre, factor = self.zoom
        return {view: zoom_layout(self.atlas, view, area, centre, factor)}

    @property
    def zoom_factor(self) -> float:
        return 1.0 if self.zoom is None else float(self.zoom[2])

    def zoom_to(self, view: str, centre: tuple[float, float], factor: float, relayout: Callable[[], None]) -> None:
        """Show `view` magnified `factor` times around atlas point `centre` (factor <= 1: both views whole).

        `relayout` is the window's one duty here: place this canvas again for the new zoom (`place`)."""
        factor = min(float(factor), MAX_ZOOM)
        self.zoom = None if factor <= 1.0001 or view not in VIEWS else (view, (float(centre[0]), float(centre[1])),
                                                                         factor)
        relayout()
        if self.zoom is not None:  # the centre as shown (the layout keeps the picture on the body)
            lay = self.layouts[view]
            self.zoom = (view, tuple(float(c) for c in lay.to_atlas(lay.left + lay.width / 2,
                                                                    lay.top + lay.height / 2)), factor)

    def zoom_keeping(self, view: str, at: tuple[float, float], factor: float, relayout: Callable[[], None]) -> None:
        """Zoom `view` to `factor` so that the body point under window point `at` stays there; a point beside
        the body is first moved to the nearest point on it, so a zoomed view never shows only background."""
        point = self.nearest_on_body(view, self.layouts[view].to_atlas(*at))
        self.zoom_to(view, point, factor, relayout)
        if self.zoom is None:
            return
        lay = self.layouts[view]
        sx, sy = (float(c) for c in lay.to_screen(*point))
        cx, cy = self.zoom[1]
        self.zoom_to(view, (cx + (sx - at[0]) / lay.scale, cy + (sy - at[1]) / lay.scale), factor, relayout)

    def pan(self, dx: float, dy: float, relayout: Callable[[], None]) -> None:
        """Move a zoomed view by a share of its width / height."""
        if self.zoom is None:
            return
        view, (cx, cy), f = self.zoom
        lay = self.layouts[view]
        self.zoom_to(view, (cx + dx * lay.width / lay.scale, cy + dy * lay.height / lay.scale), f, relayout)

    def view_at(self, pos) -> str | None:
        for v, lay in self.layouts.items():
            if lay.contains(pos[0], pos[1]):
                return v
        return None

    def nearest_on_body(self, view: str, point: tuple[float, float]) -> tuple[float, float]:
        """`point` (atlas coordinates) if it is on the body of `view`, else the nearest pixel centre that is."""
        raster = self.pain_map.raster
        body = raster.body[view]
        ox, oy = raster.origin
        sc = raster.scale
        r, c = int((point[1] - oy) * sc), int((point[0] - ox) * sc)
        if 0 <= r < body.shape[0] and 0 <= c < body.shape[1] and body[r, c]:
            return float(point[0]), float(point[1])
        key = (view, id(raster))
        if key not in self._body_pixels:
            self._body_pixels[key] = np.argwhere(body)
        px = self._body_pixels[key]
        if len(px) == 0:
            return float(point[0]), float(point[1])
        i = int(np.argmin((px[:, 0] - r) ** 2 + (px[:, 1] - c) ** 2))
        return ox + (px[i, 1] + 0.5) / sc, oy + (px[i, 0] + 0.5) / sc

    # -- strokes ---------------------------------------------------------------
    def begin_stroke(self, view: str, pos, sensation: str, radius: float, erase: bool = False) -> None:
        """A stroke starts at window point `pos` on `view` (the view it starts on owns the stroke)."""
        pt = self.layouts[view].to_atlas(pos[0], pos[1])
        self.stroke = {"view": view, "version": self.pain_map.version}
        self.pain_map.begin_stroke(view, pt, sensation, radius, erase=erase)
        self._note(self.overlays[view].refresh(brush_window(self.pain_map, pt, radius)))

    def extend_stroke(self, pos) -> None:
        view = self.stroke["view"]
        box = self.pain_map.extend_stroke(self.layouts[view].to_atlas(pos[0], pos[1]))
        if box is not None:
            self._note(self.overlays[view].refresh(box))

    def end_stroke(self) -> bool:
        """End the stroke in progress (if any). True when it changed the painting."""
        if self.stroke is None:
            return False
        self.pain_map.end_stroke()
        changed = self.pain_map.version != self.stroke["version"]
        self.stroke = None
        return changed

    def refresh(self) -> None:
        """The whole paint changed (undo, redo, clear, a region filled): every overlay again."""
        for ov in self.overlays.values():
            ov.refresh()

    # -- what to draw again --------------------------------------------------
    def _note(self, rect: pygame.Rect | None) -> None:
        if rect is not None:
            self.dirty_rects.append(rect)

    def take_dirty(self) -> list[pygame.Rect]:
        """The window rectangles the paint changed since the last call."""
        rects, self.dirty_rects = self.dirty_rects, []
        return rects
