"""File format 2: the visit fields (patient identifier, visit date, recorded by, note), "unsure" answers,
and where they show: `bodymap new` / `show`, the PDF, FHIR, CSV and Parquet, local times."""
from __future__ import annotations

import csv
import io
import json
import shutil
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

import bodymap
from bodymap import cli, fileformat, vocabulary
from bodymap.atlas import VIEWS, load_atlas
from bodymap.errors import FileFormatError, UsageError
from bodymap.painting import (SENSATIONS, UNSURE, VISIT_FIELDS, YES_NO_QUESTIONS, PainMap, Visit, parse_answer,
                              validate_answer)
from bodymap.redflags import red_flags
from bodymap.times import local_time

DATA = Path(__file__).resolve().parents[1] / "data"
V1_FILE = DATA / "format-v1.bodymap"  # written by bodymap at format 1 (main afba039), never rewritten


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BODYMAP_CACHE", str(tmp_path_factory.mktemp("visit-cache")))
        yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def _run(argv, capsys):
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def visit_map(atlas, **visit) -> PainMap:
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.6, "burning")
    m.paint_region("right_lower_back", 0.5, "aching")
    m.set_intensity(None, 6)
    m.answers.update({"numbness": True, "weakness": UNSURE, "age": 58})
    m.visit.update(visit or {"patient_id": "MRN 004217", "visit_date": "2026-03-14", "recorded_by": "Dr Okafor",
                             "note": "Pain since March.\nWorse on stairs; ankle reflex reduced."})
    return m


# ---------------------------------------------------------------------------
# Migration: a real version 1 file


def test_the_v1_file_is_a_real_version_1_file():
    doc = json.loads(V1_FILE.read_text())
    assert doc["format_version"] == 1
    assert not set(VISIT_FIELDS) & set(doc)


def test_a_version_1_file_loads_unchanged(atlas, tmp_path):
    doc = json.loads(V1_FILE.read_text())
    m = fileformat.load(V1_FILE, atlas=atlas)
    # what the file says, field by field
    assert dict(m.answers) == doc["answers"]
    assert m.intensity == doc["intensity"]
    assert m.meta["session_code"] == doc["session_code"] and m.meta["created"] == doc["created"]
    assert m.summary()["regions"] == doc["summary"]["regions"]
    assert m.summary()["region_coverage"] == doc["summary"]["region_coverage"]
    assert not m.visit and m.visit.as_dict() == {}
    # nothing of the file format to migrate; the only notes say that the atlas has moved on since (atlas 3)
    assert all("atlas" in n for n in m.meta["notes"])
    # saved again it becomes a version 2 file with empty visit fields and the same painting
    out = tmp_path / "migrated.bodymap"
    fileformat.save(m, out)
    new = json.loads(out.read_text())
    assert new["format_version"] == fileformat.FORMAT_VERSION == 2
    assert all(new[k] is None for k in VISIT_FIELDS)
    again = fileformat.load(out, atlas=atlas)
    assert again == m
    for v in VIEWS:
        assert np.array_equal(again.layers(v), m.layers(v))


def test_the_batch_reader_reads_a_version_1_file_too(atlas):
    from bodymap.exports.common import Decoder

    rec = Decoder(atlas).read(V1_FILE)
    assert all(rec.meta[k] is None for k in VISIT_FIELDS)
    assert rec.answers == json.loads(V1_FILE.read_text())["answers"]


# ---------------------------------------------------------------------------
# Version 2: the visit fields round trip, unknown keys survive, bad values are refused


def test_visit_fields_round_trip(atlas, tmp_path):
    m = visit_map(atlas, patient_id="Ünal-7 (Åse)", visit_date="2026-02-28", recorded_by="Dr Ngozi Okafor",
                  note="Line one\n\tindented line two\nthird: 'quoted' \"text\"")
    path = fileformat.save(m, tmp_path / "a.bodymap")
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert {k: doc[k] for k in VISIT_FIELDS} == m.visit.as_dict()
    back = fileformat.load(path, atlas=atlas)
    assert back.visit == m.visit and back == m
    assert back.answers["weakness"] == UNSURE


