"""The .bodymap file: versioned, self-describing, lossless, written atomically.

See docs/file-format.md. A .bodymap file is UTF-8 JSON (so any YAML 1.2 reader
can read it too). The layers are stored as one byte per pixel per view (bit i =
sensation i), deflated and base64-encoded: lossless and a few KB for a typical map.
Reading never executes anything (json only) and checks every field's type.

This module is the one codec (ADR 0006): `read_document` is the only reader of
.bodymap bytes, for `load`, the batch scorer and the folder exports alike, and
`post_process` is the one place a read document is adapted to this atlas.
Writes go through `bodymap.atomicio`.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile  # noqa: F401 - bodymap.fileformat.tempfile is patched by the write-failure tests
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from . import atomicio, textsafe, version
from .atlas import VIEWS, Atlas, load_atlas
from .atomicio import clean_temp_files  # noqa: F401 - part of this module's API (the kiosk uses it)
from .confirmed import read_confirmed
from .atlas_remap import remap_layers, steps_between
from .filelimits import (MAX_CONTAINERS, MAX_EXTRA_NODES, MAX_RED_FLAGS, MAX_SEPARATORS,  # noqa: F401 - API
                         MAX_STROKE_CONTAINERS, MAX_STROKE_SEPARATORS, MAX_STROKES, TEXT_MAX_CHARS)
from .filelimits import check_counts as _check_counts, kept_unread as _kept_unread, red_flags as _red_flags
from .filelimits import text_field as _text, time_field as _time
from .errors import FileFormatError, FileWriteError, UsageError
from .painting import (INT_QUESTIONS, QUESTIONS, SENSATIONS, VISIT_FIELDS, PainMap, check_sensation, validate_answer,
                       validate_visit_field)

try:  # zlib-ng inflates the same streams, with the same checks, in about half the time (ADR 0033)
    from zlib_ng import zlib_ng as _inflater
except ImportError:  # pragma: no cover - the standard library's zlib: the same bytes and verdicts, slower
    _inflater = zlib
_INFLATE_ERRORS = tuple({zlib.error, _inflater.error})

try:  # pybase64 decodes base64 with SIMD, about 10 times faster (ADR 0041)
    from pybase64 import b64decode as _fast_b64decode
except ImportError:  # pragma: no cover - the standard decoder alone: the same bytes and verdicts, slower
    _fast_b64decode = None


def _b64decode(data: str) -> bytes:
    """The bytes of a layer's or the stroke log's base64 text, with the standard library's verdict: what the
    fast decoder refuses (it is stricter: it refuses extra '=' the standard accepts) the standard decides."""
    raw = data.encode("ascii")  # UnicodeEncodeError for any other character: the file is corrupt
    if _fast_b64decode is not None:
        try:
            return _fast_b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            pass
    return base64.b64decode(raw, validate=True)

FORMAT_NAME = "bodymap"
# 1: the first format. 2: the optional visit fields (patient_id, visit_date, recorded_by, note) and "unsure"
# as a yes/no answer. A version 1 file reads unchanged (no visit fields, no "unsure"); see docs/file-format.md.
FORMAT_VERSION = 2
MAX_FILE_BYTES = 16 * 1024 * 1024
LAYER_ENCODING = "bitfield-u8-zlib-base64"
MAX_LAYER_PIXELS = 5_000_000  # per view; the largest atlas grid (scale 400) is 3200 x 1480
# The atlas scales bodymap draws at (px per head height): a file at any other scale would make every reader
# build and cache a raster of its own (up to 197 MB at 400), so it is refused (ADR 0018).
KNOWN_SCALES = (20.0, 40.0, 80.0, 160.0)
KNOWN_KEYS = {
    "format", "format_version", "atlas", "created", "modified", "language", "session_code", "app_version",
    "layers", "strokes", "intensity", "answers", "red_flags", "summary", *VISIT_FIELDS,
    "confirmed",  # the confirmed diagnosis (bodymap.confirmed; issue 25)
}


def save(pain_map: PainMap, path: str | os.PathLike, *, mode: int | None = None, new: bool = False) -> Path:
    """Write `pain_map` to `path` atomically (temp file, fsync, os.replace). Returns the path.

    `mode` defaults to 0600, or 0640 in the default maps folder when BODYMAP_SHARE_GROUP shares it.
    `new`: only as a new file; if `path` exists when the file would appear (another writer got there
    first), FileWriteError "already exists" and nothing is replaced (atomicio, exclusive).
    """
    path = Path(path)
    data = dumps(pain_map)
    if mode is None:
        from .paths import maps_sharing

        mode = maps_sharing().file_mode(path.parent if str(path.parent) else Path("."))
    write_atomic(path, data, mode=mode, exclusive=new)
    return path


def dumps(pain_map: PainMap) -> bytes:
    for key in ("session_code", "language"):  # the reader's rule, applied before anything is written
        if pain_map.meta.get(key) is not None:
            textsafe.check_text(pain_map.meta[key], key, TEXT_MAX_CHARS[key])
    if pain_map.meta.get("created") is not None:
        textsafe.check_time(pain_map.meta["created"], "created")
    pain_map.meta["modified"] = _now()
    doc = dict(pain_map.extra)  # unknown keys first; known keys below always win
    doc.update({
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "atlas": {
            "id": pain_map.atlas.id,
            "version": pain_map.atlas.version,
            "content_hash": pain_map.atlas.content_hash,
            "scale": pain_map.scale,
            "grid": list(pain_map.raster.shape),
        },
        "created": pain_map.meta.get("created"),  # null when a hand-written file had none: never invented
        "modified": pain_map.meta["modified"],
        "language": pain_map.meta.get("language", "en"),
        "session_code": pain_map.meta.get("session_code"),
        "app_version": version.__version__,
        **{k: getattr(pain_map.visit, k) for k in VISIT_FIELDS},  # null when not given
        "layers": encode_layers(pain_map),
        "strokes": encode_strokes(pain_map.strokes),
        "intensity": dict(pain_map.intensity),
        "answers": {**getattr(pain_map, "extra_answers", {}), **dict(pain_map.answers)},
        "red_flags": list(pain_map.red_flags_recorded),
        "summary": pain_map.summary(),
    })
    doc.update({"confirmed": dict(pain_map.confirmed)} if getattr(pain_map, "confirmed", None) else {})
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def encode_layers(pain_map: PainMap) -> dict[str, Any]:
    out: dict[str, Any] = {"encoding": LAYER_ENCODING, "sensations": list(SENSATIONS),
                           "shape": list(pain_map.raster.shape)}
    for v in VIEWS:
        out[v] = encode_view(view_bitfield(pain_map, v))
    return out


def view_bitfield(pain_map: PainMap, view: str) -> np.ndarray:
    """One view's (rows, cols) uint8 bitfield (bit i = sensation i); a painter that already knows it for the
    map's version leaves it in the map's cache (the CHOIR import, bodymap.exports.choir_import)."""
    hit = pain_map._cache.get(("bitfield", view, pain_map.version))
    if hit is not None:
        return hit
    weights = (1 << np.arange(len(SENSATIONS), dtype=np.uint8))[:, None, None]
    return (pain_map.layers(view).astype(np.uint8) * weights).sum(axis=0, dtype=np.uint8)


def encode_view(bits: np.ndarray) -> dict[str, Any]:
    """One view's (rows, cols) uint8 bitfield -> {"bbox", "data"}: only the painted box is stored."""
    rows = np.flatnonzero(bits.any(axis=1))
    cols = np.flatnonzero(bits.any(axis=0))
    if len(rows):
        r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
    else:
        r0 = r1 = c0 = c1 = 0
    sub = np.ascontiguousarray(bits[r0:r1, c0:c1])
    return {"bbox": [r0, r1, c0, c1], "data": base64.b64encode(zlib.compress(sub.tobytes(), 6)).decode("ascii")}


