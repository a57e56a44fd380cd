"""Telling reception (issue 20), headless: the staff mark, its log line, the `on_flag` hook, and the
state that must survive a restart (the marks and the PIN backoff).

A finished map with an `emergency` or `same_day` flag sets a staff mark. The
mark stays, in the staff corner and on the staff screen, until staff
acknowledge it after the PIN, even across a restart (kept in
`<drafts_dir>/kiosk-staff.json`, mode 0600, like the drafts beside it). Each mark
is logged once (WARNING, `bodymap.kiosk`) with the session code, the time, the
urgency and the pathology (the flag ids): what reception needs to call the
patient, nothing the patient answered.

`on_flag` (config): a command run for each mark with two arguments, the session
code and the urgency, never health data. It runs in the background with a
timeout (`HOOK_TIMEOUT_S`, then it is killed) and its failure is logged; it never
blocks the screen.

The PIN backoff (bodymap.kiosk.security.PinGuard) is kept in the same file: a
restart no longer clears a lock (a lock's end is stored in wall-clock time).
"""
from __future__ import annotations

import json
import logging
import shlex
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..atomicio import write_atomic
from .flags import TELL_RECEPTION

log = logging.getLogger("bodymap.kiosk")

STATE_FILE = "kiosk-staff.json"
HOOK_TIMEOUT_S = 10.0
MAX_MARKS = 200  # a kiosk nobody looks after for months does not grow its state file without end


@dataclass
class StaffState:
    path: Path
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    on_flag: str | None = None
    hook_timeout_s: float = HOOK_TIMEOUT_S
    marks: list[dict] = field(default_factory=list)  # {"code", "time", "urgency", "pathology"}
    pin: dict = field(default_factory=dict)  # {"wrong", "last_lock_s", "locked_until_wall"}
    hooks: list = field(default_factory=list)  # the hook processes started (tests wait for them)
    _save_failed: bool = False

    def __post_init__(self):
        self.path = Path(self.path)
        try:
            doc = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.error("the staff state file %s cannot be read (%s); starting without it", self.path,
                      type(exc).__name__)
            return
        if isinstance(doc, dict):
            marks = doc.get("marks")
            if isinstance(marks, list):
                self.marks = [m for m in marks if isinstance(m, dict) and isinstance(m.get("code"), str)]
            if isinstance(doc.get("pin"), dict):
                self.pin = doc["pin"]
        if self.marks:
            log.warning("%d staff mark(s) from before the restart still wait for staff", len(self.marks))

    def save(self) -> None:
        data = json.dumps({"marks": self.marks[-MAX_MARKS:], "pin": self.pin}, indent=1).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, data, mode=0o600)
            if self._save_failed:
                log.warning("the staff state file can be written again")
            self._save_failed = False
        except OSError as exc:
            if not self._save_failed:
                log.error("the staff state file %s cannot be written (%s): the staff marks and the PIN lock "
                          "are kept only until a restart", self.path, exc.strerror or type(exc).__name__)
            self._save_failed = True

    # -- marks
    def flag(self, code: str, flags: Iterable) -> dict | None:
        """A finished map's flags: set a mark (and log it, run the hook) if any must reach reception today."""
        urgent = [f for f in flags if f.urgency in TELL_RECEPTION]
        if not urgent:
            return None
        urgency = min((f.urgency for f in urgent), key=TELL_RECEPTION.index)
        # the pathology (bodymap.triage's `pathology`, e.g. cauda_equina), else the flag's id
        pathology = ", ".join(dict.fromkeys(getattr(f, "pathology", None) not in (None, "", "unspecified")
                                            and f.pathology or f.id for f in urgent))
        t = time.localtime(self.wall())
        mark = {"code": code, "time": time.strftime("%H:%M", t), "date": time.strftime("%Y-%m-%d", t),
                "urgency": urgency, "pathology": pathology}
        self.marks.append(mark)
        self.save()
        log.warning("tell reception: session %s at %s: %s (%s)", code, mark["time"], urgency, pathology)
        self.run_hook(code, urgency)
        return mark

    def acknowledge(self) -> int:
        """Staff saw the marks (after the PIN): clear them. Returns how many there were."""
        n = len(self.marks)
        if n:
            log.info("staff acknowledged %d mark(s): %s", n, ", ".join(m["code"] for m in self.marks))
            self.marks = []
            self.save()
        return n

    def urgency(self) -> str | None:
        """The most urgent open mark's urgency, or None."""
        if not self.marks:
            return None
        return min((m.get("urgency") for m in self.marks),
                   key=lambda u: TELL_RECEPTION.index(u) if u in TELL_RECEPTION else len(TELL_RECEPTION))

    # -- the hook
    def run_hook(self, code: str, urgency: str) -> None:
        if not self.on_flag:
            return
        try:
            argv = shlex.split(self.on_flag) + [code, urgency]
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
        except (OSError, ValueError) as exc:
            log.error("the on_flag command could not start (%s)", type(exc).__name__)
            return
        self.hooks.append(proc)
        del self.hooks[:-10]
        threading.Thread(target=self._reap, args=(proc,), daemon=True).start()

    def _reap(self, proc) -> None:
        try:
            rc = proc.wait(timeout=self.hook_timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            log.error("the on_flag command took over %.0f s and was stopped", self.hook_timeout_s)
            return
        if rc != 0:
            log.error("the on_flag command failed (exit status %s)", rc)

    # -- the PIN backoff, across restarts
    def restore_pin(self, guard) -> None:
        p = self.pin
        try:
            guard.wrong = int(p.get("wrong", 0))
            guard.last_lock_s = float(p.get("last_lock_s", 0.0))
            until = p.get("locked_until_wall")
            if until is not None:
                left = float(until) - self.wall()
                guard.locked_until = guard.clock() + left if left > 0 else None
        except (TypeError, ValueError):
            log.error("the stored PIN lock state is unreadable; starting unlocked")
        if guard.locked():
            log.warning("the staff keypad is still locked from before the restart (%.0f s left)",
                        guard.seconds_locked())

    def store_pin(self, guard) -> None:
        left = guard.seconds_locked()
        new = {"wrong": guard.wrong, "last_lock_s": guard.last_lock_s,
               "locked_until_wall": self.wall() + left if left > 0 else None}
        if new != self.pin:
            self.pin = new
            self.save()


def state_path(drafts_dir: Path) -> Path:
    return Path(drafts_dir) / STATE_FILE
