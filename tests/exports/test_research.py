"""Research tools: the frequency (heat) map, region statistics, folder runs, and import-regions."""
from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import bodymap
from bodymap import cli, fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import PainMap

# Published viridis anchors (matplotlib's five-step palette), independent of the code under test.
VIRIDIS_0 = (0x44, 0x01, 0x54)
VIRIDIS_50 = (0x21, 0x91, 0x8C)
VIRIDIS_100 = (0xFD, 0xE7, 0x25)


def _make(path: Path, paint, answers=None) -> Path:
    m = PainMap(load_atlas())
    for region, frac, sens in paint:
        m.paint_region(region, frac, sens)
    for k, v in (answers or {}).items():
        m.answers[k] = v
    fileformat.save(m, path)
    return path


def _run(argv, capsys) -> tuple[int, str, str]:
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def _pixel(surface_or_path, atlas, region_id: str, height: int):
    """Colour at the representative point of a region in a heat map picture, and that point's x."""
    import pygame

    from bodymap.render.heatmap import heatmap_layouts

    img = pygame.image.load(str(surface_or_path)) if isinstance(surface_or_path, (str, Path)) else surface_or_path
    r = atlas.region(region_id)
    p = r.geometry.representative_point()
    raster = atlas.raster()
    col, row = raster.to_px(p.x, p.y)
    assert raster.labels[r.view][int(row), int(col)] == atlas.index(region_id)  # the point is inside the region
    lay = heatmap_layouts(atlas, height)[r.view]
    px, py = lay.to_screen(p.x, p.y)
    return tuple(img.get_at((int(px), int(py))))[:3], float(px), lay


def _close(a, b, tol=2):
    return all(abs(int(x) - int(y)) <= tol for x, y in zip(a, b))


# ---------------------------------------------------------------------------
# Heat map


def test_heatmap_pixels_follow_the_share_of_maps(tmp_path, capsys):
    d = tmp_path / "two"
    d.mkdir()
    _make(d / "a.bodymap", [("right_lateral_leg", 1.0, "burning"), ("right_shin", 1.0, "aching")])
    _make(d / "b.bodymap", [("right_lateral_leg", 1.0, "aching")])
    out = tmp_path / "freq.png"
    rc, _, err = _run(["heatmap", d, "-o", out, "--height", "900"], capsys)
    assert rc == 0, err
    atlas = load_atlas()
    both, x_right, lay = _pixel(out, atlas, "right_lateral_leg", 900)
    one, _, _ = _pixel(out, atlas, "right_shin", 900)
    none, x_left, _ = _pixel(out, atlas, "left_lateral_leg", 900)
    back, _, _ = _pixel(out, atlas, "right_calf", 900)
    assert _close(both, VIRIDIS_100)  # painted by 2 of 2: the top of the scale (max = 100%)
    assert _close(one, VIRIDIS_50)  # painted by 1 of 2
    assert _close(none, VIRIDIS_0) and _close(back, VIRIDIS_0)  # body, painted by nobody
    # front view: the patient's right is on the viewer's left
    centre = lay.left + lay.width / 2
    assert x_right < centre < x_left


def test_heatmap_sensation_layer_and_pattern_filter(tmp_path):
    from bodymap.exports.common import Decoder, FolderRun, list_maps
    from bodymap.exports.research import accumulate_heatmap, parse_where

    d = tmp_path / "f"
    d.mkdir()
    # an L5-like and an S1-like drawing: their top hypotheses differ
    _make(d / "l5.bodymap", [("right_lateral_leg", 1.0, "burning"), ("right_big_toe", 1.0, "pins_and_needles"),
                              ("right_dorsum_foot", 1.0, "burning")], {"numbness": True})
    _make(d / "s1.bodymap", [("right_calf", 1.0, "aching"), ("right_heel", 1.0, "aching"),
                              ("right_lateral_foot", 1.0, "aching"), ("right_sole", 1.0, "aching")])
    atlas = load_atlas()
    tops = {f.name: bodymap.match(bodymap.load(f)).top.id for f in sorted(d.glob("*.bodymap"))}
    assert tops["l5.bodymap"] != tops["s1.bodymap"]
    dec = Decoder(atlas)
    ids = [p.id for p in dec.model.lib.patterns]
    lab = {v: atlas.raster().labels[v] for v in ("front", "back")}

    def count_in(hm, rid):
        r = atlas.region(rid)
        return np.unique(hm.counts[r.view][lab[r.view] == atlas.index(rid)])

    hm = accumulate_heatmap(FolderRun("t", list_maps(d), dec, stream=io.StringIO()), dec,
                            parse_where(["sensation=burning"], ids))
    assert hm.n_maps == 2
    assert list(count_in(hm, "right_lateral_leg")) == [1]
    assert list(count_in(hm, "right_calf")) == [0]  # painted, but aching
    assert list(count_in(hm, "right_big_toe")) == [0]  # pins and needles
    assert hm.max_share == pytest.approx(0.5)

    hm = accumulate_heatmap(FolderRun("t", list_maps(d), dec, stream=io.StringIO()), dec,
                            parse_where([f"pattern={tops['s1.bodymap']}"], ids))
    assert (hm.n_maps, hm.n_read) == (1, 2)
    assert list(count_in(hm, "right_calf")) == [1]
    assert list(count_in(hm, "right_lateral_leg")) == [0]


