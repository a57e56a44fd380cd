"""Where everything sits in the review window, worked out again on every resize.

A part of `ReviewScreen` (bodymap.ui.review.screen): the methods share its state.
"""
from __future__ import annotations


import pygame

from ... import render
from ...review.entries import FILTER_WORDS
from ...review.words import entry_when
from .centre import Frame
from .pairs import Pair, layout_pair
from .panels import tag_size
from ..kit import Button, flow_buttons

BASE_SIZE = (1400, 900)
MIN_TARGET = 48  # px: every button and row is at least this tall
TOAST_SECONDS = 3.0
DISCLAIMER = ("Decision aid, not a diagnosis: painted areas overlap heavily between sources of pain. "
              "Probabilities are calibrated on simulated and textbook cases only.")


class ReviewLayout:
    """Where everything sits in the review window, worked out again on every resize."""

    # ------------------------------------------------------------------
    # geometry
    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def _layout(self) -> None:
        w, h = self.size
        # a tall window gets the information panel under the pictures instead of beside them
        self.portrait = portrait = h > 1.15 * w
        base_w, base_h = (950, 1300) if portrait else BASE_SIZE
        self.s = s = min(max(min(w / base_w, h / base_h), 0.6), 1.6)
        self.font_size = fs = max(18, int(round(26 * s)))
        self.small_size = max(17, int(round(22 * s)))
        self.btn_h = btn = max(MIN_TARGET, self.px(56))
        pad = self.px(8)
        self.buttons: dict[str, Button] = {}
        items: list[tuple[str, str, str] | None] = []
        if self.is_folder:
            items += [("list", "Map list", "toggle"), ("refresh", "Refresh", "action"),
                      ("filter", FILTER_WORDS[self.filter], "action"), None]
        items += [("outlines", "Outlines", "toggle"), ("dermatomes", "Dermatomes", "toggle"),
                  ("zone", "Pattern zone", "toggle"), None, ("print", "Print / PDF", "action")]
        items.append(("timeline", "Timeline", "toggle"))
        items.append(("compare", "End comparison" if self.mode == "compare" else
                      ("Cancel comparing" if self.mode == "pick" else "Compare with…"), "action"))
        bar, bar_h = flow_buttons(items, self.text, fs, btn, pad, self.px(14), w, self.px)
        self.buttons.update(bar)
        self.top_rect = pygame.Rect(0, 0, w, bar_h)
        top = self.top_rect.bottom
        if portrait:
            list_w = min(self.px(300), int(0.34 * w)) if self.show_list else 0
            info_h = int(0.42 * (h - top))
            self.list_rect = pygame.Rect(0, top, list_w, h - top)
            self.info_rect = pygame.Rect(list_w, h - info_h, w - list_w, info_h)
            self.center_rect = pygame.Rect(list_w, top, w - list_w, h - top - info_h)
        else:
            list_w = min(self.px(330), int(0.3 * w)) if self.show_list else 0
            info_w = min(self.px(470 if self.mode != "compare" else 430), int(0.36 * w))
            self.list_rect = pygame.Rect(0, top, list_w, h - top)
            self.info_rect = pygame.Rect(w - info_w, top, info_w, h - top)
            self.center_rect = pygame.Rect(list_w, top, w - list_w - info_w, h - top)
        self._layout_center()
        self.list.tz = self.tz
        self.list.picking = self.mode == "pick"
        self._relayout_panels()

    def _layout_center(self) -> None:
        c = self.center_rect
        s = self.s
        pad = self.px(12)
        lh = render.font(self.font_size).get_linesize()
        small_lh = render.font(self.small_size).get_linesize()
        self.pairs: dict[str, Pair] = {}
        head_w = (self.text.width("Session XXXXXXXX", int(self.font_size * 1.15)) + self.px(18)
                  + self.text.width("2024-09-30 23:59 CEST (UTC+02:00)", self.font_size)
                  + tag_size(self.font_size, self.text, "EMERGENCY")[0] + self.px(12))
        lines = 2 if head_w <= c.width - 2 * pad else 3
        self.header_rect = pygame.Rect(c.left + pad, c.top + pad, c.width - 2 * pad,
                                       int(lh * 1.15) + (lines - 1) * small_lh + self.px(6))
        title_size = max(18, int(round(32 * s)))
        caption_size = max(16, int(round(20 * s)))
        if self.mode == "compare":
            self.header_rect.height = 0
            inner = c.inflate(-2 * pad, -2 * pad)
            left_w = int(inner.width * 0.37)
            legend_h = max(self.px(40), small_lh + self.px(16))
            sens_h = 2 * (small_lh + self.px(6)) + self.px(6)  # the sensation legend under the two drawings
            half = (inner.height - self.px(10) - sens_h) // 2
            self.sensation_legend_rect = pygame.Rect(inner.left, inner.top + 2 * half + self.px(10), left_w, sens_h)
            ts, cs = max(16, int(round(24 * s))), 16
            hs = self.small_size
            b = self.before.entry if self.before else None
            a = self.after.entry if self.after else None
            self.pairs["before"] = layout_pair(
                self.atlas, pygame.Rect(inner.left, inner.top, left_w, half), s,
                f"Before: {b.title if b else ''}, {entry_when(b, self.tz, short=True) if b else ''}",
                title_size=ts, caption_size=cs, heading_size=hs)
            self.pairs["after"] = layout_pair(
                self.atlas, pygame.Rect(inner.left, inner.top + half + self.px(10), left_w, half), s,
                f"After: {a.title if a else ''}, {entry_when(a, self.tz, short=True) if a else ''}",
                title_size=ts, caption_size=cs, heading_size=hs)
            right = pygame.Rect(inner.left + left_w + self.px(16), inner.top, inner.width - left_w - self.px(16),
                                inner.height - legend_h)
            self.pairs["diff"] = layout_pair(self.atlas, right, s, "Difference: after compared with before",
                                             title_size=title_size, caption_size=caption_size,
                                             heading_size=self.font_size)
            self.legend_rect = pygame.Rect(right.left, right.bottom, right.width, legend_h)
        else:
            legend_h = small_lh + self.px(20)
            body = pygame.Rect(c.left + pad, self.header_rect.bottom + self.px(10), c.width - 2 * pad,
                               c.bottom - self.header_rect.bottom - self.px(10) - legend_h - pad)
            self.pairs["map"] = layout_pair(self.atlas, body, s, "", title_size=title_size,
                                            caption_size=caption_size, heading_size=self.font_size)
            self.legend_rect = pygame.Rect(body.left, body.bottom, body.width, legend_h)
            self.sensation_legend_rect = self.legend_rect
            if self.mode == "timeline":
                self.timeline_view.layout(c, self.s, self.font_size, self.small_size, self.btn_h)

    def frame(self) -> Frame:
        """Where the centre picture's pieces go (centre.Frame)."""
        return Frame(self.size, self.s, self.font_size, self.small_size, self.center_rect, self.header_rect,
                     self.legend_rect, self.sensation_legend_rect, self.pairs)

    @property
    def layouts(self) -> dict[str, render.ViewLayout]:
        """The views of the open map (single mode) or of the difference (compare mode)."""
        return self.pairs["diff" if self.mode == "compare" else "map"].layouts

    def pair_layouts(self, which: str) -> dict[str, render.ViewLayout]:
        return self.pairs[which].layouts

    def _relayout_panels(self) -> None:
        if not hasattr(self, "s"):
            return
        self.list.picking = self.mode == "pick"
        self.list.layout(self.list_rect, self.s, self.font_size, self.small_size, self.btn_h, self.text)
        self._build_info()

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size != self.size:
            self.size = size
            self._layout()

    def button_center(self, bid: str) -> tuple[int, int]:
        """Where to tap: a top-bar button, 'list:N', 'info:hyp:N', 'pick_cancel', 'visit:N', or in the confirmed
        diagnosis form 'confirm:ok', 'confirm:cancel' or 'confirm:field:N'."""
        if bid.startswith("confirm:"):
            return self.confirm.center(bid[len("confirm:"):])
        for row in self.list.rows:
            if bid == f"list:{row.index}":
                return self.list.row_screen_rect(row).center
        for row in self.info.hypothesis_rows():
            if bid == f"info:hyp:{row.index}":
                return self.info.row_screen_rect(row).center
        if bid == "pick_cancel" and self.list.cancel_button is not None:
            return self.list.cancel_button.rect.center
        for i, r in self.timeline_view.cards if self.mode == "timeline" else []:
            if bid == f"visit:{i}":
                return r.center
        return self.buttons[bid].rect.center
