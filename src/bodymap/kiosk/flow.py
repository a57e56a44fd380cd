"""The kiosk flow as a headless state machine; the pygame screens only draw it and feed it events.

welcome -> paint -> question screens -> review -> thanks | redflag -> welcome.
The questions' words and follow-ups come from the one vocabulary (regions/questions.yaml).

The short flow (issue 14, the default; bodymap.kiosk.plan and shortflow.py): the
pain 0-10 and the age band in one tap each, every red-flag question on one
screen, then only the feature questions whose answer could change the top of
the ranking. Only an `emergency` flag (cauda equina signs) ends the questions at
once and shows the red-flag screen ("please tell the reception staff now"); a
`same_day` flag is saved and logged for staff and the patient sees the usual
calm thanks. "Not sure" answers raise flags too (bodymap.unsure). The review's
"change" returns to the screen concerned. A lone risk factor is not a flag: the
clinician sees it as a prompt.

The older flow (`short_flow: false`): one question per screen in the
vocabulary's order; an `emergency` ends the questions at once, a `same_day`
flag lets the patient finish calmly and then shows the red-flag screen.

The red-flag screen returns to welcome by itself after `redflag_screen_s`.
Idle: after (timeout - warning) seconds without a touch the "still there?"
countdown shows; at the timeout the session is discarded and welcome returns.
"""
from __future__ import annotations

import gc
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from .. import redflags, vocabulary
from ..atlas import Atlas
from ..redflags import EMERGENCY, SAME_DAY
from ..painting import RECORDED_AT_KIOSK, PainMap
from . import drawing, plan
from .flags import session_flags
from .choices import PatientChoices
from .shortflow import ShortFlow
from .config import KioskConfig
from .security import PinGuard, new_session_code
from .reception import StaffState, state_path
from .spool import Drafts, RecoveryStatus, Spool, count_recovery

log = logging.getLogger("bodymap.kiosk")

EXIT_STAFF = 0  # staff left with the PIN: systemd Restart=on-failure does not restart
EXIT_CONFIG = 2  # bad config or folders: restarting would not help (RestartPreventExitStatus=2)
EXIT_CRASH = 70  # an unexpected error was caught at the top: restart

# The kiosk's question screens, in order: (key, kind), kind yesno | number | scale.
# Not to be confused with painting.QUESTIONS, the answer keys (see CONTEXT.md).
QUESTION_SCREENS: tuple[tuple[str, str], ...] = tuple((q.key, q.kind) for q in vocabulary.questions())
QUESTIONS = QUESTION_SCREENS  # the name older code and tests use
ALARM_URGENCIES = (EMERGENCY, SAME_DAY)  # flags that end on the red-flag screen (tell reception today)
SHORT_FLOW_ALARM = (EMERGENCY,)  # in the short flow only an emergency alarms the patient


@dataclass
class Session:
    code: str
    language: str
    pain_map: PainMap
    started: float
    question: int = 0
    asked: list = field(default_factory=list)  # short flow: the (key, kind) screens shown, in order
    returning: bool = False  # short flow: a change from the review; back to the review when done
    pages: dict = field(default_factory=dict)  # short flow: red-flag page key -> (its questions, pages in all)


