"""The confirmed diagnosis in the painting window (key D): a clinician's form, never the kiosk's.

Three fields: the diagnosis (a pattern id such as root_L5, or plain text), how it was confirmed
(imaging, block, surgery or follow-up) and the date. Empty diagnosis clears it. Checked by
bodymap.confirmed.validate_confirmed, as the file format and `bodymap confirm` check it. The functions
are given the window's part context (`PartContext`: the desk, the dialog, the toast).
"""
from __future__ import annotations

from typing import Any

from ..kit.form import FormDialog, TextField

LABELS = ("Confirmed diagnosis (pattern id, e.g. root_L5, or plain text)",
          "How: imaging, block, surgery or follow-up", "Date confirmed (YYYY-MM-DD, optional)")
KEYS = ("diagnosis", "how", "date")


def confirmed_dialog(ctx: Any, error: str | None = None, values: dict[str, str] | None = None) -> None:
    if values is None:
        c = getattr(ctx.desk.pain_map, "confirmed", None) or {}
        values = {k: str(c.get(k) or "") for k in KEYS}
    lines = [error] if error else ["Recorded for the clinic's own validation; never shown to patients. "
                                   "Leave the diagnosis empty to clear it."]
    d = FormDialog("confirmed", "Confirmed diagnosis", lines, [("ok", "Done"), ("cancel", "Cancel")],
                   tone="error" if error else "normal",
                   fields=[TextField(label, values.get(k, "")) for label, k in zip(LABELS, KEYS)])
    ctx.ask(d)


def submit_confirmed(ctx: Any, d: FormDialog) -> None:
    from ...confirmed import validate_confirmed
    from ...errors import BodymapError

    values = {k: f.value.strip() for k, f in zip(KEYS, d.fields)}
    m = ctx.desk.pain_map
    try:
        new = None if not values["diagnosis"] else validate_confirmed(
            {"diagnosis": values["diagnosis"], "how": values["how"] or None, "date": values["date"] or None},
            today=ctx.desk.now().date())
    except BodymapError as exc:
        confirmed_dialog(ctx, str(exc), values)
        return
    if new != getattr(m, "confirmed", None):
        m.confirmed = new
        m.version += 1  # an unsaved change, like every other edit
    ctx.say("Confirmed diagnosis set" if new else "Confirmed diagnosis cleared")
