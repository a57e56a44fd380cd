"""The body atlas: silhouettes, named regions and dermatomes for the front and back views.

Built from the YAML in `regions/` (atlas.yaml, dermatomes.yaml). The geometry is
written once for the patient's right half and mirrored; `viewer_sign` is the one
place that knows that on the front view the patient's right is on the viewer's
left. Coordinates are atlas units (head heights) in the *viewer frame* of each
view: X to the viewer's right, Y down from the top of the head.

No pygame here: the atlas runs headless.
"""
from __future__ import annotations

import difflib
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import shapely
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from . import geometry as g
from . import yamlio
from .errors import AtlasError, UnknownRegionError
from .paths import cache_dir, read_regular, regions_dir
from .yamlio import parse_yaml  # noqa: F401 - kept importable from here
from .yamlio import read_yaml as _read_yaml

VIEWS = ("front", "back")
SIDES = ("right", "left")
#: distal levels, proximal to distal, used for "how far down the pain goes"
LEVELS = ("upper", "back", "buttock", "thigh", "knee", "leg", "foot")
DEFAULT_SCALE = 80.0  # pixels per head height for masks: 296 x 640 per view
CACHE_FORMAT = 7  # bump whenever building or rasterising changes
MAX_YAML_BYTES = yamlio.MAX_YAML_BYTES
MAX_YAML_DEPTH = yamlio.MAX_YAML_DEPTH


def viewer_sign(view: str, side: str) -> int:
    """+1 if the patient's `side` is drawn on the viewer's right in `view`, else -1.

    Front view: the patient faces us, so their right is on our left (-1).
    Back view: we see them from behind, so their right is on our right (+1).
    """
    if view not in VIEWS or side not in SIDES:
        raise ValueError(f"view must be one of {VIEWS} and side one of {SIDES}")
    return -1 if (view == "front") == (side == "right") else 1


def side_at(view: str, x: float) -> str:
    """The patient's side under viewer-frame x (x == 0 counts as the patient's right)."""
    if view == "front":
        return "right" if x <= 0 else "left"
    return "right" if x >= 0 else "left"


@dataclass(frozen=True)
class Region:
    id: str
    stem: str
    view: str
    side: str  # "left", "right" or "midline"
    name: str  # display name, e.g. "right outer leg (front)"
    level: str
    geometry: BaseGeometry = field(repr=False, compare=False)
    snomed: str | None = None

    @property
    def area(self) -> float:
        return float(self.geometry.area)


@dataclass(frozen=True)
class KeyPoint:
    name: str
    view: str
    x: float
    y: float
    source: str


