"""Drawing the atlas (and later pain maps) with pygame, headless or in a window.

One function maps atlas units to screen pixels for a view placed in a rectangle
(`ViewLayout`); everything that draws or reads input goes through it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np
import pygame
import shapely
from shapely.geometry.base import BaseGeometry

from ..atlas import VIEWS, Atlas

BACKGROUND = (250, 249, 246)
SKIN = (238, 228, 218)
OUTLINE = (92, 78, 70)
REGION_LINE = (196, 182, 170)
TEXT = (40, 36, 34)
MUTED = (110, 104, 100)
# Okabe-Ito hues (colour-blind safe), chosen so that neighbouring roots differ.
DERMATOME_COLOURS = {
    "T10": (230, 159, 0), "T11": (86, 180, 233), "T12": (0, 158, 115), "L1": (240, 228, 66),
    "L2": (0, 114, 178), "L3": (213, 94, 0), "L4": (204, 121, 167), "L5": (0, 158, 115),
    "S1": (86, 180, 233), "S2": (230, 159, 0), "S3_S5": (204, 121, 167),
}

_FONT_CACHE: dict[int, pygame.font.Font] = {}


def font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    f = _FONT_CACHE.get(size)
    if f is None:
        f = _FONT_CACHE[size] = pygame.font.Font(None, size)
    return f


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


def layout_views(atlas: Atlas, area: pygame.Rect, gap: int = 16, title_h: int = 0) -> dict[str, ViewLayout]:
    """Front and back side by side, centred in `area`, keeping the atlas proportions."""
    x0, y0, x1, y1 = atlas.bounds
    fw, fh = x1 - x0, y1 - y0
    avail_w = (area.width - gap) / 2
    avail_h = area.height - title_h
    scale = max(min(avail_w / fw, avail_h / fh), 1e-3)
    w, h = int(fw * scale), int(fh * scale)
    total = 2 * w + gap
    left = area.left + (area.width - total) / 2
    top = area.top + title_h + (avail_h - h) / 2
    return {
        view: ViewLayout(view, left + i * (w + gap), top, scale, x0, y0, w, h)
        for i, view in enumerate(VIEWS)
    }


def _rings(geom: BaseGeometry):
    polys = geom.geoms if hasattr(geom, "geoms") else [geom]
    for p in polys:
        if p.is_empty or not hasattr(p, "exterior"):
            continue
        yield p.exterior, [i for i in p.interiors]


def draw_geometry(surface, lay: ViewLayout, geom: BaseGeometry, fill=None, line=None, width: int = 1, aa: bool = True):
    for ext, holes in _rings(geom):
        c = np.asarray(ext.coords)
        px, py = lay.to_screen(c[:, 0], c[:, 1])
        pts = list(zip(px.tolist(), py.tolist()))
        if len(pts) < 3:
            continue
        if fill is not None:
            pygame.draw.polygon(surface, fill, pts)
            for hole in holes:
                hc = np.asarray(hole.coords)
                hx, hy = lay.to_screen(hc[:, 0], hc[:, 1])
                pygame.draw.polygon(surface, BACKGROUND, list(zip(hx.tolist(), hy.tolist())))
        if line is not None:
            if aa and width <= 1:
                pygame.draw.aalines(surface, line, True, pts)
            else:
                pygame.draw.lines(surface, line, True, pts, width)


def draw_body(surface, atlas: Atlas, lay: ViewLayout, regions: bool = True, outline_width: int = 2):
    """The silhouette, optionally with region boundaries, and a few anatomical hints."""
    sil = atlas.silhouette(lay.view)
    draw_geometry(surface, lay, sil, fill=SKIN)
    if regions:
        for r in atlas.regions_in(lay.view):
            draw_geometry(surface, lay, r.geometry, line=REGION_LINE)
    draw_geometry(surface, lay, sil, line=OUTLINE, width=max(1, outline_width), aa=outline_width <= 1)
    if outline_width > 1:
        draw_geometry(surface, lay, sil, line=OUTLINE, width=1, aa=True)


VIEW_CAPTIONS = {
    "front": ("Front", "patient's right is on your left"),
    "back": ("Back", "patient's right is on your right"),
}


def draw_view_titles(surface, layouts: dict[str, ViewLayout], size: int = 24):
    """'FRONT (patient's right on your left)' style captions, so nobody has to guess."""
    for view, lay in layouts.items():
        title, sub = VIEW_CAPTIONS[view]
        t = font(size).render(title, True, TEXT)
        s = font(max(14, int(size * 0.7))).render(sub, True, MUTED)
        cx = lay.left + lay.width / 2
        surface.blit(s, s.get_rect(midbottom=(cx, lay.top - 2)))
        surface.blit(t, t.get_rect(midbottom=(cx, lay.top - 2 - s.get_height())))


def draw_side_markers(surface, layouts: dict[str, ViewLayout], size: int = 22):
    """'R' and 'L' beside each view, on the patient's right and left."""
    from ..atlas import viewer_sign

    for view, lay in layouts.items():
        for side, letter in (("right", "R"), ("left", "L")):
            sgn = viewer_sign(view, side)
            x = lay.left + lay.width / 2 + sgn * (lay.width / 2 - size * 0.6)
            y = lay.top + lay.height * 0.40
            t = font(size).render(letter, True, MUTED)
            surface.blit(t, t.get_rect(center=(x, y)))


