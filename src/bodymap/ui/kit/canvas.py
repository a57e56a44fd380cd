"""`BodyCanvas`: the body views a person paints on, as one owned part of a window (issue 19 item 2).

It holds where each view sits on screen (`layouts`, atlas coordinates to window pixels), the paint
overlay of each view (`render.overlay.PaintOverlay`, updated only where a stroke changed it), which
view a window point is on (`view_at`), the stroke in progress (`begin_stroke`, `extend_stroke`,
`end_stroke`), the zoom and the window rectangles the paint changed since the last draw (`dirty_rects`,
`take_dirty`).

Two kinds of zoom (ADR 0035):
- `zoom`: one view magnified around an atlas point (the painting window: buttons, wheel, pinch, pan);
- `part`: one body part magnified on *both* views side by side, each view framed on that part's regions
  (the kiosk: the feet, whose toes and top are on the front view and heel and sole on the back, or one
  hand, palm and back). `fingertip` gives the brush that stays the same size on screen when magnified.

The views keep the atlas's own coordinates at every zoom, so a stroke lands on the same atlas point
whatever the window size or zoom, and the patient's right stays on the viewer's left on the front view
(`render.view`). `draw_views` shows the views through `render.body` (under the paint, the paint or what
takes its place, over the paint), so every window that shows a body draws it the same way.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import numpy as np
import pygame

from ...atlas import VIEWS, Atlas
from ...render import body
from ...render.overlay import PaintOverlay, brush_window
from ...render.view import draw_geometry, frame_regions, zoom_layout

MAX_ZOOM = 8.0
# the hand's regions: palm side on the front view, back of the hand on the back (atlas 3 adds the digits)
HAND_STEMS = ("palm", "back_of_hand", "thenar", "hypothenar", "first_web_space") + tuple(
    f"{d}_{face}" for d in ("thumb", "index_finger", "middle_finger", "ring_finger", "little_finger")
    for face in ("palmar", "dorsal"))
# how a part is framed on each view: the share of its size left around it, and the most it is magnified
PART_MARGIN = {"feet": (0.06, MAX_ZOOM), "hand": (0.25, 6.0)}


def part_regions(atlas: Atlas, view: str, part: tuple) -> list[str]:
    """The region ids of `part` on `view`: ("feet",) both feet, ("hand", side) the patient's one hand."""
    if part[0] == "feet":
        return [r.id for r in atlas.regions_in(view) if r.level == "foot"]
    if part[0] == "hand":
        return [r.id for r in atlas.regions_in(view) if r.stem in HAND_STEMS and r.side == part[1]]
    raise ValueError(f"no such body part to magnify: {part!r}")


def in_window(surface: pygame.Surface, lay) -> tuple[pygame.Surface, Any]:
    """The part of `surface` a view owns and the layout to draw in it: a magnified view shows only its
    window of the body (the smooth outline writes pixels directly, so a clip rectangle would not hold it)."""
    r = lay.rect.clip(surface.get_rect())
    return surface.subsurface(r), dataclasses.replace(lay, left=lay.left - r.left, top=lay.top - r.top)


