"""Drawing the atlas with pygame, headless or in a window: layout, body, labels, dermatomes.

One function maps atlas units to screen pixels for a view placed in a rectangle
(`ViewLayout`); everything that draws or reads input goes through it.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np
import pygame
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from ..atlas import VIEWS, Atlas
from ..paths import assets_dir

from .palette import (BACKGROUND, DERMATOME_COLOURS, MUTED, OUTLINE, REGION_LINE, SKIN,  # noqa: F401 (re-exported)
                      TEXT)

_FONT_CACHE: dict[int, pygame.font.Font] = {}
# One typeface everywhere: DejaVu Sans, shipped in assets/fonts (its licence is beside it).
# pygame's built-in font spaces some letter pairs badly ("Shar p"). Sizes keep the
# meaning they had with the built-in font: `size` is scaled so text takes about as much room.
FONT_FILE = "DejaVuSans.ttf"
FONT_SCALE = 0.66


def font(size: int) -> pygame.font.Font:
    if not pygame.font.get_init():
        pygame.font.init()
    f = _FONT_CACHE.get(size)
    if f is None:
        path = assets_dir() / "fonts" / FONT_FILE
        try:
            f = pygame.font.Font(str(path), max(1, round(size * FONT_SCALE)))
        except (OSError, FileNotFoundError, pygame.error):
            f = pygame.font.Font(None, size)  # a broken install still shows text
        _FONT_CACHE[size] = f
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
    import shapely

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


def draw_side_markers(surface, layouts: dict[str, ViewLayout], size: int = 22):
    """'R' and 'L' beside each view, on the patient's right and left, level with the head: the body is
    narrow there, so the letters never cover an arm, and the margins beside the trunk stay free for
    the dermatome labels that move out on leader lines."""
    from ..atlas import viewer_sign

    for view, lay in layouts.items():
        _, y = (float(v) for v in lay.to_screen(0.0, 0.5))
        sz = max(14, min(size, int(lay.width * 0.16)))
        for side, letter in (("right", "R"), ("left", "L")):
            sgn = viewer_sign(view, side)
            x = lay.left + lay.width / 2 + sgn * (lay.width / 2 - sz * 0.6)
            t = font(sz).render(letter, True, MUTED)
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


@dataclass(frozen=True)
class PlacedLabel:
    """Where one dermatome label was drawn: `rect` in the surface's pixels, and the leader line if it has one.

    `side` is the patient's side of the dermatome part the label names.
    """

    text: str
    root: str
    side: str
    view: str
    rect: pygame.Rect
    size: int
    leader: tuple[tuple[float, float], tuple[float, float]] | None = None


LABEL_GAP = 2  # px kept clear around every label
LABEL_MIN_SIZE = 11  # px: the smallest font a label shrinks to before it moves out on a leader line
LABEL_HALO = BACKGROUND  # the light outline around a label's letters
LABEL_MIN_INSIDE = 0.4  # a label drawn in place covers its own part with at least this share of its box
LABEL_ON_BODY = 0.9  # ... and lies on the body with at least this share


def _largest(geom: BaseGeometry) -> BaseGeometry:
    polys = [p for p in getattr(geom, "geoms", [geom]) if p.geom_type == "Polygon" and not p.is_empty]
    return max(polys, key=lambda p: p.area) if polys else geom


def _anchor(own: BaseGeometry) -> tuple[float, float]:
    """The part's pole of inaccessibility: the point inside it farthest from its edge (atlas units)."""
    poly = _largest(own)
    if poly.geom_type != "Polygon":
        p = own.representative_point()
        return float(p.x), float(p.y)
    p = polylabel(poly, tolerance=0.005)
    if not poly.contains(p):
        p = poly.representative_point()
    return float(p.x), float(p.y)


def _label_parts(atlas: Atlas, view: str):
    """(dermatome, core, own) for every dermatome part on `view`; `own` is the core minus the other cores,
    where a label names one root only (the whole core when that leaves too little)."""
    parts = [(d, d.core[view]) for d in atlas.dermatomes if not d.core[view].is_empty]
    out = []
    for i, (d, core) in enumerate(parts):
        others = [c for j, (_, c) in enumerate(parts) if j != i]
        own = core.difference(shapely.union_all(others)).buffer(0) if others else core
        if own.is_empty or own.area < 0.25 * core.area:
            own = core
        out.append((d, core, own))
    return out