_ABBREV = {
    "lower": "low", "upper": "up", "posterior": "post", "anterior": "ant", "lateral": "lat", "medial": "med",
    "posterolateral": "postlat", "front": "fr", "back": "bk", "of": "", "dorsum": "dors", "shoulder": "shldr",
    "buttock": "butt", "abdomen": "abdo", "forearm": "forearm", "sacroiliac": "SI", "perineum": "perin",
    "lesser": "lsr", "ankle": "ankle", "neck": "neck", "head": "head", "hand": "hand",
}


def short_label(stem: str) -> str:
    """A compact label for crowded atlas pictures: 'lower_back' -> 'low back'."""
    words = [_ABBREV.get(w, w) for w in stem.split("_")]
    return " ".join(w for w in words if w)


def draw_region_labels(surface, atlas: Atlas, lay: ViewLayout, size: int = 13):
    """One label per region; a label that would cover one already drawn on the same side of the
    body moves up or down by a line, if the region is still under it there."""
    placed: dict[str, list[pygame.Rect]] = {}
    for r in atlas.regions_in(lay.view):
        p = r.geometry.representative_point()
        t = font(size).render(short_label(r.stem), True, TEXT)
        mine = placed.setdefault(r.side, [])
        step = t.get_height() / lay.scale  # one line, in atlas units
        for dy in (0, 1, -1, 2, -2):
            y = p.y + dy * step
            if dy and not r.geometry.contains(shapely.Point(p.x, y)):
                continue
            px, py = lay.to_screen(p.x, y)
            rect = t.get_rect(center=(float(px), float(py)))
            if rect.collidelist(mine) < 0:
                break
        else:
            px, py = lay.to_screen(p.x, p.y)
            rect = t.get_rect(center=(float(px), float(py)))
        mine.append(rect)
        surface.blit(t, rect)


def draw_dermatomes(surface, atlas: Atlas, lay: ViewLayout, alpha: int = 110, labels: bool = True, size: int = 15,
                    *, fills: bool = True, lines: bool = True, avoid_overlap: bool = False):
    """Core zones filled, wide zones outlined (dashed look via thin line), key points dotted.

    `fills` / `lines` draw only the filled cores / only the outlines, key points and
    labels (the window puts the fills under the paint and the rest over it);
    `avoid_overlap` leaves out a label that would cover one already drawn.
    """
    colour_of = {d.root: DERMATOME_COLOURS.get(d.root, (150, 150, 150)) for d in atlas.dermatomes}
    if fills:
        layer = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        for d in atlas.dermatomes:
            col = colour_of[d.root]
            core = d.core[lay.view]
            if not core.is_empty:
                draw_geometry(layer, lay, core, fill=(*col, alpha))
        surface.blit(layer, (0, 0))
    placed: list[pygame.Rect] = []
    for d in atlas.dermatomes:
        col = colour_of[d.root]
        if lines:
            wide = d.wide[lay.view]
            if not wide.is_empty:
                draw_geometry(surface, lay, wide, line=tuple(int(c * 0.7) for c in col), width=1)
            for kp in d.key_points:
                if kp.view == lay.view:
                    px, py = lay.to_screen(kp.x, kp.y)
                    pygame.draw.circle(surface, (0, 0, 0), (float(px), float(py)), max(3, lay.scale * 0.035))
                    pygame.draw.circle(surface, (255, 255, 255), (float(px), float(py)), max(1.5, lay.scale * 0.018))
        core = d.core[lay.view]
        if labels and not core.is_empty:
            p = core.representative_point()
            px, py = lay.to_screen(p.x, p.y)
            t = font(size).render(d.root.replace("_", "-"), True, TEXT)
            r = t.get_rect(center=(float(px), float(py)))
            if avoid_overlap and r.collidelist(placed) >= 0:
                continue
            placed.append(r)
            surface.blit(t, r)


def render_atlas(atlas: Atlas, layer: str = "regions", height: int = 1400) -> pygame.Surface:
    """The labelled front and back views as one picture (for `bodymap atlas render`)."""
    if layer not in ("regions", "dermatomes", "plain"):
        raise ValueError("layer must be regions, dermatomes or plain")
    x0, y0, x1, y1 = atlas.bounds
    title_h = 56
    view_h = height - title_h - 20
    scale = view_h / (y1 - y0)
    width = int(2 * (x1 - x0) * scale + 16 + 40)
    surf = pygame.Surface((width, height))
    surf.fill(BACKGROUND)
    layouts = layout_views(atlas, pygame.Rect(20, 10, width - 40, height - 20), title_h=title_h)
    for view, lay in layouts.items():
        draw_body(surf, atlas, lay, regions=(layer == "regions"))
        if layer == "regions":
            draw_region_labels(surf, atlas, lay, size=max(11, int(lay.scale * 0.14)))
        elif layer == "dermatomes":
            draw_dermatomes(surf, atlas, lay, size=max(12, int(lay.scale * 0.16)), avoid_overlap=True)
    draw_view_titles(surf, layouts, size=30)
    draw_side_markers(surf, layouts, size=26)
    return surf
