"""`TapTracker`: one pointer at a time, and what a tap is (ADR 0005, 0030).

A window owns one. The first pointer down owns the gesture until it lifts; any other pointer (a second
finger, the mouse while a finger is down) is ignored, unless the owner has not moved for `stale_s`
seconds (the kiosk: a release SDL lost must not leave the screen deaf to touches, `stale`). A tap activates the target it was pressed and
released on; a drag (`cancel`) or a release elsewhere activates nothing. Targets are whatever the
window hit-tests to (a button id, ("dialog", id), a panel row id).
"""
from __future__ import annotations

from typing import Any


class TapTracker:
    def __init__(self) -> None:
        self.pointer: Any = None  # the pointer id (bodymap.ui.pointer) that owns the gesture, or None
        self.pressed: Any = None  # the target under it when it came down, until a drag cancels it
        self.seen = 0.0  # when the owner last came down or moved (the clock the window passes)

    def stale(self, pid: Any, now: float, stale_s: float) -> bool:
        """Whether pointer `pid` coming down at `now` may take the gesture from the owner: the same pointer
        again, or an owner still for `stale_s` seconds (its release was probably lost)."""
        return self.pointer is None or pid == self.pointer or now - self.seen >= stale_s

    def moved(self, now: float) -> None:
        self.seen = now

    def down(self, pid: Any, now: float = 0.0) -> bool:
        """A pointer came down: True when it owns the gesture now (no other pointer does)."""
        if self.pointer is not None:
            return False
        self.pointer, self.pressed, self.seen = pid, None, now
        return True

    def owns(self, pid: Any) -> bool:
        return self.pointer is not None and pid == self.pointer

    def press(self, target: Any) -> None:
        """The target the owning pointer came down on (None: nothing to tap)."""
        self.pressed = target

    def cancel(self) -> None:
        """The gesture is a drag, not a tap: its release activates nothing."""
        self.pressed = None

    def up(self, pid: Any, target_now: Any) -> Any:
        """The owning pointer lifted over `target_now`: the target to activate (pressed and released on the
        same one), else None. Frees the gesture."""
        if not self.owns(pid):
            return None
        pressed = self.pressed
        self.release()
        return pressed if pressed is not None and target_now == pressed else None

    def release(self) -> None:
        """Forget the gesture (focus lost, a dialog opened, a pinch began)."""
        self.pointer, self.pressed = None, None


class Through:
    """A window attribute kept by one of its owned parts, so the code and tests that read the old name
    keep working: `pressed = Through("taps", "pressed")` reads and sets `self.taps.pressed`."""

    def __init__(self, part: str, name: str):
        self.part, self.name = part, name

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(getattr(obj, self.part), self.name)

    def __set__(self, obj, value) -> None:
        setattr(getattr(obj, self.part), self.name, value)
