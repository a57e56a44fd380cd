"""The painting desk as a headless session (bodymap.desk, issue 19 item 1): a clinic day played without
pygame, finding the files on disk. This file imports no pygame, and checks that the desk does not either."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from bodymap import fileformat
from bodymap.desk import Desk, list_maps
from bodymap.errors import BodymapError
from bodymap.painting import UNSURE
from bodymap.visits import VisitConflict


class Clock:
    def __init__(self, when: datetime):
        self.when = when

    def __call__(self) -> datetime:
        return self.when


@pytest.fixture
def desk(atlas, tmp_path):
    return Desk(atlas, folder_given=tmp_path, now=Clock(datetime(2026, 12, 7, 9, 30)))


def test_the_desk_imports_no_pygame():
    code = "import sys, bodymap.desk; print('pygame' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_follow_up_visit_is_a_new_file_with_its_own_dates(desk, tmp_path):
    m = desk.pain_map
    m.paint_region("right_calf")
    desk.set_visit({"patient_id": "MRN-004217", "visit_date": "2026-12-07", "recorded_by": "", "note": ""})
    assert desk.dirty
    first = desk.save()
    assert first.parent == tmp_path and "MRN-004217" in first.name and not desk.dirty
    desk.now.when = datetime(2026, 12, 21, 10, 0)
    visit2 = desk.new_visit(copy=True)
    assert visit2.visit.patient_id == "MRN-004217" and visit2.visit.visit_date == "2026-12-21"
    assert desk.path is None and desk.dirty  # unsaved until saved, and never to the first file
    assert visit2.region_coverage().get("right_calf", 0) > 0  # a copy of the painting, to edit
    visit2.paint_region("left_calf")
    second = desk.save()
    assert second != first
    one, two = fileformat.load(first), fileformat.load(second)
    assert (one.visit.visit_date, two.visit.visit_date) == ("2026-12-07", "2026-12-21")
    assert one.region_coverage().get("left_calf", 0) == 0 < two.region_coverage().get("left_calf", 0)
    assert one.meta["created"] != two.meta["created"]  # each visit keeps its own painted time


def test_saving_a_changed_visit_over_its_file_is_refused_and_saved_as_a_new_visit(desk):
    desk.pain_map.paint_region("right_calf")
    desk.set_visit({"patient_id": "MRN-1", "visit_date": "2026-11-23"})
    first = desk.save()
    before = first.read_bytes()
    desk.set_visit({"patient_id": "MRN-1", "visit_date": "2026-12-07"})  # a later date on the opened file
    assert desk.is_another_visit_than_opened
    with pytest.raises(VisitConflict):
        desk.save_to(first)
    assert first.read_bytes() == before and desk.dirty  # nothing replaced, nothing lost
    second = desk.save_as_new_visit()
    assert second != first and fileformat.load(second).visit.visit_date == "2026-12-07"
    assert fileformat.load(first).visit.visit_date == "2026-11-23"


def test_saving_the_same_visit_again_keeps_the_replaced_version_beside_it(desk):
    desk.pain_map.paint_region("right_calf")
    path = desk.save()
    desk.pain_map.paint_region("left_calf")
    assert desk.save() == path
    kept = path.with_name(path.name + "~1")
    assert kept.exists()
    assert fileformat.load(kept).region_coverage().get("left_calf", 0) == 0
    assert fileformat.load(path).region_coverage().get("left_calf", 0) > 0


def test_new_patient_forgets_the_last_patient_and_the_save_as_folder(desk, tmp_path):
    desk.set_visit({"patient_id": "MRN-7", "visit_date": "2026-12-07"})
    target = desk.save_as_target("visit one", str(tmp_path / "Clinic B" / "2026"))
    assert target == tmp_path / "Clinic B" / "2026" / "visit one.bodymap" and target.parent.is_dir()
    desk.save_as(target)
    assert target.exists() and desk.path == target
    desk.new_patient()
    assert desk.path is None and not desk.pain_map.visit.patient_id and not desk.dirty
    start = desk.save_as_start()
    assert start.parent == tmp_path and "MRN-7" not in start.name  # nothing of the last patient


@pytest.mark.parametrize("name,folder,words", [
    ("", "", "file name"), ("a/b", "", "without a folder"), ("..", "", "file name")])
def test_save_as_refuses_bad_names(desk, tmp_path, name, folder, words):
    with pytest.raises(BodymapError, match=words):
        desk.save_as_target(name, folder or str(tmp_path))


def test_save_as_refuses_a_file_as_folder_and_an_existing_map(desk, tmp_path):
    (tmp_path / "plain").write_text("x")
    with pytest.raises(BodymapError, match="is a file, not a folder"):
        desk.save_as_target("x", str(tmp_path / "plain"))
    desk.pain_map.paint_region("right_calf")
    other = desk.save_to(tmp_path / "other.bodymap")
    desk.new_patient()
    with pytest.raises(BodymapError, match="already exists"):
        desk.save_as_target("other", str(tmp_path))
    assert other.exists()


def test_answers_toggle_and_each_change_is_unsaved(desk):
    v = desk.pain_map.version
    assert desk.answer("weakness", "yes") and desk.pain_map.answers["weakness"] is True
    assert desk.pain_map.version == v + 1 and desk.dirty
    assert desk.answer("weakness", "yes") and "weakness" not in desk.pain_map.answers  # again: cleared
    assert desk.answer("weakness", "unsure") and desk.pain_map.answers["weakness"] == UNSURE
    assert desk.answer("weakness", "no") and desk.pain_map.answers["weakness"] is False
    v = desk.pain_map.version
    assert not desk.set_answer("weakness", False) and desk.pain_map.version == v  # the same answer: no change
    assert desk.set_answer("age", 54) and desk.pain_map.answers["age"] == 54
    assert not desk.set_answer("night_pain", None)  # clearing what was never given changes nothing


def test_clear_pain_score_and_new_visit_needs_a_patient(desk):
    desk.pain_map.set_intensity(None, 6)
    assert desk.clear_pain_score() and "overall" not in desk.pain_map.intensity
    assert not desk.clear_pain_score()
    with pytest.raises(BodymapError, match="patient identifier"):
        desk.new_visit(copy=False)


def test_a_failed_save_leaves_the_map_open_and_its_times(desk, tmp_path):
    desk.pain_map.paint_region("right_calf")
    created = desk.pain_map.meta.get("created")
    (tmp_path / "blocker").write_text("a file where a folder should be")
    with pytest.raises(BodymapError):
        desk.save_to(tmp_path / "blocker" / "x.bodymap", new_record=True)
    assert desk.dirty and desk.path is None and desk.pain_map.meta.get("created") == created


def test_list_maps_reads_subfolders_to_the_depth_limit(atlas, tmp_path):
    def put(rel: str) -> Path:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("{}")
        return p

    top, one, three = put("a.bodymap"), put("s/b.bodymap"), put("s/t/u/c.bodymap")
    put("s/t/u/v/d.bodymap")
    put(".hidden/e.bodymap")
    put("a.bodymap~1")
    assert set(list_maps(tmp_path)) == {top, one, three}
    assert set(list_maps(tmp_path, depth=0)) == {top}
    assert list_maps(tmp_path / "missing") == []


class BrokenMatcher:
    def match(self, pain_map):
        raise RuntimeError("pattern file missing")


def test_a_broken_or_missing_matcher_never_hides_a_red_flag(desk):
    m = desk.pain_map
    m.paint_region("right_calf")
    m.paint_region("left_calf")
    desk.answer("weakness", "yes")  # leg weakness with pain in both legs: a cauda equina flag by the rules
    flags = [f.id for f in desk.flags()]
    assert "cauda_equina" in flags
    for source, words in ((lambda: BrokenMatcher(), "matcher error (RuntimeError: pattern file missing)"),
                          (_missing, "matcher unavailable")):
        result, why = desk.assess(source)
        assert why == words
        assert [f.id for f in result.red_flags] == flags  # the same flags, first, whatever the matcher did


def _missing():
    raise ImportError("no bodymap.matcher")


def test_assess_ranks_with_a_working_matcher(desk):
    from bodymap import matcher

    desk.pain_map.paint_region("right_calf")
    result, why = desk.assess(lambda: matcher)
    assert why is None and result.hypotheses
