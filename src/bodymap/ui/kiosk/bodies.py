"""The two body views as the paint and review screens show them: silhouettes, titles and side labels.

The silhouettes are drawn through the screens' `BodyCanvas` (ui/kit/canvas.py): the paint screen's
(`app.canvas`: the views whole, or the feet or one hand magnified on both views, with the feet's
landmarks) and the review screen's (`app.review_canvas`). The words around them are the kiosk's own.
"""
from __future__ import annotations

import pygame

from ... import render
from ...atlas import viewer_sign
from ..kit.canvas import draw_foot_landmarks
from ..kit.kiosk_colours import BG, DIVIDER, TEXT


def body_background(app, which: str) -> pygame.Surface:
    """The silhouettes with their titles and side labels (cached per size and language).

    `which`: "paint", "review", "zoom" (the paint screen's feet, bigger) or "zoom_hand_<side>", as the
    screen's canvas shows them now. What the cached picture shows is added to `app.texts.frame` each time
    it is used.
    """
    key = (which, app.size, app.lang)
    bg = app.bg_cache.get(key)
    if bg is not None:
        app.texts.frame.extend(app.bg_texts.get(key, ()))
        return bg
    first = len(app.texts.frame)
    bg = pygame.Surface(app.size)
    bg.fill(BG)
    canvas = app.review_canvas if which == "review" else app.canvas
    lays = canvas.layouts

    def landmarks(surface, lay, view):  # the feet, bigger: toes, ankle bones and sole to aim by
        draw_foot_landmarks(surface, app.atlas, lay, view, width=max(1, app.px(2)))

    canvas.draw_views(bg, under=dict(outline_width=max(2, app.px(3))), paint=False,
                      extra=landmarks if which == "zoom" else None, clip=True)
    front, back = lays["front"], lays["back"]  # a quiet line between the two views
    x = int((front.left + front.width + back.left) / 2)
    pygame.draw.line(bg, DIVIDER, (x, int(front.top)), (x, int(front.top + front.height)), max(2, app.px(3)))
    if which.startswith("zoom"):
        draw_feet_labels(app, bg, lays, which)
    else:
        draw_view_labels(app, bg, lays, which)
    if pygame.display.get_init() and pygame.display.get_surface() is not None:
        bg = bg.convert()
    app.bg_cache[key] = bg
    app.bg_texts[key] = app.texts.frame[first:]
    return bg


def draw_view_labels(app, surface: pygame.Surface, lays, which: str) -> None:
    """'Front' / 'Back' over each view; 'Your right' / 'Your left' beside each head, on the patient's sides."""
    labels = []
    for v, lay in lays.items():
        t = app.texts.surf(app.t(v), app.view_title_size, TEXT)
        surface.blit(t, t.get_rect(midbottom=(lay.left + lay.width / 2, lay.top - app.px(4))))
        # beside the head: from the head's edge (0.42 head heights from the midline) to the view's edge,
        # above the shoulders (1.15 head heights down)
        head = 0.42 * lay.scale
        room = max(int(lay.width / 2 - head - app.px(4)), 20)
        for side in ("right", "left"):
            r = pygame.Rect(0, int(lay.top + app.px(4)), room, int(1.15 * lay.scale))
            if viewer_sign(v, side) < 0:
                r.left = int(lay.left)
            else:
                r.right = int(lay.left + lay.width)
            labels.append((v, side, app.t("your_right" if side == "right" else "your_left"), r))
    # one size for all four, the largest at which each fits its corner
    low = max(18, app.side_size * 2 // 3)
    size = min(app.texts.fit(text, app.side_size, r.width, r.height, 2, low)[0] for _, _, text, r in labels)
    for v, side, text, r in labels:
        app.side_labels[(which, v, side)] = app.texts.block(surface, text, r, size, TEXT, max_lines=2, min_size=low)


def draw_feet_labels(app, surface: pygame.Surface, lays, which: str = "zoom") -> None:
    """The magnified feet (or one hand): 'Front' / 'Back' over each view, 'Your right' / 'Your left'
    under each foot (under the hand)."""
    hand_side = which[len("zoom_hand_"):] if which.startswith("zoom_hand_") else None
    low = max(18, app.side_size * 2 // 3)
    for v, lay in lays.items():
        t = app.texts.surf(app.t(v), app.view_title_size, TEXT)
        surface.blit(t, t.get_rect(midbottom=(lay.left + lay.width / 2, lay.top - app.px(4))))
        for side in ("right", "left"):
            if hand_side is not None:
                if side != hand_side:
                    continue
                feet = [r.geometry.centroid.x for r in app.atlas.regions_in(v) if r.stem in ("palm", "back_of_hand")
                        and r.side == side]
            else:
                feet = [r.geometry.centroid.x for r in app.atlas.regions_in(v) if r.level == "foot" and r.side == side]
            x = float(lay.to_screen(sum(feet) / len(feet), 0)[0])
            half = int(lay.width / 2)
            r = pygame.Rect(0, int(lay.top + lay.height + app.px(6)), half, render.font(app.side_size).get_linesize())
            r.centerx = int(min(max(x, lay.left + half / 2), lay.left + lay.width - half / 2))
            app.side_labels[("zoom", v, side)] = app.texts.block(
                surface, app.t("your_right" if side == "right" else "your_left"), r, app.side_size, TEXT,
                max_lines=1, min_size=low)
