"""The confirmed diagnosis in the review window (key D; issue 25): a clinician's form, never the kiosk's.

A part the review window owns (`ReviewScreen.confirm`), given only the session and the window's toast:
three fields, the diagnosis (a pattern id such as root_L5, or plain text), how it was confirmed
(imaging, block, surgery or follow-up) and the date (YYYY-MM-DD, optional); an empty diagnosis clears
it. `ReviewSession.set_confirmed` checks it (bodymap.confirmed, as the file format and `bodymap confirm`
do) and writes it into the open visit's own file, atomically, keeping the replaced version beside it
and refusing when that file now holds another visit. A problem keeps the form open with one line saying
what is wrong; nothing typed is lost.
"""
from __future__ import annotations

from typing import Callable

import pygame

from ...errors import BodymapError
from ...review.session import ReviewSession
from ..kit.form import FormDialog, TextField

LABELS = ("Confirmed diagnosis (pattern id, e.g. root_L5, or plain text)",
          "How: imaging, block, surgery or follow-up", "Date confirmed (YYYY-MM-DD, optional)")
KEYS = ("diagnosis", "how", "date")
NOTE = ("Recorded in this visit's file for the clinic's own validation; never shown to patients. "
        "Leave the diagnosis empty to clear it.")


class ConfirmForm:
    """The form over the review window while it is open (`dialog` not None)."""

    def __init__(self, session: ReviewSession, say: Callable[[str], None],
                 place: Callable[[FormDialog], None] | None = None):
        self.session = session
        self.say = say
        self.place = place  # lays a new form out in the window (so that it can be tapped before it is drawn)
        self.dialog: FormDialog | None = None

    def open(self, error: str | None = None, values: dict[str, str] | None = None) -> bool:
        """Open the form for the open map (with `values` and `error` when a save was refused)."""
        s = self.session
        if s.mode != "single" or s.current is None or not s.current.ok:
            self.say("Open one map first: a confirmed diagnosis belongs to one visit")
            return False
        if values is None:
            c = s.confirmed or {}
            values = {k: str(c.get(k) or "") for k in KEYS}
        self.dialog = FormDialog("confirmed", f"Confirmed diagnosis: {s.current.entry.path.name}",
                                 [error or NOTE], [("ok", "Save"), ("cancel", "Cancel")],
                                 tone="error" if error else "normal",
                                 fields=[TextField(label, values.get(k, "")) for label, k in zip(LABELS, KEYS)])
        if self.place is not None:
            self.place(self.dialog)
        return True

    def values(self) -> dict[str, str]:
        return {k: f.value.strip() for k, f in zip(KEYS, self.dialog.fields)} if self.dialog else {}

    def submit(self) -> bool:
        """Save what the form holds; True when it was saved (the form closes), else the form shows why."""
        values = self.values()
        try:
            path = self.session.set_confirmed(values["diagnosis"], values["how"], values["date"])
        except (BodymapError, OSError) as exc:
            why = str(exc).removeprefix("confirmed: ")
            self.open(f"Not saved: {why}", values)
            self.dialog.focus = 2 if "date" in why else 1 if why.startswith("how ") else 0  # the field concerned
            return False
        self.dialog = None
        self.say(f"Confirmed diagnosis {'saved in' if values['diagnosis'] else 'cleared in'} {path.name}")
        return True

    def cancel(self) -> None:
        self.dialog = None

    # -- input -------------------------------------------------------------
    def key(self, event) -> None:
        d, k = self.dialog, event.key
        if k == pygame.K_ESCAPE:
            self.cancel()
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.submit()
        elif k == pygame.K_TAB:
            d.focus = (d.focus + (-1 if getattr(event, "mod", 0) & pygame.KMOD_SHIFT else 1)) % len(d.fields)
        elif d.focused is not None:
            d.focused.key(k)

    def text(self, text: str) -> None:
        if self.dialog is not None and self.dialog.focused is not None:
            self.dialog.focused.insert(text)

    def hit(self, pos) -> str | None:
        return self.dialog.hit(pos) if self.dialog is not None else None

    def tap(self, target: str) -> None:
        if target.startswith("field:"):
            self.dialog.focus = int(target.split(":")[1])
        elif target == "ok":
            self.submit()
        elif target == "cancel":
            self.cancel()

    def center(self, target: str) -> tuple[int, int]:
        """Where to tap: 'ok', 'cancel' or 'field:N'."""
        if target.startswith("field:"):
            return self.dialog.fields[int(target.split(":")[1])].rect.center
        return self.dialog.button_rects[target].center

    # -- drawing -----------------------------------------------------------
    def draw(self, surface: pygame.Surface, text, size: int, s: float, pressed: str | None) -> None:
        d = self.dialog
        if d is None:
            return
        d.layout(surface.get_rect(), s, size)
        d.draw(surface, text, size, s, pressed)
