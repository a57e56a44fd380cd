"""The one place that draws the body (issue 19 item 3): what goes under the paint, what goes over it, the
pattern's zone, the side markers and the difference overlay of a comparison.

The painting window (`ui/paint/picture.py`), the review window (`ui/review/`) and the kiosk
(`ui/kiosk/bodies.py`) draw the body through these functions, so one change reaches every window:

- `draw_under`: the silhouette, with the dermatome fills and the zone shading when asked for;
- `draw_over`: dermatome lines and names, region outlines, the zone's edge and the silhouette's line,
  drawn over the paint so that the paint never hides them;
- `draw_zone_fill`: a pattern's zone, regions shaded by how typically the pattern reaches them;
- `draw_side_markers`: "R" and "L" on the patient's right and left of each view (on the front view the
  patient's right is on the viewer's left);
- `diff_surface`, `diff_swatch`: new, resolved and persistent areas of a comparison, told apart by colour
  and by texture (for colour-blind readers and in greyscale).

The paint itself is `overlay.PaintOverlay` (a window's, updated stroke by stroke) or `picture.paint_rgba`.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pygame
import shapely

from ..atlas import Atlas, viewer_sign
from ..painting import PainMap
from .layout import ViewLayout
from .palette import (MUTED, OUTLINE, PATTERN_PERIOD, REGION_LINE_OVER_PAINT, ZONE_LINE, ZONE_MIN_P, ZONE_OUTLINE_P,
                      ZONE_RGB)
from .text import font
from . import view  # its functions are read at the call (tests record them there)

__all__ = ["draw_under", "draw_over", "draw_zone_fill", "zone_regions", "draw_side_markers", "DIFF_KINDS",
           "DIFF_STYLE", "diff_surface", "diff_swatch", "diff_colours", "diff_rgba", "paint_period", "rgba_surface"]


# ---------------------------------------------------------------------------
# under and over the paint


def rgba_surface(rgba: np.ndarray) -> pygame.Surface:
    """A (rows, cols, 4) uint8 picture as a pygame surface (with its own pixels)."""
    rows, cols, _ = rgba.shape
    surf = pygame.image.frombuffer(np.ascontiguousarray(rgba).tobytes(), (cols, rows), "RGBA")
    return surf.copy()


def zone_regions(atlas: Atlas, zone: dict[str, float] | None, view: str):
    """(region, probability) of a pattern's zone in `view`, leaving out probabilities under ZONE_MIN_P
    and region ids this atlas does not have."""
    for rid, p in (zone or {}).items():
        try:
            r = atlas.region(rid)
        except Exception:  # noqa: BLE001 - an unknown region id in a zone is skipped
            continue
        if r.view == view and p >= ZONE_MIN_P:
            yield r, min(max(float(p), 0.0), 1.0)


def draw_zone_fill(surface: pygame.Surface, atlas: Atlas, lay: ViewLayout, zone) -> None:
    """Regions shaded by the probability that the pattern reaches them (darker = more typical)."""
    layer = pygame.Surface((lay.width + 2, lay.height + 2), pygame.SRCALPHA)
    local = dataclasses.replace(lay, left=0.0, top=0.0)
    for r, p in zone_regions(atlas, zone, lay.view):
        view.draw_geometry(layer, local, r.geometry, fill=(*ZONE_RGB, int(30 + 150 * p)))
    surface.blit(layer, (int(lay.left), int(lay.top)))


def draw_under(surface: pygame.Surface, atlas: Atlas, lay: ViewLayout, *, dermatomes: bool = False, zone=None,
               outline_width: int = 2) -> None:
    """The silhouette with what goes under the paint: the dermatome fills and the zone's shading."""
    view.draw_body(surface, atlas, lay, regions=False, outline_width=outline_width)
    if dermatomes:  # the coloured zones under the paint; their lines and names go on top (draw_over)
        view.draw_dermatomes(surface, atlas, lay, alpha=90, labels=False, lines=False)
    if zone:
        draw_zone_fill(surface, atlas, lay, zone)


