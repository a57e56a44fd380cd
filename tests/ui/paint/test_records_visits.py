"""Visits never overwrite each other (issue 21, item 1), played through the painting window's scene:
open patient A's first visit, start a new visit, repaint, save; and the refusals and history around it.

Driven with synthetic pygame events through `PaintScreen.handle_event`, headless; assertions read the
files back from disk.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pygame
import pytest

from bodymap import fileformat, visits
from bodymap.painting import PainMap
from bodymap.ui.paint import PaintScreen

from test_paint_day import FakeMatcher, click, dab, key, stroke, type_text, clear_field

from drive import display_fixture

SIZE = (1366, 768)


display = display_fixture(SIZE)  # one headless display for the file; `atlas` comes from conftest


class Clock:
    def __init__(self, when: datetime):
        self.when = when

    def __call__(self) -> datetime:
        return self.when


def utc(when: datetime) -> str:
    return when.astimezone().astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def first_visit(atlas, folder: Path) -> Path:
    """Patient A's first visit, 2026-12-07, right calf, saved in `folder`."""
    clock = Clock(datetime(2026, 12, 7, 9, 0, 0))
    s = PaintScreen(SIZE, atlas=atlas, folder=folder, matcher=FakeMatcher(), now=clock)
    s.pain_map.meta["created"] = s.desk.utc_stamp()
    stroke(s, "back", dab(atlas, "right_calf"))
    s.pain_map.set_visit(patient_id="MRN-A", visit_date="2026-12-07", recorded_by="Dr Okafor")
    key(s, pygame.K_s, pygame.KMOD_LCTRL)
    assert s.path is not None and s.path.is_file()
    return s.path


def test_follow_up_visit_through_the_window_keeps_both_visits_with_their_own_dates(atlas, tmp_path):
    path_a = first_visit(atlas, tmp_path)
    before = path_a.read_bytes()
    clock = Clock(datetime(2026, 12, 21, 10, 30, 0))
    s = PaintScreen(SIZE, path_a, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(), now=clock)
    first_created = s.pain_map.meta["created"]
    click(s, "new_visit")
    assert s.dialog is not None and s.dialog.kind == "new_visit"
    click(s, "dialog:visit_copy")
    m = s.pain_map
    assert m.visit.patient_id == "MRN-A" and m.visit.visit_date == "2026-12-21"
    assert m.region_coverage().get("right_calf", 0) > 0  # a copy of the last painting, to edit
    assert s.path is None and s.dirty
    stroke(s, "back", dab(atlas, "left_calf"))  # repaint
    click(s, "save")
    second = s.path
    assert second is not None and second != path_a and second.parent == tmp_path
    assert path_a.read_bytes() == before  # visit 1 untouched
    one, two = fileformat.load(path_a, atlas), fileformat.load(second, atlas)
    assert one.visit.visit_date == "2026-12-07" and two.visit.visit_date == "2026-12-21"
    assert one.visit.patient_id == two.visit.patient_id == "MRN-A"
    assert one.region_coverage().get("left_calf", 0) == 0 and two.region_coverage().get("left_calf", 0) > 0
    # each visit its own painted and saved times
    assert one.meta["created"] == first_created
    assert two.meta["created"] == utc(clock.when)  # painted at the second visit, not the first's time
    assert two.meta["modified"] is not None and two.meta["modified"] >= one.meta["modified"]
    assert "2026-12-21" in second.name and "MRN-A" in second.name


def test_new_visit_empty_starts_with_nothing_painted_and_no_answers(atlas, tmp_path):
    path_a = first_visit(atlas, tmp_path)
    s = PaintScreen(SIZE, path_a, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                    now=Clock(datetime(2026, 12, 21, 10, 30, 0)))
    s.clinician.set_answer("night_pain", True)
    key(s, pygame.K_n, pygame.KMOD_LCTRL | pygame.KMOD_LSHIFT)
    assert s.dialog.kind == "unsaved_visit"  # the answer is an unsaved change: asked first
    click(s, "dialog:discard")
    click(s, "dialog:visit_empty")
    m = s.pain_map
    assert m.is_empty and dict(m.answers) == {} and m.intensity == {} and m.visit.note is None
    assert m.visit.as_dict() == {"patient_id": "MRN-A", "visit_date": "2026-12-21", "recorded_by": "Dr Okafor"}


def test_new_visit_without_a_patient_identifier_says_what_is_needed(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher())
    click(s, "new_visit")
    assert s.dialog.kind == "message" and "patient identifier" in " ".join(s.dialog.lines)


def test_changing_the_visit_date_then_save_refuses_to_replace_the_first_visit(atlas, tmp_path):
    """The reported fault: open A, set a later visit date, repaint, Save replaced visit 1."""
    path_a = first_visit(atlas, tmp_path)
    before = path_a.read_bytes()
    s = PaintScreen(SIZE, path_a, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                    now=Clock(datetime(2026, 12, 21, 10, 30, 0)))
    first_created = s.pain_map.meta["created"]
    key(s, pygame.K_v)
    type_text(s, "v")  # SDL's text for the shortcut key, swallowed
    s.dialog.focus = 1
    clear_field(s)
    type_text(s, "2026-12-21")
    key(s, pygame.K_RETURN)
    assert s.pain_map.visit.visit_date == "2026-12-21"
    stroke(s, "back", dab(atlas, "left_calf"))
    click(s, "save")
    assert s.dialog is not None and s.dialog.kind == "other_visit"
    assert path_a.read_bytes() == before  # refused: visit 1 untouched
    assert s.dirty and s.pain_map.region_coverage().get("left_calf", 0) > 0  # still open
    click(s, "dialog:save_new_visit")
    assert s.path != path_a and s.path.is_file() and path_a.read_bytes() == before
    two = fileformat.load(s.path, atlas)
    assert two.visit.visit_date == "2026-12-21" and two.meta["created"] != first_created


