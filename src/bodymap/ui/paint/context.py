"""What the painting window lends its parts: the narrow context each part is built with (issue 19 item 2).

A part of the window (the tool bar, the clinician panel, the Regions tool, the file actions...) is its own
object with its own state. It never holds the window: it gets the painting desk, the text cache and the few
things it may ask of the window, here, and nothing else. A part that needs another part's doing gets that one
callable (or that one part) passed in by `PaintScreen`, where the wiring is read in one place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ...desk import Desk
from ..kit import TextCache


@dataclass(frozen=True)
class PartContext:
    desk: Desk  # the map, its file, the visit, the answers and every save decision (bodymap.desk)
    text: TextCache
    say: Callable[[str], None]  # a toast: a short note over the status bar for a few seconds
    ask: Callable[[Any], None]  # show a dialog (the window lets the pointer go and lays the dialog out)
    end_stroke: Callable[[], None]  # end a stroke in progress before the map changes under it
    layout: Callable[[], Any]  # where everything sits now (`WindowLayout`, recomputed on every resize)
