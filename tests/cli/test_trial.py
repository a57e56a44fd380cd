"""What a new user's trial of the command line found (ADR 0037): each test failed before its fix.

Run in-process through conftest's `cli` runner, as a clinician, a researcher or a clinic's IT would type it.
"""
from __future__ import annotations

import json

import pytest

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import PainMap


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


@pytest.fixture
def a_map(atlas, tmp_path):
    m = PainMap(atlas)
    m.paint_region("right_lateral_leg", 0.7, "burning")
    m.set_visit(patient_id="MRN 1", note="worse on stairs")
    p = tmp_path / "visit.bodymap"
    fileformat.save(m, p)
    return p


# -- an export never writes over a map ----------------------------------------------------------------
@pytest.mark.parametrize("how", ["--fhir", "--csv"])
def test_an_export_into_its_own_map_is_refused_and_the_map_kept(a_map, how, cli):
    before = a_map.read_bytes()
    rc, out, err = cli("export", a_map, how, "-o", a_map)
    assert rc == 2
    assert "Traceback" not in err and err.count("\n") == 1 and str(a_map) in err
    assert a_map.read_bytes() == before  # the patient's map is still the map
    assert fileformat.load(a_map).painted_regions() == ["right_lateral_leg"]


def test_a_map_under_another_name_or_a_history_copy_is_not_replaced_by_an_export(a_map, tmp_path, cli):
    disguised = tmp_path / "bundle.json"
    disguised.write_bytes(a_map.read_bytes())  # a map someone renamed
    history = tmp_path / "visit.BODYMAP~1"  # any case: a Windows or macOS folder does not tell them apart
    for target in (disguised, history):
        rc, _, err = cli("export", a_map, "--fhir", "-o", target)
        assert rc == 2 and str(target) in err
    assert disguised.read_bytes() == a_map.read_bytes() and not history.exists()
    rc, _, err = cli("export", a_map, "--fhir", "-o", tmp_path / "fine.json")  # other names still work
    assert rc == 0, err
    assert json.loads((tmp_path / "fine.json").read_text())["resourceType"] == "Bundle"
    rc, _, err = cli("export", a_map, "--fhir", "-o", tmp_path / "fine.json")  # and an export replaces
    assert rc == 0, err                                                                   # its own earlier file


# -- research output names no patient ---------------------------------------------------------------------
def test_stats_by_group_names_a_bad_file_by_its_key_not_its_name(atlas, tmp_path, cli):
    from bodymap.exports.keys import Pseudonyms

    mrn = "MRN-004217"
    d = tmp_path / "maps"
    d.mkdir()
    for day in ("2026-12-07", "2026-12-21"):
        m = PainMap(atlas)
        m.paint_region("right_calf", 0.6)
        m.set_visit(patient_id=mrn, visit_date=day, recorded_by="Dr A")
        fileformat.save(m, d / f"{mrn}_{day}.bodymap")
    (d / f"{mrn}_broken.bodymap").write_text("not a map")
    for by in ("recorded_by", "visit_year"):
        rc, out, err = cli("stats", d, "--by", by, "--json")
        assert rc == 2  # the broken file
        assert mrn.lower() not in out.lower()
        assert json.loads(out)["bad_files"] == [Pseudonyms().map_key(f"{mrn}_broken.bodymap")]  # as plain `stats`
        assert f"{mrn}_broken.bodymap" in err  # the operator still learns which file to fix


# -- what a clinician reads -------------------------------------------------------------------------------
def test_match_prints_each_pattern_name_whole_in_an_aligned_table(atlas):
    from bodymap.cli.match import format_ranking
    from bodymap.triage import assess, hypothesis_name

    m = PainMap(atlas)
    for rid in ("right_thumb_palmar", "right_index_finger_palmar", "right_middle_finger_palmar"):
        m.paint_region(rid, 1.0, "pins_and_needles")
    m.answers["night_numb_hands"] = True
    r = assess(m)
    names = [hypothesis_name(h) for h in r.hypotheses[:5]]
    assert max(map(len, names)) > 28  # the case that was cut ("Carpal tunnel syndrome (medi")
    lines = format_ranking(r).splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("pattern "))
    rows = lines[head + 1:head + 1 + len(names)]
    for name, row in zip(names, rows):
        assert row.startswith(name + " ")
    # "No pattern fits well" has no side (ADR 0040): its column reads "-"
    side_at = {ln.index(" right " if " right " in ln else " - ") for ln in rows} | {lines[head].index(" side ")}
    assert len(side_at) == 1  # the side column lines up under its heading


