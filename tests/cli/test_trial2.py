"""What the second new user's trial found (ADR 0043): each test failed before its fix.

A clinician, a researcher, a clinic's IT and a security tester, each trying what the first trial (ADR 0037)
did not: options that were silently ignored, spreadsheets saved the way Excel saves them, links that point
nowhere, and the words of the folder lines.
"""
from __future__ import annotations

import pytest

from bodymap import fileformat
from bodymap.painting import PainMap


@pytest.fixture
def folder(atlas, tmp_path):
    d = tmp_path / "maps"
    d.mkdir()
    for name, region, who in (("a", "right_lateral_leg", "Dr A"), ("b", "left_lateral_leg", "Dr B"),
                              ("c", "right_lateral_leg", "Dr A")):
        m = PainMap(atlas)
        m.paint_region(region, 0.7, "burning")
        m.set_visit(recorded_by=who)
        fileformat.save(m, d / f"{name}.bodymap")
    return d


def _one_line(rc, err):
    assert rc == 2
    assert "Traceback" not in err and err.count("\n") == 1, err


# -- an option that changes nothing is refused, never ignored ---------------------------------------------------
def test_stats_fdr_without_by_is_refused_not_ignored(folder, cli):
    rc, out, err = cli("stats", folder, "--fdr", "0.1")
    _one_line(rc, err)
    assert "--fdr needs --by" in err and out == ""  # plain stats ran and printed no test at all


def test_groups_without_by_is_refused_in_plain_stats_and_heatmap(folder, tmp_path, cli):
    side = tmp_path / "groups.csv"
    side.write_text("file,arm\na.bodymap,x\n")
    rc, _, err = cli("stats", folder, "--groups", side)
    _one_line(rc, err)
    assert "--groups needs --by" in err
    rc, _, err = cli("heatmap", folder, "-o", tmp_path / "h.png", "--groups", side)
    _one_line(rc, err)
    assert not (tmp_path / "h.png").exists()


def test_heatmap_refuses_fdr_it_has_no_test_for(folder, tmp_path, cli):
    rc, _, err = cli("heatmap", folder, "--by", "recorded_by", "-o", tmp_path / "h.png", "--fdr", "0.1")
    _one_line(rc, err)
    assert "stats --by" in err and not (tmp_path / "h.png").exists()


def test_stats_by_still_takes_fdr_and_its_default(folder, cli):
    import json

    rc, out, err = cli("stats", folder, "--by", "recorded_by", "--json")
    assert rc == 0, err
    assert json.loads(out)["fdr"] == pytest.approx(0.05)
    rc, out, err = cli("stats", folder, "--by", "recorded_by", "--json", "--fdr", "0.2")
    assert rc == 0, err
    assert json.loads(out)["fdr"] == pytest.approx(0.2)
    rc, _, err = cli("stats", folder, "--by", "recorded_by", "--fdr", "1.5")
    _one_line(rc, err)


# -- match FOLDER speaks words ------------------------------------------------------------------------------------
def test_match_folder_lines_name_patterns_flags_and_bands_in_words(atlas, tmp_path, cli):
    from bodymap.bands import band_text
    from bodymap.triage import assess

    d = tmp_path / "maps"
    d.mkdir()
    m = PainMap(atlas)
    m.paint_region("right_lateral_leg", 0.7, "burning")
    m.answers["bladder_bowel"] = True
    fileformat.save(m, d / "flag.bodymap")
    fileformat.save(PainMap(atlas), d / "blank.bodymap")
    rc, out, err = cli("match", d)
    assert rc == 0, err
    lines = dict(line.split("\t", 1) for line in out.splitlines())
    r = assess(fileformat.load(d / "flag.bodymap"))
    flags, desc = lines["flag.bodymap"].split("\t")
    assert flags.startswith("RED FLAG: Emergency - Possible cauda equina")
    assert "cauda_equina" not in flags and "[emergency]" not in flags  # the ids stay in --json
    top = r.hypotheses[0]
    assert top.name in desc and f"{100 * top.probability:.0f}%" in desc
    assert desc.endswith(f"% {band_text(top.band)}")  # "moderately consistent", not "moderate"
    assert top.id not in desc.split()  # "none", "peroneal_nerve" ...
    assert lines["blank.bodymap"] == "no red flags\tno pattern to rank: nothing is painted yet"


