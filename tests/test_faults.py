"""Faults and hostile input: fuzzed loaders and SIGKILL during saves.

CI-sized by default; the long versions run with `-m fuzz` / `-m soak`
(make test-all). BODYMAP_FUZZ_EXAMPLES and BODYMAP_KILLS scale them.
"""
from __future__ import annotations

import copy
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import bodymap
from bodymap import fileformat
from bodymap.atlas import build_atlas
from bodymap.errors import BodymapError
from bodymap.kiosk import i18n
from bodymap.kiosk.config import load_config
from bodymap.paths import data_root

ROOT = data_root()
SRC = str(Path(bodymap.__file__).resolve().parents[1])


@pytest.fixture(scope="module")
def atlas():
    return bodymap.load_atlas()


@pytest.fixture(scope="module")
def valid_file(atlas, tmp_path_factory) -> bytes:
    m = bodymap.PainMap(atlas)
    m.paint_region("right_calf", 0.5, "burning")
    m.stroke("back", [(0.3, 4.5), (0.35, 5.0), (0.4, 6.0)], "sharp", 0.1)
    m.answers.update({"numbness": True, "age": 60})
    m.set_intensity(None, 7)
    p = tmp_path_factory.mktemp("v") / "v.bodymap"
    bodymap.save(m, p)
    return p.read_bytes()


def _one_line(exc: BaseException) -> bool:
    return isinstance(exc, BodymapError) and "\n" not in str(exc) and len(str(exc)) < 500


def _mutate(data: bytes, ops: list[tuple[int, int, int]]) -> bytes:
    b = bytearray(data)
    for kind, pos, val in ops:
        if not b:
            break
        i = pos % len(b)
        if kind == 0:
            b[i] = val
        elif kind == 1:
            del b[i:i + 1 + val % 64]
        elif kind == 2:
            b[i:i] = bytes([val]) * (1 + val % 8)
        else:
            del b[i:]
    return bytes(b)


def _json_mutations(doc: dict, rnd: random.Random) -> dict:
    """Type confusion and value havoc at random JSON paths."""
    junk = [None, True, -1, 1e308, "x" * 50, [], {}, [1, 2], {"a": 1}, "", 0, 10 ** 12]
    d = json.loads(json.dumps(doc))
    for _ in range(rnd.randint(1, 4)):
        node, key = d, None
        path = []
        while isinstance(node, (dict, list)) and node and rnd.random() < 0.7:
            key = rnd.choice(list(node)) if isinstance(node, dict) else rnd.randrange(len(node))
            path.append((node, key))
            node = node[key]
        if path:
            parent, key = path[-1]
            if rnd.random() < 0.2 and isinstance(parent, dict):
                del parent[key]
            else:
                parent[key] = copy.deepcopy(rnd.choice(junk))
    return d


N = int(os.environ.get("BODYMAP_FUZZ_EXAMPLES", "150"))


def _check_load(raw: bytes, atlas) -> str:
    try:
        m = fileformat.loads(raw, atlas=atlas, where="fuzz")
    except BodymapError as exc:
        assert _one_line(exc), repr(exc)
        return "refused"
    # a loaded object must be a consistent pain map
    for v in ("front", "back"):
        assert m.layers(v).shape[1:] == m.raster.shape
        assert not (m.layers(v).any(axis=0) & ~m.raster.body[v]).any()
    m.summary()
    return "loaded"


@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(ops=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10 ** 6), st.integers(0, 255)), min_size=1,
                    max_size=6))
def test_fuzz_bodymap_bytes(valid_file, atlas, ops):
    _check_load(_mutate(valid_file, ops), atlas)


@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_fuzz_bodymap_json_fields(valid_file, atlas, seed):
    doc = json.loads(valid_file)
    raw = json.dumps(_json_mutations(doc, random.Random(seed))).encode()
    _check_load(raw, atlas)


@settings(max_examples=N, deadline=None)
@given(raw=st.binary(max_size=2000))
def test_fuzz_bodymap_random_bytes(raw):
    _check_load(raw, bodymap.load_atlas())


