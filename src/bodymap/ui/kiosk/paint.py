"""The kiosk's paint screen: sensations at the left, the two views, Undo / Clear / Next at the right."""
from __future__ import annotations

import pygame

from ... import render
from ...atlas import VIEWS
from ...painting import SENSATIONS
from ...render.overlay import PaintOverlay, brush_window
from ...render.picture import PATTERN_PERIOD
from ..kiosk_widgets import MUTED, TEXT, KButton
from .bodies import body_background
from .screen import KioskScene

BRUSH_RADIUS = 0.14  # head heights: a fingertip-sized brush on a body about 80 cm tall on screen


class PaintScene(KioskScene):
    """Painting with one finger; `stroke` is the view the open stroke is on."""

    def __init__(self, app):
        super().__init__(app)
        self.stroke: str | None = None

    # -- the paint layers of the session's map
    def build_overlays(self) -> None:
        app = self.app
        m = app.pain_map
        if m is None:
            app.overlays = {}
            return
        app.overlays = {v: PaintOverlay(m, lay, self._period(lay)) for v, lay in app.paint_layouts.items()}

    def _period(self, lay: render.ViewLayout) -> int:
        return max(4, int(round(PATTERN_PERIOD * lay.scale / self.app.pain_map.raster.scale)))

    def refresh_paint(self) -> None:
        for ov in self.app.overlays.values():
            ov.refresh()

    # -- strokes
    def view_at(self, pos) -> str | None:
        for v, lay in self.app.paint_layouts.items():
            if lay.contains(pos[0], pos[1]):
                return v
        return None

    def begin_stroke(self, view: str, pos) -> None:
        app = self.app
        m = app.pain_map
        if m is None:
            return
        pt = app.paint_layouts[view].to_atlas(pos[0], pos[1])
        self.stroke = view
        m.begin_stroke(view, pt, app.sensation, BRUSH_RADIUS, erase=app.eraser)
        app.overlays[view].refresh(brush_window(m, pt, BRUSH_RADIUS))

    def extend_stroke(self, pos) -> None:
        app = self.app
        m, view = app.pain_map, self.stroke
        if m is None or view is None:
            return
        box = m.extend_stroke(app.paint_layouts[view].to_atlas(pos[0], pos[1]))
        if box is not None:
            app.overlays[view].refresh(box)

    def end_stroke(self) -> None:
        if self.stroke is not None and self.app.pain_map is not None:
            self.app.pain_map.end_stroke()
        self.stroke = None

    # -- buttons
    def buttons(self) -> dict[str, KButton]:
        app = self.app
        out = {}
        r = app.tools_rect
        gap, extra = app.px(14), app.px(26)
        n = len(SENSATIONS) + 1
        bh = min(app.px(132), (r.height - (n - 1) * gap - extra) // n)
        y = r.top
        size = app.fs(44)
        for s in SENSATIONS:
            out[f"sens:{s}"] = KButton(f"sens:{s}", pygame.Rect(r.left, y, r.width, bh), app.t(f"sensation_{s}"),
                                       size, "choice", on=(s == app.sensation and not app.eraser), swatch=s,
                                       action=("sensation", s))
            y += bh + gap
        y += extra
        out["eraser"] = KButton("eraser", pygame.Rect(r.left, y, r.width, bh), app.t("eraser"), app.fs(48),
                                "choice", on=app.eraser)
        a = app.actions_rect
        ah = app.px(124)
        m = app.pain_map
        out["undo"] = KButton("undo", pygame.Rect(a.left, a.top, a.width, ah), app.t("undo"), app.fs(52),
                              enabled=m is not None and m.can_undo)
        out["clear"] = KButton("clear", pygame.Rect(a.left, a.top + ah + gap, a.width, ah), app.t("clear"),
                               app.fs(48), enabled=not app.map_empty)
        nh = app.px(210)
        out["next"] = KButton("next", pygame.Rect(a.left, a.bottom - nh, a.width, nh), app.t("next"), app.fs(76),
                              "primary")
        return out

    def activate(self, action: tuple, now: float) -> None:
        app = self.app
        m = app.pain_map
        kind = action[0]
        if kind == "sensation":
            app.sensation, app.eraser = action[1], False
        elif kind == "eraser":
            app.eraser = True
        elif kind == "undo" and m is not None:
            self.end_stroke()
            if m.undo():
                self.refresh_paint()
        elif kind == "clear":
            app.dialog = "clear"
        elif kind == "next":
            self.end_stroke()
            if app.map_empty:
                app.dialog = "nothing"
            else:
                app.kiosk.to_questions()

    # -- drawing
    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        surface.blit(body_background(app, "paint"), (0, 0))
        if not app.overlays and app.pain_map is not None:
            self.build_overlays()
        for v in VIEWS:
            ov = app.overlays.get(v)
            if ov is not None:
                surface.blit(ov.surface, ov.topleft)
                lay = app.paint_layouts[v]
                render.draw_geometry(surface, lay, app.atlas.silhouette(v), line=render.OUTLINE,
                                     width=max(2, app.px(3)), aa=False)
        app.texts.block(surface, app.t("paint_title"), app.paint_title_rect, app.paint_title_size, TEXT,
                        max_lines=1)
        app.texts.block(surface, app.t("paint_help"), app.paint_help_rect, app.paint_help_size, MUTED,
                        max_lines=2)
