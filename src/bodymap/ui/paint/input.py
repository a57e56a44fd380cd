"""The painting window's input: keys, pointer presses and strokes, buttons.

A part of `PaintScreen` (bodymap.ui.paint.screen): the methods share its state.
"""
from __future__ import annotations


import pygame

from ...painting import SENSATIONS
from ..kit.form import FormDialog
from ..pointer import DOWN, MOVE, MOUSE, Pointer, pointer_event
from .sizes import REDRAW_EVENTS, ctrl_held, shift_held
from .zoom import WHEEL_STEP

PAN_KEYS = {pygame.K_LEFT: (-0.25, 0.0), pygame.K_RIGHT: (0.25, 0.0), pygame.K_UP: (0.0, -0.25),
            pygame.K_DOWN: (0.0, 0.25)}


class PaintInput:
    """The painting window's input: keys, pointer presses and strokes, buttons."""

    # ------------------------------------------------------------------
    # events
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        if t == pygame.QUIT:
            self.request_quit()
        elif (p := pointer_event(event, self.size)) is not None:
            self.handle_pointer(p)
        elif t == pygame.MOUSEWHEEL:
            if self.panel_rect is not None and self.panel_rect.collidepoint(self._last_pos):
                self.panel.scroll_by(-int(getattr(event, "y", 0)) * self.px(48))
            elif self.dialog is None and self._stroke is None and self.view_at(self._last_pos) is not None:
                y = float(getattr(event, "precise_y", 0) or getattr(event, "y", 0))
                if y:
                    self.zoom_by(WHEEL_STEP ** y, self._last_pos)
        elif t in REDRAW_EVENTS:
            self.invalidate()  # the window system lost our pixels
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t in (pygame.WINDOWFOCUSLOST,):
            self._release_pointer()
            self._fingers, self._pinch = {}, None  # a finger lifted elsewhere must not start a pinch later
        elif t == pygame.KEYDOWN:
            self._key(event)
        elif t == pygame.TEXTINPUT:
            self._text(getattr(event, "text", ""))

    def handle_pointer(self, p: Pointer) -> None:
        """One plain pointer event (bodymap.ui.pointer); tests may call this directly."""
        self._input_seen = True  # the stroke-end work waits for a frame without input (PaintScreen.update)
        if self.pinch_pointer(p):
            return
        if p.phase == DOWN:
            self._pointer_down(p.pos, p.id)
        elif p.phase == MOVE:
            self._pointer_move(p.pos, p.id)
        else:
            self._pointer_up(p.pos, p.id)

    def _key(self, event) -> None:
        k = event.key
        self._swallow_text = None
        if isinstance(self.dialog, FormDialog):
            self.form_key(event)
            return
        if self.dialog is not None:
            if k == pygame.K_ESCAPE:
                self._dialog_action("cancel" if "cancel" in self.dialog.button_rects else "ok")
            elif k in (pygame.K_RETURN, pygame.K_KP_ENTER) and self.dialog.kind in ("help", "message"):
                self._dialog_action("ok")
            return
        if ctrl_held(event):
            if k == pygame.K_z:
                self.redo() if shift_held(event) else self.undo()
            elif k == pygame.K_y:
                self.redo()
            elif k == pygame.K_s:
                self.save_as_dialog() if shift_held(event) else self.save()
            elif k == pygame.K_o:
                self.open_dialog()
            elif k == pygame.K_n:
                self.new_visit_dialog() if shift_held(event) else self.new_patient()
            elif k == pygame.K_p:
                self.print_pdf()
            return
        if k == pygame.K_F1:
            self.help_dialog()
        elif k == pygame.K_v:
            self.visit_dialog()
            self._swallow_text = "v"  # SDL sends the "v" as text after this key press
        elif k == pygame.K_d:  # issue 25: the confirmed diagnosis
            from .confirmed import confirmed_dialog

            confirmed_dialog(self)
            self._swallow_text = "d"
        elif k == pygame.K_0:
            self.clear_pain_score()
        elif k == pygame.K_z:
            self.zoom_reset()
        elif k in PAN_KEYS and self.zoom is not None:
            self.pan(*PAN_KEYS[k])
        elif k == pygame.K_F2:
            self.toggle_panel()
        elif k == pygame.K_e:
            self._activate(("eraser",))
        elif pygame.K_1 <= k <= pygame.K_5:
            self._activate(("sensation", SENSATIONS[k - pygame.K_1]))

    def _pointer_down(self, pos, pid) -> None:
        self._last_pos = pos
        self.note_body_point(pos)
        if not self.taps.down(pid):
            return  # one pointer at a time: a second finger does nothing (kit.TapTracker)
        if self.dialog is not None:
            hit = self.dialog.hit(pos)
            self.taps.press(("dialog", hit) if hit else None)
            return
        for bid, b in self.buttons.items():
            if b.rect.collidepoint(pos):
                self.taps.press(bid if b.enabled else None)
                return
        if self.slider.rect.collidepoint(pos):
            self._dragging_slider = True
            self._set_slider(pos)
            return
        if self.panel_rect is not None and self.panel_rect.collidepoint(pos):
            self.taps.press(self.panel.hit(pos))
            self.panel.scroller.drag_start(pos[1])  # a finger drag scrolls the panel
            return
        view = self.view_at(pos)
        if view is not None:
            self._begin_stroke(view, pos)

    def _pointer_move(self, pos, pid) -> None:
        if pid == MOUSE or self.taps.owns(pid):
            self._last_pos = pos
        if not self.taps.owns(pid):
            return
        if self._dragging_slider:
            self._set_slider(pos)
        elif self._stroke is not None:
            self._extend_stroke(pos)
        elif self.panel.scroller.dragging and self.panel.scroller.drag_move(pos[1], self.px(12)):
            self.taps.cancel()  # a drag, not a tap

    def _pointer_up(self, pos, pid) -> None:
        if not self.taps.owns(pid):
            return
        self._last_pos = pos
        if self._stroke is not None:
            self._extend_stroke(pos)
            self._end_stroke()
        if self._dragging_slider:
            self._set_slider(pos)
            self._dragging_slider = False
            self._ranking_dirty = True
        self.panel.scroller.drag_end()
        tapped = self.taps.up(pid, self._hit(pos))
        if tapped is not None:
            self._activate(self._action(tapped))

    def _release_pointer(self) -> None:
        self._end_stroke()
        if self._dragging_slider:
            self._ranking_dirty = True
        self._dragging_slider = False
        self.taps.release()
        self.panel.scroller.drag_end()

    def _hit(self, pos) -> str | None:
        if self.dialog is not None:
            hit = self.dialog.hit(pos)
            return ("dialog", hit) if hit else None
        for bid, b in self.buttons.items():
            if b.rect.collidepoint(pos):
                return bid
        if self.panel_rect is not None:
            return self.panel.hit(pos)
        return None

    # ------------------------------------------------------------------
    # painting
    def _begin_stroke(self, view: str, pos) -> None:
        self.canvas.begin_stroke(view, pos, self.sensation, self.radius, erase=self.eraser)

    def _extend_stroke(self, pos) -> None:
        self.canvas.extend_stroke(pos)

    def _end_stroke(self) -> None:
        if self.canvas.end_stroke():
            self._ranking_dirty = True

    def _refresh_paint(self) -> None:
        self.canvas.refresh()
        self._ranking_dirty = True

    def undo(self) -> bool:
        self._end_stroke()
        ok = self.pain_map.undo()
        if ok:
            self._refresh_paint()
        else:
            self.show_toast("Nothing to undo")
        return ok

    def redo(self) -> bool:
        self._end_stroke()
        ok = self.pain_map.redo()
        if ok:
            self._refresh_paint()
        else:
            self.show_toast("Nothing to redo")
        return ok

    def clear(self, view: str | None) -> None:
        self._end_stroke()
        self.pain_map.clear(view)
        self._refresh_paint()

    def _set_slider(self, pos) -> None:
        v = self.slider.value_at(pos[0])
        if v != self.slider.value:
            self.slider.value = v
            self.pain_map.set_intensity(None, v)

    # ------------------------------------------------------------------
    # buttons and dialogs
    def _action(self, target) -> tuple:
        """What a pressed target does: a dialog button, a panel row, or a button's own action."""
        if isinstance(target, tuple):  # ("dialog", button id)
            return target
        answer = self.panel_question_target(target)
        if answer is not None:
            return answer
        for row in self.panel.rows:
            if row.kind == "hypothesis" and target == f"panel:hyp:{row.index}":
                return ("hypothesis", row.index)
        return self.buttons[target].action

    def _activate(self, action: tuple) -> None:
        kind, arg = action[0], (action[1] if len(action) > 1 else None)
        if kind == "dialog":
            self._dialog_action(arg)
        elif kind == "sensation":
            self.sensation, self.eraser = arg, False
        elif kind == "brush":
            self.brush = arg
        elif kind == "hypothesis":
            self.select_hypothesis(arg)
        elif kind == "eraser":
            self.eraser = not self.eraser
        elif kind == "undo":
            self.undo()
        elif kind == "redo":
            self.redo()
        elif kind == "clear":
            self.clear_dialog()
        elif kind == "save":
            self.save()
        elif kind == "open":
            self.open_dialog()
        elif kind == "outlines":
            self.show_outlines = not self.show_outlines
        elif kind == "dermatomes":
            self.show_dermatomes = not self.show_dermatomes
        elif kind == "panel":
            self.toggle_panel()
        elif kind == "new":
            self.new_patient()
        elif kind == "new_visit":
            self.new_visit_dialog()
        elif kind == "save_as":
            self.save_as_dialog()
        elif kind == "visit":
            self.visit_dialog()
        elif kind == "pdf":
            self.print_pdf()
        elif kind == "help":
            self.help_dialog()
        elif kind == "score_clear":
            self.clear_pain_score()
        elif kind == "zoom_in":
            self.zoom_by(2.0)
        elif kind == "zoom_out":
            self.zoom_by(0.5)
        elif kind == "answer":
            self.answer_action(action)

    def toggle_panel(self) -> None:
        self.show_panel = not self.show_panel
        self._layout()
