"""What a patient (or staff) can choose at any point of a kiosk session, as a part of `Kiosk` (issue 20).

"Start again" on the painting (a new drawing, no stroke log of the old one),
"Stop" (leave; a session with any red-flag answer is saved), and a staff PIN
typed on the keypad (the backoff is stored so that a restart keeps it). A mixin
of `bodymap.kiosk.flow.Kiosk`, kept apart so each stays small.
"""
from __future__ import annotations

import logging

from ..painting import RECORDED_AT_KIOSK, PainMap
from . import plan

log = logging.getLogger("bodymap.kiosk")


class PatientChoices:
    def stop(self) -> str:
        """The patient wants to leave ("Stop"): a session with any red-flag answer (or flag) is saved as it is
        and ends on the thanks (or red-flag) screen with its code; anything else is discarded (welcome)."""
        if self.session is None:
            return self.screen
        m = self.session.pain_map
        if any(k in m.answers for k in plan.red_flag_screen_keys() + plan.red_flag_follow_ups()) or self._flags(m):
            log.info("a patient stopped the session early; saved, as red-flag questions were answered")
            return self._finish()
        self.reset()
        return self.screen

    def new_drawing(self) -> PainMap:
        """"Start again" on the painting: a new drawing with no old strokes (nothing rubbed out is saved);
        the answers given so far stay."""
        self._need("paint")
        s = self.session
        old = s.pain_map
        m = PainMap(self.atlas)
        m.meta.update(old.meta)
        m.visit.recorded_by = RECORDED_AT_KIOSK
        m.answers.update(old.answers)
        m.extra_answers.update(old.extra_answers)
        m.intensity.update(old.intensity)
        s.pain_map = m
        self.touch()
        return m

    def check_pin(self, pin: str, now: float | None = None) -> bool:
        """A staff PIN typed on the keypad; the backoff is stored so that a restart keeps it."""
        ok = self.pin_guard.check(pin, self.config.pin_hash, now)
        self.staff.store_pin(self.pin_guard)
        return ok
