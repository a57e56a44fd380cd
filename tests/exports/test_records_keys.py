"""No identifier in research output (issue 21, item 2): an MRN put in every field of a map and in its
file name is found nowhere in the CSV, the Parquet file or `stats --json` made without
`--include-identifiers`, and in a FHIR Bundle only inside the Patient resource."""
from __future__ import annotations

import csv
import io
import json

import pytest

from bodymap import cli, fileformat
from bodymap.atlas import load_atlas
from bodymap.exports.keys import Pseudonyms, identifying_column
from bodymap.painting import PainMap

MRN = "MRN-004217"


def _run(argv, capsys):
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def folder(tmp_path):
    atlas = load_atlas()
    d = tmp_path / "maps"
    d.mkdir()
    for i, when in enumerate(("2026-12-07", "2026-12-21")):
        m = PainMap(atlas)
        m.paint_region("right_calf", 0.6)
        m.set_visit(patient_id=MRN, visit_date=when, recorded_by=f"entered for {MRN.lower()}",
                    note=f"{MRN}: follow-up")
        m.meta["session_code"] = MRN
        m.extra["imported"] = {"mrn": MRN, "patient_name": "Ann Example", "study_arm": f"arm for {MRN}",
                               "sex": "female"}
        fileformat.save(m, d / f"{MRN}_{when}.bodymap")
    (d / f"{MRN}_broken.bodymap").write_text("not a map")
    return d


def test_the_mrn_is_nowhere_in_the_csv(folder, capsys):
    rc, out, err = _run(["export", folder, "--csv"], capsys)
    assert rc == 2  # the broken file: named on stderr, the rest exported
    assert MRN.lower() not in out.lower() and "Ann Example" not in out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 2
    keys = Pseudonyms()
    assert {r["file"] for r in rows} == {keys.map_key(f"{MRN}_{d}.bodymap") for d in ("2026-12-07", "2026-12-21")}
    assert {r["patient_key"] for r in rows} == {keys.patient_key(MRN)}  # both visits linked, by key
    assert sorted(r["visit_date"] for r in rows) == ["2026-12-07", "2026-12-21"]
    assert rows[0]["recorded_by"] == f"entered for {keys.patient_key(MRN)}"
    assert json.loads(rows[0]["imported_columns"]) == {"sex": "female",
                                                        "study_arm": f"arm for {keys.patient_key(MRN)}"}
    rc, out, err = _run(["export", folder, "--csv", "--include-identifiers"], capsys)
    assert MRN in out and "Ann Example" in out  # asked for: there


def test_the_mrn_is_nowhere_in_the_parquet_file(folder, tmp_path, capsys):
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    out = tmp_path / "x.parquet"
    rc, _, err = _run(["export", folder, "--parquet", "-o", out], capsys)
    assert out.exists()
    assert MRN.lower().encode() not in out.read_bytes().lower()
    text = json.dumps(pq.read_table(out).to_pylist(), default=str)
    assert MRN.lower() not in text.lower() and "Ann Example" not in text


def test_the_mrn_is_nowhere_in_stats(folder, capsys):
    rc, out, err = _run(["stats", folder, "--json"], capsys)
    assert MRN.lower() not in out.lower()
    assert json.loads(out)["bad_files"] == [Pseudonyms().map_key(f"{MRN}_broken.bodymap")]
    assert f"{MRN}_broken.bodymap" in err  # the operator still learns which file to fix
    rc, out, err = _run(["stats", folder], capsys)
    assert MRN.lower() not in out.lower()


def test_fhir_carries_the_identifier_only_in_the_patient(folder, capsys):
    path = next(folder.glob("*12-07.bodymap"))
    m = fileformat.load(path)
    m.set_visit(note=None, recorded_by="Dr Okafor")
    m.meta["session_code"] = None
    fileformat.save(m, path)
    rc, out, err = _run(["export", path, "--fhir"], capsys)
    assert rc == 0, err
    bundle = json.loads(out)
    patients = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]
    assert len(patients) == 1 and MRN in json.dumps(patients[0])
    rest = [e for e in bundle["entry"] if e["resource"]["resourceType"] != "Patient"]
    assert MRN not in json.dumps(rest) and MRN not in json.dumps({k: v for k, v in bundle.items() if k != "entry"})
    assert "2026-12-07" in json.dumps(rest)  # the visit date (Encounter)


def test_identifying_column_names():
    for name in ("id", "MRN", "patient_id", "Patient Name", "date_of_birth", "DOB", "email", "Record number"):
        assert identifying_column(name), name
    for name in ("sex", "gender", "study_arm", "group", "age", "score", "recorded"):
        assert not identifying_column(name), name


def test_keys_depend_on_the_clinic_secret():
    a, b = Pseudonyms(b"a" * 64), Pseudonyms(b"b" * 64)
    assert a.patient_key(MRN) != b.patient_key(MRN) and a.patient_key(MRN) == Pseudonyms(b"a" * 64).patient_key(MRN)
    assert MRN not in a.patient_key(MRN) and a.patient_key(None) is None
