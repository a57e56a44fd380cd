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
from bodymap.exports.choir_import import WholeRegionPainter, choose_numbering, row_evidence, split_items
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


def test_mixed_numbering_stops_with_one_line_naming_the_flag(tmp_path, capsys):
    rows = [["a", "112,113"], ["b", "116,117"]]  # both abdomens on the female drawing, then on the male one
    src = write_csv(tmp_path / "mixed.csv", ["patient_id", "regions"], rows)
    rc, out, err = _run(["import-regions", src, tmp_path / "out"], capsys)
    assert rc == 2
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and "--choir-numbering" in lines[0] and "Traceback" not in err
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    rc, out, err = _run(["import-regions", src, tmp_path / "out", "--choir-numbering", "male"], capsys)
    assert rc == 0
    painted = {r for r, c in bodymap.load(tmp_path / "out" / "a.bodymap").region_coverage().items() if c > 0.99}
    assert "left_upper_arm_front" in painted and "right_elbow_front" in painted  # as asked: male drawing


def test_row_evidence_and_the_choice():
    assert row_evidence([112, 113]) == "female" and row_evidence([116, 117]) == "male"
    assert row_evidence([101, 219]) is None and row_evidence([112]) is None
    assert choose_numbering("auto", [[112, 113], [101]]).female
    assert not choose_numbering("auto", [[116, 117]]).female
    with pytest.raises(UsageError, match="--choir-numbering"):
        choose_numbering("auto", [[112, 113], [116, 117]])
    with pytest.raises(UsageError):
        choose_numbering("both", [])


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
