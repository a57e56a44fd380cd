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


#: room a desktop keeps for its own bars (title bar, taskbar or dock, menu bar)
DESKTOP_MARGIN = (0, 72)


def fit_to_screen(wanted: tuple[int, int], desktop: tuple[int, int] | None,
                  margin: tuple[int, int] = DESKTOP_MARGIN) -> tuple[int, int]:
    """The default window size made to fit the desktop (issue 21: a 1366x768 or 1280x800 laptop): at most
    the desktop less the room its own bars take, never below MIN_SIZE. An unknown desktop keeps `wanted`.

    >>> fit_to_screen((1280, 800), (1366, 768))
    (1280, 696)
    >>> fit_to_screen((1400, 900), (1280, 800))
    (1280, 728)
    """
    if not desktop or desktop[0] <= 0 or desktop[1] <= 0:
        return wanted
    w = min(wanted[0], desktop[0] - margin[0])
    h = min(wanted[1], desktop[1] - margin[1])
    return max(w, MIN_SIZE[0]), max(h, MIN_SIZE[1])
