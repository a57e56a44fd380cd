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


AGE_RULE_ANSWERS = [  # answers under which an age cut point of the flag rules decides a flag or a risk factor
    {"new_pain": True, "night_pain": True},
    {"osteoporosis": True},
    {"minor_trauma": True},
    {"abdominal_pain": True, "vascular_risk": True},
    {"osteoporosis": "unsure"},
    {"new_pain": "unsure", "weight_loss": True},
]


@pytest.mark.parametrize("answers", AGE_RULE_ANSWERS)
def test_batch_flag_cache_gives_every_age_its_own_flags(answers):
    """The scorer's red-flag cache is keyed on the age band the rules read, not the age: one cache serving every
    age in turn (upwards, then downwards, so each entry is reused across the band) gives exactly the flags the
    triage gives for that age, on both legs or not."""
    from bodymap import vocabulary
    from bodymap.triage import Case, assess_case

    lo, hi = vocabulary.question("age").range
    scorer = batch.Scorer.__new__(batch.Scorer)
    scorer._flags = {}
    seen = set()
    for age in [*range(lo, hi + 1), *range(hi, lo - 1, -1)]:
        for both in (False, True):
            a = {**answers, "age": age}
            want = tuple(f.id for f in assess_case(Case(dict(a), both)).red_flags)
            got = scorer.flags(a, both, None)
            assert got == want, (age, both)
            seen.add(want)
    assert len(scorer._flags) < 2 * (hi - lo + 1)  # the cache holds bands, not ages
    assert len(seen) >= 2  # the age decides a flag here: a key that dropped it would fail above
