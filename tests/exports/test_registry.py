"""Registry scale: a partitioned Parquet dataset read as one table, the exports on a Dask LocalCluster,
and progress (count, rate, time left) on a terminal only."""
from __future__ import annotations

import csv
import io

import pytest

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.cli import main
from bodymap.exports.common import Progress
from bodymap.painting import PainMap


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("maps")
    atlas = load_atlas()
    regions = ("right_calf", "left_lower_back", "right_buttock", "left_anterior_thigh")
    for i in range(12):
        m = PainMap(atlas)
        m.paint_region(regions[i % 4], 1.0)
        if i % 3:
            m.visit.update({"visit_date": f"{2023 + i % 3}-06-0{1 + i % 5}"})
        fileformat.save(m, d / f"m{i:02d}.bodymap")
    (d / "zz-bad.bodymap").write_text("not a map")
    return d


def _csv_rows(capsys):
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def test_partitioned_parquet_reads_back_as_one_table(folder, tmp_path, capsys):
    ds = pytest.importorskip("pyarrow.dataset")
    out = tmp_path / "dataset"
    assert main(["export", str(folder), "--parquet", "--partition-by", "visit_year", "-o", str(out)]) == 2  # a bad file
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["visit_year=2024", "visit_year=2025",
                                                    "visit_year=__HIVE_DEFAULT_PARTITION__"]
    table = ds.dataset(str(out), format="parquet", partitioning="hive").to_table()
    main(["export", str(folder), "--csv"])
    rows = _csv_rows(capsys)
    got = {r["file"]: r for r in table.to_pylist()}
    assert sorted(got) == sorted(r["file"] for r in rows)
    for r in rows:
        g = got[r["file"]]
        assert g["wpi"] == int(r["wpi"]) and g["mbm_count"] == int(r["mbm_count"])
        assert g["visit_year"] == (int(r["visit_date"][:4]) if r["visit_date"] else None)
    # a second run refuses to write over the dataset
    assert main(["export", str(folder), "--parquet", "--partition-by", "visit_year", "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["export", str(folder), "--parquet", "--partition-by", "patient_id", "-o",
                 str(tmp_path / "x")]) == 2


def test_dask_local_cluster_finds_the_same_rows(folder, tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    main(["export", str(folder), "--csv"])
    local = capsys.readouterr()
    assert main(["export", str(folder), "--csv", "--dask", "local"]) == 2  # the same bad file, the same status
    dask = capsys.readouterr()
    assert dask.out == local.out
    assert "zz-bad.bodymap" in dask.err and "1 bad" in dask.err

    from bodymap.batch import score_many
    from bodymap.exports.registry import score_on_dask

    paths = sorted(str(p) for p in folder.glob("*.bodymap"))
    assert score_on_dask(paths, "local") == score_many(paths, workers=1)


def test_progress_shows_count_rate_and_time_left_on_a_terminal_only():
    p = Progress("stats", 100, io.StringIO(), tty=True)
    text = p.text(25, 5.0)
    assert "25/100" in text and "5 maps/s" in text and "15 s left" in text
    quiet = io.StringIO()
    q = Progress("stats", 100, quiet, tty=False)
    q.update(50)
    q.finish()
    assert quiet.getvalue() == ""


def test_dask_missing_is_one_line(folder, capsys, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_dask(name, *a, **kw):
        if name.startswith("dask"):
            raise ImportError(name)
        return real(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    assert main(["export", str(folder), "--csv", "--dask", "local"]) == 2
    err = capsys.readouterr().err
    assert "pip install 'bodymap[dask]'" in err and "Traceback" not in err