def test_show_names_sensations_in_words_not_ids(atlas, tmp_path, cli):
    m = PainMap(atlas)
    m.paint_region("right_dorsum_foot", 0.6, "pins_and_needles")
    m.paint_region("right_lateral_leg", 0.6, "burning")
    m.set_intensity("pins_and_needles", 5)
    p = tmp_path / "tingle.bodymap"
    fileformat.save(m, p)
    rc, out, err = cli("show", p)
    assert rc == 0, err
    assert "pins_and_needles" not in out  # an id, not words
    sens = next(ln for ln in out.splitlines() if ln.startswith("sensations:"))
    assert "pins and needles" in sens and "burning" in sens
    assert "pins and needles 5/10" in next(ln for ln in out.splitlines() if ln.startswith("intensity:"))


# -- clinic IT: doctor ------------------------------------------------------------------------------------
def test_doctor_given_a_map_file_says_it_is_a_file_not_that_nothing_is_there(a_map, cli):
    rc, out, err = cli("doctor", a_map)
    assert rc == 2
    assert "is a file, not a folder" in err and "no such" not in err


def test_doctor_names_map_links_no_reader_can_open(a_map, tmp_path, cli):
    import os

    d = a_map.parent
    os.symlink(tmp_path / "gone.bodymap", d / "dangling.bodymap")
    os.symlink(os.devnull, d / "null.bodymap")
    os.symlink(a_map, d / "alias.bodymap")  # a link to a real map is read as that map: fine
    os.chmod(d, 0o700)
    rc, out, err = cli("doctor", d)
    assert rc == 2
    assert f"{d / 'dangling.bodymap'} is a symbolic link to nothing" in out
    assert f"{d / 'null.bodymap'} is a symbolic link to a device" in out
    assert "alias.bodymap" not in out and "visit.bodymap" not in out
    rc, out, err = cli("show", d / "null.bodymap")  # what doctor warns of: every reader refuses it
    assert rc == 2


def test_a_partitioned_export_into_a_folder_it_cannot_write_names_the_folder_typed(a_map, tmp_path, monkeypatch,
                                                                                  cli):
    pytest.importorskip("pyarrow")
    import errno
    import tempfile

    def read_only(prefix="", dir=None, **kw):  # what a read-only share says (tests run as root in CI)
        raise PermissionError(errno.EROFS, "Read-only file system", f"{dir}/{prefix}u95z8psr")

    monkeypatch.setattr(tempfile, "mkdtemp", read_only)
    out = tmp_path / "dataset"
    rc, _, err = cli("export", a_map.parent, "--parquet", "--partition-by", "visit_year", "-o", out)
    assert rc == 2
    last = err.strip().splitlines()[-1]
    assert last == f"bodymap: {out}: cannot write (Read-only file system)"  # not the hidden temp folder
    assert not out.exists()


def test_similar_and_confirm_given_a_folder_for_the_map_say_it_is_a_folder(a_map, cli):
    d = a_map.parent
    for argv in (["similar", d, d], ["confirm", d, "--diagnosis", "root_L5"]):
        rc, _, err = cli(*argv)
        assert rc == 2 and f"{d}: is a folder" in err, err  # it said "no such file" of a folder that is there


def test_similar_with_nothing_to_compare_says_so(a_map, cli):
    rc, out, err = cli("similar", a_map, a_map.parent)  # the folder holds only this map
    assert rc == 0, err
    assert "no other map" in out and "by Jaccard" not in out


