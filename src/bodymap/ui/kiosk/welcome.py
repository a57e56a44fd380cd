"""The welcome screen: what this is, Start, the languages (staff notes are on the staff screen only)."""
from __future__ import annotations

import pygame

from ... import render
from ...kiosk.i18n import text as i18n_text
from ..kit.kiosk_colours import BG, MUTED, TEXT
from ..kit import KButton
from .context import ScreenContext


class WelcomeScene:
    """What this is, Start, and the languages."""

    def __init__(self, ctx: ScreenContext):
        self.ctx = ctx

    def _stack(self) -> dict[str, pygame.Rect]:
        ctx = self.ctx
        g = ctx.geo
        w, h = g.size
        body_w = min(w - 2 * g.px(160), g.px(1400))
        title_w = w - 2 * g.px(100)
        items = [
            ("title", ctx.texts.block_height(ctx.t("welcome_title"), g.fs(104), title_w, 2), title_w),
            ("gap", g.px(28), 0),
            ("body", ctx.texts.block_height(ctx.t("welcome_body"), g.fs(54), body_w, 4), body_w),
            ("gap", g.px(64), 0),
            ("start", g.px(200), 0),
            ("gap", g.px(80), 0),
            ("langlabel", render.font(g.fs(44)).get_linesize(), 0),
            ("gap", g.px(14), 0),
            ("langs", g.px(110), 0),
        ]
        staff_h = 0  # staff words are on the staff screen only (issue 20), never on a patient screen
        total = sum(i[1] for i in items)
        avail = h - staff_h - 2 * g.margin
        y = g.margin + max(0, (avail - total) // 2)
        out = {}
        for name, ih, iw in items:
            out[name] = pygame.Rect((w - iw) // 2, y, iw, ih)
            y += ih
        return out

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        st = self._stack()
        out = {}
        sw = min(g.px(900), w - 2 * g.margin)
        out["start"] = KButton("start", pygame.Rect((w - sw) // 2, st["start"].top, sw, st["start"].height),
                               ctx.t("tap_to_start"), g.fs(76), "primary")
        langs = list(ctx.config.languages)
        if len(langs) > 1:
            size = g.fs(50)
            widths = [max(g.px(300), render.font(size).size(i18n_text(lg, "language_name"))[0] + g.px(80))
                      for lg in langs]
            gap = g.px(32)
            total = sum(widths) + gap * (len(widths) - 1)
            if total > w - 2 * g.margin:  # many languages: equal shares of the width
                bw = (w - 2 * g.margin - gap * (len(langs) - 1)) // len(langs)
                widths, total = [bw] * len(langs), w - 2 * g.margin
            x = (w - total) // 2
            for lg, bw in zip(langs, widths):
                out[f"lang:{lg}"] = KButton(f"lang:{lg}", pygame.Rect(x, st["langs"].top, bw, st["langs"].height),
                                            i18n_text(lg, "language_name"), size, "choice", on=(lg == ctx.words.lang),
                                            action=("language", lg))
                x += bw + gap
        return out

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "start":
            self.ctx.kiosk.start()
        elif action[0] == "language":
            self.ctx.kiosk.choose_language(action[1])
            self.ctx.views.bg_cache.clear()

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        surface.fill(BG)
        st = self._stack()
        ctx.texts.block(surface, ctx.t("welcome_title"), st["title"], g.fs(104), TEXT, max_lines=2)
        ctx.texts.block(surface, ctx.t("welcome_body"), st["body"], g.fs(54), TEXT, max_lines=4)
        if len(ctx.config.languages) > 1:
            ctx.texts.block(surface, ctx.t("choose_language"), st["langlabel"].inflate(g.px(800), 0),
                            g.fs(44), MUTED, max_lines=1)