class BodyCanvas:
    def __init__(self, atlas: Atlas):
        self.atlas = atlas
        self.pain_map: Any = None  # the map painted on (set by `place`)
        self.layouts: dict[str, Any] = {}  # view -> render.ViewLayout on screen
        self.overlays: dict[str, PaintOverlay] = {}
        self.zoom: tuple[str, tuple[float, float], float] | None = None  # (view, atlas centre, factor)
        self.part: tuple | None = None  # ("feet",) or ("hand", side): magnified on both views (see `show_part`)
        self.whole: dict[str, Any] = {}  # the views whole, as last passed to `zoomed_layouts`
        self.stroke: dict | None = None  # {"view", "version"} while a stroke goes on
        self.dirty_rects: list[pygame.Rect] = []
        self._body_pixels: dict[tuple, np.ndarray] = {}
        self._over_layers: dict[tuple, pygame.Surface] = {}  # what goes over the paint, drawn once (draw_views)
        self._over_seen: tuple[Any, str] = (None, "")  # the last `over` asked for, and its key's words

    # -- where the views are -------------------------------------------------
    def place(self, pain_map, layouts: dict[str, Any], period: int | Callable[[Any], int]) -> None:
        """Show `pain_map` in `layouts` (after a resize, a zoom, another map): fresh overlays.

        `period`: the sensation textures' period in pixels, or a function of a view's layout giving it
        (views magnified differently). `pain_map` None shows the views with nothing painted."""
        self.pain_map, self.layouts = pain_map, dict(layouts)
        if pain_map is None:
            self.overlays = {}
            return
        self.overlays = {v: PaintOverlay(pain_map, lay, period(lay) if callable(period) else period)
                         for v, lay in self.layouts.items()}

    def zoomed_layouts(self, area, atlas_layouts: dict[str, Any], *, gap: int = 0, title_h: int = 0,
                       label_h: int = 0) -> dict[str, Any]:
        """The layouts to show: `atlas_layouts` (both views whole), the one zoomed view in `area`, or the part
        magnified on both views side by side in `area` (`part_layouts`: `gap` between them, `title_h` over
        each, `label_h` under each)."""
        self.whole = dict(atlas_layouts)
        if self.part is not None:
            return self.part_layouts(area, self.part, gap=gap, title_h=title_h, label_h=label_h)
        if self.zoom is None:
            return atlas_layouts
        view, centre, factor = self.zoom
        return {view: zoom_layout(self.atlas, view, area, centre, factor)}

    def part_layouts(self, area, part: tuple, *, gap: int = 0, title_h: int = 0, label_h: int = 0) -> dict[str, Any]:
        """`part` magnified on both views, front at the left, each in half of `area` (less `gap` between them,
        `title_h` above and `label_h` below) and framed on the part's regions of that view."""
        margin, most = PART_MARGIN[part[0]]
        half = (area.width - gap) // 2
        out = {}
        for i, v in enumerate(VIEWS):
            box = pygame.Rect(area.left + i * (half + gap), area.top + title_h, half,
                              max(area.height - title_h - label_h, 1))
            out[v] = frame_regions(self.atlas, v, box, part_regions(self.atlas, v, part), margin=margin, max_zoom=most)
        return out

    def show_part(self, part: tuple | None, relayout: Callable[[], None]) -> None:
        """Magnify `part` on both views (None: the views whole again); `relayout` places the canvas again."""
        if part is not None:
            part_regions(self.atlas, VIEWS[0], part)  # a part it cannot frame says so now, not at the next draw
        self.end_stroke()
        self.part, self.zoom = (tuple(part) if part is not None else None), None
        relayout()

    def fingertip(self, view: str, radius: float) -> float:
        """The brush radius (atlas units) that looks as big on the view shown as `radius` looks on the whole
        body: a fingertip stays a fingertip, so it covers less of a magnified foot."""
        whole, shown = self.whole.get(view), self.layouts.get(view)
        if whole is None or shown is None:
            return radius
        return radius * whole.scale / shown.scale

    @property
    def zoom_factor(self) -> float:
        return 1.0 if self.zoom is None else float(self.zoom[2])

    def zoom_to(self, view: str, centre: tuple[float, float], factor: float, relayout: Callable[[], None]) -> None:
        """Show `view` magnified `factor` times around atlas point `centre` (factor <= 1: both views whole).

        `relayout` is the window's one duty here: place this canvas again for the new zoom (`place`)."""
        factor = min(float(factor), MAX_ZOOM)
        self.part = None
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

    # -- showing the views -----------------------------------------------------
    def draw_views(self, surface: pygame.Surface, *, under: dict | None = None, paint: Any = True,
                   over: dict | None = None, extra: Callable | None = None, clip: bool = False,
                   margin: int | None = None) -> None:
        """Each view in turn: the body under the paint (`render.body.draw_under(**under)`, left out when
        `under` is None), the paint overlay (`paint` True), or what takes its place (`paint` a function of
        (surface, view, layout), e.g. a difference), what goes over it (`render.body.draw_over(**over)`), then
        `extra(surface, layout, view)`. `clip`: each view drawn inside its own rectangle (a magnified view
        reaches past it). What goes over the paint is drawn once per layout and kept (`over_layer`) when `clip`
        (inside the view's rectangle) or `margin` is given (that many pixels past it on every side, for a line
        or a name at the edge); `over` must then not change in place: pass a new dict."""
        bounds = surface.get_rect()
        for v, lay in self.layouts.items():
            target, local = in_window(surface, lay) if clip else (surface, lay)
            if under is not None:
                body.draw_under(target, self.atlas, local, **under)
            if callable(paint):
                paint(target, v, local)
            elif paint and v in self.overlays:
                target.blit(self.overlays[v].surface, (int(local.left), int(local.top)))
            if over is not None and (clip or margin is not None):
                layer, at = self.over_layer(v, over, 0 if clip else margin, bounds)
                surface.blit(layer, at)
            elif over is not None:
                body.draw_over(target, self.atlas, local, **over)
            if extra is not None:
                extra(target, local, v)

    def over_layer(self, view: str, over: dict, margin: int = 0,
                   bounds: pygame.Rect | None = None) -> tuple[pygame.Surface, tuple[int, int]]:
        """What goes over the paint on `view` (`render.body.draw_over(**over)`), on a transparent layer over the
        view's rectangle grown by `margin` px on every side (and cut to `bounds`, the window), and where the
        layer goes. Drawn once per layout and kept, so a frame that shows it again only blits it."""
        lay = self.layouts[view]
        r = lay.rect.inflate(2 * margin, 2 * margin)
        if bounds is not None:
            r = r.clip(bounds)
        local = dataclasses.replace(lay, left=lay.left - r.left, top=lay.top - r.top)
        if self._over_seen[0] is not over:  # the same dict again (it must not change in place): its words kept
            self._over_seen = (over, repr(sorted(over.items())))
        key = (r.size, local, self._over_seen[1])
        layer = self._over_layers.get(key)
        if layer is None:
            if len(self._over_layers) > 8:  # a few layouts (whole, magnified, a resize): drop the old ones
                self._over_layers.clear()
            layer = pygame.Surface(r.size, pygame.SRCALPHA)
            body.draw_over(layer, self.atlas, local, **over)
            if pygame.display.get_surface() is not None:
                layer = layer.convert_alpha()
            self._over_layers[key] = layer
        return layer, r.topleft

    # -- what to draw again --------------------------------------------------
    def _note(self, rect: pygame.Rect | None) -> None:
        if rect is not None:
            self.dirty_rects.append(rect)

    def take_dirty(self) -> list[pygame.Rect]:
        """The window rectangles the paint changed since the last call."""
        rects, self.dirty_rects = self.dirty_rects, []
        return rects