# -- a link whose target is gone is named as such ------------------------------------------------------------
def test_a_dangling_link_is_named_a_link_not_a_missing_file(folder, tmp_path, cli):
    gone = "../stick/visit.bodymap"  # on a USB stick unplugged, a share unmounted
    link = folder / "visit.bodymap"
    link.symlink_to(gone)
    rc, _, err = cli("export", folder, "--csv", "-o", tmp_path / "out.csv")
    assert rc == 2
    assert f"{link}: is a link to '{gone}', which does not exist" in err and "no such file" not in err
    assert (tmp_path / "out.csv").read_text().count("\n") == 4  # the three real maps still exported
    for args in (("show", link), ("match", link), ("report", link, "-o", tmp_path / "r.pdf")):
        rc, _, err = cli(*args)
        _one_line(rc, err)
        assert "is a link to" in err, args
    rc, _, err = cli("show", tmp_path / "never.bodymap")  # a plain missing file is still "no such file"
    _one_line(rc, err)
    assert "no such file" in err


# -- a CSV as Excel saves it ----------------------------------------------------------------------------------------
EXCEL_FILES = {
    # German/French/Spanish Excel: ';' between cells, the regions cell quoted, and empty ';;' rows at the end
    "semicolons": b'patient_id;regions;numbness\r\nP1;"right_lateral_leg;right_big_toe";yes\r\nP2;left_calf;no\r\n;;\r\n;;\r\n',
    "sep line": b"sep=;\r\npatient_id;regions\r\nP1;right_lateral_leg\r\nP2;left_calf\r\n",
    "CR line ends": b"patient_id,regions\rP1,right_lateral_leg\rP2,left_calf\r",
    "UTF-16 text": b"\xff\xfe" + "patient_id\tregions\r\nP1\tright_lateral_leg\r\nP2\tleft_calf\r\n".encode("utf-16-le"),
    "empty comma rows": b"patient_id,regions\nP1,right_lateral_leg\nP2,left_calf\n,\n,\n",
}


@pytest.mark.parametrize("kind", list(EXCEL_FILES))
def test_import_regions_reads_a_csv_as_excel_saves_it(kind, tmp_path, cli):
    src = tmp_path / "sheet.csv"
    src.write_bytes(EXCEL_FILES[kind])
    rc, out, err = cli("import-regions", src, tmp_path / "out")
    assert rc == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["P1.bodymap", "P2.bodymap"]
    assert "right_lateral_leg" in fileformat.load(tmp_path / "out" / "P1.bodymap").painted_regions()
    assert fileformat.load(tmp_path / "out" / "P2.bodymap").painted_regions() == ["left_calf"]
    if kind == "semicolons":
        m = fileformat.load(tmp_path / "out" / "P1.bodymap")
        assert "right_big_toe" in m.painted_regions() and m.answers["numbness"] is True


def test_import_regions_names_the_line_of_a_windows_1252_csv_and_how_to_save_it(tmp_path, cli):
    src = tmp_path / "sheet.csv"
    src.write_bytes("patient_id,regions\r\nP1,right_calf\r\nM\u00fcller,left_calf\r\n".encode("cp1252"))
    rc, _, err = cli("import-regions", src, tmp_path / "out")
    _one_line(rc, err)
    assert "not UTF-8 text (line 3)" in err and "CSV UTF-8" in err


def test_stats_groups_side_csv_with_semicolons(folder, tmp_path, cli):
    import json

    side = tmp_path / "arms.csv"
    side.write_bytes(b"file;arm\r\na.bodymap;x\r\nb.bodymap;y\r\nc.bodymap;x\r\n;\r\n")
    rc, out, err = cli("stats", folder, "--by", "arm", "--groups", side, "--json")
    assert rc == 0, err
    groups = {g["group"]: g["n"] for g in json.loads(out)["groups"]}
    assert groups == {"x": 2, "y": 1}


# -- right-to-left identifiers and notes, drawn in reading order -----------------------------------------------------
HEBREW = "\u05de\u05d8\u05d5\u05e4\u05dc"  # "patient", first letter (mem) first, as typed and stored


