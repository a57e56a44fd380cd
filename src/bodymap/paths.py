"""Where bodymap's data and cache live.

The YAML data (`regions/`) and assets (`assets/`) sit at the top of the source
tree; `make run` installs the package in editable mode, so they are found next to
`src/`. BODYMAP_DATA overrides the location (for a packaged install or tests).
"""
from __future__ import annotations

import os
from pathlib import Path


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
