"""Comparing two pain maps of one patient: new, resolved and persistent areas, Jaccard, extent change."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .atlas import VIEWS
from .errors import UsageError
from .painting import PainMap


@dataclass(frozen=True)
class Comparison:
    new: dict[str, np.ndarray]  # painted now, not before
    resolved: dict[str, np.ndarray]  # painted before, not now
    persistent: dict[str, np.ndarray]  # painted in both
    jaccard: float  # |A and B| / |A or B| over both views (1.0 when both are empty)
    extent_before: float
    extent_after: float
    body_pixels: int = 0  # the body's pixels on the maps' grid, both views

    @property
    def extent_change(self) -> float:
        return self.extent_after - self.extent_before

    def area_percent(self, kind: str) -> float:
        """Share of the body (both views) in one kind of difference (new, resolved, persistent), in %."""
        n = sum(int(getattr(self, kind)[v].sum()) for v in VIEWS)
        return 100.0 * n / max(self.body_pixels, 1)


def compare(before: PainMap, after: PainMap) -> Comparison:
    """Pixel-wise comparison (any sensation counts as painted); both maps must share an atlas grid."""
    if before.atlas.id != after.atlas.id or before.raster.shape != after.raster.shape:
        raise UsageError("the two maps were drawn on different atlases or grids and cannot be compared")
    new, resolved, persistent = {}, {}, {}
    inter = union = 0
    for v in VIEWS:
        a, b = before.any_mask(v), after.any_mask(v)
        new[v] = b & ~a
        resolved[v] = a & ~b
        persistent[v] = a & b
        inter += int(persistent[v].sum())
        union += int((a | b).sum())
    jac = 1.0 if union == 0 else inter / union
    body = sum(int(before.atlas.raster(before.scale).body[v].sum()) for v in VIEWS)
    return Comparison(new, resolved, persistent, jac, before.extent_percent()["total"],
                      after.extent_percent()["total"], body)
