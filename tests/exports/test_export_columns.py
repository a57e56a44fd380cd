"""The research columns of `export --csv` (pain score, answers, red-flag urgency, CHOIR codes) and `export --parquet`."""
from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import bodymap
from bodymap import cli, fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import QUESTIONS, SENSATIONS, YES_NO_QUESTIONS, PainMap

REPO = Path(__file__).resolve().parents[2]

# The CSV columns as published before issue 13 (docs/exports.md): they must stay first and in this order.
OLD_FIXED_HEAD = ["file", "session_code", "created", "red_flags", "extent_total", "extent_front", "extent_back"]
OLD_FIXED_TAIL = ["top_pattern", "top_side", "top_probability"]


def _old_header(atlas) -> list[str]:
    return (OLD_FIXED_HEAD + [f"extent_{s}" for s in SENSATIONS] + [f"cov_{r}" for r in atlas.region_ids]
            + OLD_FIXED_TAIL)


def _make(path: Path, paint, *, answers=None, intensity=None, session=None) -> Path:
    m = PainMap(load_atlas())
    for region, frac, sens in paint:
        m.paint_region(region, frac, sens)
    m.answers.update(answers or {})
    for k, v in (intensity or {}).items():
        m.set_intensity(None if k == "overall" else k, v)
    if session:
        m.meta["session_code"] = session
    fileformat.save(m, path)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("maps")
    _make(d / "a_flagged.bodymap", [("right_calf", 1.0, "burning"), ("left_face", 1.0, "aching"),
                                    ("right_lower_back", 0.01, "aching")],  # 1%: below the 2% painted threshold
          answers={"bladder_bowel": True, "numbness": False, "age": 54}, intensity={"overall": 7, "burning": 8},
          session="K7Q-42M")
    _make(d / "b_empty.bodymap", [])
    _make(d / "c_upper.bodymap", [("left_upper_abdomen", 0.5, "sharp"), ("sacrum", 1.0, "aching")],
          answers={"worse_sitting": True}, intensity={"overall": 0})
    return d


def _run(argv, capsys):
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def _csv(folder, capsys) -> tuple[list[str], list[dict[str, str]]]:
    rc, out, err = _run(["export", folder, "--csv", "--include-identifiers"], capsys)  # rows by file name
    assert rc == 0, err
    return next(csv.reader(io.StringIO(out))), list(csv.DictReader(io.StringIO(out)))


# ---------------------------------------------------------------------------
# CSV


def test_new_columns_come_after_the_published_ones(folder, capsys):
    atlas = load_atlas()
    header, _ = _csv(folder, capsys)
    old = _old_header(atlas)
    assert header[:len(old)] == old  # public contract: nothing renamed, nothing moved
    new = header[len(old):]
    for name in ["intensity", "red_flag_urgency", "choir_codes"] + [f"answer_{q}" for q in QUESTIONS]:
        assert name in new, name
    assert len(set(header)) == len(header)


def test_pain_score_and_answers(folder, capsys):
    _, rows = _csv(folder, capsys)
    by = {r["file"]: r for r in rows}
    for name, row in by.items():
        m = bodymap.load(folder / name)
        assert row["intensity"] == ("" if "overall" not in m.intensity else str(m.intensity["overall"]))
        for s in SENSATIONS:
            assert row[f"intensity_{s}"] == str(m.intensity.get(s, ""))
        for q in QUESTIONS:
            v = m.answers.get(q)
            want = "" if v is None else ("yes" if v is True else "no" if v is False else str(v))
            assert row[f"answer_{q}"] == want, (name, q)
    a = by["a_flagged.bodymap"]
    assert (a["intensity"], a["intensity_burning"], a["intensity_aching"]) == ("7", "8", "")
    assert (a["answer_bladder_bowel"], a["answer_numbness"], a["answer_weakness"], a["answer_age"]) == \
        ("yes", "no", "", "54")
    assert by["c_upper.bodymap"]["intensity"] == "0"  # a score of 0 is given, not empty
    assert by["b_empty.bodymap"]["intensity"] == ""