def decode_view(enc: Any, rows: int, cols: int, where: str) -> tuple[int, int, np.ndarray]:
    """One view's bitfield: (r0, c0, bits inside the painted bounding box).

    `enc` is {"bbox": [r0, r1, c0, c1], "data": ...} (only the painted box is
    stored) or a plain string holding the whole grid.
    """
    if isinstance(enc, str):
        r0, r1, c0, c1, data = 0, rows, 0, cols, enc
    elif isinstance(enc, dict) and isinstance(enc.get("data"), str) and isinstance(enc.get("bbox"), list):
        box = enc["bbox"]
        if (len(box) != 4 or not all(isinstance(x, int) and not isinstance(x, bool) for x in box)
                or not (0 <= box[0] <= box[1] <= rows and 0 <= box[2] <= box[3] <= cols)):
            raise FileFormatError(f"{where}: bounding box {textsafe.quote(box)} does not fit the {rows} x {cols} grid")
        r0, r1, c0, c1 = box
        data = enc["data"]
    else:
        raise FileFormatError(f"{where}: is missing or not a layer")
    n = (r1 - r0) * (c1 - c0)
    try:
        comp = _b64decode(data)
        d = _inflater.decompressobj()
        raw = d.decompress(comp, n + 1)
        if d.unconsumed_tail or len(raw) != n or not d.eof:
            raise ValueError("size")
    except (binascii.Error, *_INFLATE_ERRORS, ValueError, UnicodeEncodeError):
        raise FileFormatError(f"{where}: is corrupt") from None
    return r0, c0, np.frombuffer(raw, dtype=np.uint8).reshape(r1 - r0, c1 - c0)