@dataclass
class Kiosk(ShortFlow, PatientChoices):
    config: KioskConfig
    atlas: Atlas
    clock: Callable[[], float] = time.monotonic
    screen: str = "welcome"  # welcome, paint, question, review, thanks, redflag
    session: Session | None = None
    last_activity: float = 0.0
    finished_code: str | None = None
    finished_flags: list[dict] = field(default_factory=list)
    sessions_finished: int = 0
    recovered: list = field(default_factory=list)

    def __post_init__(self):
        self._model = None
        self._model_failed = False
        sharing = self.config.sharing()  # spool and recovery readable by a review PC's group, if configured
        self.spool = Spool(self.config.spool_dir, fallbacks=(self.config.recovery_dir, self.config.drafts_dir),
                           sharing=sharing)
        self.drafts = Drafts(self.config.drafts_dir, self.config.recovery_dir, sharing=sharing)
        self.pin_guard = PinGuard(clock=self.clock)
        self._start_recovery()
        # the staff marks and the PIN backoff survive a restart (bodymap.kiosk.reception)
        self.staff = StaffState(state_path(self.config.drafts_dir), clock=self.clock,
                                on_flag=getattr(self.config, "on_flag", None))
        self.staff.restore_pin(self.pin_guard)
        self.language = self.config.default_language
        self.last_activity = self.clock()
        self._used_codes: set[str] = set()

    # -- patient actions ------------------------------------------------
    @property
    def short_flow(self) -> bool:
        return bool(self.config.short_flow)

    @property
    def questions(self) -> tuple[tuple[str, str], ...]:
        """The question screens for this patient: a follow-up only when its condition holds (so far).

        Short flow: the screens shown so far (the next ones depend on the answers)."""
        if self.short_flow:
            return tuple(self.session.asked) if self.session is not None else ()
        m = self.session.pain_map if self.session is not None else None
        answers = m.answers if m is not None else {}
        follow = set(plan.red_flag_follow_ups())
        due = set(plan.due_follow_ups(dict(answers), drawing.view(m)))
        return tuple(q for q in QUESTION_SCREENS
                     if (q[0] != "age" or self.config.ask_age)
                     and (vocabulary.applies(q[0], answers) if q[0] not in follow  # red-flag follow-ups: the rules
                          else q[0] in answers or q[0] in due))

    def touch(self) -> None:
        self.last_activity = self.clock()

    def choose_language(self, lang: str) -> None:
        if lang in self.config.languages:
            self.language = lang
        self.touch()

    def start(self) -> Session:
        code = new_session_code(self._used_codes | self.spool.taken_codes())
        self._used_codes.add(code)
        m = PainMap(self.atlas)
        m.meta["session_code"] = code
        m.meta["language"] = self.language
        m.visit.recorded_by = RECORDED_AT_KIOSK  # and never a patient identifier: the kiosk is anonymous
        self.session = Session(code, self.language, m, self.clock())
        self.screen = "paint"
        self.touch()
        return self.session

    def to_questions(self) -> None:
        self._need("paint", "review")
        if self.short_flow:
            self.screen = "question"
            if self.session.returning or not self.session.asked:
                self._advance(fresh=True)
            else:  # back from the painting: where the patient was
                self.session.question = min(self.session.question, len(self.session.asked) - 1)
            self.touch()
            return
        self.session.question = 0
        self.screen = "question"
        self.touch()

    @property
    def current_question(self) -> tuple[str, str] | None:
        if self.screen != "question" or self.session is None:
            return None
        return self.questions[self.session.question]

    def answer(self, value: Any) -> None:
        """Answer the current question (None = skip) and go to the next screen."""
        key, kind = self.current_question
        m = self.session.pain_map
        if self.short_flow:
            self._answer_short(key, kind, value)
            return
        if value is not None:
            if kind == "scale":
                m.set_intensity(None, int(value))
            elif kind == "number":
                m.answers[key] = int(value)
            else:
                m.answers[key] = value if value == plan.UNSURE else bool(value)  # "Not sure" on every yes/no
        for q in vocabulary.questions():  # a changed answer drops follow-ups that no longer apply
            if q.key in m.answers and not redflags.follow_up_may_apply(q.key, m.answers):
                del m.answers[q.key]
        if self._emergency() and not self._follow_up_next(key):
            # cauda equina signs: tell the patient now, not after the remaining questions
            self._finish()
            return
        self.next_question()

    def _emergency(self) -> bool:
        m = self.session.pain_map
        return any(f.urgency == EMERGENCY for f in self._flags(m))

    def _flags(self, m: PainMap):
        """The session's flags: `bodymap.triage` like every window ("not sure" included, at most same_day), and
        the drawing's conflicts with the answers (bodymap.kiosk.flags)."""
        return session_flags(m)

    def _follow_up_next(self, key: str) -> bool:
        """The next screen follows up this answer (e.g. "is the weakness new?"): ask it before deciding."""
        qs = self.questions
        i = self.session.question + 1
        return i < len(qs) and key in (vocabulary.question(qs[i][0]).ask_if or {})

    def next_question(self) -> None:
        self._need("question")
        if self.session.question + 1 < len(self.questions):
            self.session.question += 1
        else:
            self.screen = "review"
        self.touch()

    def previous(self) -> None:
        if self.screen == "question" and self.short_flow and self.session.returning:
            self.session.returning = False  # a change from the review, abandoned: back to the review
            self.screen = "review"
        elif self.screen == "question":
            if self.session.question > 0:
                self.session.question -= 1
            else:
                self.screen = "paint"
        elif self.screen == "review":
            self.screen = "paint"
        self.touch()

    def confirm(self) -> str:
        """The patient confirms the review: save and show thanks (or the red-flag screen)."""
        self._need("review")
        return self._finish()

    def _finish(self) -> str:
        """Save the session (with any red flags) and show thanks or the red-flag screen."""
        s = self.session
        m = s.pain_map
        flags = self._flags(m)
        m.red_flags_recorded = [f.to_json() for f in flags]
        self._save_finished(m, s.code)
        self.finished_code = s.code
        self.finished_flags = m.red_flags_recorded
        self.sessions_finished += 1
        if flags:  # for staff: journald under systemd; no answers
            log.warning("red flag(s) on a finished map: %s", ", ".join(f"{f.id} ({f.urgency})" for f in flags))
            self.staff.flag(s.code, flags)  # the staff mark, its log line with the code, the on_flag hook
        alarm = SHORT_FLOW_ALARM if self.short_flow else ALARM_URGENCIES
        self.screen = "redflag" if any(f.urgency in alarm for f in flags) else "thanks"
        self.session = None  # the map now lives only in the spool (or its retry queue)
        self.touch()
        return self.screen

    def done(self) -> None:
        """Leave the thanks/red-flag screen."""
        self.reset()

    # -- unattended behaviour -------------------------------------------
    def reset(self) -> None:
        """Back to welcome; nothing of the previous patient stays visible or referenced.

        An abandoned session is discarded, unless it holds a red-flag answer: then it
        is saved with its flags so that staff still see it (a red flag is never lost).
        """
        if self.session is not None:
            m = self.session.pain_map
            if self._flags(m):
                self._finish()
            else:
                self.drafts.discard(self.session.code)
        self.session = None
        self.finished_code = None
        self.finished_flags = []
        self.language = self.config.default_language
        self.screen = "welcome"
        self.touch()
        gc.collect()

    def idle_state(self, now: float | None = None) -> tuple[str, float]:
        """('active' | 'warning' | 'expired', seconds left before the reset)."""
        now = self.clock() if now is None else now
        if self.screen == "welcome":
            return "active", self.config.idle_timeout_s
        if self.screen == "redflag":  # not left up for the next patient to read: back to welcome soon
            left = self.config.redflag_screen_s - (now - self.last_activity)
            return ("expired", 0.0) if left <= 0 else ("active", left)
        left = self.config.idle_timeout_s - (now - self.last_activity)
        if left <= 0:
            return "expired", 0.0
        if left <= self.config.idle_warning_s:
            return "warning", left
        return "active", left

    def tick(self, now: float | None = None) -> None:
        """Call every frame: idle reset, draft autosave, save retries."""
        now = self.clock() if now is None else now
        state, _ = self.idle_state(now)
        if state == "expired":
            self.reset()
            return
        if self.session is not None:
            m = self.session.pain_map
            if not m.is_empty or m.answers or m.intensity:
                self.drafts.autosave(m, self.session.code, now, self.config.autosave_interval_s)
            elif self.drafts.last_save:  # everything rubbed out: an older draft with paint must not linger
                self.drafts.discard(self.session.code)
                self.drafts.last_save = 0.0
        self._retry_saves(now)

    # -- finish, save, recovery (nothing lost; staff see faults) ----------
    def _start_recovery(self) -> None:
        """At start: clean half-written temp files, queue unsent finished maps, move drafts to recovery."""
        from ..fileformat import clean_temp_files

        for folder in (self.config.spool_dir, self.config.drafts_dir, self.config.recovery_dir):
            clean_temp_files(folder, older_than_s=0)  # no other writer runs while the kiosk starts
        self.requeued = self.spool.requeue_unsent()
        # a draft whose finished map is safe is out of date: deleted, not shown to staff as unfinished
        self.recovered = self.drafts.recover_all(finished=self.spool.taken_codes())
        self._last_retry = self.clock()
        self._scan_recovery()

    def _save_finished(self, m: PainMap, code: str) -> None:
        """Write the finished map; delete its draft only once the map is durably on disk."""
        self.spool.submit(m, code)
        if self.spool.is_durable(code):
            self.drafts.discard(code)
        else:
            # only in memory: the draft (autosaved up to one interval ago) is the best copy a power cut leaves
            self.drafts.autosave(m, code, self.clock(), 0.0, force=True)
        self._scan_recovery()

    def _retry_saves(self, now: float) -> None:
        if now - self._last_retry < self.config.save_retry_s:
            return
        self._last_retry = now
        if self.spool.pending:
            before = {p.code for p in self.spool.pending if p.journal is None}
            self.spool.retry()
            for code in before:  # now durable: the fallback draft of a finished map can go
                if self.spool.is_durable(code):
                    self.drafts.discard(code)
        self._scan_recovery()  # staff may have emptied the recovery folder

    def _scan_recovery(self) -> None:
        self._recovery = count_recovery(self.spool, self.config.recovery_dir, self.config.drafts_dir)

    def recovery_status(self) -> RecoveryStatus:
        """What waits for staff (counts only, no session codes): for the staff indicator and exit screen.

        Refreshed at start, after each finished session and every `save_retry_s` seconds.
        """
        return self._recovery

    @property
    def staff_warning(self) -> str | None:
        """One line for staff on the welcome screen: never a path or a session code."""
        parts = [w for w in (self.spool.warning, self.drafts.last_error) if w]
        if self._recovery.unfinished:
            n = self._recovery.unfinished
            parts.append(f"{n} unfinished session{'s' if n > 1 else ''} in the recovery folder for staff")
        unsent_files = self._recovery.unsent - len(self.spool.pending)
        if unsent_files:
            parts.append(f"{unsent_files} finished map{'s' if unsent_files > 1 else ''} in the recovery folder "
                         "could not be queued again: move to the spool by hand")
        return " | ".join(parts) or None

    def _need(self, *screens: str) -> None:
        if self.screen not in screens or self.session is None:
            raise RuntimeError(f"kiosk action not allowed on the {self.screen} screen")


