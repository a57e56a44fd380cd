"""Issue 22: hostile input, second pass. Each test names the numbered problem it covers.

Every test here failed on the release before issue 22 (the problem it names) and
passes now. The long runs of the same attacks are behind the `fuzz` marker in
tests/test_faults.py.
"""
from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import bodymap.fileformat as ff
from bodymap import textsafe
from bodymap.cli import main
from bodymap.errors import BodymapError, FileFormatError, UsageError
from bodymap.atlas import load_atlas
from bodymap.painting import PainMap

# what a terminal acts on: C0 controls other than newline and tab, DEL, C1 controls, bidi and zero-width
TERMINAL_ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2060\ufeff]")
CLEAR_LINE = "\x1b[1A\x1b[2K\r\x1b]0;pwned\x07"  # up one line, erase it, set the window title


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def emergency_map(atlas) -> PainMap:
    m = PainMap(atlas)
    m.paint_region("right_lower_back", 0.6, "aching")
    m.answers["bladder_bowel"] = True  # the cauda equina emergency flag
    return m


def hostile_doc(atlas, **fields) -> dict:
    doc = json.loads(ff.dumps(emergency_map(atlas)))
    for key, value in fields.items():
        if key == "atlas_id":
            doc["atlas"]["id"] = value
        else:
            doc[key] = value
    return doc


def write(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# 1. A hostile file can erase the emergency flag from the terminal


@pytest.mark.parametrize("field", ["session_code", "created", "modified", "language", "atlas_id"])
def test_1_escape_sequences_in_a_text_field_are_refused_by_the_codec(atlas, tmp_path, field):
    value = "2026-03-14T08:05:00Z" + CLEAR_LINE if field in ("created", "modified") else "ABC" + CLEAR_LINE
    p = write(tmp_path / "m.bodymap", hostile_doc(atlas, **{field: value}))
    with pytest.raises(FileFormatError) as exc:
        ff.load(p, atlas=atlas)
    msg = str(exc.value)
    assert TERMINAL_ACTIVE.search(msg) is None, msg  # the refusal itself shows the bytes escaped
    assert "\\u001b" in msg or "atlas" in msg


def test_1_recorded_flag_text_with_escapes_is_refused(atlas, tmp_path):
    doc = hostile_doc(atlas)
    doc["red_flags"] = [{"id": "kiosk_flag", "text": "Call staff" + CLEAR_LINE, "urgency": "emergency"}]
    with pytest.raises(FileFormatError, match="control character U\\+001B"):
        ff.load(write(tmp_path / "m.bodymap", doc), atlas=atlas)


@pytest.mark.parametrize("pid", ["MRN 12\u202e3456", "MRN\u200b123", "MRN 12\u2066", "A\u200dB"])
def test_1_bidi_and_zero_width_in_patient_id_are_refused_in_files_and_when_typed(atlas, tmp_path, pid):
    with pytest.raises(UsageError, match="bidirectional or zero-width"):
        PainMap(atlas).visit.patient_id = pid
    doc = hostile_doc(atlas, patient_id=pid)
    with pytest.raises(FileFormatError):
        ff.load(write(tmp_path / "m.bodymap", doc), atlas=atlas)


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z",
                                  "9999-12-31T23:59:59-05:00", "yesterday", "2026-13-01T00:00:00Z"])
def test_1_times_outside_1900_2200_or_not_times_are_refused(atlas, tmp_path, when):
    with pytest.raises(FileFormatError, match="created"):
        ff.load(write(tmp_path / "m.bodymap", hostile_doc(atlas, created=when)), atlas=atlas)


def test_1_times_inside_the_range_and_with_offsets_are_kept(atlas, tmp_path):
    for when in ("1900-01-01T00:00:00Z", "2200-12-31T23:00:00Z", "2026-03-14T08:05:00+05:30",
                 "2026-03-14T08:05:00"):
        m = ff.load(write(tmp_path / "m.bodymap", hostile_doc(atlas, created=when)), atlas=atlas)
        assert m.meta["created"] == when


def test_1_long_fields_are_refused_by_count(atlas, tmp_path):
    for field, n in (("session_code", 65), ("language", 36)):
        with pytest.raises(FileFormatError, match="too long"):
            ff.load(write(tmp_path / "m.bodymap", hostile_doc(atlas, **{field: "A" * n})), atlas=atlas)


def test_1_the_writer_refuses_what_the_reader_refuses(atlas, tmp_path):
    m = emergency_map(atlas)
    m.meta["session_code"] = "ABC\x00DEF"
    with pytest.raises(UsageError):
        ff.save(m, tmp_path / "m.bodymap")
    assert not (tmp_path / "m.bodymap").exists()


def test_1_terminal_escapes_every_active_character_and_keeps_lines():
    text = "RED FLAG: x\n\tnext" + CLEAR_LINE + "\u202e\u200b\x85\ud800"
    out = textsafe.terminal(text)
    assert TERMINAL_ACTIVE.search(out) is None and "\ud800" not in out
    assert out.startswith("RED FLAG: x\n\tnext")
    assert "\\u001b" in out and "\\u202e" in out and "\\u0085" in out
    # escaped text inside a JSON string (--json output) is still JSON, and reads back as the original
    assert json.loads('"' + textsafe.terminal("a\x85b\u202ec\u200b") + '"') == "a\x85b\u202ec\u200b"


def _show_and_match_outputs(path: Path, capsys) -> list[tuple[str, int, str, str]]:
    outs = []
    for argv in (["show", str(path)], ["show", "--json", str(path)], ["match", str(path)],
                 ["match", "--json", str(path)], ["match", str(path.parent)]):
        status = main(argv)
        cap = capsys.readouterr()
        outs.append((" ".join(argv[:2]), status, cap.out, cap.err))
    return outs


