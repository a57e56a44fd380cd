"""The kiosk's touch rules, as a part of `KioskApp`.

One finger at a time (a second does nothing, unless the first has been still so
long that its release was probably lost); a tap is a press and release on the
same button of the topmost layer (both rules: the kit's `TapTracker`); any tap on the "Still there?" warning means
yes; a long press in the staff corner opens the PIN pad (only if a PIN is set).
Pointer events arrive already translated by bodymap.ui.pointer.
"""
from __future__ import annotations

from typing import Any

import pygame

from ..kit import KButton
from ..pointer import DOWN, MOVE, Pointer, pointer_event
from .pin import PinPad
from .staff import LOCK_NOTICE_S

STALE_POINTER_S = 10.0  # a finger held still this long no longer blocks another one (its release may be lost)


class KioskTouch:
    """A part of `KioskApp`: events in, flow calls out."""

    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        p = pointer_event(event, self.size)
        if p is not None:
            self.handle_pointer(p)
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t == pygame.WINDOWFOCUSLOST:
            self._release()
        # everything else (QUIT, WINDOWCLOSE, every key: Esc, Alt+F4, Ctrl+Q ...) does nothing on purpose

    def handle_pointer(self, p: Pointer) -> None:
        if p.phase == DOWN:
            self._down(p.pos, p.id)
        elif p.phase == MOVE:
            self._move(p.pos, p.id)
        else:
            self._up(p.pos, p.id)

    def _down(self, pos, pid) -> None:
        now = self.clock()
        self._sync(now)
        if self.taps.pointer is not None:  # the kit's one-pointer rule (ui/kit/tap.py)
            if not self.taps.stale(pid, now, STALE_POINTER_S):
                return  # a second finger does nothing
            self._release()  # its release was lost (or it came down again): do not stay deaf to touches
        self.taps.down(pid, now)
        if self.corner.collidepoint(pos) and self.pin is None:
            self._hold = (pid, now)
        if self.pin is not None or self.staff_since is not None:
            if self.pin is not None:
                self.pin.last_input = now
            else:
                self.staff_since = now
            self.pressed = self._hit_id(pos)
            self.kiosk.touch()
            return
        if self.warning_visible(now):
            self.pressed = "still_here"  # any tap on the "still there?" screen means yes
            return
        self.kiosk.touch()
        if self.guarded(now):  # the screen changed a moment ago: this touch was meant for the one before
            return
        hit = self._hit_id(pos)
        if hit is not None:
            self.pressed = hit
            return
        if self.dialog is None and not self.help_open and self.kiosk.screen == "paint":
            paint = self.scenes.scenes["paint"]
            view = paint.view_at(pos)
            if view is not None and getattr(self.config, "tap_regions", False):
                paint.regions.begin(view, pos)  # "tap the parts that hurt" (ui/kiosk/tapregions.py)
            elif view is not None:
                paint.begin_stroke(view, pos)

    def _move(self, pos, pid) -> None:
        if self._hold is not None and self._hold[0] == pid and not self.corner.collidepoint(pos):
            self._hold = None
        if not self.taps.owns(pid):
            return
        self.taps.moved(self.clock())
        paint = self.scenes.scenes["paint"]
        if paint.stroke is not None:
            self.kiosk.touch()
            paint.extend_stroke(pos)
        elif paint.regions.active:
            self.kiosk.touch()
            paint.regions.extend(pos)

    def _up(self, pos, pid) -> None:
        now = self.clock()
        if self._hold is not None and self._hold[0] == pid:
            if now - self._hold[1] >= self.config.exit_hold_s:
                self._hold_done(now)
            self._hold = None
        if not self.taps.owns(pid):
            return
        paint = self.scenes.scenes["paint"]
        if paint.stroke is not None:
            paint.extend_stroke(pos)
            paint.end_stroke()
        elif paint.regions.active:
            paint.regions.extend(pos)
            paint.regions.end()
        hit = self._hit(pos)
        if self.taps.pressed == "still_here":
            self.taps.release()
            self.kiosk.touch()
        elif self.taps.up(pid, hit.id if hit is not None else None) is not None:
            self.activate(hit, now)  # pressed and released on the same button
        self._sync(now)

    def _release(self) -> None:
        self.scenes.scenes["paint"].end_stroke()
        self.scenes.scenes["paint"].regions.end()
        self.taps.release()
        self._hold = None

    def _hold_done(self, now: float) -> None:
        """The staff press lasted long enough: cancel what it was doing; open the PIN pad if a PIN is set."""
        self._hold = None
        if self.pin is not None or self.staff_since is not None or not self.config.pin_hash:
            return  # no PIN configured: the gesture does nothing (the welcome screen's staff line says so)
        if self.kiosk.pin_guard.locked(now):
            self.lock_notice_until = now + LOCK_NOTICE_S  # the staff corner says for how long
            return
        self.scenes.scenes["paint"].end_stroke()
        self.scenes.scenes["paint"].regions.end()
        self.pressed = None  # the finger stays down; its release does nothing
        self.pin = PinPad(now, now)

    def _hit(self, pos) -> KButton | None:
        for b in self.buttons().values():
            if b.enabled and b.rect.collidepoint(pos):
                return b
        return None

    def _hit_id(self, pos) -> Any:
        b = self._hit(pos)
        return None if b is None else b.id
