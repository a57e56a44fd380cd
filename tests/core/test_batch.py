"""Batch scoring agrees with the one-map path, keeps red flags, and refuses bad files cleanly."""
from __future__ import annotations

import json

import pytest

import bodymap
from bodymap import batch


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    atlas = bodymap.load_atlas()
    d = tmp_path_factory.mktemp("batch")
    specs = {
        "l5": ([("right_lateral_leg", 0.7, "burning"), ("right_dorsum_foot", 0.8, "pins_and_needles")], {}),
        "hip": ([("left_groin", 0.8, "aching"), ("left_buttock", 0.5, "aching")], {"worse_walking": True}),
        "flag": ([("right_calf", 0.5, "sharp"), ("left_calf", 0.5, "sharp")], {"weakness": True}),
        "empty": ([], {"cancer_history": True}),
    }
    out = {}
    for name, (paint, answers) in specs.items():
        m = bodymap.PainMap(atlas)
        for rid, frac, sens in paint:
            m.paint_region(rid, frac, sens)
        for k, v in answers.items():
            m.answers[k] = v
        p = d / f"{name}.bodymap"
        bodymap.save(m, p)
        out[name] = p
    (d / "broken.bodymap").write_text("{\"format\": \"bodymap\"")
    out["broken"] = d / "broken.bodymap"
    return out


@pytest.mark.parametrize("name", ["l5", "hip", "flag", "empty"])
def test_batch_matches_the_full_matcher(files, name):
    r = batch.score_file(str(files[name]))
    full = bodymap.match(bodymap.load(files[name]))
    assert r.error is None
    assert list(r.red_flags) == [f.id for f in full.red_flags]
    if full.top is None:
        return
    assert (r.top, r.side) == (full.top.id, full.top.side)
    assert r.probability == pytest.approx(full.top.probability, rel=1e-9)


def test_batch_keeps_red_flags_from_painting_and_answers(files):
    assert batch.score_file(str(files["flag"])).red_flags == ("cauda_equina",)  # weakness + both legs (same day: the follow-up not asked)
    assert batch.score_file(str(files["empty"])).red_flags == ("malignancy",)


def test_batch_reports_bad_files_without_stopping(files):
    res = batch.score_many([str(files["broken"]), str(files["l5"])], workers=1)
    assert res[0].error and "broken.bodymap" in res[0].error and res[0].top is None
    assert res[1].error is None and res[1].top


def test_batch_refuses_another_atlas_and_bad_answers(files, tmp_path):
    doc = json.loads(files["l5"].read_text())
    doc["atlas"]["id"] = "someone-else"
    (tmp_path / "a.bodymap").write_text(json.dumps(doc))
    assert "atlas" in batch.score_file(str(tmp_path / "a.bodymap")).error
    doc = json.loads(files["l5"].read_text())
    doc["answers"]["age"] = "old"
    (tmp_path / "b.bodymap").write_text(json.dumps(doc))
    assert "answers" in batch.score_file(str(tmp_path / "b.bodymap")).error
