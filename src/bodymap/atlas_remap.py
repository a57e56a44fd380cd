"""Maps saved on an older atlas version, brought onto the current one.

A .bodymap file stores painted pixels in the atlas frame, not region ids, so a
map is remapped by keeping its pixels and letting the current atlas say which
region each pixel belongs to. Each atlas version step below records what
changed, so that a loaded map can say so in its notes, and any change to the
pixel grid itself (none so far) has one place to live.

The file reader calls `remap_layers` once; nothing else here knows about files.

    >>> [s.to_version for s in STEPS]
    [2]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Layers = dict[str, np.ndarray]  # view -> (sensations, rows, cols) bool


@dataclass(frozen=True)
class Step:
    to_version: int
    note: str
    moved: dict[str, str]  # region stem whose area shrank -> stem that took part of it
    layers: Callable[[Layers], Layers] = lambda layers: layers  # the pixel grid did not change


STEPS: tuple[Step, ...] = (
    Step(2, "atlas 2 gives the inner and outer ankle bones (malleoli) to the inner and outer leg, "
            "no longer to the foot: painting on them now counts there",
         {"dorsum_foot": "medial_leg", "lateral_foot": "lateral_leg"}),
)


def steps_between(from_version: int, to_version: int) -> list[Step]:
    """The steps that take a map drawn on `from_version` to `to_version` (none going back)."""
    return [s for s in STEPS if from_version < s.to_version <= to_version]


def remap_layers(layers: Layers, from_version: int, to_version: int) -> tuple[Layers, list[str]]:
    """Apply every step after `from_version`; return the layers and one note per step."""
    notes = []
    for step in steps_between(from_version, to_version):
        layers = step.layers(layers)
        notes.append(step.note)
    return layers, notes
