"""Where bodymap's data and cache live.

The YAML data (`regions/`) and assets (`assets/`) sit at the top of the source
tree; `make run` installs the package in editable mode, so they are found next to
`src/`. BODYMAP_DATA overrides the location (for a packaged install or tests).
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError


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