STROKE_ENCODING = "json-zlib-base64"
MAX_STROKE_LOG_BYTES = 16 * 1024 * 1024  # inflated


def encode_strokes(strokes: list[dict]) -> dict[str, str]:
    """The stroke log as deflated JSON: a third of the size, and batch readers can skip it unparsed."""
    raw = json.dumps(strokes, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return {"encoding": STROKE_ENCODING, "data": base64.b64encode(zlib.compress(raw, 6)).decode("ascii")}


def decode_strokes(value: Any, where: str, *, parse: bool = True) -> Any:
    """Accept the encoded form, or a plain JSON list (hand-written files).

    `parse=False` (readers that skip the log) still inflates it and checks its size and counts, without
    parsing: every reader gives the same verdict on a file whose log is corrupt (ADR 0018), for the cost of
    an inflate of a few KB on a typical map, not a parse.
    """
    if isinstance(value, list):
        return value
    if not isinstance(value, dict) or value.get("encoding") != STROKE_ENCODING or not isinstance(value.get("data"), str):
        raise FileFormatError(f"{where}: 'strokes' must be a list or {{encoding: {STROKE_ENCODING}, data}}")
    try:
        d = _inflater.decompressobj()
        raw = d.decompress(_b64decode(value["data"]), MAX_STROKE_LOG_BYTES)
        if d.unconsumed_tail or not d.eof:
            raise ValueError("too large or truncated")
        _check_counts(raw, where, "'strokes'", MAX_STROKE_CONTAINERS, MAX_STROKE_SEPARATORS)
        if not parse:
            if not raw.lstrip().startswith(b"["):
                raise ValueError("not a list")
            return None
        out = _JSON.decode(raw.decode("utf-8"))
    except (binascii.Error, *_INFLATE_ERRORS, ValueError, UnicodeError, RecursionError):
        raise FileFormatError(f"{where}: 'strokes' is corrupt") from None
    return out


def write_atomic(path: Path, data: bytes, mode: int = 0o600, *, exclusive: bool = False) -> None:
    """Never a partial file (bodymap.atomicio): temp file beside `path`, fsync, os.replace, fsync the folder."""
    if Path(path).is_dir():
        raise FileWriteError(f"{path}: is a folder; give a file name ending in .bodymap")
    atomicio.write_atomic(path, data, mode, verb="save", exclusive=exclusive)


def load(path: str | os.PathLike, atlas: Atlas | None = None) -> PainMap:
    """Read a .bodymap file. Raises FileFormatError (a BodymapError) naming the problem."""
    path = Path(path)
    return loads(read_bytes(path), atlas=atlas, where=str(path))


def read_bytes(path: str | os.PathLike) -> bytes:
    """A .bodymap file's bytes, with every read failure as one FileFormatError line."""
    from .paths import read_regular

    try:
        return read_regular(path, MAX_FILE_BYTES, "a .bodymap file")  # a FIFO, device or socket refused by name
    except (ValueError, OSError) as exc:
        failed = exc
    path = Path(path)
    try:
        folder = path.is_dir()  # asked only when the read failed: one system call fewer for every file that reads
    except OSError:  # a name the system refuses (too long): the read's own error says so
        folder = False
    if folder:
        raise FileFormatError(f"{path}: is a folder, not a .bodymap file")
    if isinstance(failed, ValueError):
        raise FileFormatError(f"{path}: {failed}") from None
    if isinstance(failed, FileNotFoundError):
        raise FileFormatError(f"{path}: no such file") from None
    if isinstance(failed, PermissionError):
        raise FileFormatError(f"{path}: permission denied") from None
    raise FileFormatError(f"{path}: cannot read ({failed.strerror or failed})") from None


# ---------------------------------------------------------------------------
# Reading: the one codec. Every reader of .bodymap bytes (load, the batch scorer,
# the folder exports) goes bytes -> parse_json -> read_document -> Document; only
# what each then builds from the Document differs.


@dataclass
class Document:
    """A .bodymap file read and checked against this bodymap's atlas, not yet a PainMap.

    `views` holds each view's layer bitfield inside its painted bounding box, with
    the bits already in this bodymap's order (bit i = SENSATIONS[i]) and on the
    file's own grid (`shape`); `bits()` gives it on any grid.
    """

    where: str
    format_version: int
    atlas: dict[str, Any]  # the file's atlas block: id, version, content_hash, scale, grid
    scale: float
    shape: tuple[int, int]
    views: dict[str, tuple[int, int, np.ndarray]]  # view -> (r0, c0, uint8 bits in the painted box)
    strokes: list[dict] | None  # None when read with strokes=False (the batch path never needs them)
    intensity: dict[str, int] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)  # known questions, checked
    extra_answers: dict[str, Any] = field(default_factory=dict)  # questions from a newer bodymap: kept
    red_flags: list[dict] = field(default_factory=list)  # as recorded when the map was saved
    meta: dict[str, str | None] = field(default_factory=dict)  # created, modified, language, session_code, app_version
    visit: dict[str, str] = field(default_factory=dict)  # the visit fields given (VISIT_FIELDS), checked
    confirmed: dict | None = None  # the confirmed diagnosis, checked (bodymap.confirmed)
    extra: dict[str, Any] = field(default_factory=dict)  # unknown top-level keys, written back on save
    notes: list[str] = field(default_factory=list)  # what a reader should be told (migrations)
    from_atlas_version: int = 0  # the atlas version the map was drawn on (set by post_process)
    bits_any: dict[str, int] = field(default_factory=dict)  # view -> the OR of its bits (found as the layers are read)

    def bits(self, view: str, shape: tuple[int, int] | None = None) -> np.ndarray:
        """The view's (rows, cols) uint8 bitfield on `shape` (default the file's grid), resampled if needed."""
        rows, cols = self.shape
        r0, c0, sub = self.views[view]
        full = np.zeros((rows, cols), dtype=np.uint8)
        full[r0:r0 + sub.shape[0], c0:c0 + sub.shape[1]] = sub
        if shape is not None and tuple(shape) != (rows, cols):
            full = _resample(full, tuple(shape))
        return full

    def stack(self, view: str, shape: tuple[int, int] | None = None) -> np.ndarray:
        """The view as a (len(SENSATIONS), rows, cols) bool stack (PainMap's layout)."""
        shifts = np.arange(len(SENSATIONS), dtype=np.uint8)[:, None, None]
        if shape is not None and tuple(shape) != self.shape:
            return ((self.bits(view, shape)[None] >> shifts) & 1).astype(bool)
        r0, c0, sub = self.views[view]
        out = np.zeros((len(SENSATIONS), *self.shape), dtype=bool)
        out[:, r0:r0 + sub.shape[0], c0:c0 + sub.shape[1]] = (sub[None] >> shifts) & 1  # only the painted box
        return out


