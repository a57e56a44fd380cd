"""ADR 0042's parts: the data (kiosk_when, the painted areas), the config key, the derivation from the rules,
and the not-asked line where the clinician reads flags (show, match, JSON)."""
from __future__ import annotations

import json

import pytest
import yaml

import bodymap
from bodymap import triage, vocabulary
from bodymap.errors import ConfigError
from bodymap.kiosk import plan
from bodymap.kiosk.config import load_config
from bodymap.kiosk.drawing import AREAS, DrawingView, areas_of
from bodymap.painting import RECORDED_AT_KIOSK


@pytest.fixture(scope="module")
def atlas():
    return bodymap.load_atlas()


def test_every_painted_area_a_question_may_name_finds_regions_on_both_sides(atlas):
    assert set(AREAS) == set(vocabulary.KIOSK_AREAS)
    for area in AREAS:
        for side in ("left", "right"):
            ids = [r.id for r in atlas.regions if r.side == side and area in areas_of([r.id])]
            assert ids, (area, side)
    assert areas_of(["right_calf", "left_lower_back"]) == frozenset()  # a leg or the low back names none
    assert areas_of(["left_index_finger_palmar", "right_groin"]) == {"hand", "groin"}


def test_every_kiosk_when_names_sources_that_carry_a_reliability_label():
    with_when = [q for q in vocabulary.questions() if q.kiosk_when]
    assert with_when
    for q in with_when:
        assert q.kiosk_when_source and all(vocabulary.load().sources[s]["label"] in ("R", "S", "M")
                                           for s in q.kiosk_when_source)
        assert "red_flag" in q.uses and q.kind == "yesno"


def _doc():
    return yaml.safe_load(vocabulary.questions_path().read_text(encoding="utf-8"))


@pytest.mark.parametrize("bad", [{"any": [{"age": 50}], "source": ["finucane_2020"]},
                                 {"any": [{"painted": ["elbow"]}], "source": ["finucane_2020"]},
                                 {"any": [{"everyone": True}]},
                                 {"any": [{"loin_to_groin": True}], "source": ["finucane_2020"]}])
def test_a_wrong_kiosk_when_is_refused_naming_the_question(bad):
    doc = _doc()
    q = next(q for q in doc["questions"] if q["key"] == "fever")
    q["kiosk_when"] = bad  # loin_to_groin comes after fever: not an earlier answer
    with pytest.raises(ConfigError, match="fever.kiosk_when"):
        vocabulary._build(doc, "questions.yaml")


def test_a_new_emergency_rule_puts_its_question_on_the_first_page(monkeypatch, tmp_path):
    """Derived from the rules, never a list: a rule change cannot drop a question silently."""
    doc = _doc()
    rule = next(r for r in doc["red_flags"] if r["id"] == "infection")
    rule["triggers"].append({"when": {"fever": True}, "reason": "test", "urgency": "emergency",
                             "source": ["clinical_evidence"]})
    changed = vocabulary._build(doc, "test")
    assert "fever" not in plan.everyone_keys()
    monkeypatch.setattr(vocabulary, "load", lambda path=None: changed)
    assert "fever" in plan.everyone_keys()
    assert plan.emergency_in_context("fever", {"age": 29}, DrawingView(both_legs_painted=False, areas=frozenset()))


def test_the_context_brings_the_questions_its_kiosk_when_names():
    none = DrawingView(both_legs_painted=False, areas=frozenset())
    first = {k: False for k in plan.everyone_keys()}  # the first page answered no
    # before it is answered, a history of cancer may be a yes: the cord compression questions may be an emergency
    assert {"clumsy_hands_or_walking", "weakness_new_or_worse"} <= set(plan.context_keys({"age": 39}, none))
    young = set(plan.context_keys({**first, "age": 39}, none)) - set(first)
    old = set(plan.context_keys({**first, "age": 80}, none))
    assert not {"fever", "weight_loss", "steroids"} & young and {"fever", "weight_loss", "steroids"} <= old
    neck = set(plan.context_keys({**first, "age": 39}, DrawingView(both_legs_painted=False, areas=frozenset({"neck"}))))
    assert "clumsy_hands_or_walking" in neck - young
    tummy = set(plan.context_keys({**first, "age": 39}, DrawingView(both_legs_painted=False, areas=frozenset({"abdomen"}))))
    assert "loin_to_groin" in tummy and "abdominal_pain" not in tummy  # the aneurysm rule needs over 50
    # a yes brings what it would raise a flag with: injecting drugs after new pain (infection)
    assert "iv_drug_use" in plan.context_keys({**first, "age": 39, "new_pain": True}, none)
    assert "iv_drug_use" not in plan.context_keys({**first, "age": 39, "new_pain": False}, none)
    assert plan.context_keys({"age": 39}, none, mode=plan.ASK_ALL) == plan.red_flag_screen_keys()


