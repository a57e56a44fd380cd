"""The `bodymap` command, run as a user runs it: a subprocess, headless."""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections import defaultdict

import pytest

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import PainMap

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1",
             BODYMAP_CACHE=str(tmp_path_factory.mktemp("cli-cache")))
    e.pop("BODYMAP_DEBUG", None)
    return e


def run(env, *args, cwd=None):
    return subprocess.run([sys.executable, "-m", "bodymap", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def assert_one_line_error(res, *fragments):
    assert res.returncode == 2, f"exit {res.returncode}: {res.stderr}"
    assert "Traceback" not in res.stderr + res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("bodymap: ")
    for f in fragments:
        assert f in lines[0], f"{f!r} not in {lines[0]!r}"


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    # IHDR: width and height, big-endian, at bytes 16-24
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


# ---------------------------------------------------------------------------
# atlas


@pytest.fixture(scope="module")
def regions_json(env):
    res = run(env, "atlas", "regions", "--json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_atlas_regions_json_has_the_documented_shape(regions_json):
    assert set(regions_json) == {"regions"}
    items = regions_json["regions"]
    assert items
    for it in items:
        assert set(it) == {"id", "view", "side", "name", "area_percent"}
        assert it["view"] in ("front", "back")
        assert it["side"] in ("left", "right", "midline")
        if it["side"] != "midline":
            assert it["id"].startswith(it["side"] + "_")
            assert it["name"].startswith(it["side"] + " ")
        assert isinstance(it["area_percent"], float) and 0 < it["area_percent"] < 100
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids))
    for rid in ("right_calf", "left_lateral_leg", "sacrum", "perineum", "right_groin", "left_heel"):
        assert rid in ids


def test_atlas_regions_area_percents_sum_to_about_100_per_view(regions_json):
    total = defaultdict(float)
    for it in regions_json["regions"]:
        total[it["view"]] += it["area_percent"]
    assert set(total) == {"front", "back"}
    for view, t in total.items():
        # >= 99.5 % coverage, <= 0.1 % overlap, 4-decimal rounding of ~45 numbers
        assert 99.4 <= t <= 100.2, f"{view}: {t:.3f}%"


def test_atlas_regions_mirror_pairs_have_equal_areas(regions_json):
    by_id = {it["id"]: it for it in regions_json["regions"]}
    for rid, it in by_id.items():
        if it["side"] == "right":
            other = by_id["left_" + rid[len("right_"):]]
            assert other["area_percent"] == pytest.approx(it["area_percent"], abs=2e-4)
            assert other["view"] == it["view"]


def test_atlas_regions_text_lists_every_region(env, regions_json):
    res = run(env, "atlas", "regions")
    assert res.returncode == 0
    listed = [line.split()[0] for line in res.stdout.splitlines() if line.strip()]
    assert listed == [it["id"] for it in regions_json["regions"]]


def test_atlas_check_prints_coverage_and_passes(env):
    res = run(env, "atlas", "check")
    assert res.returncode == 0, res.stderr
    cov = dict(re.findall(r"^(front|back): .*?coverage ([0-9.]+)%", res.stdout, re.M))
    assert set(cov) == {"front", "back"}
    assert all(float(v) >= 99.5 for v in cov.values())
    assert "atlas ok" in res.stdout
    assert res.stderr == ""


@pytest.mark.parametrize("layer", ["dermatomes", "regions"])
def test_atlas_render_writes_a_png(env, tmp_path, layer):
    out = tmp_path / f"atlas-{layer}.png"
    res = run(env, "atlas", "render", "-o", out, "--layer", layer, "--height", 420)
    assert res.returncode == 0, res.stderr
    w, h = png_size(out)
    assert h == 420
    assert w > 420 * 2 * (3.7 / 8.0) * 0.8  # two views side by side, each 3.7 x 8 head heights
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp")]


# ---------------------------------------------------------------------------
# new, show, render


@pytest.fixture(scope="module")
def made(env, tmp_path_factory):
    folder = tmp_path_factory.mktemp("made")
    out = folder / "visit.bodymap"
    res = run(env, "new", out,
              "--paint", "right_calf:0.5=burning",
              "--paint", "left_shin",
              "--paint", "right_lateral_leg:0.25=pins_and_needles",
              "--intensity", 6, "--answer", "numbness=yes", "--answer", "age=54", "--answer", "weakness=no",
              "--session-code", "K1")
    assert res.returncode == 0, res.stderr
    return out


def test_new_writes_a_private_bodymap_file(made):
    assert made.exists()
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    doc = json.loads(made.read_text())
    assert doc["format"] == "bodymap"


def test_new_paints_what_was_asked(made):
    m = fileformat.load(made)
    cov = m.region_coverage()
    assert set(cov) == {"right_calf", "left_shin", "right_lateral_leg"}
    assert cov["right_calf"] == pytest.approx(0.5, abs=0.01)
    assert cov["left_shin"] >= 0.99
    assert cov["right_lateral_leg"] == pytest.approx(0.25, abs=0.01)
    assert set(m.region_coverage("burning")) == {"right_calf"}
    assert set(m.region_coverage("pins_and_needles")) == {"right_lateral_leg"}
    assert set(m.region_coverage("aching")) == {"left_shin"}
    assert dict(m.answers) == {"numbness": True, "age": 54, "weakness": False}
    assert m.intensity == {"overall": 6}
    assert m.meta["session_code"] == "K1"
    # the same requests through the library give the same pixels
    ref = PainMap(load_atlas())
    ref.paint_region("right_calf", 0.5, "burning")
    ref.paint_region("left_shin", 1.0, "aching")
    ref.paint_region("right_lateral_leg", 0.25, "pins_and_needles")
    for v in ("front", "back"):
        assert (ref.layers(v) == m.layers(v)).all()


def test_show_prints_a_readable_summary(env, made):
    res = run(env, "show", made)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "right calf (50%)" in out
    assert "left shin (100%)" in out
    assert "burning" in out and "pins and needles" in out and "aching" in out
    assert "K1" in out
    assert "both sides painted: yes" in out
    assert "reaches:     leg" in out
    assert "overall 6/10" in out
    assert "numbness=yes" in out and "age=54" in out and "weakness=no" in out


def test_show_json(env, made):
    res = run(env, "show", made, "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    s = doc["summary"]
    assert s["regions"][0] == "left_shin"  # most covered first
    assert s["region_coverage"]["right_calf"] == pytest.approx(0.5, abs=0.01)
    assert s["both_sides"] is True and s["most_distal"] == "leg"
    assert s["extent_by_view"]["front"] > 0 and s["extent_by_view"]["back"] > 0
    assert doc["answers"] == {"numbness": True, "age": 54, "weakness": False}
    assert doc["intensity"] == {"overall": 6}


@pytest.mark.parametrize("overlay", ["none", "dermatomes"])
def test_render_draws_the_map_to_png(env, made, tmp_path, overlay):
    out = tmp_path / f"map-{overlay}.png"
    res = run(env, "render", made, "-o", out, "--overlay", overlay, "--height", 400)
    assert res.returncode == 0, res.stderr
    assert png_size(out)[1] == 400


def test_new_with_nothing_painted_is_an_empty_map(env, tmp_path):
    out = tmp_path / "empty.bodymap"
    assert run(env, "new", out).returncode == 0
    m = fileformat.load(out)
    assert m.is_empty and m.answers == {} and m.intensity == {}


# ---------------------------------------------------------------------------
# Bad input: exit 2, one line, no traceback, nothing written


BAD_NEW = {
    "unknown region": (["--paint", "right_kne"], ["right_kne", "right_knee"]),
    "fraction not a number": (["--paint", "right_calf:abc"], ["abc"]),
    "fraction above one": (["--paint", "right_calf:1.5"], ["fraction"]),
    "fraction zero": (["--paint", "right_calf:0"], ["fraction"]),
    "unknown sensation": (["--paint", "right_calf:0.5=itchy"], ["itchy"]),
    "yes/no answer not yes or no": (["--answer", "numbness=maybe"], ["numbness", "maybe"]),
    "age not a number": (["--answer", "age=old"], ["age", "old"]),
    "age out of range": (["--answer", "age=200"], ["age"]),
    "unknown answer key": (["--answer", "mood=good"], ["mood"]),
    "answer without a value": (["--answer", "numbness"], ["KEY=VALUE"]),
    "intensity out of range": (["--intensity", "11"], ["intensity"]),
    "intensity not a number": (["--intensity", "lots"], ["intensity"]),
}


@pytest.mark.parametrize("case", sorted(BAD_NEW))
def test_new_with_bad_input_exits_2(env, tmp_path, case):
    args, fragments = BAD_NEW[case]
    out = tmp_path / "x.bodymap"
    res = run(env, "new", out, *args)
    assert_one_line_error(res, *fragments)
    assert list(tmp_path.iterdir()) == [], "nothing should be written"


def test_new_into_a_missing_folder_exits_2(env, tmp_path):
    res = run(env, "new", tmp_path / "nowhere" / "x.bodymap", "--paint", "right_calf")
    assert_one_line_error(res, "does not exist")
    assert not (tmp_path / "nowhere").exists()


def test_new_with_the_wrong_extension_exits_2(env, tmp_path):
    res = run(env, "new", tmp_path / "x.txt", "--paint", "right_calf")
    assert_one_line_error(res, ".bodymap")
    assert list(tmp_path.iterdir()) == []


def test_render_with_the_wrong_extension_exits_2(env, made, tmp_path):
    res = run(env, "render", made, "-o", tmp_path / "map.jpg")
    assert_one_line_error(res, ".png")
    assert list(tmp_path.iterdir()) == []


def test_atlas_render_into_a_missing_folder_exits_2(env, tmp_path):
    res = run(env, "atlas", "render", "-o", tmp_path / "no" / "a.png")
    assert_one_line_error(res, "does not exist")


def test_atlas_render_with_an_absurd_height_exits_2(env, tmp_path):
    res = run(env, "atlas", "render", "-o", tmp_path / "a.png", "--height", 5)
    assert_one_line_error(res, "height")


def test_atlas_check_on_a_missing_folder_exits_2(env, tmp_path):
    assert_one_line_error(run(env, "atlas", "check", "--root", tmp_path / "none"), "no such folder")


def test_show_a_missing_file_exits_2(env, tmp_path):
    assert_one_line_error(run(env, "show", tmp_path / "none.bodymap"), "no such file")


def test_unknown_command_exits_2(env):
    assert_one_line_error(run(env, "paint-by-numbers"), "invalid choice")


def test_unwritable_output_path_is_bad_input_not_an_internal_error(env, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, so nothing can be created under it")
    m = tmp_path / "m.bodymap"
    assert run(env, "new", m, "--paint", "right_calf").returncode == 0
    for args in (["render", m, "-o", blocker / "x.png"], ["new", blocker / "y.bodymap"],
                 ["atlas", "render", "-o", blocker / "a.png"]):
        assert_one_line_error(run(env, *args))


def test_new_never_overwrites_without_asking(env, tmp_path):
    m = tmp_path / "m.bodymap"
    assert run(env, "new", m, "--paint", "right_calf").returncode == 0
    before = m.read_bytes()
    assert_one_line_error(run(env, "new", m, "--paint", "left_calf"), "--overwrite")
    assert m.read_bytes() == before
    assert run(env, "new", m, "--paint", "left_calf", "--overwrite").returncode == 0
    assert m.read_bytes() != before
