"""Saving and opening maps, and the in-window dialogs that ask about them.

A part of `PaintScreen` (bodymap.ui.paint.screen): the methods share its state.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pygame

from ... import visits
from ...desk import list_maps, short_path
from ...errors import BodymapError
from ...painting import PainMap
from ..kit.form import FitDialog as Dialog  # titles wrap inside the dialog (issue 13, item 5)
from ..kit.form import FormDialog

from .sizes import FILE_SUFFIX


def relative_name(path: Path, folder: Path) -> str:
    """A listed map's name as seen from the folder listed: "sub/name.bodymap" in a subfolder."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


class PaintFiles:
    """Saving and opening maps, and the in-window dialogs that ask about them."""

    def _open_dialog(self, dialog: Dialog) -> None:
        self._release_pointer()
        self.dialog = dialog
        dialog.layout(pygame.Rect(0, 0, *self.size), self.s, self.font_size)

    def message(self, title: str, text: str, error: bool = True) -> None:
        self._open_dialog(Dialog("message", title, [text], [("ok", "OK")], tone="error" if error else "normal"))

    def clear_dialog(self) -> None:
        if self.pain_map.is_empty:
            self.show_toast("Nothing to clear")
            return
        self._open_dialog(Dialog("clear", "Clear the painting?", ["Undo brings it back."],
                                 [("clear_front", "Clear front"), ("clear_back", "Clear back"),
                                  ("clear_all", "Clear both"), ("cancel", "Cancel")]))

    def request_quit(self) -> None:
        """Window close: quit now, or ask once (Save / Discard / Cancel) if there are unsaved changes."""
        self._end_stroke()
        if not self.dirty:
            self.done = True
            return
        if self.dialog is not None and self.dialog.kind == "quit":
            return
        self._open_dialog(Dialog("quit", "Save your painting before closing?",
                                 [f"It will be saved to {self._target_path().name}."],
                                 [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))

    def open_dialog(self, page: int = 0, folder: Path | None = None) -> None:
        """The maps in `folder` (default: the maps folder) to pick from, newest first, and "Another folder..."."""
        folder = Path(folder) if folder is not None else self.folder
        files = self.bodymap_files(folder)
        if not files:
            self._open_dialog(Dialog("open", "Nothing to open", [f"There are no {FILE_SUFFIX} files in {folder} or its subfolders."],
                                     [("folder", "Another folder..."), ("ok", "OK")],
                                     payload={"page": 0, "file": {}, "folder": folder}))
            return
        per = max(1, self._open_page_size() - 1)
        pages = (len(files) + per - 1) // per
        page = min(max(page, 0), pages - 1)
        shown = files[page * per:(page + 1) * per]
        width = min(self.px(660), self.size[0] - self.px(40)) - self.px(80)
        buttons = []
        for i, p in enumerate(shown, start=page * per):
            try:
                when = datetime.fromtimestamp(p.stat().st_mtime).strftime("%d %b %H:%M")
            except OSError:
                when = "gone"
            label = f"{relative_name(p, folder)}  ({when})"  # "Clinic B/MRN-1_2026-12-07.bodymap" in a subfolder
            while self.text.width(label, self.font_size) > width and len(label) > 8:
                label = label[:-2]
            buttons.append((f"file:{i}", label))
        if page > 0:
            buttons.append(("prev", "Previous"))
        if page < pages - 1:
            buttons.append(("next", "Next"))
        buttons.append(("folder", "Another folder..."))
        buttons.append(("cancel", "Cancel"))
        deeper = sum(1 for p in files if p.parent != folder)
        d = Dialog("open", "Open a painting", [f"{len(files)} file(s) in {folder}" +
                                               (f" ({deeper} in subfolders)" if deeper else "") +
                                               (f", page {page + 1} of {pages}" if pages > 1 else "")],
                   buttons, payload={"page": page, "file": {f"file:{i}": p for i, p in enumerate(files)},
                                     "folder": folder},
                   column=True)
        self._open_dialog(d)

    def _open_page_size(self) -> int:
        avail = self.size[1] * 0.9 - self.px(200) - 2 * self.px(66)
        return max(1, int(avail // self.px(66)))

    def bodymap_files(self, folder: Path | None = None) -> list[Path]:
        """The maps of `folder` and its subfolders (bodymap.desk.list_maps: a depth limit, newest first)."""
        return list_maps(Path(folder) if folder is not None else self.folder)

    def _dialog_action(self, action: str) -> None:
        d = self.dialog
        if d is None:
            return
        if isinstance(d, FormDialog) and self._form_action(d, action):
            return
        self.dialog = None
        if action == "cancel" or action == "ok":
            self._after_save = None  # what waited for a save (closing, the next patient) is called off
            return
        if d.kind in ("save_failed", "other_visit") and action == "save_as":
            self.save_as_dialog()
        elif d.kind == "other_visit" and action == "save_new_visit":
            if self.save_as_new_visit():
                self._run_after_save()
        elif d.kind == "new_visit" and action in ("visit_empty", "visit_copy"):
            self._start_new_visit(copy=action == "visit_copy")
        elif d.kind == "unsaved_visit":
            if action == "discard":
                self.new_visit_dialog(ask_save=False)
            elif action == "save":
                self.save_then(lambda: self.new_visit_dialog(ask_save=False))
        elif d.kind == "unsaved_new":
            if action == "discard":
                self._start_new_patient()
            elif action == "save":
                self.save_then(self._start_new_patient)
        if d.kind == "clear":
            self.clear({"clear_front": "front", "clear_back": "back"}.get(action))
        elif d.kind == "quit":
            if action == "discard":
                self.done = True
            elif action == "save":
                self.save_then(self._close)
        elif d.kind == "open":
            if action == "folder":
                self.open_folder_dialog(d.payload["folder"])
            elif action in ("prev", "next"):
                self.open_dialog(d.payload["page"] + (1 if action == "next" else -1), d.payload["folder"])
            elif action in d.payload["file"]:
                path = d.payload["file"][action]
                if self.dirty:
                    self._open_dialog(Dialog("unsaved_open", f"Save your painting before opening {path.name}?",
                                             [f"It will be saved to {self._target_path().name}."],
                                             [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")],
                                             payload=path))
                else:
                    self.load(path)
        elif d.kind == "unsaved_open":
            if action == "discard":
                self.load(d.payload)
            elif action == "save":
                self.save_then(lambda: self.load(d.payload))

    def _close(self) -> None:
        self.done = True

    # ------------------------------------------------------------------
    # files: the decisions are the desk's (bodymap.desk); the window shows them
    def _default_path(self) -> Path:
        return self.desk.default_path()

    def _target_path(self) -> Path:
        return self.desk.target_path()

    def save(self) -> bool:
        """Save to the open file, or to a new file in the folder (see `Desk.default_path`)."""
        return self.save_to(self._target_path())

    def save_to(self, path: Path, *, new_record: bool = False, save_as: bool = False) -> bool:
        """Save to `path` (bodymap.desk.Desk.save_to); on failure the painting stays open and Save As is
        offered; a file holding another visit or patient is never replaced ("Save as new visit" is offered)."""
        self._end_stroke()
        try:
            if save_as:
                self.desk.save_as(path)
            else:
                self.desk.save_to(path, new_record=new_record)
        except visits.VisitConflict as exc:
            self.other_visit_dialog(exc)
            return False
        except (BodymapError, OSError) as exc:
            self.save_failed(path, exc)
            return False
        self.show_toast(f"Saved to {path.name} in {short_path(path.parent)}")
        return True

    def utc_stamp(self) -> str:
        """The window's clock now, as a file's UTC time ("2026-03-14T08:05:00Z")."""
        return self.desk.utc_stamp()

    def other_visit_dialog(self, exc: "visits.VisitConflict") -> None:
        """Saving would replace another visit or patient: offer a new file for this visit instead."""
        new = self._default_path()
        self._open_dialog(Dialog("other_visit", "This file holds another visit",
                                 [f"{exc.path.name} is the {visits.describe_visit(exc.on_disk)}.",
                                  f"This map is the {visits.describe_visit(self.pain_map.visit.as_dict())}. "
                                  f"It is not saved over it.",
                                  f"Save as a new visit writes {new.name}."],
                                 [("save_new_visit", "Save as new visit"), ("save_as", "Save As..."),
                                  ("cancel", "Cancel")], tone="error", payload=exc.path))

    @property
    def is_another_visit_than_opened(self) -> bool:
        return self.desk.is_another_visit_than_opened

    def save_as_new_visit(self) -> bool:
        """Save to a new file named after this visit (never over another), with this visit's own times."""
        return self.save_to(self._default_path(), new_record=True)

    def _open_initial(self, path: Path) -> None:
        if not path.exists():
            self.path = path
            self.show_toast(f"New painting: {path.name} (created when you save)")
            return
        try:
            m = self.desk.open(path)
        except BodymapError as exc:
            # keep the bad file untouched: saving goes to a new name
            self.path = None
            self.dialog = Dialog("message", "Could not open this file",
                                 [f"{exc}.", f"You can paint a new map: Save writes a new file and leaves "
                                             f"{path.name} as it is."], [("ok", "OK")], tone="error")
            return
        self._set_map(m, path)

    def load(self, path: Path) -> bool:
        self._release_pointer()
        try:
            m = self.desk.open(path)
        except BodymapError as exc:
            self.message("Could not open this file", str(exc))
            return False
        self._set_map(m, path)
        self._layout()
        notes = m.meta.get("notes") or []
        self.show_toast(f"Opened {path.name}" + (f" ({notes[0]})" if notes else ""))
        return True

    def _set_map(self, m: PainMap, path: Path | None) -> None:
        self._release_pointer()
        if self.desk.pain_map is not m:
            self.desk.set_map(m, path)
        self._ranking_dirty = True
        self._readout_version = -1
        self.panel.selected = None
        self.zone = None
        if hasattr(self, "slider"):
            self.slider.value = m.intensity.get("overall")
