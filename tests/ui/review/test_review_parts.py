"""The review window is built from owned parts, not mixins (issue 19 item 2, ADR 0038).

Each part is made here without a window, from what it is given, and checked for what it does: the layout
from a size and the state shown, the input turning keys and taps into the window's action tuples, the panes
keeping the map list shown or hidden across a comparison. That no class of `ui/review` extends another is
tests/ui/test_window_parts.py's.
"""
from __future__ import annotations

from datetime import timezone

import pygame
import pytest

from bodymap import fileformat
from bodymap.painting import PainMap
from bodymap.review.session import ReviewSession
from bodymap.ui.kit import TextCache
from bodymap.ui.kit.tap import TapTracker
from bodymap.ui.pointer import DOWN, MOUSE, MOVE, UP, Pointer
from bodymap.ui.review import ReviewScreen
from bodymap.ui.review.confirm import ConfirmForm
from bodymap.ui.review.input import ReviewInput
from bodymap.ui.review.layout import ReviewLayout
from bodymap.ui.review.panels import InfoPanel, MapList
from bodymap.ui.review.panes import Panes
from bodymap.ui.review.timeline import TimelineView

from drive import display_fixture

SIZE = (1400, 900)

display = display_fixture(SIZE)  # `atlas` comes from conftest


@pytest.fixture
def folder(atlas, tmp_path):
    for i, rid in enumerate(("right_calf", "left_anterior_thigh", "right_buttock")):
        m = PainMap(atlas)
        m.paint_region(rid)
        m.meta["created"] = f"2024-03-0{i + 1}T09:00:00Z"
        fileformat.save(m, tmp_path / f"m{i}.bodymap")
    return tmp_path


def test_no_part_keeps_the_window_itself(atlas, folder):
    """A part gets the session, the text cache, the toast, a few parts or callables: never the window."""
    s = ReviewScreen(folder, SIZE, atlas=atlas)
    parts = [v for v in vars(s).values() if type(v).__module__.startswith("bodymap.ui.")]
    assert {"ReviewLayout", "ReviewInput", "Panes", "Toast", "MapList", "CentrePicture"} <= {type(p).__name__
                                                                                              for p in parts}
    holders = [type(p).__name__ for p in parts if any(v is s for v in vars(p).values())]
    assert not holders, f"these parts keep the window: {holders}"


@pytest.mark.parametrize("size", [(1400, 900), (1366, 768), (900, 1300)])
def test_the_layout_stands_alone(atlas, size):
    """Made from a size and the state shown: the panes tile the window under the top bar, front left of back."""
    L = ReviewLayout(size, TextCache(), atlas, tz=timezone.utc, is_folder=True, filter="all", mode="single",
                     show_list=True)
    window = pygame.Rect(0, 0, *size)
    assert all(L.top_rect.contains(b.rect) for b in L.buttons.values())
    panes = [L.list_rect, L.center_rect, L.info_rect]
    assert all(window.contains(r) and r.top >= L.top_rect.bottom for r in panes)
    assert not any(a.colliderect(b) for i, a in enumerate(panes) for b in panes[i + 1:])
    if L.portrait:  # a tall window: the information panel under the pictures
        assert L.info_rect.top >= L.center_rect.bottom
    else:
        assert L.info_rect.left >= L.center_rect.right
    # the patient's right is on the viewer's left on the front view: the front view is left of the back
    assert L.layouts["front"].left < L.layouts["back"].left
    assert L.hit(L.buttons["outlines"].rect.center) == "outlines" and L.hit((-5, -5)) is None
    no_list = ReviewLayout(size, TextCache(), atlas, tz=None, is_folder=False, filter="all", mode="single",
                           show_list=False)
    assert "list" not in no_list.buttons and no_list.list_rect.width == 0
    assert no_list.center_rect.width > L.center_rect.width


def _input(atlas, folder, activated):
    session = ReviewSession(folder, atlas, tz=timezone.utc, say=lambda _: None, open_first=False)
    layout = ReviewLayout(SIZE, TextCache(), atlas, tz=timezone.utc, is_folder=True, filter="all",
                          mode="single", show_list=True)
    ml = MapList(tz=timezone.utc)
    Panes(session, ml).sync_list()
    ml.layout(layout.list_rect, layout.s, layout.font_size, layout.small_size, layout.btn_h, TextCache())
    info = InfoPanel()
    info.layout(layout.info_rect, layout.s, layout.font_size, layout.small_size, layout.btn_h)
    taps = TapTracker()
    closed = []
    inp = ReviewInput(session, taps, map_list=ml, info=info, timeline_view=TimelineView(session, TextCache()),
                      confirm=ConfirmForm(session, lambda _: None), layout=lambda: layout,
                      list_shown=lambda: True, activate=activated.append, form_closed=lambda: closed.append(1))
    return inp, session, ml, taps


def test_the_input_turns_keys_and_taps_into_actions(atlas, folder):
    acts: list[tuple] = []
    inp, session, ml, taps = _input(atlas, folder, acts)

    def key(k):
        inp.key(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))

    for k in (pygame.K_ESCAPE, pygame.K_DOWN, pygame.K_F5, pygame.K_d, pygame.K_l):
        key(k)
    assert acts == [("escape",), ("map", 0), ("refresh",), ("confirm_form",), ("similar",)]
    acts.clear()
    at = inp.center("list:1")  # a tap on a row of the map list: that map
    inp.handle_pointer(Pointer(DOWN, at, MOUSE))
    inp.handle_pointer(Pointer(UP, at, MOUSE))
    assert acts == [("map", 1)]
    at = inp.center("print")
    inp.handle_pointer(Pointer(DOWN, at, MOUSE))
    inp.handle_pointer(Pointer(UP, at, MOUSE))
    assert acts[-1] == ("print",)


def test_a_drag_on_the_map_list_scrolls_it_and_taps_nothing(atlas, folder):
    acts: list[tuple] = []
    inp, session, ml, taps = _input(atlas, folder, acts)
    start = inp.center("list:0")
    inp.handle_pointer(Pointer(DOWN, start, MOUSE))
    assert taps.pressed == "list:0"
    inp.handle_pointer(Pointer(MOVE, (start[0], start[1] + 60), MOUSE))
    assert taps.pressed is None  # a drag, not a tap
    inp.handle_pointer(Pointer(UP, start, MOUSE))
    assert acts == []


def test_the_panes_hide_the_list_for_a_comparison_and_bring_it_back(atlas, folder):
    session = ReviewSession(folder, atlas, tz=timezone.utc, say=lambda _: None, open_first=False)
    ml = MapList(tz=timezone.utc)
    panes = Panes(session, ml)
    assert panes.show_list  # a folder: its maps listed
    panes.toggle_list()  # the clinician hid it
    panes.mode_changed("single", "pick")
    assert panes.show_list  # picking the map to compare with needs the list
    panes.mode_changed("pick", "compare")
    assert not panes.show_list
    panes.mode_changed("compare", "single")
    assert not panes.show_list  # as the clinician left it
    session.open_index(0)
    session.start_pick()
    session.compare_with(1)
    panes.sync_list()
    assert sorted(ml.badges.values()) == ["AFTER", "BEFORE"] and ml.selected == session.selected_index
