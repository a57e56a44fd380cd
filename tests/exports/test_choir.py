"""CHOIR Body Map codes: the table against the atlas and the published numbering, and import-regions with codes.

Expected numbers come from the public sources named in docs/choir-mapping.md (the CHOIRBM R
package and the REDCap imagemap module), not from the table under test.
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

import bodymap
from bodymap import cli
from bodymap.atlas import load_atlas
from bodymap.errors import UsageError
from bodymap.exports.choir import check_against_atlas, choir_table

# CHOIRBM R/convert_bodymap.R: female-drawing code -> standard (male-drawing) code
FEMALE_TO_STANDARD = {112: 116, 113: 117, 114: 112, 115: 113, 116: 114, 117: 115}
# CHOIRBM data-raw/bm_poly_construct.R: the codes whose polygon lies wholly on the VIEWER's left of
# its drawing's midline (x <= 140 of the front drawing, x <= 146 of the back one); every other code
# lies wholly on the viewer's right. No polygon crosses the midline.
VIEWER_LEFT = {101, 103, 105, 107, 108, 111, 113, 115, 116, 119, 120, 121, 125, 126, 129, 131, 133, 135,
               201, 203, 205, 207, 208, 211, 212, 215, 217, 218, 221, 222, 223, 227, 228, 231, 233, 235, 237}


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture(scope="module")
def table():
    return choir_table()


def _run(argv, capsys):
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def _write_csv(path: Path, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return path


#: CHOIR's "Bicep (front-left)" covers the whole front of the upper arm: on atlas 3, three regions
LEFT_BICEP = {"left_upper_arm_front", "left_lateral_arm", "left_medial_arm"}


def _painted(path: Path) -> set[str]:
    return {r for r, c in bodymap.load(path).region_coverage().items() if c > 0.99}


# ---------------------------------------------------------------------------
# The table


def test_table_has_every_published_code_and_fits_the_atlas(table, atlas):
    assert sorted(table.codes) == list(range(101, 137)) + list(range(201, 239))  # 36 front + 38 back
    assert check_against_atlas(table, atlas) == []
    for code, c in table.codes.items():
        # every region a code paints is on that code's drawing (front codes on the front view)
        assert {atlas.region(r).view for r in c.paint} == {c.view}, code


def test_each_code_paints_the_same_side_of_the_drawing_as_choir(table, atlas):
    """Checked against CHOIR's own polygons, on both drawings: a code on the viewer's left of CHOIR's
    drawing paints regions on the viewer's left of bodymap's, so patient left/right agree."""
    mid = {v: atlas.silhouette(v).centroid.x for v in ("front", "back")}
    seen = set()
    for code, c in table.codes.items():
        assert f"-{c.side})" in c.label, code  # "(front-right)", "(palm-left)", "(back-left)"
        for rid in c.paint:
            r = atlas.region(rid)
            if r.side == "midline":
                continue
            assert r.side == c.side, (code, rid)
            x = r.geometry.representative_point().x
            assert (x < mid[r.view]) == (code in VIEWER_LEFT), (code, rid)
            seen.add((r.view, code in VIEWER_LEFT))
    assert seen == {("front", True), ("front", False), ("back", True), ("back", False)}


def test_parse_code_forms_and_the_female_drawing(table):
    assert table.parse_code("101") == 101 and table.parse_code(" 238 ") == 238
    assert table.parse_code("f01") == 101 and table.parse_code("F36") == 136
    assert table.parse_code("b01") == 201 and table.parse_code("B38") == 238
    assert table.redcap(101) == "f01" and table.redcap(238) == "b38"
    for female, standard in FEMALE_TO_STANDARD.items():
        assert table.parse_code(str(female), female=True) == standard
        assert table.parse_code(str(female)) == female
        # REDCap keys already use the standard numbering (imagemap's female drawing has the male keys)
        assert table.parse_code(table.redcap(female), female=True) == female
    assert table.parse_code("118", female=True) == 118  # outside the six: unchanged
    for bad in ("100", "137", "200", "239", "f00", "f37", "b39", "x01", "1O1", "", "f1", "1010"):
        with pytest.raises(UsageError):
            table.parse_code(bad)


def test_codes_for_regions_male_and_female(table):
    # the published labels: 234 "Lower Leg (back-right)", 104 "Face (front-left)", 116 "Abdomen (front-right)"
    assert table.codes_for_regions(["right_calf", "left_face"]) == [104, 234]
    assert table.codes_for_regions(["right_upper_abdomen", "right_lower_abdomen"]) == [116]
    assert table.codes_for_regions(["right_upper_abdomen"], female=True) == [112]
    assert table.codes_for_regions(["left_upper_arm_front"]) == [112]
    assert table.codes_for_regions(["left_upper_arm_front"], female=True) == [114]
    assert table.codes_for_regions(["right_calf"], female=True) == [234]
    assert table.codes_for_regions([]) == []


def test_every_region_exports_to_a_code_that_imports_it_back(table, atlas):
    """region -> code -> regions contains the region, except midline regions CHOIR has no place for."""
    no_choir_region = {"sacrum", "perineum"}  # CHOIR draws neither; written as both buttock regions
    for rid in atlas.region_ids:
        codes = table.codes_for_regions([rid])
        assert codes, rid
        back = {r for c in codes for r in table.regions(c)}
        if rid in no_choir_region:
            assert rid not in back and {atlas.region(r).stem for r in back} >= {"buttock"}
        else:
            assert rid in back, (rid, codes)


def test_codes_round_trip_through_bodymap_regions(table):
    """code -> painted regions -> codes gives the code back, except where docs/choir-mapping.md says not."""
    for code, c in table.codes.items():
        back = table.codes_for_regions(table.regions(code))
        if c.nearest:
            assert code not in back and len(back) == 1, code  # written as the neighbour that holds the region
        elif code in (121, 122):
            assert back == [121, 122]  # one pubic half paints the midline pubic area, written as both halves
        else:
            assert back == [code], (code, back)


# ---------------------------------------------------------------------------
# import-regions with codes


def test_import_regions_reads_choir_and_redcap_codes(tmp_path, capsys):
    src = _write_csv(tmp_path / "codes.csv", [
        ["patient_id", "regions", "choir_female"],
        ["m1", "234;b33;104", ""],
        ["m2", "112", ""],  # standard numbering: left bicep
        ["f1", "112", "yes"],  # female drawing: right abdomen
        ["f2", "f12", "female"],  # REDCap keys are never renumbered
    ])
    out = tmp_path / "out"
    rc, stdout, err = _run(["import-regions", src, out], capsys)
    assert rc == 0, err
    assert _painted(out / "m1.bodymap") == {"right_calf", "left_calf", "left_face", "left_temple", "left_jaw"}  # atlas 3: the face segment holds temple and jaw
    assert _painted(out / "m2.bodymap") == LEFT_BICEP
    assert _painted(out / "f1.bodymap") == {"right_upper_abdomen", "right_lower_abdomen"}
    assert _painted(out / "f2.bodymap") == LEFT_BICEP


def test_choir_female_option_and_row_override(tmp_path, capsys):
    src = _write_csv(tmp_path / "codes.csv", [
        ["patient_id", "regions", "choir_female"],
        ["a", "114", ""],  # the option applies: female 114 is the left bicep (standard 112)
        ["b", "114", "no"],  # the row says male drawing: left elbow
        ["c", "114", "perhaps"],  # refused
    ])
    out = tmp_path / "out"
    rc, _, err = _run(["import-regions", src, out, "--choir-female"], capsys)
    assert rc == 2 and "Traceback" not in err
    assert "choir_female" in err and "perhaps" in err
    assert _painted(out / "a.bodymap") == LEFT_BICEP
    assert _painted(out / "b.bodymap") == {"left_elbow_front"}
    assert not (out / "c.bodymap").exists()


def test_ambiguous_sides_and_bad_codes_are_refused(tmp_path, capsys):
    src = _write_csv(tmp_path / "bad.csv", [
        ["patient_id", "regions"],
        ["both", "left right calf"],
        ["range", "137"],
        ["redcap", "b39"],
        ["ok", "right calf;left calf"],
        ["bare", "calf"],
    ])
    out = tmp_path / "out"
    rc, _, err = _run(["import-regions", src, out], capsys)
    assert rc == 2 and "Traceback" not in err
    assert "both left and right" in err and "137" in err and "b39" in err
    assert sorted(p.name for p in out.iterdir()) == ["bare.bodymap", "ok.bodymap"]
    assert _painted(out / "ok.bodymap") == _painted(out / "bare.bodymap") == {"left_calf", "right_calf"}
