"""Standard indices (bodymap.indices) against worked examples from their sources.

- ACR 2016 (Wolfe 2016, regions/indices.yaml `wolfe2016`): WPI counts 19 areas; generalised pain
  needs pain in 4 of the 5 regions, and jaw, chest and abdomen do not count towards it.
- Michigan Body Map: the 35 areas of the imagemap module's `mbody.html` (keys 0-34).
- CHOIR: a map imported from CHOIR codes counts those codes as its segments.
"""
from __future__ import annotations

import csv
import io

import pytest

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.exports.choir import choir_table
from bodymap.indices import check_against_atlas, compute_indices, indices_for_map, load_index_defs
from bodymap.painting import PainMap


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def painted(atlas, *regions: str) -> PainMap:
    m = PainMap(atlas)
    for r in regions:
        m.paint_region(r, 1.0)
    return m


def test_definitions_match_the_atlas_and_the_instruments(atlas):
    d = load_index_defs()
    assert check_against_atlas(d, atlas) == []
    assert len(d.wpi_areas) == 19 and len(d.mbm_areas) == 35
    assert list(d.wpi_regions) == ["left_upper", "right_upper", "left_lower", "right_lower", "axial"]
    # the criteria's own grouping: each of the four limb regions holds its side's areas
    by_group = {g: sorted(a.id for a in d.wpi_areas if a.group == g) for g in d.wpi_regions}
    assert by_group["left_upper"] == ["jaw_left", "lower_arm_left", "shoulder_girdle_left", "upper_arm_left"]
    assert by_group["right_lower"] == ["hip_right", "lower_leg_right", "upper_leg_right"]
    assert by_group["axial"] == ["abdomen", "chest", "lower_back", "neck", "upper_back"]
    # every region of a sided area lies on that side
    for a in d.wpi_areas + d.mbm_areas:
        for side in ("left", "right"):
            if a.id.endswith("_" + side):
                assert all(atlas.region(r).side == side for r in a.regions), a.id


def test_hemibody_pain_has_a_high_wpi_but_is_not_generalised(atlas):
    # Wolfe 2016: the generalised-pain criterion was added because regional pain syndromes reached
    # the WPI threshold. Left arm and leg, neck and low back: WPI 8, but only 3 of 5 regions.
    m = painted(atlas, "left_front_of_shoulder", "left_upper_arm_front", "left_forearm_ulnar_back", "left_buttock",
                "left_anterior_thigh", "left_calf", "right_back_of_neck", "right_lower_back")
    idx = indices_for_map(m)
    assert idx.wpi == 8
    assert sorted(idx.generalised_regions) == ["axial", "left_lower", "left_upper"]
    assert idx.generalised_pain is False


def test_four_of_five_regions_is_generalised(atlas):
    m = painted(atlas, "right_back_of_shoulder", "left_front_of_shoulder", "right_posterior_thigh",
                "left_lateral_hip", "left_lower_back")
    idx = indices_for_map(m)
    assert idx.wpi == 5  # both lower-back halves would still be one area; here one of each listed area
    assert len(idx.generalised_regions) == 5 and idx.generalised_pain is True


def test_jaw_chest_and_abdomen_do_not_make_pain_generalised(atlas):
    # WPI 7 over all five regions if jaw, chest and abdomen counted; by the 2016 rule only 3 regions
    m = painted(atlas, "left_jaw", "right_jaw", "right_chest", "left_lower_abdomen",
                "left_upper_arm_back", "left_shin", "right_calf")
    idx = indices_for_map(m)
    assert idx.wpi == 7
    assert sorted(idx.generalised_regions) == ["left_lower", "left_upper", "right_lower"]
    assert idx.generalised_pain is False
    # add the neck (axial) and it is 4 of 5
    m.paint_region("left_front_of_neck", 1.0)
    assert indices_for_map(m).generalised_pain is True


