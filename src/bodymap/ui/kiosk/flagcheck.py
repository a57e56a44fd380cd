"""A red-flag page of the short flow: up to four health questions, each with Yes, No and Not sure.

Part of the question screen (kind "redflags", bodymap.kiosk.plan): the pages
come from `plan.red_flag_pages` (at most `plan.PAGE_MAX` questions, "Listen"
under `plan.LISTEN_MAX_S` seconds). Each question shows its patient words from
the vocabulary (`tick_<key>`) in big type (an x-height of at least 24 px at
1080p, `BODY_SIZE`) with three buttons beside it (below it in portrait), each at
least 48 px tall at every supported size. "None of these" answers the whole page
no in one tap; "Next" sends the answers given (a question left blank is no: the
patient saw it and did not say yes). The answers live here until sent, starting
from the session's answers when the patient comes back to change them. Not to
be confused with redflag.py, the "please tell the reception staff now" screen.
"""
from __future__ import annotations

import pygame

from ... import render
from ...kiosk import plan
from ..kit.kiosk_colours import DIVIDER, MUTED, TEXT
from ..kit import KButton

BODY_SIZE = 68  # at 1080p: DejaVu Sans at this size has an x-height of about 24.5 px
TITLE_SIZE = 60
HELP_SIZE = 40
MIN_BUTTON_PX = 48
ANSWERS = (("yes", "yes_button", True), ("no", "no_button", False), ("unsure", "not_sure", plan.UNSURE))


