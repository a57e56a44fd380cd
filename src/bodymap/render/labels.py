"""Where each dermatome label goes: on its part, or beside the body on a leader line; never dropped.

`place_dermatome_labels` works out the boxes; `view.draw_dermatomes` draws them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pygame
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

from ..atlas import Atlas
from .palette import BACKGROUND, TEXT
from .layout import ViewLayout
from .text import font


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
SMALL_BOLD_SIZE = 18  # px: names at this size or smaller are drawn twice, a pixel apart, to read as bold (thin curved glyphs such as C3 or C6 otherwise wash out over the zone colours)
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
    key = (lay, size, min_size, tuple(tuple(r) for r in avoid))
    cache = atlas.derived.setdefault("render.labels.placed", {})  # kept with the atlas it was placed on
    placed = cache.get(key)
    if placed is None:
        placed = _place_labels(atlas, lay, size, min_size, avoid)
        if len(cache) > 32:
            cache.clear()
        cache[key] = placed
    return [dataclasses.replace(lab, rect=pygame.Rect(lab.rect)) for lab in placed]




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
    # in place means inside the body's outline line too, which is drawn over the labels: on the
    # thin fingers of atlas 3 a name under the outline was unreadable
    sil_in = sil.buffer(-2.5 / lay.scale)
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
                and _share_inside(sil_in, lay, r) >= LABEL_ON_BODY)

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


def draw_leader(surface, lab: PlacedLabel, colour) -> None:
    """A chip label's leader line alone (drawn for every label before any name, so no line crosses a name)."""
    if lab.leader is not None:
        edge = tuple(int(c * 0.6) for c in colour)
        (ax, ay), end = lab.leader
        pygame.draw.aaline(surface, edge, (ax, ay), end)
        pygame.draw.circle(surface, edge, (ax, ay), 2.5)


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
        draw_leader(surface, lab, colour)
        pygame.draw.rect(surface, BACKGROUND, lab.rect, border_radius=3)
        pygame.draw.rect(surface, edge, lab.rect, 1, border_radius=3)
    surface.blit(t, at)
    if lab.size <= SMALL_BOLD_SIZE:  # small names (the crowded neck and hand roots) drawn a pixel bolder
        surface.blit(t, at.move(1, 0))
