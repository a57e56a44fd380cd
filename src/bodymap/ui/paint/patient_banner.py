"""The patient banner of the painting window: one line under the top bar naming the patient, the visit date,
the recorder and the file (issue 21), always in view. A red-flag banner, where one is shown, is a line of its
own, under this one (ui/paint/banner.py); the two combine.

`PatientBanner` is an owned part of `PaintScreen` (bodymap.ui.paint.screen): it reads the painting desk
(the visit, the file, whether it is saved) and draws where the window's layout puts it.
"""
from __future__ import annotations

import pygame

from ...desk import Desk
from ..kit import TextCache
from ..kit.desk_colours import BAR_LINE, TEXT

PATIENT_BG = (226, 233, 240)  # a cool light grey-blue, apart from the warm bars


class PatientBanner:
    """The patient banner: its text and its drawing."""

    def __init__(self, desk: Desk, text: TextCache):
        self.desk = desk
        self.text_cache = text

    @property
    def text(self) -> str:
        """The patient banner: identifier, visit date (and recorder), the file; "no patient identifier" when none."""
        desk = self.desk
        v = desk.pain_map.visit
        parts = [f"Patient {v.patient_id}" if v.patient_id else "No patient identifier (Visit... sets it)",
                 f"Visit {v.visit_date}" if v.visit_date else "No visit date"]
        if v.recorded_by:
            parts.append(f"Recorded by {v.recorded_by}")
        parts.append((desk.path.name if desk.path is not None else "not saved yet") + (" (unsaved)" if desk.dirty
                                                                                     else ""))
        return "   |   ".join(parts)

    def draw(self, surface, layout) -> None:
        """One line of its own under the top bar (a flag banner, where shown, is another)."""
        r = layout.patient_rect
        pygame.draw.rect(surface, PATIENT_BG, r)
        pygame.draw.line(surface, BAR_LINE, (r.left, r.bottom - 1), (r.right, r.bottom - 1))
        fs = layout.patient_font_size
        text = self.text
        while text and self.text_cache.width(text, fs) > r.width - layout.px(24):
            text = text[:-2] + "…" if len(text) > 2 else ""
        t = self.text_cache(text, fs, TEXT)
        surface.blit(t, t.get_rect(midleft=(r.left + layout.px(12), r.centery)))