@dataclass(frozen=True)
class Dermatome:
    id: str  # e.g. "right_L5"
    root: str  # e.g. "L5"
    side: str
    core: dict[str, BaseGeometry] = field(repr=False, compare=False)
    wide: dict[str, BaseGeometry] = field(repr=False, compare=False)
    key_points: tuple[KeyPoint, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass
class Raster:
    """The atlas as pixels: one label image per view at `scale` pixels per head height.

    labels[view][r, c] is the index of the region (into `Atlas.regions`) whose
    geometry contains the pixel centre, or -1 outside the body.
    """

    scale: float
    shape: tuple[int, int]
    origin: tuple[float, float]
    labels: dict[str, np.ndarray]

    @cached_property
    def body(self) -> dict[str, np.ndarray]:
        return {v: lab >= 0 for v, lab in self.labels.items()}

    def to_px(self, x: float, y: float) -> tuple[float, float]:
        """Viewer-frame atlas point -> (col, row) in pixel units (float)."""
        return (x - self.origin[0]) * self.scale, (y - self.origin[1]) * self.scale

    def to_atlas(self, col: float, row: float) -> tuple[float, float]:
        return col / self.scale + self.origin[0], row / self.scale + self.origin[1]

    def mask(self, geom: BaseGeometry) -> np.ndarray:
        return g.rasterize(geom, self.shape, self.scale, self.origin)


class Atlas:
    """Front and back silhouettes tiled by named regions, with dermatomes."""

    def __init__(self, meta: dict[str, Any], regions: list[Region], dermatomes: list[Dermatome],
                 silhouettes: dict[str, BaseGeometry], outlines: dict[str, list[np.ndarray]], content_hash: str):
        self.id: str = meta["id"]
        self.version: int = int(meta["version"])
        self.name: str = meta.get("name", self.id)
        self.frame: dict[str, Any] = meta["frame"]
        self.content_hash = content_hash
        self.regions = regions
        self.dermatomes = dermatomes
        self.silhouettes = silhouettes
        self.outlines = outlines
        self._index = {r.id: i for i, r in enumerate(regions)}
        self._rasters: dict[float, Raster] = {}
        # what other modules compute from this atlas and keep as long as it lives (the matcher's compiled
        # models, keyed by pattern file): a cache owned by the atlas, not a module global keyed by id()
        self.derived: dict[Any, Any] = {}

    # -- lookup ---------------------------------------------------------
    def region(self, region_id: str) -> Region:
        try:
            return self.regions[self._index[region_id]]
        except KeyError:
            raise UnknownRegionError(self.unknown_region_message(region_id)) from None

    def index(self, region_id: str) -> int:
        if region_id not in self._index:
            raise UnknownRegionError(self.unknown_region_message(region_id))
        return self._index[region_id]

    def unknown_region_message(self, region_id: str) -> str:
        near = difflib.get_close_matches(str(region_id), list(self._index), n=5, cutoff=0.5)
        hint = f"; nearest: {', '.join(near)}" if near else "; run 'bodymap atlas regions' for the list"
        return f"unknown region id {region_id!r}{hint}"

    def regions_in(self, view: str) -> list[Region]:
        return [r for r in self.regions if r.view == view]

    @property
    def region_ids(self) -> list[str]:
        return [r.id for r in self.regions]

    def silhouette(self, view: str) -> BaseGeometry:
        return self.silhouettes[view]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        x0, x1 = self.frame["x"]
        y0, y1 = self.frame["y"]
        return float(x0), float(y0), float(x1), float(y1)

    # -- pixels ---------------------------------------------------------
    def raster(self, scale: float = DEFAULT_SCALE) -> Raster:
        """The label images at `scale` px per head height (cached on disk and in memory)."""
        scale = float(scale)
        if scale not in self._rasters:
            self._rasters[scale] = _cached_raster(self, scale)
        return self._rasters[scale]

    def regions_mask(self, region_ids, scale: float = DEFAULT_SCALE) -> dict[str, np.ndarray]:
        """{view: bool mask} of any set of regions at `scale`, from the same label image as everything else."""
        r = self.raster(scale)
        idx = np.array([self.index(rid) for rid in region_ids], dtype=np.int16)
        return {v: np.isin(lab, idx) for v, lab in r.labels.items()}

    def region_px(self, scale: float = DEFAULT_SCALE) -> np.ndarray:
        """(R,) pixels of each region at `scale`, atlas order (read-only, kept with the atlas)."""
        key = ("region_px", float(scale))
        if key not in self.derived:
            labels = self.raster(scale).labels.values()
            px = np.bincount(np.concatenate([lab[lab >= 0].ravel() for lab in labels]), minlength=len(self.regions))
            px = px.astype(np.int64)
            px.flags.writeable = False
            self.derived[key] = px
        return self.derived[key]

    def body_px(self, scale: float = DEFAULT_SCALE) -> dict[str, int]:
        """{view: pixels inside the body} at `scale`."""
        key = ("body_px", float(scale))
        if key not in self.derived:
            self.derived[key] = {v: int(m.sum()) for v, m in self.raster(scale).body.items()}
        return dict(self.derived[key])

    def build_raster(self, scale: float) -> Raster:
        x0, y0, x1, y1 = self.bounds
        shape = (int(round((y1 - y0) * scale)), int(round((x1 - x0) * scale)))
        origin = (x0, y0)
        labels = {}
        for view in VIEWS:
            lab = np.full(shape, -1, dtype=np.int16)
            for region in self.regions_in(view):
                i = self._index[region.id]
                m = _rasterize_in_bbox(region.geometry, shape, scale, origin)
                lab[m & (lab < 0)] = i
            body = g.rasterize(self.silhouettes[view], shape, scale, origin)
            _fill_unlabelled(lab, body)
            lab[~body] = -1
            for region in self.regions_in(view):
                _merge_islands(lab, self._index[region.id], region, scale, origin)
            labels[view] = lab
        return Raster(scale=scale, shape=shape, origin=origin, labels=labels)


def _rasterize_in_bbox(geom: BaseGeometry, shape, scale, origin) -> np.ndarray:
    """Rasterise only inside the geometry's bounding box (same result, much less work)."""
    out = np.zeros(shape, dtype=bool)
    if geom.is_empty:
        return out
    minx, miny, maxx, maxy = geom.bounds
    c0 = max(int(np.floor((minx - origin[0]) * scale)) - 1, 0)
    r0 = max(int(np.floor((miny - origin[1]) * scale)) - 1, 0)
    c1 = min(int(np.ceil((maxx - origin[0]) * scale)) + 1, shape[1])
    r1 = min(int(np.ceil((maxy - origin[1]) * scale)) + 1, shape[0])
    if c1 <= c0 or r1 <= r0:
        return out
    sub_origin = (origin[0] + c0 / scale, origin[1] + r0 / scale)
    out[r0:r1, c0:c1] = g.rasterize(geom, (r1 - r0, c1 - c0), scale, sub_origin)
    return out


def _merge_islands(lab: np.ndarray, idx: int, region: Region, scale: float, origin) -> None:
    """Give a region's stray pixels (not 4-connected to its main piece) to the neighbouring region.

    Clipping leaves the odd pixel cut off by a thin neck; merging it keeps every
    region one painted piece, so filling a region really fills all of it.
    """
    ys, xs = np.nonzero(lab == idx)
    if len(ys) == 0:
        return
    r0, r1, c0, c1 = max(ys.min() - 1, 0), ys.max() + 2, max(xs.min() - 1, 0), xs.max() + 2
    sub = lab[r0:r1, c0:c1]
    inside = sub == idx
    p = region.geometry.representative_point()
    sx, sy = (p.x - origin[0]) * scale - 0.5 - c0, (p.y - origin[1]) * scale - 0.5 - r0
    ly, lx = np.nonzero(inside)
    k = int(np.argmin((lx - sx) ** 2 + (ly - sy) ** 2))
    reached = np.zeros_like(inside)
    reached[ly[k], lx[k]] = True
    while True:
        grow = reached.copy()
        grow[1:, :] |= reached[:-1, :]
        grow[:-1, :] |= reached[1:, :]
        grow[:, 1:] |= reached[:, :-1]
        grow[:, :-1] |= reached[:, 1:]
        grow &= inside
        if (grow == reached).all():
            break
        reached = grow
    for y, x in zip(*np.nonzero(inside & ~reached)):
        around = [sub[yy, xx] for yy, xx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1))
                  if 0 <= yy < sub.shape[0] and 0 <= xx < sub.shape[1] and sub[yy, xx] >= 0 and sub[yy, xx] != idx]
        if around:
            sub[y, x] = max(set(around), key=around.count)


