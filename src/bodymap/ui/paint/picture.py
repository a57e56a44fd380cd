"""The painting window's picture of the body views: `BodyPicture`, an owned part of `PaintScreen`.

It shows the views through the window's `BodyCanvas` (`draw_views`, as the kiosk and the review window do:
`render/body.py`, the one drawing of the body, under and over the paint overlays) in two cached layers around
the paint: under it the background (silhouettes, the referral zone's shading, dermatome fills, then this
part's titles and captions and the side markers "R"/"L" or the zoom's), cached per layout; over it (outlines,
dermatome lines, the zone's edge) the canvas's layer of each view (`over_layer`), kept per layout. A whole
frame draws the three; a partial frame blits them only in the rectangles a stroke changed. It is given the
atlas, the canvas, the tool bar (outlines and dermatomes shown), the text cache and the referral zone to shade.
"""
from __future__ import annotations

from typing import Any, Callable

import pygame

from ... import render
from ...atlas import Atlas, viewer_sign
from ...render import body
from ..kit import TextCache
from ..kit.canvas import BodyCanvas
from ..kit.desk_colours import MUTED, TEXT

from .toolbar import ToolBar


class BodyPicture:
    """The body views under and over the paint (see the module)."""

    def __init__(self, atlas: Atlas, canvas: BodyCanvas, tools: ToolBar, text: TextCache,
                 zone: Callable[[], dict[str, float] | None]):
        self.atlas = atlas
        self.canvas = canvas
        self.tools = tools
        self.text = text
        self._zone = zone  # the referral zone shown (region -> share), or None
        self.layout: Any = None  # the window's WindowLayout (`place`)
        self._bg: pygame.Surface | None = None
        self._bg_key: Any = None
        self._tops: dict[str, tuple[pygame.Surface, tuple[int, int]]] = {}
        self._tops_key: Any = None
        self._over: dict = {}  # what goes over the paint (render.body.draw_over's arguments), for `tops`' key
        self._margin = 0  # px the layer over the paint reaches past each view (a line or a name at the edge)

    def place(self, layout: Any) -> None:
        self.layout = layout

    @property
    def key(self) -> Any:
        """What the cached layers last showed (a change means a whole frame)."""
        return self._bg_key, self._tops_key

    def draw(self, surface: pygame.Surface) -> None:
        """The whole picture: the background, each view's paint overlay and what goes over it."""
        surface.blit(self.background(), (0, 0))
        self.tops()  # (what goes over the paint, for this layout and these tools)
        self.canvas.draw_views(surface, paint=True, over=self._over, margin=self._margin)

    def draw_in(self, surface: pygame.Surface, rects: list[pygame.Rect]) -> None:
        """The picture again only inside `rects` (the rectangles a stroke changed)."""
        bg = self.background()
        tops = self.tops()
        for r in rects:
            surface.blit(bg, r, r)
            for v in self.canvas.layouts:
                ov = self.canvas.overlays[v]
                ovr = pygame.Rect(ov.topleft, ov.surface.get_size()).clip(r)
                if ovr.width and ovr.height:
                    surface.blit(ov.surface, ovr.topleft, ovr.move(-ov.topleft[0], -ov.topleft[1]))
                top, at = tops[v]
                tr = pygame.Rect(at, top.get_size()).clip(r)
                if tr.width and tr.height:
                    surface.blit(top, tr.topleft, tr.move(-at[0], -at[1]))

    def _zone_key(self) -> tuple | None:
        z = self._zone()
        return None if z is None else tuple(sorted(z.items()))

    def background(self) -> pygame.Surface:
        size, layouts = self.layout.size, self.canvas.layouts
        key = (size, tuple(layouts.values()), self._zone_key(), self.tools.show_dermatomes)
        if self._bg is not None and self._bg_key == key:
            return self._bg
        bg = pygame.Surface(size)
        bg.fill(render.BACKGROUND)
        # a zoomed view's picture reaches past its frame: drawn inside it (`clip`)
        self.canvas.draw_views(bg, under=dict(dermatomes=self.tools.show_dermatomes, zone=self._zone()), paint=False,
                               clip=self.canvas.zoom is not None)
        self._draw_titles(bg)
        if self.canvas.zoom is None:
            body.draw_side_markers(bg, layouts, size=max(16, int(34 * self.layout.s)))
        else:
            self._draw_zoom_markers(bg)
        if pygame.display.get_surface() is not None:
            bg = bg.convert()
        self._bg, self._bg_key = bg, key
        return bg

    def _draw_titles(self, surface: pygame.Surface) -> None:
        """'Front' / 'Back' with the caption saying where the patient's right is (as render.draw_view_titles)."""
        L = self.layout
        lh = render.font(L.caption_size).get_linesize()
        for v, lay in self.canvas.layouts.items():
            title, lines = L.captions[v]
            cx = lay.left + lay.width / 2
            y = lay.top - L.px(4) - len(lines) * lh
            for line in lines:
                t = self.text(line, L.caption_size, MUTED)
                surface.blit(t, t.get_rect(midtop=(cx, y)))
                y += lh
            t = self.text(title, L.title_size, TEXT)
            surface.blit(t, t.get_rect(midbottom=(cx, lay.top - L.px(4) - len(lines) * lh)))

    def _draw_zoom_markers(self, surface: pygame.Surface) -> None:
        """'R' and 'L' at the top corners of the zoomed view, on the patient's right and left, and the zoom."""
        L = self.layout
        sz = max(16, int(34 * L.s))
        for v, lay in self.canvas.layouts.items():
            for side, letter in (("right", "R"), ("left", "L")):
                x = lay.left + lay.width / 2 + viewer_sign(v, side) * (lay.width / 2 - sz)
                t = self.text(letter, sz, MUTED)
                surface.blit(t, t.get_rect(center=(x, lay.top + sz)))
            t = self.text(f"Zoom {self.canvas.zoom_factor:.1f}x  (Z: whole body)", L.caption_size, MUTED)
            surface.blit(t, t.get_rect(bottomright=(lay.left + lay.width - L.px(6), lay.top + lay.height - 2)))

    def tops(self) -> dict[str, tuple[pygame.Surface, tuple[int, int]]]:
        """Each view's layer over the paint and where it goes (the canvas's `over_layer`), asked of the canvas
        only when the layout, the tools or the zone changed."""
        layouts, tools = self.canvas.layouts, self.tools
        key = (tuple(layouts.values()), tools.show_outlines, tools.show_dermatomes, self._zone_key())
        if self._tops_key == key:
            return self._tops
        L = self.layout
        self._margin = L.px(6) if self.canvas.zoom is None else 0  # a zoomed view stays inside its frame
        self._over = dict(outlines=tools.show_outlines, dermatomes=tools.show_dermatomes, zone=self._zone(),
                          label_size=max(16, int(24 * L.s)), zone_width=max(2, L.px(3)), line_width=max(2, L.px(2)))
        window = pygame.Rect(0, 0, *L.size)
        self._tops = {v: self.canvas.over_layer(v, self._over, self._margin, window) for v in layouts}
        self._tops_key = key
        return self._tops
