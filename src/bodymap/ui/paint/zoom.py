"""Zoom in the painting window: one view magnified (button, "+"/"-", mouse wheel, two-finger pinch).

`ZoomControls` is an owned part of `PaintScreen` (bodymap.ui.paint.screen). The zoom itself, None (both views
whole) or (view, atlas centre, factor), is kept by the window's `BodyCanvas` (ui/kit/canvas.py), which also
zooms keeping a body point under the pointer and pans; this part turns buttons, keys, the wheel and a pinch
into those calls, and remembers the fingers of a pinch and the body point last pointed at. It is given the
canvas, the window's relayout, the end of a stroke, the pointer's last position and how to call off a gesture.
The zoomed view is `render.view.zoom_layout`: the same atlas coordinates, so strokes still go through
`lay.to_atlas` and land on the same atlas points at every zoom; the patient's right stays on the viewer's
left on the front view.
"""
from __future__ import annotations

import math
from typing import Callable

from ..kit.canvas import BodyCanvas

WHEEL_STEP = 1.25

Pos = tuple[float, float]


class ZoomControls:
    """Zoom requests and pinch tracking (see the module)."""

    def __init__(self, canvas: BodyCanvas, relayout: Callable[[], None], end_stroke: Callable[[], None],
                 pointer_pos: Callable[[], Pos], call_off_gesture: Callable[[], None]):
        self.canvas = canvas
        self._relayout = relayout
        self._end_stroke = end_stroke
        self._pointer_pos = pointer_pos
        self._call_off = call_off_gesture
        self.pinch: dict | None = None  # {"d0", "f0", "view", "centre"} while two fingers zoom
        self.fingers: dict = {}  # finger id -> position, the fingers down
        self.body_point: tuple[str, Pos] | None = None  # (view, atlas point) last pointed at on the body

    @property
    def factor(self) -> float:
        return self.canvas.zoom_factor

    def zoom_to(self, view: str, centre: Pos, factor: float) -> None:
        """Show `view` magnified `factor` times around atlas point `centre` (factor <= 1: both views whole)."""
        self._end_stroke()
        self.canvas.zoom_to(view, centre, factor, self._relayout)

    def reset(self) -> None:
        if self.canvas.zoom is not None:
            self.zoom_to("front", (0.0, 0.0), 1.0)

    def zoom_by(self, factor: float, at: Pos | None = None) -> None:
        """Zoom in (factor > 1) or out around screen point `at` (default: the pointer when it is on a view,
        else where it last painted or pointed on a view, else the view's middle).

        The body point under `at` stays under it (issue 21: repeated "Zoom +" no longer drifts), and a
        point beside the body is first moved to the nearest point on the body, so a zoomed view never
        shows only the background."""
        canvas = self.canvas
        if at is None:
            last = self._pointer_pos()
            at = last if canvas.view_at(last) is not None else self.last_body_pos()
        view = canvas.view_at(at) if at is not None else None
        if canvas.zoom is not None:
            zview, centre, f = canvas.zoom
            if view != zview:  # the buttons or keys without a point on the view: its middle
                lay = canvas.layouts[zview]
                at = (lay.left + lay.width / 2, lay.top + lay.height / 2)
            self._zoom_keeping(zview, at, f * factor)
            return
        if factor <= 1.0:
            return
        if view is None:
            view = "front"
            lay = canvas.layouts[view]
            at = (lay.left + lay.width / 2, lay.top + lay.height / 2)
        self._zoom_keeping(view, at, factor)

    def _zoom_keeping(self, view: str, at: Pos, factor: float) -> None:
        self._end_stroke()
        self.canvas.zoom_keeping(view, at, factor, self._relayout)

    def last_body_pos(self) -> Pos | None:
        """The screen point of the last atlas point pointed at on a view, if it is still on screen."""
        seen, layouts = self.body_point, self.canvas.layouts
        if seen is None or seen[0] not in layouts:
            return None
        pos = tuple(float(c) for c in layouts[seen[0]].to_screen(*seen[1]))
        return pos if self.canvas.view_at(pos) == seen[0] else None

    def note_body_point(self, pos) -> None:
        """Remember where on the body the pointer was (atlas coordinates): the zoom buttons zoom there."""
        view = self.canvas.view_at(pos)
        if view is not None:
            self.body_point = (view, self.canvas.layouts[view].to_atlas(*pos))

    def pan(self, dx: float, dy: float) -> None:
        """Move a zoomed view by a share of its width / height (arrow keys)."""
        self._end_stroke()
        self.canvas.pan(dx, dy, self._relayout)

    def forget_fingers(self) -> None:
        """The window lost the focus: a finger lifted elsewhere must not start a pinch later."""
        self.fingers, self.pinch = {}, None

    # ------------------------------------------------------------------
    # two-finger pinch
    def pinch_pointer(self, p, dialog_open: bool) -> bool:
        """Track fingers; True when this pointer event belongs to a pinch (and must not paint or press)."""
        if not (isinstance(p.id, tuple) and p.id and p.id[0] == "finger"):
            return self.pinch is not None and p.phase != "move"
        fingers = self.fingers
        if p.phase == "down":
            fingers[p.id] = p.pos
            if len(fingers) == 2 and not dialog_open:
                self._start_pinch()
                return True
            return self.pinch is not None
        if p.phase == "move":
            if p.id in fingers:
                fingers[p.id] = p.pos
            if self.pinch is not None:
                self._move_pinch()
                return True
            return False
        fingers.pop(p.id, None)  # up
        if self.pinch is not None:
            if not fingers:
                self.pinch = None
            return True
        return False

    def _start_pinch(self) -> None:
        # the first finger's stroke ends where it is (Undo takes it back if it was only the pinch's start)
        self._end_stroke()
        self._call_off()
        canvas = self.canvas
        (a, b) = list(self.fingers.values())[:2]
        mid = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        view = canvas.zoom[0] if canvas.zoom is not None else canvas.view_at(mid)
        if view is None or view not in canvas.layouts:
            view = "front"
        centre = canvas.layouts[view].to_atlas(*mid) if view in canvas.layouts else (0.0, 0.0)
        self.pinch = {"d0": max(math.dist(a, b), 1.0), "f0": self.factor, "view": view, "centre": centre}

    def _move_pinch(self) -> None:
        pts = list(self.fingers.values())
        if len(pts) < 2:
            return
        pin = self.pinch
        factor = pin["f0"] * math.dist(pts[0], pts[1]) / pin["d0"]
        if abs(factor - self.factor) > 0.02:
            self.zoom_to(pin["view"], pin["centre"], max(factor, 1.0))
