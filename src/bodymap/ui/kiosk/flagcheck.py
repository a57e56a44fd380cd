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
    """A part of the question screen: one red-flag page, its answers until sent."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.ticks: dict[str, object] = {}  # key -> True | False | "unsure"; absent = not answered (no)

    @property
    def key(self) -> str:
        return self.ctx.kiosk.current_question[0]

    @property
    def keys(self) -> tuple[str, ...]:
        return self.ctx.kiosk.page_keys(self.key)

    def start(self) -> None:
        k = self.ctx.kiosk
        self.ticks = {}
        for key in self.keys:
            v = k.given(key)
            if v is True or v == plan.UNSURE:
                self.ticks[key] = v

    @property
    def portrait(self) -> bool:
        return self.ctx.geo.size[1] > self.ctx.geo.size[0]

    # -- geometry (1920 x 1080 sizes, scaled)
    def title_rect(self) -> pygame.Rect:
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        left = max(g.px(40), g.top_left_free())  # never over the staff corner's mark
        right = g.assist_left() - g.px(20)
        top = g.px(24)
        if right - left < w // 2:  # no room beside Listen / Help (portrait): under them
            right, top = w - g.px(40), g.assist_bottom() + g.px(12)
        return pygame.Rect(left, top, right - left,
                           ctx.texts.block_height(ctx.t("redflags_title"), g.fs(TITLE_SIZE), right - left, 2))

    def help_rect(self) -> pygame.Rect:
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        tr = self.title_rect()
        top = max(tr.bottom, g.assist_bottom()) + g.px(10)
        width = w - g.px(40) - tr.left
        return pygame.Rect(tr.left, top, width,
                           ctx.texts.block_height(self.help_text(), g.fs(HELP_SIZE), width, 2))

    def help_text(self) -> str:
        n, total = self.ctx.kiosk.page_number(self.key)
        return f"{self.ctx.t('redflags_page', n=n, total=total)}. {self.ctx.t('redflags_page_help')}"

    def bar_top(self) -> int:
        ctx = self.ctx
        g = ctx.geo
        return g.size[1] - g.px(24) - self.bar_h()

    def bar_h(self) -> int:
        return max(self.ctx.geo.px(130), 64)

    def button_h(self) -> int:
        return max(self.ctx.geo.px(110), MIN_BUTTON_PX + 8)

    def _rows(self) -> list[tuple[str, pygame.Rect, pygame.Rect, list[pygame.Rect]]]:
        """(key, row, text rect, [yes, no, not sure rects]) for each question on the page."""
        ctx = self.ctx
        g = ctx.geo
        w, _ = g.size
        left, right = g.px(40), w - g.px(40)
        top = self.help_rect().bottom + g.px(16)
        bottom = self.bar_top() - g.px(16)
        bh, gap = self.button_h(), g.px(16)
        size = g.fs(BODY_SIZE)
        rows = []
        if self.portrait:
            bw = (right - left - 2 * gap) // 3
            heights = [ctx.texts.block_height(ctx.t(f"tick_{k}"), size, right - left, 4, min_size=size)
                       + g.px(12) + bh + g.px(28) for k in self.keys]
        else:
            widths = (g.px(190), g.px(190), g.px(270))
            text_w = right - left - sum(widths) - 2 * gap - g.px(30)
            heights = [max(ctx.texts.block_height(ctx.t(f"tick_{k}"), size, text_w, 4, min_size=size), bh)
                       + g.px(28) for k in self.keys]
        spare = max(0, (bottom - top) - sum(heights))
        y = top + spare // 3
        for k, hgt in zip(self.keys, heights):
            row = pygame.Rect(left, y, right - left, hgt)
            if self.portrait:
                text = pygame.Rect(left, y + g.px(6), right - left, hgt - bh - g.px(28))
                by = text.bottom + g.px(6)
                btns = [pygame.Rect(left + i * (bw + gap), by, bw, bh) for i in range(3)]
            else:
                x = right
                btns = []
                for bw_ in reversed(widths):
                    btns.insert(0, pygame.Rect(x - bw_, row.centery - bh // 2, bw_, bh))
                    x -= bw_ + gap
                text = pygame.Rect(left, y + g.px(6), btns[0].left - g.px(30) - left, hgt - g.px(12))
            rows.append((k, row, text, btns))
            y += hgt
        return rows

    # -- the screen
    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        out = {}
        for key, _, _, btns in self._rows():
            v = self.ticks.get(key)
            for (name, label, value), r in zip(ANSWERS, btns):
                out[f"flag:{key}:{name}"] = KButton(f"flag:{key}:{name}", r, ctx.t(label), g.fs(52), "choice",
                                                    on=(key in self.ticks and v == value), max_lines=1,
                                                    action=("tick", key, value))
        w, _ = g.size
        y, bh = self.bar_top(), self.bar_h()
        m = g.px(40)
        back_w = min(g.px(340), (w - 2 * m) // 4)
        next_w = min(g.px(420), (w - 2 * m) // 4)
        out["qback"] = KButton("qback", pygame.Rect(m, y, back_w, bh), ctx.t("back_button"), g.fs(52))
        any_given = bool(self.ticks)
        main_w = min(g.px(620), w - 2 * m - back_w - next_w - 2 * g.px(20))
        out["flags_none"] = KButton("flags_none", pygame.Rect((w - main_w) // 2, y, main_w, bh),
                                    ctx.t("redflags_none"), g.fs(60), "primary" if not any_given else "normal",
                                    enabled=not any_given or all(v is False for v in self.ticks.values()),
                                    action=("answer", plan.NONE_OF_THESE))
        out["flags_done"] = KButton("flags_done", pygame.Rect(w - m - next_w, y, next_w, bh),
                                    ctx.t("redflags_next"), g.fs(60), "primary" if any_given else "normal",
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
            self.ctx.kiosk.answer({k: v for k, v in self.ticks.items()})
            return True
        return False

    def spoken(self) -> list[str]:
        """What "Listen" says here: the title, each question, then the answers once (plan.page_spoken)."""
        return plan.page_spoken(self.keys)

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        tr = self.title_rect()
        ctx.texts.block(surface, ctx.t("redflags_title"), tr, g.fs(TITLE_SIZE), TEXT, align="left", max_lines=2)
        ctx.texts.block(surface, self.help_text(), self.help_rect(), g.fs(HELP_SIZE), MUTED, align="left",
                        max_lines=2)
        size = g.fs(BODY_SIZE)
        for key, row, text, _ in self._rows():
            ctx.texts.block(surface, ctx.t(f"tick_{key}"), text, size, TEXT, align="left", valign="center",
                            max_lines=4, min_size=size)
            pygame.draw.line(surface, DIVIDER, (row.left, row.bottom - 1), (row.right, row.bottom - 1),
                             max(1, g.px(2)))


def x_height(size: int) -> int:
    """The x-height in pixels of the kiosk font at `size` (for tests and docs)."""
    f = render.font(size)
    return f.metrics("x")[0][3]
