"""Maps saved on an older atlas version, brought onto the current one.

A .bodymap file stores painted pixels in the atlas frame, not region ids, so a
map is remapped by keeping its pixels and letting the current atlas say which
region each pixel belongs to. Each atlas version step below records what
changed, so that a loaded map can say so in its notes, and any change to the
pixel grid or to the silhouette has one place to live.

The file reader calls `remap_layers` once; nothing else here knows about files.

    >>> [s.to_version for s in STEPS]
    [2, 3]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Layers = dict[str, np.ndarray]  # view -> (sensations, rows, cols) bool
Body = dict[str, np.ndarray]  # view -> (rows, cols) bool: the current atlas's silhouette on the layers' grid

#: how far (in pixels of the layers' grid, per 80 px per head height) paint outside the new
#: silhouette may travel to the nearest body pixel; the atlas 3 finger gaps are a few pixels wide
MOVE_REACH_PX = 16


def _keep(layers: Layers, body: Body | None) -> Layers:
    return layers


@dataclass(frozen=True)
class Step:
    to_version: int
    note: str
    moved: dict[str, str]  # region stem whose area shrank -> stem that took part of it
    layers: Callable[[Layers, Body | None], Layers] = _keep  # the pixel grid did not change


def move_paint_onto_body(layers: Layers, body: Body | None) -> Layers:
    """Paint that lies outside the current silhouette moves to the nearest body pixel.

    Atlas 3 drew the hand with fingers: the old mitten's paint between the fingers
    would otherwise fall off the body when the map is loaded (the painting keeps
    only body pixels). Every such pixel gives its sensations to the nearest body
    pixel (within MOVE_REACH_PX, scaled with the grid), so no sensation painted on
    a hand is lost; paint already on the body is never changed.
    """
    if body is None:
        return layers
    out = {}
    for view, lay in layers.items():
        b = body.get(view)
        if b is None or b.shape != lay.shape[1:]:
            out[view] = lay
            continue
        lay = lay.copy()
        rows, cols = lay.shape[1:]
        reach = max(4, int(round(MOVE_REACH_PX * rows / 640)))
        ys, xs = np.nonzero(lay.any(axis=0) & ~b)
        for y, x in zip(ys.tolist(), xs.tolist()):
            r0, r1, c0, c1 = max(y - reach, 0), min(y + reach + 1, rows), max(x - reach, 0), min(x + reach + 1, cols)
            by, bx = np.nonzero(b[r0:r1, c0:c1])
            if len(by) == 0:
                continue
            k = int(np.argmin((by + r0 - y) ** 2 + (bx + c0 - x) ** 2))
            lay[:, by[k] + r0, bx[k] + c0] |= lay[:, y, x]
            lay[:, y, x] = False
        out[view] = lay
    return out


STEPS: tuple[Step, ...] = (
    Step(2, "atlas 2 gives the inner and outer ankle bones (malleoli) to the inner and outer leg, "
            "no longer to the foot: painting on them now counts there",
         {"dorsum_foot": "medial_leg", "lateral_foot": "lateral_leg"}),
    Step(3, "atlas 3 draws the hand with five fingers and divides the upper body more finely (fingers, "
            "thenar and hypothenar, first web space, the thumb and little-finger sides of the forearm, "
            "outer and inner upper arm, temple, jaw, base of the skull, top of the shoulder, shoulder blade, "
            "between the shoulder blades); paint that fell between the new fingers was moved onto the "
            "nearest finger",
         {"palm": "thumb_palmar", "back_of_hand": "thumb_dorsal", "forearm_front": "forearm_radial_front",
          "forearm_back": "forearm_radial_back", "face": "temple", "back_of_head": "occiput",
          "upper_arm_front": "lateral_arm", "upper_back": "scapular"},
         move_paint_onto_body),
)


def steps_between(from_version: int, to_version: int) -> list[Step]:
    """The steps that take a map drawn on `from_version` to `to_version` (none going back)."""
    return [s for s in STEPS if from_version < s.to_version <= to_version]


def remap_layers(layers: Layers, from_version: int, to_version: int,
                 body: Body | None = None) -> tuple[Layers, list[str]]:
    """Apply every step after `from_version`; return the layers and one note per step.

    `body` is the current silhouette on the layers' grid (`Raster.body`); a step
    that moves paint onto the body needs it (without it the layers are unchanged).
    """
    notes = []
    for step in steps_between(from_version, to_version):
        layers = step.layers(layers, body)
        notes.append(step.note)
    return layers, notes