def _pdf_words(path) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(str(path)).pages).split())


def test_a_drawing_of_saddle_numbness_is_never_called_nothing_below_the_neck(atlas, tmp_path, cli):
    from bodymap.exports.report import write_report
    from bodymap.exports.report_visits import write_comparison_report

    saddle = PainMap(atlas)
    saddle.paint_region("perineum", 1.0, "numbness")  # a cauda equina sign, and no pattern scores it
    empty = PainMap(atlas)
    for m, name in ((saddle, "saddle"), (empty, "empty")):
        fileformat.save(m, tmp_path / f"{name}.bodymap")
    write_report(saddle, tmp_path / "saddle.pdf")
    text = _pdf_words(tmp_path / "saddle.pdf")
    assert "below the neck" not in text
    assert "No pattern to show: nothing is painted where a referral pattern is scored (the saddle area" in text
    write_report(empty, tmp_path / "empty.pdf")
    assert "No pattern to show: nothing is painted yet." in _pdf_words(tmp_path / "empty.pdf")
    write_comparison_report(empty, saddle, tmp_path / "both.pdf")
    text = _pdf_words(tmp_path / "both.pdf")
    assert "below the neck" not in text and "None: nothing is painted yet." in text
    assert "None: nothing is painted where a referral pattern is scored" in text
    rc, out, _ = cli("match", tmp_path / "saddle.bodymap")
    assert rc == 0 and "nothing is painted where a referral pattern is scored" in out
    assert "no painting to match" not in out  # there is painting: the saddle area


# -- bodymap new ---------------------------------------------------------------------------------------------
def test_new_overwrite_keeps_the_map_it_replaces(a_map, cli):
    before = a_map.read_bytes()
    rc, out, err = cli("new", a_map, "--paint", "left_calf", "--overwrite")
    assert rc == 0, err
    kept = a_map.with_name(a_map.name + "~1")
    assert kept.read_bytes() == before  # the visit it replaced, as the painting window keeps it (ADR 0017)
    assert str(kept) in out
    assert fileformat.load(a_map).painted_regions() == ["left_calf"]


def test_new_names_the_paint_argument_a_bad_fraction_came_from_and_writes_nothing(tmp_path, cli):
    out = tmp_path / "n.bodymap"
    rc, _, err = cli("new", out, "--paint", "right_calf:0.5", "--paint", "left_calf:7")
    assert rc == 2 and "--paint left_calf:7:" in err and err.count("\n") == 1
    assert not out.exists()


def test_new_says_when_a_region_is_painted_too_little_to_count(tmp_path, cli):
    out = tmp_path / "speck.bodymap"
    rc, _, err = cli("new", out, "--paint", "right_big_toe:0.05", "--paint", "right_calf")
    assert rc == 0, err
    assert fileformat.load(out).painted_regions() == ["right_calf"]  # the toe's speck does not count
    assert "right_big_toe" in err and "right_calf" not in err


def test_stats_does_not_claim_maps_made_here_were_imported(atlas, tmp_path, cli):
    for i, rid in enumerate(("right_calf", "left_calf", "right_shin")):
        m = PainMap(atlas)
        m.paint_region(rid, 1.0)  # whole regions, as `bodymap new --paint REGION` makes them
        m.set_visit(recorded_by="Dr A")
        fileformat.save(m, tmp_path / f"n{i}.bodymap")
    rc, out, err = cli("stats", tmp_path)
    assert rc == 0, err
    assert "was imported" not in out  # nothing here was imported
    assert "whole regions" in out  # why the pairs are CHOIR segments