def test_hebrew_in_a_left_to_right_line_is_drawn_right_to_left_with_its_number():
    from bodymap.bidi import visual

    # UAX #9: in a left-to-right line the Hebrew word reads right to left, the number stays "12" and goes with it
    assert visual(f"Patient {HEBREW} 12") == f"Patient 12 {HEBREW[::-1]}"
    assert visual("Dr (\u05e9\u05e8\u05d4) \u05db\u05d4\u05df, MRN 5") == \
        "Dr (\u05d4\u05e8\u05e9) \u05df\u05d4\u05db, MRN 5"  # a bracketed name keeps its brackets the right way
    assert visual("MRN 004217 \u0141\u00f3d\u017a") == "MRN 004217 \u0141\u00f3d\u017a"  # no right-to-left: as is


def test_arabic_letters_are_joined_and_in_reading_order():
    from bodymap.bidi import visual

    # meem (initial) reh (final: it never joins forward) yeh (initial) dad (final), drawn from the left: dad first
    assert visual("\u0645\u0631\u064a\u0636") == "\ufebe\ufef3\ufeae\ufee3"
    # Arabic-Indic digits keep their order: "123" after the word, in an Arabic line, on its left
    assert visual("\u0645\u0631\u064a\u0636 \u0661\u0662\u0663") == "\u0661\u0662\u0663 \ufebe\ufef3\ufeae\ufee3"


def test_the_windows_draw_a_hebrew_identifier_in_reading_order():
    import pygame

    from bodymap.render.text import FONT_FILE, FONT_SCALE, font
    from bodymap.paths import assets_dir

    pygame.font.init()
    plain = pygame.font.Font(str(assets_dir() / "fonts" / FONT_FILE), round(24 * FONT_SCALE))
    ours = font(24).render(f"Patient {HEBREW}", True, (0, 0, 0))
    want = plain.render(f"Patient {HEBREW[::-1]}", True, (0, 0, 0))
    wrong = plain.render(f"Patient {HEBREW}", True, (0, 0, 0))
    assert pygame.image.tobytes(ours, "RGBA") == pygame.image.tobytes(want, "RGBA")
    assert pygame.image.tobytes(ours, "RGBA") != pygame.image.tobytes(wrong, "RGBA")
    assert font(24).size(f"Patient {HEBREW}") == plain.size(f"Patient {HEBREW}")


