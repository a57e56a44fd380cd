"""The kiosk's touch rules: the `Touch` part of `KioskApp`.

One finger at a time (a second does nothing, unless the first has been still so
long that its release was probably lost); a tap is a press and release on the
same button of the topmost layer (both rules: the kit's `TapTracker`); any tap on the "Still there?" warning means
yes; a long press in the staff corner opens the PIN pad (only if a PIN is set).
Pointer events arrive already translated by bodymap.ui.pointer.
"""
from __future__ import annotations

from typing import Any, Callable

from ..kit import KButton
from ..pointer import DOWN, MOVE, Pointer
from .context import ScreenContext
from .staff import LOCK_NOTICE_S

STALE_POINTER_S = 10.0  # a finger held still this long no longer blocks another one (its release may be lost)


class Touch:
    """A part of `KioskApp`: pointer events in, flow calls out. Owns a press in the staff corner (`hold`). It is
    given the screen context, the paint screen (strokes and tap-mode regions), the PIN pad, the staff screen,
    the staff marks (the "Locked" note), the assist part (whether the help note shows), and from the window
    `hit(pos)` (the button of the topmost layer there), `activate(button, now)`, `warning_visible(now)` and
    `guarded(now)`."""

    def __init__(self, ctx: ScreenContext, paint, pin_pad, staff_screen, marks, assist, *,
                 hit: Callable[[Any], KButton | None], activate: Callable[[KButton, float], None],
                 warning_visible: Callable[[float], bool], guarded: Callable[[float], bool]):
        self.ctx, self.paint, self.pin_pad, self.staff_screen = ctx, paint, pin_pad, staff_screen
        self.marks, self.assist = marks, assist
        self.hit, self.activate, self.warning_visible, self.guarded = hit, activate, warning_visible, guarded
        self.hold: tuple[Any, float] | None = None  # (pointer, since): a press in the staff corner

    def handle_pointer(self, p: Pointer) -> None:
        if p.phase == DOWN:
            self._down(p.pos, p.id)
        elif p.phase == MOVE:
            self._move(p.pos, p.id)
        else:
            self._up(p.pos, p.id)

    def update(self, now: float) -> None:
        if self.hold is not None and now - self.hold[1] >= self.ctx.config.exit_hold_s:
            self._hold_done(now)

    def _down(self, pos, pid) -> None:
        ctx = self.ctx
        taps, pin_pad, staff = ctx.taps, self.pin_pad, self.staff_screen
        now = ctx.clock()
        ctx.sync(now)
        if taps.pointer is not None:  # the kit's one-pointer rule (ui/kit/tap.py)
            if not taps.stale(pid, now, STALE_POINTER_S):
                return  # a second finger does nothing
            self.release()  # its release was lost (or it came down again): do not stay deaf to touches
        taps.down(pid, now)
        if ctx.geo.corner.collidepoint(pos) and pin_pad.pad is None:
            self.hold = (pid, now)
        if pin_pad.pad is not None or staff.since is not None:
            if pin_pad.pad is not None:
                pin_pad.pad.last_input = now
            else:
                staff.since = now
            taps.pressed = self._hit_id(pos)
            ctx.kiosk.touch()
            return
        if self.warning_visible(now):
            taps.pressed = "still_here"  # any tap on the "still there?" screen means yes
            return
        ctx.kiosk.touch()
        if self.guarded(now):  # the screen changed a moment ago: this touch was meant for the one before
            return
        hit = self._hit_id(pos)
        if hit is not None:
            taps.pressed = hit
            return
        if ctx.state.dialog is None and not self.assist.help_open and ctx.kiosk.screen == "paint":
            paint = self.paint
            view = paint.view_at(pos)
            if view is not None and getattr(ctx.config, "tap_regions", False):
                paint.regions.begin(view, pos)  # "tap the parts that hurt" (ui/kiosk/tapregions.py)
            elif view is not None:
                paint.begin_stroke(view, pos)

    def _move(self, pos, pid) -> None:
        ctx = self.ctx
        if self.hold is not None and self.hold[0] == pid and not ctx.geo.corner.collidepoint(pos):
            self.hold = None
        if not ctx.taps.owns(pid):
            return
        ctx.taps.moved(ctx.clock())
        paint = self.paint
        if paint.stroke is not None:
            ctx.kiosk.touch()
            paint.extend_stroke(pos)
        elif paint.regions.active:
            ctx.kiosk.touch()
            paint.regions.extend(pos)

    def _up(self, pos, pid) -> None:
        ctx = self.ctx
        now = ctx.clock()
        if self.hold is not None and self.hold[0] == pid:
            if now - self.hold[1] >= ctx.config.exit_hold_s:
                self._hold_done(now)
            self.hold = None
        if not ctx.taps.owns(pid):
            return
        paint = self.paint
        if paint.stroke is not None:
            paint.extend_stroke(pos)
            paint.end_stroke()
        elif paint.regions.active:
            paint.regions.extend(pos)
            paint.regions.end()
        hit = self.hit(pos)
        if ctx.taps.pressed == "still_here":
            ctx.taps.release()
            ctx.kiosk.touch()
        elif ctx.taps.up(pid, hit.id if hit is not None else None) is not None:
            self.activate(hit, now)  # pressed and released on the same button
        ctx.sync(now)

    def release(self) -> None:
        """Let go of everything held: the stroke or tap-mode touch, the pointer, the staff press."""
        self.paint.end_stroke()
        self.paint.regions.end()
        self.ctx.taps.release()
        self.hold = None

    def _hold_done(self, now: float) -> None:
        """The staff press lasted long enough: cancel what it was doing; open the PIN pad if a PIN is set."""
        self.hold = None
        ctx = self.ctx
        if self.pin_pad.pad is not None or self.staff_screen.since is not None or not ctx.config.pin_hash:
            return  # no PIN configured: the gesture does nothing (the welcome screen's staff line says so)
        if ctx.kiosk.pin_guard.locked(now):
            self.marks.lock_notice_until = now + LOCK_NOTICE_S  # the staff corner says for how long
            return
        self.paint.end_stroke()
        self.paint.regions.end()
        ctx.taps.pressed = None  # the finger stays down; its release does nothing
        self.pin_pad.open(now)

    def _hit_id(self, pos) -> Any:
        b = self.hit(pos)
        return None if b is None else b.id
