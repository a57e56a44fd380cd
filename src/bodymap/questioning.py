"""Which feature questions are worth asking: expected information gain from the matcher.

A kiosk patient should answer only the questions whose answer could change what
the clinician reads at the top of the ranking. For each unanswered feature
question (matcher.ANSWER_FEATURES) this module computes, from the matcher's own
tempered model and the map painted so far:

- the probability of "yes" predicted by the current posterior;
- the expected information gain (on the probabilities a clinician sees): the entropy of the posterior over hypotheses
  now, minus its expected entropy after the answer (in bits);
- whether either answer would change the top hypothesis.

A question is worth asking when its expected gain reaches `MIN_GAIN_BITS`, or
when one of its answers would change the top hypothesis. Red-flag questions are
never chosen here: they are always asked (bodymap.redflags).

The threshold is a design choice, not a clinical number: 0.05 bits is about the
gain of a question that moves a 50/50 choice between two hypotheses to 63/37,
below which an answer no longer changes which patterns the clinician sees first
(docs/kiosk.md, "Which questions are asked").
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .matcher import ANSWER_FEATURES, Features, Model
from .painting import SENSATIONS

MIN_GAIN_BITS = 0.05


@dataclass(frozen=True)
class QuestionValue:
    key: str
    p_yes: float  # predicted probability of "yes" under the current posterior
    gain_bits: float  # expected information gain about the hypotheses
    changes_top: bool  # some answer makes another hypothesis the top one
    discriminating: bool = False  # a leading pattern cannot be "strong" without it (ADR 0019): asked first

    @property
    def worth_asking(self) -> bool:
        return self.discriminating or self.changes_top or self.gain_bits >= MIN_GAIN_BITS


def _normalise(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    p = np.exp(z)
    return p / p.sum()


def _entropy_bits(p: np.ndarray) -> float:
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


def value_of(model: Model, f: Features, key: str) -> QuestionValue:
    """The value of asking `key` (an answer feature) given the map and answers in `f`, on the
    probabilities a clinician sees (matcher.posterior: table ranges and rules, ADR 0019)."""
    from .matcher import posterior

    j = ANSWER_FEATURES.index(key)
    post = posterior(model, f)
    # the model's own prediction of the answer, hypothesis by hypothesis
    p_yes_h = np.exp(model.ans_lp[:, j])
    p_yes = float(np.clip((post * p_yes_h).sum(), 0.0, 1.0))
    after_yes = posterior(model, with_answer(f, key, True))
    after_no = posterior(model, with_answer(f, key, False))
    expected_after = p_yes * _entropy_bits(after_yes) + (1 - p_yes) * _entropy_bits(after_no)
    gain = max(0.0, _entropy_bits(post) - expected_after)
    top = int(np.argmax(post))
    changes = int(np.argmax(after_yes)) != top or int(np.argmax(after_no)) != top
    return QuestionValue(key, p_yes, gain, changes)


# Questions the painting already answers: a patient who painted numbness does not
# need to be asked whether part of the leg feels numb.
ANSWERED_BY_SENSATION = {"numbness": "numbness"}


def answered_by_painting(f: Features) -> set[str]:
    """Feature questions the painted sensations already answer "yes" to."""
    painted = {s for s, on in zip(SENSATIONS, f.sensations) if on}
    return {key for key, sens in ANSWERED_BY_SENSATION.items() if sens in painted}


def rank_questions(model: Model, f: Features, keys=None) -> list[QuestionValue]:
    """Every unanswered feature question in `keys` (default: all) that the painting
    does not already answer, most valuable first."""
    keys = ANSWER_FEATURES if keys is None else tuple(keys)
    skip = answered_by_painting(f)
    disc = discriminating_keys(model, f)
    out = [replace(value_of(model, f, k), discriminating=k in disc) for k in keys
           if k in ANSWER_FEATURES and f.answers.get(k) is None and k not in skip]
    return sorted(out, key=lambda v: (not v.discriminating, not v.changes_top, -v.gain_bits,
                                      ANSWER_FEATURES.index(v.key)))


LEADING = 0.25  # a pattern this likely or more has its discriminating answers asked first


def discriminating_keys(model: Model, f: Features) -> set[str]:
    """Unanswered answers that a leading pattern needs before it can be "strong" (patterns.yaml
    `discriminating:`, ADR 0019): the questions panel and the kiosk ask them next."""
    from .matcher import posterior

    if not (f.coverage > 0).any():
        return set()
    post = posterior(model, f)
    belief = np.bincount(model.rules.hyp_pat, weights=post, minlength=len(model.pattern_ids))
    out = set()
    for k, pat in enumerate(model.lib.patterns):
        if belief[k] >= LEADING:
            out |= {a for a in pat.discriminating if not isinstance(f.answers.get(a), bool)}
    return out


def next_question(model: Model, f: Features, keys=None) -> str | None:
    """The most valuable question still worth asking, or None when no answer would matter."""
    for v in rank_questions(model, f, keys):
        if v.worth_asking:
            return v.key
    return None


def with_answer(f: Features, key: str, value) -> Features:
    """`f` with one more answer (the map's features are unchanged)."""
    return replace(f, answers={**f.answers, key: value})


def gain_for_split(p: float) -> float:
    """Bits gained by a question that turns a 50/50 choice into p / (1 - p): for documenting the threshold."""
    q = 1 - p
    return 1.0 - (-(p * math.log2(p) + q * math.log2(q)))
