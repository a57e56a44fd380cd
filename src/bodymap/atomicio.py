"""Atomic file writes: every file bodymap writes goes through here.

A reader never sees half a file: the bytes go to a hidden temp file in the same
folder, are fsynced, renamed over the target (`os.replace`, atomic on one file
system) and the folder is fsynced so the rename survives a power cut. A failed or
interrupted write removes its temp file and leaves the old file untouched.

Errors are one `FileWriteError` line naming the path the user gave, never the
hidden temp file (a clinician typed `/mnt/usb/visit.png`, not `.tmp-8h2k.png`).

Files are private by default (0600, folders 0700): they hold health data. A
`Sharing` makes chosen folders group-readable instead (folders 0750 with the
setgid bit, so new files keep the folder's group; files 0640), for a review PC
that reads a kiosk's spool as a member of one group (docs/security.md).

Three shapes, for three kinds of writer:

- `write_atomic(path, data)`: bytes or text already in memory (maps, configs, JSON).
- `AtomicWriter(path)`: an open file to stream into, then `commit()` (CSV exports).
- `write_atomic_via(path, write)`: a library that wants a file name
  (`pygame.image.save`, reportlab); `write(tmp_name)` fills the temp file.
"""
from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable

from .errors import ConfigError, FileWriteError

TEMP_SUFFIX = ".tmp"
PRIVATE_FILE_MODE, PRIVATE_DIR_MODE = 0o600, 0o700
SHARED_FILE_MODE, SHARED_DIR_MODE = 0o640, 0o2750  # group may read; setgid: new files keep the folder's group
SHARE_GROUP_ENV = "BODYMAP_SHARE_GROUP"


@dataclass(frozen=True)
class Sharing:
    """Which folders a group may read, and which group: the one switch between private and shared files.

    `group` None: private (the default). "" : shared with the folder's own group. A name:
    shared with that group (the folders are moved to it). `folders` are the folders
    shared; every other folder stays private. `Sharing.parse` reads the config and
    environment form (true / false / a group name).
    """

    group: str | None = None
    folders: frozenset = frozenset()

    @staticmethod
    def parse(value: object, folders=(), where: str = SHARE_GROUP_ENV) -> "Sharing":
        """`value`: None, false, "" or "0" -> private; true, "1", "yes" -> the folder's own group; else a group name."""
        if value is None or value is False:
            return Sharing()
        if value is True:
            return Sharing("", _folder_set(folders))
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be true, false or a group name, got {value!r}")
        text = value.strip()
        if text.lower() in ("", "0", "false", "no", "off"):
            return Sharing()
        if text.lower() in ("1", "true", "yes", "on"):
            return Sharing("", _folder_set(folders))
        sharing = Sharing(text, _folder_set(folders))
        try:
            sharing.gid()  # an unknown group is refused now, not at the first save
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc}") from None
        return sharing

    @staticmethod
    def from_env(folders=()) -> "Sharing":
        """BODYMAP_SHARE_GROUP (unset: private)."""
        return Sharing.parse(os.environ.get(SHARE_GROUP_ENV), folders)

    @property
    def enabled(self) -> bool:
        return self.group is not None

    def shares(self, folder: str | os.PathLike) -> bool:
        return self.enabled and _same_folder(folder) in self.folders

    def file_mode(self, folder: str | os.PathLike) -> int:
        return SHARED_FILE_MODE if self.shares(folder) else PRIVATE_FILE_MODE

    def dir_mode(self, folder: str | os.PathLike) -> int:
        return SHARED_DIR_MODE if self.shares(folder) else PRIVATE_DIR_MODE

    def gid(self) -> int | None:
        """The named group's id (None: keep the folder's group). An unknown group is a ConfigError."""
        if not self.group:
            return None
        import grp

        try:
            return grp.getgrnam(self.group).gr_gid
        except KeyError:
            raise ConfigError(f"group {self.group!r} does not exist on this computer (shared folder option; "
                              "see docs/security.md)") from None


PRIVATE = Sharing()


def _same_folder(folder: str | os.PathLike) -> Path:
    """A folder's one name (absolute, links resolved), so "maps/", "./maps" and a link to it compare equal."""
    return Path(os.path.realpath(folder))


