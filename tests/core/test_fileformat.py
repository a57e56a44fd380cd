"""The .bodymap file: lossless round trips, forward compatibility, atomic writes and hostile files."""
from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import bodymap.fileformat as ff
from bodymap.atlas import VIEWS, load_atlas
from bodymap.errors import BodymapError, FileFormatError, FileWriteError
from bodymap.painting import SENSATIONS, YES_NO_QUESTIONS, PainMap
from bodymap.textsafe import unsafe_char


@pytest.fixture(scope="module", autouse=True)
def _private_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BODYMAP_CACHE", str(tmp_path_factory.mktemp("file-cache")))
        yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def typical_map(atlas):
    """Several regions, a few strokes, answers and intensities: what a clinic visit produces."""
    m = PainMap(atlas)
    m.paint_region("right_lower_back", 0.6, "aching")
    m.paint_region("right_buttock", 0.5, "aching")
    m.paint_region("right_posterior_thigh", 0.4, "sharp")
    m.paint_region("right_calf", 0.5, "sharp")
    m.paint_region("right_lateral_leg", 0.7, "burning")
    m.paint_region("right_dorsum_foot", 0.8, "pins_and_needles")
    m.stroke("back", [(0.2, 6.0), (0.35, 6.5), (0.3, 7.0)], "sharp", radius=0.08)
    m.stroke("front", [(-0.4, 6.0), (-0.45, 6.8)], "numbness", radius=0.06)
    m.stroke("back", [(-0.3, 3.0), (-0.2, 3.4)], "aching", radius=0.1)
    m.erase("back", [(0.25, 6.2), (0.3, 6.3)], radius=0.05)
    m.set_intensity(None, 7)
    m.set_intensity("sharp", 8)
    m.answers.update({"numbness": True, "weakness": False, "worse_sitting": True, "age": 47})
    m.meta["session_code"] = "A7K2"
    return m


def assert_same_map(a, b):
    assert a == b
    for v in VIEWS:
        for s in SENSATIONS:
            assert np.array_equal(a.masks[v][s], b.masks[v][s]), f"{v}/{s} differs"
    assert dict(a.answers) == dict(b.answers)
    assert a.intensity == b.intensity
    assert a.strokes == b.strokes


def doc_of(m):
    return json.loads(ff.dumps(m))


def write_doc(path, doc):
    path.write_text(json.dumps(doc))
    return path


# ---------------------------------------------------------------------------
# Round trips


def test_a_typical_map_round_trips_bit_for_bit(atlas, tmp_path):
    m = typical_map(atlas)
    path = ff.save(m, tmp_path / "visit.bodymap")
    back = ff.load(path, atlas=atlas)
    assert_same_map(m, back)
    assert back.meta["session_code"] == "A7K2"
    assert back.meta["created"] == m.meta["created"]
    assert back.meta["notes"] == []
    assert back.region_coverage() == m.region_coverage()


def test_a_typical_map_is_small(atlas, tmp_path):
    path = ff.save(typical_map(atlas), tmp_path / "visit.bodymap")
    assert path.stat().st_size <= 50 * 1024


def test_the_file_is_self_describing_json(atlas, tmp_path):
    m = typical_map(atlas)
    doc = json.loads(ff.save(m, tmp_path / "v.bodymap").read_text(encoding="utf-8"))
    assert doc["format"] == "bodymap" and doc["format_version"] == ff.FORMAT_VERSION
    assert doc["atlas"]["id"] == atlas.id and doc["atlas"]["content_hash"] == atlas.content_hash
    assert doc["layers"]["encoding"] == "bitfield-u8-zlib-base64"
    assert doc["layers"]["sensations"] == list(SENSATIONS)
    # decode one layer by hand, as the spec in docs/file-format.md describes it
    rows, cols = doc["layers"]["shape"]
    r0, r1, c0, c1 = doc["layers"]["back"]["bbox"]
    sub = np.frombuffer(zlib.decompress(base64.b64decode(doc["layers"]["back"]["data"])), np.uint8)
    bits = np.zeros((rows, cols), np.uint8)
    bits[r0:r1, c0:c1] = sub.reshape(r1 - r0, c1 - c0)
    strokes = json.loads(zlib.decompress(base64.b64decode(doc["strokes"]["data"])))
    assert strokes == m.strokes
    for i, s in enumerate(SENSATIONS):
        assert np.array_equal((bits >> i) & 1 == 1, m.masks["back"][s])
    assert set(doc["summary"]["regions"]) == set(m.painted_regions())


