"""The command line at its edges: --version, closed pipes, paths the painting window cannot use, write errors.

Run as a user runs it: a subprocess, headless. Issue 13, item 5.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import bodymap
from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import PainMap


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1",
             BODYMAP_CACHE=str(tmp_path_factory.mktemp("cli-cache")),
             XDG_CONFIG_HOME=str(tmp_path_factory.mktemp("config")))
    e.pop("BODYMAP_DEBUG", None)
    return e


def run(env, *args, cwd=None, python_flags=(), **kw):
    return subprocess.run([sys.executable, *python_flags, "-m", "bodymap", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=120, **kw)


def one_line_error(res) -> str:
    """Exit 2 and one 'bodymap: ...' error line (folder commands may first print how many maps they read)."""
    assert res.returncode == 2, f"exit {res.returncode}: {res.stderr}"
    assert "Traceback" not in res.stderr + res.stdout
    lines = [x for x in res.stderr.strip().splitlines() if not x.endswith(" maps read")]
    assert len(lines) == 1 and lines[0].startswith("bodymap: "), res.stderr
    return lines[0]


@pytest.fixture(scope="module")
def a_map(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    m = PainMap(load_atlas())
    m.paint_region("right_calf", 0.7, "burning")
    m.paint_region("left_buttock", 0.4)
    fileformat.save(m, folder / "a.bodymap")
    fileformat.save(m, folder / "b.bodymap")
    return folder / "a.bodymap"


def test_version(env):
    res = run(env, "--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"bodymap {bodymap.__version__}"


# ---------------------------------------------------------------------------
# a reader that goes away (`bodymap ... | head`)


def run_into_closed_pipe(env, *args):
    """Run with stdout a pipe whose reading end is already closed: every write fails with EPIPE."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run([sys.executable, "-m", "bodymap", *map(str, args)], stdout=w, stderr=subprocess.PIPE,
                              text=True, env=env, timeout=120)
    finally:
        os.close(w)


@pytest.mark.parametrize("args", [("atlas", "regions"), ("--help",), ("show", "MAP", "--json"),
                                  ("export", "FOLDER", "--csv"), ("match", "FOLDER")])
def test_a_closed_pipe_ends_quietly_with_status_0(env, a_map, args):
    args = [a_map if a == "MAP" else a_map.parent if a == "FOLDER" else a for a in args]
    res = run_into_closed_pipe(env, *args)
    assert res.returncode == 0, res.stderr
    assert "Broken pipe" not in res.stderr and "BrokenPipeError" not in res.stderr and "Traceback" not in res.stderr


def test_head_gets_its_lines_and_bodymap_exits_0(env):
    # the shell way: `bodymap atlas regions | head -n 2`
    res = subprocess.run(f'"{sys.executable}" -m bodymap atlas regions | head -n 2; echo "status=${{PIPESTATUS[0]}}"',
                         shell=True, executable="/bin/bash", capture_output=True, text=True, env=env, timeout=120)
    lines = res.stdout.strip().splitlines()
    assert len(lines) == 3 and lines[-1] == "status=0", res.stdout + res.stderr
    assert res.stderr == ""


# ---------------------------------------------------------------------------
# paint: names the window could never open, refused before it opens


def test_paint_a_text_file_exits_2_without_a_window(env, tmp_path):
    (tmp_path / "notes.txt").write_text("not a map")
    for name in ("notes.txt", "missing.txt"):
        line = one_line_error(run(env, "paint", name, cwd=tmp_path))
        assert name in line and ".bodymap" in line


def test_paint_a_folder_exits_2_without_a_window(env, tmp_path):
    (tmp_path / "maps.bodymap").mkdir()
    for name in ("maps.bodymap", str(tmp_path)):
        line = one_line_error(run(env, "paint", name, cwd=tmp_path))
        assert f"{name}: is a folder" in line


def test_paint_into_a_missing_folder_exits_2(env, tmp_path):
    line = one_line_error(run(env, "paint", "nowhere/x.bodymap", cwd=tmp_path))
    assert "nowhere/x.bodymap" in line and "does not exist" in line


# ---------------------------------------------------------------------------
# write errors name the path the user typed, never the hidden temp file


@pytest.mark.parametrize("cmd", [
    ("new", "{out}.bodymap", "--paint", "right_calf"),
    ("render", "MAP", "-o", "{out}.png"),
    ("atlas", "render", "-o", "{out}.png", "--height", "400"),
    ("report", "MAP", "-o", "{out}.pdf"),
    ("export", "MAP", "--fhir", "-o", "{out}.json"),
    ("export", "FOLDER", "--csv", "-o", "{out}.csv"),
    ("export", "FOLDER", "--parquet", "-o", "{out}.parquet"),
    ("heatmap", "FOLDER", "-o", "{out}.png", "--height", "400"),
])
def test_a_write_error_names_the_path_typed(env, a_map, cmd):
    out = "/proc/bodymap-out"  # an existing folder that takes no new files, even for root
    args = [a_map if a == "MAP" else a_map.parent if a == "FOLDER" else a.format(out=out) for a in cmd]
    typed = next(a for a in args if isinstance(a, str) and a.startswith(out))
    line = one_line_error(run(env, *args))
    assert line.startswith(f"bodymap: {typed}: cannot "), line
    assert ".tmp" not in line


def test_a_write_error_in_a_relative_folder_names_the_relative_path(env, a_map, tmp_path):
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.png").mkdir()  # a folder where the picture should go: the rename must fail
    line = one_line_error(run(env, "render", a_map, "-o", "locked/x.png", cwd=tmp_path))
    assert "locked/x.png" in line and ".tmp" not in line
    assert sorted(p.name for p in (tmp_path / "locked").iterdir()) == ["x.png"]  # no temp file left behind


# ---------------------------------------------------------------------------
# --size: one parser, which python -O cannot switch off


@pytest.mark.parametrize("cmd", [("paint",), ("review", "FOLDER"), ("kiosk", "--windowed")])
@pytest.mark.parametrize("size,why", [("1280", "must look like"), ("wide", "must look like"),
                                      ("5x5", "out of range"), ("1280x800x2", "must look like")])
def test_a_bad_size_is_refused_even_under_python_O(env, a_map, cmd, size, why):
    args = [a_map.parent if a == "FOLDER" else a for a in cmd]
    line = one_line_error(run(env, *args, "--size", size, python_flags=("-O",)))
    assert "--size" in line and why in line and size in line
