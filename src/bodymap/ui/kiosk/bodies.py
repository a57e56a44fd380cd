"""The two body views as the paint and review screens show them: silhouettes, titles and side labels.

The silhouettes are drawn through the screens' `BodyCanvas` (ui/kit/canvas.py), both held by the
`BodyViews` part: the paint screen's (`views.canvas`: the views whole, or the feet or one hand magnified on
both views, with the feet's landmarks) and the review screen's (`views.review_canvas`). The words around
them are the kiosk's own.
"""
from __future__ import annotations

import pygame

from ... import render
from ...atlas import viewer_sign
from ...render.picture import PATTERN_PERIOD
from ..kit.canvas import BodyCanvas, draw_foot_landmarks
from ..kit.kiosk_colours import BG, DIVIDER, TEXT


class BodyViews:
    """A part of `KioskApp`: the paint screen's canvas and the review screen's, the review screen's painting
    (drawn once per change of the map) and the cached backgrounds with what each shows (dropped between
    patients, on a resize and on a change of language)."""

    def __init__(self, atlas, geo=None):
        self.canvas, self.review_canvas = BodyCanvas(atlas), BodyCanvas(atlas)
        self.geo = geo  # the window's `Geometry`, given once it is laid out (it needs `canvas`)
        self.pain_map = None  # the session's map the canvases are placed on (None between patients)
        self.review_picture: tuple[int, pygame.Surface] | None = None  # (map version, the review screen's paint)
        self.bg_cache: dict[tuple, pygame.Surface] = {}  # the body pictures by screen, size, language
        self.bg_texts: dict[tuple, list[str]] = {}  # what each cached background shows, for `texts.frame`
        self.side_labels: dict[tuple[str, str, str], pygame.Rect] = {}  # (screen, view, side) -> where drawn

    def place(self) -> None:
        """Place the paint screen's canvas (the views whole, or the part magnified) and the review screen's
        for the window's size and the session's map (`pain_map`, set by the app): fresh paint overlays."""
        g, c = self.geo, self.canvas
        c.place(self.pain_map, c.zoomed_layouts(g.views_area, g.paint_layouts, **g.part_frame), self._period)
        self.review_canvas.place(self.pain_map, g.review_layouts, self._period)
        self.review_picture = None

    def _period(self, lay: render.ViewLayout) -> int:
        """The sensation textures' period on screen: as on paper, whatever the magnification."""
        return max(4, int(round(PATTERN_PERIOD * lay.scale / self.pain_map.raster.scale)))


def body_background(ctx, which: str) -> pygame.Surface:
    """The silhouettes with their titles and side labels (cached per size and language).

    `which`: "paint", "review", "zoom" (the paint screen's feet, bigger) or "zoom_hand_<side>", as the
    screen's canvas shows them now. What the cached picture shows is added to `ctx.texts.frame` each time
    it is used.
    """
    g, views = ctx.geo, ctx.views
    key = (which, g.size, ctx.words.lang)
    bg = views.bg_cache.get(key)
    if bg is not None:
        ctx.texts.frame.extend(views.bg_texts.get(key, ()))
        return bg
    first = len(ctx.texts.frame)
    bg = pygame.Surface(g.size)
    bg.fill(BG)
    canvas = views.review_canvas if which == "review" else views.canvas
    lays = canvas.layouts

    def landmarks(surface, lay, view):  # the feet, bigger: toes, ankle bones and sole to aim by
        draw_foot_landmarks(surface, ctx.atlas, lay, view, width=max(1, g.px(2)))

    canvas.draw_views(bg, under=dict(outline_width=max(2, g.px(3))), paint=False,
                      extra=landmarks if which == "zoom" else None, clip=True)
    front, back = lays["front"], lays["back"]  # a quiet line between the two views
    x = int((front.left + front.width + back.left) / 2)
    pygame.draw.line(bg, DIVIDER, (x, int(front.top)), (x, int(front.top + front.height)), max(2, g.px(3)))
    if which.startswith("zoom"):
        draw_feet_labels(ctx, bg, lays, which)
    else:
        draw_view_labels(ctx, bg, lays, which)
    if pygame.display.get_init() and pygame.display.get_surface() is not None:
        bg = bg.convert()
    views.bg_cache[key] = bg
    views.bg_texts[key] = ctx.texts.frame[first:]
    return bg


def draw_view_labels(ctx, surface: pygame.Surface, lays, which: str) -> None:
    """'Front' / 'Back' over each view; 'Your right' / 'Your left' beside each head, on the patient's sides."""
    g = ctx.geo
    labels = []
    for v, lay in lays.items():
        t = ctx.texts.surf(ctx.t(v), g.view_title_size, TEXT)
        surface.blit(t, t.get_rect(midbottom=(lay.left + lay.width / 2, lay.top - g.px(4))))
        # beside the head: from the head's edge (0.42 head heights from the midline) to the view's edge,
        # above the shoulders (1.15 head heights down)
        head = 0.42 * lay.scale
        room = max(int(lay.width / 2 - head - g.px(4)), 20)
        for side in ("right", "left"):
            r = pygame.Rect(0, int(lay.top + g.px(4)), room, int(1.15 * lay.scale))
            if viewer_sign(v, side) < 0:
                r.left = int(lay.left)
            else:
                r.right = int(lay.left + lay.width)
            labels.append((v, side, ctx.t("your_right" if side == "right" else "your_left"), r))
    # one size for all four, the largest at which each fits its corner
    low = max(18, g.side_size * 2 // 3)
    size = min(ctx.texts.fit(text, g.side_size, r.width, r.height, 2, low)[0] for _, _, text, r in labels)
    for v, side, text, r in labels:
        ctx.views.side_labels[(which, v, side)] = ctx.texts.block(surface, text, r, size, TEXT, max_lines=2,
                                                                  min_size=low)


def draw_feet_labels(ctx, surface: pygame.Surface, lays, which: str = "zoom") -> None:
    """The magnified feet (or one hand): 'Front' / 'Back' over each view, 'Your right' / 'Your left'
    under each foot (under the hand)."""
    g = ctx.geo
    hand_side = which[len("zoom_hand_"):] if which.startswith("zoom_hand_") else None
    low = max(18, g.side_size * 2 // 3)
    for v, lay in lays.items():
        t = ctx.texts.surf(ctx.t(v), g.view_title_size, TEXT)
        surface.blit(t, t.get_rect(midbottom=(lay.left + lay.width / 2, lay.top - g.px(4))))
        for side in ("right", "left"):
            if hand_side is not None:
                if side != hand_side:
                    continue
                feet = [r.geometry.centroid.x for r in ctx.atlas.regions_in(v) if r.stem in ("palm", "back_of_hand")
                        and r.side == side]
            else:
                feet = [r.geometry.centroid.x for r in ctx.atlas.regions_in(v) if r.level == "foot" and r.side == side]
            x = float(lay.to_screen(sum(feet) / len(feet), 0)[0])
            half = int(lay.width / 2)
            r = pygame.Rect(0, int(lay.top + lay.height + g.px(6)), half, render.font(g.side_size).get_linesize())
            r.centerx = int(min(max(x, lay.left + half / 2), lay.left + lay.width - half / 2))
            ctx.views.side_labels[("zoom", v, side)] = ctx.texts.block(
                surface, ctx.t("your_right" if side == "right" else "your_left"), r, g.side_size, TEXT,
                max_lines=1, min_size=low)
