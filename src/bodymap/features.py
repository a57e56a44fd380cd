"""One feature computation: what a drawing shows, from a file's sparse bits or from a PainMap.

Coverage, sensations, extent, the regions that count as painted, "both legs" and "saddle" are
computed here, by one piece of code, for the matcher (`bodymap.match`), the batch scorer and the
folder exports, so a figure means the same in the window, a CSV and a registry run.

A drawing's paint is held as `Paint`: for each view, the painted bounding box of the atlas grid
and its sensation bits (bit i = SENSATIONS[i]), inside the body only. A .bodymap file gives that
box directly (`from_document`, no full-grid copy); a PainMap packs its layers into it
(`from_map`). `Features` then computes each figure the first time it is asked for, and keeps it:

    f = features.from_document(doc, atlas)
    f.coverage          # (R,) share of each region painted, atlas order
    f.sensations        # (5,) bool, SENSATIONS order
    f.extent            # % of body area: total, per view, per sensation
    f.counted           # (R,) bool: regions that count as painted (no specks, no slivers)
    f.both_legs, f.saddle

The island step behind `counted` (painting.counted_paint) is the one costly figure. "Both legs"
and "saddle" can only lose regions to it, so they run it only when the raw paint already
reaches both legs (or the saddle). Headless: numpy only.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .atlas import DEFAULT_SCALE, VIEWS, Atlas
from .atlas_remap import Step, steps_between
from .fileformat import bits_or
from .painting import (DISTAL_LEVELS, LEG_LEVELS, REGION_MIN_PX, REGION_MIN_SHARE, SADDLE_REGIONS, SENSATIONS,
                       PainMap, counted_regions)

KNOWN_BITS = np.uint8((1 << len(SENSATIONS)) - 1)  # bits beyond the known sensations are ignored, as the loader does


@dataclass(frozen=True)
class Paint:
    """One drawing's paint per view: (row, col, bits) of the painted box on the atlas grid at `scale`.

    Bits outside the body and beyond the known sensations are already cleared, as PainMap does.
    """

    views: dict[str, tuple[int, int, np.ndarray]]
    scale: float = DEFAULT_SCALE


def paint_from_document(doc, atlas: Atlas) -> Paint:
    """The paint of a read .bodymap Document (fileformat.Document) on this atlas's grid.

    On the file's own grid (the usual case) only its painted boxes are touched; a file from another
    grid, or one an atlas step moves pixels for, goes through the loader's own path (to_pain_map).
    """
    return _document_paint(doc, atlas)[0]


def _document_paint(doc, atlas: Atlas) -> tuple[Paint, np.ndarray | None, int | None]:
    """(paint, painted pixels per region, the OR of its sensation bits) of a Document, the last two None
    on the loader's path.

    Paint outside the body and unknown bits are dropped, as PainMap does. The common file has neither
    (a PainMap never saves them), so each box is masked only where its region count finds a pixel
    outside the body (label -1) or its bits go beyond the known sensations (ADR 0033)."""
    raster = atlas.raster(doc.scale)
    if tuple(doc.shape) != raster.shape or _moves_pixels(doc, atlas):
        from .fileformat import to_pain_map

        return paint_from_map(to_pain_map(doc, atlas)), None, None
    n = len(atlas.regions)
    counts = np.zeros(n, dtype=np.int64)
    bits = 0
    views = {}
    for v in VIEWS:
        r0, c0, sub = doc.views[v]
        if sub.size:
            h, w = sub.shape
            lab = raster.labels[v][r0:r0 + h, c0:c0 + w]
            hit = lab[sub != 0]
            acc = doc.bits_any.get(v)
            if acc is None:
                acc = bits_or(sub)
            try:
                if acc & ~int(KNOWN_BITS):
                    raise ValueError("unknown bits")
                counts += np.bincount(hit, minlength=n)  # refuses a label below 0: paint outside the body
            except ValueError:
                sub = np.bitwise_and(sub, _body_bits(atlas, doc.scale)[v][r0:r0 + h, c0:c0 + w])
                counts += np.bincount(lab[sub != 0], minlength=n)
                acc = bits_or(sub)
            bits |= acc
        views[v] = (r0, c0, sub)
    return Paint(views, float(doc.scale)), counts, bits


def _body_bits(atlas: Atlas, scale: float) -> dict[str, np.ndarray]:
    """{view: uint8 grid, KNOWN_BITS inside the body and 0 outside} (kept on the atlas)."""
    key = ("features.body_bits", float(scale))
    hit = atlas.derived.get(key)
    if hit is None:
        hit = atlas.derived[key] = {v: m.astype(np.uint8) * KNOWN_BITS for v, m in atlas.raster(scale).body.items()}
    return hit


def _region_px_floor(atlas: Atlas, scale: float) -> np.ndarray:
    """(R,) each region's pixels at `scale`, at least 1 (the coverage denominator, kept on the atlas)."""
    key = ("features.region_px_floor", float(scale))
    hit = atlas.derived.get(key)
    if hit is None:
        hit = atlas.derived[key] = np.maximum(atlas.region_px(scale), 1)
        hit.flags.writeable = False
    return hit


