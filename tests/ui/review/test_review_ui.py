"""The review window (bodymap.ui.review), driven headless with synthetic pygame events.

Maps are built with PainMap and saved with controlled `created` times; expected
values come from the core (bodymap.match, bodymap.compare.compare) or from the
test's own data, and what the window shows is read back from its layout and
from the pixels it draws.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timezone
from pathlib import Path

import numpy as np
import pygame
import pytest

import bodymap
from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.compare import compare
from bodymap.painting import PainMap
from bodymap.ui.kit import desk_colours as widgets  # the desk colour names
from bodymap.ui.review import ReviewScreen
from bodymap.render.body import DIFF_KINDS, diff_colours, diff_swatch

SIZE = (1400, 900)
SNAPSHOTS = Path(__file__).resolve().parents[2] / "snapshots"


# ---------------------------------------------------------------------------
# fixtures and helpers


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode(SIZE)
    pygame.event.clear()
    yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def make_map(atlas, folder: Path, name: str, regions, created: str | None, code: str | None = None,
             answers: dict | None = None, recorded: list | None = None, intensity: int | None = None) -> Path:
    m = PainMap(atlas)
    for r in regions:
        if isinstance(r, tuple):
            m.paint_region(*r)
        else:
            m.paint_region(r)
    m.meta["created"] = created
    m.meta["session_code"] = code
    for k, v in (answers or {}).items():
        m.answers[k] = v
    if recorded:
        m.red_flags_recorded = recorded
    if intensity is not None:
        m.set_intensity(None, intensity)
    path = folder / name
    fileformat.save(m, path)
    if created is None:  # a file without `created`: the list falls back to the file's time
        doc = json.loads(path.read_text())
        del doc["created"]
        path.write_text(json.dumps(doc))
    return path


def ev(kind, **kw):
    return pygame.event.Event(kind, **kw)


def tap(screen: ReviewScreen, bid: str, touch: bool = False) -> None:
    pos = screen.button_center(bid)
    screen.handle_event(ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=touch))
    screen.handle_event(ev(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=touch))


def finger_tap(screen: ReviewScreen, bid: str) -> None:
    x, y = screen.button_center(bid)
    w, h = screen.size
    for kind in (pygame.FINGERDOWN, pygame.FINGERUP):
        screen.handle_event(ev(kind, x=x / w, y=y / h, dx=0.0, dy=0.0, touch_id=1, finger_id=3, pressure=0.5))


def index_of(screen: ReviewScreen, path: Path) -> int:
    return [e.path for e in screen.entries].index(path)


def open_row(screen: ReviewScreen, path: Path) -> None:
    tap(screen, f"list:{index_of(screen, path)}")




def count_colour(px: np.ndarray, rect: pygame.Rect, colour) -> int:
    sub = px[rect.top:rect.bottom, rect.left:rect.right]
    return int((sub == np.array(colour)).all(axis=2).sum())


def rep_screen(atlas, lay, rid) -> tuple[int, int]:
    p = atlas.region(rid).geometry.representative_point()
    x, y = lay.to_screen(p.x, p.y)
    return int(float(x)), int(float(y))


from fakes import Ev, FakeRanking, Flag, Hyp  # noqa: E402
from snapshot import compare_snapshot, pixels  # noqa: E402


class FakeMatcher:
    """Stands in for bodymap.matcher in the snapshots, so that a change to the patterns does not move pixels."""

    def match(self, m):
        flags = [Flag("cauda_equina", "Possible cauda equina warning signs (test text).")] \
            if m.answers.get("bladder_bowel") else []
        hyps = [Hyp("root_S1", "right", 0.62, "S1 nerve root",
                    [Ev("pain reaches the right heel (test evidence)", "for"),
                     Ev("no pain in the right buttock (test evidence)", "against")]),
                Hyp("root_L5", "right", 0.30, "L5 nerve root")] if not m.is_empty else []
        return FakeRanking(flags, hyps, [])

    def pattern_zone(self, atlas, pid, side):
        return {"right_calf": 0.7, "right_heel": 0.8, "right_buttock": 0.3, "left_calf": 0.02}


# ---------------------------------------------------------------------------
# the list


def test_folder_lists_red_flags_first_then_newest_by_created_and_marks_them(atlas, tmp_path):
    created = {"a.bodymap": "2024-03-01T09:00:00Z", "b.bodymap": "2024-05-20T16:45:00Z",
               "c.bodymap": "2024-04-11T08:30:00Z", "d.bodymap": "2024-04-30T12:00:00+02:00"}
    make_map(atlas, tmp_path, "a.bodymap", ["right_calf"], created["a.bodymap"], "AAA-111")
    make_map(atlas, tmp_path, "b.bodymap", ["right_calf"], created["b.bodymap"], "BBB-222",
             answers={"bladder_bowel": True})
    make_map(atlas, tmp_path, "c.bodymap", ["right_shin"], created["c.bodymap"], "CCC-333",
             recorded=[{"id": "serious_pathology", "text": "recorded at the kiosk"}])
    make_map(atlas, tmp_path, "d.bodymap", ["left_calf"], created["d.bodymap"], "DDD-444")
    # file times in the opposite order: `created` must win
    for k, name in enumerate(sorted(created)):
        os.utime(tmp_path / name, (1_000_000 + 1000 * (10 - k),) * 2)
    (tmp_path / "notes.txt").write_text("not a map")

    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    from datetime import datetime

    from bodymap.redflags import flags_for_map
    flagged, rank = {}, {}
    for name in created:
        m = fileformat.load(tmp_path / name)
        flagged[name] = bool(bodymap.match(m).red_flags) or bool(m.red_flags_recorded)
        urg = [f.urgency for f in flags_for_map(m)]
        rank[name] = ("emergency", "same_day").index(min(urg, key=["emergency", "same_day"].index)) if urg else 2
    assert flagged == {"a.bodymap": False, "b.bodymap": True, "c.bodymap": True, "d.bodymap": False}
    # red flags first (most urgent first), then newest first
    want = sorted(created, key=lambda n: (rank[n], -datetime.fromisoformat(created[n].replace("Z", "+00:00"))
                                          .timestamp()))
    assert [e.path.name for e in s.entries] == want == ["b.bodymap", "c.bodymap", "d.bodymap", "a.bodymap"]
    assert s.current is None  # a folder opens on its list

    px = pixels(s.screenshot())
    for row in s.list.rows:
        e = s.entries[row.index]
        r = s.list.row_screen_rect(row)
        reds = count_colour(px, r, widgets.RED)
        assert e.red_flag == flagged[e.path.name]
        if flagged[e.path.name]:
            assert reds > 200, f"{e.path.name}: no RED FLAG tag drawn"
            assert any(t.startswith("cauda") or t.startswith("serious") for t, _, _ in row.lines)
        else:
            assert reds == 0, f"{e.path.name}: red drawn on a map without red flags"
        assert e.session_code in row.lines[0][0]


def test_a_file_without_created_is_ordered_by_its_file_time(atlas, tmp_path):
    old = make_map(atlas, tmp_path, "old.bodymap", ["right_calf"], "2020-01-01T00:00:00Z", "OLD")
    new = make_map(atlas, tmp_path, "new.bodymap", ["right_calf"], "2024-01-01T00:00:00Z", "NEW")
    mid = make_map(atlas, tmp_path, "undated.bodymap", ["right_calf"], None, "UND")
    t = 1_640_000_000  # 2021-12-20: between the two created times
    os.utime(mid, (t, t))
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    assert [e.path for e in s.entries] == [new, mid, old]
    assert s.entries[1].time_from_file and not s.entries[0].time_from_file


def test_a_corrupt_file_is_listed_as_not_openable_and_the_others_still_work(atlas, tmp_path):
    good1 = make_map(atlas, tmp_path, "good1.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "G1")
    good2 = make_map(atlas, tmp_path, "good2.bodymap", ["left_shin"], "2024-02-01T10:00:00Z", "G2")
    cut = tmp_path / "cut.bodymap"
    cut.write_bytes(good1.read_bytes()[:300])
    junk = tmp_path / "junk.bodymap"
    junk.write_bytes(b"\x00\xff not a map\n second line")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    assert len(s.entries) == 4
    bad = {e.path.name: e for e in s.entries if not e.ok}
    assert set(bad) == {"cut.bodymap", "junk.bodymap"}
    for e in bad.values():
        assert "\n" not in e.error and e.error
        row = s.list.rows[s.entries.index(e)]
        shown = " ".join(t for t, _, _ in row.lines[1:])
        assert shown.startswith("cannot open: ")
    s.screenshot()
    tap(s, f"list:{index_of(s, cut)}")
    assert s.current is not None and not s.current.ok
    s.screenshot()  # the window still draws
    for good in (good1, good2):
        open_row(s, good)
        assert s.current.ok and s.current.entry.path == good
        assert s.hypotheses
        s.screenshot()


def test_a_single_file_opens_straight_into_it(atlas, tmp_path):
    p = make_map(atlas, tmp_path, "one.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "ONE")
    make_map(atlas, tmp_path, "other.bodymap", ["left_calf"], "2024-01-02T10:00:00Z", "TWO")
    s = ReviewScreen(p, SIZE, atlas=atlas)
    assert s.current is not None and s.current.ok and s.current.entry.path == p
    assert [e.path for e in s.entries] == [p]
    assert not s.panes.show_list


def test_the_list_scrolls(atlas, tmp_path):
    for k in range(14):
        make_map(atlas, tmp_path, f"m{k:02d}.bodymap", [("right_calf", 0.2 + 0.05 * k)],
                 f"2024-01-{k + 1:02d}T10:00:00Z", f"S{k:02d}")
    s = ReviewScreen(tmp_path, (1000, 700), atlas=atlas)
    assert s.list.max_scroll > 0
    s.handle_event(ev(pygame.MOUSEMOTION, pos=s.list.viewport.center, rel=(0, 0), buttons=(0, 0, 0)))
    s.handle_event(ev(pygame.MOUSEWHEEL, x=0, y=-3))
    assert s.list.scroll > 0
    last = len(s.entries) - 1
    s.list.scroll_to(10 ** 6)
    r = [row for row in s.list.rows if row.index == last][0]
    assert s.list.row_screen_rect(r).bottom <= s.list.viewport.bottom
    tap(s, f"list:{last}")
    assert s.current.entry.path == s.entries[last].path


def test_refresh_lists_new_maps_and_rereads_the_open_one(atlas, tmp_path):
    a = make_map(atlas, tmp_path, "a.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "A")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas)
    open_row(s, a)
    assert not s.current.entry.red_flag
    new = make_map(atlas, tmp_path, "b.bodymap", ["left_calf"], "2024-02-01T10:00:00Z", "B")
    make_map(atlas, tmp_path, "a.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "A",
             answers={"cancer_history": True})
    os.utime(a, (1_800_000_000, 1_800_000_000))  # a different file time, whatever the clock's resolution
    tap(s, "refresh")
    assert [e.path for e in s.entries] == [a, new]  # a now has a red flag: it moves to the top
    assert s.current.entry.path == a and s.current.entry.red_flag
    assert s.info.red_box is not None
    a.write_text("{")  # spoilt after listing: opening it says so, and nothing breaks
    os.utime(a, (1_800_000_100, 1_800_000_100))
    open_row(s, new)
    open_row(s, a)
    assert not s.current.ok and s.entries[index_of(s, a)].error
    s.screenshot()


def test_mouse_copies_of_touches_are_ignored_and_fingers_work(atlas, tmp_path):
    make_map(atlas, tmp_path, "a.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "A")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas)
    tap(s, "list:0", touch=True)
    assert s.current is None
    finger_tap(s, "list:0")
    assert s.current is not None and s.current.ok


# ---------------------------------------------------------------------------
# one map


def test_red_flags_sit_on_top_of_the_info_area_and_the_top_match_is_shown(atlas, tmp_path):
    clean = make_map(atlas, tmp_path, "clean.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "CLN")
    p = make_map(atlas, tmp_path, "flag.bodymap",
                 ["right_lower_back", "right_buttock", "right_posterolateral_thigh", "right_lateral_leg",
                  "right_dorsum_foot"], "2024-02-01T10:00:00Z", "FLG",
                 answers={"bladder_bowel": True, "numbness": True, "age": 61}, intensity=7)
    ranking = bodymap.match(fileformat.load(p))
    assert ranking.red_flags and ranking.hypotheses
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas)
    open_row(s, p)
    info = s.info
    box = info.red_box
    assert box is not None and info.rect.contains(box)
    hyp_rows = info.hypothesis_rows()
    assert len(hyp_rows) == len(ranking.hypotheses)
    assert all(box.top < info.row_screen_rect(r).top for r in hyp_rows)
    red_texts = [t for k, t in info.texts() if k == "red_flag"]
    assert red_texts == [f.text for f in ranking.red_flags]
    top_row = [r for r in hyp_rows if r.index == 0][0]
    assert ranking.top.name in " ".join(top_row.lines)
    assert info.is_visible(top_row)
    # the box is drawn in red where the layout says
    px = pixels(s.screenshot())
    assert count_colour(px, box, widgets.RED) > 0.5 * (box.width + box.height)
    # scrolled to the end: the red flags stay where they were; no hypothesis row reaches over them
    before = pygame.Rect(box)
    info.scroll_to(10 ** 6)
    assert info.scroll > 0
    assert info.red_box == before
    for r in hyp_rows:
        if info.is_visible(r):
            assert info.visible_rect(r).top >= before.bottom
    # answers, intensity and extent, in words
    text = " ".join(t for _, t in info.texts())
    assert "New bladder or bowel problems: yes" in text and "Numbness: yes" in text and "61" in text
    assert "7/10" in text
    ext = fileformat.load(p).extent_percent()["total"]
    assert f"{ext:.1f}% of body" in text
    # a map without red flags shows no red box
    open_row(s, clean)
    assert s.info.red_box is None
    assert not [k for k, _ in s.info.texts() if k == "red_flag"]


def test_tapping_a_match_shows_its_evidence_and_zone(atlas, tmp_path):
    p = make_map(atlas, tmp_path, "a.bodymap", ["right_calf", "right_heel"], "2024-01-01T10:00:00Z", "A")
    s = ReviewScreen(p, SIZE, atlas=atlas)
    hyps = s.hypotheses
    assert len(hyps) >= 2
    assert s.selected_hyp == (hyps[0].id, hyps[0].side)
    tap(s, "info:hyp:1")
    assert s.selected_hyp == (hyps[1].id, hyps[1].side)
    from bodymap.matcher import pattern_zone
    assert s.zone == pattern_zone(atlas, hyps[1].id, hyps[1].side)
    ev_rows = [t for k, t in s.info.texts() if k.startswith("evidence_")]
    assert len(ev_rows) == len(hyps[1].evidence)
    for e, shown in zip(hyps[1].evidence, ev_rows):
        assert e.text in shown and e.source in shown
    # the zone is drawn only with the toggle on, and skips regions under 0.06
    lay = s.layouts["back"]
    strong = max((r for r in s.zone if atlas.region(r).view == "back" and r not in ("right_calf", "right_heel")),
                 key=lambda r: s.zone[r])
    pt = rep_screen(atlas, lay, strong)
    on = s.screenshot().get_at(pt)[:3]
    tap(s, "zone")
    assert not s.show_zone
    off = s.screenshot().get_at(pt)[:3]
    assert on != off


def test_patient_right_is_viewer_left_on_the_front_and_viewer_right_on_the_back(atlas, tmp_path):
    def painted_columns(region):
        folder = tmp_path / region
        folder.mkdir()
        p = make_map(atlas, folder, "p.bodymap", [region], "2024-01-01T10:00:00Z", "X")
        e = make_map(atlas, folder, "e.bodymap", [], "2024-01-01T10:00:00Z", "X")
        shots = {}
        for path in (p, e):
            s = ReviewScreen(path, SIZE, atlas=atlas)
            if s.show_zone:
                tap(s, "zone")
            shots[path] = pixels(s.screenshot())
        diff = (shots[p] != shots[e]).any(axis=2)
        out = {}
        for view, lay in s.layouts.items():
            r = lay.rect
            ys, xs = np.nonzero(diff[r.top:r.bottom, r.left:r.right])
            mid = float(lay.to_screen(0.0, 0.0)[0]) - r.left
            out[view] = (xs, mid)
        return out

    cols = painted_columns("right_calf")
    xs, mid = cols["back"]
    assert len(xs) > 100 and (xs > mid).all()  # back view: the patient's right is the viewer's right
    assert len(cols["front"][0]) == 0
    cols = painted_columns("right_shin")
    xs, mid = cols["front"]
    assert len(xs) > 100 and (xs < mid).all()  # front view: the patient's right is the viewer's left
    assert len(cols["back"][0]) == 0


# ---------------------------------------------------------------------------
# comparing two maps


def _compare_setup(atlas, folder):
    before = make_map(atlas, folder, "visit1.bodymap", ["right_calf", "right_buttock"], "2024-03-01T09:00:00Z",
                      "V1", intensity=6)
    after = make_map(atlas, folder, "visit2.bodymap", ["right_calf", "right_heel"], "2024-03-15T09:00:00Z",
                     "V2", intensity=3)
    return before, after


def test_compare_marks_new_resolved_and_persistent_areas(atlas, tmp_path):
    before, after = _compare_setup(atlas, tmp_path)
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, after)  # the newer one first: "before" must still be the older map
    tap(s, "compare")
    assert s.mode == "pick" and s.panes.show_list
    open_row(s, before)
    assert s.mode == "compare"
    assert s.before.entry.path == before and s.after.entry.path == after

    px = pixels(s.screenshot())
    lay = s.pair_layouts("diff")["back"]
    for rid, kind in (("right_heel", "new"), ("right_buttock", "resolved"), ("right_calf", "persistent")):
        x, y = rep_screen(atlas, lay, rid)
        got = tuple(int(v) for v in px[y, x])
        assert got in diff_colours(kind), f"{rid}: {got} is not a {kind} colour"
        for other in DIFF_KINDS:
            if other != kind:
                assert got not in diff_colours(other)
    # nothing on the patient's left, nothing on the front
    for rid in ("left_calf", "left_buttock"):
        x, y = rep_screen(atlas, lay, rid)
        got = tuple(int(v) for v in px[y, x])
        assert all(got not in diff_colours(k) for k in DIFF_KINDS)

    want = compare(fileformat.load(before), fileformat.load(after))
    assert s.comparison.jaccard == pytest.approx(want.jaccard)
    text = " ".join(t for _, t in s.info.texts())
    shown = float(re.search(r"Jaccard\)?:\s*([0-9.]+)", text).group(1))
    assert shown == pytest.approx(want.jaccard, abs=0.005)
    change = float(re.search(r"Extent change:\s*([+\-−][0-9.]+) percentage points", text).group(1)
                   .replace("−", "-"))
    assert change == pytest.approx(want.extent_change, abs=0.05)
    # the two drawings are shown side by side, each with its own paint
    for which, path in (("before", before), ("after", after)):
        m = fileformat.load(path)
        lay = s.pair_layouts(which)["back"]
        for rid in ("right_heel", "right_buttock"):
            x, y = rep_screen(atlas, lay, rid)
            painted = m.region_coverage().get(rid, 0) > 0.5
            assert (tuple(px[y, x]) != tuple(widgets.BG) and tuple(px[y, x]) != (238, 228, 218)) == painted, \
                (which, rid)
    # Escape goes back to the single map
    s.handle_event(ev(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0))
    assert s.mode == "single" and s.comparison is None
    s.screenshot()
    # in compare mode, choosing a map on the list leaves the comparison and shows that map
    tap(s, "compare")
    open_row(s, before)
    assert s.mode == "compare" and not s.panes.show_list
    tap(s, "list")
    assert s.panes.show_list
    open_row(s, before)
    assert s.mode == "single" and s.current.entry.path == before
    s.screenshot()


def test_the_difference_legend_reads_in_greyscale(atlas):
    """Each kind differs from the others in mean grey level or in texture (the share of ink)."""
    grey = {}
    for k in DIFF_KINDS:
        a = pixels(diff_swatch(k, 48, 48)).astype(float)
        g = a @ np.array([0.299, 0.587, 0.114])
        grey[k] = (g.mean(), (g < g.max() - 1).mean())
    kinds = list(DIFF_KINDS)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1:]:
            dl = abs(grey[a][0] - grey[b][0])
            dt = abs(grey[a][1] - grey[b][1])
            assert dl > 25 or dt > 0.2, (a, b, grey)


def test_compare_needs_a_second_openable_map(atlas, tmp_path):
    p = make_map(atlas, tmp_path, "only.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "ONE")
    (tmp_path / "bad.bodymap").write_text("{")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas)
    open_row(s, p)
    assert not s.can_compare
    tap(s, "compare")
    assert s.mode == "single"


def test_picking_the_same_or_a_bad_map_does_not_compare(atlas, tmp_path):
    before, after = _compare_setup(atlas, tmp_path)
    (tmp_path / "bad.bodymap").write_text("{")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas)
    open_row(s, after)
    tap(s, "compare")
    open_row(s, after)
    assert s.mode == "pick" and s.toast
    tap(s, f"list:{index_of(s, tmp_path / 'bad.bodymap')}")
    assert s.mode == "pick"
    tap(s, "pick_cancel")
    assert s.mode == "single" and s.current.entry.path == after


# ---------------------------------------------------------------------------
# layout


@pytest.mark.parametrize("size", [(800, 600), (1400, 900), (1920, 1080), (900, 1300)])
def test_layout_scales_targets_stay_touch_sized_and_nothing_overlaps(atlas, tmp_path, size):
    before, after = _compare_setup(atlas, tmp_path)
    s = ReviewScreen(tmp_path, size, atlas=atlas)
    open_row(s, after)
    for mode in ("single", "compare"):
        if mode == "compare":
            tap(s, "compare")
            open_row(s, before)
            assert s.mode == "compare"
        s.screenshot()
        for b in s.layout.buttons.values():
            assert b.rect.height >= 48 and b.rect.width >= 48
            assert s.layout.top_rect.contains(b.rect)
        bs = list(s.layout.buttons.values())
        for i, a in enumerate(bs):
            for b in bs[i + 1:]:
                assert not a.rect.colliderect(b.rect)
        for row in s.list.rows:
            assert row.rect.height >= 48
        for row in s.info.hypothesis_rows():
            assert row.rect.height >= 48
        assert s.layout.font_size >= 16 and s.layout.small_size >= 16
        panes = [s.layout.center_rect, s.layout.info_rect] + ([s.layout.list_rect] if s.panes.show_list else [])
        for i, a in enumerate(panes):
            for b in panes[i + 1:]:
                assert not a.colliderect(b)
        for pair in s.layout.pairs.values():
            for lay in pair.layouts.values():
                assert s.layout.center_rect.contains(lay.rect)
            f, b = pair.layouts["front"].rect, pair.layouts["back"].rect
            assert not f.colliderect(b)


def test_resize_relayouts(atlas, tmp_path):
    p = make_map(atlas, tmp_path, "a.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "A")
    s = ReviewScreen(p, SIZE, atlas=atlas)
    s.handle_event(ev(pygame.VIDEORESIZE, w=1000, h=700, size=(1000, 700)))
    assert s.size == (1000, 700)
    assert s.screenshot().get_size() == (1000, 700)
    assert s.info.rect.right <= 1000


# ---------------------------------------------------------------------------
# snapshots


def _snapshot_folder(atlas, folder: Path) -> tuple[Path, Path]:
    before = make_map(atlas, folder, "visit1.bodymap", ["right_calf", "right_buttock", ("right_lower_back", 0.6)],
                      "2024-03-01T09:15:00Z", "K7Q-42M", answers={"numbness": True, "age": 54}, intensity=6)
    after = make_map(atlas, folder, "visit2.bodymap",
                     ["right_calf", ("right_heel", 1.0, "burning"), ("right_lateral_leg", 0.7, "pins_and_needles")],
                     "2024-03-15T10:30:00Z", "P3X-19A", answers={"numbness": True, "age": 54, "bladder_bowel": True},
                     intensity=4)
    make_map(atlas, folder, "visit0.bodymap", [("left_anterior_thigh", 0.5, "sharp")], "2024-02-10T08:00:00Z",
             "A1B-22C", answers={"age": 54}, intensity=3)
    (folder / "broken.bodymap").write_text('{"format": "bodymap", "format_version": 1, "atlas": {')
    os.utime(folder / "broken.bodymap", (1_700_000_000, 1_700_000_000))
    return before, after




def test_snapshot_review_single_map(atlas, tmp_path, update_snapshots):
    before, after = _snapshot_folder(atlas, tmp_path)
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, matcher=FakeMatcher(), tz=timezone.utc)
    open_row(s, after)
    compare_snapshot(s.screenshot(), "review-single.png", update_snapshots)


def test_snapshot_review_compare(atlas, tmp_path, update_snapshots):
    before, after = _snapshot_folder(atlas, tmp_path)
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, matcher=FakeMatcher(), tz=timezone.utc)
    open_row(s, after)
    tap(s, "compare")
    open_row(s, before)
    compare_snapshot(s.screenshot(), "review-compare.png", update_snapshots)


def test_snapshot_comparison_notices_a_changed_picture(atlas, tmp_path):
    ref = SNAPSHOTS / "review-single.png"
    if not ref.exists():
        pytest.skip("reference not generated yet")
    before, after = _snapshot_folder(atlas, tmp_path)
    m = fileformat.load(after)
    for rid in ("left_anterior_thigh", "left_shin", "left_posterior_thigh", "left_calf", "left_buttock",
                "left_lower_back"):
        m.paint_region(rid)
    fileformat.save(m, after)
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, matcher=FakeMatcher(), tz=timezone.utc)
    open_row(s, after)
    with pytest.raises(AssertionError):
        compare_snapshot(s.screenshot(), ref.name, False)


# ---------------------------------------------------------------------------
# the command and the real window loop


def _env():
    return dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1")


def test_bodymap_review_on_a_missing_path_exits_2_with_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "bodymap", "review", str(tmp_path / "nope")], env=_env(),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "nope" in lines[0]
    assert "Traceback" not in r.stderr


def test_run_review_opens_runs_and_returns(atlas, tmp_path):
    make_map(atlas, tmp_path, "a.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "A")
    (tmp_path / "bad.bodymap").write_text("nope")
    code = ("import sys; from pathlib import Path; from bodymap.ui.review import run_review; "
            f"sys.exit(run_review(Path({str(tmp_path)!r}), (900, 600), max_frames=4) + "
            f"run_review(Path({str(tmp_path / 'bad.bodymap')!r}), (900, 600), max_frames=4))")
    r = subprocess.run([sys.executable, "-c", code], env=_env(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert (tmp_path / "bad.bodymap").read_text() == "nope"


# ---------------------------------------------------------------------------
# a caseload: red flags first with a filter, the visit fields, times with their zone


def test_the_filter_steps_through_all_red_flags_and_emergency_and_the_tag_names_the_urgency(atlas, tmp_path):
    from bodymap.redflags import flags_for_map
    from bodymap import vocabulary
    cauda = make_map(atlas, tmp_path, "cauda.bodymap", ["right_calf"], "2024-01-01T10:00:00Z", "CE",
                     answers={"bladder_bowel": True})
    risk = make_map(atlas, tmp_path, "risk.bodymap", ["right_calf"], "2024-03-01T10:00:00Z", "RF",
                    answers={"cancer_history": True})
    plain = make_map(atlas, tmp_path, "plain.bodymap", ["left_calf"], "2024-05-01T10:00:00Z", "PL")
    urg = {p: min((f.urgency for f in flags_for_map(fileformat.load(p))), key=vocabulary.urgency_rank, default=None)
           for p in (cauda, risk, plain)}
    assert urg[cauda] == "emergency" and urg[risk] == "same_day" and urg[plain] is None
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    assert [e.path for e in s.entries] == [cauda, risk, plain]  # most urgent first, the newest map last
    for row in s.list.rows:
        e = s.entries[row.index]
        assert e.urgency == urg[e.path]
    # the tag says the urgency in words: its width is the width of those words, drawn in red
    px = pixels(s.screenshot())
    from bodymap.ui.review.panels import tag_size
    for row in s.list.rows[:2]:
        e = s.entries[row.index]
        r = s.list.row_screen_rect(row)
        label = vocabulary.urgency_label(e.urgency).upper()
        tw, th = tag_size(s.list.small, s.text, label)
        reds = count_colour(px, r, widgets.RED)
        assert reds > 0.5 * tw * th, f"{e.path.name}: no {label} tag"
    assert count_colour(px, s.list.row_screen_rect(s.list.rows[2]), widgets.RED) == 0
    tap(s, "filter")
    assert s.filter == "red_flags" and [e.path for e in s.entries] == [cauda, risk]
    tap(s, "filter")
    assert s.filter == "emergency" and [e.path for e in s.entries] == [cauda]
    open_row(s, cauda)
    assert s.current.entry.path == cauda
    tap(s, "filter")
    assert s.filter == "all" and len(s.entries) == 3
    assert s.entries[s.list.selected].path == cauda  # the open map stays selected


def test_the_visit_fields_show_in_the_info_panel_and_the_patient_id_in_the_list(atlas, tmp_path):
    m = PainMap(atlas)
    m.paint_region("right_calf")
    m.meta["created"] = "2024-03-01T09:15:00Z"
    m.set_visit(patient_id="MRN 0042", visit_date="2024-03-01", recorded_by="Dr Okafor",
                note="Worse after lifting on Monday.")
    with_fields = fileformat.save(m, tmp_path / "a.bodymap")
    bare = make_map(atlas, tmp_path, "b.bodymap", ["left_calf"], "2024-02-01T09:15:00Z", "BARE")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    row = s.list.rows[index_of(s, with_fields)]
    assert any("MRN 0042" in t and "2024-03-01" in t for t, _, _ in row.lines)
    assert not any("Patient" in t for t, _, _ in s.list.rows[index_of(s, bare)].lines)
    open_row(s, with_fields)
    shown = " | ".join(t for _, t in s.info.texts())
    for text in ("Patient ID: MRN 0042", "Visit date: 2024-03-01", "Recorded by: Dr Okafor",
                 "Note: Worse after lifting on Monday."):
        assert text in shown
    open_row(s, bare)
    shown = " | ".join(t for _, t in s.info.texts())
    assert "Patient ID" not in shown and "No patient identifier" in shown


def test_times_are_local_time_with_their_zone_everywhere_in_the_window(atlas, tmp_path):
    from datetime import timedelta

    from bodymap.times import local_time
    zone = timezone(timedelta(hours=5, minutes=30))
    a = make_map(atlas, tmp_path, "a.bodymap", ["right_calf"], "2024-03-01T09:15:00Z", "A")
    b = make_map(atlas, tmp_path, "b.bodymap", ["left_calf"], "2024-03-08T09:15:00Z", "B")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=zone)
    want = {a: local_time("2024-03-01T09:15:00Z", zone), b: local_time("2024-03-08T09:15:00Z", zone)}
    assert want[a] == "2024-03-01 14:45 UTC+05:30"
    for row in s.list.rows:
        assert want[s.entries[row.index].path] in [t for t, _, _ in row.lines]
    open_row(s, b)
    tap(s, "compare")
    open_row(s, a)
    shown = " | ".join(t for _, t in s.info.texts())
    assert f"Before (older): A, {want[a]}" in shown and f"After (newer): B, {want[b]}" in shown


def test_print_writes_the_report_pdf_of_the_open_map_and_the_toast_names_it(atlas, tmp_path, monkeypatch):
    from bodymap.exports.report import load_for_report
    a = make_map(atlas, tmp_path, "visit2.bodymap", ["right_calf"], "2024-03-01T09:15:00Z", "A",
                 answers={"bladder_bowel": True})
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    s.screenshot()
    assert not s.layout.buttons["print"].enabled  # nothing open yet
    open_row(s, a)
    s.screenshot()
    assert s.layout.buttons["print"].enabled
    tap(s, "print")
    pdf = tmp_path / "visit2.pdf"
    assert s.printer.last_report == pdf and pdf.read_bytes().startswith(b"%PDF")
    assert str(pdf) in s.toast
    assert a.read_bytes()  # the map itself is untouched and still loads
    load_for_report(a)
    # a folder that cannot be written: the report goes to the user's maps folder, and the toast says so
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    monkeypatch.setenv("BODYMAP_MAPS", str(elsewhere))
    from bodymap.ui.review import printing

    real = printing.report_path
    monkeypatch.setattr(printing, "report_path",
                        lambda p, folder=None: real(p, folder) if folder else tmp_path / "no-such" / "x.pdf")
    tap(s, "print")
    assert s.printer.last_report == elsewhere / "visit2.pdf" and s.printer.last_report.read_bytes().startswith(b"%PDF")
    assert str(elsewhere / "visit2.pdf") in s.toast and "cannot write beside the map" in s.toast


# ---------------------------------------------------------------------------
# the visit timeline


def visit_map(atlas, folder, name, regions, created, patient, visit_date, pain=None, answers=None):
    m = PainMap(atlas)
    for r in regions:
        m.paint_region(r)
    m.meta["created"], m.meta["session_code"] = created, name.split(".")[0].upper()
    m.set_visit(patient_id=patient, visit_date=visit_date)
    for k, v in (answers or {}).items():
        m.answers[k] = v
    if pain is not None:
        m.set_intensity(None, pain)
    return fileformat.save(m, folder / name)


@pytest.fixture
def patient_folder(atlas, tmp_path):
    # saved in another order than the visits happened: the visit date orders the timeline
    v1 = visit_map(atlas, tmp_path, "v1.bodymap", ["right_calf", "right_buttock"], "2024-05-01T09:00:00Z",
                   "MRN 0042", "2024-03-01", pain=7)
    v2 = visit_map(atlas, tmp_path, "v2.bodymap", ["right_calf", "right_heel", "right_posterior_thigh"],
                   "2024-04-01T09:00:00Z", "MRN 0042", "2024-03-15", answers={"bladder_bowel": True})
    v3 = visit_map(atlas, tmp_path, "v3.bodymap", ["right_heel"], "2024-03-01T09:00:00Z", "MRN 0042", "2024-04-20",
                   pain=2)
    other = visit_map(atlas, tmp_path, "other.bodymap", ["left_calf"], "2024-03-02T09:00:00Z", "MRN 0099",
                      "2024-03-02", pain=3)
    bare = make_map(atlas, tmp_path, "bare.bodymap", ["left_shin"], "2024-03-03T09:00:00Z", "BARE")
    return [v1, v2, v3], other, bare


def test_the_timeline_shows_one_patients_visits_in_visit_date_order_with_the_change_per_region(atlas, tmp_path,
                                                                                              patient_folder):
    (v1, v2, v3), other, bare = patient_folder
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, bare)
    s.screenshot()
    assert not s.layout.buttons["timeline"].enabled  # no patient identifier: nothing to group by
    open_row(s, v3)
    s.screenshot()
    assert s.layout.buttons["timeline"].enabled
    tap(s, "timeline")
    assert s.mode == "timeline"
    assert [Path(v.key) for v in s.timeline.visits] == [v1, v2, v3]  # not the saved order, not the other patient
    assert [i for i, _ in s.timeline_view.cards] == [0, 1, 2]
    shown = " | ".join(t for _, t in s.info.texts())
    name = {r: atlas.region(r).name for r in ("right_calf", "right_buttock", "right_heel", "right_posterior_thigh")}
    # visit 1 -> 2: heel and back of thigh new, buttock resolved, calf persistent; 2 -> 3: only the heel stays
    assert f"New: {name['right_posterior_thigh']}, {name['right_heel']}" in shown or \
        f"New: {name['right_heel']}, {name['right_posterior_thigh']}" in shown
    assert f"Resolved: {name['right_buttock']}" in shown and f"Persistent: {name['right_calf']}" in shown
    assert f"Persistent: {name['right_heel']}" in shown
    assert shown.index("2024-03-15 to 2024-04-20") < shown.index("2024-03-01 to 2024-03-15")  # latest first
    # the second visit's red flag stays on top, in red, with its day
    assert s.info.red_box is not None
    assert any(k == "red_flag" and t.startswith("2024-03-15: ") for k, t in s.info.texts())
    tap(s, "timeline")
    assert s.mode == "single" and s.current.entry.path == v3


def test_the_timeline_plot_draws_extent_and_pain_where_given(atlas, tmp_path, patient_folder):
    from bodymap.ui.review.timeline_draw import EXTENT_COLOUR, PAIN_COLOUR, plot_points
    (v1, v2, v3), _, _ = patient_folder
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, v1)
    tap(s, "timeline")
    surf = s.screenshot()
    pts = plot_points(s.timeline, s.timeline_view.plot_rect, s.layout.s)
    extents = [fileformat.load(p).extent_percent()["total"] for p in (v1, v2, v3)]
    assert sorted(pts["extent"]) == [0, 1, 2]
    assert sorted(pts["pain"]) == [0, 2]  # the second visit gave no pain score: no marker, not a 0
    for i, (x, y) in pts["extent"].items():
        assert surf.get_at((x, y))[:3] == EXTENT_COLOUR
    for i, (x, y) in pts["pain"].items():
        assert surf.get_at((x, y))[:3] == PAIN_COLOUR
    # higher extent is drawn higher, later visits further right; pain 7 above pain 2
    order = sorted(range(3), key=lambda i: extents[i])
    ys = [pts["extent"][i][1] for i in order]
    assert ys == sorted(ys, reverse=True)
    assert pts["extent"][0][0] < pts["extent"][1][0] < pts["extent"][2][0]
    assert pts["pain"][0][1] < pts["pain"][2][1]


def test_two_visits_picked_on_the_timeline_are_compared_and_end_comparison_comes_back(atlas, tmp_path,
                                                                                     patient_folder):
    (v1, v2, v3), _, _ = patient_folder
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, v2)
    tap(s, "timeline")
    tap(s, "visit:2")
    assert s.mode == "timeline" and s.timeline_pick == [2]
    tap(s, "visit:2")  # tapping it again takes the mark off
    assert s.timeline_pick == []
    tap(s, "visit:2")
    tap(s, "visit:0")
    assert s.mode == "compare"
    assert (s.before.entry.path, s.after.entry.path) == (v1, v3)  # the older is "before", whatever the tap order
    want = compare(fileformat.load(v1), fileformat.load(v3))
    assert s.comparison.jaccard == pytest.approx(want.jaccard)
    tap(s, "compare")  # End comparison
    assert s.mode == "timeline" and len(s.timeline_view.cards) == 3
    s.handle_event(ev(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode=""))
    assert s.mode == "single"


def test_the_timeline_fits_small_and_tall_windows(atlas, tmp_path, patient_folder):
    (v1, v2, v3), _, _ = patient_folder
    for size in ((1024, 700), (900, 1300), (1920, 1080)):
        s = ReviewScreen(tmp_path, size, atlas=atlas, tz=timezone.utc)
        open_row(s, v1)
        tap(s, "timeline")
        s.screenshot()
        cards = [r for _, r in s.timeline_view.cards]
        assert cards, size
        for r in cards:
            assert s.layout.center_rect.contains(r) and r.height >= 48 and not r.colliderect(s.timeline_view.plot_rect), size
        assert s.timeline_view.hidden + len(cards) == 3
        assert s.layout.center_rect.contains(s.timeline_view.plot_rect), size


def test_a_comparison_names_the_visit_dates_it_is_ordered_by(atlas, tmp_path, patient_folder):
    (v1, v2, v3), _, _ = patient_folder  # v1 was saved last but visited first
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, v3)
    tap(s, "compare")
    open_row(s, v1)
    assert (s.before.entry.path, s.after.entry.path) == (v1, v3)
    shown = " | ".join(t for _, t in s.info.texts())
    assert "Before (older): V1, visit 2024-03-01, saved 2024-05-01 09:00 UTC" in shown
    assert "After (newer): V3, visit 2024-04-20, saved 2024-03-01 09:00 UTC" in shown
    assert s.layout.pairs["before"].heading.endswith("visit 2024-03-01")


def test_refresh_keeps_the_timeline_and_adds_a_new_visit_and_a_list_tap_leaves_it(atlas, tmp_path, patient_folder):
    (v1, v2, v3), other, _ = patient_folder
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, v1)
    tap(s, "timeline")
    v4 = visit_map(atlas, tmp_path, "v4.bodymap", ["right_heel"], "2024-05-20T09:00:00Z", "mrn 0042", "2024-05-20",
                   pain=1)
    tap(s, "refresh")
    assert s.mode == "timeline" and [Path(v.key) for v in s.timeline.visits] == [v1, v2, v3, v4]
    open_row(s, other)
    assert s.mode == "single" and s.timeline is None and s.current.entry.path == other
    s.screenshot()
    assert s.layout.buttons["timeline"].enabled


def test_a_timeline_comparison_draws_each_change_on_the_patients_own_side_in_both_views(atlas, tmp_path):
    # front and back regions, right side only: the change must land on the patient's right in each view
    regions = {"v1": ["right_shin", "right_buttock", "right_calf"], "v2": ["right_anterior_thigh", "right_calf"]}
    p1 = visit_map(atlas, tmp_path, "v1.bodymap", regions["v1"], "2024-03-01T09:00:00Z", "MRN 7", "2024-03-01")
    p2 = visit_map(atlas, tmp_path, "v2.bodymap", regions["v2"], "2024-03-20T09:00:00Z", "MRN 7", "2024-03-20")
    s = ReviewScreen(tmp_path, SIZE, atlas=atlas, tz=timezone.utc)
    open_row(s, p2)
    tap(s, "timeline")
    tap(s, "visit:0")
    tap(s, "visit:1")
    assert (s.before.entry.path, s.after.entry.path) == (p1, p2)
    px = pixels(s.screenshot())
    want = {"right_anterior_thigh": "new", "right_shin": "resolved", "right_buttock": "resolved",
            "right_calf": "persistent"}
    for rid, kind in want.items():
        view = atlas.region(rid).view
        lay = s.pair_layouts("diff")[view]
        x, y = rep_screen(atlas, lay, rid)
        assert tuple(int(v) for v in px[y, x]) in diff_colours(kind), (rid, kind)
        # the patient's right: the viewer's left on the front, the viewer's right on the back
        centre = float(lay.to_screen(0.0, 0.0)[0])
        assert (x < centre) if view == "front" else (x > centre), rid
        mirror = rid.replace("right_", "left_")
        mx, my = rep_screen(atlas, lay, mirror)
        assert all(tuple(int(v) for v in px[my, mx]) not in diff_colours(k) for k in DIFF_KINDS), mirror
