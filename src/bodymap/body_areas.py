"""Body areas the clinical rules count: the ACR 2016 widespread pain index and atlas 3's finer regions.

The matcher's rules (bodymap.rules) read these tables: the widespread pain index (WPI) areas and
body regions of generalised pain (ACR 2016, Wolfe 2016), and which atlas 3 regions refine one atlas 2
region, so that "no pain in the hand" counts once however finely the hand is cut (ADR 0024).

Headless: numpy only.
"""
from __future__ import annotations

import numpy as np

# ACR 2016 widespread pain index areas (Wolfe et al. 2016, S): 7 areas per side and 5 axial.
# Atlas stems not listed here (hands and fingers, feet, head and face) are not WPI areas. Atlas 3's finer
# upper-body regions sit in the area they are part of, as regions/indices.yaml counts them: the trapezius
# ridge with the shoulder girdle (M), the arm strips with the upper arm, the forearm halves with the lower
# arm, the shoulder blade and between the shoulder blades with the upper back; its jaw region is the jaw.
WPI_SIDED = {
    "front_of_shoulder": "shoulder girdle", "back_of_shoulder": "shoulder girdle", "trapezius_ridge": "shoulder girdle",
    "upper_arm_front": "upper arm", "upper_arm_back": "upper arm", "lateral_arm": "upper arm", "medial_arm": "upper arm",
    "elbow_front": "lower arm", "elbow_back": "lower arm",
    "forearm_radial_front": "lower arm", "forearm_ulnar_front": "lower arm",
    "forearm_radial_back": "lower arm", "forearm_ulnar_back": "lower arm",
    "jaw": "jaw",
    "buttock": "hip", "lower_buttock": "hip", "lateral_hip": "hip", "sacroiliac": "hip", "groin": "hip",
    "anterior_thigh": "upper leg", "lateral_thigh": "upper leg", "medial_thigh": "upper leg",
    "posterior_thigh": "upper leg", "posterolateral_thigh": "upper leg",
    "knee": "lower leg", "back_of_knee": "lower leg", "shin": "lower leg", "calf": "lower leg",
    "lateral_leg": "lower leg", "medial_leg": "lower leg",
}
WPI_AXIAL = {"front_of_neck": "neck", "back_of_neck": "neck", "upper_back": "upper back", "scapular": "upper back",
             "interscapular": "upper back", "mid_back": "lower back",
             "lower_back": "lower back", "sacrum": "lower back", "chest": "chest", "upper_abdomen": "abdomen",
             "lower_abdomen": "abdomen"}
UPPER_AREAS = ("shoulder girdle", "upper arm", "lower arm", "jaw")
# generalised pain counts these five regions; jaw, chest and abdomen are not part of it (ACR 2016)
GENERALISED_AXIAL = ("neck", "upper back", "lower back")

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
    """The WPI area a region belongs to ('right upper leg', 'neck'), or None."""
    if region.stem in WPI_AXIAL:
        return WPI_AXIAL[region.stem]
    if region.stem in WPI_SIDED and region.side in ("left", "right"):
        return f"{region.side} {WPI_SIDED[region.stem]}"
    return None


def body_region(area: str) -> str | None:
    """The ACR 2016 body region of a WPI area for generalised pain, or None (jaw, chest, abdomen)."""
    if area in GENERALISED_AXIAL:
        return "axial"
    side, _, rest = area.partition(" ")
    if rest == "jaw" or side not in ("left", "right"):
        return None
    return f"{side} {'upper' if rest in UPPER_AREAS else 'lower'}"
