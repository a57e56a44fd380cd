"""The plain bands beside every probability a clinician sees (docs/adr/0008-calibration-bands.md).

    p >= STRONG_AT    "strong"    strongly consistent
    p >= MODERATE_AT  "moderate"  moderately consistent
    otherwise         "weak"      weakly consistent

The cut points are fixed here, not fitted, so that a band means the same thing after every
refit of the temperature (bodymap.lab.calibration); docs/validation.md reports how often the
top pattern was right in each band. Runtime code (matcher, windows, exports) reads the bands
from here and never imports the laboratory.
"""
from __future__ import annotations

import math

import numpy as np

STRONG_AT = 0.70
MODERATE_AT = 0.40
BANDS = ("strong", "moderate", "weak")
BAND_TEXT = {"strong": "strongly consistent", "moderate": "moderately consistent", "weak": "weakly consistent"}


def band_for(p: float) -> str:
    """The band of a (calibrated) probability: 'strong', 'moderate' or 'weak'.

    >>> band_for(0.85), band_for(0.5), band_for(0.1)
    ('strong', 'moderate', 'weak')
    """
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not math.isfinite(float(p)):
        raise ValueError(f"band_for needs a probability between 0 and 1, got {p!r}")
    p = float(p)
    if not -1e-9 <= p <= 1 + 1e-9:
        raise ValueError(f"band_for needs a probability between 0 and 1, got {p!r}")
    if p >= STRONG_AT:
        return "strong"
    if p >= MODERATE_AT:
        return "moderate"
    return "weak"


def band_text(band_or_p: str | float) -> str:
    """'moderately consistent' for 'moderate' or for a probability in that band."""
    band = band_or_p if isinstance(band_or_p, str) else band_for(band_or_p)
    return BAND_TEXT[band]


def hypothesis_band(h) -> str:
    """The band of a hypothesis-like object (its own `band` if it has one, else from its probability)."""
    b = getattr(h, "band", None)
    if b in BAND_TEXT:
        return b
    try:
        p = float(getattr(h, "probability", 0.0) or 0.0)
    except (TypeError, ValueError):
        return "weak"
    return band_for(min(max(p, 0.0), 1.0)) if math.isfinite(p) else "weak"  # a screen never crashes on a band