def test_a_comparison_report_never_prints_negative_zero(atlas, tmp_path):
    from bodymap.exports.report_visits import write_comparison_report
    from bodymap.triage import signed_points

    before, after = PainMap(atlas), PainMap(atlas)
    before.paint_region("right_calf", 1.0)
    after.paint_region("right_calf", 0.99)  # a little less: the change rounds to nothing
    assert -0.05 < after.extent_percent()["total"] - before.extent_percent()["total"] < 0
    write_comparison_report(before, after, tmp_path / "c.pdf")
    text = _pdf_words(tmp_path / "c.pdf")
    assert "-0.0" not in text and "(0.0 points)" in text
    assert [signed_points(x) for x in (2.46, -0.7, -0.04, 0.0, 0.04)] == ["+2.5", "-0.7", "0.0", "0.0", "0.0"]


def test_the_report_keeps_an_answer_label_with_a_comma_in_one_piece(atlas, tmp_path):
    import re

    from bodymap import vocabulary
    from bodymap.exports.report import write_report

    m = PainMap(atlas)
    m.paint_region("right_calf", 0.8)
    m.answers.update({"numbness": True, "calf_pain_walking_eases_rest": True})
    label = vocabulary.words("calf_pain_walking_eases_rest", "short")
    assert "," in label  # the case: a label that holds a comma
    write_report(m, tmp_path / "r.pdf")
    text = _pdf_words(tmp_path / "r.pdf")
    yes = re.search(r"yes: (.*?) no: ", text).group(1).split("; ")
    assert sorted(yes) == sorted([vocabulary.words("numbness", "short"), label])


def test_stats_of_empty_maps_pairs_regions_and_says_nothing_of_whole_regions(atlas, tmp_path, cli):
    for i in range(2):
        fileformat.save(PainMap(atlas), tmp_path / f"e{i}.bodymap")  # nothing painted yet
    rc, out, err = cli("stats", tmp_path, "--json")
    assert rc == 0, err
    assert json.loads(out)["pairs_over"] == "regions"
    rc, out, err = cli("stats", tmp_path)
    assert "whole regions" not in out and "imported" not in out


def test_import_strokes_names_a_missing_template_once(tmp_path, cli):
    rc, _, err = cli("import-strokes", tmp_path / "d.json", "--template", tmp_path / "t.yaml",
                       "-o", tmp_path / "o.bodymap")
    assert rc == 2
    assert err.strip() == f"bodymap: {tmp_path / 't.yaml'}: no such template"  # it said the path twice


def test_atlas_without_a_command_is_bad_input_not_help_and_success(cli):
    rc, out, err = cli("atlas")
    assert rc == 2  # it printed the help and exited 0, as if something had been done
    assert err.strip().startswith("bodymap: atlas needs a command") and err.count("\n") == 1


def test_stats_by_group_keeps_a_group_name_with_a_comma_whole(atlas, tmp_path, cli):
    for i, who in enumerate(("Dr B, PT", "Dr B, PT", "patient at kiosk", "patient at kiosk")):
        m = PainMap(atlas)
        m.paint_region("right_calf" if i % 2 else "left_calf", 0.8)
        m.set_visit(recorded_by=who)
        fileformat.save(m, tmp_path / f"g{i}.bodymap")
    rc, out, err = cli("stats", tmp_path, "--by", "recorded_by")
    assert rc == 0, err
    lines = out.splitlines()
    listed = lines[0].split(": ", 1)[1].split("; ")
    assert sorted(listed) == ["Dr B, PT (n=2)", "patient at kiosk (n=2)"]
    head = next(ln for ln in lines if ln.startswith("region "))
    assert "patient at kiosk" in head  # the column heading was cut to "patient at k"


def test_match_never_leaves_the_main_reason_blank(atlas):
    from bodymap.cli.match import format_ranking
    from bodymap.triage import assess

    m = PainMap(atlas)
    m.paint_region("right_face", 1.0)  # no pattern reaches the face: the runners-up have nothing for them
    r = assess(m)
    assert any(not [e for e in h.evidence if e.direction == "for"] for h in r.hypotheses[:5])
    lines = format_ranking(r).splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("pattern "))
    at = lines[head].index("main reason")
    for row in lines[head + 1:head + 1 + len(r.hypotheses[:5])]:
        assert row[at:].strip(), row  # a reason, or the words saying there is none


