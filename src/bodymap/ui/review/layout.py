"""Where everything sits in the review window: `ReviewLayout`, an owned part of `ReviewScreen`, made new on
every resize and every change of mode, of the map list shown or of the maps compared.

It is given the window's size, the text cache, the atlas, the time zone, and what the window shows (whether
the source is a folder, the filter, the mode, the map list shown, the two maps compared), never the window:
the top bar's buttons, the map list's, information panel's and centre's rectangles, the type sizes, and the
titled pairs of views in the centre (pairs.py). It draws the top bar and shows the window's state on its
buttons (`sync`).
"""
from __future__ import annotations

import pygame

from ... import render
from ...atlas import Atlas
from ...review.entries import FILTER_WORDS
from ...review.words import entry_when
from ..kit import Button, TextCache, flow_buttons
from ..kit.desk_colours import BAR_BG, BAR_LINE
from .centre import Frame
from .pairs import Pair, layout_pair
from .panels import tag_size

BASE_SIZE = (1400, 900)
MIN_TARGET = 48  # px: every button and row is at least this tall
DISCLAIMER = ("Decision aid, not a diagnosis: painted areas overlap heavily between sources of pain. "
              "Probabilities are calibrated on simulated and textbook cases only.")


class ReviewLayout:
    """Where everything sits in the review window for one size and one state (see the module)."""

    def __init__(self, size: tuple[int, int], text: TextCache, atlas: Atlas, *, tz, is_folder: bool, filter: str,
                 mode: str, show_list: bool, before=None, after=None):
        self.size, self.text, self.atlas, self.tz, self.mode = size, text, atlas, tz, mode
        w, h = size
        # a tall window gets the information panel under the pictures instead of beside them
        self.portrait = portrait = h > 1.15 * w
        base_w, base_h = (950, 1300) if portrait else BASE_SIZE
        self.s = min(max(min(w / base_w, h / base_h), 0.6), 1.6)
        self.font_size = fs = max(18, int(round(26 * self.s)))
        self.small_size = max(17, int(round(22 * self.s)))
        self.btn_h = btn = max(MIN_TARGET, self.px(56))
        pad = self.px(8)
        items: list[tuple[str, str, str] | None] = []
        if is_folder:
            items += [("list", "Map list", "toggle"), ("refresh", "Refresh", "action"),
                      ("filter", FILTER_WORDS[filter], "action"), None]
        items += [("outlines", "Outlines", "toggle"), ("dermatomes", "Dermatomes", "toggle"),
                  ("zone", "Pattern zone", "toggle"), None, ("print", "Print / PDF", "action")]
        items.append(("timeline", "Timeline", "toggle"))
        items.append(("compare", "End comparison" if mode == "compare" else
                      ("Cancel comparing" if mode == "pick" else "Compare with…"), "action"))
        bar, bar_h = flow_buttons(items, text, fs, btn, pad, self.px(14), w, self.px)
        self.buttons: dict[str, Button] = dict(bar)
        self.top_rect = pygame.Rect(0, 0, w, bar_h)
        top = self.top_rect.bottom
        if portrait:
            list_w = min(self.px(300), int(0.34 * w)) if show_list else 0
            info_h = int(0.42 * (h - top))
            self.list_rect = pygame.Rect(0, top, list_w, h - top)
            self.info_rect = pygame.Rect(list_w, h - info_h, w - list_w, info_h)
            self.center_rect = pygame.Rect(list_w, top, w - list_w, h - top - info_h)
        else:
            list_w = min(self.px(330), int(0.3 * w)) if show_list else 0
            info_w = min(self.px(470 if mode != "compare" else 430), int(0.36 * w))
            self.list_rect = pygame.Rect(0, top, list_w, h - top)
            self.info_rect = pygame.Rect(w - info_w, top, info_w, h - top)
            self.center_rect = pygame.Rect(list_w, top, w - list_w - info_w, h - top)
        self._layout_center(before, after)

    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def _layout_center(self, before, after) -> None:
        """The header, the pairs of views and the legends in the centre (`before`, `after`: the maps compared)."""
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
            b = before.entry if before else None
            a = after.entry if after else None
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

    def frame(self) -> Frame:
        """Where the centre picture's pieces go (centre.Frame)."""
        return Frame(self.size, self.s, self.font_size, self.small_size, self.center_rect, self.header_rect,
                     self.legend_rect, self.sensation_legend_rect, self.pairs)

    @property
    def layouts(self) -> dict[str, render.ViewLayout]:
        """The views of the open map (single mode) or of the difference (compare mode)."""
        return self.pairs["diff" if self.mode == "compare" else "map"].layouts

    def hit(self, pos) -> str | None:
        """The top-bar button at `pos`, if any."""
        for bid, b in self.buttons.items():
            if b.rect.collidepoint(pos):
                return bid
        return None

    # -- the top bar -------------------------------------------------------------
    def sync(self, *, show_list: bool, outlines: bool, dermatomes: bool, zone: bool, mode: str, can_compare: bool,
             can_timeline: bool, can_print: bool) -> None:
        """Show what is on and what can be done on the top bar's buttons."""
        b = self.buttons
        if "list" in b:
            b["list"].on = show_list
        b["outlines"].on = outlines
        b["dermatomes"].on = dermatomes
        b["zone"].on = zone
        b["zone"].enabled = mode in ("single", "pick")
        b["compare"].enabled = mode in ("pick", "compare") or (mode == "single" and can_compare)
        b["timeline"].on = mode == "timeline"
        b["timeline"].enabled = mode == "timeline" or (mode == "single" and can_timeline)
        b["print"].enabled = can_print

    def draw_top_bar(self, surface: pygame.Surface, pressed) -> None:
        r = self.top_rect
        pygame.draw.rect(surface, BAR_BG, r)
        pygame.draw.line(surface, BAR_LINE, (r.left, r.bottom - 1), (r.right, r.bottom - 1), 2)
        for bid, b in self.buttons.items():
            b.draw(surface, self.text, self.font_size, pressed=(pressed == bid))
