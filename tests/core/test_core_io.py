"""One codec, one atomic writer, one YAML reader, one window-size parser (issue 11 item 3, docs/adr/0006)."""
from __future__ import annotations

import base64
import json
import stat
import zlib

import numpy as np
import pytest

from bodymap import batch, fileformat
from bodymap.atlas import load_atlas
from bodymap.atomicio import AtomicWriter, clean_temp_files, write_atomic, write_atomic_via
from bodymap.errors import BodymapError, ConfigError, FileFormatError, FileWriteError, PatternError, UsageError
from bodymap.exports.common import Decoder
from bodymap.matcher import get_model, load_patterns, match
from bodymap.painting import SENSATIONS, PainMap
from bodymap.window_size import parse_window_size
from bodymap.yamlio import read_yaml


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


# ---------------------------------------------------------------------------
# atomic writes


class LibraryError(Exception):
    """Stands in for a writer library's own error type (pygame.error, reportlab's)."""


def test_write_atomic_replaces_the_file_with_the_mode_asked(tmp_path):
    p = tmp_path / "out.csv"
    p.write_text("old")
    assert write_atomic(p, "new text", 0o644) == p
    assert p.read_text() == "new text" and stat.S_IMODE(p.stat().st_mode) == 0o644
    write_atomic(p, b"\x00bytes")
    assert p.read_bytes() == b"\x00bytes" and stat.S_IMODE(p.stat().st_mode) == 0o600
    assert [x.name for x in tmp_path.iterdir()] == ["out.csv"]


def test_a_write_error_names_the_path_given_never_the_temp_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    seen = []

    def writer(tmp):
        seen.append(tmp)
        raise LibraryError(f"Couldn't open {tmp} for writing")

    with pytest.raises(FileWriteError) as ei:
        write_atomic_via("sub/pic.png", writer, errors=(LibraryError,))
    msg = str(ei.value)
    assert msg.startswith("sub/pic.png: cannot write (") and "Couldn't open sub/pic.png" in msg
    assert ".tmp" not in msg and seen and ".tmp" in seen[0]
    assert list((tmp_path / "sub").iterdir()) == []  # the temp file is gone


def test_a_system_error_names_the_path_given(tmp_path):
    with pytest.raises(FileWriteError) as ei:
        write_atomic("/proc/bodymap-test.bodymap", b"x")  # /proc takes no new files, even for root
    assert str(ei.value).startswith("/proc/bodymap-test.bodymap: cannot write (") and ".tmp" not in str(ei.value)


def test_an_error_type_the_writer_did_not_name_is_not_hidden(tmp_path):
    def writer(tmp):
        raise LibraryError("a bug, not a disk problem")

    with pytest.raises(LibraryError):
        write_atomic_via(tmp_path / "a.png", writer)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_file(tmp_path):
    p = tmp_path / "report.pdf"
    p.write_bytes(b"old report")

    def half_then_fail(tmp):
        with open(tmp, "wb") as fh:
            fh.write(b"half a rep")
        raise OSError(28, "No space left on device")

    with pytest.raises(FileWriteError, match="report.pdf: cannot write \\(the disk is full\\)"):
        write_atomic_via(p, half_then_fail)
    assert p.read_bytes() == b"old report" and [x.name for x in tmp_path.iterdir()] == ["report.pdf"]


def test_the_temp_name_keeps_the_extension_for_writers_that_pick_a_format_by_it(tmp_path):
    names = []
    write_atomic_via(tmp_path / "map.png", lambda tmp: (names.append(tmp), open(tmp, "wb").write(b"png")))
    assert names[0].endswith(".png") and (tmp_path / "map.png").read_bytes() == b"png"


def test_streaming_writer_commits_or_leaves_nothing(tmp_path):
    p = tmp_path / "rows.csv"
    with AtomicWriter(p, 0o644) as fh:
        fh.write("a,b\n")
        assert not p.exists()  # nothing visible until the commit
    assert p.read_text() == "a,b\n"
    with pytest.raises(KeyError):
        with AtomicWriter(p) as fh:
            fh.write("half")
            raise KeyError("interrupted")
    assert p.read_text() == "a,b\n" and [x.name for x in tmp_path.iterdir()] == ["rows.csv"]


def test_writing_onto_a_folder_or_into_a_missing_one_is_one_clear_error(tmp_path):
    with pytest.raises(FileWriteError, match="is a folder"):
        write_atomic(tmp_path, b"x")
    with pytest.raises(FileWriteError, match="does not exist"):
        write_atomic(tmp_path / "no" / "x.csv", b"x")


def test_clean_temp_files_removes_what_a_killed_writer_left(tmp_path):
    (tmp_path / ".a.bodymap.k2j3.tmp").write_bytes(b"")
    (tmp_path / ".pic.png.k2j3.tmp.png").write_bytes(b"")
    (tmp_path / "keep.bodymap").write_bytes(b"")
    assert clean_temp_files(tmp_path, older_than_s=0) == 2
    assert [x.name for x in tmp_path.iterdir()] == ["keep.bodymap"]