def test_a_version_2_file_with_unknown_keys_round_trips(atlas, tmp_path):
    doc = json.loads(fileformat.dumps(visit_map(atlas)))
    doc["clinic_extension"] = {"room": "3B", "list": [1, 2]}
    doc["answers"]["question_from_a_newer_bodymap"] = "sometimes"
    p = tmp_path / "x.bodymap"
    p.write_text(json.dumps(doc))
    m = fileformat.load(p, atlas=atlas)
    fileformat.save(m, p)
    again = json.loads(p.read_text())
    assert again["clinic_extension"] == {"room": "3B", "list": [1, 2]}
    assert again["answers"]["question_from_a_newer_bodymap"] == "sometimes"
    assert {k: again[k] for k in VISIT_FIELDS} == {k: doc[k] for k in VISIT_FIELDS}


def test_an_unknown_key_cannot_shadow_a_visit_field(atlas):
    m = visit_map(atlas)
    m.extra["patient_id"] = "someone else"  # e.g. read from a hand-edited file by hand
    assert json.loads(fileformat.dumps(m))["patient_id"] == "MRN 004217"


@pytest.mark.parametrize("key, value, words", [
    ("visit_date", "2026-02-30", "YYYY-MM-DD"),
    ("visit_date", "2026-3-4", "YYYY-MM-DD"),
    ("visit_date", "14/03/2026", "YYYY-MM-DD"),
    ("visit_date", "2026-03-14T09:00:00", "YYYY-MM-DD"),
    ("visit_date", 20260314, "must be text"),
    ("patient_id", 4217, "must be text"),
    ("patient_id", ["MRN", "4217"], "must be text"),
    ("patient_id", "x" * 65, "too long"),
    ("patient_id", "MRN\n4217", "plain text"),
    ("recorded_by", "Dr\x00Okafor", "plain text"),
    ("recorded_by", True, "must be text"),
    ("note", "n" * 4001, "too long"),
    ("note", "bell\x07", "plain text"),
])
def test_bad_visit_fields_are_refused_naming_the_field(atlas, tmp_path, key, value, words):
    doc = json.loads(fileformat.dumps(PainMap(atlas)))
    doc[key] = value
    p = tmp_path / "bad.bodymap"
    p.write_text(json.dumps(doc))
    with pytest.raises(FileFormatError) as ei:
        fileformat.load(p, atlas=atlas)
    msg = str(ei.value)
    assert str(p) in msg and f"'{key}'" in msg and words in msg and "\n" not in msg
    with pytest.raises(UsageError):  # the writer's side refuses the same value
        setattr(PainMap(atlas).visit, key, value)


def test_blank_text_is_not_given_and_text_is_trimmed(atlas):
    v = Visit(patient_id="  MRN 1  ", recorded_by="   ", note="\n")
    assert v.as_dict() == {"patient_id": "MRN 1"}
    v.visit_date = date(2026, 3, 14)
    assert v.visit_date == "2026-03-14"
    v.patient_id = ""
    assert v.patient_id is None


def test_a_failed_update_changes_nothing(atlas):
    v = Visit(patient_id="MRN 1")
    with pytest.raises(UsageError):
        v.update({"patient_id": "MRN 2", "visit_date": "yesterday"})
    assert v.as_dict() == {"patient_id": "MRN 1"}
    with pytest.raises(UsageError):
        v.favourite_colour = "blue"


# ---------------------------------------------------------------------------
# "unsure"


def test_unsure_is_a_yes_no_answer_and_nothing_else():
    for key in YES_NO_QUESTIONS:
        assert validate_answer(key, UNSURE) == UNSURE
        assert parse_answer(key, "Not sure") == UNSURE and parse_answer(key, "unsure") == UNSURE
    for bad in ("maybe", "Unsure", "", 1, None):
        with pytest.raises(UsageError):
            validate_answer("weakness", bad)
    with pytest.raises(UsageError):
        validate_answer("age", UNSURE)


