"""The painting window's Regions tool (issue 24, item 5), driven headless with synthetic events.

Positions come from the window's own layout for a region's own point, so a click that
landed on the wrong side, view or region fails: on the front view the patient's right
hand is on the viewer's left, on the back view on the viewer's right.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pygame
import pytest

from bodymap.atlas import viewer_sign
from bodymap.ui.paint import PaintScreen
from bodymap.ui.paint.regions import LONG_PRESS_S, region_dermatomes

from fakes import FakeRanking  # noqa: E402

from drive import display_fixture

SIZE = (1280, 800)
DOCS = Path(__file__).resolve().parents[3] / "docs" / "images"


display = display_fixture(SIZE)  # one headless display for the file; `atlas` comes from conftest


class NoMatcher:
    def match(self, pain_map):
        return FakeRanking([], [], [])

    def pattern_zone(self, atlas, pattern_id, side):
        return {}


@pytest.fixture
def screen(atlas, tmp_path):
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=NoMatcher(), now=lambda: datetime(2024, 3, 5))
    s.draw(pygame.Surface(SIZE))
    return s


def at(s, rid):
    """A screen point well inside region `rid`."""
    r = s.atlas.region(rid)
    p = r.geometry.buffer(-0.005).representative_point() if r.geometry.buffer(-0.005).area > 0 \
        else r.geometry.representative_point()
    x, y = s.layouts[r.view].to_screen(p.x, p.y)
    return float(x), float(y)


def press(s, pos, touch=False):
    kind = (pygame.FINGERDOWN, pygame.FINGERUP) if touch else (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP)
    if touch:
        w, h = s.size
        s.handle_event(pygame.event.Event(kind[0], x=pos[0] / w, y=pos[1] / h, finger_id=1, touch_id=1,
                                          dx=0, dy=0, pressure=1))
        return lambda: s.handle_event(pygame.event.Event(kind[1], x=pos[0] / w, y=pos[1] / h, finger_id=1,
                                                         touch_id=1, dx=0, dy=0, pressure=0))
    s.handle_event(pygame.event.Event(kind[0], pos=pos, button=1, touch=False))
    return lambda: s.handle_event(pygame.event.Event(kind[1], pos=pos, button=1, touch=False))


def click(s, pos, touch=False):
    press(s, pos, touch)()


def hover(s, pos):
    s.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(1, 0), buttons=(0, 0, 0), touch=False))


def key(s, k, text=None, mod=0):
    s.handle_event(pygame.event.Event(pygame.KEYDOWN, key=k, mod=mod, unicode=text or ""))
    if text:
        s.handle_event(pygame.event.Event(pygame.TEXTINPUT, text=text))


@pytest.mark.parametrize("view,suffix", [("front", "palmar"), ("back", "dorsal")])
@pytest.mark.parametrize("side", ["right", "left"])
def test_a_click_fills_the_whole_region_and_a_second_click_clears_it(screen, view, suffix, side):
    s = screen
    click(s, s.button_center("regions"))
    assert s.regions.on
    click(s, s.button_center("sensation:pins_and_needles"))
    rid = f"{side}_thumb_{suffix}"
    pos = at(s, rid)
    # the patient's right hand is on the viewer's left in front, on the viewer's right behind
    mid = s.layouts[view].to_screen(0.0, 0.0)[0]
    assert (pos[0] > mid) == (viewer_sign(view, side) > 0)
    click(s, pos)
    cov = s.pain_map.region_coverage("pins_and_needles")
    assert cov[rid] == pytest.approx(1.0)
    assert set(s.pain_map.painted_regions()) == {rid}  # nothing else, and not the other hand
    click(s, pos)
    assert s.pain_map.region_coverage().get(rid, 0.0) == 0.0
    assert s.pain_map.can_undo
    s.edits.undo()  # each click is one undo step
    assert s.pain_map.region_coverage("pins_and_needles")[rid] == pytest.approx(1.0)


def test_without_the_tool_a_click_paints_a_brush_dab_not_the_region(screen):
    s = screen
    click(s, at(s, "right_calf"))
    assert 0 < s.pain_map.region_coverage()["right_calf"] < 0.5


def test_hover_shows_the_regions_name_and_dermatome(screen, atlas):
    s = screen
    click(s, s.button_center("regions"))
    hover(s, at(s, "left_middle_finger_dorsal"))
    assert s.regions.hover_region == "left_middle_finger_dorsal"
    label = s.regions.region_label(s.regions.hover_region)
    assert label.startswith("left middle finger (back)") and "C7" in label
    assert region_dermatomes(atlas, "right_thumb_palmar")[0] == "C6"
    assert "C8" in region_dermatomes(atlas, "right_little_finger_palmar")
    hover(s, at(s, "right_lateral_arm"))
    assert s.regions.hover_region == "right_lateral_arm" and "C5" in s.regions.region_label("right_lateral_arm")
    out = pygame.Surface(SIZE)
    s.draw(out)  # draws the name box; the picture is kept in docs/ by test_regions_screenshot


def test_a_long_press_on_touch_shows_the_name_without_filling(screen, monkeypatch):
    s = screen
    click(s, s.button_center("regions"))
    clock = [100.0]
    s.regions.clock = lambda: clock[0]
    pos = at(s, "right_hypothenar")
    release = press(s, pos, touch=True)
    assert s.regions.hover_region == "right_hypothenar"
    clock[0] += LONG_PRESS_S + 0.1
    release()
    assert s.pain_map.region_coverage().get("right_hypothenar", 0.0) == 0.0
    assert s.regions.hover_region == "right_hypothenar"
    click(s, pos, touch=True)  # a short tap fills
    assert s.pain_map.region_coverage()["right_hypothenar"] == pytest.approx(1.0)


def test_the_region_list_is_searchable_and_keyboard_driven(screen):
    s = screen
    key(s, pygame.K_F3)
    assert s.regions.region_list is not None
    for ch in "little back":
        s.handle_event(pygame.event.Event(pygame.TEXTINPUT, text=ch))
    items = s.regions.region_list.items
    assert items and all("little" in s.regions.region_label(r) and "back" in s.regions.region_label(r) for r in items)
    assert set(items) >= {"right_little_finger_dorsal", "left_little_finger_dorsal"}
    first = s.regions.region_list.current
    key(s, pygame.K_DOWN)
    second = s.regions.region_list.current
    assert second != first
    key(s, pygame.K_RETURN)
    assert s.pain_map.region_coverage()[second] == pytest.approx(1.0)
    key(s, pygame.K_RETURN)  # again: cleared
    assert s.pain_map.region_coverage().get(second, 0.0) == 0.0
    key(s, pygame.K_BACKSPACE)
    assert s.regions.region_list.query == "little bac"
    key(s, pygame.K_ESCAPE)
    assert s.regions.region_list is None
    # the typed letters went to the list, not to the window's shortcuts
    assert s.dialog is None and s.zoom is None


def test_regions_screenshot_with_the_hover_name(screen, tmp_path):
    """As docs/images/paint-window-regions.png: the Regions tool on, two fingers filled, the hover name over the thumb.
    (Set BODYMAP_WRITE_DOCS=1 to rewrite the docs picture.)"""
    s = screen
    click(s, s.button_center("regions"))
    click(s, s.button_center("sensation:pins_and_needles"))
    for rid in ("right_index_finger_palmar", "right_middle_finger_palmar"):
        click(s, at(s, rid))
    s.zoom_controls.zoom_by(4.0, at(s, "right_palm"))
    s.draw(pygame.Surface(SIZE))
    hover(s, at(s, "right_thumb_palmar"))
    out = pygame.Surface(SIZE)
    s.draw(out)
    assert s.regions.hover_region == "right_thumb_palmar"
    # the name box is drawn over the body: dark text on its light box, near the pointer
    pos = at(s, "right_thumb_palmar")
    above = out.subsurface(pygame.Rect(0, max(int(pos[1]) - 120, 0), SIZE[0], 110).clip(out.get_rect()))
    assert (pygame.surfarray.array3d(above) == (255, 253, 240)).all(axis=2).sum() > 500
    import os
    target = DOCS / "paint-window-regions.png" if os.environ.get("BODYMAP_WRITE_DOCS") else tmp_path / "regions.png"
    pygame.image.save(out, str(target))
