"""Atlas version 2: the malleoli belong to the leg, key points land in their pattern's key-point
regions, and maps saved on atlas version 1 load remapped (issue 12, item 1)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import yaml
from shapely.geometry import Point

from bodymap import fileformat as ff
from bodymap.atlas import VIEWS, build_atlas, load_atlas, viewer_sign
from bodymap.atlas_remap import STEPS, remap_layers, steps_between
from bodymap.errors import AtlasError
from bodymap.matcher import SOFT_LOW, load_patterns, match
from bodymap.painting import PainMap
from bodymap.paths import regions_dir

SIDES = ("right", "left")


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture(scope="module")
def lib():
    return load_patterns()


def _view_point(view, side, x, y):
    """Atlas-yaml coordinates (patient's right half, x >= 0) to the view frame for `side`."""
    return Point(x * viewer_sign(view, side), y)


def _region_at(atlas, view, p):
    hits = [r for r in atlas.regions_in(view) if r.geometry.contains(p)]
    assert len(hits) == 1, f"{p} lies in {[r.id for r in hits]}"
    return hits[0]


def test_every_dermatome_key_point_lies_in_a_key_point_region_of_its_pattern(atlas, lib):
    by_root = {p.id.removeprefix("root_"): p for p in lib.patterns if p.id.startswith("root_")}
    checked = set()
    for d in atlas.dermatomes:
        pat = by_root.get(d.root)
        if pat is None:
            continue  # T10-L1, S2, S3-S5: no referral pattern in the library
        key_stems = {kp["region"] for kp in pat.key_points}
        assert key_stems, f"{pat.id} lists no key-point region"
        for kp in d.key_points:
            region = _region_at(atlas, kp.view, Point(kp.x, kp.y))
            assert region.stem in key_stems, (f"{d.id}: {kp.name} lies in {region.id}, but {pat.id} lists "
                                              f"{sorted(key_stems)} as key-point regions")
            assert region.side == d.side, f"{d.id}: {kp.name} lies in {region.id}"
            checked.add((d.root, d.side))
    assert {r for r, _ in checked} >= {"L2", "L3", "L4", "L5", "S1"}
    assert {s for _, s in checked} == set(SIDES)


@pytest.mark.parametrize("side", SIDES)
def test_the_malleoli_belong_to_the_leg_and_the_front_of_the_ankle_to_the_foot(atlas, side):
    # just inside the medial (0.13, 7.10) and lateral (0.38, 7.18) malleolus of the body outline
    assert _region_at(atlas, "front", _view_point("front", side, 0.15, 7.12)).id == f"{side}_medial_leg"
    assert _region_at(atlas, "front", _view_point("front", side, 0.36, 7.14)).id == f"{side}_lateral_leg"
    assert _region_at(atlas, "front", _view_point("front", side, 0.25, 7.15)).id == f"{side}_dorsum_foot"
    # the foot below the ankle is unchanged
    assert _region_at(atlas, "front", _view_point("front", side, 0.25, 7.40)).id == f"{side}_dorsum_foot"
    assert _region_at(atlas, "front", _view_point("front", side, 0.47, 7.35)).id == f"{side}_lateral_foot"


@pytest.mark.parametrize("side", SIDES)
def test_a_numb_inner_ankle_counts_for_L4_not_the_peroneal_nerve_or_L5(atlas, side):
    m = PainMap(atlas)
    s = viewer_sign("front", side)
    m.stroke("front", [(0.17 * s, 6.3), (0.16 * s, 6.8)], "aching", radius=0.04)
    m.stroke("front", [(0.15 * s, 7.08), (0.15 * s, 7.14)], "numbness", radius=0.03)
    cov = m.region_coverage()
    assert cov.get(f"{side}_medial_leg", 0) > 0.2
    assert cov.get(f"{side}_dorsum_foot", 0) < SOFT_LOW  # a brush edge at most: not counted as painted
    m.answers["numbness"] = True
    r = match(m, top_n=200)
    patterns = [h for h in r.hypotheses if h.id != "none"]
    assert (patterns[0].id, patterns[0].side) == ("root_L4", side)
    pids = [h.id for h in r.hypotheses]
    assert pids.index("root_L4") < min(pids.index("peroneal_nerve"), pids.index("root_L5"))
    l4 = next(h for h in r.hypotheses if h.id == "root_L4")
    assert any("L4 ISNCSCI key sensory point" in e.text and e.direction == "for" for e in l4.evidence)


def test_the_atlas_version_was_bumped_with_a_remap_step(atlas):
    assert atlas.version == max(s.to_version for s in STEPS)
    assert [s.to_version for s in steps_between(1, atlas.version)] == list(range(2, atlas.version + 1))
    assert steps_between(atlas.version, atlas.version) == []


def _ankle_map(atlas):
    m = PainMap(atlas)
    for side in SIDES:
        s = viewer_sign("front", side)
        m.stroke("front", [(0.15 * s, 7.10), (0.15 * s, 7.14)], "numbness", radius=0.025)
    m.paint_region("right_calf", 0.4, "aching")
    return m


def test_a_map_saved_on_atlas_version_1_loads_and_is_remapped(atlas, tmp_path):
    m = _ankle_map(atlas)
    doc = json.loads(ff.dumps(m))
    doc["atlas"]["version"] = 1
    doc["atlas"]["content_hash"] = "fedcba9876543210" * 4  # atlas 1 had another hash
    path = tmp_path / "old.bodymap"
    path.write_text(json.dumps(doc))
    back = ff.load(path, atlas=atlas)
    for v in VIEWS:  # same frame and grid: the painting is kept pixel for pixel
        assert np.array_equal(back.layers(v), m.layers(v))
    cov = back.region_coverage()
    for side in SIDES:  # ... and the inner ankle now counts for the inner leg
        assert cov.get(f"{side}_medial_leg", 0) > 0
        assert cov.get(f"{side}_dorsum_foot", 0) < SOFT_LOW
    notes = " ".join(back.meta["notes"])
    assert "malleoli" in notes and "version 1" in notes


def test_a_map_saved_on_the_current_atlas_gets_no_remap_note(atlas, tmp_path):
    back = ff.loads(ff.dumps(_ankle_map(atlas)), atlas=atlas)
    assert not any("malleoli" in n for n in back.meta["notes"])


def test_remap_layers_applies_each_later_step_once():
    layers = {v: np.zeros((5, 2, 3), dtype=bool) for v in VIEWS}
    out, notes = remap_layers(layers, 1, 2)
    assert len(notes) == 1 and out.keys() == layers.keys()
    assert remap_layers(layers, 2, 2)[1] == []


def test_a_region_priority_must_be_a_whole_number(tmp_path):
    root = tmp_path / "regions"
    shutil.copytree(regions_dir(), root)
    path = root / "atlas.yaml"
    doc = yaml.safe_load(path.read_text())
    knee = next(r for r in doc["views"]["front"]["regions"] if r["id"] == "knee")
    knee["priority"] = "high"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(AtlasError, match="priority"):
        build_atlas(root)


def test_priority_changes_who_claims_an_overlap_but_not_the_listed_order(atlas, tmp_path):
    root = tmp_path / "regions"
    shutil.copytree(regions_dir(), root)
    path = root / "atlas.yaml"
    doc = yaml.safe_load(path.read_text())
    for r in doc["views"]["front"]["regions"]:
        if r["id"] in ("knee", "lateral_leg", "medial_leg"):  # the ankle's claims (atlas 3 adds others)
            r.pop("priority", None)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    old = build_atlas(root)
    assert old.region_ids == atlas.region_ids  # export columns keep their order
    p = _view_point("front", "right", 0.15, 7.12)  # without priorities the foot claims the medial malleolus
    assert _region_at(old, "front", p).id == "right_dorsum_foot"
