"""Where finished sessions and drafts go: atomic, mode 0600 in 0700 folders, never lost.

With the shared-folder option (`shared_folder_group`, docs/security.md) the spool and
recovery folders are 0750 with the setgid bit and their maps 0640, so that a review
PC in that group can read them; drafts always stay private.

A finished map is durable before anything else is removed: it is written to the
spool (temp file, fsync, rename, fsync of the folder), or, when the spool cannot
be written, to a durable copy `unsent-<code>.bodymap` in the recovery folder (or,
failing that, the drafts folder). Only then is the session's draft deleted. The
map also stays in memory and is retried; once it reaches the spool its copy is
removed. At the next start the copies are queued again (`Spool.requeue_unsent`).

Log messages (logger "bodymap.kiosk.spool") name folders and reasons, never a
session code or a file name built from one.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BodymapError, FileWriteError
from ..atomicio import PRIVATE, Sharing, prepare_folder, write_atomic
from ..fileformat import dumps, read_bytes, read_document
from ..painting import PainMap
from .security import is_session_code

DRAFT_PREFIX = "draft-"
UNSENT_PREFIX = "unsent-"

log = logging.getLogger("bodymap.kiosk.spool")


def fsync_dir(folder: Path) -> None:
    """Make a rename, unlink or new entry in `folder` durable (best effort where the OS refuses)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def ensure_private_dir(folder: Path) -> None:
    """Create `folder` (0700) if needed; an existing folder keeps its mode (atomicio.prepare_folder, ADR 0018)."""
    ensure_dir(folder, PRIVATE)


def ensure_dir(folder: Path, sharing: Sharing = PRIVATE) -> None:
    """Create `folder` if needed with the mode `sharing` gives it (0700, or 0750 + setgid when shared)."""
    try:
        created = not folder.is_dir()
    except OSError as exc:
        raise FileWriteError(f"{folder}: cannot use this folder ({exc.strerror or exc})") from None
    prepare_folder(folder, sharing)
    if created:
        fsync_dir(folder.parent)  # the new folder's own entry survives a power cut too


def safe_name(code: str, suffix: str = ".bodymap", prefix: str = "") -> str:
    """A file name from a session code; refuses anything that could leave the folder."""
    if not is_session_code(code):
        raise FileWriteError(f"refusing to write a file for the session code {code!r}")
    return f"{prefix}{code}{suffix}"


def plain_reason(exc: BaseException) -> str:
    """Why a save failed, for staff, without the path (a file name holds the session code).

    `FileWriteError` messages end in "(reason)"; the reason is an OS message such as
    "Permission denied" or "the disk is full", which names no file.
    """
    m = re.search(r"\(([^()/\\]*)\)\s*$", str(exc))
    return m.group(1) if m else "cannot write"


@dataclass
class Pending:
    code: str
    data: bytes
    first_try: float
    last_error: str
    journal: Path | None = None  # the durable copy while the spool cannot be written


