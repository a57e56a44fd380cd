"""The welcome screen: what this is, Start, the languages (staff notes are on the staff screen only)."""
from __future__ import annotations

import pygame

from ... import render
from ...kiosk.i18n import text as i18n_text
from ..kit.kiosk_colours import MUTED, TEXT
from ..kit import KButton
from .screen import KioskScene


class WelcomeScene(KioskScene):
    def _stack(self) -> dict[str, pygame.Rect]:
        app = self.app
        w, h = app.size
        body_w = min(w - 2 * app.px(160), app.px(1400))
        title_w = w - 2 * app.px(100)
        items = [
            ("title", app.texts.block_height(app.t("welcome_title"), app.fs(104), title_w, 2), title_w),
            ("gap", app.px(28), 0),
            ("body", app.texts.block_height(app.t("welcome_body"), app.fs(54), body_w, 4), body_w),
            ("gap", app.px(64), 0),
            ("start", app.px(200), 0),
            ("gap", app.px(80), 0),
            ("langlabel", render.font(app.fs(44)).get_linesize(), 0),
            ("gap", app.px(14), 0),
            ("langs", app.px(110), 0),
        ]
        staff_h = 0  # staff words are on the staff screen only (issue 20), never on a patient screen
        total = sum(i[1] for i in items)
        avail = h - staff_h - 2 * app.margin
        y = app.margin + max(0, (avail - total) // 2)
        out = {}
        for name, ih, iw in items:
            out[name] = pygame.Rect((w - iw) // 2, y, iw, ih)
            y += ih
        return out

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        w, _ = app.size
        st = self._stack()
        out = {}
        sw = min(app.px(900), w - 2 * app.margin)
        out["start"] = KButton("start", pygame.Rect((w - sw) // 2, st["start"].top, sw, st["start"].height),
                               app.t("tap_to_start"), app.fs(76), "primary")
        langs = list(app.config.languages)
        if len(langs) > 1:
            size = app.fs(50)
            widths = [max(app.px(300), render.font(size).size(i18n_text(lg, "language_name"))[0] + app.px(80))
                      for lg in langs]
            gap = app.px(32)
            total = sum(widths) + gap * (len(widths) - 1)
            if total > w - 2 * app.margin:  # many languages: equal shares of the width
                bw = (w - 2 * app.margin - gap * (len(langs) - 1)) // len(langs)
                widths, total = [bw] * len(langs), w - 2 * app.margin
            x = (w - total) // 2
            for lg, bw in zip(langs, widths):
                out[f"lang:{lg}"] = KButton(f"lang:{lg}", pygame.Rect(x, st["langs"].top, bw, st["langs"].height),
                                            i18n_text(lg, "language_name"), size, "choice", on=(lg == app.lang),
                                            action=("language", lg))
                x += bw + gap
        return out

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "start":
            self.app.kiosk.start()
        elif action[0] == "language":
            self.app.kiosk.choose_language(action[1])
            self.app.bg_cache.clear()

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        app.fill(surface)
        st = self._stack()
        app.texts.block(surface, app.t("welcome_title"), st["title"], app.fs(104), TEXT, max_lines=2)
        app.texts.block(surface, app.t("welcome_body"), st["body"], app.fs(54), TEXT, max_lines=4)
        if len(app.config.languages) > 1:
            app.texts.block(surface, app.t("choose_language"), st["langlabel"].inflate(app.px(800), 0),
                            app.fs(44), MUTED, max_lines=1)
