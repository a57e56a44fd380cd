"""Questions in the painting window: every question the kiosk asks, answered in the clinician panel.

- `QuestionRows`: an owned part of the clinician panel (the kit's `RankingPanel`, bodymap.ui.kit.ranking, given
  it as its `rows`): the question rows, each with Yes / No / Unsure (age: Set... / Clear), which the panel
  lays out, draws and hits as `panel:q:<key>:<choice>`. Fired red flags stay in the panel's red box on top
  with their urgency; the questions come next, above the ranking (issue 21), so that a ranking that changes
  with an answer never moves the buttons: when the saddle area or both legs are painted, the red-flag
  questions first ("Ask now"), then the rest, in the kiosk's order (follow-ups only when they apply).
- the window's side (answering, the age form, the ranking and its referral zone) is the
  owned part `ClinicianPanel` (clinician.py), which holds the panel and this part.
"""
from __future__ import annotations

from typing import Any

from ... import vocabulary
from ...painting import UNSURE
from ..kit.desk_colours import RED, TEXT

CHOICES = (("yes", "Yes", True), ("no", "No", False), ("unsure", "Unsure", UNSURE))
AGE_CHOICES = (("set", "Set..."), ("clear", "Clear"))
FLAG_LINES = 2  # the panel's red-flag box keeps its height: answering never moves the buttons (issue 21)


def answer_text(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == UNSURE:
        return "unsure"
    return "" if value is None else str(value)


class QuestionRows:
    """The question rows of the clinician panel (see the module): the answers shown and whether the red-flag
    questions go first."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.urgent = False  # saddle area or both legs painted: open red-flag questions go first

    def set_answers(self, answers: dict[str, Any], urgent: bool) -> None:
        self.answers, self.urgent = dict(answers), bool(urgent)

    @property
    def state_key(self) -> Any:
        return tuple(sorted((k, str(v)) for k, v in self.answers.items())), self.urgent

    def asked(self) -> list[vocabulary.Question]:
        """The questions shown: every answer question the kiosk asks that applies to these answers."""
        return [q for q in vocabulary.questions() if q.is_answer and vocabulary.applies(q.key, self.answers)]

    def first_keys(self) -> tuple[str, ...]:
        """The red-flag questions asked first when the saddle area or both legs are painted: all of them that
        apply, answered or not, so that answering one never moves it (issue 21: the buttons stay put)."""
        if not self.urgent:
            return ()
        return tuple(q.key for q in self.asked() if "red_flag" in q.uses)

    def add_rows(self, add, s: float) -> None:
        """Every question above the ranking (issue 21): a new ranking after an answer changes the cards below,
        never the place of the buttons being answered; the questions no longer sit under a long ranking.
        `add`: the panel's row maker; `s`: its scale."""
        first = self.first_keys()
        if first:
            add("heading", "Ask now: saddle area or both legs painted", RED)
            for key in first:
                self._question_row(add, vocabulary.question(key))
        rest = [q for q in self.asked() if q.key not in set(first)]
        if rest:
            add("heading", "Questions (as the kiosk asks them)", TEXT, skip=int(8 * s))
            for q in rest:
                self._question_row(add, q)

    def _question_row(self, add, q: vocabulary.Question) -> None:
        value = self.answers.get(q.key)
        label = vocabulary.words(q.key, "clinician")
        if q.kind == "number":
            label += f": {value}" if value is not None else ": not given"
            choices = tuple((c, text, c == "clear") for c, text in AGE_CHOICES)
        else:
            choices = tuple((c, text, False) for c, text, _ in CHOICES)
        red = "red_flag" in q.uses
        add("question", label, RED if red and value in (None, UNSURE) else TEXT, key=q.key, choices=choices,
            chosen=answer_text(value))
