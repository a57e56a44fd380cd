"""CHOIR import you can trust (issue 21, item 6): numbering, CHOIR's own formats, kept codes, extra
columns, whole-body maps, and the fast painter against PainMap's own painting.

The synthetic CHOIR files come from `choir_rows` below: every row draws its codes at random, in
CHOIR's three-digit numbering or REDCap's f/b keys, from the male or the female drawing (told by a
`choir_female` column, as a registry export would), comma- or semicolon-separated. The expected codes
are the drawing's codes converted with CHOIRBM's published female->standard table (test_choir.py's
FEMALE_TO_STANDARD), not with the code under test.
"""
from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

import numpy as np
import pytest

import bodymap
from bodymap import cli, fileformat
from bodymap.atlas import load_atlas
from bodymap.errors import UsageError
from bodymap.exports.choir_import import WholeRegionPainter, split_items
from bodymap.exports.choir_numbering import code_evidence
from bodymap.painting import SENSATIONS, PainMap

from test_choir import FEMALE_TO_STANDARD

FRONT = list(range(101, 137))
BACK = list(range(201, 239))
STANDARD_TO_FEMALE = {v: k for k, v in FEMALE_TO_STANDARD.items()}


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


def choir_rows(n: int, seed: int = 21):
    """(header, rows, expected standard codes per patient id): a synthetic CHOIR export mixing both
    drawings' numberings, both spellings (101 / f01) and both separators."""
    rng = random.Random(seed)
    header = ["id", "gender", "study_arm", "choir_female", "bodymap_regions_csv"]
    rows, expected = [], {}
    for i in range(n):
        standard = sorted(rng.sample(FRONT + BACK, rng.randint(1, 14)))
        female = rng.random() < 0.3
        redcap = rng.random() < 0.3
        items = []
        for c in standard:
            if redcap:  # REDCap's keys are the standard numbering on both drawings
                items.append(("f" if c < 200 else "b") + f"{c % 100:02d}")
            else:
                items.append(str(STANDARD_TO_FEMALE.get(c, c) if female else c))
        rng.shuffle(items)
        sep = "," if rng.random() < 0.6 else ";"
        pid = f"p{i:05d}"
        rows.append([pid, rng.choice(["male", "female"]), rng.choice(["A", "B"]),
                     "yes" if female else "no", sep.join(items)])
        expected[pid] = standard
    return header, rows, expected


def write_csv(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def export_codes(folder: Path, capsys, *extra) -> dict[str, list[int]]:
    rc, out, err = _run(["export", folder, "--csv", "--include-identifiers", *extra], capsys)
    assert rc == 0, err
    got = {}
    for r in csv.DictReader(io.StringIO(out)):
        got[r["patient_id"] or r["file"]] = [int(c) for c in r["choir_codes"].split(";") if c]
    return got


def round_trip(tmp_path, capsys, n):
    header, rows, expected = choir_rows(n)
    src = write_csv(tmp_path / "choir.csv", header, rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "maps"], capsys)
    assert rc == 0, err
    got = {}
    rc, out, err = _run(["export", tmp_path / "maps", "--csv", "--include-identifiers"], capsys)
    assert rc == 0, err
    for r in csv.DictReader(io.StringIO(out)):
        got[Path(r["file"]).stem] = [int(c) for c in r["choir_codes"].split(";") if c]
        # the extra columns came along
        assert json.loads(r["imported_columns"])["study_arm"] in ("A", "B")
    assert len(got) == n
    wrong = [pid for pid, codes in expected.items() if got.get(pid) != codes]
    assert wrong == [], f"{len(wrong)} of {n} rows came back with other codes, e.g. {wrong[:3]}"


def test_import_then_export_returns_the_same_codes_for_every_row(tmp_path, capsys):
    round_trip(tmp_path, capsys, 300)


@pytest.mark.soak
def test_import_then_export_returns_the_same_codes_for_7000_rows(tmp_path, capsys):
    round_trip(tmp_path, capsys, 7000)