def test_choir_codes_column(folder, capsys):
    _, rows = _csv(folder, capsys)
    by = {r["file"]: r["choir_codes"] for r in rows}
    # published CHOIR labels: 104 Face (front-left), 234 Lower Leg (back-right), 117 Abdomen (front-left),
    # 223/224 the two buttock regions (bodymap's sacrum has no CHOIR region of its own)
    assert by["a_flagged.bodymap"] == "104;234"  # the 1% lower back is below the painted threshold
    assert by["c_upper.bodymap"] == "117;223;224"
    assert by["b_empty.bodymap"] == ""


def test_red_flag_urgency_follows_the_flags(folder):
    from bodymap.exports.common import Decoder
    from bodymap.exports.csvexport import MapRow, columns, csv_cell

    dec = Decoder()
    col = {c.name: c for c in columns(dec)}
    r = MapRow(dec, dec.read(folder / "a_flagged.bodymap"))
    assert csv_cell(col["red_flags"], col["red_flags"].value(r)) == "cauda_equina"
    # flags without an urgency (before RedFlag.urgency exists) leave the cell empty, not ";"
    r.ranking = SimpleNamespace(red_flags=[SimpleNamespace(id="cauda_equina"), SimpleNamespace(id="serious_pathology")],
                                top=None)
    assert col["red_flag_urgency"].value(r) == ""
    # with urgencies: one per flag, in the order of red_flags
    r.ranking = SimpleNamespace(red_flags=[SimpleNamespace(id="cauda_equina", urgency="emergency"),
                                           SimpleNamespace(id="serious_pathology", urgency="urgent")], top=None)
    assert col["red_flags"].value(r) == "cauda_equina;serious_pathology"
    assert col["red_flag_urgency"].value(r) == "emergency;urgent"


def test_every_column_is_documented(folder, capsys):
    doc = (REPO / "docs" / "exports.md").read_text(encoding="utf-8")
    header, _ = _csv(folder, capsys)
    families = {"cov_": "cov_<region id>", "intensity_": "intensity_<sensation>", "answer_": "answer_<question>"}
    for name in header:
        family = next((f for f in families if name.startswith(f)), None)
        assert f"`{families[family] if family else name}`" in doc, name


# ---------------------------------------------------------------------------
# Parquet


