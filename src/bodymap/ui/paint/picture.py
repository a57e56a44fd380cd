"""The painting window's picture of the body views: `BodyPicture`, an owned part of `PaintScreen`.

It draws the views through `render/body.py` (the one drawing of the body) in two cached layers around the
paint overlays of the window's `BodyCanvas`: under the paint (the background: silhouettes, titles and
captions, the side markers "R"/"L" or the zoom's, the referral zone's shading, dermatome fills), cached per
layout, and over it (outlines, dermatome lines, the zone's edge), cached per view. A whole frame blits the
three; a partial frame blits them only in the rectangles a stroke changed. It is given the atlas, the
canvas, the tool bar (outlines and dermatomes shown), the text cache and the referral zone to shade.
"""
from __future__ import annotations

import dataclasses
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

    def place(self, layout: Any) -> None:
        self.layout = layout

    @property
    def key(self) -> Any:
        """What the cached layers last showed (a change means a whole frame)."""
        return self._bg_key, self._tops_key

    def draw(self, surface: pygame.Surface) -> None:
        """The whole picture: the background, each view's paint overlay and what goes over it."""
        surface.blit(self.background(), (0, 0))
        tops = self.tops()
        for v in self.canvas.layouts:
            ov = self.canvas.overlays[v]
            surface.blit(ov.surface, ov.topleft)
            top, at = tops[v]
            surface.blit(top, at)

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
        zone = self._zone()
        for v, lay in layouts.items():
            target, at = bg, None
            if self.canvas.zoom is not None:  # a zoomed view's picture reaches past its frame: draw it inside it
                target, at = pygame.Surface((lay.width, lay.height)), (int(lay.left), int(lay.top))
                target.fill(render.BACKGROUND)
                lay = dataclasses.replace(lay, left=0.0, top=0.0)
            body.draw_under(target, self.atlas, lay, dermatomes=self.tools.show_dermatomes, zone=zone)
            if at is not None:
                bg.blit(target, at)
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
        layouts, tools = self.canvas.layouts, self.tools
        key = (tuple(layouts.values()), tools.show_outlines, tools.show_dermatomes, self._zone_key())
        if self._tops_key == key:
            return self._tops
        L = self.layout
        m = L.px(6) if self.canvas.zoom is None else 0  # a zoomed view stays inside its frame
        zone = self._zone()
        tops = {}
        for v, lay in layouts.items():
            surf = pygame.Surface((lay.width + 2 * m, lay.height + 2 * m), pygame.SRCALPHA)
            local = dataclasses.replace(lay, left=float(m), top=float(m))
            body.draw_over(surf, self.atlas, local, outlines=tools.show_outlines, dermatomes=tools.show_dermatomes,
                           zone=zone, label_size=max(16, int(24 * L.s)), zone_width=max(2, L.px(3)),
                           line_width=max(2, L.px(2)))
            if pygame.display.get_surface() is not None:
                surf = surf.convert_alpha()
            tops[v] = (surf, (int(lay.left) - m, int(lay.top) - m))
        self._tops, self._tops_key = tops, key
        return tops
