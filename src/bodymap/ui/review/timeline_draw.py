"""Drawing the visit timeline: a small plot of extent and pain over the visits, and the visit cards.

A part of `ReviewScreen` (bodymap.ui.review.screen): the methods share its state.

The plot's two series read apart without colour: extent is a solid line with
round markers (left axis, % of the body), pain a dashed line with square
markers (right axis, 0-10). A visit without a pain score has no pain marker
(it is not drawn as 0).
"""
from __future__ import annotations

import math

import pygame

from ... import render
from ...timeline import Timeline
from ..widgets import BAR_LINE, BUTTON_BG, BUTTON_BORDER, MUTED, SELECT_BG, SELECT_BORDER, TEXT, wrap_text
from .panels import draw_red_flag_tag, tag_size, urgency_tag
from .timeline import day_text

EXTENT_COLOUR = (0, 114, 178)  # Okabe-Ito blue
PAIN_COLOUR = (213, 94, 0)  # Okabe-Ito vermilion


def extent_top(tl: Timeline) -> float:
    """The extent axis' top: the largest extent rounded up to 5 %, at least 5 %."""
    top = max((v.extent for v in tl.visits), default=0.0)
    return max(5.0, 5.0 * math.ceil(top / 5.0))


def plot_area(rect: pygame.Rect, s: float) -> pygame.Rect:
    """The inner area of the plot, inside its axes' labels and legend."""
    left, right = int(64 * s), int(48 * s)
    top, bottom = int(40 * s), int(34 * s)
    return pygame.Rect(rect.left + left, rect.top + top, max(1, rect.width - left - right),
                       max(1, rect.height - top - bottom))


def visit_x(tl: Timeline, area: pygame.Rect) -> list[int]:
    """x of each visit: by date where every visit has one and they span days, else evenly spaced."""
    n = len(tl.visits)
    if n == 1:
        return [area.centerx]
    days = [v.day for v in tl.visits]
    if all(d is not None for d in days) and days[0] != days[-1]:
        d0, span = days[0].toordinal(), days[-1].toordinal() - days[0].toordinal()
        return [area.left + int(round(area.width * (d.toordinal() - d0) / span)) for d in days]
    return [area.left + int(round(area.width * i / (n - 1))) for i in range(n)]


def plot_points(tl: Timeline, rect: pygame.Rect, s: float) -> dict[str, dict[int, tuple[int, int]]]:
    """{'extent': {visit index: (x, y)}, 'pain': {...}}: where each marker is drawn."""
    area = plot_area(rect, s)
    xs = visit_x(tl, area)
    top = extent_top(tl)

    def y(val: float, hi: float) -> int:
        return area.bottom - int(round(area.height * min(max(val / hi, 0.0), 1.0)))

    return {"extent": {i: (xs[i], y(v, top)) for i, v in tl.series("extent")},
            "pain": {i: (xs[i], y(v, 10.0)) for i, v in tl.series("pain")}}


def _dashed(surf: pygame.Surface, col, a, b, width: int, dash: int) -> None:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = max(1.0, math.hypot(dx, dy))
    k = 0.0
    while k < length:
        e = min(k + dash, length)
        pygame.draw.line(surf, col, (a[0] + dx * k / length, a[1] + dy * k / length),
                         (a[0] + dx * e / length, a[1] + dy * e / length), width)
        k += 2 * dash


class ReviewTimelineDraw:
    """The centre of the window in timeline mode."""

    def _draw_timeline(self, surf: pygame.Surface) -> None:
        tl = self.timeline
        if tl is None:
            return
        n = len(tl.visits)
        title = f"Patient {tl.patient_id}: {n} visit{'s' if n != 1 else ''}"
        if n:
            title += f", {day_text(tl.visits[0]).split(' ')[0]} to {day_text(tl.visits[-1]).split(' ')[0]}"
        r = self.timeline_title_rect
        line = (wrap_text(title, int(self.font_size * 1.15), r.width, max_lines=1) or [title])[0]
        surf.blit(self.text(line, int(self.font_size * 1.15), TEXT), r.topleft)
        self._draw_plot(surf)
        self._draw_cards(surf)

    def _draw_plot(self, surf: pygame.Surface) -> None:
        tl, rect, sz = self.timeline, self.plot_rect, self.small_size
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
        for i in self.timeline_pick:
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
        tl, sz = self.timeline, self.small_size
        lh = render.font(sz).get_linesize()
        if self.timeline_hidden:
            c0 = self.timeline_cards[0][1] if self.timeline_cards else self.plot_rect
            t = self.text(f"{self.timeline_hidden} earlier visit{'s' if self.timeline_hidden != 1 else ''} in the "
                          "plot only (widen the window for their cards)", sz, MUTED)
            surf.blit(t, (c0.left, c0.top - lh - self.px(2)))
        for i, r in self.timeline_cards:
            v, e = tl.visits[i], self.visit_entry(i)
            picked = i in self.timeline_pick
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