# ---------------------------------------------------------------------------
# Statistics


@pytest.fixture(scope="module")
def stats_folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("stats")
    A, B, C, D = "right_calf", "right_posterior_thigh", "left_lower_back", "left_heel"
    sets = {"m1": [A, B], "m2": [A], "m3": [B, C], "m4": [C], "m5": [A, B]}
    for name, regions in sets.items():
        paint = [(r, 1.0, "aching") for r in regions]
        if name == "m4":
            paint.append((D, 0.01, "aching"))  # below the 2% threshold: not counted as painted
        _make(d / f"{name}.bodymap", paint)
    return d


def test_stats_counts_pairs_and_extent(stats_folder, capsys):
    rc, out, err = _run(["stats", stats_folder, "--json"], capsys)
    assert rc == 0, err
    s = json.loads(out)
    assert s["maps"] == 5
    count = {r["id"]: r["count"] for r in s["regions"]}
    assert count["right_calf"] == 3 and count["right_posterior_thigh"] == 3 and count["left_lower_back"] == 2
    assert count["left_heel"] == 0
    assert sum(count.values()) == 8
    pair = {(p["a"], p["b"]): p for p in s["pairs"]}
    ab = pair.get(("right_calf", "right_posterior_thigh")) or pair[("right_posterior_thigh", "right_calf")]
    # by hand: n=5, both=2 (m1, m5), calf only=1 (m2), thigh only=1 (m3), neither=1 (m4)
    assert ab["count"] == 2
    assert ab["jaccard"] == pytest.approx(2 / 4, abs=1e-6)
    assert ab["phi"] == pytest.approx((2 * 1 - 1 * 1) / math.sqrt(3 * 2 * 3 * 2), abs=1e-6)
    assert s["pairs"][0]["count"] == 2  # sorted by count
    ext = [bodymap.load(f).extent_percent()["total"] for f in sorted(stats_folder.glob("*.bodymap"))]
    q1, med, q3 = np.percentile(ext, [25, 50, 75])
    assert s["extent_percent"]["median"] == pytest.approx(med, abs=1e-3)
    assert s["extent_percent"]["iqr"] == pytest.approx(q3 - q1, abs=1e-3)


def test_stats_text_output(stats_folder, capsys):
    rc, out, err = _run(["stats", stats_folder], capsys)
    assert rc == 0, err
    assert "5 maps" in out and "right_calf" in out and "median" in out
    assert "stats: 5 of 5 maps read" in err  # not a TTY: a final count line


# ---------------------------------------------------------------------------
# Folder runs: bad files, progress, streaming


def test_folder_runs_keep_going_name_bad_files_and_still_write(stats_folder, tmp_path, capsys):
    d = tmp_path / "mixed"
    shutil.copytree(stats_folder, d)
    (d / "broken.bodymap").write_text('{"format": "bodymap", "format_version": 1')
    (d / "other.bodymap").write_text('{"format": "something else"}')
    out_csv, out_png = tmp_path / "m.csv", tmp_path / "m.png"
    for argv, out in ((["export", d, "--csv", "-o", out_csv], out_csv), (["heatmap", d, "-o", out_png], out_png),
                      (["stats", d, "--json"], None)):
        rc, stdout, err = _run(argv, capsys)
        assert rc == 2
        assert "Traceback" not in err
        assert "broken.bodymap" in err and "other.bodymap" in err
        assert "5 of 7 maps read, 2 bad" in err
        if out is not None:
            assert out.exists()
        else:
            assert json.loads(stdout)["maps"] == 5
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text())))
    assert len(rows) == 5


def test_maps_on_another_grid_are_migrated_not_rejected(tmp_path, capsys):
    d = tmp_path / "grid"
    d.mkdir()
    m = PainMap(load_atlas(), scale=40)  # a coarser grid than the default
    m.paint_region("right_calf", 1.0, "burning")
    fileformat.save(m, d / "coarse.bodymap")
    rc, out, err = _run(["stats", d, "--json"], capsys)
    assert rc == 0, err
    count = {r["id"]: r["count"] for r in json.loads(out)["regions"]}
    assert count["right_calf"] == 1 and sum(count.values()) == 1
    rc, out, err = _run(["export", d, "--csv"], capsys)
    row = next(csv.DictReader(io.StringIO(out)))
    assert float(row["cov_right_calf"]) > 0.95 and float(row["extent_burning"]) == pytest.approx(
        m.extent_percent()["by_sensation"]["burning"], rel=0.05)