def test_a_female_file_without_the_flag_is_read_as_female_and_says_so(tmp_path, capsys):
    """Rows from the female drawing: both abdomens are 112,113 there (the left biceps and right elbow on the
    male drawing). Without a flag, auto reads them as the abdomen and says how many rows decided."""
    rows = [["f1", "112,113,219"], ["f2", "113,112"], ["f3", "128,201"]]
    src = write_csv(tmp_path / "fem.csv", ["id", "bodymap_regions_csv"], rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "out"], capsys)
    assert rc == 0, err
    assert "female drawing" in err and "2 rows" in err
    painted = {r for r, c in bodymap.load(tmp_path / "out" / "f1.bodymap").region_coverage().items() if c > 0.99}
    assert {"right_upper_abdomen", "left_upper_abdomen"} <= painted
    assert not painted & {"left_upper_arm_front", "right_elbow_front"}  # never the elbow


def _painted(path) -> set[str]:
    return {r for r, c in bodymap.load(path).region_coverage().items() if c > 0.99}


ABDOMENS = {"right_upper_abdomen", "left_upper_abdomen", "right_lower_abdomen", "left_lower_abdomen"}
LEFT_ARM = {"left_upper_arm_front", "left_elbow_front"}


def test_a_mixed_file_is_read_per_row_and_the_line_says_how_many_rows_each_numbering_took(tmp_path, capsys):
    """Both abdomens are 112,113 on the female drawing and 116,117 on the male one: each row is read on its own
    drawing (never the elbow), and one line says how many rows each numbering took and why."""
    rows = [["a", "112,113"], ["b", "116,117"], ["c", "219,218"], ["d", "114,116,110"]]  # d: left arm, female
    src = write_csv(tmp_path / "mixed.csv", ["patient_id", "regions"], rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "out"], capsys)
    assert rc == 0, err
    assert ABDOMENS <= _painted(tmp_path / "out" / "a.bodymap") and ABDOMENS <= _painted(tmp_path / "out" / "b.bodymap")
    assert not (_painted(tmp_path / "out" / "a.bodymap") | _painted(tmp_path / "out" / "b.bodymap")) & LEFT_ARM
    assert LEFT_ARM <= _painted(tmp_path / "out" / "d.bodymap")
    line = next(x for x in err.splitlines() if "CHOIR numbering" in x)
    assert "2 rows read on the female drawing, 1 on the male" in line
    assert "2 female and 1 male by their codes" in line and "1 without codes 112-117" in line
    assert export_codes(tmp_path / "out", capsys) == {"a": [116, 117], "b": [116, 117], "c": [218, 219],
                                                      "d": [110, 112, 114]}


def test_undecided_rows_in_a_mixed_file_stop_with_one_line_naming_the_flag(tmp_path, capsys):
    rows = [["a", "F", "112,113"], ["b", "M", "116,117"], ["c", "F", "112,219"]]  # c: a lone 112 (left biceps
    src = write_csv(tmp_path / "mixed.csv", ["patient_id", "sex", "regions"], rows)  # or right abdomen)
    rc, out, err = _run(["import-regions", src, tmp_path / "out"], capsys)
    assert rc == 2
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "--choir-undecided" in lines[0] and "row 4" in lines[0] and "Traceback" not in err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    rc, out, err = _run(["import-regions", src, tmp_path / "skip", "--choir-undecided", "skip"], capsys)
    assert rc == 2 and "row 4 ('c')" in err and "not imported" in err
    assert sorted(p.name for p in (tmp_path / "skip").iterdir()) == ["a.bodymap", "b.bodymap"]
    rc, out, err = _run(["import-regions", src, tmp_path / "fem", "--choir-undecided", "female"], capsys)
    assert rc == 0, err
    assert "1 undecided read as female (--choir-undecided female)" in err
    assert "right_upper_abdomen" in _painted(tmp_path / "fem" / "c.bodymap")


def test_a_whole_file_numbering_as_asked_notes_the_rows_whose_codes_read_the_other_way(tmp_path, capsys):
    rows = [["a", "112,113"], ["b", "116,117"]]
    src = write_csv(tmp_path / "m.csv", ["patient_id", "regions"], rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "out", "--choir-numbering", "male"], capsys)
    assert rc == 0
    assert {"left_upper_arm_front", "right_elbow_front"} <= _painted(tmp_path / "out" / "a.bodymap")  # as asked
    assert "1 row (row 2) read as the female drawing" in err


