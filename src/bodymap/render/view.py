"""Drawing the atlas with pygame, headless or in a window: layout, body, region labels, dermatomes.

Where each dermatome label goes is worked out in `labels`; the one typeface is in `text`.

One function maps atlas units to screen pixels for a view placed in a rectangle
(`ViewLayout`); everything that draws or reads input goes through it.
"""
from __future__ import annotations

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np
import pygame
import shapely
from shapely.geometry.base import BaseGeometry

from ..atlas import VIEWS, Atlas

from .palette import (BACKGROUND, DERMATOME_COLOURS, MUTED, OUTLINE, REGION_LINE, SKIN,  # noqa: F401 (re-exported)
                      TEXT)
from .text import font
from .labels import PlacedLabel, draw_label, draw_leader, place_dermatome_labels  # noqa: F401 (re-exported)
from .layout import ViewLayout



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


def zoom_layout(atlas: Atlas, view: str, area: pygame.Rect, centre: tuple[float, float], zoom: float) -> ViewLayout:
    """One view magnified `zoom` times (1 = the whole view fits `area`), centred on atlas point `centre`.

    The layout fills `area`; its atlas window is kept inside the view's bounds, so the
    picture never drifts off the body. Input and drawing use the same `to_atlas` /
    `to_screen` as at zoom 1, so painting stays exact at every zoom.
    """
    x0, y0, x1, y1 = atlas.bounds
    fw, fh = x1 - x0, y1 - y0
    fit = max(min(area.width / fw, area.height / fh), 1e-3)
    scale = fit * max(float(zoom), 1.0)
    ww, wh = area.width / scale, area.height / scale  # the atlas window shown, in head heights

    def clamp(c: float, lo: float, hi: float, size: float) -> float:
        if size >= hi - lo:
            return (lo + hi) / 2  # the window is wider than the view: centre it
        return min(max(c, lo + size / 2), hi - size / 2)

    cx = clamp(float(centre[0]), x0, x1, ww)
    cy = clamp(float(centre[1]), y0, y1, wh)
    return ViewLayout(view, float(area.left), float(area.top), scale, cx - ww / 2, cy - wh / 2,
                      int(area.width), int(area.height))


def frame_regions(atlas: Atlas, view: str, area: pygame.Rect, region_ids, margin: float = 0.15,
                  max_zoom: float = 8.0) -> ViewLayout:
    """The zoomed layout that shows `region_ids` of `view` as large as `area` allows (plus a margin)."""
    geoms = [r.geometry for r in atlas.regions if r.view == view and r.id in set(region_ids)]
    if not geoms:
        raise ValueError(f"no regions to frame in the {view} view")
    bx0, by0, bx1, by1 = shapely.union_all(geoms).bounds
    pad = margin * max(bx1 - bx0, by1 - by0)
    bx0, by0, bx1, by1 = bx0 - pad, by0 - pad, bx1 + pad, by1 + pad
    x0, y0, x1, y1 = atlas.bounds
    fit = max(min(area.width / (x1 - x0), area.height / (y1 - y0)), 1e-3)
    want = min(area.width / (bx1 - bx0), area.height / (by1 - by0))
    zoom = min(max(want / fit, 1.0), max_zoom)
    return zoom_layout(atlas, view, area, ((bx0 + bx1) / 2, (by0 + by1) / 2), zoom)


def _rings(geom: BaseGeometry):
    polys = geom.geoms if hasattr(geom, "geoms") else [geom]
    for p in polys:
        if p.is_empty or not hasattr(p, "exterior"):
            continue
        yield p.exterior, [i for i in p.interiors]


def draw_geometry(surface, lay: ViewLayout, geom: BaseGeometry, fill=None, line=None, width: int = 1, aa: bool = True):
    """Fill and/or outline every polygon of `geom`.

    Lines of `width` 2 px or more go through the one smooth renderer (`draw_smooth_line`)
    whatever `aa` says; `aa` picks antialiased or plain 1 px lines.
    """
    if line is not None and width >= 2:
        if fill is not None:
            draw_geometry(surface, lay, geom, fill=fill)
        draw_smooth_line(surface, lay, geom, line, width)
        return
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


SEGMENT_PX = 4.0  # smooth lines are computed on pieces of at most this length (px)