class FlagCheck:
    def __init__(self, app):
        self.app = app
        self.ticks: dict[str, object] = {}  # key -> True | False | "unsure"; absent = not answered (no)

    @property
    def key(self) -> str:
        return self.app.kiosk.current_question[0]

    @property
    def keys(self) -> tuple[str, ...]:
        return self.app.kiosk.page_keys(self.key)

    def start(self) -> None:
        k = self.app.kiosk
        self.ticks = {}
        for key in self.keys:
            v = k.given(key)
            if v is True or v == plan.UNSURE:
                self.ticks[key] = v

    @property
    def portrait(self) -> bool:
        return self.app.size[1] > self.app.size[0]

    # -- geometry (1920 x 1080 sizes, scaled)
    def title_rect(self) -> pygame.Rect:
        app = self.app
        w, _ = app.size
        left = max(app.px(40), app.top_left_free())  # never over the staff corner's mark
        right = app.assist_left() - app.px(20)
        top = app.px(24)
        if right - left < w // 2:  # no room beside Listen / Help (portrait): under them
            right, top = w - app.px(40), app.assist_bottom() + app.px(12)
        return pygame.Rect(left, top, right - left,
                           app.texts.block_height(app.t("redflags_title"), app.fs(TITLE_SIZE), right - left, 2))

    def help_rect(self) -> pygame.Rect:
        app = self.app
        w, _ = app.size
        tr = self.title_rect()
        top = max(tr.bottom, app.assist_bottom()) + app.px(10)
        width = w - app.px(40) - tr.left
        return pygame.Rect(tr.left, top, width,
                           app.texts.block_height(self.help_text(), app.fs(HELP_SIZE), width, 2))

    def help_text(self) -> str:
        n, total = self.app.kiosk.page_number(self.key)
        return f"{self.app.t('redflags_page', n=n, total=total)}. {self.app.t('redflags_page_help')}"

    def bar_top(self) -> int:
        app = self.app
        return app.size[1] - app.px(24) - self.bar_h()

    def bar_h(self) -> int:
        return max(self.app.px(130), 64)

    def button_h(self) -> int:
        return max(self.app.px(110), MIN_BUTTON_PX + 8)

    def _rows(self) -> list[tuple[str, pygame.Rect, pygame.Rect, list[pygame.Rect]]]:
        """(key, row, text rect, [yes, no, not sure rects]) for each question on the page."""
        app = self.app
        w, _ = app.size
        left, right = app.px(40), w - app.px(40)
        top = self.help_rect().bottom + app.px(16)
        bottom = self.bar_top() - app.px(16)
        bh, gap = self.button_h(), app.px(16)
        size = app.fs(BODY_SIZE)
        rows = []
        if self.portrait:
            bw = (right - left - 2 * gap) // 3
            heights = [app.texts.block_height(app.t(f"tick_{k}"), size, right - left, 4, min_size=size)
                       + app.px(12) + bh + app.px(28) for k in self.keys]
        else:
            widths = (app.px(190), app.px(190), app.px(270))
            text_w = right - left - sum(widths) - 2 * gap - app.px(30)
            heights = [max(app.texts.block_height(app.t(f"tick_{k}"), size, text_w, 4, min_size=size), bh)
                       + app.px(28) for k in self.keys]
        spare = max(0, (bottom - top) - sum(heights))
        y = top + spare // 3
        for k, hgt in zip(self.keys, heights):
            row = pygame.Rect(left, y, right - left, hgt)
            if self.portrait:
                text = pygame.Rect(left, y + app.px(6), right - left, hgt - bh - app.px(28))
                by = text.bottom + app.px(6)
                btns = [pygame.Rect(left + i * (bw + gap), by, bw, bh) for i in range(3)]
            else:
                x = right
                btns = []
                for bw_ in reversed(widths):
                    btns.insert(0, pygame.Rect(x - bw_, row.centery - bh // 2, bw_, bh))
                    x -= bw_ + gap
                text = pygame.Rect(left, y + app.px(6), btns[0].left - app.px(30) - left, hgt - app.px(12))
            rows.append((k, row, text, btns))
            y += hgt
        return rows

    # -- the screen
    def buttons(self) -> dict[str, KButton]:
        app = self.app
        out = {}
        for key, _, _, btns in self._rows():
            v = self.ticks.get(key)
            for (name, label, value), r in zip(ANSWERS, btns):
                out[f"flag:{key}:{name}"] = KButton(f"flag:{key}:{name}", r, app.t(label), app.fs(52), "choice",
                                                    on=(key in self.ticks and v == value), max_lines=1,
                                                    action=("tick", key, value))
        w, _ = app.size
        y, bh = self.bar_top(), self.bar_h()
        m = app.px(40)
        back_w = min(app.px(340), (w - 2 * m) // 4)
        next_w = min(app.px(420), (w - 2 * m) // 4)
        out["qback"] = KButton("qback", pygame.Rect(m, y, back_w, bh), app.t("back_button"), app.fs(52))
        any_given = bool(self.ticks)
        main_w = min(app.px(620), w - 2 * m - back_w - next_w - 2 * app.px(20))
        out["flags_none"] = KButton("flags_none", pygame.Rect((w - main_w) // 2, y, main_w, bh),
                                    app.t("redflags_none"), app.fs(60), "primary" if not any_given else "normal",
                                    enabled=not any_given or all(v is False for v in self.ticks.values()),
                                    action=("answer", plan.NONE_OF_THESE))
        out["flags_done"] = KButton("flags_done", pygame.Rect(w - m - next_w, y, next_w, bh),
                                    app.t("redflags_next"), app.fs(60), "primary" if any_given else "normal",
                                    enabled=any_given, action=("flags_done",))
        return out

    def activate(self, action: tuple) -> bool:
        """Handle an answer or Next; False when the action is not this screen's own."""
        if action[0] == "tick":
            _, key, value = action
            if key in self.ticks and self.ticks[key] == value:
                del self.ticks[key]  # a second tap takes the answer off
            else:
                self.ticks[key] = value
            return True
        if action[0] == "flags_done":
            self.app.kiosk.answer({k: v for k, v in self.ticks.items()})
            return True
        return False

    def spoken(self) -> list[str]:
        """What "Listen" says here: the title, each question, then the answers once (plan.page_spoken)."""
        return plan.page_spoken(self.keys)

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        tr = self.title_rect()
        app.texts.block(surface, app.t("redflags_title"), tr, app.fs(TITLE_SIZE), TEXT, align="left", max_lines=2)
        app.texts.block(surface, self.help_text(), self.help_rect(), app.fs(HELP_SIZE), MUTED, align="left",
                        max_lines=2)
        size = app.fs(BODY_SIZE)
        for key, row, text, _ in self._rows():
            app.texts.block(surface, app.t(f"tick_{key}"), text, size, TEXT, align="left", valign="center",
                            max_lines=4, min_size=size)
            pygame.draw.line(surface, DIVIDER, (row.left, row.bottom - 1), (row.right, row.bottom - 1),
                             max(1, app.px(2)))


def x_height(size: int) -> int:
    """The x-height in pixels of the kiosk font at `size` (for tests and docs)."""
    f = render.font(size)
    return f.metrics("x")[0][3]
