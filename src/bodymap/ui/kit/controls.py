"""The kit's other widgets: a bar of buttons, a slider, an in-window dialog, a modal panel."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pygame

from ... import render
from ...render.palette import DESK_BAR_FILL
from .button import DESK_LOOK, KIOSK_LOOK, Button, Look
from .text import TextCache, wrap_text


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


@dataclass
class Slider:
    """0..maximum in whole steps; the whole rect is the touch target."""

    rect: pygame.Rect
    maximum: int = 10
    value: int | None = None
    look: Look = DESK_LOOK

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
        c = self.look.palette
        r = self.rect
        a, b = self.track()
        cy = r.centery
        pygame.draw.line(surface, c.border, (a, cy), (b, cy), 6)
        for v in range(self.maximum + 1):
            x = self.x_of(v)
            pygame.draw.line(surface, c.border, (x, cy - 9), (x, cy + 9), 2)
        if self.value is not None:
            x = self.x_of(self.value)
            pygame.draw.line(surface, DESK_BAR_FILL, (a, cy), (x, cy), 6)
            k = r.height // 2 - 4
            pygame.draw.circle(surface, c.button_on_bg, (x, cy), k)
            t = text(str(self.value), size, c.button_on_text)
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
    look: Look = DESK_LOOK
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

    def draw_frame(self, surface: pygame.Surface) -> None:
        """The shaded screen behind the dialog and the dialog's box (its border red for an error)."""
        c = self.look.palette
        shade = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        shade.fill((0, 0, 0, 90))
        surface.blit(shade, (0, 0))
        pygame.draw.rect(surface, c.button_bg, self.rect, border_radius=10)
        pygame.draw.rect(surface, c.alert if self.tone == "error" else render.OUTLINE, self.rect, width=3,
                         border_radius=10)

    def draw(self, surface: pygame.Surface, text: TextCache, size: int, s: float, pressed: str | None) -> None:
        c = self.look.palette
        self.draw_frame(surface)
        r = self.rect
        pad = int(20 * s)
        y = r.top + pad
        t = text(self.title, int(size * 1.15), c.alert if self.tone == "error" else c.text)
        surface.blit(t, (r.left + pad, y))
        y += render.font(int(size * 1.15)).get_linesize() + int(10 * s)
        line_h = render.font(size).get_linesize() + 2
        for line in self._wrapped:
            surface.blit(text(line, size, c.text), (r.left + pad, y))
            y += line_h
        labels = dict(self.buttons)
        for bid, br in self.button_rects.items():
            if br.bottom > r.bottom:
                continue
            b = Button(bid, br, labels[bid], align="left" if self.column else "center", look=self.look)
            b.draw(surface, text, size, pressed=(pressed == bid))


def draw_panel(surface: pygame.Surface, rect: pygame.Rect, border=None, width: int = 3, fill=None,
               shade: bool = True, look: Look = KIOSK_LOOK) -> None:
    """A modal box over a dimmed screen (colours from `look` unless given)."""
    c = look.palette
    border = c.border if border is None else border
    fill = c.panel if fill is None else fill
    if shade:
        layer = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        layer.fill(c.shade)
        surface.blit(layer, (0, 0))
    radius = max(8, rect.height // 24)
    pygame.draw.rect(surface, fill, rect, border_radius=radius)
    pygame.draw.rect(surface, border, rect, width=width, border_radius=radius)
