"""The visit timeline in the review window: every map of the open map's patient identifier, in visit order.

`TimelineView` is a part the review window owns (`ReviewScreen.timeline_view`), given only the session
and the window's text cache: where the plot and the visit cards go, drawing them, and which card a tap
is on. The timeline's state (which visits, which are picked) is the review session's
(bodymap.review.session, from bodymap.timeline); the plot's arithmetic is timeline_draw.py.

"Timeline" (top bar) opens it for the open map's patient identifier. The centre
shows a small plot of extent and pain over the visits and a card per visit,
with what changed since the visit before; the information panel lists the
change per region for each step. Tapping two visit cards compares them, as
"Compare with…" does; "End comparison" comes back to the timeline.
"""
from __future__ import annotations

from pathlib import Path

import pygame

from ... import render
from ...review.patient import day_text
from ...review.session import ReviewSession
from ..kit import TextCache, wrap_text
from ..kit.desk_colours import BAR_LINE, BUTTON_BG, BUTTON_BORDER, MUTED, SELECT_BG, SELECT_BORDER, TEXT
from .panels import draw_red_flag_tag, tag_size, urgency_tag
from .timeline_draw import EXTENT_COLOUR, PAIN_COLOUR, _dashed, extent_top, plot_area, plot_points, visit_x

__all__ = ["TimelineView", "day_text"]


