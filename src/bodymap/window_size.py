"""The one parser for a window size given as WxH (`--size 1280x800`)."""
from __future__ import annotations

from .errors import UsageError

MIN_SIZE = (320, 240)
MAX_SIDE = 10000


def parse_window_size(text: str, option: str = "--size", example: str = "1280x800") -> tuple[int, int]:
    """'1280x800' -> (1280, 800). Anything else is a UsageError naming the option and what was given.

    >>> parse_window_size("1400X900")
    (1400, 900)
    """
    parts = str(text).strip().lower().split("x")
    try:
        if len(parts) != 2:
            raise ValueError(text)
        w, h = (int(v) for v in parts)
    except ValueError:
        raise UsageError(f"{option} must look like {example}, got {text!r}") from None
    if not (MIN_SIZE[0] <= w <= MAX_SIDE and MIN_SIZE[1] <= h <= MAX_SIDE):
        raise UsageError(f"{option} {text} is out of range (from {MIN_SIZE[0]}x{MIN_SIZE[1]} "
                         f"to {MAX_SIDE}x{MAX_SIDE})")
    return w, h
