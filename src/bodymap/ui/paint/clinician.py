"""The clinician panel's part of the painting window: `ClinicianPanel`, an owned part of `PaintScreen`.

It holds the panel on screen (the kit's `RankingPanel`: the red-flag box and the ranking, with the question
rows of questions.py, `QuestionRows`, as its own rows), the ranking the matcher last gave, why it failed if it did, the pattern selected and its referral zone, and
whether the ranking is stale. Answering goes through the painting desk (tapping the chosen answer again
clears it; bodymap.desk), and the ranking and the flags follow at once. The matcher (`bodymap.matcher`, or the
one the window was given) is imported only when the panel first needs it; a matcher that is missing or fails
never hides a flag (triage, through the desk). It is given the desk, the matcher, whether the panel shows,
and the window's toast and dialog.
"""
from __future__ import annotations

from typing import Any, Callable

from ... import vocabulary
from ...errors import BodymapError
from ..kit.form import FormDialog, TextField
from ..kit.ranking import RankingPanel, load_matcher

from .context import PartContext
from .questions import FLAG_LINES, QuestionRows


class ClinicianPanel:
    """The ranking, its zone and the answers (see the module)."""

    def __init__(self, ctx: PartContext, matcher: Any, shown: Callable[[], bool]):
        self.ctx = ctx
        self.questions = QuestionRows()  # the question rows, a part of the panel (questions.py)
        self.panel = RankingPanel(self.questions, flag_lines=FLAG_LINES)
        self.ranking: Any = None
        self.matcher_error: str | None = None
        self.zone: dict[str, float] | None = None  # the selected pattern's referral zone (region -> share)
        self.matcher_calls = 0
        self.stale = True  # the ranking no longer fits the map or its answers
        self._matcher = matcher
        self._shown = shown  # the panel shows (F2 hides it; then the matcher is never run)

    def matcher(self) -> Any:
        """The matcher, imported on first use (raises ImportError when it is not there)."""
        if self._matcher is None:
            self._matcher = load_matcher()
        return self._matcher

    def refresh(self) -> None:
        """Rank the map again and show it, with the questions that now apply."""
        self.stale = False
        self.matcher_calls += 1
        desk = self.ctx.desk
        # a broken matcher must not close the patient's window, nor hide a flag (triage, bodymap.desk)
        self.ranking, self.matcher_error = desk.assess(self.matcher)
        before = self.panel.selected
        m = desk.pain_map
        self.questions.set_answers(m.answers, m.saddle_painted or m.both_legs_painted)
        disclaimer = getattr(self._matcher, "DISCLAIMER", None) if self.matcher_error is None else None
        self.panel.set_ranking(self.ranking, self.matcher_error, m.is_empty,
                               disclaimer if isinstance(disclaimer, str) else None)
        if self.panel.selected != before:
            self._update_zone()

    def select(self, index: int | None) -> None:
        """A tapped pattern: select it (again: unselect) and shade its referral zone."""
        self.panel.select(index)
        self._update_zone()

    def mark_stale(self) -> None:
        """The map or its answers changed: rank again in the next quiet frame (or at once, `refresh`)."""
        self.stale = True

    def forget(self) -> None:
        """Another map is on the desk: nothing selected, the ranking stale."""
        self.stale = True
        self.panel.selected = None
        self.zone = None

    def _update_zone(self) -> None:
        self.zone = None
        if self.panel.selected is None:
            return
        pid, side = self.panel.selected
        try:
            zone = self.matcher().pattern_zone(self.ctx.desk.atlas, pid, side)
            self.zone = {str(k): float(v) for k, v in dict(zone).items()}
        except Exception as exc:  # noqa: BLE001
            self.ctx.say(f"Zone not available ({type(exc).__name__})")

    def scroll_key(self) -> Any:
        """What the panel shows (a change redraws the panel alone in a partial frame)."""
        p = self.panel
        zone = None if self.zone is None else tuple(sorted(self.zone.items()))
        return (p.scroll, p.selected, id(p.ranking), p.computed, self.matcher_error, zone,
                self.questions.state_key)

    def target_action(self, target: Any) -> tuple | None:
        """What a tapped panel target does: ("answer", key, choice) or ("hypothesis", index); else None."""
        if isinstance(target, str) and target.startswith("panel:q:"):
            key, choice = target[len("panel:q:"):].rsplit(":", 1)
            return ("answer", key, choice)
        for row in self.panel.rows:
            if row.kind == "hypothesis" and target == f"panel:hyp:{row.index}":
                return ("hypothesis", row.index)
        return None

    # ------------------------------------------------------------------
    # answers
    def answer(self, action: tuple) -> None:
        """An answer button: ("answer", key, "yes" | "no" | "unsure" | "set" | "clear")."""
        _, key, choice = action
        q = vocabulary.question(key)
        if q.kind == "number":
            if choice == "set":
                self.age_dialog()
            else:
                self.set_answer(key, None)
            return
        if self.ctx.desk.answer(key, choice):  # tapping the chosen answer again clears it (bodymap.desk)
            self._answer_changed()

    def set_answer(self, key: str, value: Any) -> None:
        """Set (or with None clear) one answer; the ranking and the flags follow at once."""
        if self.ctx.desk.set_answer(key, value):  # an unsaved change, and the ranking is stale
            self._answer_changed()

    def _answer_changed(self) -> None:
        self.stale = True
        if self._shown():
            self.refresh()

    def age_dialog(self, error: str | None = None, value: str | None = None) -> None:
        age = self.ctx.desk.pain_map.answers.get("age")
        lo, hi = vocabulary.question("age").range
        self.ctx.ask(FormDialog("age", vocabulary.words("age", "clinician"),
                                [error] if error else [f"Whole years, {lo} to {hi}."],
                                [("ok", "Done"), ("cancel", "Cancel")], tone="error" if error else "normal",
                                fields=[TextField("Age in years", value if value is not None else
                                                  ("" if age is None else str(age)), max_length=3)]))

    def submit_age(self, d: FormDialog) -> None:
        text = d.fields[0].value.strip()
        if not text:
            self.set_answer("age", None)
            return
        try:
            if not text.isdigit():
                raise BodymapError(f"{text!r} is not a whole number of years")
            self.set_answer("age", int(text))
        except BodymapError as exc:
            self.age_dialog(str(exc), text)