def test_the_report_prints_hebrew_in_reading_order_and_explains_code_points(atlas, tmp_path):
    from pypdf import PdfReader

    from bodymap.exports.report import write_report

    m = PainMap(atlas)
    m.paint_region("right_calf", 0.8)
    m.set_visit(patient_id=f"{HEBREW} 12")
    write_report(m, tmp_path / "he.pdf")
    raw = " ".join(p.extract_text() for p in PdfReader(str(tmp_path / "he.pdf")).pages)
    # pypdf reads Hebrew glyphs back right to left: drawn in stored order they read back mirrored ("לפוטמ")
    assert HEBREW in raw and HEBREW[::-1] not in raw
    assert "[U+" not in raw  # DejaVu Sans has Hebrew: no code points, no note
    m.set_visit(patient_id="\u60a3\u8005 7")  # CJK: no typeface here has it
    write_report(m, tmp_path / "cjk.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(tmp_path / "cjk.pdf")).pages).split())
    assert "[U+60A3][U+8005] 7" in text
    assert "[U+XXXX] stands for a letter no typeface in bodymap can draw" in text


# -- a copy that cannot be kept says what was not done ------------------------------------------------------------
def test_overwrite_on_a_full_or_read_only_disk_says_the_map_is_unchanged(atlas, tmp_path, monkeypatch, cli):
    target = tmp_path / "visit.bodymap"
    m = PainMap(atlas)
    m.paint_region("left_calf", 0.5)
    fileformat.save(m, target)
    before = target.read_bytes()
    import errno

    from bodymap import atomicio

    def full(fd):  # the disk fills while the copy is written (the copy is the first thing written)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomicio.os, "fsync", full)
    rc, _, err = cli("new", target, "--overwrite", "--paint", "right_calf")
    _one_line(rc, err)
    assert "cannot keep the previous version (" in err and f"{target} is unchanged" in err
    assert "version in (" not in err  # it read "cannot keep the previous version in (Read-only file system)"
    assert target.read_bytes() == before


# -- the visit reports say their disclaimer once ------------------------------------------------------------------
def test_comparison_and_timeline_reports_say_decision_aid_once(atlas, tmp_path):
    from pypdf import PdfReader

    from bodymap.exports.report_visits import write_comparison_report

    a, b = PainMap(atlas), PainMap(atlas)
    a.paint_region("right_lateral_leg", 0.8)
    b.paint_region("left_calf", 0.8)
    write_comparison_report(a, b, tmp_path / "cmp.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(tmp_path / "cmp.pdf")).pages).split())
    assert text.count("Decision aid, not a diagnosis") == 1, text[-400:]  # it was printed twice in the footer
    assert "Painted areas overlap heavily" in text


# -- "-o -" is standard output, as in every Unix tool ------------------------------------------------------------
@pytest.mark.parametrize("how", ["--csv", "--fhir"])
def test_export_dash_o_dash_writes_to_standard_output_not_a_file_named_dash(folder, tmp_path, monkeypatch, how, cli):
    monkeypatch.chdir(tmp_path)
    src = folder if how == "--csv" else folder / "a.bodymap"
    rc, out, err = cli("export", src, how, "-o", "-")
    assert rc == 0, err
    assert not (tmp_path / "-").exists()  # it wrote a file named "-"
    if how == "--csv":
        assert out.startswith("file,") and out.count("\n") == 4
    else:
        import json

        assert json.loads(out)["resourceType"] == "Bundle"


# -- the kiosk's spool sees a map whose suffix is in capitals (outside this helper's lane: reported) -----------
def test_the_kiosk_never_hands_out_the_code_of_a_map_named_in_capitals(tmp_path):
    from bodymap.kiosk.spool import Spool, count_recovery

    spool_dir, recovery, drafts = tmp_path / "spool", tmp_path / "recovery", tmp_path / "drafts"
    for d in (spool_dir, recovery, drafts):
        d.mkdir()
    (spool_dir / "ABC-DEF.BODYMAP").write_bytes(b"{}")  # copied back through a FAT stick or a Windows share
    (spool_dir / "GHJ-KLM.bodymap").write_bytes(b"{}")
    (recovery / "draft-XYZ-QRS.BODYMAP").write_bytes(b"{}")
    spool = Spool(spool_dir)
    assert {"ABC-DEF", "GHJ-KLM"} <= spool.taken_codes()
    assert count_recovery(spool, recovery, drafts).unfinished == 1


# -- no screen: one line, not an invisible window that never ends --------------------------------------------------
def test_the_painting_window_without_a_screen_says_so_instead_of_running_invisibly(monkeypatch, capsys):
    import pygame

    from bodymap.ui.paint import screen as paint_screen

    # over ssh without -X, or as a service: no DISPLAY, no WAYLAND_DISPLAY, and SDL falls back to 'offscreen'
    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.setattr(pygame.display, "init", lambda: None)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "offscreen")
    opened = []
    monkeypatch.setattr(pygame.display, "set_mode", lambda *a, **k: opened.append(a))
    assert paint_screen.run_paint_app(None, (800, 600), max_frames=3) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no screen to show the window on" in err
    assert not opened  # no invisible window was opened
    monkeypatch.setenv("SDL_VIDEODRIVER", "offscreen")  # chosen on purpose (a test, a screenshot job): allowed
    from bodymap.ui.scene import no_screen

    assert no_screen() == ""


# -- a hostile number is named, not "(ValueError)" ------------------------------------------------------------------
@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_or_infinity_in_a_map_is_named_in_every_reader(folder, tmp_path, constant, cli):
    text = (folder / "a.bodymap").read_text()
    bad = folder / "z.bodymap"
    bad.write_text(text.replace('"intensity": {', f'"intensity": {{"overall": {constant}, "x": ', 1)
                   if '"intensity": {' in text else text[:-1] + f', "intensity": {{"overall": {constant}}}}}')
    name = constant
    rc, _, err = cli("show", bad)
    _one_line(rc, err)
    assert f"{name} is not allowed in JSON" in err and "ValueError" not in err
    rc, _, err = cli("export", folder, "--csv", "-o", tmp_path / "o.csv")
    assert rc == 2 and f"z.bodymap: not a .bodymap file ({name} is not allowed in JSON)" in err


# -- a picture of one group under a long title has no empty half ----------------------------------------------------
def test_group_pictures_wrap_a_long_title_and_draw_no_divider_after_the_last_panel():
    import pygame

    from bodymap.render import view as render
    from bodymap.render.groups import tile

    pygame.font.init()
    panel = pygame.Surface((300, 200))
    panel.fill((255, 0, 0))
    title = "Pain profile by recorded_by: share of each group's maps painting each spot, one colour scale"
    out = tile([panel], title)
    assert out.get_width() == 300 + 20  # it was as wide as the title, half of it empty
    assert render.font(30).size(title)[0] > 300  # the title is wider than the panel: it wrapped
    x_after = 10 + 300 + 4
    assert all(tuple(out.get_at((x_after, y)))[:3] == tuple(render.BACKGROUND)[:3]
               for y in range(out.get_height() - 150, out.get_height() - 20))  # no divider after the last panel
    two = tile([panel, panel], "t")
    assert tuple(two.get_at((x_after, two.get_height() - 50)))[:3] == tuple(render.OUTLINE)[:3]  # one between


def test_a_group_heatmap_says_one_map_not_one_maps(folder, tmp_path, monkeypatch, cli):
    from bodymap.render import groups

    captured = []
    real = groups.render_heatmap

    def spy(atlas, ps, name, lines, height):
        captured.append(lines)
        return real(atlas, ps, name, lines, height=height)

    monkeypatch.setattr(groups, "render_heatmap", spy)
    rc, _, err = cli("heatmap", folder, "--by", "recorded_by", "-o", tmp_path / "g.png", "--height", "500")
    assert rc == 0, err
    assert sorted(lines[0] for lines in captured) == ["n = 1 map", "n = 2 maps"]  # Dr B has one map, Dr A two


# -- a confirmation dated in the future is a slip ---------------------------------------------------------------------
def test_confirm_refuses_a_date_in_the_future_at_the_command_line(folder, cli):
    before = (folder / "a.bodymap").read_bytes()
    rc, _, err = cli("confirm", folder / "a.bodymap", "--diagnosis", "root_L5", "--how", "imaging",
                     "--date", "2999-01-01")  # a slip for 2026
    _one_line(rc, err)
    assert "2999-01-01 is in the future" in err
    assert (folder / "a.bodymap").read_bytes() == before
    rc, _, err = cli("confirm", folder / "a.bodymap", "--diagnosis", "root_L5", "--how", "imaging",
                     "--date", "2026-01-02")
    assert rc == 0, err
    assert fileformat.load(folder / "a.bodymap").confirmed["date"] == "2026-01-02"


def test_a_map_with_a_future_confirmation_still_opens(folder):
    from bodymap.confirmed import validate_confirmed

    # a file's own value is read as it is (refusing it would lock the map away); only typing it is refused
    assert validate_confirmed({"diagnosis": "root_L5", "how": "imaging", "date": "2999-01-01"})["date"] == "2999-01-01"


def test_the_painting_windows_confirm_form_refuses_a_future_date(atlas, tmp_path):
    from datetime import datetime

    import pygame

    from bodymap.ui.paint import PaintScreen

    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode((1280, 800))
    s = PaintScreen((1280, 800), atlas=atlas, folder=tmp_path, now=lambda: datetime(2026, 3, 14, 9, 5, 0))
    s.activate(("confirmed",))
    d = s.dialog
    assert d.kind == "confirmed"
    for f, v in zip(d.fields, ("root_L5", "imaging", "2026-03-16")):
        f.value = v
    s._forms["confirmed"](d)
    assert s.dialog is not None and s.dialog.tone == "error"  # asked again, with the reason
    assert getattr(s.pain_map, "confirmed", None) is None
    s.dialog.fields[2].value = "2026-03-15"  # tomorrow: a time zone away, accepted
    s._forms["confirmed"](s.dialog)
    assert s.pain_map.confirmed["date"] == "2026-03-15"


# -- BODYMAP_EXPORT_KEY holds a path, not the key ------------------------------------------------------------------
def test_an_export_key_variable_holding_the_key_itself_is_refused_not_made_into_a_file(folder, tmp_path,
                                                                                      monkeypatch, cli):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BODYMAP_EXPORT_KEY", "OurClinicSecret2026")  # what a researcher would type
    rc, _, err = cli("export", folder, "--csv", "-o", tmp_path / "out.csv")
    _one_line(rc, err)
    assert "names the file that holds the export key" in err
    assert not (tmp_path / "OurClinicSecret2026").exists()  # it made a file of that name, a new key per folder
    assert not (tmp_path / "out.csv").exists()


def test_a_new_export_key_file_is_announced_and_a_long_path_is_not_echoed_whole(folder, tmp_path, monkeypatch,
                                                                                cli):
    monkeypatch.setenv("BODYMAP_EXPORT_KEY", str(tmp_path / "keys" / "export-key"))
    rc, _, err = cli("export", folder, "--csv", "-o", tmp_path / "out.csv")
    assert rc == 0, err
    assert f"made a new export key in {tmp_path / 'keys' / 'export-key'}" in err and "back it up" in err
    rc, _, err = cli("export", folder, "--csv", "-o", tmp_path / "out.csv")
    assert rc == 0 and "made a new export key" not in err  # said once, when it is made
    monkeypatch.setenv("BODYMAP_EXPORT_KEY", str(tmp_path / ("x" * 5000)))
    rc, _, err = cli("export", folder, "--csv", "-o", tmp_path / "out.csv")
    _one_line(rc, err)
    assert len(err) < 400  # the 5,000-character name was printed twice over


def test_doctor_names_a_maps_folder_setting_that_is_a_file(tmp_path, monkeypatch, cli):
    f = tmp_path / "maps"
    f.write_text("not a folder")
    monkeypatch.setenv("BODYMAP_MAPS", str(f))
    rc, _, err = cli("doctor")
    _one_line(rc, err)
    assert "is a file, not a folder" in err and "does not exist" not in err


# -- the patient banner keeps the visit date and "(unsaved)" ----------------------------------------------------------
def test_the_patient_banner_cuts_long_names_never_the_visit_date_or_unsaved(atlas, tmp_path):
    from pathlib import Path

    import pygame

    from bodymap.desk import Desk
    from bodymap.ui.kit import TextCache
    from bodymap.ui.paint.patient_banner import PatientBanner

    pygame.font.init()
    m = PainMap(atlas)
    m.set_visit(patient_id="W" * 64, visit_date="2026-03-14", recorded_by="Dr " + "Featherstonehaugh-" * 3 + "X")
    desk = Desk(atlas, m, folder_given=tmp_path)
    desk.path = Path(tmp_path / ("W" * 40 + "_2026-03-14.bodymap"))
    m.paint_region("right_calf", 0.5)  # an unsaved change
    assert desk.dirty
    text = TextCache()
    banner = PatientBanner(desk, text)
    line = banner.fitted(900, 18)
    assert text.width(line, 18) <= 900
    assert "Visit 2026-03-14" in line and line.endswith("(unsaved)")  # both were cut off before
    assert line.startswith("Patient WWW") and "…" in line
    wide = banner.fitted(100000, 18)
    assert wide == banner.text and "…" not in wide  # room enough: nothing is cut


# -- Windows device names are never file names ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["CON", "nul", "Com1", "LPT9", "aux"])
def test_a_windows_device_name_is_refused_wherever_a_map_or_export_is_named(name, atlas, tmp_path, cli):
    from bodymap.desk import Desk
    from bodymap.errors import BodymapError

    src = tmp_path / "ids.csv"
    src.write_text(f"patient_id,regions\n{name},right_calf\nP2,left_calf\n")
    rc, _, err = cli("import-regions", src, tmp_path / "out")
    assert rc == 2 and "device name on Windows" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["P2.bodymap"]  # the other row still written
    rc, _, err = cli("new", tmp_path / f"{name}.bodymap", "--paint", "right_calf")
    _one_line(rc, err)
    assert "device on Windows" in err and not (tmp_path / f"{name}.bodymap").exists()
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5)
    fileformat.save(m, tmp_path / "m.bodymap")
    rc, _, err = cli("report", tmp_path / "m.bodymap", "-o", tmp_path / f"{name}.pdf")
    _one_line(rc, err)
    with pytest.raises(BodymapError, match="device on Windows"):
        Desk(atlas, folder_given=tmp_path).save_as_target(name, str(tmp_path))


