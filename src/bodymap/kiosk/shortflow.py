"""The short flow's part of the kiosk (issue 14): answering its screens, planning the next, changes.

A mixin of `bodymap.kiosk.flow.Kiosk` (kept apart so each stays small): it uses
the kiosk's session, config, atlas and `_emergency` / `_finish` / `touch`.
Which screen comes next is `bodymap.kiosk.plan`'s choice.
"""
from __future__ import annotations

import logging
from typing import Any

from .. import redflags, vocabulary
from . import drawing, plan

log = logging.getLogger("bodymap.kiosk")


class ShortFlow:
    _model = None
    _model_failed = False

    @property
    def red_flag_keys(self) -> tuple[str, ...]:
        """The questions on the one red-flag screen, most urgent first."""
        return plan.red_flag_screen_keys()

    @property
    def age_bands(self) -> tuple[plan.AgeBand, ...]:
        return plan.AGE_BANDS

    def _answer_short(self, key: str, kind: str, value: Any) -> None:
        m = self.session.pain_map
        if value is not None:
            if kind == "scale":
                m.set_intensity(None, int(value))
            elif kind == "decade":
                band = value if isinstance(value, plan.AgeBand) else plan.age_band(str(value))
                m.answers["age"] = band.stored
                m.extra_answers[plan.AGE_RANGE_KEY] = band.range_text
            elif kind == "redflags":
                for k, v in plan.red_flag_answers(value, self.page_keys(key)).items():
                    self._set_yes_no(k, v)
            elif kind == plan.RECHECK:  # asked again: a yes or a doubt replaces the "no"; a second no stays
                if value not in (True, False, plan.UNSURE):
                    raise ValueError(f"answer {key!r} takes yes, no or {plan.UNSURE!r}, got {value!r}")
                asked = drawing.rechecked(key)
                m.extra_answers[key] = {True: "yes", False: "no"}.get(value, plan.UNSURE)
                if value is not False:
                    self._set_yes_no(asked, value)
            else:
                if value not in (True, False, plan.UNSURE):
                    raise ValueError(f"answer {key!r} takes yes, no or {plan.UNSURE!r}, got {value!r}")
                self._set_yes_no(key, value)
        for q in vocabulary.questions():  # a changed answer drops follow-ups that no longer apply
            if q.key in m.answers and not redflags.follow_up_may_apply(q.key, m.answers):
                del m.answers[q.key]
        if self._emergency() and not self._follow_up_pending():
            self._finish()  # cauda equina signs: tell the patient now
            return
        self._advance()

    def _set_yes_no(self, key: str, value: Any) -> None:
        """Yes, no or "unsure" (file format 2 stores "unsure" as the answer)."""
        self.session.pain_map.answers[key] = value if value == plan.UNSURE else bool(value)

    @property
    def red_flag_mode(self) -> str:
        """The config's red_flag_questions: "by_context" (ADR 0042) or "all"."""
        return getattr(self.config, "red_flag_questions", plan.BY_CONTEXT)

    def page_keys(self, key: str) -> tuple[str, ...]:
        """The questions on red-flag page `key` ("red_flags_2") in this session, as planned when it was first
        shown (ADR 0042: they depend on the answers before it); every one for "red_flags"."""
        if not plan.is_page(key):
            return plan.red_flag_screen_keys()
        planned = self.session.pages.get(key) if self.session is not None else None
        if planned is not None:
            return planned[0]
        visited = [k for k, _ in self.session.asked] if self.session is not None else []
        pages = plan.red_flag_pages(plan.singles_asked(visited))
        n = int(key.rsplit("_", 1)[1])
        return pages[n - 1] if n <= len(pages) else ()

    def page_number(self, key: str) -> tuple[int, int]:
        """(n, of) for red-flag page `key`: "of" as planned when it was shown (a yes can add a page later)."""
        planned = self.session.pages.get(key) if self.session is not None else None
        visited = [k for k, _ in self.session.asked] if self.session is not None else []
        return int(key.rsplit("_", 1)[1]), planned[1] if planned else len(plan.red_flag_pages(plan.singles_asked(visited)))

    def given(self, key: str) -> Any:
        """The answer to `key` in this session: True, False, "unsure" or None (not answered)."""
        return None if self.session is None else self.session.pain_map.answers.get(key)

    def _follow_up_pending(self) -> bool:
        """A red-flag follow-up (e.g. "is the weakness new?") applies and is not answered: ask it first."""
        m = self.session.pain_map
        return bool(plan.due_follow_ups(dict(m.answers), drawing.view(m)))

    def _matcher_view(self):
        """(features, model) for choosing questions, or (None, None) if the matcher cannot be loaded.

        A broken pattern library must never stop the kiosk: then every feature question is asked."""
        if self._model is None and not self._model_failed:
            try:
                from .. import matcher

                self._model = matcher.get_model(self.atlas)
            except Exception as exc:  # noqa: BLE001 - the kiosk goes on; staff see the log
                self._model_failed = True
                log.error("pattern library unavailable, asking every question (%s)", type(exc).__name__)
        if self._model is None:
            return None, None
        from .. import matcher

        return matcher.features_of(self.session.pain_map), self._model

    def _advance(self, fresh: bool = False) -> None:
        """To the planner's next screen, or to the review when nothing more is worth asking."""
        s = self.session
        if not fresh and not s.returning:
            # answered again after "Go back": what follows is planned again from the answers as they are now
            # (answered questions stay answered and are not asked again)
            del s.asked[s.question + 1:]
        visited = [k for k, _ in s.asked]
        features, model = self._matcher_view()
        if model is None:  # no matcher: every open feature question, in vocabulary order
            nxt = plan.next_screen(s.pain_map.answers, visited, ask_age=self.config.ask_age,
                                   drawing=drawing.view(s.pain_map), mode=self.red_flag_mode, pages=s.pages)
            if nxt is None:
                from ..matcher import ANSWER_FEATURES

                nxt = next(((k, "yesno") for k in ANSWER_FEATURES
                            if k not in visited and k not in s.pain_map.answers), None)
        else:
            nxt = plan.next_screen(s.pain_map.answers, visited, ask_age=self.config.ask_age,
                                   features=features, model=model, drawing=drawing.view(s.pain_map),
                                   mode=self.red_flag_mode, pages=s.pages)
        if nxt is None:
            s.returning = False
            self.screen = "review"
        else:
            s.asked.append(nxt)
            s.question = len(s.asked) - 1
            self.screen = "question"
        self.touch()

    def change(self, target: str) -> None:
        """From the review: go back to one screen ("paint", a question key or "red_flags"), then to the review.

        A screen the planner now finds worth asking (e.g. a question the new painting makes
        matter) is asked on the way back."""
        self._need("review")
        s = self.session
        s.returning = True
        if target == "paint":
            self.screen = "paint"
        else:
            idx = next((i for i, (k, _) in enumerate(s.asked) if k == target), None)
            if idx is None:
                raise ValueError(f"{target!r} was not asked in this session")
            s.question = idx
            self.screen = "question"
        self.touch()

    def review_items(self) -> list[tuple[str, str]]:
        """What the review can change, in order: ("paint", "paint") then each screen asked (key, kind)."""
        return [("paint", "paint")] + list(self.session.asked if self.session else [])
