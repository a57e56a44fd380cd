"""`ScrollList`: a list of rows scrolled under a fixed top (the clinician panel's red flags stay put).

It holds the offset and its bounds, scrolls by the wheel or to a row, turns a finger drag into a
scroll (past `slop` pixels a press is a drag, not a tap), and draws the scroll hint. The rows and
their drawing belong to the owner.
"""
from __future__ import annotations

import pygame


class ScrollList:
    def __init__(self) -> None:
        self.offset = 0
        self.height = 0  # the list's height on screen, the fixed top included
        self.fixed_h = 0  # the top that never scrolls
        self.content_h = 0  # everything, the fixed top included
        self._drag: tuple[float, int] | None = None

    @property
    def visible(self) -> int:
        return self.height - self.fixed_h

    def clamp(self) -> None:
        self.offset = int(min(max(self.offset, 0), max(0, self.content_h - self.fixed_h - self.visible)))

    def scroll_to(self, y: int) -> bool:
        """Scroll to offset `y` (kept in bounds). True when the offset changed."""
        before = self.offset
        self.offset = int(y)
        self.clamp()
        return self.offset != before

    def into_view(self, top: int, bottom: int) -> bool:
        """Scroll so that content rows `top`..`bottom` (content coordinates) show under the fixed top."""
        if top - self.offset < self.fixed_h:
            return self.scroll_to(top - self.fixed_h)
        if bottom - self.offset > self.fixed_h + self.visible:
            return self.scroll_to(bottom - self.fixed_h - self.visible)
        return False

    # -- a finger drag --------------------------------------------------
    def drag_start(self, y: float) -> None:
        self._drag = (y, self.offset)

    def drag_move(self, y: float, slop: int) -> bool:
        """The finger moved to `y`: True once it is a drag (it then scrolls; a tap is off)."""
        if self._drag is None:
            return False
        y0, offset0 = self._drag
        if abs(y - y0) <= slop:
            return False
        self.scroll_to(offset0 - int(y - y0))
        return True

    def drag_end(self) -> None:
        self._drag = None

    @property
    def dragging(self) -> bool:
        return self._drag is not None

    # -- drawing --------------------------------------------------------
    def draw_hint(self, surf: pygame.Surface, width: int, colour) -> None:
        """A thin bar at the right edge when the list is longer than its room."""
        total, vis = self.content_h - self.fixed_h, self.visible
        if total <= vis:
            return
        bar = max(20, int(vis * vis / total))
        y = self.fixed_h + int((vis - bar) * self.offset / max(total - vis, 1))
        pygame.draw.rect(surf, colour, (width - 6, y, 4, bar), border_radius=2)