def loads(raw: bytes, atlas: Atlas | None = None, where: str = "<bytes>") -> PainMap:
    atlas = atlas or load_atlas()
    return to_pain_map(read_document(raw, atlas, where), atlas)


def from_document(doc: Any, atlas: Atlas | None = None, where: str = "<document>") -> PainMap:
    """A parsed JSON document -> PainMap."""
    atlas = atlas or load_atlas()
    return to_pain_map(document_from_json(doc, atlas, where), atlas)


def read_document(raw: bytes, atlas: Atlas | None = None, where: str = "<bytes>", *, strokes: bool = True) -> Document:
    """The one reader of .bodymap bytes. `strokes=False` skips the stroke log (scoring never needs it)."""
    return document_from_json(parse_json(raw, where), atlas, where, strokes=strokes)


def parse_json(raw: bytes, where: str = "<bytes>") -> Any:
    """Bytes -> the JSON value, refusing oversized, empty, non-UTF-8 and NaN/Infinity input."""
    if len(raw) > MAX_FILE_BYTES:
        raise FileFormatError(f"{where}: too large for a .bodymap file")
    if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark (some Windows editors add one): not content
        raw = raw[3:]
    _check_counts(raw, where, "the file", MAX_CONTAINERS, MAX_SEPARATORS)
    if not raw.strip():
        raise FileFormatError(f"{where}: the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError(f"{where}: not a .bodymap file (not UTF-8 text)") from None
    try:
        return _DOC_JSON.decode(text)
    except json.JSONDecodeError as exc:
        # a document cut short fails at its end, or inside the string it was cut in (the layers are long strings)
        tail = text[exc.pos:].rstrip()
        cut = (len(tail) <= 1 or exc.msg.startswith("Unterminated string")
               or any(word.startswith(tail) for word in ("null", "true", "false")))
        hint = "truncated or corrupt" if cut and text.lstrip().startswith("{") else "not a .bodymap file"
        raise FileFormatError(f"{where}: {hint} (JSON error at line {exc.lineno}, column {exc.colno})") from None
    except _RefusedJSON as exc:  # it said "(ValueError)" (ADR 0043)
        raise FileFormatError(f"{where}: not a .bodymap file ({exc} in JSON)") from None
    except (RecursionError, ValueError) as exc:
        raise FileFormatError(f"{where}: not a .bodymap file ({type(exc).__name__})") from None


class _RefusedJSON(ValueError):
    """Valid JSON that a .bodymap document may not hold (NaN or Infinity, a key given twice): named in the error."""


def _reject_constant(name: str):
    raise _RefusedJSON(f"{name} is not allowed")


def _refuse_duplicate_keys(pairs: list) -> dict:
    """One object of the document: a key given twice is refused. Readers differ on which copy wins (this one kept
    the last), so a file could show one patient here and another in a different JSON reader."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _RefusedJSON(f"the key {textsafe.quote(twice)} is given twice in one object")
    return out


_JSON = json.JSONDecoder(parse_constant=_reject_constant)  # one decoder: json.loads would build one per file
# The document itself: also refuses a key given twice. The stroke log keeps _JSON: the folder readers check its
# counts without parsing it (ADR 0018), and every reader must give one verdict.
_DOC_JSON = json.JSONDecoder(parse_constant=_reject_constant, object_pairs_hook=_refuse_duplicate_keys)


def document_from_json(doc: Any, atlas: Atlas | None = None, where: str = "<document>", *,
                       strokes: bool = True) -> Document:
    """Check every field of a parsed .bodymap document against `atlas` and return it as a Document."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise FileFormatError(f"{where}: not a .bodymap file (no 'format: bodymap' header)")
    ver = doc.get("format_version")
    if not isinstance(ver, int) or isinstance(ver, bool):
        raise FileFormatError(f"{where}: 'format_version' must be an integer")
    if ver > FORMAT_VERSION:
        raise FileFormatError(f"{where}: written by a newer bodymap (file format {ver}); "
                              f"this version reads format {FORMAT_VERSION} and older: please update bodymap")
    if ver < 1:
        raise FileFormatError(f"{where}: unknown file format version {ver}")
    atlas = atlas or load_atlas()
    a = _field(doc, "atlas", dict, where)
    aid = _text(_field(a, "id", str, where, "atlas."), "atlas.id", where)
    _field(a, "version", int, where, "atlas.")
    scale = _field(a, "scale", (int, float), where, "atlas.")
    if aid != atlas.id:
        raise FileFormatError(f"{where}: drawn on atlas {textsafe.quote(aid)}, but this bodymap has atlas "
                              f"'{atlas.id}'")
    if float(scale) not in KNOWN_SCALES:
        raise FileFormatError(f"{where}: atlas.scale {textsafe.quote(scale)} is not one of the atlas scales "
                              f"({', '.join(f'{x:g}' for x in KNOWN_SCALES)})")
    if not isinstance(a.get("content_hash", ""), str) or len(a.get("content_hash", "")) > 128:
        raise FileFormatError(f"{where}: 'atlas.content_hash' must be text of at most 128 characters")
    shape, views, bits_any = _decode_layers(_field(doc, "layers", dict, where), where)
    d = Document(where=where, format_version=ver, atlas=a, scale=float(scale), shape=shape, views=views,
                 strokes=_strokes(doc.get("strokes", []), where, parse=strokes), bits_any=bits_any)
    d.intensity = _intensity(doc.get("intensity", {}), where)
    d.answers, d.extra_answers = _answers(doc.get("answers", {}), where)
    d.red_flags = _red_flags(doc.get("red_flags", []), where)
    for key in ("created", "modified", "language", "session_code"):
        v = doc.get(key)
        if v is not None and not isinstance(v, str):
            raise FileFormatError(f"{where}: '{key}' must be text")
        if v is not None:
            v = _time(v, key, where) if key in ("created", "modified") else _text(v, key, where)
        d.meta[key] = v
    app = doc.get("app_version")
    # informative only: never a reason to refuse, but never shown unless it is safe text
    d.meta["app_version"] = (app if isinstance(app, str) and len(app) <= TEXT_MAX_CHARS["app_version"]
                             and textsafe.unsafe_char(app) is None else None)
    d.visit = _visit(doc, where)
    d.confirmed = read_confirmed(doc.get("confirmed"), where)  # the writer's own checks (bodymap.confirmed)
    d.extra = {k: v for k, v in doc.items() if k not in KNOWN_KEYS}
    budget = [MAX_EXTRA_NODES]
    _kept_unread(d.extra, "unknown keys", where, budget)
    _kept_unread(d.extra_answers, "answers", where, budget)
    return post_process(d, atlas)


def post_process(d: Document, atlas: Atlas) -> Document:
    """The one place a read document is adapted to this bodymap's atlas, for every reader.

    It notes a file drawn on another atlas version (painting kept pixel for pixel,
    figures recomputed) and what each atlas version step since then changed
    (bodymap.atlas_remap); a step that changes the pixel grid is applied when the
    layers are built (`to_pain_map`).
    """
    a = d.atlas
    if a.get("version") != atlas.version or a.get("content_hash") != atlas.content_hash:
        d.notes.append(f"drawn on atlas version {a.get('version')} ({str(a.get('content_hash'))[:8]}); "
                       f"shown on version {atlas.version} ({atlas.content_hash[:8]}): painting kept pixel for pixel, "
                       f"region figures recomputed")
    d.from_atlas_version = _version_of(a)
    d.notes.extend(step.note for step in steps_between(d.from_atlas_version, atlas.version))
    return d


def _version_of(a: dict) -> int:
    v = a.get("version")
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def to_pain_map(d: Document, atlas: Atlas) -> PainMap:
    """Build the PainMap a Document describes (on the file's own scale)."""
    m = PainMap(atlas, d.scale)
    if d.shape != m.raster.shape:
        d.notes.append("layers resampled to this atlas grid")
    layers = {v: d.stack(v, m.raster.shape) for v in VIEWS}
    layers, _ = remap_layers(layers, d.from_atlas_version or atlas.version, atlas.version, m.raster.body)
    m.replace_layers(layers)
    m.strokes = d.strokes if d.strokes is not None else []
    m.intensity.update(d.intensity)
    m.answers.update(d.answers)
    m.red_flags_recorded = d.red_flags
    m.meta["created"] = None  # only what the file says
    for key in ("created", "modified", "language", "session_code"):
        if d.meta.get(key) is not None:
            m.meta[key] = d.meta[key]
    m.meta["notes"] = list(dict.fromkeys(d.notes))
    m.visit.update(d.visit)
    m.confirmed = d.confirmed
    m.extra = dict(d.extra)
    m.extra_answers = dict(d.extra_answers)
    m.version = 0
    m._cache = {}
    return m


def _field(d: dict, key: str, kind, where: str, prefix: str = ""):
    if key not in d:
        raise FileFormatError(f"{where}: missing '{prefix}{key}'")
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, kind):
        raise FileFormatError(f"{where}: '{prefix}{key}' has the wrong type ({type(v).__name__})")
    return v


