"""A clinic day in the painting window (issue 13, item 2): new patient, the maps folder, Save As with
typing, a bad save path, visit fields, questions, the PDF, zoom, help and the pain score reset.

Everything is driven with synthetic pygame events through `PaintScreen.handle_event`, headless;
assertions read back files, masks, answers and the panel's rows.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pygame
import pytest

from bodymap import fileformat, vocabulary
from bodymap.atlas import load_atlas
from bodymap.errors import FileWriteError
from bodymap.painting import UNSURE, PainMap
from bodymap.ui.kit.form import FormDialog
from bodymap.ui.paint import PaintScreen

from fakes import FakeRanking

SIZE = (1280, 800)


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode(SIZE)
    yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


class FakeMatcher:
    def __init__(self):
        self.seen = []

    def match(self, pain_map):
        """No patterns; the red flags from the answers, as the real matcher reports them."""
        from bodymap.redflags import flags_for_map

        self.seen.append(dict(pain_map.answers))
        return FakeRanking(red_flags=flags_for_map(pain_map), hypotheses=[], prompts=[])

    def pattern_zone(self, atlas, pattern_id, side):
        return {}


@pytest.fixture
def screen(atlas, tmp_path):
    return PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                       now=lambda: datetime(2026, 3, 14, 9, 5, 0))


def ev(kind, **kw):
    return pygame.event.Event(kind, **kw)


def to_screen(s, view, pt):
    x, y = s.layouts[view].to_screen(pt[0], pt[1])
    return int(round(float(x))), int(round(float(y)))


def rep(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def stroke(s, view, pts):
    pos = [to_screen(s, view, p) for p in pts]
    s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos[0], button=1))
    for p in pos[1:]:
        s.handle_event(ev(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0)))
    s.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos[-1], button=1))


def dab(atlas, rid, dy=0.04):
    x, y = rep(atlas, rid)
    return [(x, y - dy), (x, y), (x, y + dy)]


def click(s, bid):
    pos = s.button_center(bid)
    s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    s.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos, button=1))


def click_at(s, pos):
    s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    s.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos, button=1))


def key(s, k, mod=0):
    s.handle_event(ev(pygame.KEYDOWN, key=k, mod=mod, unicode="", scancode=0))


def type_text(s, text):
    s.handle_event(ev(pygame.TEXTINPUT, text=text))


def clear_field(s):
    key(s, pygame.K_END)
    for _ in range(len(s.dialog.focused.value)):
        key(s, pygame.K_BACKSPACE)


def cov(s, rid):
    return s.pain_map.region_coverage().get(rid, 0.0)


# ---------------------------------------------------------------------------
# new patient


def test_new_patient_clears_everything_and_never_overwrites_the_last_patients_file(screen, atlas, tmp_path):
    s = screen
    stroke(s, "back", dab(atlas, "right_calf"))
    s.pain_map.set_intensity(None, 7)
    s.clinician.set_answer("night_pain", True)
    s.pain_map.set_visit(patient_id="MRN-1", note="first")
    key(s, pygame.K_s, pygame.KMOD_LCTRL)
    first = s.path
    assert first is not None and first.parent == tmp_path and first.name.startswith("MRN-1_")
    saved = first.read_bytes()
    old = s.pain_map
    click(s, "new")
    assert s.dialog is None  # saved: nothing to ask
    m = s.pain_map
    assert m.is_empty and m.intensity == {} and dict(m.answers) == {} and m.visit.as_dict() == {}
    assert s.path is None and not s.dirty and s.layout.slider.value is None
    assert m is not old and old.region_coverage().get("right_calf", 0) > 0  # a fresh map, fresh times
    stroke(s, "back", dab(atlas, "left_calf"))
    key(s, pygame.K_s, pygame.KMOD_LCTRL)
    assert s.path != first and s.path.parent == tmp_path
    assert first.read_bytes() == saved  # the first patient's file is untouched
    assert fileformat.load(s.path, atlas).region_coverage().get("left_calf", 0) > 0
    assert fileformat.load(s.path, atlas).region_coverage().get("right_calf", 0) == 0


def test_new_patient_with_unsaved_changes_asks_save_discard_cancel(screen, atlas, tmp_path):
    s = screen
    stroke(s, "back", dab(atlas, "right_calf"))
    key(s, pygame.K_n, pygame.KMOD_LCTRL)
    assert s.dialog is not None and s.dialog.kind == "unsaved_new"
    assert {b for b, _ in s.dialog.buttons} == {"save", "discard", "cancel"}
    click(s, "dialog:cancel")
    assert cov(s, "right_calf") > 0 and s.dirty
    click(s, "new")
    click(s, "dialog:save")
    assert s.pain_map.is_empty and s.path is None
    files = list(tmp_path.glob("*.bodymap"))
    assert len(files) == 1 and fileformat.load(files[0], atlas).region_coverage().get("right_calf", 0) > 0
    stroke(s, "back", dab(atlas, "left_calf"))
    click(s, "new")
    click(s, "dialog:discard")
    assert s.pain_map.is_empty and len(list(tmp_path.glob("*.bodymap"))) == 1


def test_two_patients_on_the_same_second_get_two_files(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                    now=lambda: datetime(2026, 3, 14, 9, 5, 0))  # a frozen clock: the same stamp twice
    stroke(s, "back", dab(atlas, "right_calf"))
    s.files.save()
    click(s, "new")
    stroke(s, "back", dab(atlas, "left_calf"))
    s.files.save()
    assert len(list(tmp_path.glob("*.bodymap"))) == 2


# ---------------------------------------------------------------------------
# the maps folder


def test_without_a_folder_maps_go_to_the_default_maps_folder_not_the_working_directory(atlas, tmp_path,
                                                                                        monkeypatch):
    maps = tmp_path / "docs" / "bodymap"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("BODYMAP_MAPS", str(maps))
    monkeypatch.chdir(work)
    s = PaintScreen(SIZE, atlas=atlas, matcher=FakeMatcher())
    assert not maps.exists()  # made on first use, not by opening the window
    stroke(s, "back", dab(atlas, "right_calf"))
    assert s.files.save()
    assert s.path.parent == maps and s.path.is_file()
    assert list(work.iterdir()) == []


def test_an_unusable_maps_folder_leaves_the_painting_open_and_offers_save_as(atlas, tmp_path, monkeypatch):
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    monkeypatch.setenv("BODYMAP_MAPS", str(blocker / "maps"))
    s = PaintScreen(SIZE, atlas=atlas, matcher=FakeMatcher())
    stroke(s, "back", dab(atlas, "right_calf"))
    assert not s.files.save()
    assert s.dialog.kind == "save_failed" and "save_as" in dict(s.dialog.buttons)
    assert s.dirty and cov(s, "right_calf") > 0


# ---------------------------------------------------------------------------
# save as, typed


def test_save_as_types_a_name_and_picks_a_subfolder_enter_saves(screen, atlas, tmp_path):
    s = screen
    (tmp_path / "clinic-b").mkdir()
    (tmp_path / "other").mkdir()
    stroke(s, "back", dab(atlas, "right_calf"))
    click(s, "save_as")
    d = s.dialog
    assert isinstance(d, FormDialog) and d.kind == "save_as"
    assert d.fields[1].value == str(tmp_path)
    labels = dict(d.choices)
    pick = next(cid for cid, label in labels.items() if label.startswith("clinic-b"))
    click_at(s, d.choice_center(pick))
    assert s.dialog is d and d.fields[1].value == str(tmp_path / "clinic-b")
    click_at(s, d.fields[0].rect.center)
    assert d.focus == 0
    clear_field(s)
    type_text(s, "patient B")
    key(s, pygame.K_RETURN)
    assert s.dialog is None
    out = tmp_path / "clinic-b" / "patient B.bodymap"
    assert out.is_file() and s.path == out and not s.dirty
    assert fileformat.load(out, atlas).region_coverage().get("right_calf", 0) > 0


def test_save_as_typed_folder_up_and_escape(screen, atlas, tmp_path):
    s = screen
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    stroke(s, "back", dab(atlas, "right_calf"))
    key(s, pygame.K_s, pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT)
    d = s.dialog
    key(s, pygame.K_TAB)
    assert d.focus == 1
    clear_field(s)
    type_text(s, str(sub))
    assert d.payload["folder"] == sub
    click_at(s, d.choice_center("up"))
    assert d.fields[1].value == str(tmp_path / "a")
    key(s, pygame.K_ESCAPE)
    assert s.dialog is None and s.dirty and list(tmp_path.rglob("*.bodymap")) == []


def test_save_as_refuses_an_existing_file_keeping_what_was_typed_and_makes_a_new_folder(screen, atlas, tmp_path):
    s = screen
    other = PainMap(atlas)
    other.paint_region("left_calf", 0.4)
    taken = fileformat.save(other, tmp_path / "taken.bodymap")
    before = taken.read_bytes()
    stroke(s, "back", dab(atlas, "right_calf"))
    s.day.save_as_dialog()
    clear_field(s)
    type_text(s, "taken")
    key(s, pygame.K_RETURN)
    assert s.dialog.kind == "save_as" and s.dialog.tone == "error" and "exists" in s.dialog.lines[0]
    assert s.dialog.fields[0].value == "taken" and taken.read_bytes() == before
    key(s, pygame.K_TAB)
    clear_field(s)
    type_text(s, str(tmp_path / "new" / "folder"))
    key(s, pygame.K_RETURN)  # issue 21: Save As makes a folder that does not exist yet
    assert s.dialog is None and not s.dirty
    assert s.path == tmp_path / "new" / "folder" / "taken.bodymap" and s.path.is_file()
    assert "folder" in s.toast.text and taken.read_bytes() == before


@pytest.mark.parametrize("problem", ["read-only folder", "disk full"])
def test_a_failing_save_keeps_the_painting_and_save_as_then_closes(atlas, tmp_path, monkeypatch, problem):
    s = PaintScreen(SIZE, tmp_path / "p.bodymap", atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    stroke(s, "back", dab(atlas, "right_calf"))
    real_save = fileformat.save
    bad_folder = tmp_path

    def failing(pain_map, path, **kw):
        if Path(path).parent == bad_folder:
            raise FileWriteError(f"{path}: " + ("permission denied" if problem == "read-only folder"
                                               else "no space left on device"))
        return real_save(pain_map, path, **kw)

    monkeypatch.setattr(fileformat, "save", failing)
    s.handle_event(ev(pygame.QUIT))
    click(s, "dialog:save")
    assert not s.done and s.dialog.kind == "save_failed" and s.dialog.tone == "error"
    assert "discard" not in dict(s.dialog.buttons)  # never "Discard or nothing"
    assert s.dirty and cov(s, "right_calf") > 0
    click(s, "dialog:save_as")
    d = s.dialog
    assert d.kind == "save_as"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    key(s, pygame.K_TAB)
    clear_field(s)
    type_text(s, str(elsewhere))
    key(s, pygame.K_RETURN)
    assert (elsewhere / "p.bodymap").is_file()
    assert s.done  # the close that waited for the save goes ahead


def test_cancelling_after_a_failed_save_keeps_the_window_open(atlas, tmp_path):
    s = PaintScreen(SIZE, tmp_path / "missing" / "p.bodymap", atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    stroke(s, "back", dab(atlas, "right_calf"))
    s.handle_event(ev(pygame.QUIT))
    click(s, "dialog:save")
    assert s.dialog.kind == "save_failed"
    click(s, "dialog:cancel")
    assert not s.done and s.dialog is None and s.dirty


def test_open_lists_another_folder_picked_in_the_window(screen, atlas, tmp_path):
    s = screen
    other = tmp_path / "other-clinic"
    other.mkdir()
    m = PainMap(atlas)
    m.paint_region("left_calf", 0.4)
    fileformat.save(m, other / "patient-B.bodymap")
    key(s, pygame.K_o, pygame.KMOD_LCTRL)
    assert s.dialog.kind == "open" and "folder" in dict(s.dialog.buttons)  # nothing here, another folder offered
    click(s, "dialog:folder")
    d = s.dialog
    assert d.kind == "open_folder"
    pick = next(cid for cid, label in d.choices if label.startswith("other-clinic"))
    click_at(s, d.choice_center(pick))
    key(s, pygame.K_RETURN)
    assert s.dialog.kind == "open" and [p.name for p in s.dialog.payload["file"].values()] == ["patient-B.bodymap"]
    click(s, "dialog:file:0")
    assert s.path == other / "patient-B.bodymap" and cov(s, "left_calf") > 0 and not s.dirty
    # a folder that does not exist is said in the form
    key(s, pygame.K_o, pygame.KMOD_LCTRL)
    click(s, "dialog:folder")
    clear_field(s)
    type_text(s, str(tmp_path / "nowhere"))
    key(s, pygame.K_RETURN)
    assert s.dialog.kind == "open_folder" and s.dialog.tone == "error"


# ---------------------------------------------------------------------------
# visit fields


def test_visit_dialog_sets_the_fields_with_todays_date_and_they_are_saved(screen, atlas, tmp_path):
    s = screen
    key(s, pygame.K_v)
    d = s.dialog
    assert d.kind == "visit" and [f.value for f in d.fields][1] == "2026-03-14"  # today by default
    type_text(s, "MRN 0042")
    key(s, pygame.K_TAB)
    key(s, pygame.K_TAB)
    type_text(s, "Dr Okafor")
    key(s, pygame.K_TAB)
    type_text(s, "worse since Monday")
    key(s, pygame.K_RETURN)
    assert s.dialog is None and s.dirty
    assert s.pain_map.visit.as_dict() == {"patient_id": "MRN 0042", "visit_date": "2026-03-14",
                                          "recorded_by": "Dr Okafor", "note": "worse since Monday"}
    assert s.files.save()
    assert s.path.name.startswith("MRN-0042_2026-03-14")
    assert fileformat.load(s.path, atlas).visit.as_dict()["note"] == "worse since Monday"


def test_the_v_that_opens_the_visit_form_is_not_typed_into_it(screen):
    s = screen
    key(s, pygame.K_v)
    type_text(s, "v")  # SDL's TEXTINPUT for the same key press
    assert s.dialog.kind == "visit" and s.dialog.fields[0].value == ""
    type_text(s, "v")  # a real v typed afterwards is kept
    assert s.dialog.fields[0].value == "v"


def test_a_bad_visit_date_is_shown_in_the_dialog_and_nothing_changes(screen):
    s = screen
    s.day.visit_dialog()
    key(s, pygame.K_TAB)
    clear_field(s)
    type_text(s, "14/03/2026")
    key(s, pygame.K_RETURN)
    assert s.dialog is not None and s.dialog.kind == "visit" and s.dialog.tone == "error"
    assert s.dialog.fields[1].value == "14/03/2026"
    assert s.pain_map.visit.as_dict() == {} and not s.dirty


# ---------------------------------------------------------------------------
# questions


def test_the_panel_holds_every_question_the_kiosk_asks_and_answers_feed_the_flags_live(screen):
    s = screen
    s.update()
    keys = [r.key for r in s.clinician.panel.rows if r.kind == "question"]
    asked = [q.key for q in vocabulary.questions() if q.is_answer and vocabulary.applies(q.key, {})]
    assert keys == asked and "age" in keys and "bladder_bowel" in keys
    click(s, "panel:q:bladder_bowel:yes")
    assert s.pain_map.answers["bladder_bowel"] is True and s.dirty
    flags = [r for r in s.clinician.panel.rows if r.kind == "red_flag"]
    assert flags and "emergency" in " ".join(flags[0].lines).lower()
    assert s.clinician.matcher().seen[-1].get("bladder_bowel") is True  # the ranking saw the answer
    click(s, "panel:q:bladder_bowel:yes")  # tapping the chosen answer again clears it
    assert "bladder_bowel" not in s.pain_map.answers
    assert not [r for r in s.clinician.panel.rows if r.kind == "red_flag"]
    click(s, "panel:q:night_pain:unsure")
    assert s.pain_map.answers["night_pain"] == UNSURE
    # a follow-up shows only when it applies (ADR 0027: the vascular-risk question after tummy pain)
    assert "vascular_risk" not in [r.key for r in s.clinician.panel.rows if r.kind == "question"]
    click(s, "panel:q:abdominal_pain:yes")
    assert "vascular_risk" in [r.key for r in s.clinician.panel.rows if r.kind == "question"]


def test_age_is_typed_in_a_small_form(screen):
    s = screen
    s.update()
    click(s, "panel:q:age:set")
    assert s.dialog.kind == "age"
    type_text(s, "abc")
    key(s, pygame.K_RETURN)
    assert s.dialog.kind == "age" and s.dialog.tone == "error"
    clear_field(s)
    type_text(s, "54")
    key(s, pygame.K_RETURN)
    assert s.dialog is None and s.pain_map.answers["age"] == 54
    click(s, "panel:q:age:clear")
    assert "age" not in s.pain_map.answers


def _ranking():
    from fakes import Hyp

    return [Hyp("root_L5", "right", 0.6, "L5 nerve root", [])]


class RankingMatcher(FakeMatcher):
    def match(self, pain_map):
        r = super().match(pain_map)
        r.hypotheses = _ranking()
        return r


def test_open_red_flag_questions_come_first_when_both_legs_are_painted(atlas, tmp_path):
    """Issue 21: the questions sit above the ranking (a new ranking never moves them); with both legs
    painted the red-flag questions come first, and an answered one stays where it was."""
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=RankingMatcher())
    stroke(s, "back", dab(atlas, "right_calf"))
    s.update()
    kinds = [r.kind for r in s.clinician.panel.rows]
    assert kinds.index("question") < kinds.index("hypothesis")  # questions first, the ranking below
    one_leg = [r.key for r in s.clinician.panel.rows if r.kind == "question"]
    stroke(s, "back", dab(atlas, "left_calf"))
    s.update()
    assert s.pain_map.both_legs_painted
    rows = s.clinician.panel.rows
    first_hyp = next(i for i, r in enumerate(rows) if r.kind == "hypothesis")
    questions = [r.key for r in rows[:first_hyp] if r.kind == "question"]
    flagged = [q.key for q in vocabulary.questions() if q.key in questions and "red_flag" in q.uses]
    assert questions[:len(flagged)] == flagged  # the red-flag questions first ("Ask now")
    assert "bladder_bowel" in flagged and "saddle_numbness" in flagged
    assert set(questions) == set(one_leg)  # the same questions, the red-flag ones moved up
    before = s.button_center("panel:q:bladder_bowel:no")
    click(s, "panel:q:bladder_bowel:no")
    assert s.pain_map.answers["bladder_bowel"] is False
    assert s.button_center("panel:q:bladder_bowel:no") == before  # answered: it stays put


def test_red_flags_stay_first_with_their_urgency_above_the_urgent_questions(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=RankingMatcher())
    stroke(s, "back", dab(atlas, "right_calf"))
    stroke(s, "back", dab(atlas, "left_calf"))
    s.update()
    click(s, "panel:q:saddle_numbness:yes")
    kinds = [r.kind for r in s.clinician.panel.rows]
    assert kinds.index("red_flag") < kinds.index("question") < kinds.index("hypothesis")
    flag = next(r for r in s.clinician.panel.rows if r.kind == "red_flag")
    assert flag.fixed and "emergency" in " ".join(flag.lines).lower()


# ---------------------------------------------------------------------------
# print


def test_print_writes_the_report_next_to_the_map_and_says_where(atlas, tmp_path):
    path = tmp_path / "p.bodymap"
    s = PaintScreen(SIZE, path, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    stroke(s, "back", dab(atlas, "right_calf"))
    s.files.save()
    key(s, pygame.K_p, pygame.KMOD_LCTRL)
    pdf = tmp_path / "p.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    assert s.toast.text is not None and "p.pdf" in s.toast.text


def test_print_failure_is_a_message(atlas, tmp_path, monkeypatch):
    import bodymap.exports.report as report

    def boom(*a, **k):
        raise FileWriteError("/x/p.pdf: permission denied")

    monkeypatch.setattr(report, "write_report", boom)
    s = PaintScreen(SIZE, tmp_path / "p.bodymap", atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    click(s, "pdf")
    assert s.dialog is not None and s.dialog.tone == "error" and "permission denied" in s.dialog.lines[0]


# ---------------------------------------------------------------------------
# zoom


@pytest.mark.parametrize("view,rid", [("front", "right_big_toe"), ("back", "right_heel"),
                                      ("front", "left_big_toe")])
def test_a_stroke_at_zoom_lands_on_the_same_atlas_points_as_at_zoom_one(atlas, tmp_path, view, rid):
    if rid not in {r.id for r in atlas.regions}:
        pytest.fail(f"test region {rid} missing from the atlas")
    pts = dab(atlas, rid, dy=0.01)

    def recorded(s):
        got = []
        m = s.pain_map
        begin, extend = m.begin_stroke, m.extend_stroke
        m.begin_stroke = lambda view, pt, *a, **k: (got.append((view, pt)), begin(view, pt, *a, **k))[1]
        m.extend_stroke = lambda pt: (got.append((None, pt)), extend(pt))[1]
        return got

    plain = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    plain.tools.brush = "small"
    got_plain = recorded(plain)
    stroke(plain, view, pts)
    zoomed = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    zoomed.tools.brush = "small"
    zoomed.zoom_controls.zoom_by(4.0, to_screen(zoomed, view, pts[1]))
    assert zoomed.zoom is not None and zoomed.zoom[0] == view and list(zoomed.layouts) == [view]
    assert zoomed.layouts[view].scale > 3.5 * plain.layouts[view].scale
    got_zoomed = recorded(zoomed)
    stroke(zoomed, view, pts)
    # the same atlas points reach the map at both zooms, each within half a screen pixel of the intended
    # point (whole-pixel mouse positions), so the zoomed stroke is the more exact one
    assert got_zoomed[0][0] == got_plain[0][0] == view
    for s, got in ((plain, got_plain), (zoomed, got_zoomed)):
        tol = 0.72 / s.layouts[view].scale
        assert len(got) >= len(pts)
        for (_, (x, y)), (px, py) in zip(got, pts):
            assert abs(x - px) <= tol and abs(y - py) <= tol
    a, b = zoomed.pain_map.any_mask(view), plain.pain_map.any_mask(view)
    assert a.any() and (a & b).sum() >= 0.8 * max(a.sum(), b.sum())  # the same dab, give or take a pixel edge
    other_view = "back" if view == "front" else "front"
    assert not zoomed.pain_map.any_mask(other_view).any()
    assert zoomed.pain_map.region_coverage().get(rid, 0) > 0
    other = rid.replace("right_", "left_") if rid.startswith("right_") else rid.replace("left_", "right_")
    assert zoomed.pain_map.region_coverage().get(other, 0) == 0  # the patient's side is right


def test_zoomed_front_view_keeps_the_patients_right_on_the_viewers_left(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    s.zoom_controls.zoom_by(3.0, to_screen(s, "front", rep(atlas, "right_big_toe")))
    lay = s.layouts["front"]
    rx, _ = lay.to_screen(*rep(atlas, "right_big_toe"))
    lx, _ = lay.to_screen(*rep(atlas, "left_big_toe"))
    assert float(rx) < float(lx)
    s.zoom_controls.reset()
    s.zoom_controls.zoom_by(3.0, to_screen(s, "back", rep(atlas, "right_heel")))
    lay = s.layouts["back"]
    rx, _ = lay.to_screen(*rep(atlas, "right_heel"))
    lx, _ = lay.to_screen(*rep(atlas, "left_heel"))
    assert float(rx) > float(lx)


def test_zoom_by_button_wheel_keys_and_back(screen, atlas):
    s = screen
    assert not s.layout.buttons["zoom_out"].enabled
    click(s, "zoom_in")
    assert s.zoom_controls.factor == 2.0 and s.layout.buttons["zoom_out"].enabled
    click(s, "zoom_out")
    assert s.zoom is None and set(s.layouts) == {"front", "back"}
    s.input.pointer_pos = to_screen(s, "back", rep(atlas, "right_calf"))
    s.handle_event(ev(pygame.MOUSEWHEEL, x=0, y=2, flipped=False, precise_x=0.0, precise_y=2.0, touch=False))
    assert s.zoom is not None and s.zoom[0] == "back" and s.zoom_controls.factor == pytest.approx(1.25 ** 2)
    type_text(s, "+")
    assert s.zoom_controls.factor == pytest.approx(2 * 1.25 ** 2)
    key(s, pygame.K_z)
    assert s.zoom is None
    s.screenshot()  # draws at every step without error


def test_zoom_button_zooms_where_the_body_was_last_touched_and_arrows_pan(screen, atlas):
    s = screen
    stroke(s, "back", dab(atlas, "right_heel"))
    click(s, "zoom_in")  # the pointer is on the button now: zoom where the body was last touched
    assert s.zoom[0] == "back"
    lay = s.layouts["back"]
    x, y = lay.to_screen(*rep(atlas, "right_heel"))
    assert lay.contains(float(x), float(y))
    click(s, "zoom_in")
    centre = s.zoom[1]
    key(s, pygame.K_LEFT)
    assert s.zoom[1][0] < centre[0] and s.zoom[1][1] == pytest.approx(centre[1])
    key(s, pygame.K_UP)
    assert s.zoom[1][1] < centre[1]
    # painting after panning still lands on the atlas point under the pointer
    stroke(s, "back", dab(atlas, "right_calf"))
    assert s.pain_map.region_coverage().get("right_calf", 0) > 0
    assert s.pain_map.region_coverage().get("left_calf", 0) == 0


def test_two_finger_pinch_zooms_and_does_not_paint_with_the_second_finger(screen, atlas):
    s = screen
    w, h = s.size
    c = to_screen(s, "front", rep(atlas, "right_anterior_thigh"))
    a, b = (c[0] - 20, c[1]), (c[0] + 20, c[1])

    def finger(kind, pos, fid):
        s.handle_event(ev(kind, x=pos[0] / w, y=pos[1] / h, dx=0.0, dy=0.0, touch_id=1, finger_id=fid, pressure=0.0))

    finger(pygame.FINGERDOWN, a, 1)
    finger(pygame.FINGERDOWN, b, 2)
    finger(pygame.FINGERMOTION, (a[0] - 40, a[1]), 1)
    finger(pygame.FINGERMOTION, (b[0] + 40, b[1]), 2)
    assert s.zoom is not None and s.zoom[0] == "front" and s.zoom_controls.factor == pytest.approx(3.0, rel=0.05)
    before = s.pain_map.layers("front").copy()
    finger(pygame.FINGERUP, (a[0] - 40, a[1]), 1)
    finger(pygame.FINGERUP, (b[0] + 40, b[1]), 2)
    assert np.array_equal(s.pain_map.layers("front"), before)  # the pinch itself paints nothing more
    # one finger paints again afterwards
    stroke(s, "front", dab(atlas, "right_anterior_thigh"))
    assert s.pain_map.region_coverage().get("right_anterior_thigh", 0) > 0


# ---------------------------------------------------------------------------
# help, pain score, dialogs and toast


def test_help_lists_the_shortcuts_by_f1_and_question_mark(screen):
    s = screen
    key(s, pygame.K_F1)
    assert s.dialog.kind == "help"
    text = " ".join(s.dialog.lines)
    for k in ("Ctrl+N", "Ctrl+S", "Ctrl+Shift+S", "Ctrl+P", "F1"):
        assert k in text
    key(s, pygame.K_ESCAPE)
    assert s.dialog is None
    type_text(s, "?")
    assert s.dialog.kind == "help"


def test_the_pain_score_can_be_reset_to_not_given(screen):
    s = screen
    r = s.layout.slider.rect
    click_at(s, (int(r.left + 0.5 * r.width), r.centery))
    assert s.pain_map.intensity.get("overall") == 5
    click(s, "score_clear")
    assert "overall" not in s.pain_map.intensity and s.layout.slider.value is None
    s.pain_map.set_intensity(None, 3)
    key(s, pygame.K_0)
    assert "overall" not in s.pain_map.intensity


@pytest.mark.parametrize("size", [(1280, 800), (900, 700), (800, 600)])
def test_dialog_titles_fit_inside_their_dialog(atlas, tmp_path, size):
    s = PaintScreen(size, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    long_name = "a-rather-long-file-name-from-the-clinic-records-system-2026-03-14.bodymap"
    stroke(s, "back", dab(atlas, "right_calf"))
    from bodymap.ui.kit.form import FitDialog

    s.show_dialog(FitDialog("unsaved_open", f"Save your painting before opening {long_name}?", ["x"],
                             [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))
    s.screenshot()
    d = s.dialog
    assert d.title_fits(s.text, s.layout.font_size, s.layout.s)
    assert all(r.bottom <= d.rect.bottom and r.top >= d.rect.top for r in d.button_rects.values())


def test_the_saved_toast_does_not_cover_the_feet(screen, atlas):
    s = screen
    stroke(s, "back", dab(atlas, "right_calf"))
    s.files.save()
    assert s.toast.text and s.toast.text.startswith("Saved to")
    box = s.toast.rect()
    for v in ("front", "back"):
        for rid in ("right_big_toe", "left_big_toe", "right_heel", "left_heel"):
            r = atlas.region(rid) if rid in {x.id for x in atlas.regions} else None
            if r is None or r.view != v:
                continue
            x0, y0, x1, y1 = r.geometry.bounds
            (sx0, sy0), (sx1, sy1) = to_screen(s, v, (x0, y0)), to_screen(s, v, (x1, y1))
            assert not box.colliderect(pygame.Rect(min(sx0, sx1), min(sy0, sy1), abs(sx1 - sx0) + 1,
                                                   abs(sy1 - sy0) + 1)), rid


def test_with_the_real_matcher_answers_change_the_ranking_and_raise_flags_at_once(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path)  # the default matcher: bodymap.matcher
    stroke(s, "front", dab(atlas, "right_lateral_leg", dy=0.2))
    stroke(s, "front", dab(atlas, "right_big_toe", dy=0.01))
    s.update()
    assert s.clinician.matcher_error is None, s.clinician.matcher_error
    before = [(h.id, h.side, round(h.probability, 6)) for h in s.clinician.panel.hypotheses]
    assert before and not s.clinician.panel.red_flags
    for q in ("numbness", "weakness", "worse_sitting"):
        click(s, f"panel:q:{q}:yes")
    after = [(h.id, h.side, round(h.probability, 6)) for h in s.clinician.panel.hypotheses]
    assert after != before  # the matcher read the answers without another stroke
    click(s, "panel:q:bladder_bowel:yes")
    flags = [r for r in s.clinician.panel.rows if r.kind == "red_flag"]
    assert flags and all(r.fixed for r in flags)
    kinds = [r.kind for r in s.clinician.panel.rows]
    assert kinds.index("red_flag") < kinds.index("hypothesis")


def test_partial_redraw_with_the_toast_over_the_status_bar_matches_a_full_redraw(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, show_panel=False)
    surf = pygame.Surface(SIZE)
    s.toast.say("Saved to somewhere.bodymap")
    s.draw(surf)
    pos = to_screen(s, "back", rep(atlas, "right_calf"))
    s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    for k in range(1, 8):
        s.handle_event(ev(pygame.MOUSEMOTION, pos=(pos[0], pos[1] + 6 * k), rel=(0, 6), buttons=(1, 0, 0)))
        s.update()
        assert s.draw_partial(surf) is not None
    full = pygame.Surface(SIZE)
    s.draw(full)
    assert (pygame.surfarray.array3d(surf) != pygame.surfarray.array3d(full)).any(axis=2).sum() == 0


def test_a_finger_lost_with_the_focus_does_not_turn_the_next_touch_into_a_pinch(screen, atlas):
    s = screen
    w, h = s.size
    p = to_screen(s, "back", rep(atlas, "right_calf"))
    s.handle_event(ev(pygame.FINGERDOWN, x=0.9, y=0.9, dx=0.0, dy=0.0, touch_id=1, finger_id=1, pressure=0.0))
    s.handle_event(ev(pygame.WINDOWFOCUSLOST))  # its FINGERUP never comes
    s.handle_event(ev(pygame.FINGERDOWN, x=p[0] / w, y=p[1] / h, dx=0.0, dy=0.0, touch_id=1, finger_id=2,
                      pressure=0.0))
    s.handle_event(ev(pygame.FINGERUP, x=p[0] / w, y=p[1] / h, dx=0.0, dy=0.0, touch_id=1, finger_id=2,
                      pressure=0.0))
    assert s.zoom is None and cov(s, "right_calf") > 0
