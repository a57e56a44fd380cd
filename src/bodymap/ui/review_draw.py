"""Drawing pieces of the review window: a titled pair of views, the zone, the difference overlay.

The paint itself is drawn by `overlay.PaintOverlay` exactly as in the painting
window; outlines, dermatomes and the zone follow the painting window's look
(constants imported from `app`), in functions here because the window's own are
methods of its screen.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pygame
import shapely

from ..atlas import VIEWS, Atlas
from ..painting import PainMap
from .. import render
from ..render.palette import REGION_LINE_OVER_PAINT, ZONE_LINE, ZONE_MIN_P, ZONE_OUTLINE_P, ZONE_RGB
from ..render.picture import PATTERN_PERIOD, rgba_surface
from .kit.desk_colours import MUTED, TEXT
from .kit import TextCache, wrap_text

# The difference overlay: Okabe-Ito colours that no sensation uses, each with its own
# texture, so that new / resolved / persistent read apart in colour, for colour-blind
# readers and in greyscale (dark solid, mid stripes, light dots).
DIFF_KINDS = ("new", "resolved", "persistent")
DIFF_STYLE = {
    "new": {"colour": (213, 94, 0), "pattern": "vertical", "label": "New",
            "meaning": "painted now, not before", "edge": (140, 50, 0), "dashed": False},
    "resolved": {"colour": (86, 180, 233), "pattern": "sparse_dots", "label": "Resolved",
                 "meaning": "painted before, not now", "edge": (0, 80, 140), "dashed": True},
    "persistent": {"colour": (34, 34, 34), "pattern": "solid", "label": "Persistent",
                   "meaning": "painted both times", "edge": None, "dashed": False},
}
EDGE_WIDTH = 2  # px: the outline around new (solid) and resolved (dashed) areas


def diff_tint(kind: str) -> tuple[int, int, int]:
    """The light colour between a texture's ink (the swatch and the overlay use it)."""
    col = np.array(DIFF_STYLE[kind]["colour"], dtype=float)
    return tuple(int(v) for v in (0.35 * col + 0.65 * 255))


def diff_colours(kind: str) -> set[tuple[int, int, int]]:
    """Every colour a pixel of this kind can have on screen (ink, tint and outline)."""
    out = {tuple(DIFF_STYLE[kind]["colour"]), diff_tint(kind)}
    if DIFF_STYLE[kind]["edge"] is not None:
        out.add(tuple(DIFF_STYLE[kind]["edge"]))
    return out


def _edge(m: np.ndarray, width: int) -> np.ndarray:
    """The pixels of `m` within `width` px of its boundary (4-neighbour erosion)."""
    inner = m.copy()
    for _ in range(width):
        e = inner.copy()
        e[1:, :] &= inner[:-1, :]
        e[:-1, :] &= inner[1:, :]
        e[:, 1:] &= inner[:, :-1]
        e[:, :-1] &= inner[:, 1:]
        e[0, :] = e[-1, :] = False
        e[:, 0] = e[:, -1] = False
        inner = e
    return m & ~inner


