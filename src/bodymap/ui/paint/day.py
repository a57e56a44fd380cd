"""A clinic day in the painting window: new patient, Save As, the visit fields, the PDF, help.

`ClinicDay` is an owned part of `PaintScreen` (bodymap.ui.paint.screen), given the part context (the desk,
the toast, the dialog, the layout), the file actions (`FileActions`: Save and what waits for it, Open) and
the window's doings it needs (show another map, mark the ranking stale).

- New patient clears everything (paint, pain score, answers, visit fields, times) and
  the next save goes to a new file, never over the previous patient's; unsaved changes
  are asked about first (Save / Discard / Cancel).
- Save As is a form in the window: a file name and a folder (typed, or picked from the
  folder's subfolders and "Up"); Enter saves, Esc cancels.
- A save that fails (missing folder, read-only, disk full) leaves the painting open and
  offers Save As; whatever was waiting for the save (closing, the next patient) waits on.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import pygame

from ...desk import short_path
from ...errors import BodymapError
from ...painting import VISIT_FIELDS
from ..kit.form import FitDialog, FormDialog, TextField

from .context import PartContext
from .files import FileActions

MAX_SUBFOLDERS = 8
VISIT_LABELS = {"patient_id": "Patient identifier (e.g. record number)", "visit_date": "Visit date (YYYY-MM-DD)",
                "recorded_by": "Recorded by", "note": "Clinical note"}
SHORTCUTS = [
    ("F1 or ?", "this help"),
    ("Ctrl+N", "new patient"),
    ("Ctrl+Shift+N", "new visit of this patient"),
    ("Ctrl+S", "save"),
    ("Ctrl+Shift+S", "save as (name and folder)"),
    ("Ctrl+O", "open a saved map"),
    ("Ctrl+P", "print: write the PDF report"),
    ("V", "visit: patient identifier, date, note"),
    ("D", "confirmed diagnosis (for the clinic's own validation)"),
    ("Ctrl+Z / Ctrl+Y", "undo / redo"),
    ("1-5", "choose a sensation"),
    ("E", "eraser"),
    ("F3 or Ctrl+F", "find a region by name: fill or clear it (Regions list)"),
    ("0", "pain score: not given"),
    ("+ / - or wheel", "zoom in / out where the pointer is"),
    ("Z", "zoom: whole body again"),
    ("Arrow keys", "move a zoomed view"),
    ("F2", "show or hide the clinician panel"),
    ("Enter / Esc", "in a form: save / cancel"),
]


class ClinicDay:
    """New patient, new visit, Save As, visit fields, PDF, the pain score and the help overlay."""

    def __init__(self, ctx: PartContext, files: FileActions, *, show_map: Callable[..., None],
                 ranking_stale: Callable[[], None]):
        self.ctx = ctx
        self.desk = ctx.desk
        self.files = files
        self._show_map = show_map  # another map on the desk: (map, path, whole_body=True), the window shows it
        self._ranking_stale = ranking_stale

    # ------------------------------------------------------------------
    # new patient
    def new_patient(self) -> None:
        self.ctx.end_stroke()
        if not self.desk.dirty:
            self._start_new_patient()
            return
        self.ctx.ask(FitDialog("unsaved_new", "Save this patient's painting before the next patient?",
                               [f"It will be saved to {self.desk.target_path().name}."],
                               [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))

    def _start_new_patient(self) -> None:
        self._show_map(self.desk.new_patient(), None, whole_body=True)  # nothing of the previous patient is kept
        self.ctx.say("New patient: an empty map (saved to a new file)")

    # ------------------------------------------------------------------
    # new visit of the same patient
    def new_visit_dialog(self, ask_save: bool = True) -> None:
        """A new visit of this patient: unsaved changes are asked about first, then empty or a copy."""
        self.ctx.end_stroke()
        visit = self.desk.pain_map.visit
        pid = visit.patient_id
        if not pid:
            self.files.message("New visit needs a patient", "Set the patient identifier first (Visit...), or open "
                               "the patient's last map.", error=False)
            return
        if ask_save and self.desk.dirty:
            self.ctx.ask(FitDialog("unsaved_visit", "Save this visit before starting the next?",
                                   [f"It will be saved to {self.desk.target_path().name}."],
                                   [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))
            return
        today = self.desk.now().date().isoformat()
        last = visit.visit_date or "no date"
        self.ctx.ask(FitDialog("new_visit", f"New visit for {pid}",
                               [f"Visit date: {today} (the last visit: {last}).",
                                "Start with an empty map, or with a copy of the last painting to edit. "
                                "It is saved to a new file; the last visit stays as it is."],
                               [("visit_empty", "Empty map"), ("visit_copy", "Copy last painting"),
                                ("cancel", "Cancel")]))

    def _start_new_visit(self, copy: bool) -> None:
        m = self.desk.new_visit(copy)  # today's date, its own painted time, unsaved until saved
        self._show_map(m, None, whole_body=True)
        self.ctx.say(f"New visit {m.visit.visit_date} for {m.visit.patient_id}"
                     + (" (a copy of the last painting)" if copy else ""))

    def on_dialog(self, d: Any, action: str) -> bool:
        """A button of one of this part's dialogs (the window closed the dialog). True when it was one."""
        if d.kind == "new_visit" and action in ("visit_empty", "visit_copy"):
            self._start_new_visit(copy=action == "visit_copy")
        elif d.kind == "unsaved_visit":
            if action == "discard":
                self.new_visit_dialog(ask_save=False)
            elif action == "save":
                self.files.save_then(lambda: self.new_visit_dialog(ask_save=False))
        elif d.kind == "unsaved_new":
            if action == "discard":
                self._start_new_patient()
            elif action == "save":
                self.files.save_then(self._start_new_patient)
        else:
            return False
        return True

    # ------------------------------------------------------------------
    # save as
    def save_as_dialog(self, error: str | None = None, name: str | None = None, folder: str | None = None) -> None:
        """Save As: the map's own file name, or one suggested from the visit (never the last patient's); a
        folder typed or picked; a folder that does not exist yet is made."""
        # this map's own file name, else one from the visit (New patient forgets the last patient's file/folder)
        target = self.desk.save_as_start()
        start = Path(folder) if folder is not None else target.parent
        d = FormDialog("save_as", "Save As", [error] if error else
                       ["Type a file name; pick or type a folder (a new folder is made)."],
                       [("ok", "Save"), ("cancel", "Cancel")], tone="error" if error else "normal",
                       fields=[TextField("File name", name if name is not None else target.name),
                               TextField("Folder", short_path(start))],
                       choices_title="Folders here:")
        self._fill_folder_choices(d)
        self.ctx.ask(d)

    def open_folder_dialog(self, start: Path, error: str | None = None) -> None:
        """Pick the folder whose maps Open lists: typed, or a subfolder / Up picked."""
        d = FormDialog("open_folder", "Open from another folder", [error] if error else
                       ["Type a folder, or pick one below."], [("ok", "List maps"), ("cancel", "Cancel")],
                       tone="error" if error else "normal", fields=[TextField("Folder", short_path(start))],
                       choices_title="Folders here:")
        self._fill_folder_choices(d)
        self.ctx.ask(d)

    def _fill_folder_choices(self, d: FormDialog) -> None:
        folder = Path(os.path.expanduser(d.fields[-1].value.strip() or "."))
        subs: list[Path] = []
        try:
            if folder.is_dir():
                subs = sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
                              key=lambda p: p.name.lower())[:MAX_SUBFOLDERS]
        except OSError:
            subs = []
        d.choices = ([("up", f"Up: {short_path(folder.parent)}")] if folder.parent != folder else []) + \
            [(f"dir:{i}", f"{p.name}/") for i, p in enumerate(subs)]
        d.payload = {"dirs": {f"dir:{i}": p for i, p in enumerate(subs)}, "folder": folder}

    def form_choice(self, d: FormDialog, action: str) -> bool:
        """A form's own actions before it is submitted (focus a field, pick a folder). True when handled."""
        if action.startswith("field:"):
            d.focus = int(action.split(":", 1)[1])
            return True
        if d.kind in ("save_as", "open_folder") and (action == "up" or action.startswith("dir:")):
            target = d.payload["folder"].parent if action == "up" else d.payload["dirs"][action]
            d.fields[-1].set(short_path(target))
            d.focus = len(d.fields) - 1
            self._refresh_form(d)
            return True
        return False

    def submit_open_folder(self, d: FormDialog) -> None:
        folder = Path(os.path.expanduser(d.fields[0].value.strip() or "."))
        if folder.is_dir():
            self.files.open_dialog(0, folder)
        else:
            self.open_folder_dialog(folder, f"The folder {folder} does not exist: pick or type another.")

    def _refresh_form(self, d: FormDialog) -> None:
        if d.kind in ("save_as", "open_folder"):
            self._fill_folder_choices(d)
        lay = self.ctx.layout()
        d.layout(pygame.Rect(0, 0, *lay.size), lay.s, lay.font_size)

    def submit_save_as(self, d: FormDialog) -> None:
        again = {"name": d.fields[0].value, "folder": d.fields[1].value}
        try:
            path = self.desk.save_as_target(d.fields[0].value, d.fields[1].value)
        except BodymapError as exc:
            self.save_as_dialog(str(exc), **again)
            return
        if self.files.save_to(path, save_as=True):
            self.files.run_after_save()

    # ------------------------------------------------------------------
    # visit fields
    def visit_dialog(self, error: str | None = None, values: dict[str, str] | None = None) -> None:
        v = self.desk.pain_map.visit.as_dict()
        if values is None:
            values = {k: str(v.get(k) or "") for k in VISIT_FIELDS}
            values["visit_date"] = values["visit_date"] or self.desk.now().date().isoformat()
        d = FormDialog("visit", "Visit", [error] if error else ["No field is required."],
                       [("ok", "Done"), ("cancel", "Cancel")], tone="error" if error else "normal",
                       fields=[TextField(VISIT_LABELS.get(k, k), values.get(k, "")) for k in VISIT_FIELDS])
        self.ctx.ask(d)

    def submit_visit(self, d: FormDialog) -> None:
        values = {k: f.value for k, f in zip(VISIT_FIELDS, d.fields)}
        try:
            self.desk.set_visit(values)
        except BodymapError as exc:
            self.visit_dialog(str(exc), values)
            return
        self.ctx.say("Visit details set" if self.desk.pain_map.visit.as_dict() else "Visit details cleared")

    def after_typing(self, d: FormDialog) -> None:
        """A key typed into a form: the folder field lists that folder's subfolders."""
        if d.kind in ("save_as", "open_folder") and d.focus == len(d.fields) - 1:
            self._refresh_form(d)

    # ------------------------------------------------------------------
    # print
    def pdf_path(self) -> Path:
        return self.desk.target_path().with_suffix(".pdf")

    def print_pdf(self) -> Path | None:
        """Write the same one-page report as `bodymap report` next to the map (or where it will be saved)."""
        self.ctx.end_stroke()
        out = self.pdf_path()
        try:
            from ...exports.report import write_report

            write_report(self.desk.pain_map, out, {"file": self.desk.target_path().name})
        except ImportError as exc:
            self.files.message("Could not write the PDF", f"The PDF needs reportlab ({exc}).")
            return None
        except (BodymapError, OSError) as exc:
            self.files.message("Could not write the PDF", f"{out}: {exc}")
            return None
        self.ctx.say(f"PDF written: {out.name}")
        return out

    # ------------------------------------------------------------------
    # pain score and help
    def clear_pain_score(self) -> None:
        self.ctx.layout().slider.value = None
        if self.desk.clear_pain_score():
            self._ranking_stale()
            self.ctx.say("Pain score: not given")

    def help_dialog(self) -> None:
        self.ctx.ask(FitDialog("help", "Keyboard shortcuts", [f"{k}: {v}" for k, v in SHORTCUTS],
                               [("ok", "Close")]))
