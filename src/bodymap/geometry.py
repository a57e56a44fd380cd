"""Geometry helpers for the atlas: splines, shape specs and the one rasteriser.

Coordinates here are *atlas units*: one unit is one head height (h). The atlas is
built in a symmetric frame (x = distance from the midline, positive towards the
patient's right; y = down from the top of the head). `atlas.py` maps that frame to
each view; nothing here knows about views or sides.

Boundary convention (used everywhere a geometry becomes pixels): a pixel belongs
to a polygon if and only if its *centre* lies inside it, with edges half-open
(see `rasterize`). Two polygons that share an edge therefore never share a pixel.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Sequence

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon, box as _box
from shapely.geometry.base import BaseGeometry

SAMPLES_PER_SEGMENT = 12


def catmull_rom_closed(points: Sequence[Sequence[float]], samples: int = SAMPLES_PER_SEGMENT) -> np.ndarray:
    """A closed centripetal Catmull-Rom spline through `points` (n, 2).

    Centripetal parametrisation (alpha = 0.5) never overshoots into loops or
    cusps, so outlines drawn through anatomical landmarks stay smooth and pass
    exactly through every landmark.
    """
    p = np.asarray(points, dtype=float)
    n = len(p)
    if n < 3:
        raise ValueError("a closed spline needs at least 3 points")
    out = []
    t_local = np.linspace(0.0, 1.0, samples, endpoint=False)
    for i in range(n):
        p0, p1, p2, p3 = p[(i - 1) % n], p[i], p[(i + 1) % n], p[(i + 2) % n]
        out.append(_centripetal_segment(p0, p1, p2, p3, t_local))
    return np.vstack(out)


def catmull_rom_open(points: Sequence[Sequence[float]], samples: int = SAMPLES_PER_SEGMENT) -> np.ndarray:
    """An open centripetal Catmull-Rom spline through every point (ends reflected)."""
    p = np.asarray(points, dtype=float)
    if len(p) < 2:
        return p.copy()
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    t_local = np.linspace(0.0, 1.0, samples, endpoint=False)
    out = [_centripetal_segment(ext[i - 1], ext[i], ext[i + 1], ext[i + 2], t_local) for i in range(1, len(ext) - 2)]
    out.append(p[-1:])
    return np.vstack(out)


def _centripetal_segment(p0, p1, p2, p3, t_local):
    def knot(ti, a, b):
        d = float(np.hypot(*(b - a)))
        return ti + max(d, 1e-9) ** 0.5

    t0 = 0.0
    t1 = knot(t0, p0, p1)
    t2 = knot(t1, p1, p2)
    t3 = knot(t2, p2, p3)
    t = (t1 + (t2 - t1) * t_local)[:, None]
    a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
    a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
    a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
    b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    return (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2


def valid(geom: BaseGeometry) -> BaseGeometry:
    """Repair self-touching rings etc. and keep only the areal part."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return polygonal(geom)


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Drop points and lines left over from boolean operations."""
    if geom.is_empty:
        return Polygon()
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    polys = [g for g in getattr(geom, "geoms", []) if isinstance(g, (Polygon, MultiPolygon)) and not g.is_empty]
    if not polys:
        return Polygon()
    return shapely.union_all(polys)


def mirror_x(geom: BaseGeometry) -> BaseGeometry:
    """Reflect across the midline (x -> -x)."""
    return shapely.transform(geom, lambda c: c * np.array([-1.0, 1.0]))


def half_outline_closed(half: Sequence[Sequence[float]]) -> np.ndarray:
    """Close a half outline that starts and ends on the midline by mirroring it."""
    h = np.asarray(half, dtype=float)
    mirrored = h[::-1].copy()
    mirrored[:, 0] *= -1
    # drop the duplicated midline end points
    if abs(h[-1, 0]) < 1e-9:
        mirrored = mirrored[1:]
    if abs(h[0, 0]) < 1e-9:
        mirrored = mirrored[:-1]
    return np.vstack([h, mirrored])


def limb_outline(axis: Sequence[Sequence[float]], half_width: Sequence[float], tip: Sequence[float]) -> np.ndarray:
    """Control points around a limb given its axis, half-widths and the end point."""
    a = np.asarray(axis, dtype=float)
    w = np.asarray(half_width, dtype=float)
    normals = axis_normals(a)
    side_a = a + normals * w[:, None]
    side_b = a - normals * w[:, None]
    top = a[0] - _unit(a[1] - a[0]) * w[0] * 0.6
    return np.vstack([side_a, [tip], side_b[::-1], [top]])


def _unit(v: np.ndarray) -> np.ndarray:
    n = float(np.hypot(*v))
    return v / n if n else v


def axis_normals(a: np.ndarray) -> np.ndarray:
    """Unit normals at each axis station (bisecting the neighbouring segments)."""
    seg = np.diff(a, axis=0)
    seg = seg / np.linalg.norm(seg, axis=1, keepdims=True)
    tangents = np.vstack([seg[:1], (seg[:-1] + seg[1:]) / 2.0, seg[-1:]])
    tangents = tangents / np.linalg.norm(tangents, axis=1, keepdims=True)
    return np.column_stack([tangents[:, 1], -tangents[:, 0]])


def axis_point(a: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    """Point and cross-direction at fractional station index t (extrapolates past the ends)."""
    n = len(a)
    normals = axis_normals(a)
    if t <= 0:
        d = _unit(a[1] - a[0])
        return a[0] + d * t * float(np.hypot(*(a[1] - a[0]))), normals[0]
    if t >= n - 1:
        d = _unit(a[-1] - a[-2])
        return a[-1] + d * (t - (n - 1)) * float(np.hypot(*(a[-1] - a[-2]))), normals[-1]
    i = int(math.floor(t))
    f = t - i
    p = a[i] * (1 - f) + a[i + 1] * f
    if f == 0:
        return p, normals[i]
    seg = _unit(a[i + 1] - a[i])
    return p, np.array([seg[1], -seg[0]])


class Hand:
    """A hand part: a palm outline and five digits, written in the hand's own frame.

    The hand frame has its origin at the centre of the wrist crease; `v` runs
    towards the tip of the middle finger and `u` across the hand towards the
    thumb (for the patient's right hand in the symmetric frame, `u` points away
    from the body: the anatomical position, palm forward). A digit is a tapered
    strip from `base` to `tip` (the fingertip) with a rounded end, `width` =
    [at the base, at the tip]. The silhouette is the union of the palm and the
    digits, so the fingers stand apart where their strips diverge.
    """

    def __init__(self, wrist, toward, palm, digits: dict[str, dict[str, Any]]):
        self.origin = np.asarray(wrist, dtype=float)
        d = np.asarray(toward, dtype=float) - self.origin
        n = float(np.hypot(*d))
        if not n:
            raise ValueError("hand: 'toward' must differ from 'wrist'")
        self.v = d / n
        self.u = np.array([self.v[1], -self.v[0]])
        self.palm_local = np.asarray(palm, dtype=float)
        if self.palm_local.ndim != 2 or self.palm_local.shape[1] != 2 or len(self.palm_local) < 3:
            raise ValueError("hand: 'palm' needs at least 3 [u, v] points")
        self.digits: dict[str, tuple[np.ndarray, np.ndarray, float, float]] = {}
        for name, dd in digits.items():
            base, tip = np.asarray(dd["base"], dtype=float), np.asarray(dd["tip"], dtype=float)
            w0, w1 = (float(w) for w in dd["width"])
            if base.shape != (2,) or tip.shape != (2,) or not (w0 > 0 and w1 > 0) or not np.hypot(*(tip - base)) > w1:
                raise ValueError(f"hand: digit '{name}' needs base, tip and two positive widths, longer than wide")
            self.digits[str(name)] = (base, tip, w0, w1)

    def to_atlas(self, pts) -> np.ndarray:
        p = np.asarray(pts, dtype=float).reshape(-1, 2)
        return self.origin + p[:, :1] * self.u + p[:, 1:2] * self.v

    def transform(self, geom: BaseGeometry) -> BaseGeometry:
        """A geometry written in hand coordinates, moved into the atlas frame."""
        a, b, d, e = self.u[0], self.v[0], self.u[1], self.v[1]
        return shapely.affinity.affine_transform(geom, [a, b, d, e, self.origin[0], self.origin[1]])

    def digit(self, name: str, start: float = 0.0) -> BaseGeometry:
        """The digit `name` in the atlas frame, from `start` (0 = base, 1 = tip) along it."""
        if name not in self.digits:
            raise ValueError(f"unknown digit '{name}'; the hand has {', '.join(self.digits)}")
        base, tip, w0, w1 = self.digits[name]
        along = tip - base
        length = float(np.hypot(*along))
        ax = along / length
        nx = np.array([ax[1], -ax[0]])
        cap = tip - ax * (w1 / 2)  # centre of the rounded end
        s = min(max(float(start), 0.0), 0.95) * length
        w_s = w0 + (w1 - w0) * min(s / max(length - w1 / 2, 1e-9), 1.0)
        p0 = base + ax * s
        arc = np.linspace(0.0, math.pi, 13)
        end = [cap + (nx * math.cos(t) + ax * math.sin(t)) * (w1 / 2) for t in arc]
        ring = np.vstack([[p0 + nx * w_s / 2], end, [p0 - nx * w_s / 2]])
        return valid(Polygon(self.to_atlas(ring)))

    def outline(self) -> BaseGeometry:
        palm = valid(Polygon(self.to_atlas(catmull_rom_closed(self.palm_local))))
        return valid(shapely.union_all([palm] + [self.digit(n) for n in self.digits]))


def shape_from_spec(spec: dict[str, Any], axes: dict[str, Any]) -> BaseGeometry:
    """Build one shape from its YAML spec (see regions/atlas.yaml for the kinds).

    `axes` maps part names to limb axes (for `band`) and to `Hand`s (for `digit`
    and for `local: true` shapes, written in the hand's own frame).
    """
    for kind in ("box", "poly", "ellipse", "band", "digit"):
        if kind in spec and not _all_finite(spec[kind]):
            raise ValueError(f"{kind}: every number must be finite (no .nan or .inf)")
    if "digit" in spec or spec.get("local"):
        hand = axes.get(spec.get("part"))
        if not isinstance(hand, Hand):
            raise ValueError("'digit' and 'local' shapes need the part of a hand")
        if "digit" in spec:
            dg = spec["digit"]
            if isinstance(dg, str):
                return hand.digit(dg)
            return hand.digit(str(dg["name"]), float(dg.get("from", 0.0)))
        return hand.transform(shape_from_spec({k: v for k, v in spec.items() if k not in ("local", "part")}, axes))
    if "box" in spec:
        x0, y0, x1, y1 = (float(v) for v in spec["box"])
        return _box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    if "poly" in spec:
        pts = np.asarray(spec["poly"], dtype=float)
        if spec.get("smooth"):
            pts = catmull_rom_closed(pts)
        return valid(Polygon(pts))
    if "ellipse" in spec:
        e = spec["ellipse"]
        cx, cy = (float(v) for v in e["center"])
        rx, ry = (float(v) for v in e["radii"])
        ang = math.radians(float(e.get("angle", 0.0)))
        t = np.linspace(0, 2 * math.pi, 72, endpoint=False)
        x, y = rx * np.cos(t), ry * np.sin(t)
        xr = cx + x * math.cos(ang) - y * math.sin(ang)
        yr = cy + x * math.sin(ang) + y * math.cos(ang)
        return Polygon(np.column_stack([xr, yr]))
    if "band" in spec:
        b = spec["band"]
        a = axes[b["axis"]]
        if not isinstance(a, np.ndarray):
            raise ValueError(f"band: '{b['axis']}' is not a limb")
        reach = b.get("reach", 1.0)
        # one number: that far either side of the axis; [from, to]: offsets across it
        # (positive towards the outer edge of the limb: the thumb side of the arm)
        r0, r1 = ((-float(reach), float(reach)) if not isinstance(reach, (list, tuple))
                  else (float(reach[0]), float(reach[1])))
        t0, t1 = (float(v) for v in b["t"])
        ts = [t0] + [float(i) for i in range(int(math.ceil(t0)), int(math.floor(t1)) + 1) if t0 < i < t1] + [t1]
        left, right = [], []
        for t in ts:
            p, nrm = axis_point(a, t)
            left.append(p + nrm * r1)
            right.append(p + nrm * r0)
        return valid(Polygon(np.vstack([left, right[::-1]])))
    if spec.get("all"):
        return _box(-100, -100, 100, 100)
    raise ValueError(f"unknown shape kind {sorted(spec)}; use box, poly, ellipse, band or all")


def _all_finite(v: Any) -> bool:
    """False if any number nested in `v` (lists, dicts) is NaN or infinite."""
    if isinstance(v, dict):
        return all(_all_finite(x) for x in v.values())
    if isinstance(v, (list, tuple)):
        return all(_all_finite(x) for x in v)
    if isinstance(v, float):
        return math.isfinite(v)
    return True


def rasterize(geom: BaseGeometry, shape: tuple[int, int], scale: float, origin: tuple[float, float]) -> np.ndarray:
    """Boolean mask of the pixels whose centre lies inside `geom`.

    `shape` is (rows, cols); pixel (r, c) has its centre at atlas point
    (origin_x + (c + 0.5) / scale, origin_y + (r + 0.5) / scale). Even-odd
    filling over every ring, so holes work; an edge counts for the rows whose
    centre lies in [y_min, y_max) and the columns whose centre is >= the crossing.
    Fully vectorised: no Python loop over pixels or rows.
    """
    rows, cols = shape
    mask = np.zeros(shape, dtype=bool)
    if geom.is_empty:
        return mask
    edges = _edges_px(geom, scale, origin)
    if len(edges) == 0:
        return mask
    x0, y0, x1, y1 = edges.T
    lo = np.minimum(y0, y1)
    hi = np.maximum(y0, y1)
    r_start = np.clip(np.ceil(lo - 0.5), 0, rows).astype(np.int64)
    r_end = np.clip(np.ceil(hi - 0.5), 0, rows).astype(np.int64)  # exclusive
    counts = r_end - r_start
    keep = counts > 0
    if not keep.any():
        return mask
    x0, y0, x1, y1, r_start, counts = x0[keep], y0[keep], x1[keep], y1[keep], r_start[keep], counts[keep]
    edge_idx = np.repeat(np.arange(len(counts)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    r = r_start[edge_idx] + offsets
    yc = r + 0.5
    ex0, ey0, ex1, ey1 = x0[edge_idx], y0[edge_idx], x1[edge_idx], y1[edge_idx]
    xc = ex0 + (yc - ey0) * (ex1 - ex0) / (ey1 - ey0)
    c = np.clip(np.ceil(xc - 0.5), 0, cols).astype(np.int64)
    toggles = np.zeros((rows, cols + 1), dtype=np.int32)
    np.add.at(toggles, (r, c), 1)
    mask = (np.cumsum(toggles[:, :cols], axis=1) & 1).astype(bool)
    return mask


def _edges_px(geom: BaseGeometry, scale: float, origin: tuple[float, float]) -> np.ndarray:
    rings = []
    polys: Iterable[Polygon] = geom.geoms if hasattr(geom, "geoms") else [geom]
    for poly in polys:
        if not isinstance(poly, Polygon) or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            c = np.asarray(ring.coords, dtype=float)
            rings.append(c)
    if not rings:
        return np.zeros((0, 4))
    segs = []
    ox, oy = origin
    for c in rings:
        px = (c[:, 0] - ox) * scale
        py = (c[:, 1] - oy) * scale
        segs.append(np.column_stack([px[:-1], py[:-1], px[1:], py[1:]]))
    e = np.vstack(segs)
    e = e[e[:, 1] != e[:, 3]]
    # One orientation per edge (top end first), so that two polygons sharing an edge
    # compute bit-identical crossings whichever way their rings run along it.
    down = e[:, 1] > e[:, 3]
    e[down] = e[down][:, [2, 3, 0, 1]]
    return e