def test_red_flag_questions_in_the_config_takes_by_context_or_all(tmp_path):
    p = tmp_path / "kiosk.yaml"
    base = {"spool_dir": str(tmp_path / "s"), "drafts_dir": str(tmp_path / "d"), "recovery_dir": str(tmp_path / "r")}
    p.write_text(yaml.safe_dump(base))
    assert load_config(p).red_flag_questions == "by_context"
    p.write_text(yaml.safe_dump({**base, "red_flag_questions": "all"}))
    assert load_config(p).red_flag_questions == "all"
    for bad in ("some", True, ["all"]):
        p.write_text(yaml.safe_dump({**base, "red_flag_questions": bad}))
        with pytest.raises(ConfigError, match="red_flag_questions must be one of by_context, all"):
            load_config(p)


def _kiosk_map(atlas, tmp_path, answers, at_kiosk=True):
    m = bodymap.PainMap(atlas)
    m.paint_region("right_calf", 0.6, "burning")
    m.answers.update(answers)
    if at_kiosk:
        m.visit.recorded_by = RECORDED_AT_KIOSK
    path = tmp_path / ("k.bodymap" if at_kiosk else "d.bodymap")
    bodymap.save(m, path)
    return path


def test_show_and_match_put_the_not_asked_line_right_under_the_red_flags(atlas, tmp_path, cli):
    first = {k: False for k in plan.everyone_keys()}
    path = _kiosk_map(atlas, tmp_path, {**first, "cancer_history": True, "age": 49})
    for cmd in (["show", str(path)], ["match", str(path)]):
        status, out, _ = cli(*cmd)
        assert status == 0
        lines = out.splitlines()
        flag = max(i for i, line in enumerate(lines) if "RED FLAG" in line)
        assert "Not asked at the kiosk, ask at the visit: " in lines[flag + 1], cmd
        assert vocabulary.words("fever", "short") in lines[flag + 1]
        assert vocabulary.words("cancer_history", "short") not in lines[flag + 1]  # it was asked
    for cmd in (["show", "--json", str(path)], ["match", "--json", str(path)]):
        status, out, _ = cli(*cmd)
        got = json.loads(out)["not_asked_at_kiosk"]
        assert "fever" in got and "cancer_history" not in got and "abdominal_pain" not in got  # at 49: no aneurysm
    desk = _kiosk_map(atlas, tmp_path, {**first, "age": 49}, at_kiosk=False)  # a desk map: nothing of the kind
    status, out, _ = cli("match", "--json", str(desk))
    assert json.loads(out)["not_asked_at_kiosk"] == []
    status, out, _ = cli("show", str(desk))
    assert "Not asked at the kiosk" not in out


def test_the_folder_json_of_match_carries_the_list_too(atlas, tmp_path, cli):
    _kiosk_map(atlas, tmp_path, {**{k: False for k in plan.everyone_keys()}, "age": 80})
    status, out, _ = cli("match", "--json", str(tmp_path))
    [row] = [json.loads(line) for line in out.splitlines()]
    assert "fever" in row["not_asked_at_kiosk"] and "abdominal_pain" in row["not_asked_at_kiosk"]
    single = triage.assess(bodymap.load(tmp_path / "k.bodymap"), rank=False).not_asked_at_kiosk
    assert row["not_asked_at_kiosk"] == single
