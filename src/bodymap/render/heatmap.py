"""The frequency (heat) map picture: both views coloured by share of maps, with a viridis legend.

Colours come from bodymap.heatscale (numpy only); this module only draws.
Every body pixel is coloured, 0% included, so an unpainted area reads as "nobody
painted here" rather than as blank paper.
"""
from __future__ import annotations

import dataclasses
import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np
import pygame

from ..atlas import Atlas
from ..errors import UsageError
from ..heatscale import Shares, colour_scale, heatmap_rgb
from . import view as render
from .body import MIN_LAYOUT_HEIGHT, at_least_height, draw_side_markers, rgba_surface

HEADER_H = 64
TITLE_H = 50
LEGEND_W = 230


def heatmap_size(atlas: Atlas, height: int) -> tuple[int, int]:
    if height < MIN_LAYOUT_HEIGHT:  # drawn at MIN_LAYOUT_HEIGHT and scaled down (render_heatmap)
        w, _ = heatmap_size(atlas, MIN_LAYOUT_HEIGHT)
        return max(1, round(w * height / MIN_LAYOUT_HEIGHT)), height
    x0, y0, x1, y1 = atlas.bounds
    scale = (height - HEADER_H - TITLE_H - 20) / (y1 - y0)
    return int(2 * (x1 - x0) * scale + 16 + 40 + LEGEND_W), height


def heatmap_layouts(atlas: Atlas, height: int) -> dict[str, render.ViewLayout]:
    """Where each view sits in a heat map picture of this height (tests use it to find pixels)."""
    if height < MIN_LAYOUT_HEIGHT:  # the layout of the bigger picture, scaled as the picture is
        k = heatmap_size(atlas, height)[0] / heatmap_size(atlas, MIN_LAYOUT_HEIGHT)[0]
        return {v: dataclasses.replace(lay, left=lay.left * k, top=lay.top * height / MIN_LAYOUT_HEIGHT,
                                       scale=lay.scale * height / MIN_LAYOUT_HEIGHT,
                                       width=round(lay.width * k), height=round(lay.height * height / MIN_LAYOUT_HEIGHT))
                for v, lay in heatmap_layouts(atlas, MIN_LAYOUT_HEIGHT).items()}
    width, _ = heatmap_size(atlas, height)
    area = pygame.Rect(20, HEADER_H, width - 40 - LEGEND_W, height - HEADER_H - 10)
    return render.layout_views(atlas, area, title_h=TITLE_H)


def render_heatmap(atlas: Atlas, hm: Shares, title: str, lines: list[str], height: int = 1000) -> pygame.Surface:
    if not 300 <= height <= 8000:
        raise UsageError(f"--height must be between 300 and 8000 pixels, got {height}")
    if not pygame.font.get_init():
        pygame.font.init()
    return at_least_height(height, lambda h: _heatmap_picture(atlas, hm, title, lines, h))


def _heatmap_picture(atlas: Atlas, hm: Shares, title: str, lines: list[str], height: int) -> pygame.Surface:
    width, _ = heatmap_size(atlas, height)
    surf = pygame.Surface((width, height))
    surf.fill(render.BACKGROUND)
    layouts = heatmap_layouts(atlas, height)
    vmax = hm.max_share
    for view, lay in layouts.items():
        rgb = heatmap_rgb(hm, view, vmax)
        rgba = np.zeros(rgb.shape[:2] + (4,), dtype=np.uint8)
        body = hm.body[view]
        rgba[body, :3] = rgb[body]
        rgba[body, 3] = 255
        img = pygame.transform.scale(rgba_surface(rgba), (lay.width, lay.height))  # nearest neighbour
        surf.blit(img, (int(lay.left), int(lay.top)))
        render.draw_geometry(surf, lay, atlas.silhouette(view), line=render.OUTLINE, width=2, aa=False)
    render.draw_view_titles(surf, layouts, size=26)
    draw_side_markers(surf, layouts, size=24)
    # header
    t = render.font(30).render(title, True, render.TEXT)
    surf.blit(t, (20, 12))
    sub = render.font(20).render("; ".join(lines), True, render.MUTED)
    surf.blit(sub, (20, 12 + t.get_height() + 4))
    _legend(surf, width - LEGEND_W + 10, HEADER_H + TITLE_H, height - HEADER_H - TITLE_H - 60, vmax)
    return surf


def _legend(surf: pygame.Surface, x: int, y: int, bar_h: int, vmax: float) -> None:
    bar_w = 28
    bar_h = max(100, min(bar_h, 520))
    cap = render.font(22).render("Share of maps", True, render.TEXT)
    surf.blit(cap, (x, y))
    cap2 = render.font(22).render("painting each spot", True, render.TEXT)
    surf.blit(cap2, (x, y + cap.get_height() + 2))
    top = y + cap.get_height() * 2 + 16
    t = np.linspace(1.0, 0.0, bar_h)  # top = max share, bottom = 0%
    rgb = colour_scale(t)
    col = np.repeat(rgb[:, None, :], bar_w, axis=1)
    rgba = np.concatenate([col, np.full(col.shape[:2] + (1,), 255, dtype=np.uint8)], axis=2)
    surf.blit(rgba_surface(rgba), (x, top))
    pygame.draw.rect(surf, render.OUTLINE, (x, top, bar_w, bar_h), 1)
    hi = render.font(24).render(f"{100 * vmax:.0f}% (max)", True, render.TEXT)
    lo = render.font(24).render("0%", True, render.TEXT)
    surf.blit(hi, (x + bar_w + 8, top - 2))
    surf.blit(lo, (x + bar_w + 8, top + bar_h - lo.get_height() + 2))
    note = [f"scale: viridis, 0% to {100 * vmax:.0f}%", "(colour-blind safe)"]
    yy = top + bar_h + 14
    for line in note:
        s = render.font(18).render(line, True, render.MUTED)
        surf.blit(s, (x, yy))
        yy += s.get_height() + 2


__all__ = ["render_heatmap", "heatmap_layouts", "heatmap_size"]