def smooth_line_coverage(lay: ViewLayout, geom: BaseGeometry, width: float,
                         clip: tuple[int, int] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How much of each screen pixel a `width` px line along `geom`'s rings covers, 0..1.

    Returns (xs, ys, coverage) for the pixels the line touches. A pixel's coverage is
    `width / 2 + 0.5` minus the distance from its centre to the nearest ring, clipped to 0..1:
    the usual area estimate for antialiased lines, with round joins, so that edges look the
    same on screen, in review and in the pictures. `clip` = (width, height) of the surface.
    Cached per geometry, layout and width: windows draw the same outline on every redraw.
    """
    key = (id(geom), lay, float(width), clip)
    hit = _COVERAGE.get(key)
    if hit is not None and hit[0] is geom:
        return hit[1]
    out = _line_coverage(lay, geom, width, clip)
    for arr in out:
        arr.flags.writeable = False
    if len(_COVERAGE) > 32:
        _COVERAGE.clear()
    _COVERAGE[key] = (geom, out)
    return out


_COVERAGE: dict[tuple, tuple[BaseGeometry, tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}


def _line_coverage(lay: ViewLayout, geom: BaseGeometry, width: float,
                   clip: tuple[int, int] | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    none = np.zeros(0, dtype=np.int64)
    a_list, b_list = [], []
    for ext, holes in _rings(geom):
        for ring in (ext, *holes):
            c = np.asarray(ring.coords)
            if len(c) < 2:
                continue
            x, y = lay.to_screen(c[:, 0], c[:, 1])
            q = np.column_stack([x, y])
            a_list.append(q[:-1])
            b_list.append(q[1:])
    if not a_list:
        return none, none, np.zeros(0)
    a, b = np.concatenate(a_list), np.concatenate(b_list)
    # split long segments so that every piece fits one small window of pixels
    n = np.maximum(np.ceil(np.hypot(*(b - a).T) / SEGMENT_PX), 1).astype(np.int64)
    seg = np.repeat(np.arange(len(a)), n)
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    t0, t1 = (k / n[seg])[:, None], ((k + 1) / n[seg])[:, None]
    a, b = a[seg] + (b[seg] - a[seg]) * t0, a[seg] + (b[seg] - a[seg]) * t1
    reach = width / 2.0 + 0.5  # px from the ring where coverage reaches 0
    w = int(np.ceil(SEGMENT_PX + 2 * reach)) + 2
    base = np.floor(np.minimum(a, b) - reach).astype(np.int64)  # (m, 2)
    oy, ox = np.mgrid[0:w, 0:w]
    offs = np.column_stack([ox.ravel(), oy.ravel()])  # (w*w, 2)
    pix = base[:, None, :] + offs[None, :, :]  # (m, w*w, 2)
    p = pix + 0.5
    ab = (b - a)[:, None, :]
    ll = np.maximum((ab ** 2).sum(axis=2), 1e-12)
    t = np.clip(((p - a[:, None, :]) * ab).sum(axis=2) / ll, 0.0, 1.0)
    d = np.hypot(*(p - (a[:, None, :] + t[..., None] * ab)).transpose(2, 0, 1))
    cov = np.clip(reach - d, 0.0, 1.0).ravel()
    px, py = pix[..., 0].ravel(), pix[..., 1].ravel()
    keep = cov > 0
    if clip is not None:
        keep &= (px >= 0) & (py >= 0) & (px < clip[0]) & (py < clip[1])
    px, py, cov = px[keep], py[keep], cov[keep]
    if len(px) == 0:
        return none, none, np.zeros(0)
    x0, y0 = px.min(), py.min()
    cols = int(px.max() - x0 + 1)
    flat = (py - y0) * cols + (px - x0)
    uniq, inv = np.unique(flat, return_inverse=True)
    best = np.zeros(len(uniq))
    np.maximum.at(best, inv, cov)
    return uniq % cols + x0, uniq // cols + y0, best


def draw_smooth_line(surface, lay: ViewLayout, geom: BaseGeometry, colour, width: float = 2.0) -> None:
    """An antialiased line `width` px wide along every ring of `geom` (the body outline and every thick line).

    Blends by coverage into opaque surfaces and into transparent overlays alike.
    """
    xs, ys, cov = smooth_line_coverage(lay, geom, float(width), clip=surface.get_size())
    if len(xs) == 0:
        return
    a = (cov * ((colour[3] / 255.0) if len(colour) > 3 else 1.0))[:, None]
    col = np.array(colour[:3], dtype=float)
    rgb = pygame.surfarray.pixels3d(surface)
    old = rgb[xs, ys].astype(float)
    if surface.get_flags() & pygame.SRCALPHA:
        alpha = pygame.surfarray.pixels_alpha(surface)
        da = alpha[xs, ys][:, None] / 255.0
        out_a = a + da * (1 - a)
        rgb[xs, ys] = np.clip((col * a + old * da * (1 - a)) / np.maximum(out_a, 1e-9) + 0.5, 0, 255).astype(np.uint8)
        alpha[xs, ys] = np.clip(out_a[:, 0] * 255 + 0.5, 0, 255).astype(np.uint8)
        del alpha
    else:
        rgb[xs, ys] = np.clip(col * a + old * (1 - a) + 0.5, 0, 255).astype(np.uint8)
    del rgb


def picture_outline_width(lay: ViewLayout) -> float:
    """The body outline in pictures: as heavy, for the body's size, as the painting window's 2 px."""
    return max(2.0, lay.scale / 40.0)


def draw_body(surface, atlas: Atlas, lay: ViewLayout, regions: bool = True, outline_width: int = 2):
    """The silhouette, optionally with region boundaries, with its smooth outline."""
    sil = atlas.silhouette(lay.view)
    draw_geometry(surface, lay, sil, fill=SKIN)
    if regions:
        for r in atlas.regions_in(lay.view):
            draw_geometry(surface, lay, r.geometry, line=REGION_LINE)
    draw_geometry(surface, lay, sil, line=OUTLINE, width=max(1, outline_width))


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


_ABBREV = {
    "lower": "low", "upper": "up", "posterior": "post", "anterior": "ant", "lateral": "lat", "medial": "med",
    "posterolateral": "postlat", "front": "fr", "back": "bk", "of": "", "dorsum": "dors", "shoulder": "shldr",
    "buttock": "butt", "abdomen": "abdo", "forearm": "forearm", "sacroiliac": "SI", "perineum": "perin",
    "lesser": "lsr", "ankle": "ankle", "neck": "neck", "head": "head", "hand": "hand",
    # atlas 3: the digits by their number (D1 thumb ... D5 little finger), the finer upper body
    "thumb": "D1", "index": "D2", "middle": "D3", "ring": "D4", "little": "D5", "finger": "", "palmar": "",
    "dorsal": "", "radial": "rad", "ulnar": "uln", "hypothenar": "hypoth", "first": "1st", "space": "",
    "trapezius": "trap", "ridge": "", "interscapular": "intscap", "scapular": "scap",
}


def short_label(stem: str) -> str:
    """A compact label for crowded atlas pictures: 'lower_back' -> 'low back'."""
    words = [_ABBREV.get(w, w) for w in stem.split("_")]
    return " ".join(w for w in words if w)


def draw_region_labels(surface, atlas: Atlas, lay: ViewLayout, size: int = 13):
    """One label per region; a label that would cover one already drawn on the same side of the
    body moves up or down by a line, if the region is still under it there."""
    import shapely

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
                    *, fills: bool = True, lines: bool = True, avoid_overlap: bool = True,
                    avoid: tuple[pygame.Rect, ...] = ()) -> list[PlacedLabel]:
    """Core zones filled, wide zones outlined (dashed look via thin line), key points dotted, roots named.

    `fills` / `lines` draw only the filled cores / only the outlines, key points and
    labels (the window puts the fills under the paint and the rest over it). Every
    dermatome part gets its label (`place_dermatome_labels`): none is ever left out,
    so `avoid_overlap` is kept only for callers that pass it. Returns the labels drawn.
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
    if lines:
        for d in atlas.dermatomes:
            col = colour_of[d.root]
            wide = d.wide[lay.view]
            if not wide.is_empty:
                draw_geometry(surface, lay, wide, line=tuple(int(c * 0.7) for c in col), width=1)
            for kp in d.key_points:
                if kp.view == lay.view:
                    px, py = lay.to_screen(kp.x, kp.y)
                    pygame.draw.circle(surface, (0, 0, 0), (float(px), float(py)), max(3, lay.scale * 0.035))
                    pygame.draw.circle(surface, (255, 255, 255), (float(px), float(py)), max(1.5, lay.scale * 0.018))
    if not labels:
        return []
    placed = place_dermatome_labels(atlas, lay, size, avoid=avoid)
    for lab in placed:  # every leader line first, so that none crosses a name drawn before it
        draw_leader(surface, lab, colour_of[lab.root])
    for lab in placed:
        draw_label(surface, lab, colour_of[lab.root])
    return placed