def test_unsure_is_neither_yes_nor_no_for_the_matcher(atlas):
    base = PainMap(atlas)
    base.paint_region("right_lateral_leg", 0.8, "burning")
    base.paint_region("right_dorsum_foot", 0.6, "pins_and_needles")
    unsure = PainMap(atlas)
    unsure.replace_layers({v: base.layers(v) for v in VIEWS})
    for key in ("weakness", "numbness", "worse_sitting"):
        unsure.answers[key] = UNSURE
    a, b = bodymap.match(base), bodymap.match(unsure)
    assert [(h.id, h.side, round(h.probability, 9)) for h in a.hypotheses] == \
        [(h.id, h.side, round(h.probability, 9)) for h in b.hypotheses]
    said = [e.text for h in b.hypotheses for e in h.evidence if "answered" in e.text]
    assert said == [e.text for h in a.hypotheses for e in h.evidence if "answered" in e.text]


def test_an_unsure_red_flag_question_stays_open():
    # a follow-up answered "unsure" is as open as one not answered: the flag that waits for it fires
    rule_keys = {"weakness": True, "weakness_new_or_worse": UNSURE}
    fired_unsure = {f.id for f in red_flags(rule_keys, both_legs=True)}
    fired_open = {f.id for f in red_flags({"weakness": True}, both_legs=True)}
    assert fired_unsure == fired_open and fired_open
    # and an unsure answer to a red-flag question is still listed for the clinician to ask
    key = vocabulary.red_flag_keys()[0]
    assert key in vocabulary.unanswered_red_flag_keys({key: UNSURE})
    assert key not in vocabulary.unanswered_red_flag_keys({key: False})


def test_the_prompt_says_which_red_flag_questions_were_answered_not_sure(atlas):
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.6, "aching")
    m.answers["bladder_bowel"] = UNSURE
    [prompt] = [p for p in bodymap.match(m).prompts if p.startswith("Red-flag questions not answered")]
    short = vocabulary.words("bladder_bowel", "short")
    assert f"{short} (answered not sure)" in prompt
    m.answers["bladder_bowel"] = False
    assert short not in " ".join(bodymap.match(m).prompts)


# ---------------------------------------------------------------------------
# bodymap new / show, and local times


def test_new_with_the_visit_flags_and_show(tmp_path, capsys):
    out = tmp_path / "visit.bodymap"
    rc, _, err = _run(["new", out, "--paint", "right_calf:0.5", "--patient-id", "MRN 004217",
                       "--visit-date", "2026-03-14", "--recorded-by", "Dr Okafor",
                       "--note", "Pain since March.\nWorse on stairs.", "--answer", "weakness=unsure"], capsys)
    assert rc == 0, err
    m = bodymap.load(out)
    assert m.visit.as_dict() == {"patient_id": "MRN 004217", "visit_date": "2026-03-14",
                                 "recorded_by": "Dr Okafor", "note": "Pain since March.\nWorse on stairs."}
    rc, text, _ = _run(["show", out], capsys)
    assert rc == 0
    assert "MRN 004217" in text and "2026-03-14" in text and "Dr Okafor" in text
    assert "Pain since March." in text and "Worse on stairs." in text and "weakness=unsure" in text
    rc, js, _ = _run(["show", out, "--json"], capsys)
    d = json.loads(js)
    assert d["visit"] == {k: getattr(m.visit, k) for k in VISIT_FIELDS}
    assert d["answers"]["weakness"] == "unsure"
    assert d["local_times"]["created"] == local_time(m.meta["created"])


@pytest.mark.parametrize("bad", ["2026-13-01", "14.03.2026", "tomorrow", "2026-02-29"])
def test_new_with_a_bad_visit_date_exits_2_with_one_line(tmp_path, capsys, bad):
    out = tmp_path / "x.bodymap"
    rc, _, err = _run(["new", out, "--visit-date", bad], capsys)
    assert rc == 2
    assert err.count("\n") == 1 and "YYYY-MM-DD" in err and bad in err and "Traceback" not in err
    assert not out.exists()


def test_visit_flags_are_optional(tmp_path, capsys):
    out = tmp_path / "plain.bodymap"
    rc, _, err = _run(["new", out, "--paint", "right_calf:0.5"], capsys)
    assert rc == 0, err
    doc = json.loads(out.read_text())
    assert all(doc[k] is None for k in VISIT_FIELDS)
    rc, text, _ = _run(["show", out], capsys)
    assert "patient:     -" in text


def _set_tz(monkeypatch, name):
    monkeypatch.setenv("TZ", name)
    time.tzset()


@pytest.fixture
def berlin(monkeypatch):
    _set_tz(monkeypatch, "Europe/Berlin")
    yield
    monkeypatch.undo()
    time.tzset()