def _folder_set(folders) -> frozenset:
    return frozenset(_same_folder(f) for f in folders)


def umask_mode(mode: int = 0o666) -> int:
    """`mode` as the user's umask allows it: what `open()` would give a new file (exports without identifiers)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mode & ~mask


def file_kind(mode: int) -> str:
    """'a FIFO (named pipe)', 'a device', 'a socket', 'a folder', 'a symbolic link' or 'a regular file'."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class LooseFolderWarning(UserWarning):
    """A folder bodymap keeps health data in is more open than docs/security.md documents; left as it is."""


def prepare_folder(folder: str | os.PathLike, sharing: Sharing = PRIVATE) -> Path:
    """Create `folder` if needed and give it its mode: private, no access for group and others (0700);
    shared, group read and enter, the setgid bit and the named group (0750 + setgid).

    An existing folder is never tightened (ADR 0018): a folder a clinic shares (group-writable, setgid,
    sticky) keeps its mode, and a LooseFolderWarning says it is looser than documented. The one exception
    is bodymap's own share (exactly 0750 + setgid): when the option is turned off, it is made private
    again. Sharing only adds bits. The owner's own bits are left as they are, and a folder we do not own
    is left as it is (another account set it up). Raises FileWriteError.
    """
    folder = Path(folder)
    shared = sharing.shares(folder)
    try:
        existed = folder.is_dir()
        folder.mkdir(parents=True, exist_ok=True, mode=sharing.dir_mode(folder) & 0o777)
        st = folder.stat()
        if st.st_uid == os.getuid():
            gid = sharing.gid() if shared else None
            if gid is not None and st.st_gid != gid:
                os.chown(folder, -1, gid)
            now = st.st_mode & 0o7777
            if shared:
                want = now | (SHARED_DIR_MODE & 0o7077)  # add group read/enter and setgid; never take a bit away
                if now != want:
                    os.chmod(folder, want)
                if want & 0o027 & ~(SHARED_DIR_MODE & 0o077) and existed:
                    _warn_loose(folder, want, "0750 + setgid")
            elif now & 0o077:
                if (now & 0o7077) == (SHARED_DIR_MODE & 0o7077) or not existed:
                    os.chmod(folder, (now & 0o700) or PRIVATE_DIR_MODE)  # bodymap's own share, turned off
                else:
                    _warn_loose(folder, now, "0700")
    except OSError as exc:
        raise FileWriteError(f"{folder}: cannot use this folder ({exc.strerror or exc})") from None
    return folder


def folder_looseness(folder: str | os.PathLike, sharing: Sharing = PRIVATE) -> str | None:
    """Why `folder` is looser than documented (private 0700, shared 0750 + setgid), or None."""
    try:
        now = os.stat(folder).st_mode & 0o7777
    except OSError:
        return None
    allowed = (SHARED_DIR_MODE & 0o077) if sharing.shares(folder) else 0
    extra = now & 0o077 & ~allowed
    if not extra:
        return None
    who = []
    if extra & 0o070:
        who.append("its group" + (" may write" if extra & 0o020 else " may read"))
    if extra & 0o007:
        who.append("everyone" + (" may write" if extra & 0o002 else " may read"))
    documented = "0750 + setgid" if sharing.shares(folder) else "0700"
    return f"{folder}: mode {now:04o} ({', '.join(who)}); documented {documented} (docs/security.md)"


def _warn_loose(folder: Path, mode: int, documented: str) -> None:
    import warnings

    warnings.warn(LooseFolderWarning(f"{folder}: mode {mode:04o} is looser than the documented {documented}; "
                                     "bodymap leaves an existing folder's mode as it is (docs/security.md)"),
                  stacklevel=3)


