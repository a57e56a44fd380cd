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
from .context import ScreenContext

ITEM_KEYS = {"paint": "review_item_paint", "intensity": "review_item_intensity", "age": "review_item_age",
             "red_flags": "review_item_red_flags"}  # other questions show their own words


class ReviewScene:
    """"Is this right?" over the painting; in the short flow, the list of what can be changed."""

    def __init__(self, ctx: ScreenContext):
        self.ctx = ctx
        self.choosing = False  # the short flow's "what would you like to change?" list is open

    def enter(self) -> None:
        self.choosing = False

    def item_label(self, key: str) -> str:
        if plan.is_page(key):  # a red-flag page: "The list of health questions (2)"
            return f"{self.ctx.t('review_item_red_flags')} ({key.rsplit('_', 1)[1]})"
        asked = drawing.rechecked(key)
        if asked:
            return self.ctx.t(f"q_{asked}")
        return self.ctx.t(ITEM_KEYS.get(key, f"q_{key}"))

    def chooser(self) -> tuple[pygame.Rect, pygame.Rect, list[tuple[str, pygame.Rect]]]:
        """(panel, title, [(item key, button rect)]): one or two columns of big buttons."""
        ctx = self.ctx
        g = ctx.geo
        w, h = g.size
        items = [k for k, _ in ctx.kiosk.review_items()]
        cols = 1 if len(items) <= 5 else 2 if len(items) <= 10 else 3
        if g.portrait:
            cols = min(cols, 2)
        per_col = -(-len(items) // cols)
        bw, bh, gap = g.px(760), g.px(112), g.px(20)
        bw = min(bw, (w - 2 * g.margin - 2 * g.px(50) - (cols - 1) * g.px(40)) // cols)
        bh = max(56, min(bh, (h - 2 * g.margin - g.px(400)) // per_col - gap))
        title_h = ctx.texts.block_height(ctx.t("review_change_title"), g.fs(64), cols * bw, 1)
        pw = cols * bw + (cols - 1) * g.px(40) + 2 * g.px(50)
        ph = g.px(40) + title_h + g.px(30) + per_col * (bh + gap) + g.px(20) + g.px(120) + g.px(40)
        ph = min(ph, h - 2 * g.margin)
        panel = pygame.Rect((w - pw) // 2, (h - ph) // 2, pw, ph)
        title = pygame.Rect(panel.left + g.px(50), panel.top + g.px(40), panel.width - 2 * g.px(50), title_h)
        out = []
        for i, key in enumerate(items):
            c, r = divmod(i, per_col)
            out.append((key, pygame.Rect(title.left + c * (bw + g.px(40)), title.bottom + g.px(30) + r * (bh + gap),
                                         bw, bh)))
        return panel, title, out

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        if self.choosing:
            panel, _, items = self.chooser()
            out = {f"change:{key}": KButton(f"change:{key}", r, self.item_label(key), g.fs(48), max_lines=2,
                                            action=("change", key)) for key, r in items}
            cw = g.px(380)
            out["change_cancel"] = KButton("change_cancel", pygame.Rect(panel.centerx - cw // 2,
                                                                         panel.bottom - g.px(40) - g.px(120),
                                                                         cw, g.px(120)),
                                           ctx.t("back_button"), g.fs(52), action=("change_cancel",))
            return out
        w, _ = g.size
        gap = g.px(80)
        bw = min(g.px(620), (w - 2 * g.margin - gap) // 2)
        y, bh = g.review_buttons_y, g.px(150)
        return {
            "review_edit": KButton("review_edit", pygame.Rect(w // 2 - gap // 2 - bw, y, bw, bh),
                                   ctx.t("review_edit"), g.fs(60)),
            "review_confirm": KButton("review_confirm", pygame.Rect(w // 2 + gap // 2, y, bw, bh),
                                      ctx.t("review_confirm"), g.fs(60), "primary"),
        }

    def activate(self, action: tuple, now: float) -> None:
        k = self.ctx.kiosk
        if action[0] == "review_edit" and k.short_flow:
            self.choosing = True
        elif action[0] == "change":
            self.choosing = False
            k.change(action[1])
        elif action[0] == "change_cancel":
            self.choosing = False
        elif action[0] == "review_edit":
            self.ctx.kiosk.previous()
        elif action[0] == "review_confirm":
            self.ctx.kiosk.confirm()

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        surface.blit(body_background(ctx, "review"), (0, 0))
        m = ctx.state.pain_map
        if m is not None:
            views = ctx.views
            if views.review_picture is None or views.review_picture[0] != m.version:  # the painting, once per change
                layer = pygame.Surface(g.size, pygame.SRCALPHA)
                canvas = ctx.views.review_canvas  # the review screen's views, on the session's map (`BodyViews.place`)
                canvas.refresh()
                canvas.draw_views(layer, over=dict(outlines=False, dermatomes=False, line_width=max(2, g.px(3))))
                ctx.views.review_picture = (m.version, layer)
            surface.blit(ctx.views.review_picture[1], (0, 0))
        ctx.texts.block(surface, ctx.t("review_title"), g.review_title_rect, g.review_title_size, TEXT,
                        max_lines=1)
        ctx.texts.block(surface, ctx.t("review_body"), g.review_body_rect, g.review_body_size, MUTED,
                        max_lines=2)
        if self.choosing:
            panel, title, _ = self.chooser()
            draw_panel(surface, panel, width=max(3, g.px(4)))
            ctx.texts.block(surface, ctx.t("review_change_title"), title, g.fs(64), TEXT, max_lines=1)