def place_dermatome_labels(atlas: Atlas, lay: ViewLayout, size: int = 15, *, min_size: int | None = None,
                           avoid: tuple[pygame.Rect, ...] = ()) -> list[PlacedLabel]:
    """Where each dermatome part's label goes: one label per root and side, none dropped.

    Each label first tries its part's pole of inaccessibility, then nearby points inside the part,
    at `size` and then smaller fonts down to `min_size`; a label that still overlaps another (or a
    rectangle in `avoid`, or a key point's dot) moves beside the body, on its own side, with a leader
    line back to its part.
    Every rect lies inside the view's rectangle. Parts with the least room are placed first.
    """
    min_size = min(size, max(LABEL_MIN_SIZE, int(round(size * 0.7)))) if min_size is None else min(min_size, size)
    key = (id(atlas), lay, size, min_size, tuple(tuple(r) for r in avoid))
    hit = _PLACED.get(key)
    if hit is not None and hit[0] is atlas:
        return [dataclasses.replace(lab, rect=pygame.Rect(lab.rect)) for lab in hit[1]]
    placed = _place_labels(atlas, lay, size, min_size, avoid)
    if len(_PLACED) > 32:
        _PLACED.clear()
    _PLACED[key] = (atlas, placed)
    return [dataclasses.replace(lab, rect=pygame.Rect(lab.rect)) for lab in placed]


_PLACED: dict[tuple, tuple[Atlas, list[PlacedLabel]]] = {}


