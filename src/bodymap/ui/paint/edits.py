"""The painting's own edits in the window: the stroke's end, Undo, Redo and Clear: `PaintEdits`.

An owned part of `PaintScreen` (bodymap.ui.paint.screen). The strokes themselves go through the window's
`BodyCanvas`; this part ends one, undoes and redoes (`PainMap.undo` / `redo`), asks before clearing a view or
both (Undo brings it back), and after each change has the canvas draw the paint again and marks the ranking
stale. It is given the desk, the canvas, the toast, the dialog and what marks the ranking stale.
"""
from __future__ import annotations

from typing import Any, Callable

from ...desk import Desk
from ..kit.canvas import BodyCanvas
from ..kit.form import FitDialog


class PaintEdits:
    """End a stroke, undo, redo, clear (see the module)."""

    def __init__(self, desk: Desk, canvas: BodyCanvas, say: Callable[[str], None], ask: Callable[[Any], None],
                 ranking_stale: Callable[[], None]):
        self.desk, self.canvas = desk, canvas
        self._say, self._ask, self._stale = say, ask, ranking_stale

    def end_stroke(self) -> None:
        """End the stroke in progress, if any (before the map changes under it)."""
        if self.canvas.end_stroke():
            self._stale()

    def changed(self) -> None:
        """The whole paint changed (undo, redo, clear, a region filled): every overlay again, a new ranking."""
        self.canvas.refresh()
        self._stale()

    def undo(self) -> bool:
        self.end_stroke()
        ok = self.desk.pain_map.undo()
        if ok:
            self.changed()
        else:
            self._say("Nothing to undo")
        return ok

    def redo(self) -> bool:
        self.end_stroke()
        ok = self.desk.pain_map.redo()
        if ok:
            self.changed()
        else:
            self._say("Nothing to redo")
        return ok

    def clear(self, view: str | None) -> None:
        """Clear one view's paint, or both (None); Undo brings it back."""
        self.end_stroke()
        self.desk.pain_map.clear(view)
        self.changed()

    def clear_dialog(self) -> None:
        if self.desk.pain_map.is_empty:
            self._say("Nothing to clear")
            return
        self._ask(FitDialog("clear", "Clear the painting?", ["Undo brings it back."],
                            [("clear_front", "Clear front"), ("clear_back", "Clear back"),
                             ("clear_all", "Clear both"), ("cancel", "Cancel")]))

    def on_dialog(self, d: Any, action: str) -> bool:
        """A button of the Clear dialog (the window closed it). True when it was that dialog."""
        if d.kind != "clear":
            return False
        self.clear({"clear_front": "front", "clear_back": "back"}.get(action))
        return True
