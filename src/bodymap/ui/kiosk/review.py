"""The kiosk's review screen: "Is this right?" over the painting, with Change and Yes, send."""
from __future__ import annotations

import pygame

from ... import render
from ...render.picture import draw_paint
from ..kiosk_widgets import MUTED, TEXT, KButton
from .bodies import body_background
from .screen import KioskScene


class ReviewScene(KioskScene):
    def buttons(self) -> dict[str, KButton]:
        app = self.app
        w, _ = app.size
        bw, gap = min(app.px(620), (w - 3 * app.margin) // 2), app.px(80)
        y, bh = app.review_buttons_y, app.px(150)
        return {
            "review_edit": KButton("review_edit", pygame.Rect(w // 2 - gap // 2 - bw, y, bw, bh),
                                   app.t("review_edit"), app.fs(60)),
            "review_confirm": KButton("review_confirm", pygame.Rect(w // 2 + gap // 2, y, bw, bh),
                                      app.t("review_confirm"), app.fs(60), "primary"),
        }

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "review_edit":
            self.app.kiosk.previous()
        elif action[0] == "review_confirm":
            self.app.kiosk.confirm()

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        surface.blit(body_background(app, "review"), (0, 0))
        m = app.pain_map
        if m is not None:
            if app.review_picture is None or app.review_picture[0] != m.version:  # the painting, drawn once per change
                layer = pygame.Surface(app.size, pygame.SRCALPHA)
                for lay in app.review_layouts.values():
                    draw_paint(layer, m, lay)
                    render.draw_geometry(layer, lay, app.atlas.silhouette(lay.view), line=render.OUTLINE,
                                         width=max(2, app.px(3)), aa=False)
                app.review_picture = (m.version, layer)
            surface.blit(app.review_picture[1], (0, 0))
        app.texts.block(surface, app.t("review_title"), app.review_title_rect, app.review_title_size, TEXT,
                        max_lines=1)
        app.texts.block(surface, app.t("review_body"), app.review_body_rect, app.review_body_size, MUTED,
                        max_lines=2)
