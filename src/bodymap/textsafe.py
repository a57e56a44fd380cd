"""Text from files and users: what may be stored, and how it is shown (docs/adr/0018-hostile-text-safety.md).

Two rules, one module:

- **Checking** (`check_text`, `check_time`): every text field the one codec
  (`fileformat.read_document`) accepts passes the same test as the visit fields:
  no control characters (C0 other than tab and newline where a field allows them,
  DEL, C1), no NUL, no bidirectional controls (which can show "MRN 12\u202e3456" as
  "MRN 126543"), no zero-width characters, a length cap per field; times in the
  years 1900-2200.
- **Showing** (`terminal`, `quote`): everything bodymap prints to a terminal passes
  `terminal()`, which writes any control, bidi or zero-width character as a visible
  escape (`\\u001b`, `\\u202e`), so no text from a file can move the cursor, clear a
  line (a red flag) or set the window title. `quote()` shows at most 80 characters
  of a bad value in an error.

Headless core: imports nothing from bodymap but errors.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from .errors import UsageError

# C0 controls, DEL, C1 controls, the Unicode line and paragraph separators
_CONTROL = "\x00-\x1f\x7f-\x9f\u2028\u2029"
# bidirectional formatting: LRM, RLM, ALM, the embeddings/overrides and the isolates
BIDI = "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069"
# zero-width and invisible joiners/spaces, the word joiner, invisible operators, the BOM, the Mongolian vowel separator
ZERO_WIDTH = "\u200b-\u200d\u2060-\u2064\ufeff\u180e"
# lone surrogates (JSON may spell them as \\ud800): they cannot be written as UTF-8 at all
SURROGATES = "\ud800-\udfff"
_UNSAFE_LINE = re.compile(f"[{_CONTROL}{BIDI}{ZERO_WIDTH}]")
_UNSAFE_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{BIDI}{ZERO_WIDTH}]")
# what terminal() escapes: every unsafe character except newline and tab (lines are printed as lines)
_UNSAFE_TERMINAL = _UNSAFE_MULTILINE
# lone surrogates cannot be encoded at all; show them escaped too
_SURROGATE = re.compile("[\ud800-\udfff]")

YEAR_MIN, YEAR_MAX = 1900, 2200
QUOTE_CHARS = 80


def unsafe_char(text: str, multiline: bool = False) -> str | None:
    """The first character `text` may not hold (control, NUL, bidi, zero-width), or None."""
    m = (_UNSAFE_MULTILINE if multiline else _UNSAFE_LINE).search(text)
    if m is None:
        m = _SURROGATE.search(text)
    return m.group(0) if m else None


def describe(ch: str) -> str:
    """A character named for a message: 'control character U+001B'."""
    code = ord(ch)
    if ch == "\x00":
        kind = "NUL character"
    elif re.fullmatch(f"[{BIDI}]", ch):
        kind = "bidirectional control"
    elif re.fullmatch(f"[{ZERO_WIDTH}]", ch):
        kind = "zero-width character"
    elif 0xD800 <= code <= 0xDFFF:
        kind = "lone surrogate"
    else:
        kind = "control character"
    return f"{kind} U+{code:04X}"


def check_text(value: object, what: str, max_chars: int, *, multiline: bool = False) -> str:
    """`value` if it is text of at most `max_chars` characters holding no unsafe character, else UsageError.

    The message names the field, the reason and at most 80 characters of the value (escaped).
    """
    if not isinstance(value, str):
        raise UsageError(f"{what} must be text, got {type(value).__name__}")
    if len(value) > max_chars:
        raise UsageError(f"{what} is too long ({len(value)} characters; at most {max_chars})")
    bad = unsafe_char(value, multiline)
    if bad is not None:
        raise UsageError(f"{what} holds a {describe(bad)}: {quote(value)}")
    return value


def check_time(value: object, what: str) -> str:
    """An ISO 8601 time (as the file format writes it) in the years 1900-2200, else UsageError.

    A time written without a zone is accepted (read as UTC, bodymap.times); its UTC and
    local forms must stay in range too, so no reader overflows converting it.
    """
    text = check_text(value, what, 64)
    try:
        dt = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
    except ValueError:
        raise UsageError(f"{what} must be an ISO 8601 time such as 2026-03-14T08:05:00Z, got {quote(text)}") from None
    try:
        year = dt.astimezone(timezone.utc).year
    except OverflowError:  # 0001-01-01T00:00:00+05:00 is before the year 1 in UTC
        year = 0
    if not (YEAR_MIN <= dt.year <= YEAR_MAX and YEAR_MIN <= year <= YEAR_MAX):
        raise UsageError(f"{what} {quote(text)} is outside the years {YEAR_MIN}-{YEAR_MAX}")
    return text


def quote(value: object, limit: int = QUOTE_CHARS) -> str:
    """At most `limit` characters of a value for an error message, quoted and escaped, with the length cut."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        return repr(terminal(text[:limit])) + f"... ({len(text)} characters)"
    return repr(terminal(text))


def _escape(m: re.Match) -> str:
    # \u001b rather than \x1b: visible in a terminal, and still valid inside a JSON string (--json output)
    return f"\\u{ord(m.group(0)):04x}"


def terminal(text: object) -> str:
    """`text` made safe to print: every control, bidi and zero-width character (and lone surrogate) shown as
    a visible escape; newlines and tabs kept. The one function every terminal line passes through."""
    s = text if isinstance(text, str) else str(text)
    s = _UNSAFE_TERMINAL.sub(_escape, s)
    return _SURROGATE.sub(_escape, s)


def is_clean(text: str) -> bool:
    """True when `text` holds nothing `terminal()` would escape (newlines and tabs allowed)."""
    return _UNSAFE_TERMINAL.search(text) is None and _SURROGATE.search(text) is None


__all__ = ["check_text", "check_time", "quote", "terminal", "unsafe_char", "describe", "is_clean",
           "YEAR_MIN", "YEAR_MAX", "QUOTE_CHARS"]
