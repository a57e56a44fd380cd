"""Composing a frame of the painting window: `Frames`, an owned part of `PaintScreen`.

Each part draws itself (the body picture, the tool bar, the top bar, the patient banner, the status bar,
the clinician panel, the toast, the dialog, the flag banner, the Regions tool's name and list); this part
orders them into a whole frame, and into a partial one while a stroke goes on: only the rectangles the
stroke changed, the panel alone after a new ranking, the status bar when its text changed. A whole frame
is drawn whenever anything else changed (`_chrome_key`). The flag banner is drawn last but for the Regions
tool's overlays, over the panel, a dialog and the "too small" note, so a flag is never hidden (issue 18).
It is given the parts it orders, by name, and getters for the window's layout, dialog and panel switch.
"""
from __future__ import annotations

from typing import Any, Callable

import pygame

from ...desk import Desk
from ..kit import TextCache
from ..kit.canvas import BodyCanvas
from ..kit.tap import TapTracker
from .banner import FlagBanner
from .clinician import ClinicianPanel
from .patient_banner import PatientBanner
from .picture import BodyPicture
from .regions import RegionsTool
from .status import StatusBar, Toast, draw_too_small
from .toolbar import ToolBar, draw_top_bar


class Frames:
    """Whole and partial frames of the painting window (see the module)."""

    def __init__(self, desk: Desk, text: TextCache, *, canvas: BodyCanvas, taps: TapTracker, tools: ToolBar,
                 picture: BodyPicture, status: StatusBar, toast: Toast, patient_banner: PatientBanner,
                 flag_banner: FlagBanner, clinician: ClinicianPanel, regions: RegionsTool,
                 layout: Callable[[], Any], dialog: Callable[[], Any], panel_shown: Callable[[], bool],
                 pointer_pos: Callable[[], tuple[float, float]]):
        self.desk, self.text, self.canvas, self.taps, self.tools = desk, text, canvas, taps, tools
        self.picture, self.status, self.toast = picture, status, toast
        self.patient_banner, self.flag_banner, self.clinician, self.regions = patient_banner, flag_banner, clinician, regions
        self._layout, self._dialog, self._panel_shown, self._pointer_pos = layout, dialog, panel_shown, pointer_pos
        self._drawn_key: Any = None  # what the last whole frame showed (see draw_partial)
        self._drawn_status: Any = None

    def _chrome_key(self, surface: pygame.Surface) -> Any:
        """Everything besides the paint and the status text that a frame shows, as two parts:
        (the rest of the window, what only the clinician panel shows)."""
        L = self._layout()
        b = tuple((k, v.on, v.enabled) for k, v in L.buttons.items())
        return ((id(surface), surface.get_size(), L.size, b, L.slider.value, self.toast.text, id(self._dialog()),
                 self.taps.pressed, self._panel_shown(), self.picture.key, L.too_small,
                 self.flag_banner.key(self._panel_shown())),
                (id(self.clinician.ranking), self.clinician.scroll_key()))

    def _status_key(self) -> Any:
        return (tuple(self.status.readout_lines(fresh=False)), self.status.file_label, self.desk.dirty,
                self.patient_banner.text)

    def invalidate(self) -> None:
        """Make the next draw_partial redraw the whole window."""
        self._drawn_key = None

    def draw_partial(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        """Redraw only what a stroke changed (and the status bar if its text changed).

        Returns the changed screen rectangles, or None after a full redraw. The
        window loop passes the rectangles to display.update(); a full redraw
        happens whenever anything besides the paint and the readout changed.
        """
        if self.regions.active:
            self.draw(surface)  # the hover name and the region list are redrawn whole: no strokes in this mode
            return None
        self._sync_buttons()
        key = self._chrome_key(surface)
        if self._drawn_key is None or key[0] != self._drawn_key[0] or self._dialog() is not None:
            self.draw(surface)
            return None
        L = self._layout()
        panel_only = key[1] != self._drawn_key[1]
        if panel_only and (L.panel_rect is None or self.toast.text or L.too_small):
            self.draw(surface)  # something may lie over the panel: the whole window
            return None
        rects = self.canvas.take_dirty()
        self.picture.draw_in(surface, rects)
        if panel_only:  # a new ranking after a stroke, a scroll or a selection: the panel alone changed
            self.clinician.panel.layout(L.panel_rect, L.s, L.font_size)
            self.clinician.panel.draw(surface, self.text)
            rects.append(L.panel_rect.copy())
            self._drawn_key = key
        banner = self.flag_banner.rect()
        if banner is not None and any(banner.colliderect(r) for r in rects):
            rects.append(self.flag_banner.draw(surface, self._panel_shown()))  # a stroke under it never wipes it
        status = self._status_key()
        if status != self._drawn_status:
            self.status.draw(surface)
            if self.toast.text:
                self.toast.draw(surface)  # the toast sits over the status bar
            self.patient_banner.draw(surface, L)
            self._drawn_status = status
            rects += [L.status_rect.copy(), L.patient_rect.copy()]
        return rects

    def draw(self, surface: pygame.Surface) -> None:
        self._sync_buttons()
        self.canvas.take_dirty()
        self.status.readout_lines()  # a whole frame shows the readout up to date (a partial one: as last computed)
        L, pressed = self._layout(), self.taps.pressed
        self.picture.draw(surface)
        self.tools.draw(surface, L, self.text, pressed, self.desk.pain_map.intensity.get("overall"))
        draw_top_bar(surface, L, self.text, pressed)
        self.patient_banner.draw(surface, L)
        self.status.draw(surface)
        if L.panel_rect is not None:
            self.clinician.panel.layout(L.panel_rect, L.s, L.font_size)
            self.clinician.panel.draw(surface, self.text)
        if self.toast.text:
            self.toast.draw(surface)
        if L.too_small:
            draw_too_small(surface, L.size, self.text)
        dialog = self._dialog()
        if dialog is not None:
            if dialog.rect.width == 0:
                dialog.layout(pygame.Rect(0, 0, *L.size), L.s, L.font_size)
            dialog.draw(surface, self.text, L.font_size, L.s, pressed[1] if isinstance(pressed, tuple) else None)
        self.flag_banner.draw(surface, self._panel_shown())  # over the panel, a dialog and the "too small" note
        self._drawn_key = self._chrome_key(surface)
        self._drawn_status = self._status_key()
        if dialog is None:
            self.regions.draw(surface, self._pointer_pos())  # the hover name and the region list, over the rest

    def _sync_buttons(self) -> None:
        """Show the state on the buttons and the slider (the tools, undo and redo, the panel, the Regions tool)."""
        L, m = self._layout(), self.desk.pain_map
        b = L.buttons
        self.tools.sync(b)
        b["undo"].enabled = m.can_undo
        b["redo"].enabled = m.can_redo
        b["panel"].on = self._panel_shown()
        b["regions"].on = self.regions.on
        L.slider.value = m.intensity.get("overall")
        b["score_clear"].enabled = L.slider.value is not None
