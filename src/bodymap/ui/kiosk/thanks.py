"""The kiosk's thanks screen: the code to hand to reception, and Done (it also returns by itself)."""
from __future__ import annotations

import pygame

from ... import render
from ..kit.kiosk_colours import BG, BORDER, TEXT, WHITE
from ..kit import KButton
from .context import ScreenContext

THANKS_SECONDS = 20.0  # the thanks screen returns to welcome by itself


class CodePage:
    """A part of the thanks screen and of the red-flag screen: the same stack of title, body, code and Done,
    with the screen's own words and type sizes."""

    def __init__(self, ctx: ScreenContext, title_key: str, body_key: str, title_size: int, body_size: int):
        self.ctx = ctx
        self.title_key, self.body_key = title_key, body_key
        self.title_size, self.body_size = title_size, body_size

    def stack(self) -> dict[str, pygame.Rect]:
        ctx = self.ctx
        g = ctx.geo
        w, h = g.size
        body_w = min(w - 2 * g.px(160), g.px(1500))
        title_w = w - 2 * g.px(120)
        items = [
            ("title", ctx.texts.block_height(ctx.t(self.title_key), g.fs(self.title_size), title_w, 2), title_w),
            ("gap", g.px(30), 0),
            ("body", ctx.texts.block_height(ctx.t(self.body_key), g.fs(self.body_size), body_w, 4), body_w),
            ("gap", g.px(40), 0),
            ("code", render.font(self.code_size()).get_linesize() + g.px(60), 0),
            ("gap", g.px(70), 0),
            ("finish", g.px(160), 0),
        ]
        total = sum(i[1] for i in items)
        y = max(g.margin, (h - total) // 2)
        out = {}
        for name, ih, iw in items:
            out[name] = pygame.Rect((w - iw) // 2, y, iw, ih)
            y += ih
        return out

    def code_size(self) -> int:
        return max(self.ctx.geo.fs(230), 48)

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        st = self.stack()
        w, _ = g.size
        bw = min(g.px(560), w - 2 * g.margin)
        r = pygame.Rect((w - bw) // 2, st["finish"].top, bw, st["finish"].height)
        return {"finish": KButton("finish", r, ctx.t("thanks_done"), g.fs(64), "primary")}

    def draw_code(self, surface: pygame.Surface, rect: pygame.Rect, code: str | None) -> None:
        if not code:
            return
        ctx = self.ctx
        g = ctx.geo
        ctx.words.heard_key("code_spoken_intro")  # "Listen" says the code, one character at a time
        for c in code:
            if c != "-":
                ctx.words.heard_key(f"say_{c}")
        t = ctx.texts.surf(code, self.code_size(), TEXT)
        box = t.get_rect().inflate(g.px(120), g.px(40))
        box.center = rect.center
        pygame.draw.rect(surface, WHITE, box, border_radius=g.px(16))
        pygame.draw.rect(surface, BORDER, box, width=max(3, g.px(5)), border_radius=g.px(16))
        surface.blit(t, t.get_rect(center=box.center))



class ThanksScene:
    """The code to hand to reception and Done, on a `CodePage`."""

    def __init__(self, ctx: ScreenContext):
        self.ctx = ctx
        self.page = CodePage(ctx, "thanks_title", "thanks_body", 112, 56)

    def buttons(self) -> dict[str, KButton]:
        return self.page.buttons()

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "finish":
            self.ctx.kiosk.done()

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        surface.fill(BG)
        st = self.page.stack()
        ctx.texts.block(surface, ctx.t("thanks_title"), st["title"], g.fs(112), TEXT, max_lines=2)
        ctx.texts.block(surface, ctx.t("thanks_body"), st["body"], g.fs(56), TEXT, max_lines=4)
        self.page.draw_code(surface, st["code"], ctx.kiosk.finished_code)