def test_1_show_and_match_output_holds_no_terminal_control_bytes(atlas, tmp_path, capsys, monkeypatch):
    """The terminal-escape test: a clean map with an emergency flag, and one hostile file per field beside
    it; every line `show` and `match` print is read for control bytes, and the flag is always there."""
    ok = tmp_path / "ok.bodymap"
    ff.save(emergency_map(atlas), ok)
    fields = {"session_code": "X" + CLEAR_LINE, "created": "2026-01-01T00:00:00Z" + CLEAR_LINE,
              "atlas_id": "bodymap-adult" + CLEAR_LINE, "language": "en" + CLEAR_LINE,
              "patient_id": "MRN 12\u202e3456", "note": "ok\n" + CLEAR_LINE}
    for k, v in fields.items():
        write(tmp_path / f"bad-{k}.bodymap", hostile_doc(atlas, **{k: v}))
    doc = hostile_doc(atlas)
    doc["red_flags"] = [{"id": "x" + CLEAR_LINE, "text": "t" + CLEAR_LINE}]
    write(tmp_path / "bad-flag.bodymap", doc)
    # even a value that slipped past the codec is escaped on the way out (defence in depth)
    real_load = ff.load

    def load_with_slipped_code(path, atlas=None):
        m = real_load(path, atlas)
        m.meta["session_code"] = "S" + CLEAR_LINE
        return m

    monkeypatch.setattr(ff, "load", load_with_slipped_code)
    import bodymap.cli.match as cli_match

    monkeypatch.setattr(cli_match, "load", load_with_slipped_code)
    for what, status, out, err in _show_and_match_outputs(ok, capsys):
        assert TERMINAL_ACTIVE.search(out) is None, (what, out)
        assert TERMINAL_ACTIVE.search(err) is None, (what, err)
        assert "cauda_equina" in out or "RED FLAG" in out, (what, out)
    for bad in sorted(tmp_path.glob("bad-*.bodymap")):
        status = main(["show", str(bad)])
        cap = capsys.readouterr()
        assert status == 2 and cap.err.count("\n") == 1, (bad.name, cap.err)
        assert TERMINAL_ACTIVE.search(cap.err + cap.out) is None, (bad.name, cap.err)


def test_1_fhir_of_a_hostile_file_is_refused_and_never_carries_control_characters(atlas, tmp_path, capsys):
    for field, value in (("session_code", "A\x1b[2K\x00\x07"), ("note", "a\x00b\x07")):
        p = write(tmp_path / f"{field}.bodymap", hostile_doc(atlas, **{field: value}))
        assert main(["export", "--fhir", str(p)]) == 2
        cap = capsys.readouterr()
        assert cap.out == "" and TERMINAL_ACTIVE.search(cap.err) is None
    from bodymap.exports.fhir import bundle_for, dumps

    slipped = emergency_map(atlas)
    slipped.meta["session_code"] = "A\x1bB"  # past every check: the Bundle writer is the last guard
    with pytest.raises(BodymapError):
        dumps(bundle_for(slipped))

    m = emergency_map(atlas)
    m.visit.note = "line one\nline two\twith a tab"
    m.meta["session_code"] = "ABC-DEF"
    text = dumps(bundle_for(m))
    decoded = json.loads(text)

    def strings(v):
        if isinstance(v, str):
            yield v
        elif isinstance(v, dict):
            for k, x in v.items():
                yield k
                yield from strings(x)
        elif isinstance(v, list):
            for x in v:
                yield from strings(x)

    # FHIR strings may hold tab, newline and carriage return, nothing else below 32
    assert not [s for s in strings(decoded) if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", s)]


# ---------------------------------------------------------------------------
# 10 (lesser): an error quotes at most 80 characters of a bad value; a BOM is accepted


def test_10_a_huge_bad_value_is_quoted_in_80_characters(atlas, tmp_path):
    doc = hostile_doc(atlas)
    doc["answers"]["bladder_bowel"] = "x" * 10_000_000
    with pytest.raises(FileFormatError) as exc:
        ff.load(write(tmp_path / "m.bodymap", doc), atlas=atlas)
    msg = str(exc.value)
    assert len(msg) < 400 and "10000000 characters" in msg, msg[:400]


def test_10_a_utf8_bom_is_accepted(atlas, tmp_path):
    p = tmp_path / "bom.bodymap"
    p.write_bytes(b"\xef\xbb\xbf" + ff.dumps(emergency_map(atlas)))
    assert ff.load(p, atlas=atlas).answers["bladder_bowel"] is True


def test_10_only_known_atlas_scales(atlas, tmp_path):
    doc = hostile_doc(atlas)
    doc["atlas"]["scale"] = 399.5
    with pytest.raises(FileFormatError, match="atlas scales"):
        ff.load(write(tmp_path / "m.bodymap", doc), atlas=atlas)


def test_10_output_is_utf8_even_in_an_ascii_locale(atlas, tmp_path):
    m = emergency_map(atlas)
    m.visit.note = "dolor lumbar, niño, café"
    p = ff.save(m, tmp_path / "m.bodymap")
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C", "LANG": "C"}
    res = subprocess.run([sys.executable, "-m", "bodymap", "show", str(p)], capture_output=True, env=env,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    assert "niño, café".encode("utf-8") in res.stdout
    res = subprocess.run([sys.executable, "-m", "bodymap", "export", "--csv", str(p)], capture_output=True,
                         env=env, timeout=120)
    assert res.returncode == 0, res.stderr