def test_import_regions_says_which_letters_a_patient_id_may_hold(tmp_path, cli):
    src = tmp_path / "ids.csv"
    src.write_text("patient_id,regions\nZo\u00eb,right_calf\nMRN 4217,left_calf\n")
    rc, _, err = cli("import-regions", src, tmp_path / "out")
    assert rc == 2
    assert "use A-Z, a-z, digits" in err  # "use letters" refused a letter, ë
    assert "a space can be '-' or '_'" in err


def test_import_regions_reads_whole_numbers_as_pandas_and_excel_write_them(tmp_path, cli):
    src = tmp_path / "sheet.csv"
    # pandas writes an int column with a gap as floats (7.0); Excel with a comma decimal mark writes 7,0
    src.write_text("patient_id;regions;intensity;age;numbness\n"
                   "P1;right_calf;7.0;54.0;1.0\nP2;left_calf;6,0;61,0;0.0\nP3;left_calf;6.5;;\nP4;left_calf;;;\n")
    rc, _, err = cli("import-regions", src, tmp_path / "out")
    assert rc == 2 and "intensity '6.5' must be a whole number" in err  # a real fraction is still refused
    p1 = fileformat.load(tmp_path / "out" / "P1.bodymap")
    assert p1.intensity == {"overall": 7}
    assert p1.answers["age"] == 54 and p1.answers["numbness"] is True
    p2 = fileformat.load(tmp_path / "out" / "P2.bodymap")
    assert p2.answers["age"] == 61 and p2.answers["numbness"] is False
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["P1.bodymap", "P2.bodymap", "P4.bodymap"]


