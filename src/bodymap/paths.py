"""Where bodymap's data, cache and the user's maps live.

The YAML data (`regions/`) and assets (`assets/`) sit at the top of the source
tree; `make run` installs the package in editable mode, so they are found next to
`src/`. BODYMAP_DATA overrides the location (for a packaged install or tests).

Maps a clinician saves go to `default_maps_dir()`: a "bodymap" folder in the user's
documents folder (platformdirs), or BODYMAP_MAPS; never the working directory or the
source checkout. `map_file_stem` and `unused_map_path` name a new map after its visit
("MRN-004217_2026-03-14.bodymap") without ever taking an existing file's name.
"""
from __future__ import annotations

import os
import re
import stat
from datetime import date
from pathlib import Path

from .atomicio import PRIVATE, SHARE_GROUP_ENV, Sharing, clean_temp_files, file_kind, prepare_folder
from .errors import FileWriteError, UsageError

MAPS_ENV = "BODYMAP_MAPS"


def data_root() -> Path:
    env = os.environ.get("BODYMAP_DATA")
    if env:
        return Path(env)
    return _checkout_root()


_CHECKOUT: list[Path] = []


def _checkout_root() -> Path:
    """The checkout holding regions/ and assets/ beside src/. Installed with 'pip install .' (not -e) the package
    sits in site-packages and every command said "<python>/lib/python3.11/regions/questions.yaml: file not found"
    (ADR 0043): say what to do instead."""
    if not _CHECKOUT:
        root = Path(__file__).resolve().parents[2]
        if not (root / "regions").is_dir():
            raise UsageError(f"bodymap's data (regions/ and assets/) is not beside the installed package ({root}): "
                             "install from the checkout with 'make run' or 'pip install -e .', or set BODYMAP_DATA "
                             "to the checkout")
        _CHECKOUT.append(root)
    return _CHECKOUT[0]


def regions_dir() -> Path:
    return data_root() / "regions"


def assets_dir() -> Path:
    return data_root() / "assets"


