"""Red flags with urgency (issue 12 item 5): every trigger fires and stays quiet, flags come most urgent first,
and the urgency reaches the kiosk, `bodymap match`, `bodymap show`, the PDF report and FHIR."""
from __future__ import annotations

import json

import pytest

import bodymap
from bodymap import cli, fileformat
from bodymap.kiosk.config import KioskConfig
from bodymap.kiosk.flow import Kiosk
from bodymap.painting import YES_NO_QUESTIONS
from bodymap.redflags import RedFlag, by_urgency, most_urgent, red_flags

ORDER = ("emergency", "same_day", "soon")


def flags(answers, both_legs=False):
    return {f.id: f for f in red_flags(answers, both_legs)}


# -- each trigger fires, with its urgency and the answer keys that raised it ------------------

@pytest.mark.parametrize("answers, both_legs, fid, urgency, because", [
    ({"bladder_bowel": True}, False, "cauda_equina", "emergency", {"bladder_bowel"}),
    ({"saddle_numbness": True}, False, "cauda_equina", "emergency", {"saddle_numbness"}),
    ({"weakness": True, "weakness_new_or_worse": True}, True, "cauda_equina", "emergency", {"weakness_new_or_worse"}),
    ({"weakness": True}, True, "cauda_equina", "emergency", {"weakness"}),  # never asked if new: as before
    ({"sexual_dysfunction": True}, True, "cauda_equina", "emergency", {"sexual_dysfunction"}),
    ({"sexual_dysfunction": True, "bladder_bowel": True}, False, "cauda_equina", "emergency",
     {"bladder_bowel", "sexual_dysfunction"}),
    ({"weakness": True, "weakness_new_or_worse": True}, False, "progressive_weakness", "same_day",
     {"weakness_new_or_worse"}),
    ({"sexual_dysfunction": True}, False, "sexual_dysfunction", "same_day", {"sexual_dysfunction"}),
    ({"fever_or_weight_loss": True}, False, "serious_pathology", "same_day", {"fever_or_weight_loss"}),
    ({"cancer_history": True}, False, "serious_pathology", "same_day", {"cancer_history"}),
    ({"recent_trauma": True}, False, "serious_pathology", "same_day", {"recent_trauma"}),
    ({"unwell": True}, False, "infection_risk", "same_day", {"unwell"}),
    ({"iv_drug_use": True}, False, "infection_risk", "soon", {"iv_drug_use"}),
    ({"iv_drug_use": True, "fever_or_weight_loss": True}, False, "infection_risk", "same_day",
     {"iv_drug_use", "fever_or_weight_loss"}),
    ({"immunosuppressed": True}, False, "infection_risk", "soon", {"immunosuppressed"}),
    ({"immunosuppressed": True, "fever_or_weight_loss": True}, False, "infection_risk", "same_day",
     {"immunosuppressed", "fever_or_weight_loss"}),
    ({"steroids": True}, False, "infection_risk", "soon", {"steroids"}),
    ({"osteoporosis": True}, False, "fracture_risk", "soon", {"osteoporosis"}),
    ({"osteoporosis": True, "recent_trauma": True}, False, "fracture_risk", "same_day",
     {"osteoporosis", "recent_trauma"}),
    ({"steroids": True, "recent_trauma": True}, False, "fracture_risk", "same_day", {"steroids", "recent_trauma"}),
    ({"recent_trauma": True, "age": 66}, False, "fracture_risk", "same_day", {"recent_trauma", "age"}),
    ({"new_pain": True, "age": 51}, False, "cancer_risk", "soon", {"new_pain", "age"}),
    ({"night_pain": True}, False, "cancer_risk", "soon", {"night_pain"}),
    ({"thoracic_pain": True}, False, "cancer_risk", "soon", {"thoracic_pain"}),
])
def test_each_trigger_fires_with_its_urgency_and_answer_keys(answers, both_legs, fid, urgency, because):
    got = flags(answers, both_legs)
    assert fid in got, got
    f = got[fid]
    assert f.urgency == urgency
    assert set(f.because) == because
    assert f.text.startswith({"emergency": "Emergency", "same_day": "Same day", "soon": "Soon"}[urgency])
    assert f.reasons and all(r in f.text for r in f.reasons)


