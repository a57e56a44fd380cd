"""Zoom in the painting window: one view magnified (button, "+"/"-", mouse wheel, two-finger pinch).

A part of `PaintScreen` (bodymap.ui.paint.screen): the methods share its state.

`self.zoom` is None (both views whole) or (view, atlas centre, factor), kept by the window's
`BodyCanvas` (ui/kit/canvas.py), which also zooms keeping a body point under the pointer and pans;
this part turns buttons, keys, the wheel and a pinch into those calls. The zoomed view is `render.view.zoom_layout`: the same atlas coordinates, so strokes still go
through `lay.to_atlas` and land on the same atlas points at every zoom; the patient's
right stays on the viewer's left on the front view.
"""
from __future__ import annotations

import math

WHEEL_STEP = 1.25


class PaintZoom:
    """Zoom state and pinch tracking."""

    _pinch: dict | None = None
    _fingers: dict | None = None

    @property
    def zoom_factor(self) -> float:
        return self.canvas.zoom_factor

    def zoom_to(self, view: str, centre: tuple[float, float], factor: float) -> None:
        """Show `view` magnified `factor` times around atlas point `centre` (factor <= 1: both views whole)."""
        self._end_stroke()
        self.canvas.zoom_to(view, centre, factor, self._layout)

    def zoom_reset(self) -> None:
        if self.zoom is not None:
            self.zoom_to("front", (0.0, 0.0), 1.0)

    def zoom_by(self, factor: float, at: tuple[float, float] | None = None) -> None:
        """Zoom in (factor > 1) or out around screen point `at` (default: the pointer when it is on a view,
        else where it last painted or pointed on a view, else the view's middle).

        The body point under `at` stays under it (issue 21: repeated "Zoom +" no longer drifts), and a
        point beside the body is first moved to the nearest point on the body, so a zoomed view never
        shows only the background."""
        if at is None:
            at = self._last_pos if self.view_at(self._last_pos) is not None else self._last_body_pos()
        view = self.view_at(at) if at is not None else None
        if self.zoom is not None:
            zview, centre, f = self.zoom
            if view != zview:  # the buttons or keys without a point on the view: its middle
                lay = self.layouts[zview]
                at = (lay.left + lay.width / 2, lay.top + lay.height / 2)
            self._zoom_keeping(zview, at, f * factor)
            return
        if factor <= 1.0:
            return
        if view is None:
            view = "front"
            lay = self.layouts[view]
            at = (lay.left + lay.width / 2, lay.top + lay.height / 2)
        self._zoom_keeping(view, at, factor)

    def _zoom_keeping(self, view: str, at: tuple[float, float], factor: float) -> None:
        self._end_stroke()
        self.canvas.zoom_keeping(view, at, factor, self._layout)

    def nearest_on_body(self, view: str, point: tuple[float, float]) -> tuple[float, float]:
        return self.canvas.nearest_on_body(view, point)

    def _last_body_pos(self) -> tuple[float, float] | None:
        """The screen point of the last atlas point pointed at on a view, if it is still on screen."""
        seen = getattr(self, "_body_point", None)
        if seen is None or seen[0] not in self.layouts:
            return None
        pos = tuple(float(c) for c in self.layouts[seen[0]].to_screen(*seen[1]))
        return pos if self.view_at(pos) == seen[0] else None

    def note_body_point(self, pos) -> None:
        """Remember where on the body the pointer was (atlas coordinates): the zoom buttons zoom there."""
        view = self.view_at(pos)
        if view is not None:
            self._body_point = (view, self.layouts[view].to_atlas(*pos))

    def pan(self, dx: float, dy: float) -> None:
        """Move a zoomed view by a share of its width / height (arrow keys)."""
        self._end_stroke()
        self.canvas.pan(dx, dy, self._layout)

    def zoomed_layouts(self, area, atlas_layouts):
        return self.canvas.zoomed_layouts(area, atlas_layouts)

    # ------------------------------------------------------------------
    # two-finger pinch
    def pinch_pointer(self, p) -> bool:
        """Track fingers; True when this pointer event belongs to a pinch (and must not paint or press)."""
        if not (isinstance(p.id, tuple) and p.id and p.id[0] == "finger"):
            return self._pinch is not None and p.phase != "move"
        fingers = self._fingers if self._fingers is not None else {}
        self._fingers = fingers
        if p.phase == "down":
            fingers[p.id] = p.pos
            if len(fingers) == 2 and self.dialog is None:
                self._start_pinch()
                return True
            return self._pinch is not None
        if p.phase == "move":
            if p.id in fingers:
                fingers[p.id] = p.pos
            if self._pinch is not None:
                self._move_pinch()
                return True
            return False
        fingers.pop(p.id, None)  # up
        if self._pinch is not None:
            if not fingers:
                self._pinch = None
            return True
        return False

    def _start_pinch(self) -> None:
        # the first finger's stroke ends where it is (Undo takes it back if it was only the pinch's start)
        self._end_stroke()
        self._dragging_slider = False
        self.taps.release()
        self.panel.scroller.drag_end()
        (a, b) = list(self._fingers.values())[:2]
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        view = self.zoom[0] if self.zoom is not None else self.view_at(mid)
        if view is None or view not in self.layouts:
            view = "front"
        centre = self.layouts[view].to_atlas(*mid) if view in self.layouts else (0.0, 0.0)
        self._pinch = {"d0": max(math.dist(a, b), 1.0), "f0": self.zoom_factor, "view": view, "centre": centre}

    def _move_pinch(self) -> None:
        pts = list(self._fingers.values())
        if len(pts) < 2:
            return
        pin = self._pinch
        factor = pin["f0"] * math.dist(pts[0], pts[1]) / pin["d0"]
        if abs(factor - self.zoom_factor) > 0.02:
            self.zoom_to(pin["view"], pin["centre"], max(factor, 1.0))
