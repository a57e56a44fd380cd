"""Big, plain touch widgets for the kiosk screens (bodymap.ui.kiosk_app).

Sizes arrive already scaled to the screen. Text is fitted into its box: it
wraps onto a few lines and only shrinks when a word would not fit, so no label
runs off its button in any language. Every string drawn in a frame is recorded
(`Texts.frame`), which lets the tests read what the patient sees.
"""
from __future__ import annotations

from dataclasses import dataclass

import pygame

from .. import render
from ..render.palette import KIOSK, KIOSK_PRIMARY, KIOSK_PRIMARY_PRESSED
from .widgets import TextCache, swatch_surface, wrap_text

# The kiosk colours (bodymap.render.palette.KIOSK) under the names the kiosk screens use.
BG = KIOSK.bg
TEXT = KIOSK.text
MUTED = KIOSK.muted
BORDER = KIOSK.border
DIVIDER = KIOSK.divider
WHITE = KIOSK.button_bg
PRIMARY = KIOSK_PRIMARY
PRIMARY_PRESSED = KIOSK_PRIMARY_PRESSED
CHOICE_ON = KIOSK.button_on_bg
PRESSED = KIOSK.pressed_bg
DISABLED_BG = KIOSK.disabled_bg
DISABLED_TEXT = KIOSK.disabled_text
ALERT = KIOSK.alert
ALERT_BG = KIOSK.alert_bg
PANEL = KIOSK.panel
SHADE = KIOSK.shade


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

    def surf(self, text: str, size: int, colour=TEXT) -> pygame.Surface:
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

    def block(self, surface: pygame.Surface, text: str, rect: pygame.Rect, size: int, colour=TEXT,
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


@dataclass
class KButton:
    """A touch button. style: normal, primary, choice (one of a group, `on` when chosen), key (keypad)."""

    id: str
    rect: pygame.Rect
    label: str
    size: int
    style: str = "normal"
    on: bool = False
    enabled: bool = True
    swatch: str | None = None  # a sensation id: its colour and texture at the left
    max_lines: int = 2
    action: tuple | None = None  # what a tap does, e.g. ("answer", 4); default: (id,)

    def __post_init__(self) -> None:
        if self.action is None:
            self.action = (self.id,)

    def colours(self, pressed: bool) -> tuple[tuple, tuple, tuple]:
        """(background, text, border)."""
        if not self.enabled:
            return DISABLED_BG, DISABLED_TEXT, DISABLED_TEXT
        if self.style == "primary":
            return (PRIMARY_PRESSED if pressed else PRIMARY), WHITE, PRIMARY_PRESSED
        if self.on:
            return CHOICE_ON, WHITE, CHOICE_ON
        return (PRESSED if pressed else WHITE), TEXT, BORDER

    def draw(self, surface: pygame.Surface, texts: Texts, pressed: bool = False, line: int = 3) -> None:
        r = self.rect
        bg, fg, border = self.colours(pressed)
        radius = max(6, min(r.height, r.width) // 7)
        pygame.draw.rect(surface, bg, r, border_radius=radius)
        width = max(2, line + (2 if self.on else 0))
        pygame.draw.rect(surface, border, r, width=width, border_radius=radius)
        pad = max(10, r.height // 6)
        inner = r.inflate(-2 * pad, -pad)
        align = "center"
        if self.swatch is not None:
            sw_h = r.height - 2 * max(10, r.height // 5)
            sw_w = int(sw_h * 1.4)
            top = r.centery - sw_h // 2
            sw = swatch_surface(self.swatch, sw_w, sw_h)
            surface.blit(sw, (r.left + pad, top))
            pygame.draw.rect(surface, WHITE if self.on else BORDER, (r.left + pad, top, sw_w, sw_h), 2)
            inner = pygame.Rect(r.left + pad + sw_w + pad, r.top + pad // 2, r.right - pad - (r.left + 2 * pad + sw_w),
                                r.height - pad)
            align = "left"
        min_size = max(14, self.size // 2)
        texts.block(surface, self.label, inner, self.size, fg, align=align, valign="center",
                    max_lines=self.max_lines, min_size=min_size)


def draw_panel(surface: pygame.Surface, rect: pygame.Rect, border=BORDER, width: int = 3, fill=PANEL,
               shade: bool = True) -> None:
    """A modal box over a dimmed screen."""
    if shade:
        layer = pygame.Surface(surface.get_size(), pygame.SRCALPHA)
        layer.fill(SHADE)
        surface.blit(layer, (0, 0))
    radius = max(8, rect.height // 24)
    pygame.draw.rect(surface, fill, rect, border_radius=radius)
    pygame.draw.rect(surface, border, rect, width=width, border_radius=radius)
