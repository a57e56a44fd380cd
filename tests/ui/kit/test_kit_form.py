"""The kit's typing widgets (bodymap.ui.kit.form): a text field, dialogs whose titles fit, forms."""
from __future__ import annotations

import pygame
import pytest

from bodymap.ui.kit import TextCache
from bodymap.ui.kit.form import FitDialog, FormDialog, TextField


@pytest.fixture(scope="module", autouse=True)
def fonts():
    pygame.font.init()
    yield


def test_text_field_edits_at_the_cursor():
    f = TextField("Name", "MRN")
    assert f.cursor == 3
    f.insert(" 42")
    f.key(pygame.K_HOME)
    f.insert(">")
    assert f.value == ">MRN 42" and f.cursor == 1
    f.key(pygame.K_DELETE)
    assert f.value == ">RN 42"
    f.key(pygame.K_BACKSPACE)
    assert f.value == "RN 42" and f.cursor == 0
    f.key(pygame.K_BACKSPACE)  # nothing before the cursor: nothing happens
    assert f.value == "RN 42"
    f.key(pygame.K_END)
    f.key(pygame.K_LEFT)
    f.insert("x")
    assert f.value == "RN 4x2"
    assert not f.key(pygame.K_a)  # not an editing key


def test_text_field_drops_control_characters_and_keeps_its_length():
    f = TextField("Age", max_length=3)
    f.insert("1\t2\n34567")
    assert f.value == "123"
    f.set("98765")
    assert f.value == "987" and f.cursor == 3


@pytest.mark.parametrize("width", [320, 480, 800])
def test_a_long_title_wraps_inside_its_dialog_and_moves_the_buttons_down(width):
    text = TextCache()
    title = "Save your painting before opening a-very-long-file-name-from-the-records-system-2026-03-14.bodymap?"
    d = FitDialog("x", title, ["One line."], [("save", "Save"), ("cancel", "Cancel")])
    area = pygame.Rect(0, 0, width, 600)
    d.layout(area, 1.0, 22)
    assert d.title_fits(text, 22, 1.0)
    assert len(d._title_lines) > 1
    plain = FitDialog("x", "Short", ["One line."], [("save", "Save"), ("cancel", "Cancel")])
    plain.layout(area, 1.0, 22)
    assert d.rect.height > plain.rect.height
    for bid, r in d.button_rects.items():
        assert d.rect.contains(r)
        assert r.top - d.rect.top > plain.button_rects[bid].top - plain.rect.top
    surf = pygame.Surface(area.size)
    d.draw(surf, text, 22, 1.0, None)


def test_a_form_places_fields_and_choices_inside_itself_and_hits_them():
    d = FormDialog("f", "Form", ["Type."], [("ok", "OK"), ("cancel", "Cancel")],
                   fields=[TextField("A"), TextField("B")], choices=[("up", "Up"), ("dir:0", "sub/")])
    d.layout(pygame.Rect(0, 0, 1000, 800), 1.0, 22)
    rects = [f.rect for f in d.fields] + [d._choice_rects[c] for c, _ in d.choices] + list(d.button_rects.values())
    for i, r in enumerate(rects):
        assert d.rect.contains(r)
        for other in rects[i + 1:]:
            assert not r.colliderect(other)
    assert d.hit(d.fields[1].rect.center) == "field:1"
    assert d.hit(d.choice_center("dir:0")) == "dir:0"
    assert d.hit(d.button_rects["ok"].center) == "ok"


def test_a_short_window_shows_fewer_choices_but_keeps_the_buttons():
    choices = [(f"dir:{i}", f"folder {i}/") for i in range(8)]
    d = FormDialog("f", "Form", ["Type."], [("ok", "OK")], fields=[TextField("A")], choices=choices)
    d.layout(pygame.Rect(0, 0, 800, 420), 0.6, 16)
    assert len(d._choice_rects) < len(choices)
    assert all(d.rect.contains(r) for r in d.button_rects.values())
