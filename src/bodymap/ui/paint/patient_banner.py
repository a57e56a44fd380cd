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

PATIENT_BG = (226, 233, 240)
SEP = "   |   "  # a cool light grey-blue, apart from the warm bars


class PatientBanner:
    """The patient banner: its text and its drawing."""

    def __init__(self, desk: Desk, text: TextCache):
        self.desk = desk
        self.text_cache = text

    @property
    def text(self) -> str:
        """The patient banner: identifier, visit date (and recorder), the file; "no patient identifier" when none."""
        return SEP.join(a + b for a, b in self._parts())

    def _parts(self) -> list[tuple[str, str]]:
        """(what may be shortened, what is always shown whole) for each part of the line."""
        desk = self.desk
        v = desk.pain_map.visit
        parts = [("Patient " + v.patient_id, "") if v.patient_id else ("", "No patient identifier (Visit... sets it)"),
                 ("", f"Visit {v.visit_date}" if v.visit_date else "No visit date")]
        if v.recorded_by:
            parts.append(("Recorded by " + v.recorded_by, ""))
        parts.append((desk.path.name if desk.path is not None else "not saved yet", " (unsaved)" if desk.dirty else ""))
        return parts

    def fitted(self, width: int, size: int) -> str:
        """The line cut to `width` pixels: the longest of the identifier, the recorder and the file name loses its
        end first ("…"); the visit date and "(unsaved)" are always shown whole (ADR 0043: a 64-letter
        identifier pushed the date off the line and "(unsaved)" was the first thing cut)."""
        parts = self._parts()
        cut = [a for a, _ in parts]

        def line() -> str:
            return SEP.join((c if c == a else c + "…") + b for c, (a, b) in zip(cut, parts))

        while self.text_cache.width(line(), size) > width:
            k = max(range(len(cut)), key=lambda i: len(cut[i]))
            if len(cut[k]) <= 4:
                break  # nothing more to take: the fixed parts alone are wider than the window
            cut[k] = cut[k][:-1].rstrip()
        return line()

    def draw(self, surface, layout) -> None:
        """One line of its own under the top bar (a flag banner, where shown, is another)."""
        r = layout.patient_rect
        pygame.draw.rect(surface, PATIENT_BG, r)
        pygame.draw.line(surface, BAR_LINE, (r.left, r.bottom - 1), (r.right, r.bottom - 1))
        fs = layout.patient_font_size
        t = self.text_cache(self.fitted(r.width - layout.px(24), fs), fs, TEXT)
        surface.blit(t, t.get_rect(midleft=(r.left + layout.px(12), r.centery)))