# ---------------------------------------------------------------------------
# YAML


def test_yaml_over_the_cap_is_refused_before_parsing(tmp_path):
    p = tmp_path / "big.yaml"
    p.write_text("".join(f"a{i}: 1\n" for i in range(100)))
    assert read_yaml(p, max_bytes=10_000) == {f"a{i}": 1 for i in range(100)}
    with pytest.raises(ConfigError, match=r"big.yaml: .*too large for a test file"):
        read_yaml(p, ConfigError, max_bytes=100, what="a test file")


def test_yaml_aliases_and_bad_text_are_one_line_naming_the_file(tmp_path):
    p = tmp_path / "bomb.yaml"
    p.write_text("a: &x [1, 2]\nb: *x\n")
    with pytest.raises(BodymapError, match="bomb.yaml: YAML aliases"):
        read_yaml(p)
    p.write_bytes(b"\xff\xfe not text")
    with pytest.raises(BodymapError, match="bomb.yaml: cannot read"):
        read_yaml(p)
    with pytest.raises(BodymapError, match="gone.yaml: file not found"):
        read_yaml(tmp_path / "gone.yaml")


def test_every_project_yaml_reader_has_a_size_cap(tmp_path):
    """The pattern library had no cap before: it now refuses an oversized file like every other YAML."""
    from bodymap.exports.fhir import snomed_table

    big = tmp_path / "patterns.yaml"
    with open(big, "wb") as fh:
        fh.write(b"schema: bodymap.patterns/1\n")
        fh.truncate(3_000_000)
    with pytest.raises(PatternError, match="too large"):
        load_patterns(big)
    with pytest.raises(ConfigError, match="too large"):
        snomed_table(str(big))


# ---------------------------------------------------------------------------
# --size


@pytest.mark.parametrize("text,size", [("1280x800", (1280, 800)), ("1400X900", (1400, 900)), (" 320x240 ", (320, 240))])
def test_window_sizes(text, size):
    assert parse_window_size(text) == size


@pytest.mark.parametrize("text", ["1280", "1280x", "x800", "a x b", "1280x800x2", "319x240", "1280x20000", ""])
def test_bad_window_sizes(text):
    with pytest.raises(UsageError, match="--size"):
        parse_window_size(text)


# ---------------------------------------------------------------------------
# one codec: load, the batch scorer and the folder exports read a file the same way


def _reordered(raw: bytes, order: list[str]) -> bytes:
    """The same map with its layer bits stored in another sensation order (as a future bodymap might)."""
    doc = json.loads(raw)
    rows, cols = doc["layers"]["shape"]
    for v in ("front", "back"):
        r0, c0, sub = fileformat.decode_view(doc["layers"][v], rows, cols, v)
        out = np.zeros_like(sub)
        for i, s in enumerate(SENSATIONS):
            out |= (((sub >> i) & 1) << order.index(s)).astype(np.uint8)
        full = np.zeros((rows, cols), np.uint8)
        full[r0:r0 + sub.shape[0], c0:c0 + sub.shape[1]] = out
        doc["layers"][v] = fileformat.encode_view(full)
    doc["layers"]["sensations"] = order
    return json.dumps(doc).encode()


def test_the_three_readers_agree_on_a_file_with_another_sensation_order(atlas):
    m = PainMap(atlas)
    m.paint_region("right_lateral_leg", 0.6, "burning")
    m.paint_region("right_buttock", 1.0, "aching")
    m.paint_region("left_calf", 0.3, "numbness")
    raw = _reordered(fileformat.dumps(m), list(reversed(SENSATIONS)))
    loaded = fileformat.loads(raw, atlas)
    assert loaded.region_coverage() == pytest.approx(m.region_coverage())
    assert loaded.extent_percent()["by_sensation"] == pytest.approx(m.extent_percent()["by_sensation"])
    dec = Decoder(atlas)
    rec = dec.decode(raw, "r.bodymap")
    assert np.allclose(dec.coverage(rec, "burning"), dec.coverage(dec.decode(fileformat.dumps(m), "m"), "burning"))
    assert dec.extent(rec)["by_sensation"] == pytest.approx(m.extent_percent()["by_sensation"])
    f = batch.features_from_bytes(raw, get_model(atlas))
    assert [s for s, on in zip(SENSATIONS, f.sensations) if on] == sorted(
        {"burning", "aching", "numbness"}, key=SENSATIONS.index)


def test_one_rule_set_a_bad_intensity_is_refused_by_every_reader(atlas):
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5)
    doc = json.loads(fileformat.dumps(m))
    doc["intensity"] = {"overall": 11}
    raw = json.dumps(doc).encode()
    errors = []
    for read in (lambda: fileformat.loads(raw, atlas, where="x.bodymap"),
                 lambda: Decoder(atlas).decode(raw, "x.bodymap"),
                 lambda: batch.features_from_bytes(raw, get_model(atlas), "x.bodymap")):
        with pytest.raises(FileFormatError) as ei:
            read()
        errors.append(str(ei.value))
    assert len(set(errors)) == 1 and "intensity" in errors[0]


