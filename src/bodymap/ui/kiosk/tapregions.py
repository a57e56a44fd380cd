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

from ...kiosk.actions import regions_crossed

FULL_SHARE = 0.99  # as the painting window's Regions tool
TAP_SLOP = 24  # px at 1080p: a touch that moves less than this is a tap, not a drag (nor, colouring, a stroke)


def region_under(app, view: str, pos) -> str | None:
    """The region id under a screen position of the paint screen's `view`, or None off the body."""
    found = regions_along(app, view, pos, pos)
    return found[0] if found else None


def regions_along(app, view: str, a, b) -> list[str]:
    """The region ids of `view` under the screen segment from `a` to `b`, in the order the finger meets
    them (`kiosk.actions.regions_crossed`, the rule the action count uses)."""
    m = app.pain_map
    if m is None:
        return []
    lay = app.canvas.layouts[view]
    return regions_crossed(app.atlas, m.raster, view, [lay.to_atlas(a[0], a[1]), lay.to_atlas(b[0], b[1])])


class RegionGesture:
    """One touch in tap mode, from down to up: a tap fills (or clears) the region under it, a drag fills
    (with "Rub out": clears) every region the finger crosses, on the view it began on."""

    def __init__(self, app):
        self.app = app
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
        app = self.app
        m = app.pain_map
        if m is None:
            return
        self.view, self._start, self._last, self._moved = view, tuple(pos), tuple(pos), False
        self._log, self._done = len(m.strokes), set()
        self._first = region_under(app, view, pos)
        self._defer_clear = False
        if self._first is None:
            return
        if not app.eraser and self._full(self._first):
            self._defer_clear = True  # a tap on it clears it (at the release), a drag through it keeps it
            self._done.add(self._first)
        else:
            self._apply(self._first)

    def extend(self, pos) -> None:
        if self.view is None:
            return
        app = self.app
        if not self._moved and math.dist(pos, self._start) > app.px(TAP_SLOP):
            self._moved = True
            self._defer_clear = False
        if self._moved:
            for rid in regions_along(app, self.view, self._last, pos):
                if rid not in self._done:
                    self._apply(rid)
        self._last = tuple(pos)

    def end(self) -> None:
        """The finger lifted (or the touch was lost): a tap on a full region clears it; Undo will take
        back everything this touch changed at once."""
        if self.view is None:
            return
        app = self.app
        m = app.pain_map
        if self._defer_clear and not self._moved and self._first is not None:
            m.clear_region(self._first)
            app.canvas.refresh()
        self.view = None
        app.scenes.scenes["paint"].did(len(m.strokes) - self._log)

    def drop(self) -> None:
        """The map went (the session ended): forget the touch."""
        self.view = None

    def _full(self, rid: str) -> bool:
        return self.app.pain_map.region_coverage(self.app.sensation).get(rid, 0.0) >= FULL_SHARE

    def _apply(self, rid: str) -> None:
        """Fill `rid` with the chosen sensation; with "Rub out" chosen, or a tap on a full region, clear it."""
        app = self.app
        m = app.pain_map
        self._done.add(rid)
        if app.eraser:
            m.clear_region(rid)
        elif not self._full(rid):
            m.paint_region(rid, 1.0, app.sensation)
        else:
            return
        app.canvas.refresh()