# -- import-strokes: a hostile or odd drawing file is one line, exit 2 -------------------------------------------
def test_import_strokes_names_a_deep_json_a_fifo_and_a_folder(tmp_path, cli):
    import os

    from bodymap.paths import regions_dir

    template = regions_dir() / "stroke-templates" / "bodymap-atlas.yaml"
    deep = tmp_path / "deep.json"
    deep.write_text('{"a": ' + "[" * 200000 + "]" * 200000 + "}")
    fifo = tmp_path / "drawing.json"
    os.mkfifo(fifo)
    for src, words in ((deep, "nested too deeply"), (fifo, "is a FIFO"), (tmp_path, "is a folder")):
        rc, _, err = cli("import-strokes", src, "--template", template, "-o", tmp_path / "o.bodymap")
        _one_line(rc, err)  # the deep one was "internal error (RecursionError ...)", exit 1
        assert words in err, err


def test_a_deeply_nested_local_prior_is_one_line(folder, tmp_path, cli):
    deep = tmp_path / "prior.json"
    deep.write_text("[" * 200000 + "]" * 200000)
    for args in (("match", folder / "a.bodymap", "--local-prior", deep), ("lab", "validate", folder, "--prior", deep)):
        rc, _, err = cli(*args)
        _one_line(rc, err)  # "internal error (RecursionError ...)", exit 1
        assert "nested too deeply" in err, args