def test_the_batch_scores_a_map_from_another_grid_as_load_and_match_do(atlas, tmp_path):
    from bodymap import match

    m = PainMap(atlas, scale=40)  # a coarser grid than the default
    m.paint_region("right_lateral_leg", 1.0, "burning")
    p = tmp_path / "coarse.bodymap"
    fileformat.save(m, p)
    loaded = fileformat.load(p, atlas)
    assert loaded.region_coverage()["right_lateral_leg"] > 0.9
    r = batch.score_file(str(p))
    top = match(loaded).top
    assert r.error is None and r.top == top.id  # (the ranking shows "none" on the painted side)
    assert r.probability == pytest.approx(top.probability)


def test_the_scoring_path_skips_the_stroke_log(atlas):
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5)
    doc = json.loads(fileformat.dumps(m))
    doc["strokes"] = {"encoding": "json-zlib-base64", "data": base64.b64encode(zlib.compress(b"[oops")).decode()}
    raw = json.dumps(doc).encode()
    with pytest.raises(FileFormatError, match="strokes"):
        fileformat.loads(raw, atlas)
    d = fileformat.read_document(raw, atlas, strokes=False)
    assert d.strokes is None and d.views["back"][2].any()
    assert batch.features_from_bytes(raw, get_model(atlas)).coverage.max() > 0


# -- ADR 0033: the reader inflates with zlib-ng where it is installed; the standard zlib must read alike ----------

def _views_or_verdict(raw: bytes, atlas):
    """What the folder readers get from `raw`: each view's painted box, or the refusal's words."""
    try:
        d = fileformat.read_document(raw, atlas, "m.bodymap", strokes=False)
    except FileFormatError as exc:
        return str(exc)
    return {v: (r0, c0, sub.tobytes(), sub.shape) for v, (r0, c0, sub) in d.views.items()}


def _with_stdlib_zlib(monkeypatch):
    monkeypatch.setattr(fileformat, "_inflater", zlib)
    monkeypatch.setattr(fileformat, "_INFLATE_ERRORS", (zlib.error,))


@pytest.mark.parametrize("damage", [None, "layer", "strokes", "truncated layer"])
def test_either_inflater_reads_a_file_alike(tmp_path, monkeypatch, damage):
    atlas = load_atlas()
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.6, "burning")
    m.stroke("back", [(0.1, 1.2), (0.15, 1.5)], "aching", radius=0.08)
    doc = json.loads(fileformat.dumps(m))
    if damage == "layer":  # a flipped byte in the deflate stream: the checksum catches it
        comp = bytearray(base64.b64decode(doc["layers"]["back"]["data"]))
        comp[len(comp) // 2] ^= 0xFF
        doc["layers"]["back"]["data"] = base64.b64encode(bytes(comp)).decode()
    elif damage == "strokes":
        comp = bytearray(base64.b64decode(doc["strokes"]["data"]))
        comp[-3] ^= 0x01
        doc["strokes"]["data"] = base64.b64encode(bytes(comp)).decode()
    elif damage == "truncated layer":
        comp = base64.b64decode(doc["layers"]["back"]["data"])
        doc["layers"]["back"]["data"] = base64.b64encode(comp[:-6]).decode()
    raw = json.dumps(doc).encode()

    fast = _views_or_verdict(raw, atlas)
    _with_stdlib_zlib(monkeypatch)
    assert _views_or_verdict(raw, atlas) == fast
    assert isinstance(fast, str) == (damage is not None)


# -- ADR 0041: base64 is decoded by pybase64 where it is installed; every file must get the standard verdict -------

@pytest.mark.parametrize("damage", [None, "extra padding", "padding inside", "bad character", "cut", "non-ascii"])
@pytest.mark.parametrize("where", ["layer", "strokes"])
def test_either_base64_decoder_reads_a_file_alike(monkeypatch, damage, where):
    atlas = load_atlas()
    m = PainMap(atlas)
    m.stroke("front", [(-0.1, 1.2), (-0.12, 1.5)], "sharp", radius=0.08)
    doc = json.loads(fileformat.dumps(m))
    box = doc["layers"]["front"] if where == "layer" else doc["strokes"]
    text = box["data"]
    box["data"] = {None: text, "extra padding": text + "==", "padding inside": text[:8] + "=" + text[8:],
                   "bad character": text[:8] + "-" + text[9:], "cut": text[:-1],
                   "non-ascii": text[:8] + "\u00e9" + text[9:]}[damage]
    raw = json.dumps(doc).encode()

    fast = _views_or_verdict(raw, atlas)
    monkeypatch.setattr(fileformat, "_fast_b64decode", None)
    assert _views_or_verdict(raw, atlas) == fast
    assert isinstance(fast, str) == (damage not in (None, "extra padding"))  # the standard accepts extra '='