def _count_floor(atlas: Atlas, scale: float) -> np.ndarray:
    """(R,) the fewest painted pixels that make each region count (painting.counts_as_painted: a count at or
    above either of its floors is at or above the lower one), kept on the atlas."""
    key = ("features.count_floor", float(scale))
    hit = atlas.derived.get(key)
    if hit is None:
        px = atlas.region_px(scale)
        hit = np.minimum(REGION_MIN_SHARE * np.asarray(px), REGION_MIN_PX * (scale / DEFAULT_SCALE) ** 2)
        atlas.derived[key] = hit
        hit.flags.writeable = False
    return hit


def _moves_pixels(doc, atlas: Atlas) -> bool:
    keep = Step.__dataclass_fields__["layers"].default
    return any(s.layers is not keep for s in steps_between(doc.from_atlas_version or atlas.version, atlas.version))


def paint_from_map(pain_map: PainMap) -> Paint:
    """The paint of a PainMap, packed into each view's painted box (cached until the map changes)."""
    key = ("features.paint", pain_map.version)
    hit = pain_map._cache.get(key)
    if hit is not None:
        return hit
    views = {}
    weights = (1 << np.arange(len(SENSATIONS), dtype=np.uint8))[:, None, None]
    for v in VIEWS:
        any_ = pain_map.any_mask(v)
        rows = np.flatnonzero(any_.any(axis=1))
        if not len(rows):
            views[v] = (0, 0, np.zeros((0, 0), dtype=np.uint8))
            continue
        cols = np.flatnonzero(any_[rows[0]:rows[-1] + 1].any(axis=0))
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        layers = pain_map.layers(v)[:, r0:r1, c0:c1]
        views[v] = (r0, c0, (layers.astype(np.uint8) * weights).sum(axis=0, dtype=np.uint8))
    hit = Paint(views, pain_map.scale)
    pain_map._cache[key] = hit
    return hit


def _shrink(r0: int, c0: int, sub: np.ndarray) -> tuple[int, int, np.ndarray]:
    """The box cut down to its painted rows and columns (a file's box may hold cleared paint)."""
    if not sub.size:
        return r0, c0, sub
    rows = np.flatnonzero(sub.any(axis=1))
    if not len(rows):
        return r0, c0, sub[:0, :0]
    cols = np.flatnonzero(sub[rows[0]:rows[-1] + 1].any(axis=0))
    return (r0 + int(rows[0]), c0 + int(cols[0]),
            sub[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1])