# -- installed without the checkout's data ---------------------------------------------------------------------
def test_an_install_without_the_data_folders_says_how_to_install(tmp_path, monkeypatch):
    from bodymap import paths

    monkeypatch.delenv("BODYMAP_DATA", raising=False)
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "site-packages" / "bodymap" / "paths.py"))
    monkeypatch.setattr(paths, "_CHECKOUT", [])
    with pytest.raises(Exception, match="pip install -e"):
        paths.regions_dir()  # it named "<python>/lib/python3.11/regions/questions.yaml: file not found"
    monkeypatch.undo()
    assert (paths.regions_dir() / "questions.yaml").is_file()  # the checkout itself still works


# -- Open in the painting window: the newest maps, and find by name --------------------------------------------------
def test_open_lists_the_newest_maps_not_the_first_names_and_finds_by_name(atlas, tmp_path, monkeypatch):
    import os

    import pygame

    from bodymap import desk as desk_mod
    from bodymap.ui.paint import PaintScreen

    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode((1280, 800))
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5)
    names = ["A-1_2026-01-01", "B-2_2026-01-02", "C-3_2026-01-03", "X-7_2026-03-01", "Y-8_2026-03-02", "Z-9_2026-03-03"]
    for k, name in enumerate(names):  # A.. are old visits, X.. Z.. today's: late in the alphabet
        fileformat.save(m, tmp_path / f"{name}.bodymap")
        os.utime(tmp_path / f"{name}.bodymap", (1_700_000_000 + k * 86400,) * 2)
    monkeypatch.setattr(desk_mod, "MAX_FILES", 3)
    s = PaintScreen((1280, 800), atlas=atlas, folder=tmp_path)
    s.activate(("open",))
    listed = [p.name for p in s.dialog.payload["file"].values()]
    assert listed == ["Z-9_2026-03-03.bodymap", "Y-8_2026-03-02.bodymap", "X-7_2026-03-01.bodymap"]  # were A, B, C
    assert "the newest 3 of 6 files" in s.dialog.lines[0]
    s.activate(("dialog", "find"))
    assert s.dialog.kind == "open_find"
    s.dialog.fields[0].value = "b-2"  # any case
    s._forms["open_find"](s.dialog)
    assert [p.name for p in s.dialog.payload["file"].values()] == ["B-2_2026-01-02.bodymap"]
    s.activate(("dialog", "all"))
    assert len(s.dialog.payload["file"]) == 3