@dataclass
class Spool:
    folder: Path
    pending: list[Pending] = field(default_factory=list)
    written: int = 0
    fallbacks: tuple[Path, ...] = ()  # folders for the durable copy, in order (recovery, then drafts)
    sharing: Sharing = PRIVATE  # which of these folders a review PC's group may read

    def taken_codes(self) -> set[str]:
        codes = {p.code for p in self.pending}
        try:
            codes |= {f.stem for f in _bodymaps(self.folder)}  # ABC-DEF.BODYMAP too (trial, ADR 0043)
        except OSError:
            pass
        return codes

    def submit(self, pain_map: PainMap, code: str, now: float | None = None) -> bool:
        """Serialise now (so later changes can't leak in) and try to write; True if in the spool.

        If the spool cannot be written the map gets a durable copy in a fallback
        folder (see `is_durable`) and stays in memory for `retry`.
        """
        data = dumps(pain_map)
        p = Pending(code, data, now or time.time(), "")
        self.pending.append(p)
        if self._write(p):
            self.pending.remove(p)
            return True
        log.warning("a finished map could not be written to the spool folder %s (%s); it is kept and retried",
                    self.folder, p.last_error)
        self._journal(p)
        return False

    def is_durable(self, code: str) -> bool:
        """True once the finished map `code` is on disk: in the spool or as a durable copy."""
        for p in self.pending:
            if p.code == code:
                return p.journal is not None
        return True  # not pending: it reached the spool

    def retry(self) -> int:
        """Try every pending save again; returns how many are still pending."""
        still = []
        for p in self.pending:
            if self._write(p):
                waited = time.time() - p.first_try
                log.info("a finished map reached the spool folder %s after %.0f s", self.folder, max(0.0, waited))
                if p.journal is not None:
                    self._drop_journal(p)
            else:
                if p.journal is None:
                    self._journal(p)
                still.append(p)
        self.pending = still
        return len(still)

    def requeue_unsent(self) -> int:
        """At start: queue again every durable copy left by an earlier run (it reaches the spool on `retry`)."""
        queued = {p.journal for p in self.pending}
        n = 0
        for folder in self.fallbacks:
            try:
                copies = sorted(folder.glob(f"{UNSENT_PREFIX}*.bodymap"))
            except OSError:
                continue
            for f in copies:
                code = f.name[len(UNSENT_PREFIX):-len(".bodymap")]
                if f in queued or not is_session_code(code) or any(p.code == code for p in self.pending):
                    continue  # a name we did not write: left for staff (counted in the recovery status)
                try:  # the one codec's reader and verdict: a FIFO, a device or a bad file is one entry, never a stop
                    data = read_bytes(f)
                    read_document(data, None, "unsent map", strokes=False)
                except BodymapError as exc:  # logged without its name: the name holds the session code
                    log.error("a finished map waiting in %s cannot be read; left for staff (%s)", folder,
                              str(exc).split(": ", 1)[-1])
                    continue
                self.pending.append(Pending(code, data, time.time(), "not yet retried", journal=f))
                n += 1
        if n:
            log.warning("%d finished map(s) from an earlier run wait for the spool folder %s; retrying", n,
                        self.folder)
        return n

    def _write(self, p: Pending) -> bool:
        try:
            ensure_dir(self.folder, self.sharing)
            write_atomic(self.folder / safe_name(p.code), p.data, mode=self.sharing.file_mode(self.folder))
        except BodymapError as exc:
            p.last_error = plain_reason(exc)
            return False
        self.written += 1
        return True

    def _journal(self, p: Pending) -> bool:
        """Write the durable copy of a finished map that cannot reach the spool; True if on disk."""
        for folder in self.fallbacks:
            try:
                ensure_dir(folder, self.sharing)
                target = folder / safe_name(p.code, prefix=UNSENT_PREFIX)
                write_atomic(target, p.data, mode=self.sharing.file_mode(folder))
            except BodymapError as exc:
                log.error("cannot keep a copy of a finished map in %s (%s)", folder, plain_reason(exc))
                continue
            p.journal = target
            log.warning("a finished map waits in %s until the spool folder can be written", folder)
            return True
        if self.fallbacks:
            log.error("a finished map is only in memory: no folder can be written; its draft is kept")
        return False

    def _drop_journal(self, p: Pending) -> None:
        try:
            p.journal.unlink()
            fsync_dir(p.journal.parent)
        except FileNotFoundError:
            pass
        except OSError as exc:  # harmless: the next start writes the same bytes to the spool again
            log.warning("cannot remove a copy that already reached the spool from %s (%s)", p.journal.parent,
                        exc.strerror or exc)
        p.journal = None

    @property
    def warning(self) -> str | None:
        """For staff, on the welcome screen: no path, no session code."""
        if not self.pending:
            return None
        n = len(self.pending)
        kept = sum(p.journal is not None for p in self.pending)
        where = ("a copy is kept on disk" if kept == n
                 else f"{n - kept} only in memory: do not switch the kiosk off")
        return (f"{n} finished map{'s' if n > 1 else ''} not yet saved to the spool "
                f"({self.pending[-1].last_error}); {where}; retried. Check the spool folder.")