def _decode_layers(layers: dict, where: str) -> tuple[tuple[int, int], dict[str, tuple[int, int, np.ndarray]],
                                                     dict[str, int]]:
    """The file's grid, each view's painted box with its bits mapped to this bodymap's sensation order, and
    the OR of each view's bits (which sensations it holds)."""
    if layers.get("encoding") != LAYER_ENCODING:
        raise FileFormatError(f"{where}: unknown layer encoding {textsafe.quote(layers.get('encoding'))}")
    sens = layers.get("sensations")
    if not isinstance(sens, list) or not all(isinstance(s, str) for s in sens):
        raise FileFormatError(f"{where}: 'layers.sensations' must be a list of names")
    unknown = [s for s in sens if s not in SENSATIONS]
    if unknown or len(sens) > 8:
        raise FileFormatError(f"{where}: unknown sensations {textsafe.quote(unknown)}")
    shape = layers.get("shape")
    if (not isinstance(shape, list) or len(shape) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) and 0 < x <= 10000 for x in shape)):
        raise FileFormatError(f"{where}: 'layers.shape' must be [rows, cols]")
    rows, cols = shape
    if rows * cols > MAX_LAYER_PIXELS:
        raise FileFormatError(f"{where}: 'layers.shape' {rows} x {cols} is too large (max {MAX_LAYER_PIXELS} pixels)")
    own = tuple(sens) == SENSATIONS[:len(sens)]  # bodymap's own order: no lookup (the costly step per map)
    views, bits_any = {}, {}
    for v in VIEWS:
        r0, c0, sub = decode_view(layers.get(v), rows, cols, f"{where}: 'layers.{v}'")
        acc = bits_or(sub)  # below 1 << len(sens) exactly when every value is
        if not (acc == 0 or (own and acc < 1 << len(sens))):
            lut = _bit_map(tuple(sens))
            sub, acc = lut[sub], int(lut[acc])  # the map moves each bit alone: the OR maps as its parts do
        views[v], bits_any[v] = (r0, c0, sub), acc
    return (rows, cols), views, bits_any


