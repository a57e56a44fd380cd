"""The kiosk's red-flag screen: please tell reception now, with the code; it cannot be tapped away at once."""
from __future__ import annotations

import pygame

from ..kit.kiosk_colours import ALERT, ALERT_BG, TEXT
from ..kit import KButton
from .thanks import ThanksScene

REDFLAG_FINISH_AFTER_S = 8.0  # the red-flag screen cannot be tapped away at once (the idle timeout ends it)


class RedFlagScene(ThanksScene):
    red = True
    title_key, body_key = "redflag_title", "redflag_body"
    title_size, body_size = 96, 52

    def buttons(self) -> dict[str, KButton]:
        if self.app.clock() - self.app.shown_since < REDFLAG_FINISH_AFTER_S:
            return {}
        return super().buttons()

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        app.fill(surface, ALERT_BG)
        w, h = app.size
        pygame.draw.rect(surface, ALERT, (0, 0, w, h), width=max(6, app.px(10)))
        st = self.stack()
        app.texts.block(surface, app.t("redflag_title"), st["title"], app.fs(96), ALERT, max_lines=2)
        app.texts.block(surface, app.t("redflag_body"), st["body"], app.fs(52), TEXT, max_lines=4)
        self.draw_code(surface, st["code"], app.kiosk.finished_code)
