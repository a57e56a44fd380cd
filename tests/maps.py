"""Small pain maps for the matcher tests: paint whole regions and set answers in one call."""
from __future__ import annotations

from bodymap.painting import PainMap


def painted(atlas, paint, answers=None) -> PainMap:
    """A map with each (region id, fraction, sensation) of `paint` painted and `answers` set."""
    m = PainMap(atlas)
    for rid, frac, sens in paint:
        m.paint_region(rid, frac, sens)
    m.answers.update(answers or {})
    return m
