"""`bodymap atlas check`: validate the atlas YAML and report its figures."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import shapely
from shapely.geometry import Point

from . import geometry as g
from .atlas import SIDES, VIEWS, Atlas, build_atlas

MIN_COVERAGE = 0.995
MAX_OVERLAP = 0.001
MAX_MIRROR_ERROR = 1e-6  # share of region area


@dataclass
class CheckReport:
    figures: dict[str, float] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_atlas(root: Path, atlas: Atlas | None = None) -> CheckReport:
    """Build the atlas from `root` (raises AtlasError on schema errors) and check its invariants."""
    atlas = atlas or build_atlas(Path(root))
    rep = CheckReport()
    ids = [r.id for r in atlas.regions]
    if len(ids) != len(set(ids)):
        rep.problems.append("region ids are not unique")
    for r in atlas.regions:
        if not r.geometry.is_valid:
            rep.problems.append(f"region '{r.id}': geometry is not valid ({shapely.is_valid_reason(r.geometry)})")
    for view in VIEWS:
        sil = atlas.silhouette(view)
        regs = atlas.regions_in(view)
        union = shapely.union_all([r.geometry for r in regs])
        coverage = shapely.intersection(union, sil).area / sil.area
        overlap = (sum(r.area for r in regs) - union.area) / sil.area
        worst_pair = _worst_overlap(regs, sil.area)
        rep.figures[f"{view}_regions"] = len(regs)
        rep.figures[f"{view}_coverage_percent"] = 100 * coverage
        rep.figures[f"{view}_overlap_percent"] = 100 * overlap
        rep.lines.append(f"{view}: {len(regs)} regions, coverage {100 * coverage:.3f}%, "
                         f"overlap {100 * overlap:.4f}% (worst pair {100 * worst_pair[0]:.4f}% {worst_pair[1]})")
        if coverage < MIN_COVERAGE:
            rep.problems.append(f"{view}: regions cover {100 * coverage:.2f}% of the silhouette (need >= 99.5%)")
        if worst_pair[0] > MAX_OVERLAP:
            rep.problems.append(f"{view}: regions {worst_pair[1]} overlap by {100 * worst_pair[0]:.3f}% (max 0.1%)")
    # mirror symmetry: left_x is the mirror image of right_x in the same view
    worst = 0.0
    for r in atlas.regions:
        if r.side != "right":
            continue
        other = r.id.replace("right_", "left_", 1)
        try:
            l = atlas.region(other)
        except KeyError:
            rep.problems.append(f"region '{r.id}' has no mirror '{other}'")
            continue
        diff = shapely.symmetric_difference(g.mirror_x(r.geometry), l.geometry).area / max(r.area, 1e-12)
        worst = max(worst, diff)
        if diff > MAX_MIRROR_ERROR:
            rep.problems.append(f"region '{r.id}' and '{other}' are not mirror images ({100 * diff:.3f}% differ)")
    rep.figures["mirror_error_max"] = worst
    rep.lines.append(f"mirror symmetry: worst left/right difference {worst:.2e} of region area")
    # left/right: the patient's right is on the viewer's left on the front view
    for view in VIEWS:
        for side in SIDES:
            xs = [r.geometry.centroid.x for r in atlas.regions_in(view) if r.side == side]
            want_negative = (view == "front") == (side == "right")
            if xs and any((x < 0) != want_negative for x in xs):
                rep.problems.append(f"{view}: some {side}_ regions are on the wrong side of the midline")
    # dermatome key points inside their core
    n_kp = 0
    for d in atlas.dermatomes:
        for kp in d.key_points:
            n_kp += 1
            if not d.core[kp.view].contains(Point(kp.x, kp.y)):
                rep.problems.append(f"dermatome '{d.id}': key point '{kp.name}' is not inside its core ({kp.view})")
            if not d.wide[kp.view].contains(Point(kp.x, kp.y)):
                rep.problems.append(f"dermatome '{d.id}': key point '{kp.name}' is not inside its wide zone")
            if not atlas.silhouette(kp.view).contains(Point(kp.x, kp.y)):
                rep.problems.append(f"dermatome '{d.id}': key point '{kp.name}' is outside the body")
        for view in VIEWS:
            core, wide = d.core[view], d.wide[view]
            if not core.is_empty and shapely.difference(core, wide).area > 1e-9:
                rep.problems.append(f"dermatome '{d.id}': core is not inside the wide zone ({view})")
    rep.figures["dermatomes"] = len(atlas.dermatomes)
    rep.figures["key_points_checked"] = n_kp
    rep.lines.append(f"dermatomes: {len(atlas.dermatomes)} (both sides), {n_kp} key points inside their cores")
    # proportions: about 7.5 heads tall
    sil = atlas.silhouette("front")
    minx, miny, maxx, maxy = sil.bounds
    rep.figures["height_heads"] = maxy - miny
    rep.lines.append(f"figure height {maxy - miny:.2f} head heights (toe tips included); width {maxx - minx:.2f}")
    return rep


def _worst_overlap(regs, total_area) -> tuple[float, str]:
    geoms = [r.geometry for r in regs]
    tree = shapely.STRtree(geoms)
    worst, pair = 0.0, "-"
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist()):
        if i >= j:
            continue
        a = shapely.intersection(geoms[i], geoms[j]).area / total_area
        if a > worst:
            worst, pair = a, f"{regs[i].id}/{regs[j].id}"
    return worst, pair