def test_local_time_shows_the_local_zone(berlin):
    assert local_time("2026-01-15T08:05:00Z") == "2026-01-15 09:05 CET (UTC+01:00)"
    assert local_time("2026-07-15T08:05:00Z") == "2026-07-15 10:05 CEST (UTC+02:00)"  # summer time
    assert local_time("2026-07-15T08:05:00+00:00") == local_time("2026-07-15T08:05:00Z")
    ist = timezone(timedelta(hours=5, minutes=30))
    assert local_time("2026-07-15T08:05:00Z", ist) == "2026-07-15 13:35 UTC+05:30"
    assert local_time("2026-07-15T08:05:00Z", timezone.utc) == "2026-07-15 08:05 UTC"
    assert local_time("2026-07-15T08:05:00") == local_time("2026-07-15T08:05:00Z")  # the format's times are UTC
    assert local_time("not a time") == "not a time" and local_time(None) == "-"


def test_show_and_the_report_print_the_same_local_time(berlin, atlas, tmp_path, capsys):
    from pypdf import PdfReader

    m = visit_map(atlas)
    path = fileformat.save(m, tmp_path / "t.bodymap")
    created = json.loads(path.read_text())["created"]
    want = local_time(created)
    assert "(UTC+0" in want  # Berlin: CET or CEST, never bare UTC
    rc, text, _ = _run(["show", path], capsys)
    assert rc == 0 and f"created {want}" in text
    pdf = tmp_path / "t.pdf"
    rc, _, err = _run(["report", path, "-o", pdf], capsys)
    assert rc == 0, err
    page = " ".join(PdfReader(str(pdf)).pages[0].extract_text().split())
    assert f"Painted {want}" in page


# ---------------------------------------------------------------------------
# The PDF report


def test_the_report_shows_the_visit_and_unsure_answers(atlas, tmp_path, capsys):
    from pypdf import PdfReader

    m = visit_map(atlas)
    m.answers["bladder_bowel"] = UNSURE
    path = fileformat.save(m, tmp_path / "r.bodymap")
    pdf = tmp_path / "r.pdf"
    rc, _, err = _run(["report", path, "-o", pdf], capsys)
    assert rc == 0, err
    reader = PdfReader(str(pdf))
    assert len(reader.pages) == 1
    page = " ".join(reader.pages[0].extract_text().split())
    assert "Patient MRN 004217" in page and "Visit 2026-03-14" in page and "Recorded by Dr Okafor" in page
    assert "Pain since March." in page and "ankle reflex reduced" in page
    words = vocabulary.words
    assert f"not sure: {words('weakness', 'short')}" in page  # in the answers list
    # a "not sure" on a red-flag question raises its flag at same day, first on the page (issue 18)
    assert f"not sure about {words('bladder_bowel', 'short')}" in page
    assert page.index("RED FLAG") < page.index("ankle reflex reduced")  # above the clinical note


def test_a_report_without_visit_fields_keeps_the_session_heading(atlas, tmp_path, capsys):
    from pypdf import PdfReader

    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5, "aching")
    m.meta["session_code"] = "K7Q-42M"
    path = fileformat.save(m, tmp_path / "k.bodymap")
    pdf = tmp_path / "k.pdf"
    assert _run(["report", path, "-o", pdf], capsys)[0] == 0
    page = " ".join(PdfReader(str(pdf)).pages[0].extract_text().split())
    assert "Session K7Q-42M" in page and "Patient" not in page.split("Pain map summary")[1][:200]


# ---------------------------------------------------------------------------
# FHIR


def _fhir(path, capsys, *extra):
    rc, out, err = _run(["export", path, "--fhir", *extra], capsys)
    assert rc == 0, err
    return json.loads(out)


def _validate(bundle):
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.encounter import Encounter
    from fhir.resources.R4B.flag import Flag
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    classes = {"Observation": Observation, "QuestionnaireResponse": QuestionnaireResponse, "Flag": Flag,
               "Patient": Patient, "Encounter": Encounter}
    Bundle.model_validate(bundle)
    by_kind: dict[str, list] = {}
    for e in bundle["entry"]:
        r = e["resource"]
        classes[r["resourceType"]].model_validate(r)
        by_kind.setdefault(r["resourceType"], []).append(r)
    return by_kind