@dataclass
class Drafts:
    """Autosaved unfinished sessions; on start they move to the recovery folder for staff."""

    folder: Path
    recovery: Path
    last_save: float = 0.0
    last_error: str | None = None
    sharing: Sharing = PRIVATE  # the drafts folder stays private; the recovery folder may be shared
    # the same fault as (what failed: "save", "remove" or "move", the OS's reason), for the staff screen's
    # own words in the staff's language (`last_error` is the log's English)
    problem: tuple[str, str] | None = None

    def path_for(self, code: str) -> Path:
        return self.folder / safe_name(code, prefix=DRAFT_PREFIX)

    def autosave(self, pain_map: PainMap, code: str, now: float, interval: float, force: bool = False) -> bool:
        if not force and now - self.last_save < interval:
            return False
        self.last_save = now
        try:
            ensure_dir(self.folder, self.sharing)
            write_atomic(self.path_for(code), dumps(pain_map), mode=self.sharing.file_mode(self.folder))
            if self.last_error:
                log.info("drafts can be saved again in %s", self.folder)
            self.last_error = self.problem = None
            return True
        except BodymapError as exc:
            if self.last_error is None:  # once per fault, not every autosave
                log.warning("cannot autosave drafts in %s (%s)", self.folder, plain_reason(exc))
            self.last_error = f"drafts cannot be saved ({plain_reason(exc)})"
            self.problem = ("save", plain_reason(exc))
            return False

    def discard(self, code: str) -> None:
        try:
            self.path_for(code).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot remove a draft from %s (%s)", self.folder, exc.strerror or exc)
            self.last_error = f"a draft cannot be removed ({exc.strerror or exc})"
            self.problem = ("remove", str(exc.strerror or exc))

    def recover_all(self, finished: set[str] | frozenset[str] = frozenset()) -> list[Path]:
        """Move every draft left by a crash into the recovery folder (never shown to the next patient).

        A draft whose session is in `finished` (its finished map is in the spool or
        kept as a durable copy) is out of date and is deleted instead.
        """
        moved = []
        try:
            drafts = sorted(self.folder.glob(f"{DRAFT_PREFIX}*.bodymap"))
        except OSError:
            return moved
        if not drafts:
            return moved
        ensure_dir(self.recovery, self.sharing)
        dropped = 0
        for d in drafts:
            if d.stem[len(DRAFT_PREFIX):] in finished:
                try:
                    d.unlink()
                    dropped += 1
                except OSError:
                    pass
                continue
            target = self.recovery / d.name
            n = 1
            while target.exists():
                target = self.recovery / f"{d.stem}.{n}.bodymap"
                n += 1
            try:
                shutil.move(str(d), str(target))
                os.chmod(target, self.sharing.file_mode(self.recovery))
                moved.append(target)
            except OSError as exc:
                log.error("cannot move a draft from %s to the recovery folder %s (%s)", self.folder, self.recovery,
                          exc.strerror or exc)
                self.last_error = f"a draft cannot be moved to the recovery folder ({exc.strerror or exc})"
                self.problem = ("move", str(exc.strerror or exc))
                continue
            if self.sharing.shares(self.recovery):  # a moved file keeps its group: give it the folder's
                try:
                    os.chown(target, -1, self.recovery.stat().st_gid)
                except OSError as exc:
                    log.warning("a recovered draft in %s keeps its own group (%s): the review group may not read it",
                                self.recovery, exc.strerror or exc)
        fsync_dir(self.recovery)
        fsync_dir(self.folder)
        if moved:
            log.warning("%d unfinished session(s) from an earlier run moved to the recovery folder %s",
                        len(moved), self.recovery)
        if dropped:
            log.info("%d draft(s) of sessions already finished and kept were removed", dropped)
        return moved


@dataclass(frozen=True)
class RecoveryStatus:
    """What waits for staff, as counts only (no session codes): for the staff indicator and exit screen.

    `unfinished`: drafts of sessions a crash interrupted, in the recovery folder.
    `unsent`: finished maps not yet in the spool (kept in the recovery or drafts
    folder, or only in memory: `in_memory_only`). They reach the spool by
    themselves once it can be written; unfinished drafts need staff.
    """

    unfinished: int = 0
    unsent: int = 0
    in_memory_only: int = 0

    @property
    def total(self) -> int:
        return self.unfinished + self.unsent

    def __bool__(self) -> bool:
        return self.total > 0

    def lines(self) -> list[str]:
        """Plain staff lines (English, like the logs); empty when nothing waits."""
        out = []
        if self.unsent:
            out.append(f"{self.unsent} finished map{'s' if self.unsent > 1 else ''} waiting for the spool"
                       + (f" ({self.in_memory_only} only in memory)" if self.in_memory_only else ""))
        if self.unfinished:
            out.append(f"{self.unfinished} unfinished session{'s' if self.unfinished > 1 else ''} "
                       "in the recovery folder")
        return out


def count_recovery(spool: Spool, recovery: Path, drafts: Path) -> RecoveryStatus:
    """Count what waits in the recovery folder (and unsent copies in the drafts folder) plus the retry queue."""
    queued = {p.journal for p in spool.pending if p.journal is not None}
    unfinished = unsent_files = 0
    for folder in (recovery, drafts):
        try:
            names = _bodymaps(folder)  # the suffix in any case, as the review window and exports read it
        except OSError:
            continue
        for f in names:
            if f.name.startswith(UNSENT_PREFIX):
                unsent_files += f not in queued
            elif folder == recovery:
                unfinished += 1
    in_memory = sum(p.journal is None for p in spool.pending)
    return RecoveryStatus(unfinished=unfinished, unsent=len(spool.pending) + unsent_files,
                          in_memory_only=in_memory)


def _bodymaps(folder: Path) -> list[Path]:
    """The .bodymap files in `folder`, the suffix in any case: a map copied through a FAT stick or a Windows
    share as ABC-DEF.BODYMAP was missed by glob('*.bodymap'), so its session code could be handed out again."""
    with os.scandir(folder) as it:
        return sorted(folder / e.name for e in it if e.name.lower().endswith(".bodymap"))
