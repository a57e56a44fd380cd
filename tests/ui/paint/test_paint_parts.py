"""The painting window is built from owned parts, not mixins (issue 19 item 2, ADR 0034).

These tests build parts without a window, from what each is given, and check what they do. That no class of
`ui/paint` extends another or gathers mixins is checked for every window at once, in tests/ui/test_window_parts.py.
"""
from __future__ import annotations

from datetime import datetime

import pygame
import pytest

from bodymap.desk import Desk
from bodymap.painting import SENSATIONS
from bodymap.ui.kit import TextCache
from bodymap.ui.kit.canvas import BodyCanvas
from bodymap.ui.paint import PaintScreen
from bodymap.ui.paint.clinician import ClinicianPanel
from bodymap.ui.paint.context import PartContext
from bodymap.ui.paint.keys import shortcut
from bodymap.ui.paint.layout import WindowLayout
from bodymap.ui.paint.toolbar import ToolBar

from drive import display_fixture
from fakes import FakeRanking

SIZE = (1280, 800)

display = display_fixture(SIZE)  # one headless display for the file; `atlas` comes from conftest


def test_no_part_keeps_the_window_itself(atlas, tmp_path):
    """A part gets the desk, the canvas, a context or a few callables: never the window object."""
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path)
    parts = [v for v in vars(s).values() if type(v).__module__.startswith("bodymap.ui.")]
    assert len(parts) >= 15
    holders = [type(p).__name__ for p in parts if any(v is s for v in vars(p).values())]
    assert not holders, f"these parts keep the window: {holders}"


def test_the_layout_stands_alone_and_the_flag_banner_moves_the_body_down(atlas):
    """Made from a size, the panel switch and the flag banner's presence: no window needed."""
    canvas = BodyCanvas(atlas)
    plain, flagged = (WindowLayout((1366, 768), True, TextCache(), atlas, flag_banner=f, intensity=4,
                                   zoomed_layouts=canvas.zoomed_layouts) for f in (False, True))
    assert flagged.body_rect.top - plain.body_rect.top == flagged.banner_height(True) > 0
    assert flagged.body_rect.bottom == plain.body_rect.bottom
    assert plain.slider.value == 4 and plain.panel_rect is not None
    window = pygame.Rect(0, 0, 1366, 768)
    assert all(window.contains(b.rect) for b in plain.buttons.values())
    # the patient's right is on the viewer's left on the front view: the front view is left of the back
    assert plain.view_layouts["front"].left < plain.view_layouts["back"].left


def test_the_tool_bar_keeps_the_choices_and_shows_them_on_its_buttons(atlas):
    tools = ToolBar()
    assert tools.choose(("eraser",)) and tools.eraser
    assert tools.choose(("sensation", SENSATIONS[2])) and not tools.eraser  # a sensation puts the eraser down
    assert tools.choose(("brush", "large")) and tools.radius > ToolBar().radius
    assert not tools.choose(("save",))  # not a tool: the window's to carry out
    layout = WindowLayout(SIZE, True, TextCache(), atlas, flag_banner=False, intensity=None,
                          zoomed_layouts=BodyCanvas(atlas).zoomed_layouts)
    tools.sync(layout.buttons)
    on = {bid for bid, b in layout.buttons.items() if b.on}
    assert on == {f"sensation:{SENSATIONS[2]}", "brush:large", "outlines"}


def test_shortcuts_are_the_buttons_actions():
    def key(k, mod=0):
        return shortcut(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod), zoomed=False)

    assert key(pygame.K_z, pygame.KMOD_CTRL) == ("undo",)
    assert key(pygame.K_z, pygame.KMOD_CTRL | pygame.KMOD_SHIFT) == ("redo",)
    assert key(pygame.K_s, pygame.KMOD_CTRL | pygame.KMOD_SHIFT) == ("save_as",)
    assert key(pygame.K_z) == ("zoom_reset",)
    assert key(pygame.K_3) == ("sensation", SENSATIONS[2])
    assert key(pygame.K_LEFT) is None  # the arrows pan only a zoomed view
    assert shortcut(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_LEFT, mod=0), zoomed=True) == ("pan", -0.25, 0.0)
    assert key(pygame.K_q, pygame.KMOD_CTRL) is None


class CountingMatcher:
    def __init__(self):
        self.calls = 0

    def match(self, pain_map):
        from bodymap.redflags import flags_for_map

        self.calls += 1
        return FakeRanking(red_flags=flags_for_map(pain_map), hypotheses=[], prompts=[])

    def pattern_zone(self, atlas, pattern_id, side):
        return {}


@pytest.mark.parametrize("shown", [True, False])
def test_the_clinician_panel_answers_through_the_desk_and_ranks_only_when_shown(atlas, tmp_path, shown):
    desk = Desk(atlas, None, tmp_path, lambda: datetime(2026, 3, 14))
    said, asked = [], []
    ctx = PartContext(desk, TextCache(), said.append, asked.append, lambda: None, lambda: None)
    matcher = CountingMatcher()
    panel = ClinicianPanel(ctx, matcher, lambda: shown)
    panel.answer(("answer", "bladder_bowel", "yes"))
    assert desk.pain_map.answers.get("bladder_bowel") is True and desk.dirty
    assert matcher.calls == (1 if shown else 0) and panel.stale is not shown
    if shown:  # the flag the answer raised is in the panel at once
        assert [f.id for f in panel.panel.red_flags] == [f.id for f in desk.flags()] != []
    panel.answer(("answer", "bladder_bowel", "yes"))  # the chosen answer again clears it
    assert "bladder_bowel" not in desk.pain_map.answers
    panel.answer(("answer", "age", "set"))  # the age is a form: asked through the window's dialog
    assert [d.kind for d in asked] == ["age"] and not said
