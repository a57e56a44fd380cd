"""Body areas the clinical rules count: the ACR 2016 widespread pain index and atlas 3's finer regions.

The matcher's rules (bodymap.rules) read these tables: the widespread pain index (WPI) areas and
body regions of generalised pain (ACR 2016, Wolfe 2016), and which atlas 3 regions refine one atlas 2
region, so that "no pain in the hand" counts once however finely the hand is cut (ADR 0024).

The WPI areas are not a table of their own here: they are regions/indices.yaml's (bodymap.indices,
with its source), the one mapping behind `bodymap show`, `stats`, the exports and the matcher's
widespread pain line, so the matcher and `show` never count a different WPI (ADR 0040).

Headless: numpy and the YAML reader only.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .indices import load_index_defs

# Atlas 3 (ADR 0021) cut eight atlas 2 regions finer: the hand into digits, thenar and hypothenar,
# the forearm into halves, the front of the upper arm into three strips, the face and the back of
# the head into parts, the upper back into four. "No pain in the hand" is one observation however
# finely the hand is cut, so an unpainted region counts as its share (1/n) of the old region it
# refines (ADR 0024); painted regions count in full, so a painted thumb still tells C6 from C8.
REFINES = {
    "palm": "palm", "thenar": "palm", "hypothenar": "palm",
    **{f"{d}_palmar": "palm" for d in ("thumb", "index_finger", "middle_finger", "ring_finger", "little_finger")},
    "back_of_hand": "back_of_hand", "first_web_space": "back_of_hand",
    **{f"{d}_dorsal": "back_of_hand" for d in ("thumb", "index_finger", "middle_finger", "ring_finger",
                                                "little_finger")},
    "forearm_radial_front": "forearm_front", "forearm_ulnar_front": "forearm_front",
    "forearm_radial_back": "forearm_back", "forearm_ulnar_back": "forearm_back",
    "upper_arm_front": "upper_arm_front", "lateral_arm": "upper_arm_front", "medial_arm": "upper_arm_front",
    "face": "face", "temple": "face", "jaw": "face",
    "back_of_head": "back_of_head", "occiput": "back_of_head",
    "upper_back": "upper_back", "trapezius_ridge": "upper_back", "scapular": "upper_back", "interscapular": "upper_back",
}


def absence_weights(regions) -> np.ndarray:
    """(R,) the weight of each region's "not painted" term: 1 over the number of regions (same view
    and side) that refine one old region, else 1 (ADR 0024)."""
    fam = [(REFINES.get(r.stem, r.stem + "#"), r.view, r.side) for r in regions]
    n: dict = {}
    for k in fam:
        n[k] = n.get(k, 0) + 1
    return np.array([1.0 / n[k] for k in fam])


def wpi_area(region) -> str | None:
    """The WPI area a region belongs to ('upper_leg_right', 'neck'; regions/indices.yaml's area ids), or None."""
    return _wpi_tables()[0].get(region.id)


def body_region(area: str) -> str | None:
    """The ACR 2016 body region of a WPI area for generalised pain ('right_lower', 'axial'), or None for the
    areas the criterion leaves out (jaw, chest, abdomen: indices.yaml's `not_for_generalised`)."""
    return _wpi_tables()[1].get(area)


@lru_cache(maxsize=1)
def _wpi_tables() -> tuple[dict[str, str], dict[str, str | None]]:
    """({region id: WPI area id}, {WPI area id: generalised-pain region or None}) from regions/indices.yaml."""
    d = load_index_defs()
    area_of = {rid: a.id for a in d.wpi_areas for rid in a.regions}
    region_of = {a.id: (None if a.id in d.not_for_generalised else a.group) for a in d.wpi_areas}
    return area_of, region_of