def test_progress_bar_only_on_a_tty(stats_folder):
    from bodymap.exports.common import Decoder, FolderRun, list_maps

    class Tty(io.StringIO):
        def isatty(self):
            return True

    dec = Decoder()
    s = Tty()
    assert sum(1 for _ in FolderRun("stats", list_maps(stats_folder), dec, stream=s)) == 5
    assert "\r" in s.getvalue() and "[" in s.getvalue() and "5/5" in s.getvalue()
    s = io.StringIO()
    list(FolderRun("stats", list_maps(stats_folder), dec, stream=s))
    assert "\r" not in s.getvalue() and s.getvalue().strip() == "stats: 5 of 5 maps read"


def test_folder_runs_stream_memory_does_not_grow_with_the_number_of_maps(stats_folder, tmp_path):
    from bodymap.exports.common import Decoder, FolderRun, list_maps
    from bodymap.exports.research import Where, accumulate_heatmap, accumulate_stats

    src = sorted(stats_folder.glob("*.bodymap"))
    dec = Decoder()

    def peak(n: int) -> int:
        d = tmp_path / f"n{n}"
        d.mkdir()
        for k in range(n):
            os.link(src[k % len(src)], d / f"{k:05d}.bodymap")
        tracemalloc.start()
        accumulate_stats(FolderRun("s", list_maps(d), dec, stream=io.StringIO()), dec)
        accumulate_heatmap(FolderRun("h", list_maps(d), dec, stream=io.StringIO()), dec, Where())
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(20), peak(200)
    assert large < small + 2_000_000  # ten times the maps, (almost) the same memory


# ---------------------------------------------------------------------------
# import-regions


def test_import_regions_writes_loadable_maps_and_rejects_hostile_ids(tmp_path, capsys):
    src = tmp_path / "choir.csv"
    rows = [
        ["patient_id", "regions", "sensation", "numbness", "age", "intensity", "clinic"],
        ["p001", "right_calf; Lower back ; left front thigh", "burning", "yes", "61", "6", "A"],
        ["p002", "Right buttocks=sharp;Sacrum", "", "0", "", "", "B"],
        ["../evil", "right_calf", "", "", "", "", ""],
        ["/tmp/abs", "right_calf", "", "", "", "", ""],
        ["p003", "right_elbow_of_doom", "", "", "", "", ""],
    ]
    with open(src, "w", newline="") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "out"
    before = set(os.listdir(tmp_path))
    rc, stdout, err = _run(["import-regions", src, out], capsys)
    assert rc == 2
    assert "Traceback" not in err
    assert "../evil" in err and "/tmp/abs" in err and "right_elbow_of_doom" in err
    assert "clinic" in err  # ignored column named
    assert sorted(os.listdir(out)) == ["p001.bodymap", "p002.bodymap"]
    assert set(os.listdir(tmp_path)) == before | {"out"}  # nothing written beside OUTDIR
    assert not Path("/tmp/abs.bodymap").exists()

    m1 = bodymap.load(out / "p001.bodymap")
    cov = m1.region_coverage()
    for rid in ("right_calf", "left_lower_back", "right_lower_back", "left_anterior_thigh", "left_lateral_thigh",
                "left_medial_thigh"):
        assert cov[rid] > 0.99  # paint_region(..., 1.0) misses a few disconnected pixels of some regions
    assert "right_anterior_thigh" not in cov
    assert m1.sensations_present() == ["burning"]
    assert m1.answers["numbness"] is True and m1.answers["age"] == 61 and m1.intensity["overall"] == 6

    m2 = bodymap.load(out / "p002.bodymap")
    cov = m2.region_coverage()
    assert {r for r, c in cov.items() if c > 0.99} == {"right_buttock", "right_lower_buttock", "right_sacroiliac",
                                                        "sacrum"}
    assert m2.region_coverage("sharp").keys() == {"right_buttock", "right_lower_buttock", "right_sacroiliac"}
    assert m2.answers["numbness"] is False

    # a second run refuses to overwrite unless asked
    rc, _, err = _run(["import-regions", src, out], capsys)
    assert rc == 2 and "already exists" in err
    rc, _, err = _run(["import-regions", src, out, "--overwrite"], capsys)
    assert "already exists" not in err


def test_patient_id_rules_and_alias_table():
    from bodymap.errors import UsageError
    from bodymap.exports.importer import alias_table, check_table, name_key, safe_patient_id

    for bad in ("", "..", "../x", "a/b", "a\\b", "/etc/passwd", "a\x00b", ".hidden", "-rf", "a b", "x" * 101,
                "a..b"):
        with pytest.raises(UsageError):
            safe_patient_id(bad)
    for good in ("p001", "MRN-12345", "study_7.v2", "A"):
        assert safe_patient_id(good) == good
    assert check_table(alias_table(), load_atlas()) == []
    assert name_key("Left front-shoulder") == name_key("front left shoulder") == ("left", "front shoulder")
    assert name_key("Posterior thigh (right)") == ("right", "back thigh")
