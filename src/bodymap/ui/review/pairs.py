"""A titled pair of views in the review window: where the front and back go in an area, with their
heading and the captions that say where the patient's right is. The body itself is drawn by
`bodymap.render.body`, the one drawing of the body every window uses.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pygame

from ... import render
from ...atlas import VIEWS, Atlas
from ..kit import TextCache, wrap_text
from ..kit.desk_colours import MUTED, TEXT

# ---------------------------------------------------------------------------
# a titled pair of views


@dataclass
class Pair:
    """Front and back views in an area, with 'Front'/'Back', where the patient's right is, and a heading."""

    heading: str
    heading_colour: tuple[int, int, int]
    heading_pos: tuple[int, int]
    heading_size: int
    layouts: dict[str, render.ViewLayout]
    captions: dict[str, tuple[str, list[str]]]
    title_size: int
    caption_size: int
    area: pygame.Rect
    heading_lines: list[str] = dataclasses.field(default_factory=list)

    @property
    def rect(self) -> pygame.Rect:
        a, b = self.layouts["front"].rect, self.layouts["back"].rect
        return a.union(b)


def layout_pair(atlas: Atlas, area: pygame.Rect, s: float, heading: str = "", *, title_size: int,
                caption_size: int, heading_size: int, heading_colour=TEXT) -> Pair:
    pad = max(1, int(round(6 * s)))
    heading_lines = wrap_text(heading, heading_size, area.width, max_lines=2) if heading else []
    heading_h = len(heading_lines) * render.font(heading_size).get_linesize() + pad if heading else 0
    inner = pygame.Rect(area.left, area.top + heading_h, area.width, max(1, area.height - heading_h))
    gap = max(8, int(round(24 * s)))
    caption_lines = 1
    lays = captions = None
    for _ in range(4):
        title_h = (render.font(title_size).get_linesize() + caption_lines * render.font(caption_size).get_linesize()
                   + pad)
        lays = render.layout_views(atlas, inner, gap=gap, title_h=title_h)
        width = max(int(lays["front"].width + 0.5 * gap), 40)  # two captions side by side never touch
        captions = {v: (render.VIEW_CAPTIONS[v][0], balanced_wrap(render.VIEW_CAPTIONS[v][1], caption_size, width))
                    for v in VIEWS}
        need = max(len(c[1]) for c in captions.values())
        if need <= caption_lines:
            break
        caption_lines = need
    lays = {v: dataclasses.replace(l, left=float(round(l.left)), top=float(round(l.top))) for v, l in lays.items()}
    return Pair(heading, heading_colour, (area.left, area.top), heading_size, lays, captions, title_size,
                caption_size, pygame.Rect(area), heading_lines)


def balanced_wrap(text: str, size: int, width: int) -> list[str]:
    """Word wrap to `width`, with lines of about equal length ('patient's right is / on your left',
    not 'patient's right is on your / left')."""
    lines = wrap_text(text, size, width)
    if len(lines) < 2:
        return lines
    best = lines
    w = width
    while w > 20:
        w -= 4
        trial = wrap_text(text, size, w)
        if len(trial) > len(lines):
            break
        best = trial
    return best


def draw_pair_titles(surface: pygame.Surface, pair: Pair, text: TextCache) -> None:
    y = pair.area.top
    for line in pair.heading_lines:
        t = text(line, pair.heading_size, pair.heading_colour)
        surface.blit(t, t.get_rect(midtop=(pair.area.centerx, y)))
        y += render.font(pair.heading_size).get_linesize()
    lh = render.font(pair.caption_size).get_linesize()
    gap = 4
    for v, lay in pair.layouts.items():
        title, lines = pair.captions[v]
        cx = lay.left + lay.width / 2
        y = lay.top - gap - len(lines) * lh
        for line in lines:
            t = text(line, pair.caption_size, MUTED)
            surface.blit(t, t.get_rect(midtop=(cx, y)))
            y += lh
        t = text(title, pair.title_size, TEXT)
        surface.blit(t, t.get_rect(midbottom=(cx, lay.top - gap - len(lines) * lh)))
