"""Issue 24: the first simulated cohort (bodymap.lab.validation.simulate) carries out-of-library
drawings too, drawn from the library's own "no pattern fits well" model."""
from __future__ import annotations

import math

import numpy as np

from bodymap import matcher
from bodymap.lab import validation


def test_the_first_cohort_has_out_of_library_drawings_in_the_none_priors_share(atlas):
    model = matcher.get_model(atlas)
    n = 1200
    cases = validation.simulate(model, n, seed=5)
    ool = [c for c in cases if c.out_of_library]
    p = model.lib.none_prior
    assert abs(len(ool) - n * p) < 4 * math.sqrt(n * p * (1 - p))  # within four binomial sd
    kinds = {c.component for c in ool}
    assert kinds <= {c.id for c in model.lib.none.components} and len(kinds) >= 2
    assert all(c.pattern == matcher.NONE_ID and matcher.NONE_ID in c.accept for c in ool)
    assert all(c.accept == (c.pattern,) for c in cases if not c.out_of_library)
    # every drawing has paint, and some out-of-library ones lie in the upper quarter (neck, arm, hand)
    assert all(c.features.coverage.any() for c in ool)
    upper = [c for c in ool if any(atlas.regions[i].level == "upper" for i in np.flatnonzero(c.features.coverage))]
    assert upper


def test_out_of_library_drawings_are_scored_against_none(atlas):
    """evaluate() counts a drawing right when its top line is one of its accepted ids: an
    out-of-library drawing ranked "none" first is a hit, not a miss against a pattern."""
    model = matcher.get_model(atlas)
    cases = [c for c in validation.simulate(model, 800, seed=6) if c.out_of_library]
    s = validation.evaluate(model, cases)
    pids = model.pattern_ids
    hits = 0
    for c in cases:
        pp = np.bincount(model.rules.hyp_pat, weights=matcher.posterior(model, c.features), minlength=len(pids))
        hits += pids[int(np.argmax(pp))] in c.accept
    assert s.top1 == hits / len(cases)
    without = validation.simulate(model, 300, seed=6, out_of_library=False)
    assert not any(c.out_of_library for c in without)
