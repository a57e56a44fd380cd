"""Which feature questions the kiosk asks: expected information gain from the matcher."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bodymap import matcher, questioning
from bodymap.painting import PainMap, SENSATIONS



@pytest.fixture(scope="module")
def model(atlas):
    return matcher.get_model(atlas)


def _features(atlas, paint, answers=None):
    m = PainMap(atlas)
    for rid, frac, sens in paint:
        m.paint_region(rid, frac, sens)
    m.answers.update(answers or {})
    return matcher.features_of(m)


S1_LIKE = [("right_buttock", 0.6, "aching"), ("right_posterior_thigh", 0.6, "burning"),
           ("right_calf", 0.6, "burning"), ("right_lateral_foot", 0.8, "pins_and_needles")]


def _entropy(p):
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


def test_gain_equals_the_entropy_drop_computed_by_hand(atlas, model):
    f = _features(atlas, S1_LIKE)
    v = questioning.value_of(model, f, "worse_sitting")
    post = matcher.posterior(model, f)
    yes = matcher.posterior(model, questioning.with_answer(f, "worse_sitting", True))
    no = matcher.posterior(model, questioning.with_answer(f, "worse_sitting", False))
    expected = _entropy(post) - (v.p_yes * _entropy(yes) + (1 - v.p_yes) * _entropy(no))
    assert v.gain_bits == pytest.approx(max(expected, 0.0), abs=1e-9)
    assert 0.0 < v.p_yes < 1.0


def test_a_question_every_hypothesis_answers_alike_gains_nothing(atlas, model):
    j = matcher.ANSWER_FEATURES.index("weakness")
    flat = replace(model, ans_lp=model.ans_lp.copy(), ans_lq=model.ans_lq.copy())
    flat.ans_lp[:, j] = np.log(0.4)
    flat.ans_lq[:, j] = np.log(0.6)
    # and the same range for every hypothesis (ADR 0019: answers carry a spread from their label)
    d = flat.doubt
    ans = tuple(a.copy() for a in d.ans)
    for a in ans[1], ans[3]:
        a[:, j] = a[:, j].mean()
    flat.doubt = replace(d, ans=ans)
    v = questioning.value_of(flat, _features(atlas, S1_LIKE), "weakness")
    assert v.gain_bits == pytest.approx(0.0, abs=1e-9)
    assert not v.changes_top and not v.worth_asking


def test_answered_and_painted_questions_are_not_asked_again(atlas, model):
    f = _features(atlas, S1_LIKE, {"worse_sitting": True})
    keys = [v.key for v in questioning.rank_questions(model, f)]
    assert "worse_sitting" not in keys
    assert "numbness" in keys  # nothing numb was painted, so the question is still open
    numb = _features(atlas, S1_LIKE + [("right_lateral_foot", 0.5, "numbness")])
    assert numb.sensations[SENSATIONS.index("numbness")]
    assert "numbness" not in [v.key for v in questioning.rank_questions(model, numb)]


def test_questions_come_most_valuable_first(atlas, model):
    ranked = questioning.rank_questions(model, _features(atlas, S1_LIKE))
    keys = [(not v.changes_top, -v.gain_bits) for v in ranked]
    assert keys == sorted(keys)


# Burning at the outer thigh once lost to 'no pattern fits well' because atlas 3's many unpainted
# regions each favoured it; an unpainted region now counts as its share of the old region (ADR 0024).
def test_a_question_that_can_change_the_top_is_always_worth_asking(atlas, model):
    # burning on the outer thigh alone: meralgia and L2/L3 sit close, and the answers separate them
    f = _features(atlas, [("right_lateral_thigh", 0.7, "burning")])
    ranked = questioning.rank_questions(model, f)
    assert any(v.changes_top for v in ranked)
    for v in ranked:
        if v.changes_top:
            assert v.worth_asking
            post = matcher.posterior(model, f)
            tops = {int(np.argmax(matcher.posterior(model, questioning.with_answer(f, v.key, a)))) for a in (True, False)}
            assert tops != {int(np.argmax(post))}


def test_asking_until_nothing_matters_ends_and_asks_each_question_once(atlas, model):
    for paint in (S1_LIKE, [("right_lateral_thigh", 0.7, "burning")], [("right_groin", 0.7, "aching")]):
        f = _features(atlas, paint)
        asked = []
        while (k := questioning.next_question(model, f)) is not None:
            assert k not in asked
            asked.append(k)
            # answer as the top hypothesis would most likely answer
            v = questioning.value_of(model, f, k)
            f = questioning.with_answer(f, k, v.p_yes >= 0.5)
        assert len(asked) <= len(matcher.ANSWER_FEATURES)
        assert all(not v.worth_asking for v in questioning.rank_questions(model, f))


def test_the_threshold_matches_its_documented_meaning():
    # 0.05 bits is the gain of turning a 50/50 choice into about 63/37
    assert questioning.gain_for_split(0.63) == pytest.approx(questioning.MIN_GAIN_BITS, abs=0.002)