# -- pictures at small heights ---------------------------------------------------------------------------
def _png_size(path):
    import struct

    head = path.read_bytes()[:24]
    return struct.unpack(">II", head[16:24])


def test_small_pictures_are_the_whole_picture_scaled_not_a_cramped_layout(a_map, tmp_path, cli):
    """At --height 200 the titles overlapped ("patient's right is on your left" over its neighbour, cut at
    the edge) and the legend fell off the bottom: below 500 px the 500 px picture is scaled down whole, so a
    small picture has the big one's proportions."""
    for argv in (["render", a_map], ["atlas", "render"], ["heatmap", a_map.parent]):
        sizes = {}
        for h in (500, 300, 200):
            if argv[0] == "heatmap" and h < 300:
                continue  # the heat map's floor is 300 px
            out = tmp_path / f"{argv[0]}{len(argv)}-{h}.png"
            rc, _, err = cli(*argv, "-o", out, "--height", h)
            assert rc == 0, err
            sizes[h] = _png_size(out)
        for h, (w, hh) in sizes.items():
            assert hh == h
            assert abs(w / h - sizes[500][0] / 500) < 0.01, (argv, sizes)


def test_a_small_heat_map_still_shows_each_spot_where_its_layout_says(atlas, tmp_path):
    import pygame

    from bodymap.exports.common import Decoder, FolderRun, list_maps
    from bodymap.exports.research import accumulate_heatmap, parse_where
    from bodymap.render.heatmap import heatmap_layouts, render_heatmap

    for i in range(3):
        m = PainMap(atlas)
        m.paint_region("right_calf", 1.0)
        fileformat.save(m, tmp_path / f"h{i}.bodymap")
    dec = Decoder()
    hm = accumulate_heatmap(FolderRun("heatmap", list_maps(tmp_path), dec), dec, parse_where([], []))
    surf = render_heatmap(atlas, hm, "t", ["x"], height=320)
    for rid, hot in (("right_calf", True), ("left_calf", False)):
        p = atlas.region(rid).geometry.representative_point()
        px, py = heatmap_layouts(atlas, 320)[atlas.region(rid).view].to_screen(p.x, p.y)
        r, g, b = tuple(surf.get_at((int(px), int(py))))[:3]
        assert (r > 180 and g > 180 and b < 120) if hot else (r < 120 and b > 60), (rid, (r, g, b))  # viridis top/bottom


def test_a_folder_given_as_the_local_prior_is_named_a_folder(a_map, cli):
    rc, _, err = cli("match", a_map, "--local-prior", a_map.parent)
    assert rc == 2 and "is a folder" in err and "Error" not in err  # not a Python exception's name


def test_import_regions_overwrite_keeps_the_maps_it_replaces(a_map, tmp_path, cli):
    d = a_map.parent
    target = d / "P1.bodymap"
    target.write_bytes(a_map.read_bytes())  # a clinician's map under the imported patient's name
    before = target.read_bytes()
    src = tmp_path / "in.csv"
    src.write_text("patient_id,regions\nP1,right_calf\nP2,left_calf\n")
    rc, out, err = cli("import-regions", src, d, "--overwrite")
    assert rc == 0, err
    assert (d / "P1.bodymap~1").read_bytes() == before  # it was replaced with no copy kept
    assert fileformat.load(target).painted_regions() == ["right_calf"]
    assert not (d / "P2.bodymap~1").exists()  # nothing was there to keep
    assert "1 existing map replaced" in err


def test_import_strokes_overwrite_keeps_the_map_it_replaces(atlas, a_map, tmp_path, cli):
    from bodymap.exports.strokes import painsketch_from_map
    from bodymap.paths import regions_dir

    m = PainMap(atlas)
    m.stroke("back", [(-0.4, 6.2), (-0.42, 6.9)], "pins_and_needles", 0.07)
    src = tmp_path / "drawing.json"
    src.write_text(json.dumps(painsketch_from_map(m)))
    before = a_map.read_bytes()
    rc, _, err = cli("import-strokes", src, "--template", regions_dir() / "stroke-templates" / "bodymap-atlas.yaml",
                       "-o", a_map, "--overwrite")
    assert rc == 0, err
    assert a_map.with_name(a_map.name + "~1").read_bytes() == before
    assert fileformat.load(a_map).strokes  # the imported drawing is in place


