"""Text for every window: rendered-text caches, word wrap, and text fitted into a box.

`TextCache` renders a line once per (text, size, colour). `Texts` adds fitting
(wrap onto a few lines, shrink only when a word would not fit, so no label runs
off its button in any language) and records every string drawn in a frame
(`Texts.frame`), which lets the tests read what the patient sees.
"""
from __future__ import annotations

from functools import lru_cache

import pygame

from ... import render
from ...render.palette import DESK, KIOSK

class TextCache:
    """Rendered text surfaces by (text, size, colour): rendering text is the slow part of UI drawing."""

    def __init__(self, limit: int = 600):
        self._cache: dict[tuple, pygame.Surface] = {}
        self.limit = limit

    def __call__(self, text: str, size: int, colour=DESK.text) -> pygame.Surface:
        key = (text, size, tuple(colour))
        s = self._cache.get(key)
        if s is None:
            if len(self._cache) >= self.limit:
                self._cache.clear()
            s = self._cache[key] = render.font(size).render(text, True, colour)
        return s

    def width(self, text: str, size: int) -> int:
        return render.font(size).size(text)[0]


def wrap_text(text: str, size: int, width: int, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap to `width` pixels at font `size`; a too-long word is cut.

    With `max_lines`, the last line ends in an ellipsis when text was left out.
    Cached: the same text is wrapped again every frame.
    """
    return list(_wrap_cached(text, size, width, max_lines))


@lru_cache(maxsize=2048)
def _wrap_cached(text: str, size: int, width: int, max_lines: int | None) -> tuple[str, ...]:
    f = render.font(size)
    words = text.split()
    lines: list[str] = []
    cur = ""
    for w in words:
        trial = f"{cur} {w}" if cur else w
        if f.size(trial)[0] <= width:
            cur = trial
            continue
        if cur:
            lines.append(cur)
        while f.size(w)[0] > width and len(w) > 1:  # hard-cut a word longer than the line
            k = len(w)
            while k > 1 and f.size(w[:k])[0] > width:
                k -= 1
            lines.append(w[:k])
            w = w[k:]
        cur = w
    if cur:
        lines.append(cur)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        words = lines[-1].split(" ")
        while len(words) > 1 and f.size(" ".join(words) + " …")[0] > width:
            words.pop()
        lines[-1] = " ".join(words).rstrip(" ,") + " …"
    return tuple(lines)


class Texts:
    """Rendered text with a cache, and the list of strings drawn in the current frame."""

    def __init__(self, limit: int = 400):
        self.cache = TextCache(limit)
        self.frame: list[str] = []
        self._fit: dict[tuple, tuple[int, list[str]]] = {}

    def clear(self) -> None:
        """Forget every rendering (called when a patient's session ends)."""
        self.cache = TextCache(self.cache.limit)
        self._fit.clear()

    def surf(self, text: str, size: int, colour=KIOSK.text) -> pygame.Surface:
        self.frame.append(text)
        return self.cache(text, size, colour)

    def fit(self, text: str, size: int, width: int, height: int | None = None, max_lines: int = 3,
            min_size: int = 16) -> tuple[int, list[str]]:
        """The largest size <= `size` at which `text` wraps into `max_lines` lines of `width`
        (and `height`), never cutting a word unless even `min_size` is too big."""
        key = (text, size, width, height, max_lines, min_size)
        hit = self._fit.get(key)
        if hit is not None:
            return hit
        s = max(int(size), 1)
        width = max(int(width), 8)
        while True:
            f = render.font(s)
            words_fit = all(f.size(w)[0] <= width for w in text.split())
            lines = wrap_text(text, s, width) if words_fit else []
            tall = height is not None and len(lines) * f.get_linesize() > height
            if words_fit and len(lines) <= max_lines and not tall:
                break
            if s <= min_size:
                lines = wrap_text(text, s, width, max_lines=max_lines)
                break
            s = max(min_size, int(s * 0.92))
        if len(self._fit) > 2000:
            self._fit.clear()
        self._fit[key] = (s, lines)
        return s, lines

    def block_height(self, text: str, size: int, width: int, max_lines: int = 4, min_size: int = 16) -> int:
        s, lines = self.fit(text, size, width, None, max_lines, min_size)
        return len(lines) * render.font(s).get_linesize()

    def block(self, surface: pygame.Surface, text: str, rect: pygame.Rect, size: int, colour=KIOSK.text,
              align: str = "center", valign: str = "top", max_lines: int = 4, min_size: int = 16) -> pygame.Rect:
        """Draw `text` wrapped inside `rect`; returns the rectangle the lines took."""
        s, lines = self.fit(text, size, rect.width, rect.height, max_lines, min_size)
        lh = render.font(s).get_linesize()
        total = len(lines) * lh
        y = {"top": rect.top, "center": rect.centery - total // 2, "bottom": rect.bottom - total}[valign]
        used = pygame.Rect(rect.left, y, 0, total)
        for line in lines:
            t = self.surf(line, s, colour)
            r = t.get_rect()
            r.top = y
            if align == "left":
                r.left = rect.left
            elif align == "right":
                r.right = rect.right
            else:
                r.centerx = rect.centerx
            surface.blit(t, r)
            used.union_ip(r)
            y += lh
        return used


