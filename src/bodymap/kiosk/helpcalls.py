"""Calls for help from the kiosk's "Help" button: a staff notice and a log line, never patient data.

A call is open (the staff corner shows it) until staff have seen the staff
screen after the PIN (issue 20: it no longer disappears after 10 minutes when
nobody came). Every call is kept, for the staff
screen's count, while the kiosk runs; nothing about the session (code, answers,
painting) is recorded with it, only when and on which screen.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

log = logging.getLogger("bodymap.kiosk")

HELP_NOTICE_S = float("inf")  # an unanswered call shows in the staff corner until staff see the staff screen
HELP_WAIT_S = 300.0  # while a call is this recent, the session does not time out (the patient waits for staff)


@dataclass
class HelpCalls:
    clock: Callable[[], float] = time.monotonic
    calls: list[tuple[float, str]] = field(default_factory=list)  # (when, screen)
    seen_at: float | None = None  # when staff last saw the staff screen

    def call(self, screen: str, now: float | None = None) -> None:
        now = self.clock() if now is None else float(now)
        self.calls.append((now, screen))
        log.warning("a patient asked for help on the %s screen (help button; %d call(s) since the kiosk started)",
                    screen, len(self.calls))

    def open_calls(self, now: float | None = None) -> int:
        """Calls staff have not seen yet, and less than HELP_NOTICE_S old."""
        now = self.clock() if now is None else float(now)
        return sum(1 for t, _ in self.calls
                   if now - t < HELP_NOTICE_S and (self.seen_at is None or t > self.seen_at))

    def waiting(self, now: float | None = None) -> bool:
        """A call so recent that the patient is probably waiting for staff."""
        now = self.clock() if now is None else float(now)
        return bool(self.calls) and now - self.calls[-1][0] < HELP_WAIT_S and self.open_calls(now) > 0

    def minutes_since_last(self, now: float | None = None) -> int:
        now = self.clock() if now is None else float(now)
        return int((now - self.calls[-1][0]) // 60) if self.calls else 0

    def seen(self, now: float | None = None) -> None:
        self.seen_at = self.clock() if now is None else float(now)