def bits_or(sub: np.ndarray) -> int:
    """The OR of every value of a uint8 array (0 when empty): which sensation bits it holds."""
    return int(np.bitwise_or.reduce(sub, axis=None)) if sub.size else 0


@lru_cache(maxsize=16)
def _bit_map(sens: tuple[str, ...]) -> np.ndarray:
    """A byte lookup table moving the file's bit i (sens[i]) to bit SENSATIONS.index(sens[i]), dropping the rest."""
    lut = np.zeros(256, dtype=np.uint8)
    for i, s in enumerate(sens):
        lut |= (((np.arange(256) >> i) & 1) << SENSATIONS.index(s)).astype(np.uint8)
    lut.flags.writeable = False
    return lut


def _strokes(value: Any, where: str, parse: bool = True) -> list[dict] | None:
    strokes = decode_strokes(value, where, parse=parse)
    if not parse and not isinstance(value, list):
        return None  # checked but not parsed: the batch path never needs the log
    if not isinstance(strokes, list) or not all(isinstance(s, dict) for s in strokes):
        raise FileFormatError(f"{where}: 'strokes' must be a list of objects")
    if len(strokes) > MAX_STROKES:
        raise FileFormatError(f"{where}: 'strokes' holds {len(strokes)} entries (at most {MAX_STROKES})")
    return strokes if parse else None


