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
from datetime import date
from pathlib import Path

from .atomicio import PRIVATE, SHARE_GROUP_ENV, Sharing, prepare_folder
from .errors import FileWriteError, UsageError

MAPS_ENV = "BODYMAP_MAPS"


def data_root() -> Path:
    env = os.environ.get("BODYMAP_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2]


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


def check_output_file(output: str | os.PathLike, suffix: str) -> Path:
    """Refuse a bad output path before any work: wrong extension, a folder, or a missing parent folder."""
    path = Path(output)
    if path.suffix.lower() != suffix:
        raise UsageError(f"{path}: the output name must end in {suffix}")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name ending in {suffix}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{path}: folder {folder} does not exist")
    return path


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
    return folder


def maps_sharing(folder: str | os.PathLike | None = None) -> Sharing:
    """BODYMAP_SHARE_GROUP applied to the maps folder (`folder`, default the default maps folder): which
    group, if any, may read the maps saved there."""
    if not os.environ.get(SHARE_GROUP_ENV, "").strip():
        return PRIVATE  # the usual case: no folder look-up at all
    return Sharing.from_env([Path(folder) if folder is not None else default_maps_dir(create=False)])


_UNSAFE_NAME = re.compile(r"[^\w.-]+")  # letters (any script), digits, _ . - only


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