def test_fhir_carries_patient_encounter_author_and_note(atlas, tmp_path, capsys):
    m = visit_map(atlas)
    m.answers["bladder_bowel"] = True  # a red flag: its Flag points at the patient too
    path = fileformat.save(m, tmp_path / "f.bodymap")
    b = _fhir(path, capsys)
    res = _validate(b)
    (patient,), (enc,), (qr,) = res["Patient"], res["Encounter"], res["QuestionnaireResponse"]
    assert patient["identifier"] == [{"system": "urn:bodymap:patient-id", "value": "MRN 004217"}]
    assert set(patient) == {"resourceType", "id", "identifier"}  # nothing but the identifier
    assert enc["period"] == {"start": "2026-03-14", "end": "2026-03-14"} and enc["status"] == "finished"
    assert qr["author"] == {"display": "Dr Okafor"}
    items = {i["linkId"]: i["answer"][0] for i in qr["item"]}
    assert items["weakness"] == {"valueString": "not sure"} and items["numbness"] == {"valueBoolean": True}
    pref, eref = f"urn:uuid:{patient['id']}", f"urn:uuid:{enc['id']}"
    for r in res["QuestionnaireResponse"] + res["Observation"] + res["Flag"]:
        assert r["subject"] == {"reference": pref}, r["resourceType"]
        assert r["encounter"] == {"reference": eref}, r["resourceType"]
    notes = [o for o in res["Observation"] if "valueString" in o]
    assert [o["valueString"] for o in notes] == [m.visit.note]
    refs = {e["fullUrl"] for e in b["entry"]}
    assert pref in refs and eref in refs  # every reference resolves inside the Bundle


def test_fhir_patient_identifier_system_is_configurable(atlas, tmp_path, capsys, monkeypatch):
    path = fileformat.save(visit_map(atlas), tmp_path / "f.bodymap")
    monkeypatch.setenv("BODYMAP_PATIENT_ID_SYSTEM", "https://clinic.example.org/mrn")
    (patient,) = _validate(_fhir(path, capsys))["Patient"]
    assert patient["identifier"][0]["system"] == "https://clinic.example.org/mrn"
    monkeypatch.setenv("BODYMAP_PATIENT_ID_SYSTEM", "not a uri")
    rc, out, err = _run(["export", path, "--fhir"], capsys)
    assert rc == 2 and "BODYMAP_PATIENT_ID_SYSTEM" in err and err.count("\n") == 1 and not out


def test_fhir_of_a_map_without_visit_fields_has_no_patient_or_encounter(atlas, tmp_path, capsys):
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5, "aching")
    m.meta["session_code"] = "K7Q-42M"
    res = _validate(_fhir(fileformat.save(m, tmp_path / "k.bodymap"), capsys))
    assert "Patient" not in res and "Encounter" not in res
    assert all("subject" not in r and "encounter" not in r for r in res["Observation"])
    assert "author" not in res["QuestionnaireResponse"][0]


def test_fhir_refuses_include_identifiers(atlas, tmp_path, capsys):
    path = fileformat.save(visit_map(atlas), tmp_path / "f.bodymap")
    rc, out, err = _run(["export", path, "--fhir", "--include-identifiers"], capsys)
    assert rc == 2 and "--include-identifiers" in err and not out


# ---------------------------------------------------------------------------
# CSV and Parquet


@pytest.fixture
def folder(atlas, tmp_path):
    d = tmp_path / "maps"
    d.mkdir()
    fileformat.save(visit_map(atlas, patient_id="=HYPERLINK(1)", visit_date="2026-03-14", recorded_by="Dr Okafor",
                              note="first line\nsecond, with a comma"), d / "a.bodymap")
    b = PainMap(atlas)
    b.paint_region("left_calf", 0.3, "sharp")
    b.answers.update({"bladder_bowel": UNSURE, "saddle_numbness": False})
    b.visit.recorded_by = "patient at kiosk"
    fileformat.save(b, d / "b.bodymap")
    shutil.copy(V1_FILE, d / "c_v1.bodymap")
    return d


