"""The painting window's input: `WindowInput`, which part a pointer event, a key or typed text goes to.

An owned part of `PaintScreen` (bodymap.ui.paint.screen). It keeps the pointer's own state: where it last
was, whether it drags the pain-score slider, whether any pointer event came since the last frame (the
stroke-end work waits for a quiet frame, ADR 0030), and the letter a shortcut's form must not receive. A
press goes to the dialog showing, a button (a tap: `TapTracker`), the slider, the clinician panel (a tap or
a drag that scrolls), the Regions tool, or the body canvas (a stroke); two fingers go to the zoom. A key
goes to the region list, a form, the dialog, or becomes a shortcut's action (keys.py). What a tap or a key
asks for is carried out by the window (`activate`); the parts it routes to are passed in by name.
"""
from __future__ import annotations

from typing import Any, Callable

import pygame

from ...desk import Desk
from ..kit.canvas import BodyCanvas
from ..kit.form import FormDialog
from ..kit.tap import TapTracker
from ..pointer import DOWN, MOUSE, MOVE, Pointer
from .clinician import ClinicianPanel
from .keys import SWALLOWED, shortcut
from .regions import RegionsTool
from .sizes import ctrl_held
from .toolbar import ToolBar
from .zoom import WHEEL_STEP, ZoomControls