class Features:
    """The figures of one drawing, each computed the first time it is read (see the module text)."""

    def __init__(self, atlas: Atlas, paint: Paint, answers: dict[str, Any] | None = None,
                 pain_map: PainMap | None = None):
        self.atlas = atlas
        self.paint = paint
        self.answers = dict(answers or {})
        self.raster = atlas.raster(paint.scale)
        self._map = pain_map  # a PainMap keeps its own counted regions (the same rule): shared, not redone

    # -- pixels per region --------------------------------------------------
    @cached_property
    def counts(self) -> np.ndarray:
        """(R,) painted pixels per region (any sensation), atlas order."""
        return self.counts_for(None)

    def counts_for(self, sensation: str | None) -> np.ndarray:
        """(R,) painted pixels per region with `sensation` (None: any)."""
        n = len(self.atlas.regions)
        counts = np.zeros(n, dtype=np.int64)
        bit = None if sensation is None else np.uint8(1 << SENSATIONS.index(sensation))
        for v, (r0, c0, sub) in self.paint.views.items():
            if not sub.size:
                continue
            h, w = sub.shape
            lab = self.raster.labels[v][r0:r0 + h, c0:c0 + w]
            hit = lab[(sub != 0) if bit is None else (sub & bit) != 0]  # paint is inside the body: labels >= 0
            counts += np.bincount(hit, minlength=n)
        return counts

    @cached_property
    def coverage(self) -> np.ndarray:
        """(R,) share of each region painted (any sensation)."""
        return self.counts / _region_px_floor(self.atlas, self.paint.scale)

    def coverage_for(self, sensation: str | None) -> np.ndarray:
        return self.counts_for(sensation) / np.maximum(self.atlas.region_px(self.paint.scale), 1)

    @cached_property
    def sensations(self) -> np.ndarray:
        """(len(SENSATIONS),) bool: which sensations are painted anywhere."""
        acc = 0
        for _, _, sub in self.paint.views.values():
            acc |= bits_or(sub)
        return _sensations_of(acc)

    @property
    def sensations_present(self) -> list[str]:
        return [s for s, on in zip(SENSATIONS, self.sensations) if on]

    @cached_property
    def extent(self) -> dict[str, Any]:
        """Painted area as % of body area: total, per view (`front`, `back`) and `by_sensation`."""
        body = self.atlas.body_px(self.paint.scale)
        total_px = sum(body.values())
        out: dict[str, Any] = {}
        painted = 0
        per_sens = np.zeros(len(SENSATIONS), dtype=np.int64)
        for v in VIEWS:
            _, _, sub = self.paint.views.get(v, (0, 0, np.zeros((0, 0), np.uint8)))
            n = int(np.count_nonzero(sub))
            painted += n
            out[v] = 100.0 * n / body[v]
            if n:
                per_sens += _count_bits(sub)
        out["total"] = 100.0 * painted / total_px
        out["by_sensation"] = {s: 100.0 * int(per_sens[i]) / total_px for i, s in enumerate(SENSATIONS)}
        return out

    # -- what counts as painted ---------------------------------------------
    @cached_property
    def counted(self) -> np.ndarray:
        """(R,) bool: the regions that count as painted (specks and slivers left out: painting.counted_regions)."""
        if self._map is not None:
            return self._map.counted_regions()
        painted = {v: (r0, c0, sub != 0) for v, (r0, c0, sub) in self.paint.views.items() if sub.size}
        hit = counted_regions(self.raster.labels, painted, self.atlas.region_px(self.paint.scale), self.paint.scale)
        hit.flags.writeable = False
        return hit

    @cached_property
    def raw_counted(self) -> np.ndarray:
        """(R,) bool: the regions that would count before specks and slivers are left out (an upper bound)."""
        counts = self.counts  # counts_as_painted's rule, with its two floors taken as one (kept on the atlas)
        return (counts > 0) & (counts >= _count_floor(self.atlas, self.paint.scale))

    def painted_regions(self, min_fraction: float = 0.0) -> list[str]:
        """Region ids that count as painted, most covered first (PainMap.painted_regions)."""
        cov = self.coverage
        keep = np.flatnonzero((cov > min_fraction) & self.counted)
        regions = self.atlas.regions
        return [regions[i].id for i in sorted(keep.tolist(), key=lambda i: (-cov[i], regions[i].id))]

    @property
    def both_legs_possible(self) -> bool:
        """The raw paint reaches both legs: only then can `both_legs` be true (it costs no island step)."""
        return self._sides_of_legs(self.raw_counted)

    @cached_property
    def both_legs(self) -> bool:
        """Both of the patient's legs (thigh down to foot) have a region that counts as painted."""
        return self._sides_of_legs(self.raw_counted) and self._sides_of_legs(self.counted)

    def _sides_of_legs(self, counted: np.ndarray) -> bool:
        left, right = leg_sides(self.atlas)
        return bool((counted & left).any() and (counted & right).any())

    @cached_property
    def saddle(self) -> bool:
        """The saddle area (perineum) has a region that counts as painted."""
        s = saddle_mask(self.atlas)
        return bool((self.raw_counted & s).any() and (self.counted & s).any())

    @property
    def most_distal(self) -> str | None:
        """back, buttock, thigh, knee, leg or foot: how far down the counted paint reaches."""
        regions = self.atlas.regions
        levels = [DISTAL_LEVELS.index(regions[i].level) for i in np.flatnonzero(self.counted)
                  if regions[i].level in DISTAL_LEVELS]
        return DISTAL_LEVELS[max(levels)] if levels else None

    @property
    def is_empty(self) -> bool:
        return not any(sub.size for _, _, sub in self.paint.views.values())