def _intensity(inten: Any, where: str) -> dict[str, int]:
    """The same rules as PainMap.set_intensity: 'overall' or a known sensation, a whole number 0-10."""
    if not isinstance(inten, dict):
        raise FileFormatError(f"{where}: 'intensity' must be an object")
    out = {}
    for k, v in inten.items():
        try:
            key = "overall" if k == "overall" else check_sensation(k)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 10:
                raise UsageError(f"intensity must be a whole number from 0 to 10, got {textsafe.quote(v)}")
        except UsageError as exc:
            raise FileFormatError(f"{where}: intensity: {exc}") from None
        out[key] = v
    return out


def _answers(ans: Any, where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(checked answers to known questions, answers to questions from a newer bodymap, kept as they are)."""
    if not isinstance(ans, dict):
        raise FileFormatError(f"{where}: 'answers' must be an object")
    known, extra = {}, {}
    for k, v in ans.items():
        if k not in QUESTIONS:
            extra[k] = v
            continue
        try:
            known[k] = validate_answer(k, v)
        except UsageError as exc:
            raise FileFormatError(f"{where}: answers: {exc}") from None
    return known, extra


def _visit(doc: dict, where: str) -> dict[str, str]:
    """The visit fields given in the file (format 2 on; a version 1 file has none), with the writer's own checks."""
    out = {}
    for key in VISIT_FIELDS:
        try:
            v = validate_visit_field(key, doc.get(key))
        except UsageError as exc:
            raise FileFormatError(f"{where}: '{key}': {exc}") from None
        if v is not None:
            out[key] = v
    return out


def _resample(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Nearest-neighbour migration between grids of the last two axes (only for files from another grid)."""
    r, c = a.shape[-2:]
    ri = np.minimum((np.arange(shape[0]) + 0.5) * r / shape[0], r - 1).astype(int)
    ci = np.minimum((np.arange(shape[1]) + 0.5) * c / shape[1], c - 1).astype(int)
    return a[..., ri, :][..., ci]


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


__all__ = ["save", "load", "dumps", "loads", "read_document", "Document", "FORMAT_VERSION", "INT_QUESTIONS"]
