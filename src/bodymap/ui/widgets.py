"""Small pygame widgets for the painting window: buttons, a slider, dialogs, text.

Everything here is drawn, never stateful beyond what it shows: the screen owns the
state and tells each widget what to show. Sizes come in already scaled (the screen
multiplies its base sizes by its UI scale).
"""
from __future__ import annotations

from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pygame

from .. import render
from ..render.palette import (DESK, DESK_AGAINST_TEXT, DESK_BAR_FILL, DESK_FOR_TEXT, DESK_SELECT_BG,
                              DESK_SELECT_BORDER)
from ..render.picture import SENSATION_STYLE, pattern_mask, rgba_surface
from .pointer import POINTER_EVENTS, pointer  # noqa: F401 - the input rules moved to ui/pointer.py

# The desk colours (bodymap.render.palette.DESK) under the names the windows use.
BG = DESK.bg
BAR_BG = DESK.disabled_bg
BAR_LINE = DESK.divider
BUTTON_BG = DESK.button_bg
BUTTON_BORDER = DESK.border
BUTTON_ON_BG = DESK.button_on_bg
BUTTON_ON_TEXT = DESK.button_on_text
PRESSED_BG = DESK.pressed_bg
DISABLED_TEXT = DESK.disabled_text
TEXT = DESK.text
MUTED = DESK.muted
RED = DESK.alert
RED_BG = DESK.alert_bg
FOR_TEXT = DESK_FOR_TEXT
AGAINST_TEXT = DESK_AGAINST_TEXT
SELECT_BG = DESK_SELECT_BG
SELECT_BORDER = DESK_SELECT_BORDER
BAR_FILL = DESK_BAR_FILL
SHADOW = DESK.shade


class TextCache:
    """Rendered text surfaces by (text, size, colour): rendering text is the slow part of UI drawing."""

    def __init__(self, limit: int = 600):
        self._cache: dict[tuple, pygame.Surface] = {}
        self.limit = limit

    def __call__(self, text: str, size: int, colour=TEXT) -> pygame.Surface:
        key = (text, size, tuple(colour))
        s = self._cache.get(key)
        if s is None:
            if len(self._cache) >= self.limit:
                self._cache.clear()
            s = self._cache[key] = render.font(size).render(text, True, colour)
        return s

    def width(self, text: str, size: int) -> int:
        return render.font(size).size(text)[0]


