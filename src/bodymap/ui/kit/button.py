"""The kit's button, in the two looks: DESK (dense, mouse-sized) and KIOSK (big touch targets).

One `Button` serves every window. Its `look` gives the colours (from
bodymap.render.palette) and how its label is set: one line at the size the
window passes (`DESK_LOOK`), or wrapped and shrunk to fit its box at the
button's own `size` (`KIOSK_LOOK`). Sizes arrive already scaled by the screen.
A button carries its `action` (a tuple such as ("answer", 4)); screens act on
that, never on the id.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pygame

from ... import render
from ...render.palette import DESK, KIOSK, KIOSK_PRIMARY, KIOSK_PRIMARY_PRESSED, Controls
from ...render.picture import rgba_surface, swatch_rgba


@dataclass(frozen=True)
class Look:
    """How kit widgets look for one use: their colours, a primary action colour, and fitted or one-line text."""

    name: str
    palette: Controls
    primary: tuple
    primary_pressed: tuple
    fit_text: bool


DESK_LOOK = Look("desk", DESK, DESK.button_on_bg, DESK.button_on_bg, fit_text=False)
KIOSK_LOOK = Look("kiosk", KIOSK, KIOSK_PRIMARY, KIOSK_PRIMARY_PRESSED, fit_text=True)


@lru_cache(maxsize=64)
def swatch_surface(sensation: str, w: int, h: int) -> pygame.Surface:
    """The sensation's colour and texture in a w x h box (as the paint looks); cached, do not modify."""
    return rgba_surface(swatch_rgba(sensation, w, h, 6))


@dataclass
class Button:
    """A touch-sized button.

    `kind`: action, toggle (a check box), choice (one of a group, `on` when chosen),
    and for the kiosk look normal, primary (the screen's main action) and key (keypad).
    `size`: the label's font size (the kiosk look; the desk look takes it at draw time).
    """

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
    size: int | None = None
    max_lines: int = 2
    look: Look = DESK_LOOK

    def __post_init__(self) -> None:
        if self.action is None:
            self.action = (self.id,)

    @property
    def style(self) -> str:
        """The kiosk look's name for `kind`."""
        return self.kind

    def draw(self, surface: pygame.Surface, text, size: int | None = None, pressed: bool = False,
             line: int = 3) -> None:
        """Draw with `text` (a TextCache; a Texts for the kiosk look) at font `size` (default: the button's)."""
        if self.look.fit_text:
            self._draw_fitted(surface, text, pressed, line)
        else:
            self._draw_line(surface, text, self.size if size is None else size, pressed)

    # -- the desk look: one line, a check box or a brush dot
    def _draw_line(self, surface: pygame.Surface, text, size: int, pressed: bool) -> None:
        c = self.look.palette
        r = self.rect
        radius = max(4, r.height // 8)
        selected = self.on and self.kind == "choice"
        bg = c.button_on_bg if selected else (c.pressed_bg if pressed else c.button_bg)
        fg = c.button_on_text if selected else (c.text if self.enabled else c.disabled_text)
        pygame.draw.rect(surface, bg, r, border_radius=radius)
        pygame.draw.rect(surface, c.button_on_bg if selected else c.border, r, width=2 if not selected else 3,
                         border_radius=radius)
        x = r.left + max(8, r.height // 5)
        if self.swatch is not None:
            sw_h = r.height - 2 * max(6, r.height // 6)
            sw_w = int(sw_h * 1.5)
            sw = swatch_surface(self.swatch, sw_w, sw_h)
            top = r.centery - sw_h // 2
            surface.blit(sw, (x, top))
            pygame.draw.rect(surface, c.button_on_text if selected else render.OUTLINE, (x, top, sw_w, sw_h), 1)
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

    # -- the kiosk look: big, text fitted into the button
    def colours(self, pressed: bool) -> tuple[tuple, tuple, tuple]:
        """(background, text, border) in the kiosk look."""
        c = self.look.palette
        if not self.enabled:
            return c.disabled_bg, c.disabled_text, c.disabled_text
        if self.kind == "primary":
            return (self.look.primary_pressed if pressed else self.look.primary), c.button_bg, \
                self.look.primary_pressed
        if self.on:
            return c.button_on_bg, c.button_bg, c.button_on_bg
        return (c.pressed_bg if pressed else c.button_bg), c.text, c.border

    def _draw_fitted(self, surface: pygame.Surface, texts, pressed: bool, line: int) -> None:
        c = self.look.palette
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
            pygame.draw.rect(surface, c.button_bg if self.on else c.border, (r.left + pad, top, sw_w, sw_h), 2)
            inner = pygame.Rect(r.left + pad + sw_w + pad, r.top + pad // 2, r.right - pad - (r.left + 2 * pad + sw_w),
                                r.height - pad)
            align = "left"
        min_size = max(14, self.size // 2)
        texts.block(surface, self.label, inner, self.size, fg, align=align, valign="center",
                    max_lines=self.max_lines, min_size=min_size)


def KButton(id: str, rect: pygame.Rect, label: str, size: int, style: str = "normal", **kw) -> Button:  # noqa: N802
    """A kiosk button: a `Button` in the kiosk look with its own font `size`.

    `style`: normal, primary, choice (one of a group, `on` when chosen), key (keypad).
    """
    return Button(id, rect, label, style, size=size, look=KIOSK_LOOK, **kw)
