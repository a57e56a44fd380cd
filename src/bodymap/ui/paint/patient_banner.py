"""The patient banner of the painting window: one line under the top bar naming the patient, the visit date,
the recorder and the file (issue 21), always in view. A red-flag banner, where one is shown, is a line of its
own, under this one (ui/paint/banner.py); the two combine.

A part of `PaintScreen` (bodymap.ui.paint.screen): the methods share its state.
"""
from __future__ import annotations

import pygame

from ..kit.desk_colours import BAR_LINE, TEXT

PATIENT_BG = (226, 233, 240)  # a cool light grey-blue, apart from the warm bars


class PaintPatientBanner:
    """The patient banner: its text and its drawing."""

    @property
    def patient_text(self) -> str:
        """The patient banner: identifier, visit date (and recorder), the file; "no patient identifier" when none."""
        v = self.pain_map.visit
        parts = [f"Patient {v.patient_id}" if v.patient_id else "No patient identifier (Visit... sets it)",
                 f"Visit {v.visit_date}" if v.visit_date else "No visit date"]
        if v.recorded_by:
            parts.append(f"Recorded by {v.recorded_by}")
        parts.append((self.path.name if self.path is not None else "not saved yet") + (" (unsaved)" if self.dirty
                                                                                     else ""))
        return "   |   ".join(parts)

    def draw_patient_banner(self, surface) -> None:
        """One line of its own under the top bar (a red-flag banner, where shown, is another)."""
        r = self.patient_rect
        pygame.draw.rect(surface, PATIENT_BG, r)
        pygame.draw.line(surface, BAR_LINE, (r.left, r.bottom - 1), (r.right, r.bottom - 1))
        fs = self.patient_font_size
        text = self.patient_text
        while text and self.text.width(text, fs) > r.width - self.px(24):
            text = text[:-2] + "…" if len(text) > 2 else ""
        t = self.text(text, fs, TEXT)
        surface.blit(t, t.get_rect(midleft=(r.left + self.px(12), r.centery)))