def _place_labels(atlas: Atlas, lay: ViewLayout, size: int, min_size: int,
                  avoid: tuple[pygame.Rect, ...]) -> list[PlacedLabel]:
    from ..atlas import viewer_sign

    view_rect = lay.rect
    taken: list[pygame.Rect] = [pygame.Rect(r) for r in avoid]
    dot = int(np.ceil(max(3, lay.scale * 0.035)))  # the key points' dots stay uncovered too
    for d in atlas.dermatomes:
        for kp in d.key_points:
            if kp.view == lay.view:
                kx, ky = (float(v) for v in lay.to_screen(kp.x, kp.y))
                taken.append(pygame.Rect(round(kx) - dot, round(ky) - dot, 2 * dot, 2 * dot))
    sil = atlas.silhouette(lay.view)
    parts = _label_parts(atlas, lay.view)
    room = {}  # a root's two sides are placed one after the other, so the second can mirror the first
    for d, _, own in parts:
        room[d.root] = min(room.get(d.root, np.inf), own.area)
    parts.sort(key=lambda t: (room[t[0].root], t[0].root, t[0].side))
    first_of: dict[str, PlacedLabel] = {}
    sides_of: dict[str, list] = {}
    for t in parts:
        sides_of.setdefault(t[0].root, []).append(t)
    sizes = list(range(size, min_size - 1, -2)) or [size]
    if sizes[-1] != min_size:
        sizes.append(min_size)
    out: list[PlacedLabel] = []

    def free(r: pygame.Rect) -> bool:
        return view_rect.contains(r) and r.inflate(2 * LABEL_GAP, 2 * LABEL_GAP).collidelist(taken) < 0

    mid_x = float(lay.to_screen(0.0, 0.0)[0])

    def fits(r: pygame.Rect, d, core) -> bool:
        """In place: on the body, mostly on its own part, and wholly on the patient's side it names."""
        if d.side in ("left", "right"):
            if viewer_sign(lay.view, d.side) > 0 and r.left <= mid_x + 1:
                return False
            if viewer_sign(lay.view, d.side) < 0 and r.right >= mid_x - 1:
                return False
        return (free(r) and _share_inside(core, lay, r) >= LABEL_MIN_INSIDE
                and _share_inside(sil, lay, r) >= LABEL_ON_BODY)

    def mirror(r: pygame.Rect) -> tuple[pygame.Rect, float, float]:
        """The same box on the other side of the midline, and its centre in atlas units."""
        mx, my = lay.to_atlas(*r.center)
        cx, cy = (float(v) for v in lay.to_screen(-mx, my))
        m = pygame.Rect(r)
        m.center = (round(cx), round(cy))
        return m, -mx, my

    def twin_fits(r: pygame.Rect, twin) -> bool:
        td, tcore, town = twin
        m, mx, my = mirror(r)
        taken.append(r)
        try:
            return bool(shapely.contains_xy(town, mx, my)) and fits(m, td, tcore)
        finally:
            taken.pop()

    for d, core, own in parts:
        text = d.root.replace("_", "-")
        ax, ay = _anchor(own)
        sx, sy = (float(v) for v in lay.to_screen(ax, ay))
        placed = None
        # 0. the mirror image of the other side's label, so that both sides read alike
        twin = first_of.get(d.root)
        if twin is not None and twin.leader is None:
            r, mx, my = mirror(twin.rect)
            if shapely.contains_xy(own, mx, my) and fits(r, d, core):
                placed = PlacedLabel(text, d.root, d.side, lay.view, r, twin.size)
        # 1. inside the part: the anchor, then other points of the part nearest to it; the first side
        #    of a root first looks for a spot whose mirror image suits the other side too
        other = [t for t in sides_of[d.root] if t[0] is not d] if twin is None else []
        for pair in ((True, False) if other else (False,)):
            for sz in sizes if placed is None else ():
                w, h = font(sz).size(text)
                cands = _inside_points(own, lay, (sx, sy), step=max(3.0, h / 2))
                for cx, cy in cands:
                    r = pygame.Rect(0, 0, w, h)
                    r.center = (round(cx), round(cy))
                    if fits(r, d, core) and (not pair or twin_fits(r, other[0])):
                        placed = PlacedLabel(text, d.root, d.side, lay.view, r, sz)
                        break
                if placed:
                    break
        # 2. beside the body on the part's own side, on a leader line (the mirror of the other side's first)
        if placed is None and twin is not None and twin.leader is not None:
            r, _, _ = mirror(twin.rect)
            bx0, by0 = lay.to_atlas(r.left, r.top)
            bx1, by1 = lay.to_atlas(r.right, r.bottom)
            if free(r) and not shapely.intersects(sil.buffer(2.0 / lay.scale), shapely.box(bx0, by0, bx1, by1)):
                end = (min(max(sx, r.left), r.right), min(max(sy, r.top), r.bottom))
                placed = PlacedLabel(text, d.root, d.side, lay.view, r, twin.size, leader=((sx, sy), end))
        for sz in sizes if placed is None else ():
            placed = _leader_place(text, d, lay, sil, (sx, sy), sz, free)
            if placed is not None:
                break
        # 3. never dropped: at the anchor, kept inside the view, even if it overlaps
        if placed is None:
            w, h = font(min_size).size(text)
            r = pygame.Rect(0, 0, w, h)
            r.center = (round(sx), round(sy))
            r.clamp_ip(view_rect)
            placed = PlacedLabel(text, d.root, d.side, lay.view, r, min_size)
        taken.append(placed.rect)
        first_of.setdefault(d.root, placed)
        out.append(placed)
    return out


def _share_inside(core: BaseGeometry, lay: ViewLayout, r: pygame.Rect) -> float:
    """About how much of a label's rectangle lies on its dermatome part (5 x 3 sample points)."""
    xs = r.left + (np.arange(5) + 0.5) * r.width / 5
    ys = r.top + (np.arange(3) + 0.5) * r.height / 3
    gx, gy = np.meshgrid(xs, ys)
    ax_, ay_ = lay.to_atlas(gx.ravel(), gy.ravel())
    return float(shapely.contains_xy(core, ax_, ay_).mean())


def _inside_points(own: BaseGeometry, lay: ViewLayout, anchor: tuple[float, float], step: float,
                   limit: int = 60) -> list[tuple[float, float]]:
    """The anchor, then grid points (screen px) inside `own`, nearest to the anchor first."""
    x0, y0, x1, y1 = own.bounds
    (px0, px1), (py0, py1) = (sorted(float(v) for v in lay.to_screen(np.array([x0, x1]), np.array([y0, y1]))[i])
                              for i in (0, 1))
    xs = np.arange(px0, px1 + step, step)
    ys = np.arange(py0, py1 + step, step)
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    ax_, ay_ = lay.to_atlas(gx, gy)
    inside = shapely.contains_xy(own, ax_, ay_)
    gx, gy = gx[inside], gy[inside]
    order = np.argsort((gx - anchor[0]) ** 2 + (gy - anchor[1]) ** 2, kind="stable")[:limit]
    return [anchor] + list(zip(gx[order].tolist(), gy[order].tolist()))


