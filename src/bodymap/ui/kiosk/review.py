"""The kiosk's review screen: "Is this right?" over the painting, with Change and Yes, send.

In the short flow "Change it" opens a list of what can be changed (the colouring
and each screen asked); a choice goes back to that one screen, and from there
straight back here (`Kiosk.change`)."""
from __future__ import annotations

import pygame

from ...kiosk import drawing, plan
from ..kit.kiosk_colours import MUTED, TEXT
from ..kit import KButton, draw_panel
from .bodies import body_background
from .screen import KioskScene

ITEM_KEYS = {"paint": "review_item_paint", "intensity": "review_item_intensity", "age": "review_item_age",
             "red_flags": "review_item_red_flags"}  # other questions show their own words


class ReviewScene(KioskScene):
    choosing = False  # the short flow's "what would you like to change?" list is open

    def enter(self) -> None:
        self.choosing = False

    def item_label(self, key: str) -> str:
        if plan.is_page(key):  # a red-flag page: "The list of health questions (2)"
            return f"{self.app.t('review_item_red_flags')} ({key.rsplit('_', 1)[1]})"
        asked = drawing.rechecked(key)
        if asked:
            return self.app.t(f"q_{asked}")
        return self.app.t(ITEM_KEYS.get(key, f"q_{key}"))

    def chooser(self) -> tuple[pygame.Rect, pygame.Rect, list[tuple[str, pygame.Rect]]]:
        """(panel, title, [(item key, button rect)]): one or two columns of big buttons."""
        app = self.app
        w, h = app.size
        items = [k for k, _ in app.kiosk.review_items()]
        cols = 1 if len(items) <= 5 else 2 if len(items) <= 10 else 3
        if app.portrait:
            cols = min(cols, 2)
        per_col = -(-len(items) // cols)
        bw, bh, gap = app.px(760), app.px(112), app.px(20)
        bw = min(bw, (w - 2 * app.margin - 2 * app.px(50) - (cols - 1) * app.px(40)) // cols)
        bh = max(56, min(bh, (h - 2 * app.margin - app.px(400)) // per_col - gap))
        title_h = app.texts.block_height(app.t("review_change_title"), app.fs(64), cols * bw, 1)
        pw = cols * bw + (cols - 1) * app.px(40) + 2 * app.px(50)
        ph = app.px(40) + title_h + app.px(30) + per_col * (bh + gap) + app.px(20) + app.px(120) + app.px(40)
        ph = min(ph, h - 2 * app.margin)
        panel = pygame.Rect((w - pw) // 2, (h - ph) // 2, pw, ph)
        title = pygame.Rect(panel.left + app.px(50), panel.top + app.px(40), panel.width - 2 * app.px(50), title_h)
        out = []
        for i, key in enumerate(items):
            c, r = divmod(i, per_col)
            out.append((key, pygame.Rect(title.left + c * (bw + app.px(40)), title.bottom + app.px(30) + r * (bh + gap),
                                         bw, bh)))
        return panel, title, out

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        if self.choosing:
            panel, _, items = self.chooser()
            out = {f"change:{key}": KButton(f"change:{key}", r, self.item_label(key), app.fs(48), max_lines=2,
                                            action=("change", key)) for key, r in items}
            cw = app.px(380)
            out["change_cancel"] = KButton("change_cancel", pygame.Rect(panel.centerx - cw // 2,
                                                                         panel.bottom - app.px(40) - app.px(120),
                                                                         cw, app.px(120)),
                                           app.t("back_button"), app.fs(52), action=("change_cancel",))
            return out
        w, _ = app.size
        gap = app.px(80)
        bw = min(app.px(620), (w - 2 * app.margin - gap) // 2)
        y, bh = app.review_buttons_y, app.px(150)
        return {
            "review_edit": KButton("review_edit", pygame.Rect(w // 2 - gap // 2 - bw, y, bw, bh),
                                   app.t("review_edit"), app.fs(60)),
            "review_confirm": KButton("review_confirm", pygame.Rect(w // 2 + gap // 2, y, bw, bh),
                                      app.t("review_confirm"), app.fs(60), "primary"),
        }

    def activate(self, action: tuple, now: float) -> None:
        k = self.app.kiosk
        if action[0] == "review_edit" and k.short_flow:
            self.choosing = True
        elif action[0] == "change":
            self.choosing = False
            k.change(action[1])
        elif action[0] == "change_cancel":
            self.choosing = False
        elif action[0] == "review_edit":
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
                canvas = app.review_canvas  # the review screen's views, on the session's map (place_canvas)
                canvas.refresh()
                canvas.draw_views(layer, over=dict(outlines=False, dermatomes=False, line_width=max(2, app.px(3))))
                app.review_picture = (m.version, layer)
            surface.blit(app.review_picture[1], (0, 0))
        app.texts.block(surface, app.t("review_title"), app.review_title_rect, app.review_title_size, TEXT,
                        max_lines=1)
        app.texts.block(surface, app.t("review_body"), app.review_body_rect, app.review_body_size, MUTED,
                        max_lines=2)
        if self.choosing:
            panel, title, _ = self.chooser()
            draw_panel(surface, panel, width=max(3, app.px(4)))
            app.texts.block(surface, app.t("review_change_title"), title, app.fs(64), TEXT, max_lines=1)
