"""Where finished sessions and drafts go: atomic, mode 0600 in 0700 folders, never lost.

A save that fails (unwritable folder, full disk, folder deleted) keeps the map in
memory and retries; staff see a warning until every pending map is written.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BodymapError, FileWriteError
from ..atomicio import write_atomic
from ..fileformat import dumps
from ..painting import PainMap
from .security import is_session_code

DRAFT_PREFIX = "draft-"


def ensure_private_dir(folder: Path) -> None:
    """Create `folder` (0700) if needed; tighten its mode if we own it."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if folder.stat().st_uid == os.getuid() and (folder.stat().st_mode & 0o077):
            os.chmod(folder, 0o700)
    except OSError as exc:
        raise FileWriteError(f"{folder}: cannot use this folder ({exc.strerror or exc})") from None


def safe_name(code: str, suffix: str = ".bodymap", prefix: str = "") -> str:
    """A file name from a session code; refuses anything that could leave the folder."""
    if not is_session_code(code):
        raise FileWriteError(f"refusing to write a file for the session code {code!r}")
    return f"{prefix}{code}{suffix}"


@dataclass
class Pending:
    code: str
    data: bytes
    first_try: float
    last_error: str


@dataclass
class Spool:
    folder: Path
    pending: list[Pending] = field(default_factory=list)
    written: int = 0

    def taken_codes(self) -> set[str]:
        codes = {p.code for p in self.pending}
        try:
            codes |= {f.stem for f in self.folder.glob("*.bodymap")}
        except OSError:
            pass
        return codes

    def submit(self, pain_map: PainMap, code: str, now: float | None = None) -> bool:
        """Serialise now (so later changes can't leak in) and try to write; True if on disk."""
        data = dumps(pain_map)
        self.pending.append(Pending(code, data, now or time.time(), ""))
        return self.retry() == 0 or all(p.code != code for p in self.pending)

    def retry(self) -> int:
        """Try every pending save again; returns how many are still pending."""
        still = []
        for p in self.pending:
            try:
                ensure_private_dir(self.folder)
                write_atomic(self.folder / safe_name(p.code), p.data, mode=0o600)
                self.written += 1
            except BodymapError as exc:
                p.last_error = str(exc)
                still.append(p)
        self.pending = still
        return len(still)

    @property
    def warning(self) -> str | None:
        if not self.pending:
            return None
        return (f"{len(self.pending)} finished map(s) not yet saved: {self.pending[-1].last_error}. "
                "They are kept in memory and retried; check the spool folder.")


@dataclass
class Drafts:
    """Autosaved unfinished sessions; on start they move to the recovery folder for staff."""

    folder: Path
    recovery: Path
    last_save: float = 0.0
    last_error: str | None = None

    def path_for(self, code: str) -> Path:
        return self.folder / safe_name(code, prefix=DRAFT_PREFIX)

    def autosave(self, pain_map: PainMap, code: str, now: float, interval: float, force: bool = False) -> bool:
        if not force and now - self.last_save < interval:
            return False
        self.last_save = now
        try:
            ensure_private_dir(self.folder)
            write_atomic(self.path_for(code), dumps(pain_map), mode=0o600)
            self.last_error = None
            return True
        except BodymapError as exc:
            self.last_error = str(exc)
            return False

    def discard(self, code: str) -> None:
        try:
            self.path_for(code).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            self.last_error = f"cannot remove draft: {exc.strerror or exc}"

    def recover_all(self) -> list[Path]:
        """Move every draft left by a crash into the recovery folder (never shown to the next patient)."""
        moved = []
        try:
            drafts = sorted(self.folder.glob(f"{DRAFT_PREFIX}*.bodymap"))
        except OSError:
            return moved
        if not drafts:
            return moved
        ensure_private_dir(self.recovery)
        for d in drafts:
            target = self.recovery / d.name
            n = 1
            while target.exists():
                target = self.recovery / f"{d.stem}.{n}.bodymap"
                n += 1
            try:
                shutil.move(str(d), str(target))
                os.chmod(target, 0o600)
                moved.append(target)
            except OSError as exc:
                self.last_error = f"cannot move draft {d.name} to recovery: {exc.strerror or exc}"
        return moved