point = st.tuples(st.floats(-1.8, 1.8), st.floats(0.0, 7.8))
ops = st.lists(st.one_of(
    st.tuples(st.just("stroke"), st.sampled_from(VIEWS), st.lists(point, min_size=1, max_size=3),
              st.sampled_from(SENSATIONS), st.floats(0.03, 0.3)),
    st.tuples(st.just("region"), st.integers(0, 10_000), st.floats(0.05, 1.0), st.sampled_from(SENSATIONS)),
    st.tuples(st.just("erase"), st.sampled_from(VIEWS), st.lists(point, min_size=1, max_size=2), st.floats(0.03, 0.3)),
    st.tuples(st.just("undo")),
), max_size=8)
answers = st.fixed_dictionaries({}, optional={
    **{q: st.booleans() for q in YES_NO_QUESTIONS}, "age": st.integers(0, 120)})
intensities = st.dictionaries(st.sampled_from(("overall",) + SENSATIONS), st.integers(0, 10), max_size=4)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops, answers=answers, intensities=intensities,
       code=st.one_of(st.none(), st.text(min_size=1, max_size=12).filter(lambda t: unsafe_char(t) is None)))
def test_load_of_save_is_the_identity(atlas, ops, answers, intensities, code):
    m = PainMap(atlas)
    ids = atlas.region_ids
    for op in ops:
        if op[0] == "stroke":
            m.stroke(op[1], op[2], op[3], radius=op[4])
        elif op[0] == "region":
            m.paint_region(ids[op[1] % len(ids)], op[2], op[3])
        elif op[0] == "erase":
            m.erase(op[1], op[2], radius=op[3])
        else:
            m.undo()
    m.answers.update(answers)
    for k, v in intensities.items():
        m.set_intensity(None if k == "overall" else k, v)
    m.meta["session_code"] = code
    with tempfile.TemporaryDirectory() as d:
        path = ff.save(m, Path(d) / "m.bodymap")
        back = ff.load(path, atlas=atlas)
    assert_same_map(m, back)
    assert back.meta["session_code"] == code


def test_unknown_top_level_keys_survive_load_and_save(atlas, tmp_path):
    doc = doc_of(typical_map(atlas))
    doc["clinic_ward"] = {"name": "Spine clinic", "beds": [1, 2, 3]}
    doc["zz_future_flag"] = True
    m = ff.load(write_doc(tmp_path / "new.bodymap", doc), atlas=atlas)
    again = json.loads(ff.save(m, tmp_path / "resaved.bodymap").read_text())
    assert again["clinic_ward"] == {"name": "Spine clinic", "beds": [1, 2, 3]}
    assert again["zz_future_flag"] is True


def test_answers_to_questions_from_a_newer_version_survive_load_and_save(atlas, tmp_path):
    doc = doc_of(typical_map(atlas))
    doc["answers"]["worse_coughing"] = True
    doc["answers"]["pain_years"] = 3
    m = ff.load(write_doc(tmp_path / "new.bodymap", doc), atlas=atlas)
    assert "worse_coughing" not in m.answers  # this version does not know the question...
    again = json.loads(ff.save(m, tmp_path / "resaved.bodymap").read_text())
    assert again["answers"]["worse_coughing"] is True  # ...but does not lose the patient's answer
    assert again["answers"]["pain_years"] == 3
    assert again["answers"]["age"] == 47


def test_known_keys_cannot_be_shadowed_by_unknown_ones(atlas, tmp_path):
    m = typical_map(atlas)
    m.extra["format_version"] = 99
    m.extra["layers"] = "junk"
    doc = json.loads(ff.dumps(m))
    assert doc["format_version"] == ff.FORMAT_VERSION
    assert isinstance(doc["layers"], dict)


# ---------------------------------------------------------------------------
# Versions and atlases


