"""Atomic file writes: every file bodymap writes goes through here.

A reader never sees half a file: the bytes go to a hidden temp file in the same
folder, are fsynced, renamed over the target (`os.replace`, atomic on one file
system) and the folder is fsynced so the rename survives a power cut. A failed or
interrupted write removes its temp file and leaves the old file untouched.

Errors are one `FileWriteError` line naming the path the user gave, never the
hidden temp file (a clinician typed `/mnt/usb/visit.png`, not `.tmp-8h2k.png`).

Three shapes, for three kinds of writer:

- `write_atomic(path, data)`: bytes or text already in memory (maps, configs, JSON).
- `AtomicWriter(path)`: an open file to stream into, then `commit()` (CSV exports).
- `write_atomic_via(path, write)`: a library that wants a file name
  (`pygame.image.save`, reportlab); `write(tmp_name)` fills the temp file.
"""
from __future__ import annotations

import errno
import os
import tempfile
import time
from pathlib import Path
from typing import IO, Callable

from .errors import FileWriteError

TEMP_SUFFIX = ".tmp"


def write_atomic(path: str | os.PathLike, data: bytes | str, mode: int = 0o600, *, verb: str = "write") -> Path:
    """Write `data` (bytes, or text as UTF-8) to `path` atomically with permissions `mode`. Returns the path."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    w = AtomicWriter(path, mode, binary=True, verb=verb)
    try:
        w.fh.write(data)
    except BaseException as exc:
        err = w.error(exc)  # before abort(): the message swaps the temp name for the user's
        w.abort()
        if isinstance(exc, OSError):
            raise err from None
        raise
    w.commit()
    return w.path


def write_atomic_via(path: str | os.PathLike, write: Callable[[str], object], mode: int = 0o600, *,
                     verb: str = "write", errors: tuple[type[BaseException], ...] = ()) -> Path:
    """Let `write(tmp_name)` fill a temp file beside `path`, then move it into place.

    The temp name ends in the target's extension (pygame picks the picture format by
    it). `errors` are the writer library's own exception types (e.g. pygame.error):
    they become a FileWriteError naming `path`, with the temp name replaced by it.
    """
    w = AtomicWriter(path, mode, binary=True, verb=verb, keep_suffix=True)
    w.fh.close()
    try:
        write(w.tmp)
    except BaseException as exc:
        err = w.error(exc)
        w.abort()
        if isinstance(exc, OSError) or (errors and isinstance(exc, errors)):
            raise err from None
        raise
    w.commit()
    return w.path


class AtomicWriter:
    """A temp file beside `path` open for writing (`fh`); `commit()` moves it into place, `abort()` drops it."""

    def __init__(self, path: str | os.PathLike, mode: int = 0o600, *, binary: bool = False, verb: str = "write",
                 keep_suffix: bool = False):
        self.path = Path(path)
        self.typed = os.fspath(path)  # the name as the user gave it, for messages
        self.verb = verb
        self.mode = mode
        self.tmp: str | None = None
        folder = _folder(self.path)
        if self.path.is_dir():
            raise FileWriteError(f"{self.typed}: is a folder; give a file name")
        if not folder.is_dir():
            raise FileWriteError(f"{self.typed}: folder {folder} does not exist")
        try:
            suffix = TEMP_SUFFIX + (self.path.suffix if keep_suffix else "")
            fd, self.tmp = tempfile.mkstemp(dir=folder, prefix=f".{self.path.name}.", suffix=suffix)
        except OSError as exc:
            raise self.error(exc) from None
        try:
            os.fchmod(fd, mode)
            self.fh: IO = (os.fdopen(fd, "wb") if binary
                           else os.fdopen(fd, "w", encoding="utf-8", newline=""))
        except BaseException as exc:
            os.close(fd)
            err = self.error(exc)
            self.abort()
            if isinstance(exc, OSError):
                raise err from None
            raise

    def commit(self) -> Path:
        """fsync, rename over the target, fsync the folder. On failure the temp file is gone and the old file kept."""
        try:
            if not self.fh.closed:
                self.fh.flush()
                os.fsync(self.fh.fileno())
                self.fh.close()
            else:  # filled by name (write_atomic_via): sync what the writer left
                fd = os.open(self.tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)
            os.chmod(self.tmp, self.mode)  # a writer given the name may have recreated the file
            os.replace(self.tmp, self.path)
        except BaseException as exc:
            err = self.error(exc)
            self.abort()
            if isinstance(exc, OSError):
                raise err from None
            raise
        self.tmp = None
        _fsync_folder(_folder(self.path))
        return self.path

    def abort(self) -> None:
        try:
            self.fh.close()
        except (OSError, AttributeError):
            pass
        if self.tmp is not None:
            try:
                os.unlink(self.tmp)
            except OSError:
                pass
            self.tmp = None

    def error(self, exc: BaseException) -> FileWriteError:
        """One line naming the user's path and the reason, never the temp file's name."""
        if isinstance(exc, OSError):
            reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        else:
            reason = str(exc) or type(exc).__name__
        if self.tmp:
            reason = reason.replace(self.tmp, self.typed)
        return FileWriteError(f"{self.typed}: cannot {self.verb} ({reason})")

    def __enter__(self) -> IO:
        return self.fh

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def clean_temp_files(folder: str | os.PathLike, older_than_s: float = 60.0) -> int:
    """Remove temp files left by a writer killed mid-write (never valid data). Returns how many."""
    n = 0
    try:
        found = set(Path(folder).glob(f".*{TEMP_SUFFIX}")) | set(Path(folder).glob(f".*{TEMP_SUFFIX}.*"))
        for f in sorted(found):
            try:
                if time.time() - f.stat().st_mtime >= older_than_s:
                    f.unlink()
                    n += 1
            except OSError:
                pass
    except OSError:
        pass
    return n


def _folder(path: Path) -> Path:
    return path.parent if str(path.parent) else Path(".")


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the rename itself is done
    finally:
        os.close(fd)
