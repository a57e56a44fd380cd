"""bodymap: paint where it hurts on a body map; see which referral patterns fit.

The core (atlas, painting model, matcher, file format) is headless: it imports
no pygame. The windows live in `bodymap.ui`.

>>> import bodymap
>>> m = bodymap.PainMap(bodymap.load_atlas())
>>> m.paint_region("right_lateral_leg", fraction=0.5, sensation="burning")
>>> m.answers["numbness"] = True
>>> ranking = bodymap.match(m)          # doctest: +SKIP
"""
from __future__ import annotations

from .version import __version__  # noqa: E402,F401

from .errors import (  # noqa: E402
    AtlasError, BodymapError, ConfigError, FileFormatError, FileWriteError, PatternError, UnknownRegionError, UsageError,
)

# The public names below are imported on first use, not with the package: reading them reads the data
# files (the atlas, questions.yaml), and a broken data file must reach the command line's own one-line
# error (bodymap.cli), not end `python -m bodymap` with a traceback while the package is imported.
_LAZY = {"Atlas": "atlas", "Region": "atlas", "load_atlas": "atlas", "viewer_sign": "atlas",
         "PainMap": "painting", "SENSATIONS": "painting", "QUESTIONS": "painting", "load": "fileformat",
         "save": "fileformat"}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'bodymap' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


def match(pain_map, **kw):
    """Rank the referral patterns a pain map is consistent with (see bodymap.matcher)."""
    from .matcher import match as _match

    return _match(pain_map, **kw)


__all__ = [
    "Atlas", "Region", "load_atlas", "viewer_sign", "PainMap", "SENSATIONS", "QUESTIONS", "save", "load", "match",
    "BodymapError", "AtlasError", "UnknownRegionError", "FileFormatError", "FileWriteError", "PatternError",
    "ConfigError", "UsageError",
]