def test_a_newer_format_version_asks_to_update(atlas, tmp_path):
    doc = doc_of(typical_map(atlas))
    doc["format_version"] = ff.FORMAT_VERSION + 1
    path = write_doc(tmp_path / "future.bodymap", doc)
    with pytest.raises(FileFormatError) as ei:
        ff.load(path, atlas=atlas)
    msg = str(ei.value)
    assert "update" in msg and "newer" in msg and str(path) in msg


def test_a_map_from_another_atlas_is_refused(atlas, tmp_path):
    doc = doc_of(typical_map(atlas))
    doc["atlas"]["id"] = "bodymap-child"
    with pytest.raises(FileFormatError) as ei:
        ff.load(write_doc(tmp_path / "child.bodymap", doc), atlas=atlas)
    assert "bodymap-child" in str(ei.value) and atlas.id in str(ei.value)


def test_another_version_of_the_same_atlas_loads_with_a_note(atlas, tmp_path):
    m = typical_map(atlas)
    doc = doc_of(m)
    doc["atlas"]["version"] = atlas.version + 1
    doc["atlas"]["content_hash"] = "0123456789abcdef" * 4
    back = ff.load(write_doc(tmp_path / "older.bodymap", doc), atlas=atlas)
    for v in VIEWS:
        assert np.array_equal(back.layers(v), m.layers(v))
    notes = " ".join(back.meta["notes"])
    assert "version" in notes and "01234567" in notes


def test_a_map_on_another_grid_is_resampled_with_a_note(atlas, tmp_path):
    m = PainMap(atlas, scale=40)
    m.paint_region("right_calf", 1.0)
    path = ff.save(m, tmp_path / "coarse.bodymap")
    doc = json.loads(path.read_text())
    doc["atlas"]["scale"] = 80.0
    back = ff.load(write_doc(tmp_path / "fine.bodymap", doc), atlas=atlas)
    assert back.raster.shape == (m.raster.shape[0] * 2, m.raster.shape[1] * 2)
    assert any("resampled" in n for n in back.meta["notes"])
    assert back.region_coverage()["right_calf"] >= 0.9
    assert set(back.painted_regions()) <= {"right_calf", "right_back_of_knee", "right_back_of_ankle"}


# ---------------------------------------------------------------------------
# Writing


