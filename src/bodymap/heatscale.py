"""The frequency-map colour scale (numpy only), shared by the research exports and the picture renderer."""
from __future__ import annotations

from typing import Protocol

import numpy as np

# Viridis (perceptually ordered, colour-blind safe) at 0, 1/4, 1/2, 3/4 and 1: the
# published five-step anchors; between them the scale is interpolated linearly in RGB.
VIRIDIS_ANCHORS: tuple[tuple[float, tuple[int, int, int]], ...] = (
    (0.00, (0x44, 0x01, 0x54)),
    (0.25, (0x3B, 0x52, 0x8B)),
    (0.50, (0x21, 0x91, 0x8C)),
    (0.75, (0x5E, 0xC9, 0x62)),
    (1.00, (0xFD, 0xE7, 0x25)),
)


class Shares(Protocol):
    """What a frequency map offers the colour scale (bodymap.exports.research.Heatmap)."""
    max_share: float

    def share(self, view: str) -> np.ndarray: ...


def colour_scale(t) -> np.ndarray:
    """Map values in [0, 1] to viridis RGB (uint8, shape (..., 3)); values outside are clipped."""
    t = np.clip(np.asarray(t, dtype=float), 0.0, 1.0)
    xs = np.array([a for a, _ in VIRIDIS_ANCHORS])
    out = np.empty(t.shape + (3,), dtype=np.uint8)
    for ch in range(3):
        ys = np.array([c[ch] for _, c in VIRIDIS_ANCHORS], dtype=float)
        out[..., ch] = np.rint(np.interp(t, xs, ys)).astype(np.uint8)
    return out


def heatmap_rgb(hm: Shares, view: str, vmax: float | None = None) -> np.ndarray:
    """(rows, cols, 3) colours of one view: share / vmax on the viridis scale (vmax default: the largest share)."""
    vmax = hm.max_share if vmax is None else vmax
    share = hm.share(view)
    t = share / vmax if vmax > 0 else np.zeros_like(share)
    return colour_scale(t)