def draw_over(surface: pygame.Surface, atlas: Atlas, lay: ViewLayout, *, outlines: bool, dermatomes: bool,
              zone=None, label_size: int = 22, zone_width: int = 3, line_width: int = 2) -> None:
    """What goes over the paint: dermatome lines and names, region outlines, the zone's edge (regions the
    pattern reaches at ZONE_OUTLINE_P and more) and the silhouette's line (`line_width` px, with a smooth
    1 px line on top)."""
    if dermatomes:
        view.draw_dermatomes(surface, atlas, lay, labels=True, size=label_size, fills=False, avoid_overlap=True)
    if outlines:
        for r in atlas.regions_in(lay.view):
            view.draw_geometry(surface, lay, r.geometry, line=REGION_LINE_OVER_PAINT)
    strong = [r.geometry for r, p in zone_regions(atlas, zone, lay.view) if p >= ZONE_OUTLINE_P]
    if strong:
        view.draw_geometry(surface, lay, shapely.union_all(strong).buffer(0), line=ZONE_LINE, width=zone_width, aa=False)
    sil = atlas.silhouette(lay.view)
    view.draw_geometry(surface, lay, sil, line=OUTLINE, width=line_width, aa=False)
    view.draw_geometry(surface, lay, sil, line=OUTLINE, width=1, aa=True)


def draw_side_markers(surface: pygame.Surface, layouts: dict[str, ViewLayout], size: int = 22) -> None:
    """'R' and 'L' beside each view, on the patient's right and left, level with the head: the body is
    narrow there, so the letters never cover an arm, and the margins beside the trunk stay free for
    the dermatome labels that move out on leader lines. The front view shows the patient's right on the
    viewer's left, the back view on the viewer's right (`atlas.viewer_sign`)."""
    for name, lay in layouts.items():
        _, y = (float(c) for c in lay.to_screen(0.0, 0.5))
        sz = max(14, min(size, int(lay.width * 0.16)))
        for side, letter in (("right", "R"), ("left", "L")):
            x = lay.left + lay.width / 2 + viewer_sign(name, side) * (lay.width / 2 - sz * 0.6)
            t = font(sz).render(letter, True, MUTED)
            surface.blit(t, t.get_rect(center=(x, y)))


# ---------------------------------------------------------------------------
# the difference overlay of a comparison

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


def sample_index(raster, lay: ViewLayout) -> tuple[np.ndarray, np.ndarray]:
    """For each screen row / column of a view, the mask row / column under the pixel centre."""
    rows, cols = raster.shape
    w, h = max(lay.width, 1), max(lay.height, 1)
    xs = lay.x0 + (np.arange(w) + 0.5) / lay.scale
    ys = lay.y0 + (np.arange(h) + 0.5) / lay.scale
    ci = np.clip(np.floor((xs - raster.origin[0]) * raster.scale).astype(np.int64), 0, cols - 1)
    ri = np.clip(np.floor((ys - raster.origin[1]) * raster.scale).astype(np.int64), 0, rows - 1)
    return ri, ci


def diff_surface(comparison, view: str, lay: ViewLayout, raster, period: int) -> pygame.Surface:
    """The difference of one view at screen resolution (textures laid out in screen pixels)."""
    ri, ci = sample_index(raster, lay)
    masks = {k: getattr(comparison, k)[view][ri][:, ci] for k in DIFF_KINDS}
    return rgba_surface(diff_rgba(masks, period))


def diff_swatch(kind: str, w: int, h: int, period: int = 8) -> pygame.Surface:
    rgba = diff_rgba({k: np.full((h, w), k == kind) for k in DIFF_KINDS}, period)
    return rgba_surface(rgba)


def paint_period(lay: ViewLayout, pain_map: PainMap) -> int:
    """The sensation texture period on screen (as the painting window computes it)."""
    return max(4, int(round(PATTERN_PERIOD * lay.scale / pain_map.raster.scale)))



#: below this height a picture's titles, side letters and legend (fixed sizes) overlap and fall off it: a smaller
#: picture is drawn at this height and scaled down whole (`bodymap render --height 200` cut "patient's right ...")
MIN_LAYOUT_HEIGHT = 500


def at_least_height(height: int, draw) -> pygame.Surface:
    """`draw(h)` at `height`, or at MIN_LAYOUT_HEIGHT scaled down to `height`: the same picture, smaller."""
    if height >= MIN_LAYOUT_HEIGHT:
        return draw(height)
    big = draw(MIN_LAYOUT_HEIGHT)
    w = max(1, round(big.get_width() * height / MIN_LAYOUT_HEIGHT))
    return pygame.transform.smoothscale(big, (w, height))