LANDMARK = (150, 132, 118)  # a quiet line, darker than the skin, lighter than the outline
FOOT_LANDMARK_REGIONS = ("big_toe", "lesser_toes", "dorsum_foot", "lateral_foot", "heel", "sole", "back_of_ankle")
ANKLE_Y = 6.93  # head heights: the ankle bones (malleoli), just above where the foot regions begin


def draw_foot_landmarks(surface: pygame.Surface, atlas: Atlas, lay, view: str, width: int = 2) -> None:
    """Quiet lines on magnified feet, to aim by (issue 20): each toe, the top of the foot and its outer edge,
    the heel and the sole (the atlas's own foot regions), and a small circle on each side of each ankle."""
    import shapely

    for r in atlas.regions_in(view):
        if r.stem in FOOT_LANDMARK_REGIONS:
            draw_geometry(surface, lay, r.geometry, line=LANDMARK, width=width, aa=True)
        if r.stem == "lesser_toes":  # four small toes: three short lines from the tips up
            x0, y0, x1, y1 = r.geometry.bounds
            for k in (1, 2, 3):
                x = x0 + (x1 - x0) * k / 4
                a = lay.to_screen(x, y1 - 0.01)
                b = lay.to_screen(x, y1 - (y1 - y0) * 0.45)
                pygame.draw.line(surface, LANDMARK, (float(a[0]), float(a[1])), (float(b[0]), float(b[1])), width)
    line = shapely.LineString([(-3, ANKLE_Y), (3, ANKLE_Y)]).intersection(atlas.silhouette(view))
    parts = getattr(line, "geoms", [line])
    radius = max(3, int(0.04 * lay.scale))
    for seg in parts:
        if seg.is_empty or seg.length < 0.1:
            continue
        (xa, _), (xb, _) = seg.coords[0], seg.coords[-1]
        for x in (min(xa, xb) + 0.07, max(xa, xb) - 0.07):
            c = lay.to_screen(x, ANKLE_Y)
            pygame.draw.circle(surface, LANDMARK, (int(c[0]), int(c[1])), radius, width)