@pytest.mark.parametrize("answers, both_legs, fid", [
    # chronic weakness (not new, not worse) with pain in both legs is not a cauda equina flag (issue 12)
    ({"weakness": True, "weakness_new_or_worse": False}, True, "cauda_equina"),
    ({"weakness": True, "weakness_new_or_worse": False}, True, "progressive_weakness"),
    ({"weakness": True}, False, "cauda_equina"),
    ({"weakness_new_or_worse": True}, True, "progressive_weakness"),  # it is cauda equina instead
    ({"sexual_dysfunction": True}, False, "cauda_equina"),  # alone, seldom cauda equina
    ({"sexual_dysfunction": True}, True, "sexual_dysfunction"),  # already in the cauda equina flag
    ({"new_pain": True, "age": 50}, False, "cancer_risk"),  # over 50, not 50
    ({"new_pain": False, "age": 80}, False, "cancer_risk"),
    ({"new_pain": True}, False, "cancer_risk"),  # age not given
    ({"recent_trauma": True, "age": 65}, False, "fracture_risk"),  # over 65, not 65
    ({"recent_trauma": True}, False, "fracture_risk"),
    ({"age": 90}, False, "fracture_risk"),
    ({"fever_or_weight_loss": True}, False, "infection_risk"),  # serious_pathology covers it
])
def test_trigger_stays_quiet_when_its_condition_does_not_hold(answers, both_legs, fid):
    assert fid not in flags(answers, both_legs)


def test_all_no_answers_and_any_age_raise_nothing():
    no = {k: False for k in YES_NO_QUESTIONS}
    for age in (18, 51, 66, 99):
        assert red_flags({**no, "age": age}, both_legs=True) == []
    assert red_flags({}, both_legs=True) == []  # painting both legs alone is a prompt, not a flag


# -- order by urgency ------------------------------------------------------------------

def test_flags_come_most_urgent_first_and_keep_their_order_within_an_urgency():
    fs = [RedFlag("a", "a", urgency="soon"), RedFlag("b", "b", urgency="emergency"),
          RedFlag("c", "c", urgency="same_day"), RedFlag("d", "d", urgency="emergency"),
          RedFlag("e", "e", urgency="mystery")]
    assert [f.id for f in by_urgency(fs)] == ["b", "d", "c", "e", "a"]  # an unknown urgency is never played down
    assert most_urgent(fs) == "emergency" and most_urgent([]) is None


def test_red_flags_are_ordered_even_when_soon_rules_come_first_in_the_answers():
    every = {k: True for k in YES_NO_QUESTIONS} | {"age": 70}
    got = red_flags(every, both_legs=True)
    ranks = [ORDER.index(f.urgency) for f in got]
    assert ranks == sorted(ranks) and got[0].id == "cauda_equina"
    assert {f.urgency for f in got} == set(ORDER)


def test_recorded_flags_keep_their_urgency_and_take_their_place_in_the_order():
    rec = [{"id": "kiosk_note", "text": "x", "urgency": "emergency", "because": ["bladder_bowel"]},
           {"id": "old_flag", "text": "from an older bodymap"}]
    got = red_flags({"night_pain": True, "cancer_history": True}, False, rec)
    assert [f.id for f in got] == ["kiosk_note", "serious_pathology", "old_flag", "cancer_risk"]
    assert got[0].because == ("bladder_bowel",) and got[2].urgency == "same_day"


def test_json_keeps_the_old_fields_and_adds_urgency_and_because():
    f = flags({"bladder_bowel": True})["cauda_equina"]
    d = f.to_json()
    assert set(d) == {"id", "text", "reasons", "urgency", "because"}
    assert d["urgency"] == "emergency" and d["because"] == ["bladder_bowel"] and d["reasons"]


# -- where a clinician sees it -----------------------------------------------------------

@pytest.fixture
def flagged(tmp_path):
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.5, "sharp")
    m.answers.update({"night_pain": True, "saddle_numbness": True, "cancer_history": True, "age": 60})
    return fileformat.save(m, tmp_path / "f.bodymap")


def _run(argv, capsys):
    rc = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_match_text_and_json_show_urgency_most_urgent_first(flagged, capsys):
    rc, out, _ = _run(["match", flagged, "--json"], capsys)
    assert rc == 0
    d = json.loads(out)
    assert [(f["id"], f["urgency"]) for f in d["red_flags"]] == [
        ("cauda_equina", "emergency"), ("serious_pathology", "same_day"), ("cancer_risk", "soon")]
    assert d["red_flags"][0]["because"] == ["saddle_numbness"]
    rc, out, _ = _run(["match", flagged], capsys)
    lines = [ln for ln in out.splitlines() if ln.startswith("RED FLAG")]
    assert lines[0].startswith("RED FLAG cauda_equina [emergency]: Emergency")
    assert "[soon]" in lines[-1]