class TimelineView:
    """The centre of the review window in timeline mode: the title, the plot and the visit cards."""

    def __init__(self, session: ReviewSession, text: TextCache):
        self.session = session
        self.text = text
        self.cards: list[tuple[int, pygame.Rect]] = []  # (visit index, where its card is)
        self.hidden = 0  # older visits without a card (the plot shows them all)
        self.title_rect = self.plot_rect = pygame.Rect(0, 0, 0, 0)
        self.s, self.font_size, self.small_size = 1.0, 24, 20

    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    # -- where the cards go -------------------------------------------------
    def layout(self, c: pygame.Rect, s: float, font_size: int, small_size: int, btn_h: int) -> None:
        """The plot and the visit cards in `c` (newest at the bottom; older ones drop off when they do not
        fit, the plot always shows every visit)."""
        self.s, self.font_size, self.small_size = s, font_size, small_size
        pad = self.px(14)
        tl = self.session.timeline
        title_h = int(self.font_size * 1.6)
        self.title_rect = pygame.Rect(c.left + pad, c.top + pad, c.width - 2 * pad, title_h)
        plot_h = max(self.px(180), int(0.36 * c.height))
        self.plot_rect = pygame.Rect(c.left + pad, self.title_rect.bottom, c.width - 2 * pad, plot_h)
        top = self.plot_rect.bottom + self.px(14)
        small_lh = render.font(self.small_size).get_linesize()
        card_h = max(btn_h, 3 * small_lh + self.px(14))
        gap = self.px(8)
        fit = max(0, (c.bottom - pad - top) // (card_h + gap))
        n = len(tl.visits) if tl is not None else 0
        shown = list(range(max(0, n - fit), n))
        self.hidden = n - len(shown)
        self.cards = [(i, pygame.Rect(c.left + pad, top + k * (card_h + gap), c.width - 2 * pad, card_h))
                      for k, i in enumerate(shown)]

    def hit(self, pos) -> str | None:
        for i, r in self.cards:
            if r.collidepoint(pos):
                return f"visit:{i}"
        return None

    def key(self):
        """What the drawn picture depends on (the window redraws its centre when it changes)."""
        tl = self.session.timeline
        return None if tl is None else (id(tl), tuple(self.session.timeline_pick),
                                        tuple(Path(v.key).name for v in tl.visits))

    # -- drawing ---------------------------------------------------------------
    def draw(self, surf: pygame.Surface) -> None:
        tl = self.session.timeline
        if tl is None:
            return
        n = len(tl.visits)
        title = f"Patient {tl.patient_id}: {n} visit{'s' if n != 1 else ''}"
        if n:
            title += f", {day_text(tl.visits[0]).split(' ')[0]} to {day_text(tl.visits[-1]).split(' ')[0]}"
        r = self.title_rect
        line = (wrap_text(title, int(self.font_size * 1.15), r.width, max_lines=1) or [title])[0]
        surf.blit(self.text(line, int(self.font_size * 1.15), TEXT), r.topleft)
        self._draw_plot(surf)
        self._draw_cards(surf)

    def _draw_plot(self, surf: pygame.Surface) -> None:
        tl, rect, sz = self.session.timeline, self.plot_rect, self.small_size
        area = plot_area(rect, self.s)
        top = extent_top(tl)
        pygame.draw.rect(surf, (255, 255, 255), area)
        for k in range(3):  # grid: 0, half, top
            yy = area.bottom - area.height * k // 2
            pygame.draw.line(surf, BAR_LINE, (area.left, yy), (area.right, yy), 1)
            lt = self.text(f"{top * k / 2:g}%", sz, EXTENT_COLOUR)
            surf.blit(lt, lt.get_rect(midright=(area.left - self.px(6), yy)))
            rt = self.text(f"{5 * k}", sz, PAIN_COLOUR)
            surf.blit(rt, rt.get_rect(midleft=(area.right + self.px(6), yy)))
        pygame.draw.rect(surf, BUTTON_BORDER, area, 1)
        # legend above the plot
        x = area.left
        ly = rect.top + self.px(4)
        for label, col, square in (("Extent (% of body)", EXTENT_COLOUR, False), ("Pain now (0-10)", PAIN_COLOUR, True)):
            mid = (x + self.px(10), ly + self.px(12))
            self._marker(surf, mid, col, square)
            t = self.text(label, sz, TEXT)
            surf.blit(t, (x + self.px(24), ly + self.px(12) - t.get_height() // 2))
            x += self.px(24) + t.get_width() + self.px(28)
        pts = plot_points(tl, rect, self.s)
        xs = visit_x(tl, area)
        for i in self.session.timeline_pick:
            pygame.draw.line(surf, SELECT_BORDER, (xs[i], area.top), (xs[i], area.bottom), 3)
        ext = [pts["extent"][i] for i in sorted(pts["extent"])]
        pain = [pts["pain"][i] for i in sorted(pts["pain"])]
        if len(ext) > 1:
            pygame.draw.lines(surf, EXTENT_COLOUR, False, ext, max(2, self.px(3)))
        for a, b in zip(pain, pain[1:]):
            _dashed(surf, PAIN_COLOUR, a, b, max(2, self.px(3)), self.px(8))
        for p in ext:
            self._marker(surf, p, EXTENT_COLOUR, False)
        for p in pain:
            self._marker(surf, p, PAIN_COLOUR, True)
        # the days under the axis, as many as fit without overlapping
        last = -10 ** 6
        for i, v in enumerate(tl.visits):
            t = self.text(day_text(v).split(" ")[0], sz, MUTED)
            tr = t.get_rect(midtop=(xs[i], area.bottom + self.px(6)))
            tr.clamp_ip(pygame.Rect(rect.left, tr.top, rect.width, tr.height))
            if tr.left > last + self.px(8):
                surf.blit(t, tr)
                last = tr.right

    def _marker(self, surf: pygame.Surface, p, col, square: bool) -> None:
        r = max(5, self.px(7))
        if square:
            box = pygame.Rect(0, 0, 2 * r, 2 * r)
            box.center = p
            pygame.draw.rect(surf, col, box)
            pygame.draw.rect(surf, (255, 255, 255), box, 1)
        else:
            pygame.draw.circle(surf, col, p, r)
            pygame.draw.circle(surf, (255, 255, 255), p, r, 1)

    def _draw_cards(self, surf: pygame.Surface) -> None:
        tl, sz = self.session.timeline, self.small_size
        lh = render.font(sz).get_linesize()
        if self.hidden:
            c0 = self.cards[0][1] if self.cards else self.plot_rect
            t = self.text(f"{self.hidden} earlier visit{'s' if self.hidden != 1 else ''} in the "
                          "plot only (widen the window for their cards)", sz, MUTED)
            surf.blit(t, (c0.left, c0.top - lh - self.px(2)))
        for i, r in self.cards:
            v, e = tl.visits[i], self.session.visit_entry(i)
            picked = i in self.session.timeline_pick
            pygame.draw.rect(surf, SELECT_BG if picked else BUTTON_BG, r, border_radius=8)
            pygame.draw.rect(surf, SELECT_BORDER if picked else BUTTON_BORDER, r, width=3 if picked else 1,
                             border_radius=8)
            right = r.right - self.px(10)
            if e.red_flag:
                label = urgency_tag(e.urgency)
                tw, th = tag_size(sz, self.text, label)
                draw_red_flag_tag(surf, self.text, pygame.Rect(right - tw, r.top + self.px(6), tw, th), sz, label)
                right -= tw + self.px(8)
            pain = f"pain {v.pain}/10" if v.pain is not None else "pain not given"
            head = f"{day_text(v)}  ·  {v.session_code or e.path.name}"
            lines = [(head, TEXT), (f"Extent {v.extent:.1f}% of body, {pain}", TEXT)]
            if i > 0:
                ch = tl.changes[i - 1]
                lines.append((f"Since the visit before: {len(ch.new)} new, {len(ch.resolved)} resolved, "
                              f"{len(ch.persistent)} persistent region(s)" if ch.comparable else
                              "Since the visit before: drawn on another atlas", MUTED))
            else:
                lines.append(("First visit on the timeline", MUTED))
            y = r.top + self.px(7)
            for k, (txt, col) in enumerate(lines):
                width = (right if k == 0 else r.right - self.px(10)) - (r.left + self.px(12))
                fitted = (wrap_text(txt, sz, width, max_lines=1) or [txt])[0]
                surf.blit(self.text(fitted, sz, col), (r.left + self.px(12), y))
                y += lh