def flow_buttons(items, text: "TextCache", fs: int, btn: int, pad: int, gap: int, width: int,
                 px) -> tuple[dict[str, "Button"], int]:
    """Lay out a top bar of buttons left to right, wrapping to new rows.

    `items`: (id, label, kind) tuples, or None for a gap. Returns the buttons and
    the bar's height.
    """
    buttons = {}
    x, y = pad, pad
    for item in items:
        if item is None:
            x += gap
            continue
        bid, label, kind = item
        bw = text.width(label, fs) + px(36) + (btn // 3 + px(8) if kind == "toggle" else 0)
        if x + bw > width - pad and x > pad:
            x, y = pad, y + btn + pad
        buttons[bid] = Button(bid, pygame.Rect(x, y, bw, btn), label, kind)
        x += bw + pad
    return buttons, y + btn + pad


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


@lru_cache(maxsize=64)
def swatch_surface(sensation: str, w: int, h: int) -> pygame.Surface:
    """The sensation's colour and texture in a w x h box (as the paint looks); cached, do not modify."""
    style = SENSATION_STYLE[sensation]
    ink = pattern_mask(style["pattern"], (h, w), 6)
    col = np.array(style["colour"], dtype=np.uint8)
    tint = (0.45 * col + 0.55 * 255).astype(np.uint8)
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    rgba[ink, :3] = col
    rgba[~ink, :3] = tint
    rgba[..., 3] = 255
    return rgba_surface(rgba)


@dataclass
class Button:
    """A touch-sized button. `kind`: action, toggle (check box), choice (one of a group)."""

    id: str
    rect: pygame.Rect
    label: str
    kind: str = "action"
    on: bool = False
    enabled: bool = True
    swatch: str | None = None  # sensation id: draws its colour and texture
    dot: float | None = None  # brush buttons: a dot of this radius (px), the brush's size on the body
    align: str = "center"
    action: tuple | None = None  # what a tap does, e.g. ("brush", "small"); default: (id,)

    def __post_init__(self) -> None:
        if self.action is None:
            self.action = (self.id,)

    def draw(self, surface: pygame.Surface, text: TextCache, size: int, pressed: bool = False) -> None:
        r = self.rect
        radius = max(4, r.height // 8)
        selected = self.on and self.kind == "choice"
        bg = BUTTON_ON_BG if selected else (PRESSED_BG if pressed else BUTTON_BG)
        fg = BUTTON_ON_TEXT if selected else (TEXT if self.enabled else DISABLED_TEXT)
        pygame.draw.rect(surface, bg, r, border_radius=radius)
        pygame.draw.rect(surface, BUTTON_ON_BG if selected else BUTTON_BORDER, r, width=2 if not selected else 3,
                         border_radius=radius)
        x = r.left + max(8, r.height // 5)
        if self.swatch is not None:
            sw_h = r.height - 2 * max(6, r.height // 6)
            sw_w = int(sw_h * 1.5)
            sw = swatch_surface(self.swatch, sw_w, sw_h)
            top = r.centery - sw_h // 2
            surface.blit(sw, (x, top))
            pygame.draw.rect(surface, BUTTON_ON_TEXT if selected else render.OUTLINE, (x, top, sw_w, sw_h), 1)
            x += sw_w + max(8, r.height // 6)
        if self.kind == "toggle":
            box = max(14, r.height // 3)
            br = pygame.Rect(x, r.centery - box // 2, box, box)
            pygame.draw.rect(surface, fg, br, width=2)
            if self.on:
                pygame.draw.rect(surface, fg, br.inflate(-8, -8))
            x += box + max(6, r.height // 8)
        if self.dot is not None:
            d = max(2.0, float(self.dot))
            pygame.draw.circle(surface, fg, (r.left + r.width * 0.33, r.centery), d)
            t = text(self.label, size, fg)
            surface.blit(t, t.get_rect(midleft=(int(r.left + r.width * 0.33 + max(d, 8) + 6), r.centery)))
            return
        t = text(self.label, size, fg)
        if self.align == "left" or self.swatch is not None or self.kind == "toggle":
            surface.blit(t, t.get_rect(midleft=(x, r.centery)))
        else:
            surface.blit(t, t.get_rect(center=r.center))


@dataclass
class Slider:
    """0..maximum in whole steps; the whole rect is the touch target."""

    rect: pygame.Rect
    maximum: int = 10
    value: int | None = None

    def track(self) -> tuple[int, int]:
        knob = self.rect.height // 2
        return self.rect.left + knob, self.rect.right - knob

    def value_at(self, x: float) -> int:
        a, b = self.track()
        t = (x - a) / max(b - a, 1)
        return int(round(min(max(t, 0.0), 1.0) * self.maximum))

    def x_of(self, value: int) -> float:
        a, b = self.track()
        return a + (b - a) * value / self.maximum

    def draw(self, surface: pygame.Surface, text: TextCache, size: int) -> None:
        r = self.rect
        a, b = self.track()
        cy = r.centery
        pygame.draw.line(surface, BUTTON_BORDER, (a, cy), (b, cy), 6)
        for v in range(self.maximum + 1):
            x = self.x_of(v)
            pygame.draw.line(surface, BUTTON_BORDER, (x, cy - 9), (x, cy + 9), 2)
        if self.value is not None:
            x = self.x_of(self.value)
            pygame.draw.line(surface, BAR_FILL, (a, cy), (x, cy), 6)
            k = r.height // 2 - 4
            pygame.draw.circle(surface, BUTTON_ON_BG, (x, cy), k)
            t = text(str(self.value), size, BUTTON_ON_TEXT)
            surface.blit(t, t.get_rect(center=(x, cy)))


@dataclass
class Dialog:
    """A modal in-window question: a title, a few lines and a row (or column) of buttons.

    `buttons` are (id, label); the screen acts on the id. `column` stacks the
    buttons (the open list).
    """

    kind: str
    title: str
    lines: list[str]
    buttons: list[tuple[str, str]]
    payload: Any = None
    column: bool = False
    tone: str = "normal"  # "error" draws the title in red
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))
    button_rects: dict[str, pygame.Rect] = field(default_factory=dict)
    _wrapped: list[str] = field(default_factory=list)

    def layout(self, area: pygame.Rect, s: float, size: int) -> None:
        pad = int(20 * s)
        btn_h = int(56 * s)
        gap = int(10 * s)
        width = min(int(660 * s), area.width - 2 * pad)
        inner = width - 2 * pad
        self._wrapped = []
        for line in self.lines:
            self._wrapped += wrap_text(line, size, inner) or [""]
        line_h = render.font(size).get_linesize() + 2
        title_h = render.font(int(size * 1.15)).get_linesize() + gap
        y = pad + title_h + len(self._wrapped) * line_h + gap
        rows: list[list[tuple[str, int]]] = [[]]
        if self.column:
            for bid, _ in self.buttons:
                rows.append([(bid, inner)])
        else:
            used = 0
            for bid, label in self.buttons:
                bw = max(int(120 * s), render.font(size).size(label)[0] + 2 * pad)
                bw = min(bw, inner)
                if rows[-1] and used + gap + bw > inner:
                    rows.append([])
                    used = 0
                rows[-1].append((bid, bw))
                used += bw + (gap if used else 0)
        rows = [r for r in rows if r]
        height = y + len(rows) * (btn_h + gap) + pad - gap
        height = min(height, area.height - 2 * gap)
        self.rect = pygame.Rect(0, 0, width, height)
        self.rect.center = area.center
        self.button_rects = {}
        by = self.rect.top + y
        for row in rows:
            total = sum(w for _, w in row) + gap * (len(row) - 1)
            bx = self.rect.right - pad - total if not self.column else self.rect.left + pad
            for bid, bw in row:
                self.button_rects[bid] = pygame.Rect(bx, by, bw, btn_h)
                bx += bw + gap
            by += btn_h + gap

    def hit(self, pos) -> str | None:
        for bid, r in self.button_rects.items():
            if r.collidepoint(pos) and r.bottom <= self.rect.bottom:  # a button cut off is not drawn
                return bid
        return None

    def draw(self, surface: pygame.Surface, text: TextCache, size: int, s: float, pressed: str | None) -> None:
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 90))
        surface.blit(shade, (0, 0))
        r = self.rect
        pygame.draw.rect(surface, BUTTON_BG, r, border_radius=10)
        pygame.draw.rect(surface, RED if self.tone == "error" else render.OUTLINE, r, width=3, border_radius=10)
        pad = int(20 * s)
        y = r.top + pad
        t = text(self.title, int(size * 1.15), RED if self.tone == "error" else TEXT)
        surface.blit(t, (r.left + pad, y))
        y += render.font(int(size * 1.15)).get_linesize() + int(10 * s)
        line_h = render.font(size).get_linesize() + 2
        for line in self._wrapped:
            surface.blit(text(line, size, TEXT), (r.left + pad, y))
            y += line_h
        labels = dict(self.buttons)
        for bid, br in self.button_rects.items():
            if br.bottom > r.bottom:
                continue
            b = Button(bid, br, labels[bid], align="left" if self.column else "center")
            b.draw(surface, text, size, pressed=(pressed == bid))