def test_another_patient_in_the_file_is_refused(atlas, tmp_path):
    path_a = first_visit(atlas, tmp_path)
    m = fileformat.load(path_a, atlas)
    m.set_visit(patient_id="MRN-B")
    with pytest.raises(visits.VisitConflict) as err:
        visits.save_visit(m, path_a)
    assert "MRN-A" in str(err.value) and "MRN-B" in str(err.value)
    assert fileformat.load(path_a, atlas).visit.patient_id == "MRN-A"


def test_saving_the_same_visit_again_keeps_the_replaced_version_beside_it(atlas, tmp_path):
    path_a = first_visit(atlas, tmp_path)
    v1 = path_a.read_bytes()
    s = PaintScreen(SIZE, path_a, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                    now=Clock(datetime(2026, 12, 7, 9, 30, 0)))
    stroke(s, "back", dab(atlas, "left_calf"))
    click(s, "save")
    assert s.path == path_a and s.dialog is None
    kept = visits.history_of(path_a)
    assert [p.name for p in kept] == [path_a.name + "~1"] and kept[0].read_bytes() == v1
    v2 = path_a.read_bytes()
    stroke(s, "back", dab(atlas, "right_thigh_back" if "right_thigh_back" in atlas.region_ids else "right_calf"))
    click(s, "save")
    kept = visits.history_of(path_a)
    assert [p.read_bytes() for p in kept] == [v1, v2]
    # the kept versions are not maps of the folder (the folder commands and Open read *.bodymap)
    assert sorted(p.name for p in tmp_path.glob("*.bodymap")) == [path_a.name]


def test_filling_in_an_empty_visit_field_is_the_same_visit(atlas, tmp_path):
    m = PainMap(atlas)
    m.paint_region("right_calf")
    path = tmp_path / "old.bodymap"
    fileformat.save(m, path)
    m2 = fileformat.load(path, atlas)
    m2.set_visit(patient_id="MRN-C", visit_date="2026-01-02")
    assert visits.save_conflict(m2, path) is None
    visits.save_visit(m2, path)
    assert fileformat.load(path, atlas).visit.patient_id == "MRN-C"


def test_a_failed_save_keeps_the_painting_names_the_folder_and_leaves_nothing_half_written(atlas, tmp_path,
                                                                                           monkeypatch):
    import errno
    import os

    path_a = first_visit(atlas, tmp_path)
    before = path_a.read_bytes()
    s = PaintScreen(SIZE, path_a, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                    now=Clock(datetime(2026, 12, 7, 9, 30, 0)))
    stroke(s, "back", dab(atlas, "left_calf"))
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    click(s, "save")
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert s.dialog is not None and s.dialog.kind == "save_failed"
    assert tmp_path.name in s.dialog.title and "disk is full" in " ".join(s.dialog.lines)
    assert s.dirty and s.pain_map.region_coverage().get("left_calf", 0) > 0  # still open
    assert path_a.read_bytes() == before  # the saved visit as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path_a.name] + [p.name for p in
                                                                                 visits.history_of(path_a)])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


def test_save_as_suggests_a_name_from_the_visit_makes_a_folder_and_forgets_the_last_patient(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(),
                    now=Clock(datetime(2026, 12, 7, 9, 0, 0)))
    stroke(s, "back", dab(atlas, "right_calf"))
    s.pain_map.set_visit(patient_id="MRN-A", visit_date="2026-12-07")
    s.day.save_as_dialog()
    assert s.dialog.fields[0].value == "MRN-A_2026-12-07.bodymap"  # from the visit
    key(s, pygame.K_TAB)
    clear_field(s)
    type_text(s, str(tmp_path / "clinic" / "MRN-A"))
    key(s, pygame.K_RETURN)
    assert s.path == tmp_path / "clinic" / "MRN-A" / "MRN-A_2026-12-07.bodymap" and s.path.is_file()
    assert "MRN-A" in s.toast.text and "clinic" in s.toast.text  # says where
    click(s, "new")  # the next patient
    s.pain_map.set_visit(patient_id="MRN-B", visit_date="2026-12-07")
    s.day.save_as_dialog()
    assert s.dialog.fields[0].value == "MRN-B_2026-12-07.bodymap"
    assert "clinic" not in s.dialog.fields[1].value  # not the last patient's folder


def test_save_as_of_the_same_visit_keeps_its_painted_time_another_date_gets_its_own(atlas, tmp_path):
    path_a = first_visit(atlas, tmp_path)
    clock = Clock(datetime(2026, 12, 21, 10, 30, 0))
    s = PaintScreen(SIZE, path_a, atlas=atlas, folder=tmp_path, matcher=FakeMatcher(), now=clock)
    painted = s.pain_map.meta["created"]
    s.day.save_as_dialog()
    clear_field(s)
    type_text(s, "copy")
    key(s, pygame.K_RETURN)
    assert s.path.name == "copy.bodymap" and fileformat.load(s.path, atlas).meta["created"] == painted
    s.pain_map.set_visit(visit_date="2026-12-21")  # now another visit: saved elsewhere, its own painted time
    s.day.save_as_dialog()
    clear_field(s)
    type_text(s, "second")
    key(s, pygame.K_RETURN)
    assert fileformat.load(s.path, atlas).meta["created"] == utc(clock.when)
    assert fileformat.load(path_a, atlas).meta["created"] == painted
