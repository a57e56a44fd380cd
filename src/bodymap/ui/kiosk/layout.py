"""Where everything sits on the kiosk screens: sizes for a 1920 x 1080 screen, scaled to the real one."""
from __future__ import annotations

import dataclasses

import pygame

from ... import render
from ...render.picture import PATTERN_PERIOD

BASE = (1920, 1080)  # every size is for this screen and scales with it
PORTRAIT_BASE = (1080, 1920)  # a portrait screen scales from this one (and has its own paint layout)
MIN_SIZE = (800, 600)  # smaller than this (either way round) shows "too small" instead of the screens
CORNER_PX = 100  # the invisible staff square
ASSIST_W, ASSIST_H, ASSIST_TOP = 230, 96, 8  # each of "Listen", "Help" and "Stop", at the top, away from the staff corner


class KioskGeometry:
    """A part of `KioskApp`: the scale, the staff corner and the rectangles the screens share."""

    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def fs(self, v: float) -> int:
        """A font size: scaled, never below 24 (pygame's default font at 24 is about 17 px high)."""
        return max(24, int(round(v * self.s)))

    def assist_left(self) -> int:
        """The left edge of the Listen / Help / Stop buttons (for titles beside them)."""
        return min(r.left for r in self.assist_rects.values())

    def top_left_free(self) -> int:
        """Where text at the top may start: right of the staff corner when it is the top-left one (its
        mark must never be covered)."""
        c = self.corner
        return c.right + self.px(12) if c.top == 0 and c.left == 0 else self.margin

    def assist_bottom(self) -> int:
        return max(r.bottom for r in self.assist_rects.values())

    @property
    def portrait(self) -> bool:
        return self.size[1] > self.size[0]

    @property
    def too_small(self) -> bool:
        """Too small to lay the screens out with big enough buttons: the "too small" screen shows."""
        w, h = self.size
        return max(w, h) < MIN_SIZE[0] or min(w, h) < MIN_SIZE[1]

    def _layout(self) -> None:
        w, h = self.size
        if self.too_small:  # only "too small" shows: lay the screens out for the smallest size, never drawn
            w, h = (max(w, MIN_SIZE[0]), max(h, MIN_SIZE[1])) if w >= h else (max(w, MIN_SIZE[1]), max(h, MIN_SIZE[0]))
        base = PORTRAIT_BASE if h > w else BASE
        self.s = s = max(min(w / base[0], h / base[1]), 0.3)
        m = self.margin = self.px(24)
        c = self.px(CORNER_PX) if s < 1 else int(CORNER_PX * s)
        c = max(c, 80)
        corner = self.config.exit_corner
        self.corner = pygame.Rect(0 if "left" in corner else w - c, 0 if "top" in corner else h - c, c, c)
        # "Listen" and "Help" on every screen: side by side at the top, in the corner the staff square is not in
        aw, ah, gap = self.px(ASSIST_W), max(self.px(ASSIST_H), 48), self.px(14)
        ax = m if "right" in corner else w - m - 3 * aw - 2 * gap
        self.assist_rects = {"listen": pygame.Rect(ax, self.px(ASSIST_TOP), aw, ah),
                             "help": pygame.Rect(ax + aw + gap, self.px(ASSIST_TOP), aw, ah),
                             "stop": pygame.Rect(ax + 2 * (aw + gap), self.px(ASSIST_TOP), aw, ah)}
        # paint screen: title band, sensations at the left, actions at the right, the two views between
        title_w = w - 2 * m - (3 * aw + 2 * gap + self.px(16))  # beside the assist buttons
        title_x = m if "right" not in corner else w - m - title_w
        title_top = m
        if h > w:  # portrait: the title under Listen / Help / Stop, across the width
            title_x, title_w, title_top = m, w - 2 * m, self.px(ASSIST_TOP) + ah + self.px(12)
        self.paint_title_size = self.fs(72)
        self.paint_help_size = self.fs(42)
        th = render.font(self.paint_title_size).get_linesize()
        hh = 2 * render.font(self.paint_help_size).get_linesize()
        self.paint_title_rect = pygame.Rect(title_x, title_top, title_w, th)
        self.paint_help_rect = pygame.Rect(title_x, title_top + th + self.px(6), title_w, hh)
        top = self.paint_help_rect.bottom + self.px(16)
        if h > w:  # portrait: the body views across the width; the colours and the buttons in rows below
            row_h, act_h, g = max(self.px(120), 56), max(self.px(150), 64), self.px(14)
            self.actions_rect = pygame.Rect(m, h - m - act_h, w - 2 * m, act_h)
            self.tools_rect = pygame.Rect(m, self.actions_rect.top - 2 * g - 2 * row_h - g, w - 2 * m,
                                          2 * row_h + g)
            views_area = pygame.Rect(m, top, w - 2 * m, self.tools_rect.top - self.px(20) - top)
        else:
            self.tools_rect = pygame.Rect(m, top, self.px(540), h - m - top)
            self.actions_rect = pygame.Rect(w - m - self.px(330), top, self.px(330), h - m - top)
            views_area = pygame.Rect(self.tools_rect.right + self.px(30), top,
                                     self.actions_rect.left - self.px(30) - self.tools_rect.right - self.px(30),
                                     h - m - top)
        self.view_title_size = self.fs(56)
        self.side_size = self.fs(44)
        self.paint_layouts = self._views_in(views_area, self.px(70))
        self.views_area = views_area
        # the magnified part (the feet, or one hand) on both views: each under its view's title and above a
        # band for "Your right" / "Your left" (the canvas keeps which part shows across a resize)
        self.part_frame = dict(gap=self.px(70), title_h=render.font(self.view_title_size).get_linesize() + self.px(8),
                               label_h=render.font(self.side_size).get_linesize() + self.px(12))
        self.feet_layouts = self.canvas.part_layouts(views_area, ("feet",), **self.part_frame)
        # review screen: the same views, smaller, under the question and above two buttons
        self.review_title_size = self.fs(88)
        self.review_body_size = self.fs(46)
        body_w = min(w - 2 * self.px(120), self.px(1500))
        rt = render.font(self.review_title_size).get_linesize()
        self.review_title_rect = pygame.Rect((w - body_w) // 2, m, body_w, rt)
        self.review_body_rect = pygame.Rect((w - body_w) // 2, m + rt + self.px(4), body_w,
                                            2 * render.font(self.review_body_size).get_linesize())
        rb_h = self.px(150)
        self.review_buttons_y = h - m - rb_h
        area = pygame.Rect(m, self.review_body_rect.bottom + self.px(10), w - 2 * m,
                           self.review_buttons_y - self.px(20) - self.review_body_rect.bottom - self.px(10))
        self.review_layouts = self._views_in(area, self.px(90))
        self.bg_cache.clear()
        self.place_canvas()

    @property
    def zoom_layouts(self) -> dict[str, render.ViewLayout]:
        """The magnified layouts: those showing now, or the feet's (what "Show the feet bigger" shows)."""
        return self.canvas.layouts if self.canvas.part is not None else self.feet_layouts

    def place_canvas(self) -> None:
        """Place the paint screen's canvas (the views whole, or the part magnified) and the review screen's
        for the window's size and the session's map: fresh paint overlays."""
        c = self.canvas
        c.place(self.pain_map, c.zoomed_layouts(self.views_area, self.paint_layouts, **self.part_frame),
                self._period)
        self.review_canvas.place(self.pain_map, self.review_layouts, self._period)
        self.review_picture = None

    def _period(self, lay: render.ViewLayout) -> int:
        """The sensation textures' period on screen: as on paper, whatever the magnification."""
        return max(4, int(round(PATTERN_PERIOD * lay.scale / self.pain_map.raster.scale)))

    def _views_in(self, area: pygame.Rect, gap: int) -> dict[str, render.ViewLayout]:
        title_h = render.font(self.view_title_size).get_linesize() + self.px(8)
        lays = render.layout_views(self.atlas, area, gap=gap, title_h=title_h)
        return {v: dataclasses.replace(lay, left=float(round(lay.left)), top=float(round(lay.top)))
                for v, lay in lays.items()}

    def hand_layouts(self, side: str) -> dict[str, render.ViewLayout]:
        """One hand magnified, palm (front) and back of the hand (back) side by side: tapping a hand
        twice shows it (the two hands are too far apart to magnify together)."""
        return self.canvas.part_layouts(self.views_area, ("hand", side), **self.part_frame)

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size != self.size:
            self.scenes.scenes["paint"].end_stroke()
            self.scenes.scenes["paint"].regions.end()
            self.size = size
            self._layout()
            self._sync(self.clock())
