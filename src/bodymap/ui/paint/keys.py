"""The painting window's keyboard shortcuts: which action a key press asks for (the help lists them, day.py).

`shortcut(event, zoomed)` turns a key press with no dialog, form or region list open into the same action
tuple a button carries (("save",), ("sensation", "burning"), ...), which `PaintScreen` then carries out like
a tap. It keeps no state and needs no window.
"""
from __future__ import annotations

import pygame

from ...painting import SENSATIONS
from .sizes import ctrl_held, shift_held

PAN_KEYS = {pygame.K_LEFT: (-0.25, 0.0), pygame.K_RIGHT: (0.25, 0.0), pygame.K_UP: (0.0, -0.25),
            pygame.K_DOWN: (0.0, 0.25)}

#: the letter SDL sends as text after the key that opened a form: not typed into the form
SWALLOWED = {"visit": "v", "confirmed": "d"}


def shortcut(event, zoomed: bool) -> tuple | None:
    """The action of a key press in the painting window, or None."""
    k = event.key
    if ctrl_held(event):
        shift = shift_held(event)
        return {pygame.K_z: ("redo",) if shift else ("undo",), pygame.K_y: ("redo",),
                pygame.K_s: ("save_as",) if shift else ("save",), pygame.K_o: ("open",),
                pygame.K_n: ("new_visit",) if shift else ("new",), pygame.K_p: ("pdf",)}.get(k)
    if k in PAN_KEYS:
        return ("pan", *PAN_KEYS[k]) if zoomed else None
    if pygame.K_1 <= k <= pygame.K_5:
        return ("sensation", SENSATIONS[k - pygame.K_1])
    return {pygame.K_F1: ("help",), pygame.K_v: ("visit",), pygame.K_d: ("confirmed",),  # D: issue 25
            pygame.K_0: ("score_clear",), pygame.K_z: ("zoom_reset",), pygame.K_F2: ("panel",),
            pygame.K_e: ("eraser",)}.get(k)