def test_a_drawing_column_decides_its_rows_and_a_sex_column_decides_nothing(tmp_path, capsys):
    rows = [["a", "female", "male", "112"], ["b", "male", "male", "112"], ["c", "", "male", "112,113"],
            ["d", "", "female", "116,117"]]
    src = write_csv(tmp_path / "d.csv", ["id", "drawing", "gender", "bodymap_regions_csv"], rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "out"], capsys)
    assert rc == 0, err
    assert "right_upper_abdomen" in _painted(tmp_path / "out" / "a.bodymap")
    assert "left_upper_arm_front" in _painted(tmp_path / "out" / "b.bodymap")
    assert ABDOMENS <= _painted(tmp_path / "out" / "c.bodymap")  # labelled male, drawn on the female numbering
    assert "2 by the file's drawing column" in err and "disagrees with 2 of the 2 rows" in err


def coherent_rows(n: int, seed: int = 7):
    """Pain drawings as patients draw them (one arm from the shoulder down, both or one abdomen with the chest
    or the groin, the low back and a leg), as standard codes."""
    rng = random.Random(seed)
    arms = {"right": [107, 111, 113, 115, 119], "left": [110, 112, 114, 118, 124]}
    backs = {"right": [210, 214, 216, 220, 226], "left": [207, 211, 215, 217, 221]}
    out = []
    for _ in range(n):
        kind = rng.randrange(3)
        if kind == 0:
            side = rng.choice(["right", "left"])
            i = rng.randrange(3)
            codes = arms[side][i:i + rng.randint(2, 3)] + (backs[side][i:i + 2] if rng.random() < 0.5 else [])
        elif kind == 1:
            codes = [116, 117] + rng.choice([[], [108, 109], [121, 122]])
        else:
            codes = [218, 219] + rng.sample([223, 224, 228, 229, 233, 234], rng.randint(0, 3))
        out.append(sorted(set(codes)))
    return out


def uniform_rows(n: int, seed: int = 11):
    """Codes drawn at random: no anatomy for the codes to read, so any reading of them is a coin flip."""
    rng = random.Random(seed)
    return [sorted(rng.sample(FRONT + BACK, rng.randint(1, 14))) for _ in range(n)]


@pytest.mark.parametrize("make", [coherent_rows, uniform_rows], ids=["drawings", "random codes"])
def test_a_female_numbered_file_without_the_flag_is_imported_right_or_stopped(tmp_path, capsys, make):
    """Issue 21's done-when: never a silent wrong row. Random codes decide rows both ways by chance, so the
    file reads as mixed and stops; anatomically coherent drawings are read on the female drawing."""
    standard = make(300)
    rows = [[f"p{i:03d}", ",".join(str(STANDARD_TO_FEMALE.get(c, c)) for c in codes)] for i, codes in enumerate(standard)]
    src = write_csv(tmp_path / "fem.csv", ["id", "bodymap_regions_csv"], rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "out"], capsys)
    lines = [x for x in err.splitlines() if x.strip()]
    if rc == 2:  # stopped: one line naming the flag, nothing written
        assert len(lines) == 1 and "--choir-" in lines[0] and list((tmp_path / "out").iterdir()) == []
        return
    assert rc == 0, err
    assert export_codes(tmp_path / "out", capsys) == {f"p{i:03d}": codes for i, codes in enumerate(standard)}


def test_code_evidence_reads_structure_and_never_a_long_row():
    assert code_evidence([112, 113]) == "female" and code_evidence([116, 117]) == "male"
    assert code_evidence([112, 114, 118]) == "male"  # left biceps, elbow and forearm: two links
    assert code_evidence([108, 112, 113]) == "female"  # both abdomens beside the right chest
    assert code_evidence([110, 112]) is None  # one chain link alone is not clear (the right abdomen beside ...)
    assert code_evidence([101, 219]) is None and code_evidence([112]) is None
    assert code_evidence([112, 113, 201, 202, 203, 204, 205, 206, 207]) is None  # 9 codes: chance either way


def test_split_items_reads_choir_strings_and_keeps_names_whole():
    assert split_items("128,117,219") == ["128", "117", "219"]
    assert split_items("b07,b18,f01") == ["b07", "b18", "f01"]
    assert split_items("Lower back;Right buttock") == ["Lower back", "Right buttock"]
    assert split_items("shoulder (front), left") == ["shoulder (front), left"]