def test_hostile_yaml_in_every_loader_executes_nothing(tmp_path, atlas):
    marker = tmp_path / "pwned"
    payload = f'!!python/object/apply:os.system ["touch {marker}"]'
    (tmp_path / "k.yaml").write_text(f"idle_timeout_s: {payload}\n")
    with pytest.raises(BodymapError):
        load_config(tmp_path / "k.yaml")
    (tmp_path / "x.bodymap").write_text(payload)
    with pytest.raises(BodymapError):
        bodymap.load(tmp_path / "x.bodymap")
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "en.yaml").write_text(f"language_name: {payload}\n")
    with pytest.raises(BodymapError):
        i18n.load_catalogue("en", cat)
    reg = tmp_path / "regions"
    shutil.copytree(ROOT / "regions", reg)
    (reg / "atlas.yaml").write_text(f"schema: {payload}\n")
    with pytest.raises(BodymapError):
        build_atlas(reg)
    assert not marker.exists()


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9))
    (tmp_path / "k.yaml").write_text(bomb)
    with pytest.raises(BodymapError, match="alias"):
        load_config(tmp_path / "k.yaml")
    cat = tmp_path / "cat"
    cat.mkdir()
    (cat / "en.yaml").write_text(bomb)
    with pytest.raises(BodymapError, match="alias"):
        i18n.load_catalogue("en", cat)


FUZZ_YAML = int(os.environ.get("BODYMAP_FUZZ_YAML", "40"))


@settings(max_examples=FUZZ_YAML, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_fuzz_atlas_yaml(tmp_path_factory, seed):
    """Mutated atlas YAML: built and valid, or one AtlasError line naming the file."""
    rnd = random.Random(seed)
    reg = tmp_path_factory.mktemp("reg")
    for name in ("atlas.yaml", "dermatomes.yaml"):
        shutil.copy(ROOT / "regions" / name, reg / name)
    target = reg / rnd.choice(["atlas.yaml", "dermatomes.yaml"])
    lines = target.read_text().splitlines()
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(lines))
        op = rnd.randrange(4)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines[i] = lines[i].replace(rnd.choice(["0", "1", "[", "]", ":", ",", "-"]),
                                        rnd.choice(["", "9", "x", "[[", "nan", "-1e9"]), 1)
        elif op == 2:
            lines.insert(i, lines[rnd.randrange(len(lines))])
        else:
            lines[i] = lines[i][: rnd.randrange(len(lines[i]) + 1)]
    target.write_text("\n".join(lines) + "\n")
    try:
        a = build_atlas(reg)
    except BodymapError as exc:
        assert _one_line(exc) and target.name in str(exc) or "regions" in str(exc), str(exc)
        return
    assert a.regions and all(r.geometry.is_valid for r in a.regions)


@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_fuzz_kiosk_config_and_catalogue(tmp_path_factory, seed):
    rnd = random.Random(seed)
    d = tmp_path_factory.mktemp("cfg")
    base = "idle_timeout_s: 90\nidle_warning_s: 15\nlanguages: [en, es]\ndefault_language: en\nfullscreen: true\n"
    src = (ROOT / "assets" / "i18n" / "es.yaml").read_text()
    for name, text in (("k.yaml", base), ("es.yaml", src)):
        b = bytearray(text.encode())
        for _ in range(rnd.randint(1, 5)):
            i = rnd.randrange(len(b))
            b[i] = rnd.randrange(256)
        (d / name).write_bytes(bytes(b))
    try:
        load_config(d / "k.yaml")
    except BodymapError as exc:
        assert _one_line(exc)
    try:
        i18n.load_catalogue("es", d)
    except BodymapError as exc:
        assert _one_line(exc)


# -- issue 22: hostile text, and one codec giving one verdict ---------------------------------------------

HOSTILE_TEXT = ["\x1b[1A\x1b[2K\r", "\x1b]0;title\x07", "\x00", "\x07", "\x85", "\u202e", "\u2066", "\u200b",
                "\ufeff", "\ud800", "\u2028", "x" * 5000, "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59Z",
                "1899-12-31T23:59:59Z", "=cmd|' /C calc'!A0", "Dr X;=1+1", "MRN 12\u202e3456", "\t\n"]
TEXT_PATHS = [("session_code",), ("created",), ("modified",), ("language",), ("patient_id",), ("recorded_by",),
              ("note",), ("app_version",), ("atlas", "id"), ("red_flags", 0, "text"), ("red_flags", 0, "id"),
              ("zz_unknown",), ("answers", "zz_question")]


