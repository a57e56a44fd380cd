"""The kiosk's optional "tap the parts that hurt" mode (issue 24), for clinics that prefer
CHOIR-style input to colouring.

Chosen in the kiosk config (`tap_regions: true`; default false, docs/kiosk.md). A tap on
the body fills the whole region under the finger with the chosen sensation; a tap on a
region already filled with it (or with "Rub out" chosen) clears it. A drag fills every
region the finger crosses (with "Rub out", clears them): one action, as a stroke is when
colouring, so a typical session costs no more actions than colouring (ADR 0035). Undo takes
a drag back whole. The atlas regions are the same as the painting window's Regions tool
(ui/paint/regions.py); the screen outlines them (`render.body.draw_over`, `outlines`).
"""
from __future__ import annotations

import math
from typing import Callable

from ...kiosk.actions import regions_crossed

FULL_SHARE = 0.99  # as the painting window's Regions tool
TAP_SLOP = 24  # px at 1080p: a touch that moves less than this is a tap, not a drag (nor, colouring, a stroke)


def region_under(ctx, view: str, pos) -> str | None:
    """The region id under a screen position of the paint screen's `view`, or None off the body."""
    found = regions_along(ctx, view, pos, pos)
    return found[0] if found else None


def regions_along(ctx, view: str, a, b) -> list[str]:
    """The region ids of `view` under the screen segment from `a` to `b`, in the order the finger meets
    them (`kiosk.actions.regions_crossed`, the rule the action count uses)."""
    m = ctx.state.pain_map
    if m is None:
        return []
    lay = ctx.views.canvas.layouts[view]
    return regions_crossed(ctx.atlas, m.raster, view, [lay.to_atlas(a[0], a[1]), lay.to_atlas(b[0], b[1])])


class RegionGesture:
    """One touch in tap mode, from down to up: a tap fills (or clears) the region under it, a drag fills
    (with "Rub out": clears) every region the finger crosses, on the view it began on."""

    def __init__(self, ctx, did: Callable[[int], None]):
        self.ctx = ctx
        self.did = did  # the paint screen's: a patient action made this many undo steps (Undo takes them together)
        self.view: str | None = None  # the view the touch began on; None: no touch
        self._start = self._last = (0.0, 0.0)
        self._moved = False
        self._first: str | None = None  # the region it came down on
        self._defer_clear = False  # it came down on a full region: a tap clears it, a drag keeps it
        self._done: set[str] = set()
        self._log = 0

    @property
    def active(self) -> bool:
        return self.view is not None

    def begin(self, view: str, pos) -> None:
        ctx = self.ctx
        m = ctx.state.pain_map
        if m is None:
            return
        self.view, self._start, self._last, self._moved = view, tuple(pos), tuple(pos), False
        self._log, self._done = len(m.strokes), set()
        self._first = region_under(ctx, view, pos)
        self._defer_clear = False
        if self._first is None:
            return
        if not ctx.state.eraser and self._full(self._first):
            self._defer_clear = True  # a tap on it clears it (at the release), a drag through it keeps it
            self._done.add(self._first)
        else:
            self._apply(self._first)

    def extend(self, pos) -> None:
        if self.view is None:
            return
        ctx = self.ctx
        g = ctx.geo
        if not self._moved and math.dist(pos, self._start) > g.px(TAP_SLOP):
            self._moved = True
            self._defer_clear = False
        if self._moved:
            for rid in regions_along(ctx, self.view, self._last, pos):
                if rid not in self._done:
                    self._apply(rid)
        self._last = tuple(pos)

    def end(self) -> None:
        """The finger lifted (or the touch was lost): a tap on a full region clears it; Undo will take
        back everything this touch changed at once."""
        if self.view is None:
            return
        ctx = self.ctx
        m = ctx.state.pain_map
        if self._defer_clear and not self._moved and self._first is not None:
            m.clear_region(self._first)
            ctx.views.canvas.refresh()
        self.view = None
        self.did(len(m.strokes) - self._log)

    def drop(self) -> None:
        """The map went (the session ended): forget the touch."""
        self.view = None

    def _full(self, rid: str) -> bool:
        return self.ctx.state.pain_map.region_coverage(self.ctx.state.sensation).get(rid, 0.0) >= FULL_SHARE

    def _apply(self, rid: str) -> None:
        """Fill `rid` with the chosen sensation; with "Rub out" chosen, or a tap on a full region, clear it."""
        ctx = self.ctx
        m = ctx.state.pain_map
        self._done.add(rid)
        if ctx.state.eraser:
            m.clear_region(rid)
        elif not self._full(rid):
            m.paint_region(rid, 1.0, ctx.state.sensation)
        else:
            return
        ctx.views.canvas.refresh()

