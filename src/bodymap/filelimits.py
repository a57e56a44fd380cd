"""The limits of the one codec (ADR 0018): counts checked before parsing, and the text rules of the fields
outside the visit. `bodymap.fileformat` applies them in `read_document`; they live here so that the codec's
rules for a file's shape stay in fileformat.py and its limits on a hostile file's cost and text in one place.
"""
from __future__ import annotations

from typing import Any

from . import textsafe
from .errors import FileFormatError, UsageError

# Counts, not only bytes (ADR 0018): a 16 MB file of tiny JSON objects would cost gigabytes once parsed.
MAX_CONTAINERS = 400_000  # '[' and '{' in the file's bytes, counted before parsing
MAX_SEPARATORS = 1_000_000  # ',' in the file's bytes: at most this many values in all its lists and objects
MAX_RED_FLAGS = 100  # recorded red flags (the rules know about 20)
MAX_EXTRA_NODES = 10_000  # values kept unread: unknown keys, answers to unknown questions, a flag's other fields
# Text fields outside the visit (whose caps are painting.VISIT_MAX_CHARS): characters at most
TEXT_MAX_CHARS = {"session_code": 64, "language": 35, "app_version": 64, "atlas.id": 64,
                  "flag.id": 64, "flag.text": 500, "flag.urgency": 32, "flag.because": 500, "extra": 4000}
# Counts in the inflated log (ADR 0018): a point is one list and two commas; 300,000 points is over an hour of
# continuous finger painting at 60 motion events a second, and parses in tens of MB, where 64 MB of tiny
# objects took 1.8 GB.
MAX_STROKE_CONTAINERS = 300_000
MAX_STROKE_SEPARATORS = 800_000
MAX_STROKES = 20_000  # entries in the log


def check_counts(raw: bytes, where: str, what: str, containers: int, separators: int) -> None:
    """Bound what json.loads may build, before it builds it: lists and objects by their brackets, values by
    their commas (an over-count, since text may hold either; legitimate files stay far below)."""
    if len(raw) <= min(containers, separators):  # each byte is at most one bracket or comma: cannot be over
        return  # (a typical map's file and log are 10-30 KB: three scans of each were a tenth of its decode)
    n = raw.count(b"[") + raw.count(b"{")
    if n > containers:
        raise FileFormatError(f"{where}: {what} holds too many lists and objects ({n}; at most {containers})")
    n = raw.count(b",")
    if n > separators:
        raise FileFormatError(f"{where}: {what} holds too many values ({n} commas; at most {separators})")


def text_field(value: str, key: str, where: str, *, multiline: bool = False) -> str:
    """A text field checked by bodymap.textsafe (no control, bidi or zero-width characters; its length cap)."""
    try:
        return textsafe.check_text(value, f"'{key}'", TEXT_MAX_CHARS[key.split("[")[0]], multiline=multiline)
    except UsageError as exc:
        raise FileFormatError(f"{where}: {exc}") from None


def time_field(value: str, key: str, where: str) -> str:
    try:
        return textsafe.check_time(value, f"'{key}'")
    except UsageError as exc:
        raise FileFormatError(f"{where}: {exc}") from None


def red_flags(flags: Any, where: str) -> list[dict]:
    """Recorded red flags: at most MAX_RED_FLAGS objects; `id` text, every text in them safe and capped."""
    if not isinstance(flags, list) or not all(isinstance(f, dict) for f in flags):
        raise FileFormatError(f"{where}: 'red_flags' must be a list of objects")
    if len(flags) > MAX_RED_FLAGS:
        raise FileFormatError(f"{where}: 'red_flags' holds {len(flags)} flags (at most {MAX_RED_FLAGS})")
    budget = [MAX_EXTRA_NODES]
    for i, f in enumerate(flags):
        for key, value in f.items():
            name = f"flag.{key}"
            if key in ("id", "text", "urgency") and isinstance(value, str):
                text_field(value, name, where)
            elif key == "because" and isinstance(value, list):
                if len(value) > 20:
                    raise FileFormatError(f"{where}: 'red_flags[{i}].because' holds more than 20 reasons")
                for b in value:
                    if isinstance(b, str):
                        text_field(b, name, where)
                    else:
                        kept_unread(b, f"red_flags[{i}].because", where, budget)
            else:
                kept_unread({key: value}, f"red_flags[{i}]", where, budget)
    return flags


def kept_unread(value: Any, what: str, where: str, budget: list[int]) -> None:
    """Values bodymap keeps but does not read (written back on save): bounded in count, their text safe."""
    stack = [value]
    while stack:
        v = stack.pop()
        budget[0] -= 1
        if budget[0] < 0:
            raise FileFormatError(f"{where}: {what}: too many values (at most {MAX_EXTRA_NODES} kept unread)")
        if isinstance(v, str):
            text_field(v, "extra", where, multiline=True)
        elif isinstance(v, dict):
            for k, x in v.items():
                text_field(k, "extra", where)
                stack.append(x)
        elif isinstance(v, list):
            stack.extend(v)