def _fill_unlabelled(lab: np.ndarray, body: np.ndarray) -> None:
    """Give body pixels that no region claims (sub-pixel slivers) their neighbour's label."""
    for _ in range(8):
        hole = body & (lab < 0)
        if not hole.any():
            return
        for dr, dc in ((0, 1), (0, -1), (1, 0), (-1, 0)):
            shifted = np.full_like(lab, -1)
            rs = slice(max(dr, 0), lab.shape[0] + min(dr, 0))
            rd = slice(max(-dr, 0), lab.shape[0] + min(-dr, 0))
            cs = slice(max(dc, 0), lab.shape[1] + min(dc, 0))
            cd = slice(max(-dc, 0), lab.shape[1] + min(-dc, 0))
            shifted[rd, cd] = lab[rs, cs]
            take = hole & (shifted >= 0)
            lab[take] = shifted[take]
            hole &= ~take


# ---------------------------------------------------------------------------
# Loading and building


def read_yaml(path: Path) -> Any:
    """Read one atlas YAML file safely (bodymap.yamlio); every failure is an AtlasError naming the file."""
    return _read_yaml(path, AtlasError, max_bytes=MAX_YAML_BYTES, what="an atlas file")


def _need(d: Any, key: str, kind: type | tuple, where: str) -> Any:
    if not isinstance(d, dict):
        raise AtlasError(f"{where}: expected a mapping, got {type(d).__name__}")
    if key not in d:
        raise AtlasError(f"{where}: missing '{key}'")
    v = d[key]
    if not isinstance(v, kind):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise AtlasError(f"{where}: '{key}' must be {names}, got {type(v).__name__}")
    return v


