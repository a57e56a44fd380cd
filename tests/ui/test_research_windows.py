"""The painting and review windows show the standard indices; review shows the confirmed diagnosis."""
from __future__ import annotations

import pygame
import pytest

from bodymap import fileformat
from bodymap.painting import PainMap
from bodymap.ui.paint import PaintScreen
from bodymap.ui.review.screen import ReviewScreen

from drive import display_fixture

SIZE = (1280, 800)


display = display_fixture(SIZE)  # one headless display for the file; `atlas` comes from conftest


def test_the_painting_window_readout_gives_wpi_and_mbm(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, show_panel=False)
    assert "WPI" not in s.status.readout_lines()[0]  # nothing painted: no indices shown
    for r in ("right_calf", "left_lower_back", "right_front_of_shoulder"):
        s.pain_map.paint_region(r, 1.0)
    assert "WPI 3/19, MBM 3/35" in s.status.readout_lines()[0]


def test_review_shows_indices_and_the_confirmed_diagnosis(atlas, tmp_path):
    m = PainMap(atlas)
    m.paint_region("right_calf", 1.0)
    m.confirmed = {"diagnosis": "root_S1", "how": "imaging", "date": "2026-04-02"}
    fileformat.save(m, tmp_path / "a.bodymap")
    s = ReviewScreen(tmp_path / "a.bodymap", (1400, 900), atlas=atlas)
    texts = [t for _, t in s.info.texts()]
    assert "Confirmed diagnosis: root_S1 (by imaging, 2026-04-02)" in texts
    assert any(t.startswith("Indices: WPI 1/19") for t in texts)


def test_review_key_l_lists_maps_like_this_one(atlas, tmp_path):
    for name, regions in (("a", ["right_calf"]), ("b", ["right_calf"]), ("c", ["right_calf", "right_posterior_thigh"]),
                          ("d", ["left_chest"])):
        m = PainMap(atlas)
        for r in regions:
            m.paint_region(r, 1.0)
        fileformat.save(m, tmp_path / f"{name}.bodymap")
    s = ReviewScreen(tmp_path, (1400, 900), atlas=atlas)
    s.open_index(next(i for i, e in enumerate(s.entries) if e.path.name == "a.bodymap"))
    assert not any("Maps like this one" in t for _, t in s.info.texts())
    s.handle_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_l, mod=0, unicode="l"))
    texts = [t for _, t in s.info.texts()]
    i = texts.index("Maps like this one")
    assert texts[i + 1] == "b.bodymap: Jaccard 1.00, Ruzicka 1.00"
    assert texts[i + 2].startswith("c.bodymap:") and texts[i + 3].startswith("d.bodymap: Jaccard 0.00")
    # opening another map drops the list until it is asked for again
    s.open_index(next(i for i, e in enumerate(s.entries) if e.path.name == "d.bodymap"))
    assert not any("Maps like this one" in t for _, t in s.info.texts())


def _type(s, text):
    for ch in text:
        s.handle_event(pygame.event.Event(pygame.TEXTINPUT, text=ch))


def _key(s, key, ch=""):
    s.handle_event(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0, unicode=ch, scancode=0))


def test_the_painting_window_sets_the_confirmed_diagnosis(atlas, tmp_path):
    path = tmp_path / "p.bodymap"
    s = PaintScreen(SIZE, path, atlas=atlas, folder=tmp_path, show_panel=False)
    s.pain_map.paint_region("right_calf", 1.0)
    _key(s, pygame.K_d, "d")
    _type(s, "d")  # the shortcut's own letter arrives as text: not typed into the form
    assert s.dialog is not None and s.dialog.kind == "confirmed"
    _type(s, "root_S1")
    _key(s, pygame.K_TAB)
    _type(s, "x-ray")
    _key(s, pygame.K_RETURN)
    assert s.dialog is not None and "how must be one of" in " ".join(s.dialog.lines)  # refused, values kept
    assert s.dialog.fields[0].value == "root_S1"
    s.dialog.fields[1].set("block")
    _key(s, pygame.K_RETURN)
    assert s.dialog is None
    assert s.pain_map.confirmed == {"diagnosis": "root_S1", "how": "block", "date": None}
    assert s.dirty
    s.files.save()
    assert fileformat.load(path).confirmed == {"diagnosis": "root_S1", "how": "block", "date": None}
