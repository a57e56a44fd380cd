"""Group comparisons (stats/heatmap --by): a planted difference is found; no difference finds nothing
beyond the false-discovery rate. Fisher's exact test, chi-square and Benjamini-Hochberg checked against
published values."""
from __future__ import annotations

import json
import random

import numpy as np
import pytest

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.cli import main
from bodymap.exports.groups import Group, GroupRun, compare_regions
from bodymap.painting import PainMap
from bodymap.stats_tests import bh_adjust, chi2_sf, chi_square_2xk, fisher_exact

REGIONS = ("right_lower_back", "left_lower_back", "right_buttock", "right_posterior_thigh", "right_calf",
           "left_calf", "right_lateral_leg", "left_buttock")


def test_fisher_exact_matches_published_values():
    assert fisher_exact(3, 1, 1, 3) == pytest.approx(0.4857142857, abs=1e-9)  # Fisher's tea-tasting lady
    assert fisher_exact(10, 0, 0, 10) == pytest.approx(2 / 184756, rel=1e-9)  # 2 / C(20, 10)
    assert fisher_exact(1, 9, 11, 3) == pytest.approx(0.002759456, rel=1e-6)  # R: fisher.test(matrix(c(1,11,9,3),2))
    assert fisher_exact(5, 5, 5, 5) == pytest.approx(1.0)


def test_chi_square_and_bh_match_published_values():
    assert chi2_sf(3.841458820694124, 1) == pytest.approx(0.05, rel=1e-9)  # the 5% critical values
    assert chi2_sf(5.991464547107979, 2) == pytest.approx(0.05, rel=1e-9)
    assert chi2_sf(18.307038053275146, 10) == pytest.approx(0.05, rel=1e-8)
    stat, df, p = chi_square_2xk([10, 20], [50, 50])  # 2 x 2: (10*30-20*40)^2*100/(30*70*50*50)
    assert (stat, df) == (pytest.approx(100 * 500 ** 2 / (30 * 70 * 50 * 50)), 1)
    # Benjamini & Hochberg 1995 step-up: q_(i) = min_{j>=i} p_(j) m / j
    assert bh_adjust([0.01, 0.04, 0.03, 0.2]) == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])


def _null_run(rng: np.random.Generator, n: int, regions: int) -> GroupRun:
    groups = {}
    for name in ("A", "B"):
        painted = rng.binomial(n, 0.3, size=regions)
        groups[name] = Group(name, n, painted, painted.astype(float))
    return GroupRun("arm", groups, 0, (1, 1), {})


def test_without_a_difference_discoveries_stay_within_the_fdr():
    # under the global null BH bounds the chance of ANY discovery by the FDR (5%); Fisher is conservative
    rng = np.random.default_rng(25)
    runs_with_discoveries = sum(any(r["differs"] for r in compare_regions(_null_run(rng, 40, 30),
                                                                          [f"r{i}" for i in range(30)]))
                                for _ in range(60))
    assert runs_with_discoveries <= 6  # 10% of 60: the expected count is under 3


def _folder(tmp_path, planted: bool, n: int = 40, seed: int = 7):
    atlas = load_atlas()
    rng = random.Random(seed)
    for i in range(n):
        arm = "A" if i % 2 == 0 else "B"
        m = PainMap(atlas)
        m.visit.update({"recorded_by": f"arm {arm}", "visit_date": f"202{4 + i % 3}-05-01"})
        for r in REGIONS:
            p = 0.35
            if planted and r == "right_calf":
                p = 0.85 if arm == "A" else 0.15
            if rng.random() < p:
                m.paint_region(r, 1.0)
        m.answers["age"] = 25 + (i * 7) % 50
        fileformat.save(m, tmp_path / f"m{i:03d}.bodymap")
    return tmp_path