def _points(v: Any, where: str, min_len: int = 3) -> np.ndarray:
    try:
        a = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise AtlasError(f"{where}: points must be a list of [x, y] numbers") from None
    if a.ndim != 2 or a.shape[1] != 2 or len(a) < min_len or not np.all(np.isfinite(a)):
        raise AtlasError(f"{where}: needs at least {min_len} [x, y] points")
    return a


def _numbers(v: Any, where: str) -> np.ndarray:
    try:
        a = np.asarray(v, dtype=float)
    except (TypeError, ValueError):
        raise AtlasError(f"{where}: must be a list of numbers") from None
    if a.ndim != 1 or not np.all(np.isfinite(a)):
        raise AtlasError(f"{where}: must be a list of finite numbers")
    return a


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise AtlasError(f"{where}: must be a finite number, got {v!r}")
    return float(v)


_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


def atlas_files(root: Path | None = None) -> list[Path]:
    root = Path(root) if root else regions_dir()
    return [root / "atlas.yaml", root / "dermatomes.yaml"]


def content_hash_of(paths: Iterable[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        try:
            h.update(p.read_bytes())
        except OSError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


_LOADED: dict[tuple[str, str], Atlas] = {}


def load_atlas(root: str | Path | None = None, *, use_cache: bool = True) -> Atlas:
    """Load (and build, or fetch from the cache) the atlas in `root` (default: regions/)."""
    root = Path(root) if root else regions_dir()
    files = atlas_files(root)
    chash = content_hash_of(files)
    key = (str(root.resolve()), chash)
    if use_cache and key in _LOADED:
        return _LOADED[key]
    atlas = None
    if use_cache:
        atlas = _load_geometry_cache(root, chash)
    if atlas is None:
        atlas = build_atlas(root, chash)
        if use_cache:
            _save_geometry_cache(atlas)
    _LOADED[key] = atlas
    return atlas


def build_atlas(root: Path, chash: str | None = None) -> Atlas:
    apath, dpath = atlas_files(root)
    doc = read_yaml(apath)
    where = str(apath)
    if not isinstance(doc, dict):
        raise AtlasError(f"{where}: expected a mapping at the top")
    if doc.get("schema") != "bodymap.atlas/1":
        raise AtlasError(f"{where}: schema must be 'bodymap.atlas/1', got {doc.get('schema')!r}")
    for k, kind in (("id", str), ("version", int), ("frame", dict), ("parts", dict), ("views", dict)):
        _need(doc, k, kind, where)
    frame = doc["frame"]
    for axis in ("x", "y"):
        lim = frame.get(axis)
        if (not isinstance(lim, list) or len(lim) != 2
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in lim)
                or not lim[0] < lim[1]):
            raise AtlasError(f"{where}: frame.{axis} must be [low, high] numbers with low < high")
    parts_doc = doc["parts"]
    parts: dict[str, Any] = {}
    axes: dict[str, np.ndarray] = {}
    outlines: dict[str, np.ndarray] = {}
    for name, spec in parts_doc.items():
        pw = f"{where}: part '{name}'"
        if not isinstance(spec, dict):
            raise AtlasError(f"{pw}: expected a mapping")
        if "half" in spec:
            pts = g.half_outline_closed(_points(spec["half"], pw))
            curve = g.catmull_rom_closed(pts)
            poly = g.valid(shapely.Polygon(curve))
            parts[name] = ("midline", poly)
            outlines[name] = curve
        elif "limb" in spec:
            limb = spec["limb"]
            axis = _points(_need(limb, "axis", list, pw), pw, 2)
            hw = _numbers(_need(limb, "half_width", list, pw), f"{pw}: half_width")
            if len(hw) != len(axis):
                raise AtlasError(f"{pw}: half_width needs one value per axis point ({len(axis)})")
            tip = _points([_need(limb, "tip", list, pw)], pw, 1)[0]
            curve = g.catmull_rom_closed(g.limb_outline(axis, hw, tip))
            parts[name] = ("side", g.valid(shapely.Polygon(curve)))
            axes[name] = axis
            outlines[name] = curve
        elif "hand" in spec:
            hd = _need(spec, "hand", dict, pw)
            wrist = _points([_need(hd, "wrist", list, pw)], pw, 1)[0]
            toward = _points([_need(hd, "toward", list, pw)], pw, 1)[0]
            palm = _points(_need(hd, "palm", list, pw), f"{pw}: palm")
            digits = _need(hd, "digits", dict, pw)
            for dn, dd in digits.items():
                for key in ("base", "tip"):
                    _points([_need(dd, key, list, f"{pw}: digit '{dn}'")], f"{pw}: digit '{dn}'", 1)
                if len(_numbers(_need(dd, "width", list, f"{pw}: digit '{dn}'"), f"{pw}: digit '{dn}'")) != 2:
                    raise AtlasError(f"{pw}: digit '{dn}': width must be [at the base, at the tip]")
            try:
                hand = g.Hand(wrist, toward, palm, digits)
                poly = hand.outline()
            except (ValueError, TypeError, shapely.errors.ShapelyError) as exc:
                raise AtlasError(f"{pw}: {exc}") from None
            if poly.geom_type != "Polygon":
                raise AtlasError(f"{pw}: the digits must each touch the palm")
            parts[name] = ("side", poly)
            axes[name] = hand
            outlines[name] = np.asarray(poly.exterior.coords)
        elif "outline" in spec:
            curve = g.catmull_rom_closed(_points(spec["outline"], pw))
            parts[name] = ("side", g.valid(shapely.Polygon(curve)))
            outlines[name] = curve
        else:
            raise AtlasError(f"{pw}: needs one of 'half', 'limb', 'hand' or 'outline'")
        if parts[name][1].is_empty or parts[name][1].area <= 0:
            raise AtlasError(f"{pw}: outline encloses no area")

    right_half = box(0, -50, 50, 50)
    regions: list[Region] = []
    silhouettes: dict[str, BaseGeometry] = {}
    view_outlines: dict[str, list[np.ndarray]] = {}
    seen: dict[str, str] = {}
    for view in VIEWS:
        vw = f"{where}: views.{view}"
        vdoc = _need(doc["views"], view, dict, f"{where}: views")
        part_names = _need(vdoc, "parts", list, vw)
        for pn in part_names:
            if pn not in parts:
                raise AtlasError(f"{vw}: part '{pn}' is not defined under parts")
        half_parts = {pn: _half(parts[pn], right_half) for pn in part_names}
        body_half = shapely.union_all(list(half_parts.values()))
        sil = shapely.union_all([body_half, g.mirror_x(body_half)])
        taken = shapely.Polygon()
        halves: list[tuple[int, dict, BaseGeometry]] = []
        stems: set[str] = set()
        rdocs = _need(vdoc, "regions", list, vw)
        for k, rdoc in sorted(enumerate(rdocs), key=lambda kr: (-_priority(kr[1], f"{vw}.regions[{kr[0]}]"), kr[0])):
            rw = f"{vw}.regions[{k}]"
            rid = _need(rdoc, "id", str, rw)
            rw = f"{where}: region '{rid}' ({view})"
            if rid in stems:
                raise AtlasError(f"{rw}: region id '{rid}' is used twice in this view")
            stems.add(rid)
            if not _SNAKE.fullmatch(rid):
                raise AtlasError(f"{rw}: id must be snake_case")
            _need(rdoc, "name", str, rw)
            level = rdoc.get("level", "upper")
            if level not in LEVELS:
                raise AtlasError(f"{rw}: level must be one of {', '.join(LEVELS)}")
            shapes = []
            for s, sdoc in enumerate(_need(rdoc, "shapes", list, rw)):
                if not isinstance(sdoc, dict):
                    raise AtlasError(f"{rw}: shapes[{s}] must be a mapping")
                pn = sdoc.get("part")
                if pn is not None and pn not in half_parts:
                    raise AtlasError(f"{rw}: shapes[{s}] names part '{pn}', which view '{view}' does not use")
                try:
                    shp = g.shape_from_spec(sdoc, axes)
                except (ValueError, TypeError, KeyError, IndexError, shapely.errors.ShapelyError) as exc:
                    raise AtlasError(f"{rw}: shapes[{s}]: {exc}") from None
                clip = half_parts[pn] if pn else body_half
                shapes.append(g.polygonal(shapely.intersection(shp, clip)))
            raw = shapely.union_all(shapes) if shapes else shapely.Polygon()
            own = g.polygonal(shapely.difference(raw, taken)) if not taken.is_empty else raw
            own = _drop_slivers(own)
            if own.is_empty or own.area < 1e-4:
                raise AtlasError(f"{rw}: is empty after clipping to the body and earlier regions")
            taken = shapely.union_all([taken, own])
            halves.append((k, rdoc, own))
        for _, rdoc, own in sorted(halves, key=lambda h: h[0]):  # listed order, whatever the claim order
            stem = rdoc["id"]
            if rdoc.get("midline"):
                geom = _to_view(shapely.union_all([own, g.mirror_x(own)]), view, "right")
                entries = [(stem, "midline", geom)]
            else:
                entries = [(f"{side}_{stem}", side, _to_view(own, view, side)) for side in SIDES]
            for rid, side, geom in entries:
                if rid in seen:
                    raise AtlasError(f"{where}: region id '{rid}' is used twice ({seen[rid]} and {view})")
                seen[rid] = view
                name = rdoc["name"] if side == "midline" else f"{side} {rdoc['name']}"
                regions.append(Region(id=rid, stem=stem, view=view, side=side, name=name,
                                      level=rdoc.get("level", "upper"), geometry=g.polygonal(geom),
                                      snomed=rdoc.get("snomed")))
        silhouettes[view] = _to_view(sil, view, "right")
        view_outlines[view] = _view_outline_curves(parts, outlines, part_names, view)
    dermatomes = load_dermatomes(dpath, parts, axes, silhouettes)
    return Atlas(doc, regions, dermatomes, silhouettes, view_outlines, chash or content_hash_of(atlas_files(root)))


def _priority(rdoc: Any, where: str) -> int:
    """A region's claim priority (`priority: N`, default 0): higher claims its area first."""
    v = rdoc.get("priority", 0) if isinstance(rdoc, dict) else 0
    if isinstance(v, bool) or not isinstance(v, int):
        raise AtlasError(f"{where}: priority must be a whole number")
    return v


SLIVER_AREA = 2e-3  # head heights squared (~13 px at the default scale): crumbs left by clipping


def _drop_slivers(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the parts of a region big enough to paint; a later region takes the crumbs."""
    parts = list(getattr(geom, "geoms", [geom]))
    keep = [p for p in parts if p.area >= SLIVER_AREA]
    if len(keep) == len(parts) or not keep:
        return geom
    return shapely.union_all(keep)


def _half(part: tuple[str, BaseGeometry], right_half) -> BaseGeometry:
    kind, poly = part
    return g.polygonal(shapely.intersection(poly, right_half)) if kind == "midline" else poly


def _to_view(geom: BaseGeometry, view: str, side: str) -> BaseGeometry:
    """Symmetric frame (x>0 = patient's right) -> viewer frame of `view` for a `side` geometry.

    `geom` is given as the patient's right; for side == 'left' it is mirrored first.
    """
    sign = viewer_sign(view, "right")
    if side == "left":
        sign = -sign
    if sign == 1:
        return geom
    return g.mirror_x(geom)


def _view_outline_curves(parts, outlines, part_names, view) -> list[np.ndarray]:
    curves = []
    for pn in part_names:
        c = outlines[pn]
        if parts[pn][0] == "midline":
            curves.append(c)
        else:
            curves.append(c)
            m = c.copy()
            m[:, 0] *= -1
            curves.append(m)
    return curves


# ---------------------------------------------------------------------------
# Dermatomes


def load_dermatomes(path: Path, parts, axes, silhouettes) -> list[Dermatome]:
    doc = read_yaml(path)
    where = str(path)
    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.dermatomes/1":
        raise AtlasError(f"{where}: schema must be 'bodymap.dermatomes/1'")
    sources = _need(doc, "sources", dict, where)
    out: list[Dermatome] = []
    right_half = box(0, -50, 50, 50)
    sym_sil = {v: _to_view(silhouettes[v], v, "right") for v in VIEWS}  # back to the symmetric frame
    seen = set()
    for k, ddoc in enumerate(_need(doc, "dermatomes", list, where)):
        root = _need(ddoc, "root", str, f"{where}: dermatomes[{k}]")
        dw = f"{where}: dermatome '{root}'"
        if root in seen:
            raise AtlasError(f"{dw}: defined twice")
        seen.add(root)
        srcs = _need(ddoc, "sources", list, dw)
        for s in srcs:
            if not isinstance(s, str) or s not in sources:
                raise AtlasError(f"{dw}: source '{s}' is not listed under sources")
        core_half: dict[str, BaseGeometry] = {}
        wide_half: dict[str, BaseGeometry] = {}
        core_doc = _need(ddoc, "core", dict, dw)
        wide_doc = _need(ddoc, "wide", dict, dw)
        buffer = _number(wide_doc.get("buffer", 0.0), f"{dw}: wide.buffer")
        for view in VIEWS:
            clip = g.polygonal(shapely.intersection(sym_sil[view], right_half))
            core = _shapes_union(core_doc.get(view, []), axes, clip, parts, right_half, f"{dw}: core.{view}")
            wide = _shapes_union(wide_doc.get(view, []), axes, clip, parts, right_half, f"{dw}: wide.{view}")
            if not core.is_empty and buffer > 0:
                wide = shapely.union_all([wide, g.polygonal(shapely.intersection(core.buffer(buffer), clip))])
            wide = shapely.union_all([wide, core])
            core_half[view], wide_half[view] = core, wide
        if all(c.is_empty for c in core_half.values()):
            raise AtlasError(f"{dw}: core is empty in both views")
        kps = []
        for j, kdoc in enumerate(ddoc.get("key_points", []) or []):
            kw = f"{dw}: key_points[{j}]"
            view = _need(kdoc, "view", str, kw)
            if view not in VIEWS:
                raise AtlasError(f"{kw}: view must be front or back")
            at = _points([_need(kdoc, "at", list, kw)], kw, 1)[0]
            kps.append((str(kdoc.get("name", root)), view, float(at[0]), float(at[1]), str(kdoc.get("source", ""))))
        for side in SIDES:
            sign_kp = []
            for name, view, x, y, src in kps:
                vx = x * viewer_sign(view, side)
                sign_kp.append(KeyPoint(name, view, vx, y, src))
            out.append(Dermatome(
                id=f"{side}_{root}", root=root, side=side,
                core={v: _to_view(core_half[v], v, side) for v in VIEWS},
                wide={v: _to_view(wide_half[v], v, side) for v in VIEWS},
                key_points=tuple(sign_kp), sources=tuple(srcs)))
    return out


def _shapes_union(specs, axes, clip, parts, right_half, where) -> BaseGeometry:
    if not isinstance(specs, list):
        raise AtlasError(f"{where}: must be a list of shapes")
    geoms = []
    for s, sdoc in enumerate(specs):
        if not isinstance(sdoc, dict):
            raise AtlasError(f"{where}[{s}]: must be a mapping")
        try:
            shp = g.shape_from_spec(sdoc, axes)
        except (ValueError, TypeError, KeyError, IndexError, shapely.errors.ShapelyError) as exc:
            raise AtlasError(f"{where}[{s}]: {exc}") from None
        pn = sdoc.get("part")
        if pn is not None:
            if pn not in parts:
                raise AtlasError(f"{where}[{s}]: part '{pn}' is not defined in atlas.yaml")
            shp = shapely.intersection(shp, _half(parts[pn], right_half))
        geoms.append(g.polygonal(shapely.intersection(shp, clip)))
    return g.polygonal(shapely.union_all(geoms)) if geoms else shapely.Polygon()


# ---------------------------------------------------------------------------
# Cache: geometry as WKB and rasters as .npy, keyed by the YAML content hash.


def _cache_path(chash: str, what: str) -> Path:
    return cache_dir() / f"atlas-{CACHE_FORMAT}-{chash[:16]}-{what}"


def _cache_bytes(path: Path) -> io.BytesIO:  # a FIFO or device there is refused (np.load would hang), then rebuilt
    return io.BytesIO(read_regular(path, 256 << 20, "an atlas cache file"))


def _atomic_write(path: Path, data: bytes) -> None:
    from .atomicio import write_atomic
    from .errors import BodymapError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, data, 0o600)
    except (OSError, BodymapError):
        pass  # a cache that cannot be written only costs time


def _save_geometry_cache(atlas: Atlas) -> None:
    geoms = [r.geometry for r in atlas.regions]
    geoms += [atlas.silhouettes[v] for v in VIEWS]
    for d in atlas.dermatomes:
        geoms += [d.core[v] for v in VIEWS] + [d.wide[v] for v in VIEWS]
    meta = {
        "id": atlas.id, "version": atlas.version, "name": atlas.name, "frame": atlas.frame,
        "regions": [dict(id=r.id, stem=r.stem, view=r.view, side=r.side, name=r.name, level=r.level, snomed=r.snomed)
                    for r in atlas.regions],
        "dermatomes": [dict(id=d.id, root=d.root, side=d.side, sources=list(d.sources),
                            key_points=[kp.__dict__ for kp in d.key_points]) for d in atlas.dermatomes],
        "outlines": {v: [c.tolist() for c in atlas.outlines[v]] for v in VIEWS},
    }
    buf = io.BytesIO()
    wkb = shapely.to_wkb(np.array(geoms, dtype=object))
    np.savez(buf, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
             wkb=np.array([len(b) for b in wkb]),
             blob=np.frombuffer(b"".join(wkb), dtype=np.uint8))
    _atomic_write(_cache_path(atlas.content_hash, "geom.npz"), buf.getvalue())


def _load_geometry_cache(root: Path, chash: str) -> Atlas | None:
    path = _cache_path(chash, "geom.npz")
    try:
        with np.load(_cache_bytes(path), allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            lengths = z["wkb"]
            blob = bytes(z["blob"])
        offs = np.concatenate([[0], np.cumsum(lengths)])
        if offs[-1] != len(blob):
            raise ValueError("truncated")
        geoms = shapely.from_wkb([blob[offs[i]:offs[i + 1]] for i in range(len(lengths))])
        n = len(meta["regions"])
        regions = [Region(geometry=geoms[i], **r) for i, r in enumerate(meta["regions"])]
        sil = {v: geoms[n + i] for i, v in enumerate(VIEWS)}
        k = n + len(VIEWS)
        ders = []
        for d in meta["dermatomes"]:
            core = {v: geoms[k + i] for i, v in enumerate(VIEWS)}
            wide = {v: geoms[k + 2 + i] for i, v in enumerate(VIEWS)}
            k += 4
            ders.append(Dermatome(id=d["id"], root=d["root"], side=d["side"], core=core, wide=wide,
                                  key_points=tuple(KeyPoint(**kp) for kp in d["key_points"]),
                                  sources=tuple(d["sources"])))
        outlines = {v: [np.asarray(c) for c in meta["outlines"][v]] for v in VIEWS}
        return Atlas(meta, regions, ders, sil, outlines, chash)
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a corrupt cache is rebuilt, never trusted
        try:
            path.unlink()
        except OSError:
            pass
        return None


def _cached_raster(atlas: Atlas, scale: float) -> Raster:
    path = _cache_path(atlas.content_hash, f"raster-{scale:g}.npz")
    try:
        with np.load(_cache_bytes(path), allow_pickle=False) as z:
            labels = {v: z[v] for v in VIEWS}
            origin = tuple(float(v) for v in z["origin"])
        shape = labels["front"].shape
        n = len(atlas.regions)
        x0, y0, x1, y1 = atlas.bounds
        want = (int(round((y1 - y0) * scale)), int(round((x1 - x0) * scale)))
        if shape != want or labels["back"].shape != want or any(lab.max() >= n or lab.min() < -1 for lab in labels.values()):
            raise ValueError("stale raster cache")
        return Raster(scale=scale, shape=shape, origin=origin, labels=labels)
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - corrupt cache: rebuild
        try:
            path.unlink()
        except OSError:
            pass
    r = atlas.build_raster(scale)
    buf = io.BytesIO()
    np.savez_compressed(buf, origin=np.array(r.origin), **r.labels)
    _atomic_write(path, buf.getvalue())
    return r


def point_in(geom: BaseGeometry, x: float, y: float) -> bool:
    return bool(geom.contains(Point(x, y)))
