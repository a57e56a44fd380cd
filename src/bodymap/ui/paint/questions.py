"""Questions in the painting window: every question the kiosk asks, answered in the clinician panel.

- `QuestionPanel`: the clinician panel (the kit's `RankingPanel`, bodymap.ui.kit.ranking) plus question rows, each with
  Yes / No / Unsure (age: Set... / Clear). Fired red flags stay in the red box on top
  with their urgency; the questions come next, above the ranking (issue 21), so that a
  ranking that changes with an answer never moves the buttons: when the saddle area or
  both legs are painted, the red-flag questions first ("Ask now"), then the rest, in the
  kiosk's order (follow-ups only when they apply).
- the window's side (answering, the age form, the ranking and its referral zone) is the
  owned part `ClinicianPanel` (clinician.py), which holds this panel.
"""
from __future__ import annotations

from typing import Any

import pygame

from ... import vocabulary
from ...painting import UNSURE
from ..kit.ranking import RankingPanel
from ..kit.desk_colours import BUTTON_BG, BUTTON_BORDER, MUTED, RED, SELECT_BG, SELECT_BORDER, TEXT

CHOICES = (("yes", "Yes", True), ("no", "No", False), ("unsure", "Unsure", UNSURE))
AGE_CHOICES = (("set", "Set..."), ("clear", "Clear"))


def answer_text(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if value == UNSURE:
        return "unsure"
    return "" if value is None else str(value)


class QuestionPanel(RankingPanel):
    """The clinician panel with the questions (see the module)."""

    flag_lines = 2  # the red-flag box keeps its height: answering never moves the buttons (issue 21)

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}
        self.urgent = False  # saddle area or both legs painted: open red-flag questions go first
        super().__init__()

    def set_questions(self, answers: dict[str, Any], urgent: bool) -> None:
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

    def _rows_first(self, add) -> None:
        """Every question above the ranking (issue 21): a new ranking after an answer changes the cards below,
        never the place of the buttons being answered; the questions no longer sit under a long ranking."""
        first = self.first_keys()
        if first:
            add("heading", "Ask now: saddle area or both legs painted", RED)
            for key in first:
                self._question_row(add, vocabulary.question(key))
        rest = [q for q in self.asked() if q.key not in set(first)]
        if rest:
            add("heading", "Questions (as the kiosk asks them)", TEXT, skip=int(8 * self._s))
            for q in rest:
                self._question_row(add, q)

    def _rows_last(self, add) -> None:
        return None

    def _question_row(self, add, q: vocabulary.Question) -> None:
        btn_h = int(48 * self._s)
        gap = int(6 * self._s)
        value = self.answers.get(q.key)
        label = vocabulary.words(q.key, "clinician")
        if q.kind == "number":
            label += f": {value}" if value is not None else ": not given"
        red = "red_flag" in q.uses
        add("question", label, RED if red and value in (None, UNSURE) else TEXT, extra_h=btn_h + gap, key=q.key)

    def choice_rects(self, row) -> dict[str, pygame.Rect]:
        """The answer buttons of a question row, in panel coordinates (before scrolling)."""
        btn_h = int(48 * self._s)
        gap = int(6 * self._s)
        r = row.rect
        choices = AGE_CHOICES if vocabulary.question(row.key).kind == "number" else \
            tuple((c, label) for c, label, _ in CHOICES)
        n = len(choices)
        w = (r.width - gap * (n - 1)) // n
        return {c: pygame.Rect(r.left + i * (w + gap), r.bottom - btn_h, w, btn_h) for i, (c, _) in enumerate(choices)}

    def hit(self, pos) -> str | None:
        if self.rect.collidepoint(pos) and pos[1] >= self.rect.top + self.fixed_h:
            for row in self.rows:
                if row.kind == "question":
                    for c, r in self.choice_rects(row).items():
                        if r.move(self.rect.left, self.rect.top - self.scroll).collidepoint(pos):
                            return f"panel:q:{row.key}:{c}"
        return super().hit(pos)

    def _render(self, text) -> pygame.Surface:
        surf = super()._render(text)
        size = self._size
        surf.set_clip(pygame.Rect(0, self.fixed_h, self.rect.width, max(self.rect.height - self.fixed_h, 0)))
        labels = dict(AGE_CHOICES) | {c: label for c, label, _ in CHOICES}
        for row in self.rows:
            if row.kind != "question":
                continue
            current = answer_text(self.answers.get(row.key))
            for c, r in self.choice_rects(row).items():
                r = r.move(0, -self.scroll)
                if r.bottom < self.fixed_h or r.top > self.rect.height:
                    continue
                on = c == current
                pygame.draw.rect(surf, SELECT_BG if on else BUTTON_BG, r, border_radius=8)
                pygame.draw.rect(surf, SELECT_BORDER if on else BUTTON_BORDER, r, width=3 if on else 2,
                                 border_radius=8)
                t = text(labels[c], max(14, int(size * 0.85)), TEXT if on or c != "clear" else MUTED)
                surf.blit(t, t.get_rect(center=r.center))
        surf.set_clip(None)
        return surf
