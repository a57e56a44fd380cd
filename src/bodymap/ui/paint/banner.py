"""The painting window's red-flag banner: an emergency or same-day flag is never hidden (issue 18).

A strip across the top of the body area, drawn last in every frame: over the
pictures, the panel, a dialog and the "too small" note, so it shows with the
clinician panel hidden (F2, --no-panel), zoomed, with a dialog open and at the
smallest window size. The flags come from `bodymap.triage` (the rules alone, so
they are there even when the panel, and so the ranking, is not computed).

Emergency: white on red; same day: red on pale red with a red border.
"""
from __future__ import annotations

from typing import Any

import pygame

from ... import render, vocabulary
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


class PaintBanner:
    """Mixin of PaintScreen: keeps the flags current and draws the banner."""

    banner_flags: list[Any] = []
    _flags_key: Any = None

    def refresh_banner_flags(self) -> None:
        m = self.pain_map
        key = (m.version, tuple(sorted((k, str(v)) for k, v in m.answers.items())), len(m.red_flags_recorded or []))
        if key != self._flags_key:
            self._flags_key = key
            before = bool(self.banner_flags)
            self.banner_flags = self.desk.flags()
            if bool(self.banner_flags) != before:
                self._layout()  # the body moves down under the banner (or back up): it never covers a title

    def banner_height(self) -> int:
        """The strip the layout keeps for the banner above the body (0 without a flag)."""
        return render.font(self.font_size).get_linesize() + self.px(14) if self.banner_flags else 0

    def banner_key(self) -> Any:
        return tuple((f.id, f.urgency) for f in self.banner_flags), self.show_panel

    def banner_rect(self) -> pygame.Rect | None:
        """Where the banner shows (None without a flag): the top of the body area, below the top bar; at
        the smallest sizes the top of the window's free part, never off screen."""
        if not self.banner_flags:
            return None
        w, h = self.size
        bh = self.banner_height()
        top = min(self.top_rect.bottom, max(0, h - bh))
        if not self.too_small and self.body_rect.width > 0 and self.body_rect.top - bh == top:
            return pygame.Rect(self.body_rect.left, top, self.body_rect.width, bh)
        return pygame.Rect(0, top, w, bh)  # the smallest sizes: across the window

    def draw_banner(self, surface: pygame.Surface) -> pygame.Rect | None:
        r = self.banner_rect()
        if r is None:
            return None
        text = banner_text(self.banner_flags, self.show_panel)
        emergency = self.banner_flags[0].urgency == "emergency"
        fg = BUTTON_ON_TEXT if emergency else RED
        pygame.draw.rect(surface, RED if emergency else RED_BG, r)
        pygame.draw.rect(surface, RED, r, width=max(2, self.px(3)))
        fs = self.font_size
        while text and self.text.width(text, fs) > r.width - self.px(24):
            text = text[:-2] + "…" if len(text) > 2 else ""
        t = self.text(text, fs, fg)
        surface.blit(t, t.get_rect(midleft=(r.left + self.px(12), r.centery)))
        return r
