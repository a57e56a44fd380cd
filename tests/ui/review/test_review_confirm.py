"""The confirmed diagnosis in the review window (issue 25), driven through the scene with tests/drive.py:
key D opens the form on the open map, taps and typing fill it, Save writes the visit's own file."""
from __future__ import annotations

from datetime import timezone

import pygame

from bodymap import fileformat
from bodymap.painting import PainMap
from bodymap.ui.review import ReviewScreen
from bodymap.visits import history_of
from drive import click, display_fixture, ev, key

SIZE = (1400, 900)
display = display_fixture(SIZE)


def make(atlas, folder, name, regions, patient, day):
    m = PainMap(atlas)
    for r in regions:
        m.paint_region(r)
    m.meta["created"] = f"{day}T09:00:00Z"
    m.set_visit(patient_id=patient, visit_date=day)
    return fileformat.save(m, folder / name)


def type_text(scene, text: str) -> None:
    scene.handle_event(ev(pygame.TEXTINPUT, text=text))


def fill(scene, index: int, text: str) -> None:
    click(scene, f"confirm:field:{index}")
    field = scene.confirm.dialog.fields[index]
    for _ in range(len(field.value)):
        key(scene, pygame.K_BACKSPACE) if field.cursor else key(scene, pygame.K_DELETE)
    type_text(scene, text)


def info_texts(scene) -> list[str]:
    return [t for _, t in scene.info.texts()]


def test_key_d_records_the_confirmed_diagnosis_and_a_bad_field_keeps_the_form(atlas, tmp_path):
    a = make(atlas, tmp_path, "a.bodymap", ["right_calf"], "MRN 1", "2024-03-01")
    b = make(atlas, tmp_path, "b.bodymap", ["left_calf"], "MRN 2", "2024-03-02")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    s.open_index(s.index_of(a))
    key(s, pygame.K_d)
    assert s.confirm.dialog is not None and [f.value for f in s.confirm.dialog.fields] == ["", "", ""]
    fill(s, 0, "root_S1")
    fill(s, 1, "x-ray")
    click(s, "confirm:ok")
    d = s.confirm.dialog
    assert d is not None, "a bad field keeps the form open"
    assert "how must be one of" in " ".join(d.lines) and [f.value for f in d.fields][:2] == ["root_S1", "x-ray"]
    assert fileformat.load(a).confirmed is None
    fill(s, 1, "imaging")
    fill(s, 2, "2024-04-02")
    click(s, "confirm:ok")
    assert s.confirm.dialog is None
    assert fileformat.load(a).confirmed == {"diagnosis": "root_S1", "how": "imaging", "date": "2024-04-02"}
    assert fileformat.load(b).confirmed is None and history_of(a)
    assert "a.bodymap" in (s.toast or "")
    assert "Confirmed diagnosis: root_S1 (by imaging, 2024-04-02)" in info_texts(s)
    s.screenshot()


def test_the_form_is_the_top_layer_and_escape_cancels_without_saving(atlas, tmp_path):
    a = make(atlas, tmp_path, "a.bodymap", ["right_calf"], "MRN 1", "2024-03-01")
    make(atlas, tmp_path, "b.bodymap", ["left_calf"], "MRN 2", "2024-03-02")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    s.open_index(s.index_of(a))
    raw = a.read_bytes()
    key(s, pygame.K_d)
    fill(s, 0, "hip_joint")
    row = s.list.rows[1]
    s.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=s.list.row_screen_rect(row).center, button=1))
    s.handle_event(ev(pygame.MOUSEBUTTONUP, pos=s.list.row_screen_rect(row).center, button=1))
    assert s.current.entry.path == a, "a tap beside the form reaches nothing under it"
    key(s, pygame.K_ESCAPE)
    assert s.confirm.dialog is None and a.read_bytes() == raw


def test_the_form_opens_only_on_one_open_map(atlas, tmp_path):
    a = make(atlas, tmp_path, "a.bodymap", ["right_calf"], "MRN 1", "2024-03-01")
    b = make(atlas, tmp_path, "b.bodymap", ["left_calf"], "MRN 1", "2024-03-09")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    key(s, pygame.K_d)
    assert s.confirm.dialog is None, "no map open"
    s.open_index(s.index_of(a))
    s.compare_with(s.index_of(b))
    key(s, pygame.K_d)
    assert s.mode == "compare" and s.confirm.dialog is None, "a comparison shows two visits: not one to confirm"


def test_keyboard_only_tab_between_fields_and_enter_saves(atlas, tmp_path):
    a = make(atlas, tmp_path, "a.bodymap", ["right_calf"], "MRN 1", "2024-03-01")
    s = ReviewScreen(a, SIZE, atlas=atlas, tz=timezone.utc)  # a single file opens straight into it
    key(s, pygame.K_d)
    type_text(s, "L4 schwannoma")
    key(s, pygame.K_TAB)
    type_text(s, "surgery")
    key(s, pygame.K_TAB, pygame.KMOD_SHIFT)
    assert s.confirm.dialog.focus == 0, "shift-tab goes back"
    key(s, pygame.K_RETURN)
    assert s.confirm.dialog is None
    assert fileformat.load(a).confirmed == {"diagnosis": "L4 schwannoma", "how": "surgery", "date": None}