def save_on_exit(kiosk: Kiosk | None) -> None:
    """On the way out: the open session's draft now, and one more try at every pending finished map.

    A finished map that still cannot reach the spool goes to the recovery folder, so
    that leaving never loses it.
    """
    if kiosk is None:
        return
    try:
        s = kiosk.session
        if s is not None and not s.pain_map.is_empty:
            kiosk.drafts.autosave(s.pain_map, s.code, kiosk.clock(), 0.0, force=True)
    except Exception as exc:  # noqa: BLE001 - best effort while leaving
        log.error("could not write the last draft (%s)", type(exc).__name__)
    try:
        if kiosk.spool.pending and kiosk.spool.retry():  # retry() also writes any missing durable copy
            lost = [p for p in kiosk.spool.pending if p.journal is None]
            if lost:
                log.error("%d finished map(s) could not be written anywhere and are lost on exit", len(lost))
            else:
                log.warning("%d finished map(s) wait in %s for the spool; they are queued again at the next start",
                            len(kiosk.spool.pending), kiosk.config.recovery_dir)
    except Exception as exc:  # noqa: BLE001
        log.error("could not save the pending maps (%s)", type(exc).__name__)
    try:
        kiosk._scan_recovery()
        for line in kiosk.recovery_status().lines():  # what staff leaving the kiosk should look after
            log.warning("on exit: %s", line)
    except Exception as exc:  # noqa: BLE001
        log.error("could not count the maps waiting in recovery (%s)", type(exc).__name__)
