"""The painting window keeps the frame that moves the paint short (ADR 0030): what a stroke's end calls for
(the red flags, the ranking, the readout) waits for the loop's next frame without pointer input, as
`bodymap.ui.scene.run` calls `update(now)`. Driven with tests/drive.py on both views."""
from __future__ import annotations

import pygame

from bodymap.painting import PainMap
from bodymap.ui.paint import PaintScreen

from drive import at, display_fixture, mouse
from fakes import FakeRanking

SIZE = (1366, 768)
display = display_fixture(SIZE)


class CountingMatcher:
    def __init__(self):
        self.calls = 0

    def match(self, pain_map):
        self.calls += 1
        return FakeRanking(red_flags=[], hypotheses=[], prompts=[])

    def pattern_zone(self, atlas, pattern_id, side):
        return {}


def rep(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def frame(s, surf, now, events=()):
    """One loop frame: the events, update(now), a partial draw."""
    for kind, pos in events:
        mouse(s, kind, pos)
    s.update(now)
    return s.draw_partial(surf)


def test_stroke_end_work_waits_for_a_frame_without_input(atlas):
    fm = CountingMatcher()
    s = PaintScreen(SIZE, atlas=atlas, pain_map=PainMap(atlas), matcher=fm)
    surf = pygame.Surface(SIZE)
    frame(s, surf, 0.0)
    s.draw(surf)
    calls = fm.calls
    # the patient's right calf on the back view, then the left shin on the front view: both legs painted
    for n, (view, rid) in enumerate((("back", "right_calf"), ("front", "left_shin"))):
        x, y = rep(atlas, rid)
        a, b = at(s, view, (x, y - 0.05)), at(s, view, (x, y + 0.05))
        t = 1.0 + n
        frame(s, surf, t, [(pygame.MOUSEBUTTONDOWN, a)])
        frame(s, surf, t + 0.016, [(pygame.MOUSEMOTION, b)])
        frame(s, surf, t + 0.032, [(pygame.MOUSEBUTTONUP, b)])
        assert fm.calls == calls  # the frame with the finger's lift does none of it
        if n == 1:
            assert not s.flag_banner.flags and "left" not in " ".join(s.status.readout_lines(fresh=False)).lower()
        frame(s, surf, t + 0.048)  # the next frame, without input
        calls += 1
        assert fm.calls == calls
    assert s.pain_map.region_coverage().get("right_calf", 0) > 0 and s.pain_map.region_coverage().get("left_shin", 0) > 0
    text = " ".join(s.status.readout_lines(fresh=False)).lower()
    assert "right calf" in text and "left shin" in text  # the readout caught up in the quiet frame
    assert s.pain_map.both_legs_painted


def test_update_without_a_time_does_the_work_at_once(atlas):
    fm = CountingMatcher()
    s = PaintScreen(SIZE, atlas=atlas, pain_map=PainMap(atlas), matcher=fm)
    s.update()
    calls = fm.calls
    x, y = rep(atlas, "right_calf")
    mouse(s, pygame.MOUSEBUTTONDOWN, at(s, "back", (x, y)))
    mouse(s, pygame.MOUSEBUTTONUP, at(s, "back", (x, y + 0.05)))
    s.update()
    assert fm.calls == calls + 1