def test_show_text_and_json_show_urgency(flagged, capsys):
    rc, out, _ = _run(["show", flagged], capsys)
    assert rc == 0
    first = out.splitlines()[0]
    assert first.startswith("RED FLAG") and "Emergency" in first
    rc, out, _ = _run(["show", flagged, "--json"], capsys)
    assert [f["urgency"] for f in json.loads(out)["red_flags"]] == ["emergency", "same_day", "soon"]


def test_pdf_report_shows_each_flag_with_its_urgency_in_order(flagged, tmp_path, capsys):
    from pypdf import PdfReader

    out = tmp_path / "r.pdf"
    rc, _, err = _run(["report", flagged, "-o", out], capsys)
    assert rc == 0, err
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(str(out)).pages)
    at = [text.index(w) for w in ("Emergency - Possible cauda", "Same day - Possible serious", "Soon - Possible")]
    assert at == sorted(at)


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
    assert pri == [("PH", "emergency"), ("PM", "same_day"), ("PL", "soon")]
    qr = next(e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    assert {i["linkId"] for i in qr["item"]} >= {"night_pain", "saddle_numbness", "cancer_history", "age"}


# -- the kiosk asks the new questions; only an emergency ends them early ------------------------

class Clock:
    t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def kiosk(tmp_path):
    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "rec")
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


def test_kiosk_asks_every_new_question_and_the_weakness_follow_up_only_after_a_yes(kiosk):
    _start(kiosk)
    seen = _answer_until(kiosk, "__end__")
    assert "weakness_new_or_worse" not in seen  # no weakness: not asked
    for key in ("sexual_dysfunction", "night_pain", "iv_drug_use", "immunosuppressed", "steroids", "osteoporosis",
                "thoracic_pain", "unwell", "new_pain"):
        assert key in seen
    assert kiosk.screen == "review"
    kiosk.reset()
    _start(kiosk)
    _answer_until(kiosk, "weakness")
    kiosk.answer(True)
    assert kiosk.current_question[0] == "weakness_new_or_worse"


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


def test_changing_weakness_to_no_drops_the_follow_up_answer(kiosk):
    s = _start(kiosk)
    _answer_until(kiosk, "weakness")
    kiosk.answer(True)
    kiosk.answer(True)  # new weakness, one leg: same_day, so the questions go on
    assert kiosk.screen == "question"
    kiosk.previous()
    kiosk.previous()
    assert kiosk.current_question[0] == "weakness"
    kiosk.answer(False)
    assert "weakness_new_or_worse" not in s.pain_map.answers
    assert kiosk.current_question[0] != "weakness_new_or_worse"


@pytest.mark.parametrize("key, screen", [("sexual_dysfunction", "redflag"), ("unwell", "redflag"),
                                         ("night_pain", "thanks"), ("osteoporosis", "thanks")])
def test_same_day_and_soon_flags_never_interrupt_and_are_saved(kiosk, key, screen):
    _start(kiosk)
    _answer_until(kiosk, key)
    kiosk.answer(True)
    assert kiosk.screen == "question"  # not an emergency: the questions go on
    _answer_until(kiosk, "__end__")
    assert kiosk.confirm() == screen  # soon: the calm thanks; the clinician still sees the flag
    m = bodymap.load(next(kiosk.config.spool_dir.glob("*.bodymap")))
    assert key in {b for f in m.red_flags_recorded for b in f["because"]}


def test_match_prompt_names_open_red_flag_questions_but_not_a_follow_up_that_does_not_apply():
    m = bodymap.PainMap()
    m.paint_region("right_calf", 0.5, "sharp")
    m.answers["weakness"] = False
    [prompt] = [p for p in bodymap.match(m).prompts if p.startswith("Red-flag questions not answered")]
    assert "sexual dysfunction" in prompt and "night or non-mechanical pain" in prompt
    assert "new or worsening weakness" not in prompt  # only asked after a yes to weakness
    m.answers["weakness"] = True
    [prompt] = [p for p in bodymap.match(m).prompts if p.startswith("Red-flag questions not answered")]
    assert "new or worsening weakness" in prompt


def test_csv_gives_each_flag_its_urgency_in_the_same_order_as_the_ids(flagged, capsys):
    import csv
    import io

    rc, out, err = _run(["export", flagged, "--csv"], capsys)
    assert rc == 0, err
    header = next(csv.reader(io.StringIO(out)))
    # appended after the first-round columns, which keep their places (other tools read them by position too)
    assert header.index("red_flag_urgency") > header.index("top_probability")
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["red_flags"] == "cauda_equina;serious_pathology;cancer_risk"
    assert row["red_flag_urgency"] == "emergency;same_day;soon"
