"""Paint you can see: contrast of every sensation against the skin, computed from the palette (WCAG 2.2)."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

from bodymap.painting import SENSATIONS
from bodymap.render import palette
from bodymap.render.picture import compose_rgba, swatch_rgba

NON_TEXT_MIN = 3.0  # WCAG 2.2 success criterion 1.4.11, non-text contrast


def _on_skin(rgba: np.ndarray) -> np.ndarray:
    """What the paint looks like over the body fill."""
    a = rgba[..., 3:4].astype(float) / 255
    return a * rgba[..., :3] + (1 - a) * np.array(palette.SKIN, dtype=float)


def test_the_contrast_formula_matches_known_wcag_values():
    assert palette.contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert palette.contrast_ratio((255, 255, 255), (255, 255, 255)) == pytest.approx(1.0)
    # #767676 on white is the well-known 4.54:1 grey
    assert palette.contrast_ratio((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("sensation", SENSATIONS)
def test_every_colour_of_every_sensation_stands_3_to_1_against_the_skin(sensation):
    colours = {tuple(int(v) for v in c) for c in _on_skin(swatch_rgba(sensation, 24, 24)).reshape(-1, 3)}
    assert colours, sensation
    for c in colours:
        assert palette.contrast_ratio(c, palette.SKIN) >= NON_TEXT_MIN, (sensation, c)


@pytest.mark.parametrize("sensation", [s for s in SENSATIONS if palette.SENSATION_STYLE[s]["pattern"] != "solid"])
def test_every_texture_shows_on_its_own_fill(sensation):
    style = palette.SENSATION_STYLE[sensation]
    assert palette.contrast_ratio(style["colour"], style["fill"]) >= 1.8
    rgba = swatch_rgba(sensation, 24, 24)
    assert {tuple(style["colour"]), tuple(style["fill"])} <= {tuple(c) for c in rgba[..., :3].reshape(-1, 3)}


@pytest.mark.parametrize("first,second", list(itertools.combinations(SENSATIONS, 2)))
def test_where_two_sensations_overlap_both_stay_visible(first, second):
    layers = np.zeros((len(SENSATIONS), 30, 30), dtype=bool)
    layers[SENSATIONS.index(first)] = True
    layers[SENSATIONS.index(second)] = True
    seen = {tuple(c) for c in compose_rgba(layers)[..., :3].reshape(-1, 3)}
    for s in (first, second):
        own = {tuple(palette.SENSATION_STYLE[s]["colour"]), tuple(palette.SENSATION_STYLE[s]["fill"])}
        share = np.mean([tuple(c) in own for c in compose_rgba(layers)[..., :3].reshape(-1, 3)])
        assert seen & own, (first, second, s)
        assert share >= 0.2, (first, second, s, share)  # not a few stray pixels: a fifth of the area or more


def test_sensations_differ_from_each_other_in_colour_or_texture():
    styles = palette.SENSATION_STYLE
    assert len({styles[s]["pattern"] for s in SENSATIONS}) == len(SENSATIONS)
    assert len({styles[s]["fill"] for s in SENSATIONS}) == len(SENSATIONS)