def _sensations_of(bits: int) -> np.ndarray:
    """(len(SENSATIONS),) bool from the OR of a drawing's sensation bits."""
    return np.array([bool(bits >> i & 1) for i in range(len(SENSATIONS))])


def _count_bits(sub: np.ndarray) -> np.ndarray:
    """(len(SENSATIONS),) how many pixels of `sub` carry each sensation bit."""
    hist = np.bincount(sub[sub != 0], minlength=1 << len(SENSATIONS))
    return _BIT_OF_BYTE.T @ hist


_BIT_OF_BYTE = ((np.arange(1 << len(SENSATIONS))[:, None] >> np.arange(len(SENSATIONS))) & 1).astype(np.int64)


def from_document(doc, atlas: Atlas) -> Features:
    """The features of a read .bodymap Document (fileformat.read_document)."""
    paint, counts, bits = _document_paint(doc, atlas)
    f = Features(atlas, paint, doc.answers)
    if counts is not None:  # found on the way: the figures they give are not computed again
        f.__dict__["counts"] = counts
        f.__dict__["sensations"] = _sensations_of(bits)
    return f


def from_map(pain_map: PainMap) -> Features:
    """The features of a PainMap (kept with the map until it changes)."""
    key = ("features", pain_map.version)
    hit = pain_map._cache.get(key)
    if hit is None:
        hit = Features(pain_map.atlas, paint_from_map(pain_map), pain_map=pain_map)
        pain_map._cache[key] = hit
    hit.answers = dict(pain_map.answers)  # answers change without a new version: read them every time
    return hit


# -- per-atlas figures -----------------------------------------------------------

def leg_sides(atlas: Atlas) -> tuple[np.ndarray, np.ndarray]:
    """(R,) bool masks of the patient's left and right leg regions (levels LEG_LEVELS), kept on the atlas
    (read for every map the batch scores: building them was a tenth of a map's time)."""
    hit = atlas.derived.get("features.leg_sides")
    if hit is None:
        regions = atlas.regions
        left = np.array([r.level in LEG_LEVELS and r.side == "left" for r in regions])
        right = np.array([r.level in LEG_LEVELS and r.side == "right" for r in regions])
        left.flags.writeable = right.flags.writeable = False
        hit = atlas.derived["features.leg_sides"] = (left, right)
    return hit


def saddle_mask(atlas: Atlas) -> np.ndarray:
    """(R,) bool mask of the saddle regions, kept on the atlas."""
    hit = atlas.derived.get("features.saddle_mask")
    if hit is None:
        hit = np.array([r.id in SADDLE_REGIONS for r in atlas.regions])
        hit.flags.writeable = False
        atlas.derived["features.saddle_mask"] = hit
    return hit


# ---------------------------------------------------------------------------
# ISNCSCI key sensory points under the paint (the matcher's evidence for a root, ADR 0019)


class _NonzeroBits:
    """A painted box's sensation bits read as one painted mask, only where it is sliced (a few pixels)."""

    def __init__(self, bits: np.ndarray):
        self.bits = bits

    def __getitem__(self, key) -> np.ndarray:
        return self.bits[key] != 0

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.bits[rows, cols] != 0


def painted_key_points(pain_map: PainMap) -> frozenset:
    """{(root, side)} whose ISNCSCI key sensory point (atlas dermatomes) lies under the paint: a
    stroke at the medial malleolus is L4 evidence even where it spills onto a neighbouring region."""
    views = {v: (0, 0, _AnyLayer(pain_map.layers(v))) for v in pain_map.raster.labels}
    return key_points_in(pain_map.atlas, pain_map.raster, views)


