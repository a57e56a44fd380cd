"""The review session (bodymap.review), driven headless: no pygame, no window.

Open a folder (with subfolders and a depth limit), select a map, filter by red flags, compare two
visits, walk a patient's timeline and record a confirmed diagnosis, all through `ReviewSession`.
This file imports no pygame; one test checks in a fresh interpreter that the session never does.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bodymap import fileformat
from bodymap.errors import UsageError
from bodymap.painting import PainMap
from bodymap.review import ReviewSession
from bodymap.review.entries import MAX_DEPTH, subfolder_count
from bodymap.visits import VisitConflict, history_of

ROOT = Path(__file__).resolve().parents[2]


def save(atlas, folder: Path, name: str, regions, *, created: str, patient=None, visit_date=None, answers=None,
         pain=None) -> Path:
    m = PainMap(atlas)
    for r in regions:
        m.paint_region(r)
    m.meta["created"] = created
    m.meta["session_code"] = Path(name).stem.upper()
    if patient or visit_date:
        m.set_visit(patient_id=patient, visit_date=visit_date)
    for k, v in (answers or {}).items():
        m.answers[k] = v
    if pain is not None:
        m.set_intensity(None, pain)
    folder.mkdir(parents=True, exist_ok=True)
    return fileformat.save(m, folder / name)


@pytest.fixture
def folder(atlas, tmp_path) -> Path:
    """Two visits of one patient (the second with an emergency answer), another map, a broken file, and
    a map in a subfolder."""
    save(atlas, tmp_path, "v1.bodymap", ["right_calf", "right_buttock"], created="2024-03-01T09:00:00Z",
         patient="MRN 7", visit_date="2024-03-01", pain=7)
    save(atlas, tmp_path, "v2.bodymap", ["right_calf", "right_heel"], created="2024-03-15T09:00:00Z",
         patient="MRN 7", visit_date="2024-03-15", answers={"bladder_bowel": True}, pain=4)
    save(atlas, tmp_path, "other.bodymap", ["left_anterior_thigh"], created="2024-04-01T09:00:00Z")
    save(atlas, tmp_path / "later", "v3.bodymap", ["right_heel"], created="2024-04-20T09:00:00Z",
         patient="mrn 7", visit_date="2024-04-20", pain=2)
    (tmp_path / "broken.bodymap").write_text('{"format": "bodymap", "atlas": {')
    return tmp_path


def names(entries) -> list[str]:
    return [e.path.name for e in entries]


def test_a_folder_is_scanned_with_its_subfolders_red_flags_first_then_newest(folder, atlas):
    s = ReviewSession(folder, atlas)
    assert s.is_folder and s.mode == "single" and s.current is None
    assert sorted(names(s.entries)) == sorted(["v1.bodymap", "v2.bodymap", "other.bodymap", "v3.bodymap",
                                                "broken.bodymap"])
    assert s.entries[0].path.name == "v2.bodymap" and s.entries[0].urgency == "emergency"
    readable = [e for e in s.entries[1:] if e.ok]
    assert [e.when for e in readable] == sorted((e.when for e in readable), reverse=True)
    assert subfolder_count(s.entries, folder) == 1
    broken = next(e for e in s.entries if e.path.name == "broken.bodymap")
    assert not broken.ok and broken.error


def test_the_scan_stops_at_the_depth_limit(folder, atlas):
    deep = folder
    for k in range(MAX_DEPTH + 1):
        deep = deep / f"d{k}"
    save(atlas, deep, "too_deep.bodymap", ["left_calf"], created="2024-05-01T09:00:00Z")
    save(atlas, deep.parent, "deepest_listed.bodymap", ["left_calf"], created="2024-05-01T09:00:00Z")
    listed = names(ReviewSession(folder, atlas).entries)
    assert "deepest_listed.bodymap" in listed and "too_deep.bodymap" not in listed


def test_select_a_map_and_a_match_shows_its_zone(folder, atlas):
    s = ReviewSession(folder, atlas)
    i = s.index_of(folder / "v1.bodymap")
    assert s.open_index(i) and s.current.entry.path.name == "v1.bodymap"
    assert s.selected_index == i and s.hypotheses, "the open map is ranked"
    first = (s.hypotheses[0].id, s.hypotheses[0].side)
    assert s.selected_hyp == first and s.zone, "the top match is selected and its zone known"
    s.select_hypothesis(0)  # again: deselected
    assert s.selected_hyp is None and s.zone is None
    s.select_hypothesis(1)
    assert s.selected_hyp == (s.hypotheses[1].id, s.hypotheses[1].side)
    assert not s.open_index(len(s.entries)), "no such row"


def test_an_unreadable_file_opens_as_its_reason_never_raises(folder, atlas):
    s = ReviewSession(folder, atlas)
    assert not s.open_index(s.index_of(folder / "broken.bodymap"))
    assert s.current is not None and not s.current.ok and s.current.error
    assert s.red_flag_texts == []


def test_filter_keeps_red_flags_then_emergencies_and_the_open_map_stays_open(folder, atlas):
    said = []
    s = ReviewSession(folder, atlas, say=said.append)
    s.open_index(s.index_of(folder / "other.bodymap"))
    s.next_filter()
    assert s.filter == "red_flags" and names(s.entries) == ["v2.bodymap"]
    assert said[-1] == "Filter: red flags: 1 map"
    assert s.current.entry.path.name == "other.bodymap" and s.selected_index is None
    s.next_filter()
    assert s.filter == "emergency" and names(s.entries) == ["v2.bodymap"]
    s.next_filter()
    assert s.filter == "all" and len(s.entries) == 5
    with pytest.raises(ValueError):
        s.set_filter("urgent")


def test_compare_two_visits_puts_the_older_visit_before(folder, atlas):
    s = ReviewSession(folder, atlas)
    s.open_index(s.index_of(folder / "v2.bodymap"))
    assert s.start_pick() and s.mode == "pick"
    assert s.compare_with(s.index_of(folder / "v1.bodymap"))
    assert s.mode == "compare"
    assert s.before.entry.path.name == "v1.bodymap" and s.after.entry.path.name == "v2.bodymap"
    c = s.comparison
    v1, v2 = fileformat.load(folder / "v1.bodymap"), fileformat.load(folder / "v2.bodymap")
    for view in ("front", "back"):  # new, resolved and persistent are the two paintings' set differences
        a, b = v1.any_mask(view), v2.any_mask(view)
        assert (c.new[view] == (b & ~a)).all() and (c.resolved[view] == (a & ~b)).all()
    assert s.area_percent("resolved") > 0 and s.area_percent("new") > 0
    assert any(t.startswith("After (visit 2024-03-15)") for t in s.red_flag_texts), "flags stay first, named"
    s.end_compare()
    assert s.mode == "single" and s.comparison is None


def test_a_map_is_never_compared_with_itself_or_a_broken_file(folder, atlas):
    said = []
    s = ReviewSession(folder, atlas, say=said.append)
    s.open_index(s.index_of(folder / "v1.bodymap"))
    assert not s.compare_with(s.index_of(folder / "v1.bodymap")) and "already open" in said[-1]
    assert not s.compare_with(s.index_of(folder / "broken.bodymap")) and said[-1].startswith("Cannot open")
    assert s.mode == "single"


def test_a_single_file_cannot_start_a_comparison(folder, atlas):
    said = []
    s = ReviewSession(folder / "v1.bodymap", atlas, say=said.append)
    assert s.current is not None and s.current.ok, "a file opens straight away"
    assert not s.start_pick() and "needs a folder" in said[-1]


def test_timeline_of_the_patient_across_subfolders_and_comparing_two_visits_on_it(folder, atlas):
    s = ReviewSession(folder, atlas)
    s.open_index(s.index_of(folder / "v2.bodymap"))
    assert s.open_timeline() and s.mode == "timeline"
    tl = s.timeline
    assert [Path(v.key).name for v in tl.visits] == ["v1.bodymap", "v2.bodymap", "v3.bodymap"]
    assert [v.pain for v in tl.visits] == [7, 4, 2]
    assert s.red_flag_texts and s.red_flag_texts[0].startswith("2024-03-15")
    assert not s.pick_visit(0) and s.timeline_pick == [0]
    assert s.pick_visit(2) and s.mode == "compare"
    assert (s.before.entry.path.name, s.after.entry.path.name) == ("v1.bodymap", "v3.bodymap")
    s.end_compare()
    assert s.mode == "timeline" and s.timeline is tl, "a comparison started on the timeline returns to it"
    s.close_timeline()
    assert s.mode == "single"


def test_no_timeline_without_a_patient_identifier(folder, atlas):
    said = []
    s = ReviewSession(folder, atlas, say=said.append)
    s.open_index(s.index_of(folder / "other.bodymap"))
    assert not s.can_timeline and not s.open_timeline() and "no patient identifier" in said[-1]


def test_refresh_finds_new_maps_and_keeps_the_open_one(folder, atlas):
    s = ReviewSession(folder, atlas)
    s.open_index(s.index_of(folder / "v1.bodymap"))
    s.select_hypothesis(1)
    keep = s.selected_hyp
    save(atlas, folder, "new.bodymap", ["left_calf"], created="2025-01-01T09:00:00Z")
    s.refresh()
    assert "new.bodymap" in names(s.entries)
    assert s.current.entry.path.name == "v1.bodymap" and s.selected_hyp == keep


def test_the_confirmed_diagnosis_is_saved_in_the_visits_own_file(folder, atlas):
    s = ReviewSession(folder, atlas)
    path = folder / "v1.bodymap"
    s.open_index(s.index_of(path))
    before = json.loads(path.read_text())
    s.set_confirmed(" root_S1 ", "imaging", "2024-04-02")
    assert fileformat.load(path).confirmed == {"diagnosis": "root_S1", "how": "imaging", "date": "2024-04-02"}
    assert s.confirmed == fileformat.load(path).confirmed, "the open map shows what was saved"
    after = json.loads(path.read_text())
    assert {k: v for k, v in after.items() if k not in ("confirmed", "modified")} == \
        {k: v for k, v in before.items() if k != "modified"}, "nothing but the diagnosis changed"
    assert len(history_of(path)) == 1, "the replaced version is kept beside the file"
    s.set_confirmed("", None, None)
    assert fileformat.load(path).confirmed is None
    assert fileformat.load(folder / "v2.bodymap").confirmed is None, "no other visit is touched"


def test_a_bad_confirmed_diagnosis_is_refused_with_its_reason(folder, atlas):
    s = ReviewSession(folder, atlas)
    path = folder / "v1.bodymap"
    s.open_index(s.index_of(path))
    raw = path.read_bytes()
    for args, words in ((("root_S1", "x-ray", None), "how must be one of"), (("root_S1", "block", "2024-13-01"),
                                                                           "not a calendar date")):
        with pytest.raises(UsageError, match=words):
            s.set_confirmed(*args)
    assert path.read_bytes() == raw


def test_a_confirmed_diagnosis_never_overwrites_another_visit(folder, atlas):
    s = ReviewSession(folder, atlas)
    path = folder / "v1.bodymap"
    s.open_index(s.index_of(path))
    # meanwhile another window saved a different visit under this name
    save(atlas, folder, "v1.bodymap", ["left_calf"], created="2024-06-01T09:00:00Z", patient="MRN 9",
         visit_date="2024-06-01")
    raw = path.read_bytes()
    with pytest.raises(VisitConflict, match="another visit"):
        s.set_confirmed("hip_joint", "surgery", None)
    assert path.read_bytes() == raw, "the other visit is left as it was"


def test_a_confirmed_diagnosis_needs_one_open_map(folder, atlas):
    s = ReviewSession(folder, atlas)
    with pytest.raises(UsageError, match="open one map"):
        s.set_confirmed("root_S1", "imaging")


def test_the_session_never_imports_pygame(folder):
    code = ("import sys; from bodymap.review import ReviewSession; "
            f"s = ReviewSession({str(folder)!r}, None); s.open_index(0); "
            "print('pygame' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
