"""Saving and opening maps, and the in-window dialogs that ask about them: `FileActions`.

An owned part of `PaintScreen` (bodymap.ui.paint.screen). The decisions are the painting desk's
(bodymap.desk: the file, the visit it holds, the save that never replaces another visit); this part asks
and tells: Save, Open and its list, closing with unsaved changes, a save that failed, and what waits for a
save (closing, the next patient) until one succeeds. It is given the part context (the desk, the toast, the
dialog, the layout) and the window's doings it needs: show another map, close, and the clinic day's Save As
and folder forms.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from ... import visits
from ...desk import list_maps, newest_maps, short_path
from ...errors import BodymapError
from ..kit.form import FitDialog as Dialog  # titles wrap inside the dialog (issue 13, item 5)
from ..kit.form import FormDialog, TextField

from .context import PartContext
from .sizes import FILE_SUFFIX


def relative_name(path: Path, folder: Path) -> str:
    """A listed map's name as seen from the folder listed: "sub/name.bodymap" in a subfolder."""
    try:
        return path.relative_to(folder).as_posix()
    except ValueError:
        return path.name


class FileActions:
    """Save, Open, quitting and their dialogs (see the module)."""

    def __init__(self, ctx: PartContext, *, show_map: Callable[..., None], close: Callable[[], None],
                 save_as_form: Callable[[], None], open_folder_form: Callable[[Path], None]):
        self.ctx = ctx
        self.desk = ctx.desk
        self._show_map = show_map  # another map on the desk: (map, path), the window shows it
        self._close = close
        self._save_as_form = save_as_form  # the Save As form (the clinic day's)
        self._open_folder_form = open_folder_form  # "Another folder...": the form that picks it
        self._after_save: Callable[[], None] | None = None  # what waits for a successful save

    def message(self, title: str, text: str, error: bool = True) -> None:
        self.ctx.ask(Dialog("message", title, [text], [("ok", "OK")], tone="error" if error else "normal"))

    def request_quit(self, showing: str | None = None) -> None:
        """Window close: quit now, or ask once (Save / Discard / Cancel) if there are unsaved changes.
        `showing`: the kind of the dialog showing (the question is not asked twice)."""
        self.ctx.end_stroke()
        if not self.desk.dirty:
            self._close()
            return
        if showing == "quit":
            return
        self.ctx.ask(Dialog("quit", "Save your painting before closing?",
                            [f"It will be saved to {self.desk.target_path().name}."],
                            [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))

    def open_dialog(self, page: int = 0, folder: Path | None = None, find: str = "") -> None:
        """The maps in `folder` (default: the maps folder) to pick from, newest first, "Find by name..." and
        "Another folder..."."""
        folder = Path(folder) if folder is not None else self.desk.folder
        files, total = newest_maps(folder, find=find)
        if find and not files:
            self.ctx.ask(Dialog("open", "Nothing found", [f"No map in {folder} or its subfolders has "
                                                          f"\u201c{find}\u201d in its name."],
                                [("find", "Find by name..."), ("all", "Show all"), ("cancel", "Cancel")],
                                payload={"page": 0, "file": {}, "folder": folder, "find": find}))
            return
        if not files:
            self.ctx.ask(Dialog("open", "Nothing to open", [f"There are no {FILE_SUFFIX} files in {folder} or its subfolders."],
                                [("folder", "Another folder..."), ("ok", "OK")],
                                payload={"page": 0, "file": {}, "folder": folder}))
            return
        lay, text = self.ctx.layout(), self.ctx.text
        per = max(1, self._open_page_size() - 1)
        pages = (len(files) + per - 1) // per
        page = min(max(page, 0), pages - 1)
        shown = files[page * per:(page + 1) * per]
        width = min(lay.px(660), lay.size[0] - lay.px(40)) - lay.px(80)
        buttons = []
        for i, p in enumerate(shown, start=page * per):
            try:
                when = datetime.fromtimestamp(p.stat().st_mtime).strftime("%d %b %H:%M")
            except OSError:
                when = "gone"
            label = f"{relative_name(p, folder)}  ({when})"  # "Clinic B/MRN-1_2026-12-07.bodymap" in a subfolder
            while text.width(label, lay.font_size) > width and len(label) > 8:
                label = label[:-2]
            buttons.append((f"file:{i}", label))
        if page > 0:
            buttons.append(("prev", "Previous"))
        if page < pages - 1:
            buttons.append(("next", "Next"))
        if pages > 1 or find:  # 5,000 maps at four a page had only "Next" (ADR 0043)
            buttons.append(("find", "Find by name..."))
        if find:
            buttons.append(("all", "Show all"))
        buttons.append(("folder", "Another folder..."))
        buttons.append(("cancel", "Cancel"))
        deeper = sum(1 for p in files if p.parent != folder)
        what = f"{len(files)} file(s)" if total == len(files) else f"the newest {len(files)} of {total} files"
        d = Dialog("open", "Open a painting", [what + (f" named \u201c{find}\u201d" if find else "") + f" in {folder}" +
                                               (f" ({deeper} in subfolders)" if deeper else "") +
                                               (f", page {page + 1} of {pages}" if pages > 1 else "")],
                   buttons, payload={"page": page, "file": {f"file:{i}": p for i, p in enumerate(files)},
                                     "folder": folder, "find": find},
                   column=True)
        self.ctx.ask(d)

    def _open_page_size(self) -> int:
        lay = self.ctx.layout()
        avail = lay.size[1] * 0.9 - lay.px(200) - 2 * lay.px(66)
        return max(1, int(avail // lay.px(66)))

    def find_form(self, folder: Path, find: str = "") -> None:
        """Type part of a file name (a patient identifier, a date) to list only those maps."""
        self.ctx.ask(FormDialog("open_find", "Find a painting by name",
                                ["Part of the file name: the patient identifier or the visit date, e.g. 004217 "
                                 "or 2026-03."], [("ok", "Find"), ("cancel", "Cancel")],
                                fields=[TextField("Name holds", find)], payload={"folder": folder}))

    def submit_find(self, d: FormDialog) -> None:
        self.open_dialog(0, d.payload["folder"], d.fields[0].value.strip())

    def bodymap_files(self, folder: Path | None = None) -> list[Path]:
        """The maps of `folder` and its subfolders (bodymap.desk.list_maps: a depth limit, newest first)."""
        return list_maps(Path(folder) if folder is not None else self.desk.folder)

    def call_off(self) -> None:
        """A dialog was cancelled: what waited for a save (closing, the next patient) is called off."""
        self._after_save = None

    def on_dialog(self, d: Dialog, action: str) -> bool:
        """A button of one of this part's dialogs (the window closed the dialog). True when it was one."""
        if d.kind in ("save_failed", "other_visit") and action == "save_as":
            self._save_as_form()
        elif d.kind == "other_visit" and action == "save_new_visit":
            if self.save_as_new_visit():
                self.run_after_save()
        elif d.kind == "quit":
            if action == "discard":
                self._close()
            elif action == "save":
                self.save_then(self._close)
        elif d.kind == "open":
            if action == "folder":
                self._open_folder_form(d.payload["folder"])
            elif action in ("prev", "next"):
                self.open_dialog(d.payload["page"] + (1 if action == "next" else -1), d.payload["folder"],
                                 d.payload.get("find", ""))
            elif action == "find":
                self.find_form(d.payload["folder"], d.payload.get("find", ""))
            elif action == "all":
                self.open_dialog(0, d.payload["folder"])
            elif action in d.payload["file"]:
                path = d.payload["file"][action]
                if self.desk.dirty:
                    self.ctx.ask(Dialog("unsaved_open", f"Save your painting before opening {path.name}?",
                                        [f"It will be saved to {self.desk.target_path().name}."],
                                        [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")],
                                        payload=path))
                else:
                    self.load(path)
        elif d.kind == "unsaved_open":
            if action == "discard":
                self.load(d.payload)
            elif action == "save":
                self.save_then(lambda: self.load(d.payload))
        else:
            return False
        return True

    # ------------------------------------------------------------------
    # files: the decisions are the desk's (bodymap.desk); the window shows them
    def save(self) -> bool:
        """Save to the open file, or to a new file in the folder (see `Desk.default_path`)."""
        return self.save_to(self.desk.target_path())

    def save_to(self, path: Path, *, new_record: bool = False, save_as: bool = False) -> bool:
        """Save to `path` (bodymap.desk.Desk.save_to); on failure the painting stays open and Save As is
        offered; a file holding another visit or patient is never replaced ("Save as new visit" is offered)."""
        self.ctx.end_stroke()
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
        self.ctx.say(f"Saved to {path.name} in {short_path(path.parent)}")
        return True

    def save_then(self, then: Callable[[], None]) -> None:
        """Save, then run `then`; if saving fails, `then` waits for a successful Save As (or is dropped
        on Cancel)."""
        self._after_save = then
        if self.save():
            self.run_after_save()

    def run_after_save(self) -> None:
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    def save_failed(self, path: Path, exc: BodymapError) -> None:
        """The save failed: the painting stays open, the dialog names the folder, Save As is offered (the
        atomic writer leaves the old file as it was and no half-written one)."""
        self.ctx.ask(Dialog("save_failed", f"Could not save in {short_path(Path(path).parent)}",
                            [f"{exc}.".replace("..", "."), "Your painting is still open. Save As picks "
                                                           "another name or folder."],
                            [("save_as", "Save As..."), ("cancel", "Keep painting")], tone="error",
                            payload=path))

    def other_visit_dialog(self, exc: "visits.VisitConflict") -> None:
        """Saving would replace another visit or patient: offer a new file for this visit instead."""
        new = self.desk.default_path()
        self.ctx.ask(Dialog("other_visit", "This file holds another visit",
                            [f"{exc.path.name} is the {visits.describe_visit(exc.on_disk)}.",
                             f"This map is the {visits.describe_visit(self.desk.pain_map.visit.as_dict())}. "
                             f"It is not saved over it.",
                             f"Save as a new visit writes {new.name}."],
                            [("save_new_visit", "Save as new visit"), ("save_as", "Save As..."),
                             ("cancel", "Cancel")], tone="error", payload=exc.path))

    def save_as_new_visit(self) -> bool:
        """Save to a new file named after this visit (never over another), with this visit's own times."""
        return self.save_to(self.desk.default_path(), new_record=True)

    def open_initial(self, path: Path) -> Dialog | None:
        """The file the window was started with; the dialog to show at once when it cannot be read."""
        if not path.exists():
            self.desk.path = path
            self.ctx.say(f"New painting: {path.name} (created when you save)")
            return None
        try:
            m = self.desk.open(path)
        except BodymapError as exc:
            # keep the bad file untouched: saving goes to a new name
            self.desk.path = None
            return Dialog("message", "Could not open this file",
                          [f"{exc}.", f"You can paint a new map: Save writes a new file and leaves "
                                      f"{path.name} as it is."], [("ok", "OK")], tone="error")
        self._show_map(m, path)
        return None

    def load(self, path: Path) -> bool:
        try:
            m = self.desk.open(path)
        except BodymapError as exc:
            self.message("Could not open this file", str(exc))
            return False
        self._show_map(m, path)
        notes = m.meta.get("notes") or []
        self.ctx.say(f"Opened {path.name}" + (f" ({notes[0]})" if notes else ""))
        return True
