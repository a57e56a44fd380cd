"""The review window's input: `ReviewInput`, an owned part of `ReviewScreen` that turns pointer events, the
wheel and keys into the window's actions.

Taps follow the kit's one rule (`TapTracker`, ui/kit/tap.py, as the painting window and the kiosk): one
pointer at a time, a tap is a press and release on one target, a drag of a list cancels it and scrolls the
list. It is given the tap tracker, the session (to read the mode and what is listed), the parts a pointer
event or key goes to (the map list, the information panel, the timeline view, the confirmed-diagnosis form),
getters for the layout and whether the map list shows, and `activate`, which carries out an action tuple
(a button's `("print",)`, a row's `("map", 3)`, a key's `("escape",)`); never the window.
"""
from __future__ import annotations

from typing import Callable

import pygame

from ...review.session import ReviewSession
from ..kit.tap import TapTracker
from ..pointer import DOWN, MOUSE, MOVE, Pointer
from .confirm import ConfirmForm
from .layout import ReviewLayout
from .panels import InfoPanel, MapList
from .timeline import TimelineView


class ReviewInput:
    """Where a pointer event or a key goes in the review window (see the module)."""

    def __init__(self, session: ReviewSession, taps: TapTracker, *, map_list: MapList, info: InfoPanel,
                 timeline_view: TimelineView, confirm: ConfirmForm, layout: Callable[[], ReviewLayout],
                 list_shown: Callable[[], bool], activate: Callable[[tuple], None],
                 form_closed: Callable[[], None]):
        self.session, self.taps = session, taps
        self.list, self.info, self.timeline_view, self.confirm = map_list, info, timeline_view, confirm
        self._layout, self._list_shown, self._activate, self._form_closed = layout, list_shown, activate, form_closed
        self.drag: tuple[str, float, int] | None = None  # (panel, y0, scroll0) while a list may be dragged
        self.last_pos: tuple[float, float] = (0.0, 0.0)  # where the pointer was last (the wheel scrolls there)

    def release(self) -> None:
        """Forget the gesture (the window lost the focus)."""
        self.taps.release()
        self.drag = None

    # -- keys ------------------------------------------------------------------
    def key(self, event) -> None:
        """A key: to the confirmed-diagnosis form while it is open, else a shortcut."""
        if self.confirm.dialog is not None:
            self.confirm.key(event)
            if self.confirm.dialog is None:
                self._form_closed()
            return
        k, s = event.key, self.session
        if k == pygame.K_ESCAPE:
            self._activate(("escape",))
        elif k in (pygame.K_DOWN, pygame.K_UP) and s.mode == "single" and s.entries:
            i = self.list.selected
            step = 1 if k == pygame.K_DOWN else -1
            self._activate(("map", 0 if i is None else min(max(i + step, 0), len(s.entries) - 1)))
        elif k == pygame.K_PAGEDOWN:
            self.info.scroll_by(self.info.viewport.height * 3 // 4)
        elif k == pygame.K_PAGEUP:
            self.info.scroll_by(-self.info.viewport.height * 3 // 4)
        elif k == pygame.K_F5 and s.is_folder:
            self._activate(("refresh",))
        elif k == pygame.K_d and s.mode == "single":  # issue 25: the confirmed diagnosis (clinicians only)
            self._activate(("confirm_form",))
        elif k == pygame.K_l and s.is_folder and s.mode == "single":  # issue 25: maps like this one
            self._activate(("similar",))

    def text(self, text: str) -> None:
        """Typed text goes to the confirmed-diagnosis form, the one place that takes it."""
        if self.confirm.dialog is not None:
            self.confirm.text(text)

    # -- the pointer -----------------------------------------------------------
    def wheel(self, event) -> None:
        L = self._layout()
        dy = -int(getattr(event, "y", 0)) * L.px(60)
        if self._list_shown() and L.list_rect.collidepoint(self.last_pos):
            self.list.scroll_by(dy)
        elif L.info_rect.collidepoint(self.last_pos):
            self.info.scroll_by(dy)

    def handle_pointer(self, p: Pointer) -> None:
        """One plain pointer event (bodymap.ui.pointer)."""
        if p.phase == DOWN:
            self._pointer_down(p.pos, p.id)
        elif p.phase == MOVE:
            self._pointer_move(p.pos, p.id)
        else:
            self._pointer_up(p.pos, p.id)

    def hit(self, pos) -> str | None:
        """The target at `pos`: a button id, 'list:N', 'info:hyp:N', 'pick_cancel', 'visit:N', 'confirm:...'."""
        if self.confirm.dialog is not None:  # the form is the top layer: nothing under it takes a tap
            hit = self.confirm.hit(pos)
            return f"confirm:{hit}" if hit else None
        L = self._layout()
        if (bid := L.hit(pos)) is not None:
            return bid
        if self._list_shown() and L.list_rect.collidepoint(pos):
            return self.list.hit(pos)
        if self.session.mode == "timeline" and L.center_rect.collidepoint(pos):
            return self.timeline_view.hit(pos)
        if L.info_rect.collidepoint(pos):
            return self.info.hit(pos)
        return None

    def center(self, target: str) -> tuple[int, int]:
        """Where to tap `target` (the other way from `hit`): a top-bar button, 'list:N', 'info:hyp:N',
        'pick_cancel', 'visit:N', or in the confirmed-diagnosis form 'confirm:ok', 'confirm:cancel' or
        'confirm:field:N'."""
        if target.startswith("confirm:"):
            return self.confirm.center(target[len("confirm:"):])
        for row in self.list.rows:
            if target == f"list:{row.index}":
                return self.list.row_screen_rect(row).center
        for row in self.info.hypothesis_rows():
            if target == f"info:hyp:{row.index}":
                return self.info.row_screen_rect(row).center
        if target == "pick_cancel" and self.list.cancel_button is not None:
            return self.list.cancel_button.rect.center
        for i, r in self.timeline_view.cards if self.session.mode == "timeline" else []:
            if target == f"visit:{i}":
                return r.center
        return self._layout().buttons[target].rect.center

    def _pointer_down(self, pos, pid) -> None:
        self.last_pos = pos
        if not self.taps.down(pid):
            return  # another pointer owns the gesture
        hit = self.hit(pos)
        buttons = self._layout().buttons
        if hit is not None and hit in buttons and not buttons[hit].enabled:
            hit = None
        self.taps.press(hit)
        if self.confirm.dialog is not None:
            return
        if self._list_shown() and self.list.viewport.collidepoint(pos):
            self.drag = ("list", pos[1], self.list.scroll)
        elif self.info.viewport.collidepoint(pos):
            self.drag = ("info", pos[1], self.info.scroll)

    def _pointer_move(self, pos, pid) -> None:
        if pid == MOUSE or pid == self.taps.pointer:
            self.last_pos = pos
        if not self.taps.owns(pid) or self.drag is None:
            return
        which, y0, scroll0 = self.drag
        if abs(pos[1] - y0) > self._layout().px(12):
            self.taps.cancel()  # a drag, not a tap
            (self.list if which == "list" else self.info).scroll_to(scroll0 - int(pos[1] - y0))

    def _pointer_up(self, pos, pid) -> None:
        if not self.taps.owns(pid):
            return
        self.last_pos = pos
        self.drag = None
        target = self.taps.up(pid, self.hit(pos))  # pressed and released on the same target
        if target is not None:
            self._activate(self.action(target))

    def action(self, target: str) -> tuple:
        """What a pressed target does: a map-list row, a match row, or a button's own action."""
        if target.startswith("confirm:"):
            return ("confirm", target[len("confirm:"):])
        buttons = self._layout().buttons
        if target in buttons:
            return buttons[target].action
        for row in self.list.rows:
            if target == f"list:{row.index}":
                return ("map", row.index)
        for row in self.info.hypothesis_rows():
            if target == f"info:hyp:{row.index}":
                return ("hypothesis", row.index)
        if target.startswith("visit:"):
            return ("visit", int(target.split(":")[1]))
        return (target,)  # "pick_cancel"