def test_extra_columns_travel_into_the_map_and_out_to_csv_and_parquet(tmp_path, capsys):
    src = write_csv(tmp_path / "x.csv", ["ID", "Sex", "Study Arm", "BODYMAP_CSV"], [["s1", "female", "B", "219,218"]])
    rc, out, err = _run(["import-regions", src, tmp_path / "maps"], capsys)
    assert rc == 0, err
    m = fileformat.load(tmp_path / "maps" / "s1.bodymap")
    assert m.extra["imported"] == {"sex": "female", "study_arm": "B"}
    assert m.extra["choir"]["codes"] == [218, 219]
    rc, out, err = _run(["export", tmp_path / "maps", "--csv"], capsys)
    row = next(csv.DictReader(io.StringIO(out)))
    assert json.loads(row["imported_columns"]) == {"sex": "female", "study_arm": "B"}
    pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rc, out, err = _run(["export", tmp_path / "maps", "--parquet", "-o", tmp_path / "x.parquet"], capsys)
    assert rc == 0, err
    t = pq.read_table(tmp_path / "x.parquet").to_pylist()
    assert json.loads(t[0]["imported_columns"])["study_arm"] == "B"


def test_both_buttocks_cover_the_sacrum_and_perineum_one_buttock_does_not(tmp_path, capsys):
    rows = [["both", "223,224"], ["one", "223"]]
    src = write_csv(tmp_path / "b.csv", ["patient_id", "regions"], rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "out"], capsys)
    assert rc == 0, err
    both = bodymap.load(tmp_path / "out" / "both.bodymap").region_coverage()
    one = bodymap.load(tmp_path / "out" / "one.bodymap").region_coverage()
    assert both.get("sacrum", 0) > 0.99 and both.get("perineum", 0) > 0.99
    assert one.get("sacrum", 0) == 0 and one.get("perineum", 0) == 0
    codes = export_codes(tmp_path / "out", capsys)
    assert codes["both"] == [223, 224] and codes["one"] == [223]


def test_a_repainted_import_exports_what_it_now_paints(tmp_path, capsys, atlas):
    src = write_csv(tmp_path / "r.csv", ["patient_id", "regions"], [["r1", "101"]])  # cranium: painted as the face
    _run(["import-regions", src, tmp_path / "out"], capsys)
    assert export_codes(tmp_path / "out", capsys)["r1"] == [101]  # kept: exactly what came in
    path = tmp_path / "out" / "r1.bodymap"
    m = fileformat.load(path, atlas)
    m.paint_region("right_calf")
    fileformat.save(m, path)
    assert export_codes(tmp_path / "out", capsys)["r1"] == [103, 234]  # changed: what is painted now


def test_the_fast_painter_paints_what_paint_region_paints(atlas):
    painter = WholeRegionPainter(atlas)
    rng = random.Random(5)
    ids = atlas.region_ids
    for _ in range(6):
        chosen = {(rid, rng.choice(SENSATIONS)) for rid in rng.sample(ids, rng.randint(1, 25))}
        fast, slow = PainMap(atlas), PainMap(atlas)
        painter.paint(fast, chosen)
        for rid, sens in chosen:
            slow.paint_region(rid, 1.0, sens)
        for v in ("front", "back"):
            assert np.array_equal(fast.layers(v), slow.layers(v))
        assert fast.summary() == slow.summary()  # the figures the painter filled in, against PainMap's own
        assert fileformat.encode_layers(fast) == fileformat.encode_layers(slow)  # the bitfield it left
        again = PainMap(atlas)
        again.replace_layers({v: fast.layers(v) for v in ("front", "back")})
        assert list(again.counted_regions()) == list(fast.counted_regions())


def test_progress_is_a_bar_on_a_terminal_and_one_line_otherwise():
    from bodymap.exports.choir_import import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, log = Tty(), io.StringIO()
    for stream in (tty, log):
        p = Progress(5000, stream)
        for done in (1000, 2500, 5000):
            p.step(done)
        p.finish(4990, 2.0)
    assert "[" in tty.getvalue() and "5000/5000 rows" in tty.getvalue()
    assert log.getvalue().splitlines() == ["import-regions: 5000 rows read, 4990 maps written, 2495 rows/s"]
