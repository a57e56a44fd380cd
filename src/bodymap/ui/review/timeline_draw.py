"""Drawing the visit timeline: a small plot of extent and pain over the visits, and the visit cards.

The timeline's part (`timeline.TimelineView`) draws with these functions.

The plot's two series read apart without colour: extent is a solid line with
round markers (left axis, % of the body), pain a dashed line with square
markers (right axis, 0-10). A visit without a pain score has no pain marker
(it is not drawn as 0).
"""
from __future__ import annotations

import math

import pygame

from ...timeline import Timeline

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