def test_a_planted_difference_is_found(tmp_path, capsys):
    _folder(tmp_path, planted=True)
    assert main(["stats", str(tmp_path), "--by", "recorded_by", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert [(g["group"], g["n"]) for g in s["groups"]] == [("arm A", 20), ("arm B", 20)]
    found = [d["region"] for d in s["differences"] if d["differs"]]
    assert found == ["right_calf"]
    calf = next(d for d in s["differences"] if d["region"] == "right_calf")
    assert calf["counts"][0] > calf["counts"][1]
    # the text output states each group's n and marks the difference
    assert main(["stats", str(tmp_path), "--by", "recorded_by"]) == 0
    out = capsys.readouterr().out
    assert "arm A (n=20); arm B (n=20)" in out and "1 region differ" in out


def test_no_planted_difference_finds_nothing(tmp_path, capsys):
    _folder(tmp_path, planted=False)
    assert main(["stats", str(tmp_path), "--by", "recorded_by", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["regions_tested"] == len(REGIONS)
    assert not any(d["differs"] for d in s["differences"])


def test_groups_from_a_side_csv_and_derived_columns(tmp_path, capsys):
    _folder(tmp_path, planted=True, n=12)
    side = tmp_path.parent / "arms.csv"
    side.write_text("file,arm\n" + "".join(f"m{i:03d}.bodymap,{'x' if i < 4 else 'y'}\n" for i in range(11)))
    assert main(["stats", str(tmp_path), "--by", "arm", "--groups", str(side), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert [(g["group"], g["n"]) for g in s["groups"]] == [("x", 4), ("y", 7)]
    assert s["maps_without_value"] == 1  # m011 is not in the side CSV
    assert main(["stats", str(tmp_path), "--by", "visit_year", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert [g["group"] for g in s["groups"]] == ["2024", "2025", "2026"] and s["test"].startswith("chi-square")
    assert main(["stats", str(tmp_path), "--by", "no_such_column"]) == 2
    assert "no such column" in capsys.readouterr().err


def test_side_by_side_heat_maps_share_one_colour_scale(tmp_path):
    import pygame

    from bodymap.render.groups import PanelShares, render_group_heatmaps
    from bodymap.heatscale import colour_scale

    atlas = load_atlas()
    r = atlas.raster()
    calf = r.labels["back"] == atlas.region_ids.index("right_calf")
    full = {"front": np.zeros(r.shape, np.uint32), "back": calf.astype(np.uint32) * 10}
    half = {"front": np.zeros(r.shape, np.uint32), "back": calf.astype(np.uint32) * 5}
    surf = render_group_heatmaps(atlas, [("A", full, 10), ("B", half, 10)], r.body, "t", height=600)
    a = PanelShares(full, 10, r.body, 1.0)
    assert a.max_share == 1.0
    # the calf of B (50% of its maps) is drawn with the scale's middle colour, not its top colour
    w = surf.get_width()
    px = pygame.surfarray.array3d(surf)  # (w, h, 3)
    top, mid = colour_scale(1.0), colour_scale(0.5)
    left, right = px[: w // 2], px[w // 2:]
    assert (np.all(left == top, axis=-1)).sum() > 100  # A's calf at the top of the scale
    assert (np.all(right == mid, axis=-1)).sum() > 100  # B's calf at the middle: one scale for both
    assert (np.all(right == top, axis=-1)).sum() < 50  # (only the legend bar touches the top colour)


def test_heatmap_by_writes_a_picture(tmp_path, capsys):
    (tmp_path / "maps").mkdir()
    _folder(tmp_path / "maps", planted=True, n=8)
    out = tmp_path / "g.png"
    assert main(["heatmap", str(tmp_path / "maps"), "--by", "recorded_by", "-o", str(out), "--height", "400"]) == 0
    assert out.stat().st_size > 1000


def test_co_occurrence_of_imported_maps_is_by_choir_segment(tmp_path, capsys):
    from bodymap.exports.choir import choir_table

    atlas = load_atlas()
    t = choir_table()
    for i, codes in enumerate(([116, 219], [116], [116, 219, 234])):  # 116 paints upper and lower abdomen
        m = PainMap(atlas)
        for c in codes:
            for rid in t.regions(c):
                m.paint_region(rid, 1.0)
        fileformat.save(m, tmp_path / f"c{i}.bodymap")
    assert main(["stats", str(tmp_path), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["pairs_over"] == "choir_segments"
    pairs = {(p["a"], p["b"]): p["count"] for p in s["pairs"]}
    assert pairs[("116", "219")] == 2
    # the abdomen's two bodymap regions are one segment: they never pair with each other
    assert all("abdomen" not in p["a"] for p in s["pairs"])


# (b"\xff\xfe..." was the non-UTF-8 case; it is UTF-16's byte-order mark, now read as Excel's "Unicode Text": ADR 0043)
@pytest.mark.parametrize("content, words", [(b"\x80\x81\x00bad", "not UTF-8"), (b"name,arm\nx,1\n", "'file' column")])
def test_a_bad_side_csv_is_one_line(tmp_path, capsys, content, words):
    (tmp_path / "maps").mkdir()
    _folder(tmp_path / "maps", planted=False, n=2)
    side = tmp_path / "side.csv"
    side.write_bytes(content)
    assert main(["stats", str(tmp_path / "maps"), "--by", "arm", "--groups", str(side)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
