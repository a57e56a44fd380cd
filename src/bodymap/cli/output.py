"""What the `bodymap` command prints: every character through one escaping function (ADR 0018).

`main()` runs each command with `sys.stdout` and `sys.stderr` replaced by a
`SafeStream`, so `show`, `match`, the folder commands, error lines and anything a
library prints all pass `textsafe.terminal`: a control, bidi or zero-width character
from a file is printed as a visible escape (`\\u001b`) and can never clear a red-flag
line, move the cursor or set the terminal's title. Newlines and tabs are kept.

The streams write UTF-8 whatever the locale (a Windows console redirected to a
file used to die on the first "é"); a stream that cannot take UTF-8 gets the
character escaped instead (`\\xe9`), never an exception part-way through the output.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Iterator

from ..textsafe import terminal


class SafeStream:
    """A text stream whose writes pass `terminal()`; everything else is the wrapped stream's."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def write_control(self, text: str) -> int:
        """For bodymap's own cursor control (a progress bar's carriage return), never for data."""
        return self._stream.write(text)

    @property
    def unescaped(self):
        return self._stream

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _utf8(stream) -> None:
    """Make a real console or file stream write UTF-8, escaping what it still cannot encode."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    try:
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            reconfigure(encoding="utf-8", errors="backslashreplace")
        else:
            reconfigure(errors="backslashreplace")
    except (ValueError, OSError, LookupError, TypeError):  # a stream that cannot be changed: keep it as it is
        pass


@contextlib.contextmanager
def safe_output() -> Iterator[None]:
    """Run the block with stdout and stderr escaped (and UTF-8 where the stream allows)."""
    out, err = sys.stdout, sys.stderr
    for s in (out, err):
        if s is not None and not isinstance(s, SafeStream):
            _utf8(s)
    sys.stdout = out if out is None or isinstance(out, SafeStream) else SafeStream(out)
    sys.stderr = err if err is None or isinstance(err, SafeStream) else SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err


def control(stream, text: str) -> None:
    """Write cursor control (a carriage return) to `stream` unescaped, whether or not it is a SafeStream."""
    getattr(stream, "write_control", stream.write)(text)


__all__ = ["SafeStream", "safe_output", "control"]