def test_folder_commands_read_a_map_whose_suffix_is_upper_case(a_map, cli):
    """The review window's folder walk reads MAP.BODYMAP (a FAT stick, a Windows share); match, export and stats
    left it out without a word."""
    d = a_map.parent
    (d / "COPIED.BODYMAP").write_bytes(a_map.read_bytes())
    rc, out, _ = cli("match", d)
    assert rc == 0 and "COPIED.BODYMAP" in out
    rc, out, err = cli("export", d, "--csv", "--include-identifiers")
    assert rc == 0 and "COPIED.BODYMAP" in out and "2 of 2 maps read" in err
    rc, out, _ = cli("stats", d, "--json")
    assert json.loads(out)["maps"] == 2


def test_the_report_prints_a_patient_identifier_in_any_european_script_never_question_marks(atlas, tmp_path):
    from bodymap.exports.report import write_report

    m = PainMap(atlas)
    m.paint_region("right_calf", 0.8)
    m.set_visit(patient_id="Łódź-Şahin-Дмитрий", note="Ωμέγα; 痛み")
    write_report(m, tmp_path / "u.pdf")
    text = _pdf_words(tmp_path / "u.pdf")
    assert "Łódź-Şahin-Дмитрий" in text  # it was "?ód?-?ahin-???????" on the chart
    assert "Ωμέγα" in text
    assert "[U+75DB][U+307F]" in text  # no font here draws it: its code points, not "??"


def test_a_csv_export_on_a_full_disk_names_the_file_and_leaves_nothing(a_map, tmp_path, monkeypatch, cli):
    import errno

    from bodymap.exports import csvexport

    def full(run, dec, fh, **kw):  # what the system says when the disk fills part-way through the rows
        fh.write("file,session_code\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(csvexport, "write_csv", full)
    out = tmp_path / "maps.csv"
    rc, _, err = cli("export", a_map.parent, "--csv", "-o", out)
    assert rc == 2
    assert err.strip().splitlines()[-1] == f"bodymap: {out}: cannot write (the disk is full)"  # it named no file
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".maps.csv")]


# -- clinic IT: the kiosk's staff PIN ----------------------------------------------------------------------
@pytest.mark.parametrize("pin", ["1234", "0000", "111111", "4321", "7890", "98765"])
def test_set_pin_refuses_the_pins_anyone_would_try_first(pin, tmp_path, monkeypatch, cli):
    import io

    from bodymap.kiosk.config import load_config

    cfg = tmp_path / "k.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{pin}\n{pin}\n"))
    rc, _, err = cli("kiosk", "--config", cfg, "--set-pin")
    assert rc == 2 and "first anyone would try" in err
    assert not cfg.exists() or load_config(cfg).pin_hash is None  # nothing stored
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n8642\n"))  # not a run by one: fine
    rc, _, err = cli("kiosk", "--config", cfg, "--set-pin")
    assert rc == 0, err


# -- a visit date typed with the wrong year ------------------------------------------------------------
def test_a_visit_date_years_ahead_is_refused_and_nothing_written(tmp_path, cli):
    from datetime import date, timedelta

    out = tmp_path / "m.bodymap"
    ahead = (date.today() + timedelta(days=400)).isoformat()
    rc, _, err = cli("new", str(out), "--paint", "right_calf", "--visit-date", ahead)
    assert rc == 2 and "Traceback" not in err and err.count("\n") == 1
    assert ahead in err and "future" in err
    assert not out.exists()
    today = date.today().isoformat()
    rc, _, err = cli("new", str(out), "--paint", "right_calf", "--visit-date", today)
    assert rc == 0 and fileformat.load(out).visit.visit_date == today