def _named(rows):
    """Rows by file name: without --include-identifiers the `file` column holds the map's keyed hash."""
    from bodymap.exports.keys import Pseudonyms

    keys = Pseudonyms()
    names = {keys.map_key(n): n for n in ("a.bodymap", "b.bodymap", "c_v1.bodymap")}
    return {names.get(r["file"], r["file"]): r for r in rows}


def _csv(capsys, *argv):
    rc, out, err = _run(["export", *argv, "--csv"], capsys)
    assert rc == 0, err
    return next(csv.reader(io.StringIO(out))), _named(csv.DictReader(io.StringIO(out)))


def test_csv_visit_columns_and_no_identifiers_by_default(folder, capsys):
    header, rows = _csv(capsys, folder)
    i = header.index("risk_factors")  # columns appended later (issues 18, 25) follow these three
    assert header[i + 1:i + 4] == ["visit_date", "recorded_by", "answers_unsure"]
    assert "patient_id" not in header and "note" not in header
    a, b, c = rows["a.bodymap"], rows["b.bodymap"], rows["c_v1.bodymap"]
    assert (a["visit_date"], a["recorded_by"], a["answers_unsure"]) == ("2026-03-14", "Dr Okafor", "weakness")
    assert (b["visit_date"], b["recorded_by"], b["answers_unsure"]) == ("", "patient at kiosk", "bladder_bowel")
    assert (c["visit_date"], c["recorded_by"], c["answers_unsure"]) == ("", "", "")
    # an unsure answer leaves its answer_ column empty: yes, no or nothing
    assert (a["answer_weakness"], a["answer_numbness"]) == ("", "yes")
    assert (b["answer_bladder_bowel"], b["answer_saddle_numbness"]) == ("", "no")


def test_csv_identifiers_only_when_asked_and_last(folder, capsys):
    plain, _ = _csv(capsys, folder)
    header, rows = _csv(capsys, folder, "--include-identifiers")
    assert header == plain + ["patient_id", "note"]  # every other column keeps its position
    a = rows["a.bodymap"]
    assert a["patient_id"] == "'=HYPERLINK(1)"  # a formula is neutralised, as in every text cell
    assert a["note"] == "first line\nsecond, with a comma"
    assert rows["c_v1.bodymap"]["patient_id"] == "" and rows["b.bodymap"]["note"] == ""


def test_parquet_visit_columns_and_identifiers(folder, tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    plain_csv, _ = _csv(capsys, folder)
    out = tmp_path / "m.parquet"
    rc, _, err = _run(["export", folder, "--parquet", "-o", out], capsys)
    assert rc == 0, err
    t = pq.read_table(out)
    assert t.column_names == plain_csv and "patient_id" not in t.column_names
    rows = _named(t.to_pylist())
    assert rows["a.bodymap"]["visit_date"] == "2026-03-14" and rows["c_v1.bodymap"]["visit_date"] is None
    assert rows["a.bodymap"]["answer_weakness"] is None and rows["a.bodymap"]["answers_unsure"] == "weakness"
    assert rows["b.bodymap"]["answer_bladder_bowel"] is None
    out2 = tmp_path / "id.parquet"
    rc, _, err = _run(["export", folder, "--parquet", "-o", out2, "--include-identifiers"], capsys)
    assert rc == 0, err
    t2 = pq.read_table(out2)
    assert t2.column_names == plain_csv + ["patient_id", "note"]
    assert t2.schema.field("patient_id").type == pa.string()
    rows2 = _named(t2.to_pylist())
    assert rows2["a.bodymap"]["patient_id"] == "=HYPERLINK(1)"  # typed data: written as it is
    assert rows2["b.bodymap"]["patient_id"] is None


def test_set_visit_is_a_change_like_any_other(atlas):
    m = PainMap(atlas)
    v0 = m.version
    m.set_visit(patient_id="MRN 1", visit_date="2026-03-14")
    assert m.version > v0 and m.visit.as_dict() == {"patient_id": "MRN 1", "visit_date": "2026-03-14"}
    v1 = m.version
    m.set_visit(patient_id="MRN 1")  # the same value: nothing changed
    assert m.version == v1
    with pytest.raises(UsageError):
        m.set_visit(note="ok", visit_date="14.03.2026")
    assert m.version == v1 and m.visit.note is None  # all or none
    m.set_visit(patient_id="")
    assert m.visit.patient_id is None and m.version > v1