def test_saved_files_are_private(atlas, tmp_path):
    path = tmp_path / "p.bodymap"
    ff.save(typical_map(atlas), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)
    ff.save(typical_map(atlas), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("what", ["replace", "fsync"])
def test_a_failed_write_leaves_the_old_file_and_no_temp_files(atlas, tmp_path, monkeypatch, what):
    path = tmp_path / "visit.bodymap"
    old = PainMap(atlas)
    old.paint_region("left_knee", 0.5)
    ff.save(old, path)
    before = path.read_bytes()

    def fail(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ff.os, what, fail)
    with pytest.raises(FileWriteError) as ei:
        ff.save(typical_map(atlas), path)
    assert "full" in str(ei.value) and str(path) in str(ei.value)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit.bodymap"]
    assert ff.load(path, atlas=atlas).region_coverage().keys() == {"left_knee"}


def test_an_interrupted_write_cleans_up_its_temp_file(atlas, tmp_path, monkeypatch):
    path = tmp_path / "visit.bodymap"
    ff.save(PainMap(atlas), path)
    before = path.read_bytes()

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(ff.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ff.save(typical_map(atlas), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["visit.bodymap"]


def test_saving_into_a_missing_folder_or_onto_a_folder_fails_cleanly(atlas, tmp_path):
    with pytest.raises(FileWriteError, match="does not exist"):
        ff.save(PainMap(atlas), tmp_path / "nowhere" / "x.bodymap")
    (tmp_path / "d.bodymap").mkdir()
    with pytest.raises(FileWriteError, match="folder"):
        ff.save(PainMap(atlas), tmp_path / "d.bodymap")


def test_a_folder_without_write_permission_fails_cleanly(atlas, tmp_path, monkeypatch):
    def denied(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ff.tempfile, "mkstemp", denied)
    with pytest.raises(FileWriteError, match="Permission denied"):
        ff.save(PainMap(atlas), tmp_path / "x.bodymap")
    monkeypatch.undo()
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 1.0, exclude_max=True))
def test_every_truncated_file_is_reported_as_truncated(atlas, cut):
    raw = ff.dumps(typical_map_cached(atlas))
    n = max(1, int(len(raw) * cut))
    with pytest.raises(FileFormatError, match="truncated"):
        ff.loads(raw[:n], atlas=atlas, where="visit.bodymap")


_TYPICAL = {}


def typical_map_cached(atlas):
    if "m" not in _TYPICAL:
        _TYPICAL["m"] = typical_map(atlas)
    return _TYPICAL["m"]


# ---------------------------------------------------------------------------
# Bad files: each a BodymapError with one line, and `bodymap show` exits 2


def _valid_doc(atlas):
    m = PainMap(atlas)
    m.paint_region("right_calf", 0.5)
    m.answers["age"] = 40
    return doc_of(m)


def _json_with(atlas, fn):
    def make(path):
        doc = _valid_doc(atlas)
        fn(doc)
        write_doc(path, doc)
    return make


def _bytes(data):
    def make(path):
        path.write_bytes(data)
    return make


def _truncated(atlas):
    def make(path):
        raw = json.dumps(_valid_doc(atlas)).encode()
        path.write_bytes(raw[: len(raw) * 2 // 3])
    return make


def _bomb_layer(doc):
    rows, cols = doc["layers"]["shape"]
    doc["layers"]["front"] = base64.b64encode(zlib.compress(b"\x01" * (rows * cols * 50), 9)).decode()


def _bomb_claim(doc):
    # a 10^8-pixel layer claim backed by a 100 kB zlib stream (10^8 bytes once inflated)
    z = zlib.compressobj(9)
    chunk = b"\0" * 1_000_000
    stream = b"".join([z.compress(chunk) for _ in range(100)] + [z.flush()])
    stream = base64.b64encode(stream).decode()
    doc["layers"]["shape"] = [10_000, 10_000]
    doc["layers"]["front"] = doc["layers"]["back"] = stream


def _short_layer(doc):
    doc["layers"]["back"] = base64.b64encode(zlib.compress(b"\0" * 100)).decode()


def _huge(path):
    with open(path, "wb") as fh:
        fh.write(b'{"format": "bodymap", "pad": "')
        fh.truncate(ff.MAX_FILE_BYTES + 100)


def _directory(path):
    path.mkdir()


def _missing(path):
    pass


def _nested(path):
    path.write_text("[" * 200_000 + "]" * 200_000)


SENTINEL = Path(tempfile.gettempdir()) / f"bodymap-hostile-yaml-ran-{os.getpid()}"


def bad_files(atlas):
    d = lambda fn: _json_with(atlas, fn)  # noqa: E731
    return {
        "truncated": (_truncated(atlas), ["truncated"]),
        "answers is a list": (d(lambda doc: doc.__setitem__("answers", ["numbness", True])), ["answers"]),
        "age is text": (d(lambda doc: doc["answers"].__setitem__("age", "abc")), ["age"]),
        "yes/no answer is a number": (d(lambda doc: doc["answers"].__setitem__("numbness", 1)), ["numbness"]),
        "intensity out of range": (d(lambda doc: doc.__setitem__("intensity", {"overall": 11})), ["intensity"]),
        "intensity for an unknown sensation": (d(lambda doc: doc.__setitem__("intensity", {"itch": 3})),
                                               ["intensity"]),
        "strokes is an object": (d(lambda doc: doc.__setitem__("strokes", {"op": "stroke"})), ["strokes"]),
        "red flags are text": (d(lambda doc: doc.__setitem__("red_flags", "none")), ["red_flags"]),
        "created is a number": (d(lambda doc: doc.__setitem__("created", 20240101)), ["created"]),
        "layers corrupt base64": (d(lambda doc: doc["layers"].__setitem__("front", "!!not base64!!")),
                                  ["layers.front", "corrupt"]),
        "layers not zlib": (d(lambda doc: doc["layers"].__setitem__("back", base64.b64encode(b"hello").decode())),
                            ["layers.back", "corrupt"]),
        "layer too short": (d(_short_layer), ["layers.back", "corrupt"]),
        "zlib bomb": (d(_bomb_layer), ["layers.front", "corrupt"]),
        "zlib bomb claim": (d(_bomb_claim), ["layers.shape", "too large"]),
        "layer shape nonsense": (d(lambda doc: doc["layers"].__setitem__("shape", [-1, "x"])), ["layers.shape"]),
        "unknown layer encoding": (d(lambda doc: doc["layers"].__setitem__("encoding", "png")), ["encoding"]),
        "unknown sensation layer": (d(lambda doc: doc["layers"].__setitem__("sensations", ["itch"])), ["itch"]),
        "layers missing": (d(lambda doc: doc.pop("layers")), ["layers"]),
        "atlas missing": (d(lambda doc: doc.pop("atlas")), ["atlas"]),
        "atlas scale is text": (d(lambda doc: doc["atlas"].__setitem__("scale", "big")), ["atlas.scale"]),
        "atlas scale absurd": (d(lambda doc: doc["atlas"].__setitem__("scale", 1e9)), ["scale"]),
        "format version is text": (d(lambda doc: doc.__setitem__("format_version", "1")), ["format_version"]),
        "format version zero": (d(lambda doc: doc.__setitem__("format_version", 0)), ["version"]),
        "not a bodymap document": (_bytes(b'{"hello": "world"}'), ["not a .bodymap"]),
        "a JSON list": (_bytes(b"[1, 2, 3]"), ["not a .bodymap"]),
        "NaN in JSON": (_bytes(b'{"format": "bodymap", "format_version": NaN}'), ["not a .bodymap"]),
        "deeply nested JSON": (_nested, ["not a .bodymap"]),
        "plain text": (_bytes(b"Patient says it hurts here.\n"), ["not a .bodymap"]),
        "YAML text": (_bytes(b"format: bodymap\nformat_version: 1\nanswers: {age: 40}\n"), ["not a .bodymap"]),
        "hostile YAML tag": (_bytes(f'!!python/object/apply:os.system ["touch {SENTINEL}"]\n'.encode()),
                             ["not a .bodymap"]),
        "huge": (_huge, ["too large"]),
        "a directory": (_directory, ["folder"]),
        "missing": (_missing, ["no such file"]),
        "empty": (_bytes(b""), ["empty"]),
        "only whitespace": (_bytes(b"  \n\t \n"), ["empty"]),
        "binary garbage": (_bytes(bytes(range(256)) * 40), ["not a .bodymap"]),
        "UTF-16 JSON": (lambda p: p.write_text(json.dumps(_valid_doc(atlas)), encoding="utf-16"),
                        ["not a .bodymap"]),
        # issue 22: hostile text, times, counts and kinds of file
        "terminal escape in session code": (d(lambda doc: doc.__setitem__("session_code", "X\x1b[2K\x1b]0;t\x07")),
                                            ["session_code", "U+001B"]),
        "NUL in session code": (d(lambda doc: doc.__setitem__("session_code", "AB\x00CD")), ["NUL"]),
        "created in the year 1": (d(lambda doc: doc.__setitem__("created", "0001-01-01T00:00:00+05:00")),
                                  ["created", "1900-2200"]),
        "modified not a time": (d(lambda doc: doc.__setitem__("modified", "last tuesday")), ["modified", "ISO 8601"]),
        "bidi override in patient id": (d(lambda doc: doc.__setitem__("patient_id", "MRN 12\u202e3456")),
                                        ["patient_id", "bidirectional"]),
        "zero-width in recorded by": (d(lambda doc: doc.__setitem__("recorded_by", "Dr\u200bX")),
                                      ["recorded_by", "zero-width"]),
        "BEL in a recorded flag": (d(lambda doc: doc.__setitem__("red_flags", [{"id": "x", "text": "a\x07"}])),
                                   ["flag.text", "U+0007"]),
        "101 recorded flags": (d(lambda doc: doc.__setitem__("red_flags", [{"id": "x"}] * 101)), ["at most 100"]),
        "escape in atlas id": (d(lambda doc: doc["atlas"].__setitem__("id", "bodymap-adult\x1b[2K")), ["atlas.id"]),
        "unknown atlas scale": (d(lambda doc: doc["atlas"].__setitem__("scale", 399.5)), ["atlas scales"]),
        "session code of 200 k characters": (d(lambda doc: doc.__setitem__("session_code", "A" * 200_000)),
                                             ["too long", "200000"]),
        "stroke log of 5 M tiny objects": (d(lambda doc: doc.__setitem__("strokes", {
            "encoding": "json-zlib-base64",
            "data": base64.b64encode(zlib.compress(b"[" + b",".join([b"{}"] * 5_000_000) + b"]", 9)).decode()})),
            ["strokes", "too many"]),
        "half a million empty lists": (d(lambda doc: doc.__setitem__("zz", [[]] * 500_000)), ["too many lists"]),
        "a FIFO": (lambda p: os.mkfifo(p), ["FIFO"]),
        "a link to a device": (lambda p: p.symlink_to("/dev/zero"), ["device"]),
    }


BAD_CASES = sorted(bad_files(None).keys())


@pytest.fixture(scope="module")
def bad(atlas, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    cases = {}
    for name, (make, fragments) in bad_files(atlas).items():
        path = folder / (name.replace(" ", "_").replace("/", "-") + ".bodymap")
        make(path)
        cases[name] = (path, fragments)
    return cases


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_files_raise_a_one_line_bodymap_error(atlas, bad, case):
    path, fragments = bad[case]
    with pytest.raises(BodymapError) as ei:
        ff.load(path, atlas=atlas)
    assert isinstance(ei.value, FileFormatError)
    msg = str(ei.value)
    assert "\n" not in msg and len(msg) < 400
    assert str(path) in msg
    for frag in fragments:
        assert frag in msg, f"{case}: {frag!r} not in {msg!r}"
    assert not SENTINEL.exists(), "the hostile YAML was executed"


def test_loads_refuses_oversized_bytes_without_parsing(atlas):
    with pytest.raises(FileFormatError, match="too large"):
        ff.loads(b" " * (ff.MAX_FILE_BYTES + 1), atlas=atlas)


@pytest.fixture(scope="module")
def shown(bad, tmp_path_factory):
    """`bodymap show FILE` on every bad file, run a few at a time."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", PYGAME_HIDE_SUPPORT_PROMPT="1",
               BODYMAP_CACHE=str(tmp_path_factory.mktemp("cli-cache")))
    subprocess.run([sys.executable, "-m", "bodymap", "atlas", "regions"], env=env, capture_output=True, timeout=120)
    results, names = {}, sorted(bad)
    for i in range(0, len(names), 6):
        procs = {name: subprocess.Popen([sys.executable, "-m", "bodymap", "show", str(bad[name][0])], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for name in names[i:i + 6]}
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=120)
            results[name] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return results


@pytest.mark.parametrize("case", BAD_CASES)
def test_cli_show_on_a_bad_file_exits_2_with_one_line(shown, case):
    res = shown[case]
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("bodymap: ")
    assert "Traceback" not in res.stderr + res.stdout
    assert res.stdout == ""
    assert not SENTINEL.exists()


def test_full_grid_layers_and_plain_stroke_lists_still_load(atlas, tmp_path):
    """Hand-written or older files may store each view's whole grid and a plain stroke list."""
    m = typical_map(atlas)
    doc = json.loads(ff.dumps(m))
    weights = (1 << np.arange(len(SENSATIONS), dtype=np.uint8))[:, None, None]
    for v in VIEWS:
        bits = (m.layers(v).astype(np.uint8) * weights).sum(axis=0, dtype=np.uint8)
        doc["layers"][v] = base64.b64encode(zlib.compress(bits.tobytes())).decode()
    doc["strokes"] = m.strokes
    p = tmp_path / "plain.bodymap"
    p.write_text(json.dumps(doc))
    back = ff.load(p, atlas)
    for v in VIEWS:
        assert np.array_equal(back.layers(v), m.layers(v))
    assert back.strokes == m.strokes


def test_a_bounding_box_outside_the_grid_is_refused(atlas, tmp_path):
    m = typical_map(atlas)
    doc = json.loads(ff.dumps(m))
    rows, cols = doc["layers"]["shape"]
    doc["layers"]["front"]["bbox"] = [0, rows + 5, 0, cols]
    p = tmp_path / "box.bodymap"
    p.write_text(json.dumps(doc))
    with pytest.raises(FileFormatError, match="bounding box"):
        ff.load(p, atlas)
