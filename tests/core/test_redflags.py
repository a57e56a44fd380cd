"""Red flags with urgency (issue 12 item 5): every trigger fires and stays quiet, flags come most urgent first,
and the urgency reaches the kiosk, `bodymap match`, `bodymap show`, the PDF report and FHIR. A lone risk factor
is never a flag: it is a prompt for the clinician; two together, or one beside a sign, raise a same_day flag."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bodymap
from bodymap import cli, fileformat
from bodymap.kiosk.config import KioskConfig
from bodymap.kiosk.flow import Kiosk
from bodymap.painting import YES_NO_QUESTIONS
from bodymap import vocabulary
from bodymap.redflags import RedFlag, by_urgency, most_urgent, red_flags, risk_factors

ORDER = ("emergency", "same_day")  # the public contract: nothing else


def flags(answers, both_legs=False):
    return {f.id: f for f in red_flags(answers, both_legs)}


# -- each rule line fires and stays quiet: tests/core/test_triage_rules.py (generated from docs/red-flags.md) --

# -- lone risk factors: shown to the clinician, never a flag ---------------------------------

LONE = {  # each risk factor alone: its id and answer keys
    "iv_drug_use": ({"iv_drug_use": True}, {"iv_drug_use"}),
    "immunosuppressed": ({"immunosuppressed": True}, {"immunosuppressed"}),
    "recent_procedure_or_infection": ({"recent_procedure_or_infection": True}, {"recent_procedure_or_infection"}),
    "osteoporosis": ({"osteoporosis": True}, {"osteoporosis"}),
    "new_pain_over_50": ({"new_pain": True, "age": 51}, {"new_pain", "age"}),
    "new_pain_under_20": ({"new_pain": True, "age": 17}, {"new_pain", "age"}),
    "night_pain": ({"night_pain": True}, {"night_pain"}),
    "thoracic_pain": ({"thoracic_pain": True}, {"thoracic_pain"}),
}


@pytest.mark.parametrize("rid", sorted(LONE))
def test_a_lone_risk_factor_is_a_prompt_and_never_a_flag(rid):
    answers, because = LONE[rid]
    assert red_flags(answers, both_legs=rid not in ("new_pain_over_50", "new_pain_under_20")) == []
    [rf] = risk_factors(answers)
    assert rf.id == rid and set(rf.because) == because
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.5, "sharp")
    m.answers.update(answers)
    r = bodymap.match(m)
    assert r.red_flags == [] and [x.id for x in r.risk_factors] == [rid]
    [prompt] = [p for p in r.prompts if p.startswith("Risk factor")]
    assert rf.text in prompt and "not a red flag on its own" in prompt


def test_every_risk_factor_in_the_rules_is_covered_above():
    # a risk factor added to questions.yaml must be added to LONE, so its behaviour alone is tested
    ids = {t.risk_factor for rule in vocabulary.flag_rules() for t in rule.triggers if t.risk_factor}
    assert ids == set(LONE)


def test_risk_factors_in_a_raised_flag_are_not_listed_again():
    # night pain with immunosuppression raises infection: immunosuppression is in that flag, not a lone prompt;
    # night pain still counts for malignancy, where alone it is a prompt
    assert [x.id for x in risk_factors({"immunosuppressed": True, "night_pain": True})] == ["night_pain"]
    got = risk_factors({"night_pain": True, "osteoporosis": True})  # different pathologies: both still lone
    assert [x.id for x in got] == ["osteoporosis", "night_pain"]
    [ni] = risk_factors({"night_pain": True})
    assert ni.rules == ("malignancy",)


def test_only_emergency_and_same_day_anywhere():
    assert vocabulary.URGENCIES == ORDER
    every = {k: True for k in YES_NO_QUESTIONS} | {"age": 70}
    for both in (False, True):
        assert {f.urgency for f in red_flags(every, both)} <= set(ORDER)
    for rule in vocabulary.flag_rules():
        for t in rule.triggers:
            assert t.urgency in ORDER or (t.urgency is None and (t.risk_factor or t.sign))
        assert rule.combine is None or rule.combine.urgency in ORDER


def test_the_combination_rule_is_sourced_and_marked_as_bodymap_s_choice():
    src = vocabulary.load().sources
    for rule in vocabulary.flag_rules():
        if rule.combine:
            assert rule.combine.needs == 2
            labels = {src[s]["label"] for s in rule.combine.source}
            assert "M" in labels and "downie_2013" in rule.combine.source
    assert [r.id for r in vocabulary.flag_rules() if r.combine] == ["malignancy"]


@pytest.mark.parametrize("bad, says", [
    ({"risk_factor": "x", "urgency": "same_day"}, "no urgency of its own"),
    ({"risk_factor": "x", "joins": True}, "at most one of"),
    ({"urgency": "soon"}, "urgency must be one of emergency, same_day"),
])
def test_the_loader_refuses_a_soon_urgency_and_muddled_triggers(tmp_path, bad, says):
    import yaml

    from bodymap.errors import ConfigError

    doc = yaml.safe_load(vocabulary.questions_path().read_text(encoding="utf-8"))
    rule = next(r for r in doc["red_flags"] if r["id"] == "malignancy")
    t = rule["triggers"][3]
    t.pop("risk_factor", None)
    t.update(bad)
    p = tmp_path / "q.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=says):
        vocabulary.load(str(p))


def test_a_rule_with_signs_needs_its_combination(tmp_path):
    import yaml

    from bodymap.errors import ConfigError

    doc = yaml.safe_load(vocabulary.questions_path().read_text(encoding="utf-8"))
    rule = next(r for r in doc["red_flags"] if r["id"] == "malignancy")
    rule.pop("combine")
    rule["triggers"][0].pop("urgency")
    rule["triggers"][0]["sign"] = True
    p = tmp_path / "q.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="needs 'combine'"):
        vocabulary.load(str(p))


def test_all_no_answers_and_any_age_raise_nothing():
    no = {k: False for k in YES_NO_QUESTIONS}
    for age in (18, 51, 66, 99):
        assert red_flags({**no, "age": age}, both_legs=True) == []
        assert risk_factors({**no, "age": age}, both_legs=True) == []
    assert red_flags({}, both_legs=True) == []  # painting both legs alone is a prompt, not a flag


# -- order by urgency ------------------------------------------------------------------

def test_flags_come_most_urgent_first_and_keep_their_order_within_an_urgency():
    fs = [RedFlag("a", "a", urgency="soon"), RedFlag("b", "b", urgency="emergency"),
          RedFlag("c", "c", urgency="same_day"), RedFlag("d", "d", urgency="emergency"),
          RedFlag("e", "e", urgency="mystery")]
    # an unknown urgency (an old file's "soon" too) is never played down: it ranks as same_day
    assert [f.id for f in by_urgency(fs)] == ["b", "d", "a", "c", "e"]
    assert most_urgent(fs) == "emergency" and most_urgent([]) is None


def test_red_flags_are_ordered_when_every_answer_is_yes():
    every = {k: True for k in YES_NO_QUESTIONS} | {"age": 70}
    got = red_flags(every, both_legs=True)
    ranks = [ORDER.index(f.urgency) for f in got]
    assert ranks == sorted(ranks) and got[0].id == "cauda_equina"
    assert {f.urgency for f in got} == set(ORDER)
    assert {"infection", "fracture", "malignancy"} <= {f.id for f in got}


def test_recorded_flags_keep_their_urgency_and_take_their_place_in_the_order():
    rec = [{"id": "kiosk_note", "text": "x", "urgency": "emergency", "because": ["bladder_bowel"]},
           {"id": "old_flag", "text": "from an older bodymap"}]
    got = red_flags({"night_pain": True, "cancer_history": True}, False, rec)
    assert [f.id for f in got] == ["kiosk_note", "malignancy", "old_flag"]
    assert got[0].because == ("bladder_bowel",) and got[2].urgency == "same_day"


def test_a_recorded_soon_flag_of_a_known_rule_is_read_as_the_risk_factor_it_was():
    # files written while ADR 0009 had a "soon" tier: the lone risk factor comes back as a prompt, not a flag
    rec = [{"id": "cancer_risk", "text": "Soon - ...", "urgency": "soon", "because": ["night_pain"]},
           {"id": "malignancy", "text": "Soon - ...", "urgency": "soon", "because": ["night_pain"]},
           {"id": "clinic_rule", "text": "a flag of another tool", "urgency": "soon"}]
    got = red_flags({"night_pain": True}, False, rec)
    assert [(f.id, f.urgency) for f in got] == [("clinic_rule", "same_day")]  # an unknown flag is never lost
    assert [x.id for x in risk_factors({"night_pain": True})] == ["night_pain"]


def test_json_keeps_the_old_fields_and_adds_urgency_because_and_pathology():
    f = flags({"bladder_bowel": True})["cauda_equina"]
    d = f.to_json()
    assert set(d) >= {"id", "text", "reasons", "urgency", "because", "pathology", "source"}
    assert d["pathology"] == "cauda_equina" and "girft_ces_2023" in d["source"]
    assert d["urgency"] == "emergency" and d["because"] == ["bladder_bowel"] and d["reasons"]


# -- where a clinician sees it -----------------------------------------------------------

@pytest.fixture
def flagged(tmp_path):
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.5, "sharp")
    m.answers.update({"night_pain": True, "saddle_numbness": True, "recent_trauma": True, "osteoporosis": True,
                      "thoracic_pain": True, "age": 60})
    # cauda equina (emergency); fracture (a bad fall) same day; night pain and thoracic pain: two risk
    # factors of one pathology (malignancy), a same-day flag too
    return fileformat.save(m, tmp_path / "f.bodymap")


@pytest.fixture
def lone(tmp_path):
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.5, "sharp")
    m.answers.update({"night_pain": True, "osteoporosis": True, "cancer_history": False, "age": 60})
    return fileformat.save(m, tmp_path / "lone.bodymap")


def _run(argv, capsys):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_match_text_and_json_show_urgency_most_urgent_first(flagged, capsys):
    rc, out, _ = _run(["match", flagged, "--json"], capsys)
    assert rc == 0
    d = json.loads(out)
    assert [(f["id"], f["urgency"]) for f in d["red_flags"]] == [
        ("cauda_equina", "emergency"), ("fracture", "same_day"), ("malignancy", "same_day")]
    assert d["red_flags"][0]["because"] == ["saddle_numbness"]
    assert set(d["red_flags"][-1]["because"]) == {"night_pain", "thoracic_pain"}
    assert all(set(f) >= {"id", "text", "urgency", "because"} for f in d["red_flags"])
    assert d["risk_factors"] == []  # all of them are in flags
    rc, out, _ = _run(["match", flagged], capsys)
    lines = [ln for ln in out.splitlines() if ln.startswith("RED FLAG")]
    # in words, most urgent first, no raw ids (they are in --json): as `show` and the report print them
    assert [ln.split(" - ")[0] for ln in lines] == ["RED FLAG: Emergency", "RED FLAG: Same day", "RED FLAG: Same day"]
    assert "cauda equina" in lines[0] and "cauda_equina" not in out and "Risk factor" not in out


def test_match_text_and_json_list_lone_risk_factors_as_prompts_not_flags(lone, capsys):
    rc, out, _ = _run(["match", lone, "--json"], capsys)
    assert rc == 0
    d = json.loads(out)
    assert d["red_flags"] == []
    assert [(x["id"], x["because"]) for x in d["risk_factors"]] == [("osteoporosis", ["osteoporosis"]),
                                                                    ("night_pain", ["night_pain"])]
    assert sum(p.startswith("Risk factor for serious pathology") for p in d["prompts"]) == 2
    rc, out, _ = _run(["match", lone], capsys)
    assert "RED FLAG" not in out
    assert "prompt: Risk factor for serious pathology: night or non-mechanical pain - not a red flag" in out
    # a pattern is still ranked: the prompts sit above it, the match is not withheld
    assert out.index("prompt: Risk factor") < out.index("pattern")


def test_show_text_and_json_show_urgency(flagged, capsys):
    rc, out, _ = _run(["show", flagged], capsys)
    assert rc == 0
    first = out.splitlines()[0]
    assert first.startswith("RED FLAG") and "Emergency" in first
    rc, out, _ = _run(["show", flagged, "--json"], capsys)
    assert [f["urgency"] for f in json.loads(out)["red_flags"]] == ["emergency", "same_day", "same_day"]


def test_show_lists_lone_risk_factors_below_any_flag(lone, capsys):
    rc, out, _ = _run(["show", lone], capsys)
    assert rc == 0 and "RED FLAG" not in out
    rf = [ln for ln in out.splitlines() if ln.startswith("risk factor:")]
    assert len(rf) == 2 and "osteoporosis" in rf[0]
    rc, out, _ = _run(["show", lone, "--json"], capsys)
    d = json.loads(out)
    assert d["red_flags"] == [] and [x["id"] for x in d["risk_factors"]] == ["osteoporosis", "night_pain"]


def test_pdf_report_shows_each_flag_with_its_urgency_in_order(flagged, tmp_path, capsys):
    from pypdf import PdfReader

    out = tmp_path / "r.pdf"
    rc, _, err = _run(["report", flagged, "-o", out], capsys)
    assert rc == 0, err
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(out)).pages)
    at = [text.index(w) for w in ("Emergency - Possible cauda", "Same day - Possible spinal fracture",
                                  "Same day - Possible spinal malignancy")]
    assert at == sorted(at)
    assert "Soon" not in text


def test_pdf_report_shows_lone_risk_factors_as_prompts(lone, tmp_path, capsys):
    from pypdf import PdfReader

    out = tmp_path / "r.pdf"
    rc, _, err = _run(["report", lone, "-o", out], capsys)
    assert rc == 0, err
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(out)).pages)
    assert "Risk factor for serious pathology: osteoporosis" in text
    assert "Same day -" not in text and "Emergency -" not in text


def test_fhir_flag_carries_the_priority_extension(flagged, tmp_path, capsys):
    from fhir.resources.R4B.flag import Flag

    out = tmp_path / "b.json"
    rc, _, err = _run(["export", flagged, "--fhir", "-o", out], capsys)
    assert rc == 0, err
    doc = json.loads(out.read_text())
    fl = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "Flag"]
    for f in fl:
        Flag.model_validate(f)
    pri = []
    for f in fl:
        [ext] = [x for x in f["extension"] if x["url"] == "http://hl7.org/fhir/StructureDefinition/flag-priority"]
        codes = {c["system"]: c["code"] for c in ext["valueCodeableConcept"]["coding"]}
        pri.append((codes["http://hl7.org/fhir/flag-priority-code"], codes["urn:bodymap:red-flag-urgency"]))
    assert pri == [("PH", "emergency"), ("PM", "same_day"), ("PM", "same_day")]
    qr = next(e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    assert {i["linkId"] for i in qr["item"]} >= {"night_pain", "saddle_numbness", "osteoporosis", "age"}


# -- the kiosk asks the new questions; only an emergency ends them early ------------------------

class Clock:
    t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def kiosk(tmp_path):
    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "rec",
                      short_flow=False)  # one question per screen; the short flow: test_kiosk_flow.py
    return Kiosk(cfg, bodymap.load_atlas(), clock=Clock())


def _start(k, legs=("right_calf",)):
    s = k.start()
    for r in legs:
        s.pain_map.paint_region(r, 0.5, "sharp")
    k.to_questions()
    return s


def _answer_until(k, key, default=False):
    seen = []
    while k.screen == "question" and k.current_question[0] != key:
        seen.append(k.current_question[0])
        k.answer(default if k.current_question[1] == "yesno" else None)
    return seen


def test_kiosk_asks_every_question_that_raises_a_flag_alone_and_the_aneurysm_follow_up_only_after_a_yes(kiosk):
    _start(kiosk)
    seen = _answer_until(kiosk, "__end__")
    # ADR 0027: new weakness, fever and renal colic each raise a flag alone: asked whatever their stems say
    for key in ("sexual_dysfunction", "night_pain", "iv_drug_use", "immunosuppressed", "steroids", "osteoporosis",
                "thoracic_pain", "unwell", "new_pain", "weakness_new_or_worse", "fever", "loin_to_groin"):
        assert key in seen
    assert "vascular_risk" not in seen  # no tummy pain: the aneurysm rule cannot fire
    assert kiosk.screen == "review"
    kiosk.reset()
    _start(kiosk)
    _answer_until(kiosk, "abdominal_pain")
    kiosk.answer(True)
    assert kiosk.current_question[0] == "vascular_risk"


def test_chronic_weakness_with_both_legs_does_not_stop_the_questions(kiosk):
    _start(kiosk, ("right_calf", "left_calf"))
    _answer_until(kiosk, "weakness")
    kiosk.answer(True)
    assert kiosk.screen == "question" and kiosk.current_question[0] == "weakness_new_or_worse"  # asked first
    kiosk.answer(False)  # not new, not worse
    assert kiosk.screen == "question"
    _answer_until(kiosk, "__end__")
    assert kiosk.confirm() == "thanks"


def test_new_weakness_with_both_legs_stops_the_questions_at_once(kiosk):
    _start(kiosk, ("right_calf", "left_calf"))
    _answer_until(kiosk, "weakness")
    kiosk.answer(True)
    kiosk.answer(True)
    assert kiosk.screen == "redflag"
    m = bodymap.load(next(kiosk.config.spool_dir.glob("*.bodymap")))
    assert m.red_flags_recorded[0]["id"] == "cauda_equina" and m.red_flags_recorded[0]["urgency"] == "emergency"


def test_changing_tummy_pain_to_no_drops_the_follow_up_answer(kiosk):
    s = _start(kiosk)
    _answer_until(kiosk, "abdominal_pain")
    kiosk.answer(True)
    assert kiosk.current_question[0] == "vascular_risk"
    kiosk.answer(True)  # tummy pain with vascular risk, age not given yet: same_day, so the questions go on
    assert kiosk.screen == "question"
    kiosk.previous()
    kiosk.previous()
    assert kiosk.current_question[0] == "abdominal_pain"
    kiosk.answer(False)
    assert "vascular_risk" not in s.pain_map.answers
    assert kiosk.current_question[0] != "vascular_risk"


@pytest.mark.parametrize("key", ["sexual_dysfunction", "unwell", "cancer_history", "weight_loss", "steroids", "clumsy_hands_or_walking"])
def test_same_day_flags_never_interrupt_and_end_on_the_red_flag_screen(kiosk, key):
    _start(kiosk)
    _answer_until(kiosk, key)
    kiosk.answer(True)
    assert kiosk.screen == "question"  # not an emergency: the questions go on
    _answer_until(kiosk, "__end__")
    assert kiosk.confirm() == "redflag"  # the calm red-flag screen at the end, as before
    m = bodymap.load(next(kiosk.config.spool_dir.glob("*.bodymap")))
    assert key in {b for f in m.red_flags_recorded for b in f["because"]}
    assert {f["urgency"] for f in m.red_flags_recorded} <= set(ORDER)


@pytest.mark.parametrize("key", ["night_pain", "osteoporosis", "immunosuppressed", "thoracic_pain"])
def test_a_lone_risk_factor_at_the_kiosk_ends_with_the_usual_thanks_and_records_no_flag(kiosk, key):
    _start(kiosk)
    _answer_until(kiosk, key)
    kiosk.answer(True)
    assert kiosk.screen == "question"
    _answer_until(kiosk, "__end__")
    assert kiosk.confirm() == "thanks"
    m = bodymap.load(next(kiosk.config.spool_dir.glob("*.bodymap")))
    assert m.red_flags_recorded == [] and m.answers[key] is True
    assert [x.because for x in bodymap.match(m).risk_factors] == [(key,)]  # the clinician still sees it


def test_two_risk_factors_at_the_kiosk_end_on_the_red_flag_screen(kiosk):
    _start(kiosk)
    for key in ("night_pain", "thoracic_pain"):
        _answer_until(kiosk, key)
        kiosk.answer(True)
        assert kiosk.screen == "question"
    _answer_until(kiosk, "__end__")
    assert kiosk.confirm() == "redflag"
    m = bodymap.load(next(kiosk.config.spool_dir.glob("*.bodymap")))
    assert [(f["id"], f["urgency"]) for f in m.red_flags_recorded] == [("malignancy", "same_day")]


def test_match_prompt_names_open_red_flag_questions_but_not_a_follow_up_that_does_not_apply():
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.5, "sharp")
    m.answers.update({k: False for k in vocabulary.red_flag_keys() if vocabulary.question(k).kind == "yesno"
                      and k not in ("sexual_dysfunction", "night_pain", "vascular_risk")})
    [prompt] = [p for p in bodymap.match(m).prompts if p.startswith("Red-flag questions not answered")]
    assert "sexual dysfunction" in prompt and "night or non-mechanical pain" in prompt
    assert "vascular risk" not in prompt  # only asked after a yes to tummy pain
    m.answers["abdominal_pain"] = True
    prompts = bodymap.match(m).prompts
    assert "Ask: Vascular risk (smoking, hypertension, vascular disease)? (a follow-up not yet answered)" in prompts


def test_csv_gives_each_flag_its_urgency_in_the_same_order_as_the_ids(flagged, capsys):
    import csv
    import io

    rc, out, err = _run(["export", flagged, "--csv"], capsys)
    assert rc == 0, err
    header = next(csv.reader(io.StringIO(out)))
    # appended after the first-round columns, which keep their places (other tools read them by position too)
    assert header.index("red_flag_urgency") > header.index("top_probability")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["red_flags"] == "cauda_equina;fracture;malignancy"
    assert row["red_flag_urgency"] == "emergency;same_day;same_day"
    assert row["red_flag_pathology"] == "cauda_equina;fracture;malignancy"
    assert row["risk_factors"] == ""


def test_csv_appends_the_lone_risk_factors_after_the_published_columns(lone, capsys):
    import csv
    import io

    rc, out, err = _run(["export", lone, "--csv"], capsys)
    assert rc == 0, err
    header = next(csv.reader(io.StringIO(out)))
    # appended right after the columns published before it (later columns, e.g. the visit's, come after it)
    assert header.index("risk_factors") == header.index("choir_codes") + 1
    assert header.index("red_flag_urgency") < header.index("risk_factors")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["red_flags"] == "" and row["risk_factors"] == "osteoporosis;night_pain"


# -- the rules against an oracle written from issue 18's words, not from the YAML --------------

RF_KEYS = ("iv_drug_use", "immunosuppressed", "recent_procedure_or_infection", "steroids", "osteoporosis",
           "minor_trauma", "new_pain", "night_pain", "thoracic_pain", "fever", "weight_loss",
           "fever_or_weight_loss", "cancer_history", "recent_trauma", "unwell")


def _oracle(a):
    yes = {k for k in RF_KEYS if a.get(k) is True}
    age = a.get("age", 0)
    route = yes & {"iv_drug_use", "immunosuppressed", "recent_procedure_or_infection"}
    cancer_rf = (yes & {"night_pain", "thoracic_pain"}) | (
        {"new_pain"} if "new_pain" in yes and (age > 50 or age < 20) else set())
    return {
        "infection": bool(yes & {"fever", "fever_or_weight_loss", "unwell"})
        or bool(route and yes & {"new_pain", "night_pain"}),
        "fracture": bool(yes & {"recent_trauma", "steroids"}) or ("osteoporosis" in yes and age > 70)
        or ("minor_trauma" in yes and (bool(yes & {"osteoporosis", "steroids"}) or age > 70)),
        "malignancy": bool(yes & {"cancer_history", "weight_loss", "fever_or_weight_loss"}) or len(cancer_rf) >= 2,
    }


@settings(max_examples=150, deadline=None)
@given(yes=st.sets(st.sampled_from(RF_KEYS)), age=st.integers(18, 95), legs=st.booleans())
def test_risk_factors_raise_a_flag_only_together_and_never_below_a_match(yes, age, legs):
    from bodymap.cli.match import format_ranking

    answers = {k: (k in yes) for k in RF_KEYS} | {"age": age}
    got = {f.id: f for f in red_flags(answers, legs)}
    for rid, want in _oracle(answers).items():
        assert (rid in got) == bool(want), (rid, answers)
    assert all(f.urgency in ORDER for f in got.values())
    for rf in risk_factors(answers, legs):
        assert not set(rf.rules) & set(got)  # a lone risk factor's pathology has no flag (else it is in it)
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.6, "sharp")
    m.paint_region("left_calf" if legs else "right_buttock", 0.6, "aching")
    m.answers.update(answers)
    r = bodymap.match(m)
    assert [f.id for f in r.red_flags] == [f.id for f in red_flags(answers, m.both_legs_painted)]
    lines = format_ranking(r).splitlines()
    flag_lines = [i for i, ln in enumerate(lines) if ln.startswith("RED FLAG")]
    first_other = next(i for i, ln in enumerate(lines) if not ln.startswith("RED FLAG"))
    assert len(flag_lines) == len(r.red_flags) and all(i < first_other for i in flag_lines)
    assert not any("Risk factor" in ln for ln in lines if ln.startswith("RED FLAG"))