def _leader_place(text: str, d, lay: ViewLayout, sil: BaseGeometry, anchor: tuple[float, float], sz: int,
                  free) -> PlacedLabel | None:
    """A spot clear of the body (else anywhere free) on the part's side of the view, nearest the anchor."""
    from ..atlas import viewer_sign

    w, h = font(sz).size(text)
    w, h = w + 6, h + 2  # the label's chip
    sign = viewer_sign(lay.view, d.side) if d.side in ("left", "right") else (1 if anchor[0] >= lay.left
                                                                              + lay.width / 2 else -1)
    body = sil.buffer(2.0 / lay.scale)
    best = None
    for clear_of_body in (True, False):
        ys = [anchor[1] + k * (h + LABEL_GAP) * sgn for k in range(0, 12) for sgn in ((1,) if k == 0 else (1, -1))]
        for cy in ys:
            edge = lay.left + lay.width if sign > 0 else lay.left
            for cx in np.arange(anchor[0], edge + sign, sign * 3.0):
                r = pygame.Rect(0, 0, w, h)
                r.center = (round(float(cx)), round(cy))
                if not free(r):
                    continue
                if clear_of_body:
                    bx0, by0 = lay.to_atlas(r.left, r.top)
                    bx1, by1 = lay.to_atlas(r.right, r.bottom)
                    if shapely.intersects(body, shapely.box(bx0, by0, bx1, by1)):
                        continue
                dist = (r.centerx - anchor[0]) ** 2 + (r.centery - anchor[1]) ** 2
                if best is None or dist < best[0]:
                    best = (dist, r)
                break  # the nearest free spot on this row
        if best is not None:
            break
    if best is None:
        return None
    r = best[1]
    end = (min(max(anchor[0], r.left), r.right), min(max(anchor[1], r.top), r.bottom))
    return PlacedLabel(text, d.root, d.side, lay.view, r, sz, leader=(anchor, end))


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
    for lab in placed:
        draw_label(surface, lab, colour_of[lab.root])
    return placed


def draw_label(surface, lab: PlacedLabel, colour) -> None:
    """A label in place, or on a chip with a leader line back to its dermatome."""
    t = font(lab.size).render(lab.text, True, TEXT)
    at = t.get_rect(center=lab.rect.center)
    if lab.leader is None:  # a light halo keeps the name readable over paint and the zone's shading
        halo = font(lab.size).render(lab.text, True, LABEL_HALO)
        for dx, dy in ((-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)):
            surface.blit(halo, at.move(dx, dy))
    else:
        edge = tuple(int(c * 0.6) for c in colour)
        (ax, ay), end = lab.leader
        pygame.draw.aaline(surface, edge, (ax, ay), end)
        pygame.draw.circle(surface, edge, (ax, ay), 2.5)
        pygame.draw.rect(surface, BACKGROUND, lab.rect, border_radius=3)
        pygame.draw.rect(surface, edge, lab.rect, 1, border_radius=3)
    surface.blit(t, at)


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
        draw_body(surf, atlas, lay, regions=(layer == "regions"), outline_width=picture_outline_width(lay))
        if layer == "regions":
            draw_region_labels(surf, atlas, lay, size=max(11, int(lay.scale * 0.14)))
        elif layer == "dermatomes":
            draw_dermatomes(surf, atlas, lay, labels=False)
            # the outline again, over the tinted zones (as the windows and the map pictures draw it), then the names
            draw_smooth_line(surf, lay, atlas.silhouette(view), OUTLINE, picture_outline_width(lay))
            draw_dermatomes(surf, atlas, lay, size=max(12, int(lay.scale * 0.16)), fills=False, lines=False)
    draw_view_titles(surf, layouts, size=30)
    draw_side_markers(surf, layouts, size=26)
    return surf