def test_michigan_body_map_count_of_a_known_drawing(atlas):
    # hand (palm and back: one area each side), right knee front and back (one area), face, head
    m = painted(atlas, "right_palm", "left_back_of_hand", "right_knee", "right_back_of_knee", "right_face",
                "left_back_of_head")
    idx = indices_for_map(m)
    assert sorted(idx.mbm_areas) == ["face", "head", "knee_right", "wrist_hand_left", "wrist_hand_right"]
    assert idx.mbm_count == 5


def test_every_region_painted_reaches_the_top_of_each_scale(atlas):
    idx = compute_indices(atlas.region_ids, 100.0)
    assert idx.wpi == 19 and idx.generalised_pain
    assert idx.mbm_count == 35  # atlas 3 has a jaw of its own, so the MBM's two jaw boxes can be ticked too
    assert 0 < idx.choir_segment_count <= 74


@pytest.mark.parametrize("view, x, expected", [("front", -0.5, "upper_leg_right"), ("front", 0.5, "upper_leg_left"),
                                               ("back", -0.5, "upper_leg_left"), ("back", 0.5, "upper_leg_right")])
def test_sides_follow_the_patient_on_both_views(atlas, view, x, expected):
    # front: the patient's right is on the viewer's left (x < 0); back: on the viewer's right
    m = PainMap(atlas)
    m.stroke(view, [(x, 4.9), (x, 5.1)], radius=0.12)
    assert indices_for_map(m).mbm_areas == [expected]
    side = expected.rsplit("_", 1)[1]
    assert indices_for_map(m).wpi_areas == [f"upper_leg_{side}"]


def test_a_speck_counts_for_nothing(atlas):
    m = PainMap(atlas)
    m.stroke("front", [(-0.5, 5.0)], radius=0.01)  # a stray dot: not a counted region
    assert m.region_coverage()  # something was painted ...
    idx = indices_for_map(m)
    assert (idx.wpi, idx.mbm_count, idx.choir_segment_count) == (0, 0, 0)  # ... but nothing counts
    assert idx.body_area_percent > 0


def test_choir_count_of_a_map_imported_from_codes(atlas):
    # docs/choir-mapping.md's example row: 218;219;223;229;b33 -> five CHOIR segments
    t = choir_table()
    codes = [t.parse_code(c) for c in "218;219;223;229;b33".split(";")]
    m = painted(atlas, *[r for c in codes for r in t.regions(c)])
    idx = indices_for_map(m)
    assert idx.choir_segments == sorted(codes)
    assert idx.choir_segment_count == 5


def test_export_show_and_fhir_agree(atlas, tmp_path, capsys):
    from bodymap.cli import main
    from bodymap.exports.fhir import bundle_for

    m = painted(atlas, "right_lower_back", "left_calf", "right_front_of_shoulder", "left_chest")
    fileformat.save(m, tmp_path / "a.bodymap")
    want = indices_for_map(fileformat.load(tmp_path / "a.bodymap"))
    assert main(["export", str(tmp_path), "--csv"]) == 0
    row = next(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert int(row["wpi"]) == want.wpi == 4
    assert row["generalised_pain"] == "no"
    assert int(row["mbm_count"]) == want.mbm_count
    assert int(row["choir_segment_count"]) == want.choir_segment_count
    assert float(row["body_area_percent"]) == pytest.approx(want.body_area_percent, abs=1e-4)
    assert main(["show", str(tmp_path / "a.bodymap")]) == 0
    assert "WPI 4/19, generalised pain no (3 of 5 regions)" in capsys.readouterr().out
    comps = {c["code"]["coding"][0]["code"]: c for e in bundle_for(m)["entry"]
             for c in e["resource"].get("component", []) if c["code"].get("coding")
             and c["code"]["coding"][0]["system"] == "urn:bodymap:index"}
    assert comps["wpi"]["valueInteger"] == 4 and comps["generalised_pain"]["valueBoolean"] is False
    assert comps["mbm_count"]["valueInteger"] == want.mbm_count