def test_the_review_window_without_a_screen_says_so_too(folder, monkeypatch, capsys):
    import pygame

    from bodymap.ui.review import screen as review_screen

    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.setattr(pygame.display, "init", lambda: None)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "offscreen")
    opened = []
    monkeypatch.setattr(pygame.display, "set_mode", lambda *a, **k: opened.append(a))
    assert review_screen.run_review(folder, (800, 600)) == 2
    err = capsys.readouterr().err
    assert "no screen to show the window on" in err and not opened


# -- a Mac's "._" copies on a FAT stick are not maps ------------------------------------------------------------------
def test_folder_commands_leave_out_a_macs_dot_underscore_files(folder, tmp_path, cli):
    (folder / "._a.bodymap").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\x00" * 4000)
    for args in (("export", folder, "--csv", "-o", tmp_path / "o.csv"), ("stats", folder), ("match", folder)):
        rc, out, err = cli(*args)
        assert rc == 0 and "._a" not in out + err, (args, err)  # it was a bad file, and exit 2, per map copied


# -- the visit reports never shrink a red flag ---------------------------------------------------------------------
def _red_flag_sizes(pdf) -> list[float]:
    """The printed size (pt) of every text run holding 'RED FLAG', read back from the PDF."""
    from pypdf import PdfReader

    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if "RED FLAG" in text:
            sizes.append(round(size * (cm[0] ** 2 + cm[1] ** 2) ** 0.5 * (tm[0] ** 2 + tm[1] ** 2) ** 0.5, 2))

    for page in PdfReader(str(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return sizes


def test_a_comparison_of_two_visits_with_many_red_flags_prints_them_full_size(atlas, tmp_path):
    from tools.hostile_files import write_worst

    from bodymap.exports.report_visits import write_comparison_report

    many = fileformat.load(write_worst(tmp_path / "worst", atlas)["100 red flags, longest texts"])
    before = PainMap(atlas)
    before.paint_region("right_calf", 0.5)
    before.answers["bladder_bowel"] = True
    write_comparison_report(before, many, tmp_path / "cmp.pdf")
    sizes = _red_flag_sizes(tmp_path / "cmp.pdf")
    assert len(sizes) >= 100 and min(sizes) >= 10.0, min(sizes)  # 0.6 pt: the whole page had been shrunk


def test_stats_by_a_measurement_column_is_refused_not_one_group_per_value(folder, cli):
    for column in ("extent_total", "cov_right_calf", "top_probability"):
        rc, _, err = cli("stats", folder, "--by", column)
        _one_line(rc, err)  # it printed groups "0.320729", "0.637622", ...
        assert "holds a measurement" in err, column
    rc, _, err = cli("stats", folder, "--by", "recorded_by")  # a text column still groups
    assert rc == 0, err


# -- output redirected onto a full disk names the standard output -------------------------------------------------------
def test_a_full_disk_under_the_standard_output_is_named(folder, monkeypatch, capsys):
    import errno
    import sys

    from bodymap.cli.commands import main

    class FullDisk:  # `bodymap export maps/ --csv > /mnt/full/maps.csv`
        encoding = "utf-8"

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            pass

    monkeypatch.setattr(sys, "stdout", FullDisk())
    status = main(["export", str(folder), "--csv"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().splitlines()[-1] == "bodymap: standard output: cannot write (the disk is full)"  # said not where
