"""Pictures for research over groups and neighbours: side-by-side heat maps on one colour scale, and a
row of maps (the nearest maps of `bodymap similar`).

Each panel of a group picture is the frequency map of `render.heatmap` (the pain profile of the
group: the share of its maps painting each spot), drawn with the SAME top of scale for every group,
so one colour means one share in every panel.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from dataclasses import dataclass

import numpy as np
import pygame

from ..atlas import Atlas
from . import view as render
from .body import draw_side_markers
from .heatmap import render_heatmap


@dataclass
class PanelShares:
    """The Shares protocol of bodymap.heatscale for one group, with a common top of scale."""

    counts: dict[str, np.ndarray]  # view -> (rows, cols) maps painting each pixel
    n_maps: int
    body: dict[str, np.ndarray]
    vmax: float

    def share(self, view: str) -> np.ndarray:
        return self.counts[view] / max(self.n_maps, 1)

    @property
    def max_share(self) -> float:
        return self.vmax


def render_group_heatmaps(atlas: Atlas, panels: list[tuple[str, dict[str, np.ndarray], int]],
                          body: dict[str, np.ndarray], title: str, height: int = 800) -> pygame.Surface:
    """`panels`: (group name, view -> (rows, cols) counts, n) each; one picture, one colour scale."""
    shares = [max((float(c[v].max()) for v in c), default=0.0) / n for _, c, n in panels if n]
    vmax = max(shares, default=0.0)
    surfs = []
    for name, counts, n in panels:
        ps = PanelShares(counts, n, body, vmax)
        surfs.append(render_heatmap(atlas, ps, f"{name}", [f"n = {n} map{'' if n == 1 else 's'}", f"top of scale {100 * vmax:.0f}%"],
                                    height=height))
    return tile(surfs, title)


def tile(surfs: list[pygame.Surface], title: str, captions: list[str] | None = None) -> pygame.Surface:
    """Surfaces side by side under a title line (and a caption under each, if given)."""
    if not pygame.font.get_init():
        pygame.font.init()
    cap_h = 30 if captions else 0
    panels_w = sum(s.get_width() for s in surfs) + 10 * (len(surfs) + 1)
    # the title wraps to the panels' width: one group under a long title left half the picture empty,
    # with a divider after the last panel (ADR 0043)
    lines = _wrap(title, render.font(30), max(panels_w - 24, 200))
    line_h = render.font(30).get_linesize()
    head = 10 + line_h * len(lines) + 4
    w = max(panels_w, max(render.font(30).size(x)[0] for x in lines) + 24)
    h = max(s.get_height() for s in surfs) + head + cap_h + 10
    out = pygame.Surface((w, h))
    out.fill(render.BACKGROUND)
    for i, line in enumerate(lines):
        out.blit(render.font(30).render(line, True, render.TEXT), (12, 10 + i * line_h))
    x = 10
    for k, s in enumerate(surfs):
        out.blit(s, (x, head))
        if captions:
            c = render.font(20).render(captions[k], True, render.TEXT)
            out.blit(c, (x + 6, head + s.get_height() + 4))
        if k + 1 < len(surfs):  # a divider between panels, none after the last
            pygame.draw.line(out, render.OUTLINE, (x + s.get_width() + 4, head), (x + s.get_width() + 4, h - 10), 1)
        x += s.get_width() + 10
    return out


def _wrap(text: str, font, width: int) -> list[str]:
    """Greedy word wrap of `text` to `width` pixels in `font` (a word longer than the width gets its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.size(f"{lines[-1]} {word}")[0] <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


# eight colours of Okabe & Ito's colour-blind-safe set, cycled over neighbouring areas
AREA_COLOURS = ((230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178), (213, 94, 0),
                (204, 121, 167), (150, 150, 150))


def render_index_areas(atlas: Atlas, areas, title: str, height: int = 900) -> pygame.Surface:
    """Both views with each index area's bodymap regions filled in one colour and named once;
    regions that belong to no area stay skin-coloured. `areas`: bodymap.indices.Area items."""
    if not pygame.font.get_init():
        pygame.font.init()
    x0, y0, x1, y1 = atlas.bounds
    head = 50
    scale = (height - head - 70) / (y1 - y0)
    width = int(2 * (x1 - x0) * scale + 16 + 40)
    surf = pygame.Surface((width, height))
    surf.fill(render.BACKGROUND)
    layouts = render.layout_views(atlas, pygame.Rect(20, head, width - 40, height - head - 10), title_h=50)
    owner = {}
    for k, a in enumerate(areas):
        for rid in a.regions:
            owner[rid] = (k, a)
    for view, lay in layouts.items():
        render.draw_body(surf, atlas, lay, regions=True, outline_width=2)
        placed: set[int] = set()
        for r in atlas.regions_in(view):
            if r.id in owner:
                k, _ = owner[r.id]
                render.draw_geometry(surf, lay, r.geometry, fill=AREA_COLOURS[k % len(AREA_COLOURS)],
                                     line=render.REGION_LINE)
        for r in atlas.regions_in(view):  # the area's name once per view, on its largest region there
            if r.id not in owner:
                continue
            k, a = owner[r.id]
            mine = [x for x in atlas.regions_in(view) if owner.get(x.id, (None,))[0] == k]
            if k in placed or r.id != max(mine, key=lambda x: x.geometry.area).id:
                continue
            placed.add(k)
            c = r.geometry.representative_point()
            sx, sy = lay.to_screen(np.array([c.x]), np.array([c.y]))
            t = render.font(13).render(str(k + 1), True, render.TEXT)
            surf.blit(t, (int(sx[0]) - t.get_width() // 2, int(sy[0]) - t.get_height() // 2))
        render.draw_smooth_line(surf, lay, atlas.silhouette(view), render.OUTLINE, render.picture_outline_width(lay))
    render.draw_view_titles(surf, layouts, size=24)
    draw_side_markers(surf, layouts, size=22)
    surf.blit(render.font(26).render(title, True, render.TEXT), (16, 10))
    return surf


__all__ = ["render_group_heatmaps", "tile", "PanelShares", "render_index_areas"]
