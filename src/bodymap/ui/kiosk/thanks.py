"""The kiosk's thanks screen: the code to hand to reception, and Done (it also returns by itself)."""
from __future__ import annotations

import pygame

from ... import render
from ..kit.kiosk_colours import BORDER, TEXT, WHITE
from ..kit import KButton
from .screen import KioskScene

THANKS_SECONDS = 20.0  # the thanks screen returns to welcome by itself


class ThanksScene(KioskScene):
    """Also the base of the red-flag screen: the same stack of title, body, code and Done."""

    red = False
    title_key, body_key = "thanks_title", "thanks_body"
    title_size, body_size = 112, 56

    def stack(self) -> dict[str, pygame.Rect]:
        app = self.app
        w, h = app.size
        body_w = min(w - 2 * app.px(160), app.px(1500))
        title_w = w - 2 * app.px(120)
        items = [
            ("title", app.texts.block_height(app.t(self.title_key), app.fs(self.title_size), title_w, 2), title_w),
            ("gap", app.px(30), 0),
            ("body", app.texts.block_height(app.t(self.body_key), app.fs(self.body_size), body_w, 4), body_w),
            ("gap", app.px(40), 0),
            ("code", render.font(self.code_size()).get_linesize() + app.px(60), 0),
            ("gap", app.px(70), 0),
            ("finish", app.px(160), 0),
        ]
        total = sum(i[1] for i in items)
        y = max(app.margin, (h - total) // 2)
        out = {}
        for name, ih, iw in items:
            out[name] = pygame.Rect((w - iw) // 2, y, iw, ih)
            y += ih
        return out

    def code_size(self) -> int:
        return max(self.app.fs(230), 48)

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        st = self.stack()
        w, _ = app.size
        bw = min(app.px(560), w - 2 * app.margin)
        r = pygame.Rect((w - bw) // 2, st["finish"].top, bw, st["finish"].height)
        return {"finish": KButton("finish", r, app.t("thanks_done"), app.fs(64), "primary")}

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "finish":
            self.app.kiosk.done()

    def draw_code(self, surface: pygame.Surface, rect: pygame.Rect, code: str | None) -> None:
        if not code:
            return
        app = self.app
        app.heard_key("code_spoken_intro")  # "Listen" says the code, one character at a time
        for c in code:
            if c != "-":
                app.heard_key(f"say_{c}")
        t = app.texts.surf(code, self.code_size(), TEXT)
        box = t.get_rect().inflate(app.px(120), app.px(40))
        box.center = rect.center
        pygame.draw.rect(surface, WHITE, box, border_radius=app.px(16))
        pygame.draw.rect(surface, BORDER, box, width=max(3, app.px(5)), border_radius=app.px(16))
        surface.blit(t, t.get_rect(center=box.center))

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        app.fill(surface)
        st = self.stack()
        app.texts.block(surface, app.t("thanks_title"), st["title"], app.fs(112), TEXT, max_lines=2)
        app.texts.block(surface, app.t("thanks_body"), st["body"], app.fs(56), TEXT, max_lines=4)
        self.draw_code(surface, st["code"], app.kiosk.finished_code)
