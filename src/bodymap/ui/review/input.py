"""The review window's input: keys, pointer taps and drags, buttons.

A part of `ReviewScreen` (bodymap.ui.review.screen): the methods share its state. Taps follow the kit's one
rule (`TapTracker`, ui/kit/tap.py, as the painting window and the kiosk): one pointer at a time, a tap is a
press and release on one target, a drag of a list cancels it.
"""
from __future__ import annotations

import pygame

from ..kit.tap import Through
from ..pointer import DOWN, MOUSE, MOVE, Pointer, pointer_event


class ReviewInput:
    """The review window's input: keys, pointer taps and drags, buttons."""

    _pointer = Through("taps", "pointer")  # the pointer that owns the gesture (the window's `taps`)
    _pressed = Through("taps", "pressed")  # the target it came down on, until a drag cancels it

    # ------------------------------------------------------------------
    # events
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        if t == pygame.QUIT:
            self.done = True
        elif self.confirm.dialog is not None and t in (pygame.KEYDOWN, pygame.TEXTINPUT):
            self.confirm.key(event) if t == pygame.KEYDOWN else self.confirm.text(getattr(event, "text", ""))
            if self.confirm.dialog is None:
                self._confirm_closed()
        elif (p := pointer_event(event, self.size)) is not None:
            self.handle_pointer(p)
        elif t == pygame.MOUSEWHEEL:
            dy = -int(getattr(event, "y", 0)) * self.px(60)
            if self.show_list and self.list_rect.collidepoint(self._last_pos):
                self.list.scroll_by(dy)
            elif self.info_rect.collidepoint(self._last_pos):
                self.info.scroll_by(dy)
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t == pygame.WINDOWFOCUSLOST:
            self.taps.release()
            self._drag = None
        elif t == pygame.KEYDOWN:
            self._key(event)

    def handle_pointer(self, p: Pointer) -> None:
        """One plain pointer event (bodymap.ui.pointer); tests may call this directly."""
        if p.phase == DOWN:
            self._pointer_down(p.pos, p.id)
        elif p.phase == MOVE:
            self._pointer_move(p.pos, p.id)
        else:
            self._pointer_up(p.pos, p.id)

    def _key(self, event) -> None:
        k = event.key
        if k == pygame.K_ESCAPE:
            if self.mode == "timeline":
                if self.timeline_pick:
                    self.session.clear_visit_pick()
                    self._build_info(keep_scroll=True)
                else:
                    self.close_timeline()
            elif self.mode == "pick":
                self.cancel_pick()
            elif self.mode == "compare":
                self.end_compare()
        elif k in (pygame.K_DOWN, pygame.K_UP) and self.mode == "single" and self.entries:
            i = self.list.selected
            step = 1 if k == pygame.K_DOWN else -1
            i = 0 if i is None else min(max(i + step, 0), len(self.entries) - 1)
            self.open_index(i)
        elif k == pygame.K_PAGEDOWN:
            self.info.scroll_by(self.info.viewport.height * 3 // 4)
        elif k == pygame.K_PAGEUP:
            self.info.scroll_by(-self.info.viewport.height * 3 // 4)
        elif k == pygame.K_F5 and self.is_folder:
            self._activate(("refresh",))
        elif k == pygame.K_d and self.mode == "single":  # issue 25: the confirmed diagnosis (clinicians only)
            self.confirm_dialog()
        elif k == pygame.K_l and self.is_folder and self.mode == "single":  # issue 25: maps like this one
            if self.similar.find():
                self._build_info(keep_scroll=True)

    def _hit(self, pos) -> str | None:
        if self.confirm.dialog is not None:  # the form is the top layer: nothing under it takes a tap
            hit = self.confirm.hit(pos)
            return f"confirm:{hit}" if hit else None
        for bid, b in self.buttons.items():
            if b.rect.collidepoint(pos):
                return bid
        if self.show_list and self.list_rect.collidepoint(pos):
            return self.list.hit(pos)
        if self.mode == "timeline" and self.center_rect.collidepoint(pos):
            return self.timeline_view.hit(pos)
        if self.info_rect.collidepoint(pos):
            return self.info.hit(pos)
        return None

    def _pointer_down(self, pos, pid) -> None:
        self._last_pos = pos
        if not self.taps.down(pid):
            return  # another pointer owns the gesture
        hit = self._hit(pos)
        if hit is not None and hit in self.buttons and not self.buttons[hit].enabled:
            hit = None
        self.taps.press(hit)
        if self.confirm.dialog is not None:
            return
        if self.show_list and self.list.viewport.collidepoint(pos):
            self._drag = ("list", pos[1], self.list.scroll)
        elif self.info.viewport.collidepoint(pos):
            self._drag = ("info", pos[1], self.info.scroll)

    def _pointer_move(self, pos, pid) -> None:
        if pid == MOUSE or pid == self._pointer:
            self._last_pos = pos
        if not self.taps.owns(pid) or self._drag is None:
            return
        which, y0, scroll0 = self._drag
        if abs(pos[1] - y0) > self.px(12):
            self.taps.cancel()  # a drag, not a tap
            (self.list if which == "list" else self.info).scroll_to(scroll0 - int(pos[1] - y0))

    def _pointer_up(self, pos, pid) -> None:
        if not self.taps.owns(pid):
            return
        self._last_pos = pos
        self._drag = None
        target = self.taps.up(pid, self._hit(pos))  # pressed and released on the same target
        if target is not None:
            self._activate(self._action(target))

    def _action(self, target: str) -> tuple:
        """What a pressed target does: a map-list row, a match row, or a button's own action."""
        if target.startswith("confirm:"):
            return ("confirm", target[len("confirm:"):])
        if target in self.buttons:
            return self.buttons[target].action
        for row in self.list.rows:
            if target == f"list:{row.index}":
                return ("map", row.index)
        for row in self.info.hypothesis_rows():
            if target == f"info:hyp:{row.index}":
                return ("hypothesis", row.index)
        if target.startswith("visit:"):
            return ("visit", int(target.split(":")[1]))
        return (target,)  # "pick_cancel"

    def _activate(self, action: tuple) -> None:
        bid, arg = action[0], (action[1] if len(action) > 1 else None)
        if bid == "confirm":
            self.confirm.tap(arg)
            if self.confirm.dialog is None:
                self._confirm_closed()
        elif bid == "map":
            if self.mode == "pick":
                self.compare_with(arg)
            else:
                self.open_index(arg)
        elif bid == "hypothesis":
            self.select_hypothesis(arg)
        elif bid == "pick_cancel":
            self.cancel_pick()
        elif bid == "compare":
            if self.mode == "compare":
                self.end_compare()
            elif self.mode == "pick":
                self.cancel_pick()
            else:
                self.start_pick()
        elif bid == "list":
            self.show_list = not self.show_list
            if self.mode == "compare":
                self._list_before_compare = self.show_list
            self._layout()
        elif bid == "refresh":
            self.refresh()
        elif bid == "visit":
            self.pick_visit(arg)
        elif bid == "timeline":
            if self.mode == "timeline":
                self.close_timeline()
            else:
                self.open_timeline()
        elif bid == "filter":
            self.next_filter()
        elif bid == "print":
            self.print_report()
        elif bid == "outlines":
            self.show_outlines = not self.show_outlines
        elif bid == "dermatomes":
            self.show_dermatomes = not self.show_dermatomes
        elif bid == "zone":
            self.show_zone = not self.show_zone
            self._build_info(keep_scroll=True)