class WindowInput:
    """Routes pointer events, keys and typed text to the window's parts (see the module)."""

    def __init__(self, *, desk: Desk, canvas: BodyCanvas, taps: TapTracker, tools: ToolBar, regions: RegionsTool,
                 zoom_controls: ZoomControls, clinician: ClinicianPanel, layout: Callable[[], Any],
                 dialog: Callable[[], Any], activate: Callable[[tuple], None], dialog_action: Callable[[str], None],
                 end_stroke: Callable[[], None], typed: Callable[[FormDialog], None]):
        self.desk, self.canvas, self.taps, self.tools = desk, canvas, taps, tools
        self.regions, self.zoom_controls, self.clinician = regions, zoom_controls, clinician
        self._layout = layout  # the window's WindowLayout now
        self._dialog = dialog  # the dialog showing, or None
        self._activate = activate  # carry out an action tuple (a button's, a key's)
        self._dialog_action = dialog_action  # a dialog button, or "ok" / "cancel" from a key
        self._end_stroke = end_stroke
        self._typed = typed  # a key typed into a form (the folder field lists its subfolders)
        self.pointer_pos: tuple[float, float] = (0.0, 0.0)  # where the pointer last was (the wheel zooms there)
        self.dragging_slider = False
        self.seen = False  # a pointer event since the window's last update
        self._swallow_text: str | None = None

    def take_seen(self) -> bool:
        """Whether a pointer event came since the last call (the window's update asks once a frame)."""
        seen, self.seen = self.seen, False
        return seen

    def wheel(self, event) -> None:
        """The mouse wheel: scrolls the clinician panel under the pointer, or zooms the view under it."""
        L = self._layout()
        if L.panel_rect is not None and L.panel_rect.collidepoint(self.pointer_pos):
            self.clinician.panel.scroll_by(-int(getattr(event, "y", 0)) * L.px(48))
        elif self._dialog() is None and self.canvas.stroke is None and self.canvas.view_at(self.pointer_pos) is not None:
            y = float(getattr(event, "precise_y", 0) or getattr(event, "y", 0))
            if y:
                self.zoom_controls.zoom_by(WHEEL_STEP ** y, self.pointer_pos)

    def handle_pointer(self, p: Pointer) -> None:
        """One plain pointer event (bodymap.ui.pointer)."""
        self.seen = True  # the stroke-end work waits for a frame without input (update)
        if self.zoom_controls.pinch_pointer(p, self._dialog() is not None):
            return
        if p.phase == DOWN:
            self._pointer_down(p.pos, p.id)
        elif p.phase == MOVE:
            self._pointer_move(p.pos, p.id)
        else:
            self._pointer_up(p.pos, p.id)

    def _pointer_down(self, pos, pid) -> None:
        L, panel = self._layout(), self.clinician.panel
        on_button = next((bid for bid, b in L.buttons.items() if b.rect.collidepoint(pos)), None)
        on_panel = L.panel_rect is not None and L.panel_rect.collidepoint(pos)
        self.pointer_pos = pos
        if self._dialog() is None and on_button is None and not on_panel and self.regions.press(pos, pid, self.taps):
            return  # the Regions tool's press on a region
        self.zoom_controls.note_body_point(pos)
        if not self.taps.down(pid):
            return  # one pointer at a time: a second finger does nothing (kit.TapTracker)
        if self._dialog() is not None:
            hit = self._dialog().hit(pos)
            self.taps.press(("dialog", hit) if hit else None)
        elif on_button is not None:
            self.taps.press(on_button if L.buttons[on_button].enabled else None)
        elif L.slider.rect.collidepoint(pos):
            self.dragging_slider = True
            self._set_slider(pos)
        elif on_panel:
            self.taps.press(panel.hit(pos))
            panel.scroller.drag_start(pos[1])  # a finger drag scrolls the panel
        elif (view := self.canvas.view_at(pos)) is not None:
            self.canvas.begin_stroke(view, pos, self.tools.sensation, self.tools.radius, erase=self.tools.eraser)

    def _pointer_move(self, pos, pid) -> None:
        if pid == MOUSE or self.taps.owns(pid):
            self.pointer_pos = pos
        if self.taps.owns(pid):
            scroller = self.clinician.panel.scroller
            if self.dragging_slider:
                self._set_slider(pos)
            elif self.canvas.stroke is not None:
                self.canvas.extend_stroke(pos)
            elif scroller.dragging and scroller.drag_move(pos[1], self._layout().px(12)):
                self.taps.cancel()  # a drag, not a tap
        self.regions.hover(pos, self.taps)

    def _pointer_up(self, pos, pid) -> None:
        if self.regions.release(pos, pid, self.taps) or not self.taps.owns(pid):
            return
        self.pointer_pos = pos
        if self.canvas.stroke is not None:
            self.canvas.extend_stroke(pos)
            self._end_stroke()
        if self.dragging_slider:
            self._set_slider(pos)
            self.dragging_slider = False
            self.clinician.stale = True
        self.clinician.panel.scroller.drag_end()
        tapped = self.taps.up(pid, self._hit(pos))
        if tapped is not None:
            self._activate(self.action(tapped))

    def call_off(self) -> None:
        """A pinch began: the slider, the tap and the panel's drag are let go."""
        self.dragging_slider = False
        self.taps.release()
        self.clinician.panel.scroller.drag_end()

    def release(self) -> None:
        self._end_stroke()
        if self.dragging_slider:
            self.clinician.stale = True
        self.call_off()

    def _hit(self, pos) -> Any:
        if self._dialog() is not None:
            hit = self._dialog().hit(pos)
            return ("dialog", hit) if hit else None
        for bid, b in self._layout().buttons.items():
            if b.rect.collidepoint(pos):
                return bid
        if self._layout().panel_rect is not None:
            return self.clinician.panel.hit(pos)
        return None

    def _set_slider(self, pos) -> None:
        slider = self._layout().slider
        v = slider.value_at(pos[0])
        if v != slider.value:
            slider.value = v
            self.desk.pain_map.set_intensity(None, v)

    def key(self, event) -> None:
        k = event.key
        self._swallow_text = None
        if self.regions.region_list is not None:
            self.regions.list_key(event)
            return
        if self._dialog() is None and (k == pygame.K_F3 or (ctrl_held(event) and k == pygame.K_f)):
            self.regions.open_list()
        elif isinstance(self._dialog(), FormDialog):
            self._form_key(event, self._dialog())
        elif self._dialog() is not None:
            if k == pygame.K_ESCAPE:
                self._dialog_action("cancel" if "cancel" in self._dialog().button_rects else "ok")
            elif k in (pygame.K_RETURN, pygame.K_KP_ENTER) and self._dialog().kind in ("help", "message"):
                self._dialog_action("ok")
        elif (action := shortcut(event, self.canvas.zoom is not None)) is not None:
            self._activate(action)
            self._swallow_text = SWALLOWED.get(action[0])  # SDL sends the letter as text after this key

    def _form_key(self, event, d: FormDialog) -> None:
        k = event.key
        if k == pygame.K_ESCAPE:
            self._dialog_action("cancel")
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self._dialog_action("ok")
        elif k == pygame.K_TAB and d.fields:
            d.focus = (d.focus + (-1 if event.mod & pygame.KMOD_SHIFT else 1)) % len(d.fields)
        elif d.focused is not None and d.focused.key(k):
            self._typed(d)

    def text(self, text: str) -> None:
        """Typed characters (TEXTINPUT): into a form's field or the region list, or "?" (help), "+"/"-" (zoom)."""
        if self.regions.region_list is not None:
            self.regions.list_text(text)
            return
        swallow, self._swallow_text = self._swallow_text, None
        if swallow is not None and text.lower() == swallow:
            return  # the letter of the shortcut that opened the form is not typed into it
        if isinstance(self._dialog(), FormDialog):
            if self._dialog().focused is not None:
                self._dialog().focused.insert(text)
                self._typed(self._dialog())
        elif self._dialog() is None and text == "?":
            self._activate(("help",))
        elif self._dialog() is None and text in ("+", "="):
            self._activate(("zoom_in",))
        elif self._dialog() is None and text == "-":
            self._activate(("zoom_out",))

    def action(self, target) -> tuple:
        """What a pressed target does: a dialog button, a panel row, or a button's own action."""
        if isinstance(target, tuple):  # ("dialog", button id)
            return target
        return self.clinician.target_action(target) or self._layout().buttons[target].action