def texture(pattern: str, shape: tuple[int, int], period: int) -> np.ndarray:
    """Ink (True) in a (rows, cols) grid starting at the grid origin."""
    rows, cols = shape
    yy, xx = np.mgrid[0:rows, 0:cols]
    if pattern == "solid":
        return np.ones(shape, dtype=bool)
    if pattern == "vertical":
        return (xx % period) < max(2, period // 2)
    if pattern == "sparse_dots":
        d = max(2, (period * 2) // 5)
        return ((xx % period) < d) & ((yy % period) < d) | (((xx + period // 2) % period < d)
                                                             & ((yy + period // 2) % period < d))
    raise ValueError(pattern)


def diff_rgba(masks: dict[str, np.ndarray], period: int) -> np.ndarray:
    """(rows, cols, 4) opaque picture of the three boolean masks (new, resolved, persistent)."""
    rows, cols = next(iter(masks.values())).shape
    out = np.zeros((rows, cols, 4), dtype=np.uint8)
    for kind in DIFF_KINDS:
        m = masks[kind]
        if not m.any():
            continue
        ink = texture(DIFF_STYLE[kind]["pattern"], (rows, cols), period)
        out[m & ink, :3] = DIFF_STYLE[kind]["colour"]
        out[m & ~ink, :3] = diff_tint(kind)
        out[m, 3] = 255
        edge_colour = DIFF_STYLE[kind]["edge"]
        if edge_colour is not None:
            edge = _edge(m, EDGE_WIDTH)
            if DIFF_STYLE[kind]["dashed"]:
                yy, xx = np.mgrid[0:rows, 0:cols]
                edge &= ((xx + yy) // 5) % 2 == 0
            out[edge, :3] = edge_colour
    return out


def sample_index(raster, lay: render.ViewLayout) -> tuple[np.ndarray, np.ndarray]:
    """For each screen row / column of a view, the mask row / column under the pixel centre."""
    rows, cols = raster.shape
    w, h = max(lay.width, 1), max(lay.height, 1)
    xs = lay.x0 + (np.arange(w) + 0.5) / lay.scale
    ys = lay.y0 + (np.arange(h) + 0.5) / lay.scale
    ci = np.clip(np.floor((xs - raster.origin[0]) * raster.scale).astype(np.int64), 0, cols - 1)
    ri = np.clip(np.floor((ys - raster.origin[1]) * raster.scale).astype(np.int64), 0, rows - 1)
    return ri, ci


def diff_surface(comparison, view: str, lay: render.ViewLayout, raster, period: int) -> pygame.Surface:
    """The difference of one view at screen resolution (textures laid out in screen pixels)."""
    ri, ci = sample_index(raster, lay)
    masks = {k: getattr(comparison, k)[view][ri][:, ci] for k in DIFF_KINDS}
    return rgba_surface(diff_rgba(masks, period))


def diff_swatch(kind: str, w: int, h: int, period: int = 8) -> pygame.Surface:
    rgba = diff_rgba({k: np.full((h, w), k == kind) for k in DIFF_KINDS}, period)
    return rgba_surface(rgba)


def paint_period(lay: render.ViewLayout, pain_map: PainMap) -> int:
    """The sensation texture period on screen (as the painting window computes it)."""
    return max(4, int(round(PATTERN_PERIOD * lay.scale / pain_map.raster.scale)))


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


def draw_side_markers(surface: pygame.Surface, layouts: dict[str, render.ViewLayout], text: TextCache,
                      size: int = 24) -> None:
    """'R' and 'L' beside each view on the patient's right and left (as render.draw_side_markers),
    level with the head, where the body is narrow, so that they never cover an arm in a small view."""
    from ..atlas import viewer_sign

    for view, lay in layouts.items():
        cx, cy = (float(v) for v in lay.to_screen(0.0, 0.5))
        sz = max(14, min(size, int(lay.width * 0.16)))
        for side, letter in (("right", "R"), ("left", "L")):
            x = cx + viewer_sign(view, side) * (lay.width / 2 - sz * 0.6)
            t = text(letter, sz, MUTED)
            surface.blit(t, t.get_rect(center=(x, cy)))


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


# ---------------------------------------------------------------------------
# the zone and the lines over the paint


def zone_regions(atlas: Atlas, zone: dict[str, float] | None, view: str):
    """(region, probability) of the zone in `view`, leaving out probabilities under ZONE_MIN_P."""
    for rid, p in (zone or {}).items():
        try:
            r = atlas.region(rid)
        except Exception:  # noqa: BLE001 - an unknown region id in a zone is skipped
            continue
        if r.view == view and p >= ZONE_MIN_P:
            yield r, min(max(float(p), 0.0), 1.0)


def draw_zone_fill(surface: pygame.Surface, atlas: Atlas, lay: render.ViewLayout, zone) -> None:
    """Regions shaded by the probability that the pattern reaches them (darker = more typical)."""
    layer = pygame.Surface((lay.width + 2, lay.height + 2), pygame.SRCALPHA)
    local = dataclasses.replace(lay, left=0.0, top=0.0)
    for r, p in zone_regions(atlas, zone, lay.view):
        render.draw_geometry(layer, local, r.geometry, fill=(*ZONE_RGB, int(30 + 150 * p)))
    surface.blit(layer, (int(lay.left), int(lay.top)))


def draw_lines_over(surface: pygame.Surface, atlas: Atlas, lay: render.ViewLayout, s: float, *, outlines: bool,
                    dermatomes: bool, zone=None) -> None:
    """What goes over the paint: dermatome lines and names, region outlines, the zone's edge, the silhouette."""
    if dermatomes:
        render.draw_dermatomes(surface, atlas, lay, labels=True, size=max(16, int(22 * s)), fills=False,
                               avoid_overlap=True)
    if outlines:
        for r in atlas.regions_in(lay.view):
            render.draw_geometry(surface, lay, r.geometry, line=REGION_LINE_OVER_PAINT)
    strong = [r.geometry for r, p in zone_regions(atlas, zone, lay.view) if p >= ZONE_OUTLINE_P]
    if strong:
        render.draw_geometry(surface, lay, shapely.union_all(strong).buffer(0), line=ZONE_LINE,
                             width=max(2, int(round(3 * s))), aa=False)
    sil = atlas.silhouette(lay.view)
    render.draw_geometry(surface, lay, sil, line=render.OUTLINE, width=max(2, int(round(2 * s))), aa=False)
    render.draw_geometry(surface, lay, sil, line=render.OUTLINE, width=1, aa=True)


def draw_body_under(surface: pygame.Surface, atlas: Atlas, lay: render.ViewLayout, *, dermatomes: bool,
                    zone=None) -> None:
    """The silhouette with what goes under the paint: dermatome fills and the zone shading."""
    render.draw_body(surface, atlas, lay, regions=False)
    if dermatomes:
        render.draw_dermatomes(surface, atlas, lay, alpha=90, labels=False, lines=False)
    if zone:
        draw_zone_fill(surface, atlas, lay, zone)