def test_parquet_round_trips_the_csv(folder, tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = tmp_path / "maps.parquet"
    rc, _, err = _run(["export", folder, "--parquet", "-o", out, "--include-identifiers"], capsys)
    assert rc == 0, err
    assert "3 rows" in err
    table = pq.read_table(out)
    header, rows = _csv(folder, capsys)
    assert table.column_names == header  # the same columns, cov_<region> included, in the same order
    assert table.num_rows == len(rows) == 3
    types = {f.name: f.type for f in table.schema}
    assert types["intensity"] == pa.int32() and types["answer_age"] == pa.int32()
    assert types["answer_bladder_bowel"] == pa.bool_() and types["cov_right_calf"] == pa.float64()
    assert types["file"] == pa.string()
    data = table.to_pylist()
    for prow, crow in zip(data, rows):
        for name in header:
            v, text = prow[name], crow[name]
            if v is None:
                assert text == "", name
            elif isinstance(v, bool):
                assert text == ("yes" if v else "no"), name
            elif isinstance(v, float):
                assert math.isclose(v, float(text), abs_tol=1e-4), name
            elif isinstance(v, int):
                assert text == str(v), name
            else:
                assert text == v, name  # no formula apostrophe here or there for these values
    a = next(p for p in data if p["file"] == "a_flagged.bodymap")
    assert a["intensity"] == 7 and a["answer_bladder_bowel"] is True and a["answer_numbness"] is False
    assert a["answer_weakness"] is None and a["cov_right_calf"] > 0.99 and a["choir_codes"] == "104;234"


def test_parquet_keeps_going_past_a_bad_file(folder, tmp_path, capsys):
    import pyarrow.parquet as pq

    d = tmp_path / "mixed"
    d.mkdir()
    (d / "good.bodymap").write_bytes((folder / "a_flagged.bodymap").read_bytes())
    (d / "bad.bodymap").write_text("not a map")
    out = tmp_path / "mixed.parquet"
    rc, _, err = _run(["export", d, "--parquet", "-o", out, "--include-identifiers"], capsys)
    assert rc == 2 and "bad.bodymap" in err and "Traceback" not in err
    assert pq.read_table(out).column("file").to_pylist() == ["good.bodymap"]


def test_parquet_bad_input_is_one_line_and_writes_nothing(folder, tmp_path, capsys, monkeypatch):
    cases = [
        ["export", folder, "--parquet"],  # no -o: binary data never goes to a terminal
        ["export", folder, "--parquet", "-o", tmp_path / "maps.csv"],
        ["export", folder, "--parquet", "-o", tmp_path / "nofolder" / "maps.parquet"],
        ["export", folder, "--parquet", "--csv", "-o", tmp_path / "maps.parquet"],
    ]
    for argv in cases:
        rc, _, err = _run(argv, capsys)
        assert rc == 2 and "Traceback" not in err, argv
    # pyarrow missing: say how to install it
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    rc, _, err = _run(["export", folder, "--parquet", "-o", tmp_path / "maps.parquet"], capsys)
    assert rc == 2 and "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "pyarrow" in lines[0] and "bodymap[parquet]" in lines[0]
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# A stable order (issue 21): new questions never move a column


# The answer columns as published with issue 13 (docs/exports.md), between intensity_<sensation> and
# red_flag_urgency; the contract, written here and not read from the code under test.
PUBLISHED_ANSWER_COLUMNS = ["answer_numbness", "answer_weakness", "answer_worse_sitting", "answer_worse_walking",
                            "answer_better_resting", "answer_bladder_bowel", "answer_saddle_numbness",
                            "answer_fever_or_weight_loss", "answer_recent_trauma", "answer_cancer_history",
                            "answer_age"]


def test_published_answer_columns_keep_their_place_and_later_questions_come_last(folder, capsys):
    header, _ = _csv(folder, capsys)
    at = header.index("intensity_numbness") + 1
    assert header[at:at + len(PUBLISHED_ANSWER_COLUMNS)] == PUBLISHED_ANSWER_COLUMNS
    assert header[at + len(PUBLISHED_ANSWER_COLUMNS)] == "red_flag_urgency"
    later = [h for h in header if h.startswith("answer_") and h not in PUBLISHED_ANSWER_COLUMNS]
    assert sorted(later) == sorted(f"answer_{q}" for q in QUESTIONS if f"answer_{q}" not in PUBLISHED_ANSWER_COLUMNS)
    first_later = header.index(later[0])
    assert header[first_later - 1] == "imported_columns"  # after every always-written column of the last release
    assert header[first_later:first_later + len(later)] == later  # one block
    assert header[-2:] == ["patient_id", "note"]  # the identifying columns stay last


def test_every_question_is_listed_in_an_answer_block():
    """A new question in regions/questions.yaml is appended as a block of its own at the end of
    csvexport.columns(); until then it is written last, and this test names it."""
    from bodymap.exports.csvexport import unlisted_questions

    assert unlisted_questions() == (), "list these questions in a new answer block appended at the end of columns()"


def test_the_column_order_in_the_docs_is_the_codes():
    from bodymap.exports.csvexport import COLUMN_DOC_END, COLUMN_DOC_START, column_order_markdown

    doc = (REPO / "docs" / "exports.md").read_text(encoding="utf-8")
    a, b = doc.index(COLUMN_DOC_START), doc.index(COLUMN_DOC_END) + len(COLUMN_DOC_END)
    assert doc[a:b] == column_order_markdown(), "run: PYTHONPATH=src python tools/write_export_columns.py"
    header = [line.split("`")[1] for line in doc[a:b].splitlines() if line[:1].isdigit()]
    assert header[:4] == ["file", "session_code", "created", "red_flags"] and "answer_age" in header