def _hostile_text(doc: dict, rnd: random.Random) -> dict:
    """Hostile text (terminal escapes, NUL, bidi, zero-width, lone surrogates, huge, out-of-range times) put
    into one to three of the text fields, whole or spliced into the field's own value."""
    d = json.loads(json.dumps(doc))
    d.setdefault("red_flags", [])
    if not d["red_flags"]:
        d["red_flags"].append({"id": "kiosk_flag", "text": "Call staff", "urgency": "emergency"})
    for _ in range(rnd.randint(1, 3)):
        path = rnd.choice(TEXT_PATHS)
        node = d
        for k in path[:-1]:
            node = node[k]
        bad = rnd.choice(HOSTILE_TEXT)
        old = node.get(path[-1]) if isinstance(node, dict) else None
        if isinstance(old, str) and old and rnd.random() < 0.5:
            i = rnd.randrange(len(old) + 1)
            bad = old[:i] + bad + old[i:]
        node[path[-1]] = bad
    return d


def _verdicts(raw: bytes, atlas) -> dict[str, str]:
    """What each reader of .bodymap bytes says: load (show, match, review, report, FHIR), the folder Decoder
    (export, stats, heatmap) and the batch scorer. Every refusal is one clean line."""
    from bodymap.batch import features_from_bytes
    from bodymap.matcher import get_model
    from bodymap.textsafe import is_clean

    out = {}
    for name, read in (("load", lambda: fileformat.loads(raw, atlas=atlas, where="fuzz")),
                       ("decode", lambda: _decoder(atlas).decode(raw, Path("fuzz"))),
                       ("batch", lambda: features_from_bytes(raw, get_model(atlas), "fuzz"))):
        try:
            value = read()
            out[name] = "accepted"
            if name == "load":
                texts = [value.meta.get(k) for k in ("session_code", "created", "modified", "language")]
                texts += list(value.visit.as_dict().values())
                texts += [str(f.get("text", "")) for f in value.red_flags_recorded]
                assert all(is_clean(t) for t in texts if isinstance(t, str)), texts
        except BodymapError as exc:
            assert _one_line(exc) and is_clean(str(exc)), repr(exc)[:300]
            # the batch scorer refuses a map on another grid that the others resample (ADR 0006): not a verdict
            out[name] = "accepted" if "another atlas grid" in str(exc) else "refused"
    return out


_DECODERS: dict = {}


def _decoder(atlas):
    if id(atlas) not in _DECODERS:
        from bodymap.exports.common import Decoder

        _DECODERS[id(atlas)] = Decoder(atlas)
    return _DECODERS[id(atlas)]


@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1))
def test_fuzz_hostile_text_one_verdict_and_nothing_unsafe_gets_through(valid_file, atlas, seed):
    rnd = random.Random(seed)
    # written as UTF-8, or as ASCII with \\u escapes (how a lone surrogate reaches the parser as text)
    raw = json.dumps(_hostile_text(json.loads(valid_file), rnd), ensure_ascii=rnd.random() < 0.5).encode(
        "utf-8", "surrogatepass")
    v = _verdicts(raw, atlas)
    assert len(set(v.values())) == 1, v


@settings(max_examples=N, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.too_slow])
@given(ops=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 10 ** 6), st.integers(0, 255)), min_size=1,
                    max_size=6))
def test_fuzz_bytes_one_verdict_in_every_reader(valid_file, atlas, ops):
    v = _verdicts(_mutate(valid_file, ops), atlas)
    assert len(set(v.values())) == 1, v


