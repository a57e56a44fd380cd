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
        surfs.append(render_heatmap(atlas, ps, f"{name}", [f"n = {n} maps", f"top of scale {100 * vmax:.0f}%"],
                                    height=height))
    return tile(surfs, title)


def tile(surfs: list[pygame.Surface], title: str, captions: list[str] | None = None) -> pygame.Surface:
    """Surfaces side by side under a title line (and a caption under each, if given)."""
    if not pygame.font.get_init():
        pygame.font.init()
    head = 48
    cap_h = 30 if captions else 0
    w = sum(s.get_width() for s in surfs) + 10 * (len(surfs) + 1)
    h = max(s.get_height() for s in surfs) + head + cap_h + 10
    out = pygame.Surface((w, h))
    out.fill(render.BACKGROUND)
    t = render.font(30).render(title, True, render.TEXT)
    out.blit(t, (12, 10))
    x = 10
    for k, s in enumerate(surfs):
        out.blit(s, (x, head))
        if captions:
            c = render.font(20).render(captions[k], True, render.TEXT)
            out.blit(c, (x + 6, head + s.get_height() + 4))
        pygame.draw.line(out, render.OUTLINE, (x + s.get_width() + 4, head), (x + s.get_width() + 4, h - 10), 1)
        x += s.get_width() + 10
    return out


__all__ = ["render_group_heatmaps", "tile", "PanelShares"]
