"""The painting window's red-flag banner: an emergency or same-day flag is never hidden (issue 18).

A strip across the top of the body area, drawn last in every frame: over the
pictures, the panel, a dialog and the "too small" note, so it shows with the
clinician panel hidden (F2, --no-panel), zoomed, with a dialog open and at the
smallest window size. The flags come from `bodymap.triage` through the painting desk (the
rules alone, so they are there even when the panel, and so the ranking, is not computed).

`FlagBanner` is an owned part of `PaintScreen`: it keeps the flags current from the desk and draws
the strip where the window's layout puts it.

Emergency: white on red; same day: red on pale red with a red border.
"""
from __future__ import annotations

from typing import Any

import pygame

from ... import vocabulary
from ...desk import Desk
from ..kit import TextCache
from ..kit.desk_colours import BUTTON_ON_TEXT, RED, RED_BG


def banner_text(flags: list[Any], panel_shown: bool) -> str | None:
    """'EMERGENCY: cauda equina - new bladder or bowel problems (+1 more)', or None without flags."""
    if not flags:
        return None
    f = flags[0]
    label = vocabulary.urgency_label(f.urgency).upper()
    what = vocabulary.pathology_label(getattr(f, "pathology", vocabulary.UNSPECIFIED))
    reason = f.reasons[0] if getattr(f, "reasons", ()) else ""
    more = f" (+{len(flags) - 1} more)" if len(flags) > 1 else ""
    where = "" if panel_shown else "  [F2: clinician panel]"
    return f"{label}: possible {what}" + (f" - {reason}" if reason else "") + more + where


class FlagBanner:
    """The flag banner: keeps the flags current and draws the strip (see the module)."""

    def __init__(self, desk: Desk, text: TextCache):
        self.desk = desk
        self.text = text
        self.flags: list[Any] = []
        self.layout: Any = None  # the window's WindowLayout (`place`)
        self._key: Any = None

    def place(self, layout: Any) -> None:
        self.layout = layout

    def refresh(self) -> bool:
        """Bring the flags up to date with the map and its answers. True when the banner came or went (the
        window then lays itself out again: the body moves down under the banner, or back up, and never
        hides under it)."""
        m = self.desk.pain_map
        key = (m.version, tuple(sorted((k, str(v)) for k, v in m.answers.items())), len(m.red_flags_recorded or []))
        if key == self._key:
            return False
        self._key = key
        before = bool(self.flags)
        self.flags = self.desk.flags()
        return bool(self.flags) != before

    def key(self, panel_shown: bool) -> Any:
        return tuple((f.id, f.urgency) for f in self.flags), panel_shown

    def rect(self) -> pygame.Rect | None:
        """Where the banner shows (None without a flag): the top of the body area, below the top bar; at
        the smallest sizes the top of the window's free part, never off screen."""
        if not self.flags:
            return None
        lay = self.layout
        w, h = lay.size
        bh = lay.banner_height(True)
        top = min(lay.top_rect.bottom, max(0, h - bh))
        if not lay.too_small and lay.body_rect.width > 0 and lay.body_rect.top - bh == top:
            return pygame.Rect(lay.body_rect.left, top, lay.body_rect.width, bh)
        return pygame.Rect(0, top, w, bh)  # the smallest sizes: across the window

    def draw(self, surface: pygame.Surface, panel_shown: bool) -> pygame.Rect | None:
        r = self.rect()
        if r is None:
            return None
        text = banner_text(self.flags, panel_shown)
        emergency = self.flags[0].urgency == "emergency"
        fg = BUTTON_ON_TEXT if emergency else RED
        pygame.draw.rect(surface, RED if emergency else RED_BG, r)
        px = self.layout.px
        pygame.draw.rect(surface, RED, r, width=max(2, px(3)))
        fs = self.layout.font_size
        while text and self.text.width(text, fs) > r.width - px(24):
            text = text[:-2] + "…" if len(text) > 2 else ""
        t = self.text(text, fs, fg)
        surface.blit(t, t.get_rect(midleft=(r.left + px(12), r.centery)))
        return r
