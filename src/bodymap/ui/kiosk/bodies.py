"""The two body views as the paint and review screens show them: silhouettes, titles and side labels."""
from __future__ import annotations

import dataclasses

import pygame

from ... import render
from ...atlas import viewer_sign
from ...render import body
from ..kit.kiosk_colours import BG, DIVIDER, TEXT


def body_background(app, which: str) -> pygame.Surface:
    """The silhouettes with their titles and side labels (cached per size and language).

    `which`: "paint", "review" or "zoom" (the paint screen's feet, bigger). What the cached picture
    shows is added to `app.texts.frame` each time it is used.
    """
    key = (which, app.size, app.lang)
    bg = app.bg_cache.get(key)
    if bg is not None:
        app.texts.frame.extend(app.bg_texts.get(key, ()))
        return bg
    first = len(app.texts.frame)
    bg = pygame.Surface(app.size)
    bg.fill(BG)
    lays = (app.zoom_layouts if which.startswith("zoom") else
            {"paint": app.paint_layouts}.get(which, app.review_layouts))
    for v, lay in lays.items():
        sub, sub_lay = in_window(bg, lay)
        body.draw_under(sub, app.atlas, sub_lay, outline_width=max(2, app.px(3)))
        if which == "zoom":  # the feet, bigger: toes, ankle bones and sole to aim by
            draw_foot_landmarks(app, sub, sub_lay, v)
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


LANDMARK = (150, 132, 118)  # a quiet line, darker than the skin, lighter than the outline
FOOT_LANDMARK_REGIONS = ("big_toe", "lesser_toes", "dorsum_foot", "lateral_foot", "heel", "sole", "back_of_ankle")
ANKLE_Y = 6.93  # head heights: the ankle bones (malleoli), just above where the foot regions begin


def draw_foot_landmarks(app, surface: pygame.Surface, lay: render.ViewLayout, view: str) -> None:
    """Quiet lines on the magnified feet: each toe, the top of the foot and its outer edge, the heel and
    the sole (the atlas's own foot regions), and a small circle on each side of each ankle."""
    import shapely

    width = max(1, app.px(2))
    for r in app.atlas.regions_in(view):
        if r.stem in FOOT_LANDMARK_REGIONS:
            render.draw_geometry(surface, lay, r.geometry, line=LANDMARK, width=width, aa=True)
        if r.stem == "lesser_toes":  # four small toes: three short lines from the tips up
            x0, y0, x1, y1 = r.geometry.bounds
            for k in (1, 2, 3):
                x = x0 + (x1 - x0) * k / 4
                a = lay.to_screen(x, y1 - 0.01)
                b = lay.to_screen(x, y1 - (y1 - y0) * 0.45)
                pygame.draw.line(surface, LANDMARK, (float(a[0]), float(a[1])), (float(b[0]), float(b[1])), width)
    line = shapely.LineString([(-3, ANKLE_Y), (3, ANKLE_Y)]).intersection(app.atlas.silhouette(view))
    parts = getattr(line, "geoms", [line])
    radius = max(3, int(0.04 * lay.scale))
    for seg in parts:
        if seg.is_empty or seg.length < 0.1:
            continue
        (xa, _), (xb, _) = seg.coords[0], seg.coords[-1]
        for x in (min(xa, xb) + 0.07, max(xa, xb) - 0.07):
            c = lay.to_screen(x, ANKLE_Y)
            pygame.draw.circle(surface, LANDMARK, (int(c[0]), int(c[1])), radius, width)


def in_window(surface: pygame.Surface, lay: render.ViewLayout) -> tuple[pygame.Surface, render.ViewLayout]:
    """The part of `surface` a view owns and the layout to draw in it: a magnified view shows only its
    window of the body (the smooth outline writes pixels directly, so a clip rectangle would not hold it)."""
    r = lay.rect.clip(surface.get_rect())
    return surface.subsurface(r), dataclasses.replace(lay, left=lay.left - r.left, top=lay.top - r.top)


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