def cache_dir() -> Path:
    env = os.environ.get("BODYMAP_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "bodymap"


def read_regular(path: str | os.PathLike, max_bytes: int, what: str = "this file") -> bytes:
    """The bytes of a regular file of at most `max_bytes`, refusing a FIFO, device or socket by name (ADR 0018).

    The file is opened without blocking (a FIFO with no writer would otherwise hang the reader) and
    checked on the open descriptor, so it cannot be swapped between the check and the read. Raises
    OSError for the system's own refusals, and ValueError ("is a FIFO ...", "N bytes is too large for `what`
    (max M)") for a file of the wrong kind or size.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        dangling = _dangling_link(path)
        if dangling:  # the folder lists the name, so "no such file" sent the user looking for nothing (ADR 0043)
            raise ValueError(dangling) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"is {file_kind(st.st_mode)}, not a regular file")
        if st.st_size > max_bytes:
            raise ValueError(f"{st.st_size} bytes is too large for {what} (max {max_bytes})")
        chunks, left = [], max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > max_bytes:  # it grew after the check
            raise ValueError(f"too large for {what} (max {max_bytes} bytes)")
        return data
    finally:
        os.close(fd)


def _dangling_link(path: str | os.PathLike) -> str:
    """'is a link to '/media/stick/x.bodymap', which does not exist' for a symbolic link whose target is gone
    (a USB stick unplugged, a share unmounted); '' for anything else."""
    try:
        target = os.readlink(path)
    except (OSError, ValueError):
        return ""
    shown = target if len(target) <= 80 else target[:77] + "..."
    return f"is a link to {shown!r}, which does not exist"


def no_such(path: str | os.PathLike, what: str = "file") -> str:
    """The message for a path that is not there: 'x: no such file', or, for a link whose target is gone,
    'x: is a link to ..., which does not exist' (the user sees the name in the folder: ADR 0043)."""
    return f"{path}: {_dangling_link(path) or 'no such ' + what}"


def check_output_file(output: str | os.PathLike, suffix: str) -> Path:
    """Refuse a bad output path before any work: wrong extension, a folder, a device, FIFO, socket or symbolic
    link (never replaced, ADR 0018), or a missing parent folder."""
    path = Path(output)
    if path.suffix.lower() != suffix:
        raise UsageError(f"{path}: the output name must end in {suffix}")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name ending in {suffix}")
    if windows_device_name(path.name):
        raise UsageError(f"{path}: {path.name.split('.')[0]} is a device on Windows, never a file: give another name")
    check_replaceable(path, UsageError)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    return path


def check_replaceable(path: str | os.PathLike, error: type[Exception] = UsageError) -> None:
    """Refuse an output that exists and is not a regular file: a device, FIFO, socket or symbolic link is never
    replaced by a file (as root, `-o /dev/null` would otherwise replace the system's /dev/null)."""
    try:
        st = os.lstat(path)
    except OSError:
        return  # nothing there (or nothing we may look at: the write itself will say)
    if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        raise error(f"{path}: is {file_kind(st.st_mode)}; bodymap writes only regular files and never replaces "
                    "a link or a device: give another name")


_MAP_NAME = re.compile(r"\.bodymap(~\d+)?$", re.IGNORECASE)
_MAP_HEADER = re.compile(rb'"format"\s*:\s*"bodymap"')


def check_not_a_map(path: str | os.PathLike) -> None:
    """Refuse to write an export (CSV, FHIR JSON) over a pain map: a name ending in .bodymap (or a `~N`
    history copy), or an existing file that holds a map whatever its name. `bodymap export map.bodymap --fhir
    -o map.bodymap` used to replace the patient's map with its own export, with no copy kept."""
    p = Path(path)
    if _MAP_NAME.search(p.name):
        raise UsageError(f"{p}: is the name of a pain map; an export never writes over a map: give another "
                         "name (maps.csv, bundle.json)")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return  # nothing there (or nothing we may read: the write itself will say)
    try:
        head = os.read(fd, 4096) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
    except OSError:
        head = b""
    finally:
        os.close(fd)
    if _MAP_HEADER.search(head):
        raise UsageError(f"{p}: holds a pain map; an export never writes over a map: give another name")


def default_maps_dir(create: bool = True) -> Path:
    """The folder where maps are saved unless the user picks another: BODYMAP_MAPS, or "bodymap" in the
    user's documents folder (platformdirs: ~/Documents/bodymap on Linux with XDG's documents folder,
    Documents\\bodymap on Windows, ~/Documents/bodymap on macOS).

    Created (mode 0700: maps hold health data) on first use when `create`; a folder that cannot be
    created or written is a FileWriteError naming it and saying how to choose another. With
    BODYMAP_SHARE_GROUP set, the folder is shared with that group (0750 + setgid, maps 0640) so that a
    review PC can read it (docs/security.md).
    """
    env = os.environ.get(MAPS_ENV, "").strip()
    if env:
        folder = Path(os.path.expanduser(env))
    else:
        import platformdirs

        folder = Path(platformdirs.user_documents_dir()) / "bodymap"
    if not create:
        return folder
    how = f"set {MAPS_ENV} to a folder you can write"
    if folder.exists() and not folder.is_dir():
        raise FileWriteError(f"{folder}: cannot keep maps here: it is a file, not a folder; {how}")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileWriteError(f"{folder}: cannot create the maps folder ({exc.strerror or exc}); {how}") from None
    try:
        prepare_folder(folder, maps_sharing(folder))  # 0700; 0750 + setgid with BODYMAP_SHARE_GROUP
    except FileWriteError as exc:
        raise FileWriteError(f"{exc}; {how}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileWriteError(f"{folder}: cannot save maps in this folder (permission denied); {how}")
    clean_temp_files(folder)  # a save killed part-way left its temp file (a whole map): removed at the next start
    return folder


def maps_sharing(folder: str | os.PathLike | None = None) -> Sharing:
    """BODYMAP_SHARE_GROUP applied to the maps folder (`folder`, default the default maps folder): which
    group, if any, may read the maps saved there."""
    if not os.environ.get(SHARE_GROUP_ENV, "").strip():
        return PRIVATE  # the usual case: no folder look-up at all
    return Sharing.from_env([Path(folder) if folder is not None else default_maps_dir(create=False)])


_UNSAFE_NAME = re.compile(r"[^\w.-]+")  # letters (any script), digits, _ . - only


_WINDOWS_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])", re.IGNORECASE)


def windows_device_name(name: str) -> bool:
    """True for a file name Windows takes as a device whatever its suffix (CON.bodymap is the console, NUL.bodymap
    discards what is written): a map saved under it on a clinic's Windows PC or share would be lost (ADR 0043)."""
    return bool(_WINDOWS_DEVICE.fullmatch(name.split(".")[0].rstrip(" ")))


def map_file_stem(patient_id: str | None = None, visit_date: str | None = None, today: date | None = None) -> str:
    """A file name stem for a new map: "<patient identifier>_<visit date>" made safe for every file system,
    e.g. "MRN-004217_2026-03-14"; "map_<date>" without an identifier; the date is today's when not given."""
    day = visit_date or (today or date.today()).isoformat()
    who = _UNSAFE_NAME.sub("-", patient_id or "").strip("-.")[:40] or "map"
    return f"{who}_{day}"


def unused_map_path(folder: str | os.PathLike, stem: str) -> Path:
    """`folder/stem.bodymap`, or `stem-2.bodymap`, `stem-3.bodymap`, ...: the first name not taken, so that a
    new map never replaces an earlier patient's (check again at save time if another program writes here)."""
    folder = Path(folder)
    stem = _UNSAFE_NAME.sub("-", stem).strip("-.") or "map"
    path = folder / f"{stem}.bodymap"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.bodymap"
        n += 1
    return path


def walk_maps(folder: str | os.PathLike, depth: int, limit: int, suffix: str = ".bodymap") -> list[Path]:
    """The map files in `folder` and its subfolders down to `depth` levels, in name order (depth first).

    The one folder walk of the painting window's Open (bodymap.desk) and the review window's scan
    (bodymap.review): hidden files and folders are left out, symlinked folders are not followed (no
    loops), an unreadable folder or entry is skipped, the suffix is matched in any case, and at most
    `limit` files are listed. `~N` history copies never match (they end in `~N`)."""
    found: list[Path] = []

    def walk(d: str, level: int) -> None:
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            return
        for e in entries:
            if e.name.startswith(".") or len(found) >= limit:
                continue
            try:
                if e.name.lower().endswith(suffix) and e.is_file():
                    found.append(Path(e.path))
                elif level < depth and e.is_dir(follow_symlinks=False):
                    walk(e.path, level + 1)
            except OSError:
                continue

    walk(os.fspath(folder), 0)
    return found
