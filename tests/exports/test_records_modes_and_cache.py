"""Issue 22's two gaps (records, issue 21 session): the atlas cache reader refuses a FIFO (it hung every command
that built a raster), and PNG pictures and PDF reports follow the umask like the exports, 0600 when they hold a
patient identifier or a note."""
from __future__ import annotations

import os
import stat
import threading

import numpy as np
import pytest

from bodymap import atlas as atlas_mod
from bodymap import cli, fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import PainMap


def _unblock(fifo) -> None:
    """Give a reader stuck on the FIFO a writer, so a failing test does not hang the run."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass


def _in_thread(fn, fifo):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("value", fn()), daemon=True)
    t.start()
    t.join(60)
    if t.is_alive():
        _unblock(fifo)
        t.join(5)
        pytest.fail(f"reading the atlas cache blocked on the FIFO {fifo}")
    return out["value"]


def test_a_fifo_in_the_atlas_cache_is_replaced_not_read(tmp_path, monkeypatch):
    monkeypatch.setenv("BODYMAP_CACHE", str(tmp_path))
    atlas = load_atlas()
    want = atlas.raster(40.0)
    raster_fifo = atlas_mod._cache_path(atlas.content_hash, "raster-40.npz")
    geom_fifo = atlas_mod._cache_path(atlas.content_hash, "geom.npz")
    for f in (raster_fifo, geom_fifo):
        if f.exists():
            f.unlink()
        os.mkfifo(f)
    got = _in_thread(lambda: atlas_mod._cached_raster(atlas, 40.0), raster_fifo)
    assert all(np.array_equal(got.labels[v], want.labels[v]) for v in ("front", "back"))
    assert stat.S_ISREG(os.lstat(raster_fifo).st_mode)  # rebuilt as a regular file
    assert _in_thread(lambda: atlas_mod._load_geometry_cache(tmp_path, atlas.content_hash), geom_fifo) is None
    assert not geom_fifo.exists()  # refused and removed: the next load writes it again


@pytest.fixture
def umask():
    old = os.umask(0o022)
    yield lambda m: os.umask(m)
    os.umask(old)


def _map(path, **visit):
    m = PainMap(load_atlas())
    m.paint_region("right_calf", 1.0, "burning")
    m.set_visit(**visit)
    fileformat.save(m, path)
    return path


def _run(argv, capsys):
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as exc:
        rc = exc.code
    return rc, capsys.readouterr().err


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask, want", [(0o022, 0o644), (0o077, 0o600)])
def test_pictures_and_anonymous_reports_follow_the_umask(tmp_path, capsys, umask, mask, want):
    src = _map(tmp_path / "kiosk.bodymap")
    umask(mask)
    rc, err = _run(["render", src, "-o", tmp_path / "map.png"], capsys)
    assert rc == 0, err
    rc, err = _run(["heatmap", tmp_path, "-o", tmp_path / "freq.png"], capsys)
    assert rc == 0, err
    rc, err = _run(["report", src, "-o", tmp_path / "report.pdf"], capsys)
    assert rc == 0, err
    assert [_mode(tmp_path / n) for n in ("map.png", "freq.png", "report.pdf")] == [want] * 3


def test_a_report_that_holds_an_identifier_or_a_note_is_0600_whatever_the_umask(tmp_path, capsys, umask):
    umask(0o022)
    for name, visit in (("id", {"patient_id": "MRN-004217"}), ("note", {"note": "the postman from Elm Street"})):
        src = _map(tmp_path / f"{name}.bodymap", **visit)
        rc, err = _run(["report", src, "-o", tmp_path / f"{name}.pdf"], capsys)
        assert rc == 0, err
        assert _mode(tmp_path / f"{name}.pdf") == 0o600, name
    rc, err = _run(["similar", tmp_path / "id.bodymap", tmp_path, "-o", tmp_path / "similar.png"], capsys)
    assert rc in (0, 2), err
    assert _mode(tmp_path / "similar.png") == 0o600  # its captions name the files