@pytest.mark.fuzz
def test_fuzz_long_one_verdict(valid_file, atlas):
    """The long run of the issue 22 attacks: mutated bytes, JSON type havoc and hostile text, each read by every
    reader; printed counts go to docs/reliability.md."""
    rnd = random.Random(2222)
    counts = {"accepted": 0, "refused": 0, "disagreed": 0}
    for _ in range(int(os.environ.get("BODYMAP_FUZZ_LONG", "20000")) // 4):
        r = rnd.random()
        if r < 0.34:
            ops = [(rnd.randrange(4), rnd.randrange(10 ** 6), rnd.randrange(256)) for _ in range(rnd.randint(1, 6))]
            raw = _mutate(valid_file, ops)
        elif r < 0.67:
            raw = json.dumps(_json_mutations(json.loads(valid_file), rnd)).encode()
        else:
            raw = json.dumps(_hostile_text(json.loads(valid_file), rnd), ensure_ascii=rnd.random() < 0.5).encode(
                "utf-8", "surrogatepass")
        v = _verdicts(raw, atlas)
        counts["disagreed" if len(set(v.values())) > 1 else v["load"]] += 1
    print(f"fuzz one verdict: {counts}")
    assert counts["disagreed"] == 0 and counts["refused"] > 0


@pytest.mark.fuzz
def test_fuzz_long(valid_file, atlas):
    """The long run: 20,000 mutated files (make test-all)."""
    rnd = random.Random(12345)
    counts = {"loaded": 0, "refused": 0}
    for _ in range(int(os.environ.get("BODYMAP_FUZZ_LONG", "20000"))):
        if rnd.random() < 0.5:
            ops = [(rnd.randrange(4), rnd.randrange(10 ** 6), rnd.randrange(256)) for _ in range(rnd.randint(1, 6))]
            raw = _mutate(valid_file, ops)
        else:
            raw = json.dumps(_json_mutations(json.loads(valid_file), rnd)).encode()
        counts[_check_load(raw, atlas)] += 1
    print(f"fuzz: {counts}")
    assert counts["refused"] > 0


# -- SIGKILL during saves ------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, itertools
    sys.path.insert(0, {src!r})
    import bodymap
    from bodymap.kiosk.config import KioskConfig
    from bodymap.kiosk.flow import Kiosk
    from pathlib import Path
    mode, folder = sys.argv[1], Path(sys.argv[2])
    a = bodymap.load_atlas()
    if mode == "save":
        m = bodymap.PainMap(a)
        regions = ["right_calf", "left_groin", "right_buttock", "left_heel", "right_shin"]
        print("ready", flush=True)
        for i in itertools.count():
            m.paint_region(regions[i % 5], 0.2 + 0.1 * (i % 7), "sharp")
            bodymap.save(m, folder / "same.bodymap")
            bodymap.save(m, folder / f"n{{i % 50}}.bodymap")
    else:
        t = [0.0]
        cfg = KioskConfig(spool_dir=folder / "spool", drafts_dir=folder / "drafts",
                          recovery_dir=folder / "recovery", autosave_interval_s=1)
        k = Kiosk(cfg, a, clock=lambda: t[0])
        s = k.start()
        print("ready", flush=True)
        for i in itertools.count():
            s.pain_map.paint_region("right_calf" if i % 2 else "left_shin", 0.1 + 0.05 * (i % 15), "aching")
            t[0] += 1.5
            k.touch()
            k.tick()
""")


def _kill_loop(tmp_path, mode: str, kills: int) -> dict:
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(src=SRC))
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    rnd = random.Random(7)
    stats = {"kills": 0, "files_checked": 0, "unreadable": 0, "drafts_recovered": 0}
    for _ in range(kills):
        p = subprocess.Popen([sys.executable, str(script), mode, str(folder)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        assert p.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0.0, 0.25))
        p.send_signal(signal.SIGKILL)
        p.wait()
        stats["kills"] += 1
        if mode == "save":
            for f in folder.glob("*.bodymap"):
                stats["files_checked"] += 1
                try:
                    bodymap.load(f)
                except BodymapError:
                    stats["unreadable"] += 1
        else:
            from bodymap.kiosk.config import KioskConfig
            from bodymap.kiosk.flow import Kiosk

            cfg = KioskConfig(spool_dir=folder / "spool", drafts_dir=folder / "drafts",
                              recovery_dir=folder / "recovery")
            k = Kiosk(cfg, bodymap.load_atlas())
            stats["drafts_recovered"] += len(k.recovered)
            for f in k.recovered:
                stats["files_checked"] += 1
                try:
                    bodymap.load(f)
                except BodymapError:
                    stats["unreadable"] += 1
            assert k.screen == "welcome" and k.session is None
            assert not list((folder / "drafts").glob(".*.tmp"))  # half-written temp files are cleaned up
    return stats


KILLS = int(os.environ.get("BODYMAP_KILLS", "12"))


def test_sigkill_during_save_leaves_only_readable_files(tmp_path):
    s = _kill_loop(tmp_path, "save", KILLS)
    print(f"save kills: {s}")
    assert s["unreadable"] == 0 and s["files_checked"] > 0


def test_sigkill_during_kiosk_autosave_recovers_the_draft(tmp_path):
    s = _kill_loop(tmp_path, "kiosk", KILLS)
    print(f"kiosk kills: {s}")
    assert s["unreadable"] == 0
    assert s["drafts_recovered"] >= KILLS // 2  # most kills land after the first autosave


@pytest.mark.soak
def test_sigkill_long(tmp_path):
    n = int(os.environ.get("BODYMAP_KILLS_LONG", "2000"))
    s1 = _kill_loop(tmp_path / "a", "save", n) if (tmp_path / "a").mkdir() is None else None
    s2 = _kill_loop(tmp_path / "b", "kiosk", n // 4) if (tmp_path / "b").mkdir() is None else None
    print(f"long kills: save {s1} kiosk {s2}")
    assert s1["unreadable"] == 0 and s2["unreadable"] == 0
