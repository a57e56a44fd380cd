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

from .atlas import Atlas, Region, load_atlas, viewer_sign  # noqa: E402
from .errors import (  # noqa: E402
    AtlasError, BodymapError, ConfigError, FileFormatError, FileWriteError, PatternError, UnknownRegionError, UsageError,
)
from .painting import QUESTIONS, SENSATIONS, PainMap  # noqa: E402
from .fileformat import load, save  # noqa: E402


def match(pain_map, **kw):
    """Rank the referral patterns a pain map is consistent with (see bodymap.matcher)."""
    from .matcher import match as _match

    return _match(pain_map, **kw)


__all__ = [
    "Atlas", "Region", "load_atlas", "viewer_sign", "PainMap", "SENSATIONS", "QUESTIONS", "save", "load", "match",
    "BodymapError", "AtlasError", "UnknownRegionError", "FileFormatError", "FileWriteError", "PatternError",
    "ConfigError", "UsageError",
]
