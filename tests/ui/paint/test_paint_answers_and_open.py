"""Two records fixes of the painting window (issue 21), played through the scene with tests/drive.py:

- a red flag raised while answering moves no answer button: the panel's red-flag box keeps its height
  with or without flags (the texts a box line cannot hold follow the questions, above the ranking);
- Open lists the maps of subfolders too, down to a depth limit, with the count in subfolders.
"""
from __future__ import annotations

import os
from datetime import datetime

import pygame

from bodymap import fileformat
from bodymap.desk import MAX_DEPTH
from bodymap.painting import PainMap
from bodymap.ui.paint import PaintScreen

from drive import at, display_fixture, stroke, tap
from fakes import FakeRanking, Hyp

SIZE = (1366, 768)
display = display_fixture(SIZE)


class RankingMatcher:
    """Two patterns, whatever the painting: the flags come from triage's rules, not from here."""

    def match(self, pain_map):
        return FakeRanking(red_flags=[], prompts=[],
                           hypotheses=[Hyp("root_L5", "right", 0.5, "L5 nerve root"),
                                       Hyp("root_S1", "left", 0.3, "S1 nerve root")])

    def pattern_zone(self, atlas, pattern_id, side):
        return {}


def rep(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def both_legs(atlas, s):
    """Paint the right calf and the left shin with finger strokes: one on each view."""
    for view, rid in (("back", "right_calf"), ("front", "left_shin")):
        x, y = rep(atlas, rid)
        stroke(s, [at(s, view, (x, y - 0.05)), at(s, view, (x, y + 0.05))], finger=True, mouse_copies=True)
    s.update()


def answer_buttons(s) -> dict[str, pygame.Rect]:
    """Every answer button on screen now (without scrolling the panel): id -> screen rectangle."""
    p = s.clinician.panel
    out = {}
    for row in p.rows:
        if row.kind == "question":
            for c, r in p.choice_rects(row).items():
                out[f"panel:q:{row.key}:{c}"] = r.move(p.rect.left, p.rect.top - p.scroll)
    return out


def test_a_flag_raised_by_an_answer_moves_no_answer_button(atlas):
    s = PaintScreen(SIZE, atlas=atlas, pain_map=PainMap(atlas), matcher=RankingMatcher())
    both_legs(atlas, s)
    assert s.pain_map.both_legs_painted and not s.flag_banner.flags
    assert s.pain_map.region_coverage().get("right_calf", 0) > 0  # the back view: the patient's right calf
    assert s.pain_map.region_coverage().get("left_shin", 0) > 0  # the front view: the patient's left shin
    before = answer_buttons(s)
    fixed_before = s.clinician.panel.fixed_h
    tap(s, "panel:q:weakness:yes")  # leg weakness with pain in both legs: a same-day cauda equina flag
    s.update()
    assert s.pain_map.answers["weakness"] is True
    assert [f.id for f in s.flag_banner.flags] == ["cauda_equina"]
    flag_rows = [r for r in s.clinician.panel.rows if r.kind == "red_flag"]
    assert flag_rows and all(r.fixed for r in flag_rows)  # the flag is in the box on top, never scrolled away
    assert s.clinician.panel.fixed_h == fixed_before
    after = answer_buttons(s)
    moved = {k: (before[k].topleft, after[k].topleft) for k in before if k in after and before[k] != after[k]}
    # a follow-up question may appear under the one answered; nothing above it, nor it, moves
    answered_row = before["panel:q:weakness:yes"]
    assert not {k: v for k, v in moved.items() if before[k].top <= answered_row.top}, moved
    assert after["panel:q:weakness:yes"] == answered_row


def test_more_flags_than_the_box_holds_are_listed_in_full_above_the_ranking(atlas):
    s = PaintScreen(SIZE, atlas=atlas, pain_map=PainMap(atlas), matcher=RankingMatcher())
    both_legs(atlas, s)
    fixed = s.clinician.panel.fixed_h
    for key in ("weakness", "night_pain", "thoracic_pain", "unwell"):
        tap(s, f"panel:q:{key}:yes")
        s.update()
        assert s.clinician.panel.fixed_h == fixed, key  # the box never grows
    flags = s.clinician.panel.red_flags
    assert len(flags) > s.clinician.panel.flag_lines  # more flags than box lines
    rows = s.clinician.panel.rows
    kinds = [r.kind for r in rows]
    box = [" ".join(r.lines) for r in rows if r.fixed and r.kind == "red_flag"]
    assert len(box) == s.clinician.panel.flag_lines and box[-1].startswith(f"+{len(flags) - s.clinician.panel.flag_lines + 1} more")
    details = [" ".join(r.lines) for r in rows if r.kind == "red_flag_detail"]
    assert details == [" ".join(str(f.text).split()) for f in flags]  # every flag whole, most urgent first
    assert max(i for i, k in enumerate(kinds) if k == "question") < kinds.index("red_flag_detail")
    assert max(i for i, k in enumerate(kinds) if k == "red_flag_detail") < kinds.index("hypothesis")


def write_map(atlas, path, rid):
    m = PainMap(atlas)
    m.paint_region(rid)
    path.parent.mkdir(parents=True, exist_ok=True)
    fileformat.save(m, path)
    return path


def test_open_lists_subfolders_down_to_the_depth_limit(atlas, tmp_path):
    top = write_map(atlas, tmp_path / "top.bodymap", "right_calf")
    sub = write_map(atlas, tmp_path / "Clinic B" / "MRN-1_2026-12-07.bodymap", "left_calf")
    deep = tmp_path
    for i in range(MAX_DEPTH):
        deep = deep / f"d{i}"
    deepest_listed = write_map(atlas, deep / "deep.bodymap", "right_knee")
    too_deep = write_map(atlas, deep / "more" / "too-deep.bodymap", "left_knee")
    write_map(atlas, tmp_path / ".hidden" / "secret.bodymap", "left_knee")
    (tmp_path / "top.bodymap~1").write_bytes(top.read_bytes())  # a kept copy is not a map to open
    os.utime(sub, (2e9, 2e9))  # the newest: listed first

    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=RankingMatcher())
    tap(s, "open")
    d = s.dialog
    assert d is not None and d.kind == "open"
    listed = list(d.payload["file"].values())
    assert set(listed) == {top, sub, deepest_listed}
    assert too_deep not in listed and listed[0] == sub
    labels = dict(d.buttons)
    assert labels["file:0"].startswith("Clinic B/MRN-1_2026-12-07.bodymap")
    assert "2 in subfolders" in " ".join(d.lines)
    tap(s, "dialog:file:0")  # open the map from the subfolder
    assert s.path == sub and s.pain_map.region_coverage().get("left_calf", 0) > 0
    assert s.pain_map.region_coverage().get("right_calf", 0) == 0


def test_open_in_an_empty_tree_says_subfolders_were_looked_at(atlas, tmp_path):
    (tmp_path / "empty sub").mkdir()
    s = PaintScreen(SIZE, atlas=atlas, folder=tmp_path, matcher=RankingMatcher(),
                    now=lambda: datetime(2026, 12, 7, 9, 0))
    tap(s, "open")
    assert s.dialog.kind == "open" and "subfolders" in " ".join(s.dialog.lines)
