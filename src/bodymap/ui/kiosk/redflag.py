"""The kiosk's red-flag screen: please tell reception now, with the code; it cannot be tapped away at once."""
from __future__ import annotations

import pygame

from ..kit.kiosk_colours import ALERT, ALERT_BG, TEXT
from ..kit import KButton
from .context import ScreenContext
from .thanks import CodePage

REDFLAG_FINISH_AFTER_S = 8.0  # the red-flag screen cannot be tapped away at once (the idle timeout ends it)


class RedFlagScene:
    """Please tell reception now, with the code, on a `CodePage` in the alert colours; Done shows only after
    REDFLAG_FINISH_AFTER_S."""

    def __init__(self, ctx: ScreenContext):
        self.ctx = ctx
        self.page = CodePage(ctx, "redflag_title", "redflag_body", 96, 52)

    def buttons(self) -> dict[str, KButton]:
        if self.ctx.clock() - self.ctx.state.shown_since < REDFLAG_FINISH_AFTER_S:
            return {}
        return self.page.buttons()

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "finish":
            self.ctx.kiosk.done()

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        surface.fill(ALERT_BG)
        w, h = g.size
        pygame.draw.rect(surface, ALERT, (0, 0, w, h), width=max(6, g.px(10)))
        st = self.page.stack()
        ctx.texts.block(surface, ctx.t("redflag_title"), st["title"], g.fs(96), ALERT, max_lines=2)
        ctx.texts.block(surface, ctx.t("redflag_body"), st["body"], g.fs(52), TEXT, max_lines=4)
        self.page.draw_code(surface, st["code"], ctx.kiosk.finished_code)