class _AnyLayer:
    """A view's sensation layers read as one painted mask, only where it is sliced (a few pixels)."""

    def __init__(self, layers: np.ndarray):
        self.layers = layers

    def __getitem__(self, key) -> np.ndarray:
        return self.layers[(slice(None),) + tuple(key)].any(axis=0)

    def at(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        return self.layers[:, rows, cols].any(axis=0)


def key_points_in(atlas: Atlas, raster, painted: dict) -> frozenset:
    """The same from painted masks {view: (row0, col0, bool mask)} (a 3 x 3 pixel neighbourhood
    around each key point counts), so batch readers without a PainMap give the same features."""
    out = set()
    table = _key_point_box_px(atlas, raster)
    for view, (r0, c0, mask) in painted.items():
        kp = table.get(view)
        if kp is None:
            continue
        rows9, cols9, names = kp  # (points, 9): every pixel of each key point's 3 x 3 box
        h, w = (mask.bits.shape if isinstance(mask, _NonzeroBits) else
                mask.layers.shape[1:] if isinstance(mask, _AnyLayer) else np.shape(mask))
        pr = rows9 - r0
        pc = cols9 - c0
        inside = (pr >= 0) & (pr < h) & (pc >= 0) & (pc < w)
        if not inside.any():
            continue
        hit = np.zeros(pr.shape, dtype=bool)
        if isinstance(mask, (_NonzeroBits, _AnyLayer)):
            hit[inside] = mask.at(pr[inside], pc[inside])
        else:
            hit[inside] = np.asarray(mask)[pr[inside], pc[inside]]
        for i in np.flatnonzero(hit.any(axis=1)).tolist():
            out.add(names[i])
    return frozenset(out)


def key_points_of_boxes(atlas: Atlas, raster, views: dict) -> frozenset:
    """key_points_in for painted boxes of sensation bits {view: (row0, col0, bits)} (a Paint's views)."""
    return key_points_many(atlas, raster, [views])[0]


def key_points_many(atlas: Atlas, raster, drawings: list[dict]) -> list[frozenset]:
    """key_points_of_boxes of many drawings on one grid, in a few whole-array steps per view (the batch asks
    for every file, ADR 0033): the 3 x 3 box of every key point, placed in every drawing's painted box."""
    out: list[set] = [set() for _ in drawings]
    table = _key_point_box_px(atlas, raster)
    for view, (rows9, cols9, names) in table.items():
        which = [i for i, views in enumerate(drawings) if view in views and views[view][2].size]
        if not which:
            continue
        boxes = [drawings[i][view] for i in which]
        r0 = np.array([b[0] for b in boxes])[:, None, None]
        c0 = np.array([b[1] for b in boxes])[:, None, None]
        h = np.array([b[2].shape[0] for b in boxes])[:, None, None]
        w = np.array([b[2].shape[1] for b in boxes])[:, None, None]
        pr, pc = rows9 - r0, cols9 - c0  # (drawings, points, 9)
        inside = (pr.view(np.uint64) < h) & (pc.view(np.uint64) < w)  # below 0 wraps to a huge number
        at = np.where(inside, pr * w + pc, 0)
        near = np.flatnonzero(inside.any(axis=(1, 2)))
        if not near.size:
            continue
        hit = np.zeros(inside.shape, dtype=bool)
        for j in near.tolist():
            hit[j] = boxes[j][2].ravel()[at[j]] != 0
        hit &= inside
        for j, k in zip(*np.nonzero(hit.any(axis=2))):
            out[which[j]].add(names[k])
    return [frozenset(x) for x in out]


_DR = np.repeat([-1, 0, 1], 3)
_DC = np.tile([-1, 0, 1], 3)


def _key_point_box_px(atlas: Atlas, raster) -> dict:
    """{view: (rows, cols, [(root, side)])}, rows and cols (points, 9) of each key point's 3 x 3 box, kept on the
    atlas (built once, not per map: the batch asks for every file)."""
    key = ("features.key_point_box_px", float(raster.scale), tuple(raster.origin))
    table = atlas.derived.get(key)
    if table is None:
        table = {}
        for v, (rows, cols, names) in _key_point_px(atlas, raster).items():
            rows9, cols9 = (rows[:, None] + _DR).astype(np.int64), (cols[:, None] + _DC).astype(np.int64)
            rows9.flags.writeable = cols9.flags.writeable = False
            table[v] = (rows9, cols9, names)
        atlas.derived[key] = table
    return table


def _key_point_px(atlas: Atlas, raster) -> dict:
    """{view: (rows, cols, [(root, side)])} of every key point in `raster`'s pixels, kept on the atlas."""
    key = ("matcher.key_point_px", float(raster.scale), tuple(raster.origin))
    table = atlas.derived.get(key)
    if table is None:
        by_view: dict = {}
        for d in atlas.dermatomes:
            for kp in d.key_points:
                c, r = raster.to_px(kp.x, kp.y)
                by_view.setdefault(kp.view, []).append((int(r), int(c), (d.root, d.side)))
        table = {v: (np.array([t[0] for t in ts]), np.array([t[1] for t in ts]), [t[2] for t in ts])
                 for v, ts in by_view.items()}
        atlas.derived[key] = table
    return table
