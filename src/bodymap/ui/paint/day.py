"""A clinic day in the painting window: new patient, Save As, the visit fields, the PDF, help.

A part of `PaintScreen` (bodymap.ui.paint.screen): the methods share its state.

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
from typing import Callable

import pygame

from ...desk import short_path
from ...errors import BodymapError
from ...painting import VISIT_FIELDS
from ..kit.form import FitDialog, FormDialog, TextField

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


class PaintDay:
    """New patient, Save As, visit fields, PDF and the help overlay."""

    _after_save: Callable[[], None] | None = None

    # ------------------------------------------------------------------
    # new patient
    def new_patient(self) -> None:
        self._end_stroke()
        if not self.dirty:
            self._start_new_patient()
            return
        self._open_dialog(FitDialog("unsaved_new", "Save this patient's painting before the next patient?",
                                    [f"It will be saved to {self._target_path().name}."],
                                    [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))

    def _start_new_patient(self) -> None:
        self._set_map(self.desk.new_patient(), None)  # nothing of the previous patient is remembered
        self.zoom = None
        self.panel.scroll = 0
        self._layout()
        self.show_toast("New patient: an empty map (saved to a new file)")

    # ------------------------------------------------------------------
    # new visit of the same patient
    def new_visit_dialog(self, ask_save: bool = True) -> None:
        """A new visit of this patient: unsaved changes are asked about first, then empty or a copy."""
        self._end_stroke()
        pid = self.pain_map.visit.patient_id
        if not pid:
            self.message("New visit needs a patient", "Set the patient identifier first (Visit...), or open "
                         "the patient's last map.", error=False)
            return
        if ask_save and self.dirty:
            self._open_dialog(FitDialog("unsaved_visit", "Save this visit before starting the next?",
                                        [f"It will be saved to {self._target_path().name}."],
                                        [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))
            return
        today = self._now().date().isoformat()
        last = self.pain_map.visit.visit_date or "no date"
        self._open_dialog(FitDialog("new_visit", f"New visit for {pid}",
                                    [f"Visit date: {today} (the last visit: {last}).",
                                     "Start with an empty map, or with a copy of the last painting to edit. "
                                     "It is saved to a new file; the last visit stays as it is."],
                                    [("visit_empty", "Empty map"), ("visit_copy", "Copy last painting"),
                                     ("cancel", "Cancel")]))

    def _start_new_visit(self, copy: bool) -> None:
        m = self.desk.new_visit(copy)  # today's date, its own painted time, unsaved until saved
        self._set_map(m, None)
        self.zoom = None
        self.panel.scroll = 0
        self._layout()
        self.show_toast(f"New visit {m.visit.visit_date} for {m.visit.patient_id}"
                        + (" (a copy of the last painting)" if copy else ""))

    # ------------------------------------------------------------------
    # saving with a continuation
    def save_then(self, then: Callable[[], None]) -> None:
        """Save, then run `then`; if saving fails, `then` waits for a successful Save As (or is dropped
        on Cancel)."""
        self._after_save = then
        if self.save():
            self._run_after_save()

    def _run_after_save(self) -> None:
        then, self._after_save = self._after_save, None
        if then is not None:
            then()

    def save_failed(self, path: Path, exc: BodymapError) -> None:
        """The save failed: the painting stays open, the dialog names the folder, Save As is offered (the
        atomic writer leaves the old file as it was and no half-written one)."""
        self._open_dialog(FitDialog("save_failed", f"Could not save in {short_path(Path(path).parent)}",
                                    [f"{exc}.".replace("..", "."), "Your painting is still open. Save As picks "
                                                                   "another name or folder."],
                                    [("save_as", "Save As..."), ("cancel", "Keep painting")], tone="error",
                                    payload=path))

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
        self._open_dialog(d)

    def open_folder_dialog(self, start: Path, error: str | None = None) -> None:
        """Pick the folder whose maps Open lists: typed, or a subfolder / Up picked."""
        d = FormDialog("open_folder", "Open from another folder", [error] if error else
                       ["Type a folder, or pick one below."], [("ok", "List maps"), ("cancel", "Cancel")],
                       tone="error" if error else "normal", fields=[TextField("Folder", short_path(start))],
                       choices_title="Folders here:")
        self._fill_folder_choices(d)
        self._open_dialog(d)

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

    def _form_action(self, d: FormDialog, action: str) -> bool:
        """A form's own actions (focus, folder choice, submit). True when handled here."""
        if action.startswith("field:"):
            d.focus = int(action.split(":", 1)[1])
            return True
        if d.kind in ("save_as", "open_folder") and (action == "up" or action.startswith("dir:")):
            target = d.payload["folder"].parent if action == "up" else d.payload["dirs"][action]
            d.fields[-1].set(short_path(target))
            d.focus = len(d.fields) - 1
            self._refresh_form(d)
            return True
        if action == "ok":
            self.dialog = None
            if d.kind == "save_as":
                self._submit_save_as(d)
            elif d.kind == "visit":
                self._submit_visit(d)
            elif d.kind == "confirmed":  # issue 25
                from .confirmed import submit_confirmed

                submit_confirmed(self, d)
            elif d.kind == "age":
                self._submit_age(d)
            elif d.kind == "open_folder":
                folder = Path(os.path.expanduser(d.fields[0].value.strip() or "."))
                if folder.is_dir():
                    self.open_dialog(0, folder)
                else:
                    self.open_folder_dialog(folder, f"The folder {folder} does not exist: pick or type another.")
            return True
        return False

    def _refresh_form(self, d: FormDialog) -> None:
        if d.kind in ("save_as", "open_folder"):
            self._fill_folder_choices(d)
        d.layout(pygame.Rect(0, 0, *self.size), self.s, self.font_size)

    def _submit_save_as(self, d: FormDialog) -> None:
        again = {"name": d.fields[0].value, "folder": d.fields[1].value}
        try:
            path = self.desk.save_as_target(d.fields[0].value, d.fields[1].value)
        except BodymapError as exc:
            self.save_as_dialog(str(exc), **again)
            return
        if self.save_to(path, save_as=True):
            self._run_after_save()

    # ------------------------------------------------------------------
    # visit fields
    def visit_dialog(self, error: str | None = None, values: dict[str, str] | None = None) -> None:
        v = self.pain_map.visit.as_dict()
        if values is None:
            values = {k: str(v.get(k) or "") for k in VISIT_FIELDS}
            values["visit_date"] = values["visit_date"] or self._now().date().isoformat()
        d = FormDialog("visit", "Visit", [error] if error else ["No field is required."],
                       [("ok", "Done"), ("cancel", "Cancel")], tone="error" if error else "normal",
                       fields=[TextField(VISIT_LABELS.get(k, k), values.get(k, "")) for k in VISIT_FIELDS])
        self._open_dialog(d)

    def _submit_visit(self, d: FormDialog) -> None:
        values = {k: f.value for k, f in zip(VISIT_FIELDS, d.fields)}
        try:
            self.desk.set_visit(values)
        except BodymapError as exc:
            self.visit_dialog(str(exc), values)
            return
        self.show_toast("Visit details set" if self.pain_map.visit.as_dict() else "Visit details cleared")

    # ------------------------------------------------------------------
    # typing into a form
    def form_key(self, event) -> None:
        d = self.dialog
        k = event.key
        if k == pygame.K_ESCAPE:
            self._dialog_action("cancel")
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self._dialog_action("ok")
        elif k == pygame.K_TAB and d.fields:
            d.focus = (d.focus + (-1 if event.mod & pygame.KMOD_SHIFT else 1)) % len(d.fields)
        elif d.focused is not None and d.focused.key(k):
            self._after_typing(d)

    def _text(self, text: str) -> None:
        """Typed characters (TEXTINPUT): into a form's field, or "?" (help), "+"/"-" (zoom)."""
        swallow, self._swallow_text = getattr(self, "_swallow_text", None), None
        if swallow is not None and text.lower() == swallow:
            return  # the letter of the shortcut that opened the form is not typed into it
        if isinstance(self.dialog, FormDialog):
            self.form_text(text)
        elif self.dialog is None and text == "?":
            self.help_dialog()
        elif self.dialog is None and text in ("+", "="):
            self.zoom_by(2.0)
        elif self.dialog is None and text == "-":
            self.zoom_by(0.5)

    def form_text(self, text: str) -> None:
        d = self.dialog
        if d.focused is not None:
            d.focused.insert(text)
            self._after_typing(d)

    def _after_typing(self, d: FormDialog) -> None:
        if d.kind in ("save_as", "open_folder") and d.focus == len(d.fields) - 1:
            self._refresh_form(d)

    # ------------------------------------------------------------------
    # print
    def pdf_path(self) -> Path:
        return self._target_path().with_suffix(".pdf")

    def print_pdf(self) -> Path | None:
        """Write the same one-page report as `bodymap report` next to the map (or where it will be saved)."""
        self._end_stroke()
        out = self.pdf_path()
        try:
            from ...exports.report import write_report

            write_report(self.pain_map, out, {"file": self._target_path().name})
        except ImportError as exc:
            self.message("Could not write the PDF", f"The PDF needs reportlab ({exc}).")
            return None
        except (BodymapError, OSError) as exc:
            self.message("Could not write the PDF", f"{out}: {exc}")
            return None
        self.show_toast(f"PDF written: {out.name}")
        return out

    # ------------------------------------------------------------------
    # pain score and help
    def clear_pain_score(self) -> None:
        self.slider.value = None
        if self.desk.clear_pain_score():
            self._ranking_dirty = True
            self.show_toast("Pain score: not given")

    def help_dialog(self) -> None:
        self._open_dialog(FitDialog("help", "Keyboard shortcuts", [f"{k}: {v}" for k, v in SHORTCUTS],
                                    [("ok", "Close")]))
