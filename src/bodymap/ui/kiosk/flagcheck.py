"""The one red-flag screen of the short flow: every red-flag question as a tick box, and "None of these".

Part of the question screen (kind "redflags", bodymap.kiosk.plan). Each
question shows its short patient words from the vocabulary (`tick_<key>`) with
two toggles, Yes and Not sure; a question left unticked is no. "None of these"
answers every one no in one tap; "Done" sends the ticks. The ticks live here
until sent, starting from the session's answers when the patient comes back to
change them. Not to be confused with redflag.py, the "please tell the reception
staff now" screen.
"""
from __future__ import annotations

import pygame

from ...kiosk import plan
from ..kiosk_widgets import DIVIDER, MUTED, TEXT, KButton

COLUMNS = 2


class FlagCheck:
    def __init__(self, app):
        self.app = app
        self.ticks: dict[str, object] = {}  # key -> True | "unsure"; absent = no

    def start(self) -> None:
        k = self.app.kiosk
        self.ticks = {}
        for key in plan.red_flag_screen_keys():
            v = k.given(key)
            if v is True or v == plan.UNSURE:
                self.ticks[key] = v

    # -- geometry (1920 x 1080 sizes, scaled)
    def _rows(self) -> list[tuple[str, pygame.Rect]]:
        app = self.app
        w, h = app.size
        keys = plan.red_flag_screen_keys()
        per_col = -(-len(keys) // COLUMNS)
        top = self.title_rect().bottom + app.px(24) + self.help_height() + app.px(20)
        bottom = self.bar_top() - app.px(20)
        row_h = (bottom - top) // per_col
        col_w = (w - 2 * app.px(40) - (COLUMNS - 1) * app.px(60)) // COLUMNS
        out = []
        for i, key in enumerate(keys):
            c, r = divmod(i, per_col)
            out.append((key, pygame.Rect(app.px(40) + c * (col_w + app.px(60)), top + r * row_h, col_w, row_h)))
        return out

    def title_rect(self) -> pygame.Rect:
        app = self.app
        w, _ = app.size
        return pygame.Rect(app.px(40), app.px(24), w - 2 * app.px(40),
                           app.texts.block_height(app.t("redflags_title"), app.fs(64), w - 2 * app.px(40), 1))

    def help_height(self) -> int:
        app = self.app
        return app.texts.block_height(app.t("redflags_help"), app.fs(38), self.title_rect().width, 2)

    def bar_top(self) -> int:
        app = self.app
        return app.size[1] - app.px(24) - app.px(130)

    def toggles(self, row: pygame.Rect) -> tuple[pygame.Rect, pygame.Rect, pygame.Rect]:
        """(text, yes, not sure) inside one row."""
        app = self.app
        bh = min(row.height - app.px(12), app.px(84))
        yes_w, ns_w, gap = app.px(150), app.px(230), app.px(14)
        y = row.centery - bh // 2
        ns = pygame.Rect(row.right - ns_w, y, ns_w, bh)
        yes = pygame.Rect(ns.left - gap - yes_w, y, yes_w, bh)
        text = pygame.Rect(row.left, row.top + app.px(4), yes.left - app.px(24) - row.left, row.height - app.px(8))
        return text, yes, ns

    # -- the screen
    def buttons(self) -> dict[str, KButton]:
        app = self.app
        out = {}
        for key, row in self._rows():
            _, yes, ns = self.toggles(row)
            v = self.ticks.get(key)
            out[f"flag:{key}:yes"] = KButton(f"flag:{key}:yes", yes, app.t("yes_button"), app.fs(48), "choice",
                                             on=v is True, max_lines=1, action=("tick", key, True))
            out[f"flag:{key}:unsure"] = KButton(f"flag:{key}:unsure", ns, app.t("not_sure"), app.fs(44), "choice",
                                                on=v == plan.UNSURE, max_lines=1, action=("tick", key, plan.UNSURE))
        w, _ = app.size
        y, bh = self.bar_top(), app.px(130)
        out["qback"] = KButton("qback", pygame.Rect(app.px(40), y, app.px(340), bh), app.t("back_button"), app.fs(52))
        any_ticked = bool(self.ticks)
        main_w = app.px(620)
        out["flags_none"] = KButton("flags_none", pygame.Rect((w - main_w) // 2, y, main_w, bh),
                                    app.t("redflags_none"), app.fs(64), "primary" if not any_ticked else "normal",
                                    enabled=not any_ticked, action=("answer", plan.NONE_OF_THESE))
        out["flags_done"] = KButton("flags_done", pygame.Rect(w - app.px(40) - app.px(420), y, app.px(420), bh),
                                    app.t("redflags_done"), app.fs(60), "primary" if any_ticked else "normal",
                                    enabled=any_ticked, action=("flags_done",))
        return out

    def activate(self, action: tuple) -> bool:
        """Handle a tick or Done; False when the action is not this screen's own."""
        if action[0] == "tick":
            _, key, value = action
            if self.ticks.get(key) == value:
                del self.ticks[key]  # a second tap takes the tick off
            else:
                self.ticks[key] = value
            return True
        if action[0] == "flags_done":
            self.app.kiosk.answer(dict(self.ticks))
            return True
        return False

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        tr = self.title_rect()
        app.texts.block(surface, app.t("redflags_title"), tr, app.fs(64), TEXT, max_lines=1)
        app.texts.block(surface, app.t("redflags_help"),
                        pygame.Rect(tr.left, tr.bottom + app.px(24), tr.width, self.help_height()),
                        app.fs(38), MUTED, max_lines=2)
        for i, (key, row) in enumerate(self._rows()):
            text, _, _ = self.toggles(row)
            app.texts.block(surface, app.t(f"tick_{key}"), text, app.fs(36), TEXT, align="left", valign="center",
                            max_lines=3, min_size=app.fs(26))
            pygame.draw.line(surface, DIVIDER, (row.left, row.bottom - 1), (row.right, row.bottom - 1),
                             max(1, app.px(2)))