def write_atomic(path: str | os.PathLike, data: bytes | str, mode: int = 0o600, *, verb: str = "write",
                 exclusive: bool = False) -> Path:
    """Write `data` (bytes, or text as UTF-8) to `path` atomically with permissions `mode`. Returns the path.

    `exclusive`: only if `path` does not exist yet, decided at the moment the file appears (a hard link of
    the temp file, which fails if the name is taken): of two writers racing for one new name, one gets
    FileExistsError's "already exists" line and nothing is replaced.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    w = AtomicWriter(path, mode, binary=True, verb=verb, exclusive=exclusive)
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
                 keep_suffix: bool = False, exclusive: bool = False):
        self.path = Path(path)
        self.exclusive = exclusive
        self.typed = os.fspath(path)  # the name as the user gave it, for messages
        self.verb = verb
        self.mode = mode
        self.tmp: str | None = None
        folder = _folder(self.path)
        if self.path.is_dir():
            raise FileWriteError(f"{self.typed}: is a folder; give a file name")
        try:
            st = os.lstat(self.path)
        except OSError:
            st = None
        if st is not None and not stat.S_ISREG(st.st_mode):  # never replace a link, device, FIFO or socket
            raise FileWriteError(f"{self.typed}: is {file_kind(st.st_mode)}; bodymap writes only regular files "
                                 "and never replaces a link or a device: give another name")
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
            else:  # filled by name (write_atomic_via): sync what the writer left, and check it wrote something
                fd = os.open(self.tmp, os.O_RDONLY)
                try:
                    os.fsync(fd)
                    if os.fstat(fd).st_size == 0:  # a library that reports no write error (pygame on a full disk)
                        raise OSError(errno.EIO, "nothing was written (is the disk full?)")
                finally:
                    os.close(fd)
            os.chmod(self.tmp, self.mode)  # a writer given the name may have recreated the file
            if self.exclusive:
                self._link_new()
            else:
                os.replace(self.tmp, self.path)
        except FileExistsError:
            self.abort()
            raise FileWriteError(f"{self.typed}: already exists (another program or window saved it first); "
                                 "nothing was replaced") from None
        except BaseException as exc:
            err = self.error(exc)
            self.abort()
            if isinstance(exc, OSError):
                raise err from None
            raise
        self.tmp = None
        _fsync_folder(_folder(self.path))
        return self.path

    def _link_new(self) -> None:
        """Put the temp file in place only if the name is free: link(2) fails with EEXIST when it is taken."""
        try:
            os.link(self.tmp, self.path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # a file system without hard links (FAT on a USB stick): claim the name exclusively, then replace
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.mode)
            os.close(fd)
            os.replace(self.tmp, self.path)
            return
        os.unlink(self.tmp)

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

    def fill(self, write):
        """`write(fh)`, then `commit()`; its result. A write the system refuses (a full disk) is one FileWriteError
        naming the user's path (a CSV export on a full disk said only "No space left on device"); on any failure
        the temp file is gone and the old file kept."""
        try:
            result = write(self.fh)
        except OSError as exc:
            err = self.error(exc)
            self.abort()
            raise err from None
        except BaseException:
            self.abort()
            raise
        self.commit()
        return result

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


# the names AtomicWriter's temp files have: ".<target name>.<random characters>.tmp", then the target's
# extension when a library writes by name (".visit.png.k3j2h1g0.tmp.png")
_TEMP_NAME = re.compile(r"\..+\.[A-Za-z0-9_]{4,16}\.tmp(\.[A-Za-z0-9]{1,8})?")


def leftover_temp_files(folder: str | os.PathLike, older_than_s: float = 60.0) -> list[Path]:
    """Temp files a writer killed mid-write left in `folder` (regular files with bodymap's temp names, older
    than `older_than_s`, so that a save in progress is never counted)."""
    out = []
    try:
        with os.scandir(folder) as it:
            for e in it:
                if not _TEMP_NAME.fullmatch(e.name):
                    continue
                try:
                    st = e.stat(follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode) and time.time() - st.st_mtime >= older_than_s:
                    out.append(Path(e.path))
    except OSError:
        pass
    return sorted(out)


def clean_temp_files(folder: str | os.PathLike, older_than_s: float = 60.0) -> int:
    """Remove temp files left by a writer killed mid-write (never valid data: the rename never happened).
    Returns how many."""
    n = 0
    for f in leftover_temp_files(folder, older_than_s):
        try:
            f.unlink()
            n += 1
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
