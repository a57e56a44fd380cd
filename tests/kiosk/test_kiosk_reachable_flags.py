"""ADR 0027: every red flag a clinician's answers would raise can be raised at the kiosk.

A patient who answers each question the kiosk shows as a clinician's answers say gets the same flags, at the
same urgency, as `bodymap.triage` gives for those answers: the kiosk leaves out only questions that cannot
change the flags (a follow-up whose stem said otherwise, a question no rule can still read). Before ADR 0027
"is the weakness new?", "fever?" and "pain from the side to the groin?" were asked only after a yes to their
stems, so a "no" to the stem made their flags unreachable.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodymap import redflags, triage, vocabulary
from bodymap.kiosk import plan
from bodymap.kiosk.drawing import DrawingView
from bodymap.unsure import UNSURE

ASKED = tuple(q.key for q in vocabulary.questions() if "red_flag" in q.uses and q.kind == "yesno" and q.kiosk)
VALUES = (True, False, UNSURE)


def _verdict(answers, both_legs):
    return sorted((f.id, f.urgency) for f in redflags.red_flags(answers, both_legs))


def _kiosk_answers(clinician: dict, both_legs: bool) -> tuple[dict, list[str]]:
    """Drive the short flow's planner; the patient answers every screen as `clinician` says."""
    drawing = DrawingView(cauda_prompted=both_legs, both_legs_painted=both_legs)
    answers, visited = {}, []
    while True:
        nxt = plan.next_screen(answers, visited, drawing=drawing)
        if nxt is None:
            return answers, visited
        key, kind = nxt
        assert key not in visited
        visited.append(key)
        if kind == plan.SCALE[1]:
            continue
        if kind == plan.AGE[1]:
            answers["age"] = clinician["age"]
            continue
        keys = plan.red_flag_pages(plan.singles_asked(visited))[int(key.rsplit("_", 1)[1]) - 1] \
            if plan.is_page(key) else (key,)
        for k in keys:
            answers[k] = clinician[k]
        for k in [k for k in answers if k in ASKED and not redflags.follow_up_may_apply(k, answers)]:
            del answers[k]  # as the kiosk does when a stem changes (never here: answers are given once)


clinicians = st.fixed_dictionaries({**{k: st.sampled_from(VALUES) for k in ASKED},
                                    "age": st.sampled_from([b.stored for b in plan.AGE_BANDS])})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clinician=clinicians, both_legs=st.booleans())
def test_the_kiosk_reaches_every_flag_a_clinicians_answers_raise(clinician, both_legs):
    got, _ = _kiosk_answers(clinician, both_legs)
    assert _verdict(got, both_legs) == _verdict(clinician, both_legs)
    # and the same through the triage every window uses
    want = triage.assess_case(triage.Case(dict(clinician), both_legs=both_legs)).red_flags
    have = triage.assess_case(triage.Case(dict(got), both_legs=both_legs)).red_flags
    assert sorted((f.id, f.urgency) for f in have) == sorted((f.id, f.urgency) for f in want)


def test_each_question_that_raises_a_flag_alone_is_asked_whatever_the_other_answers():
    """Found from the rules: a question one trigger reads alone (with at most the drawing) raises a flag with
    every other answer no; the kiosk asks it after a "no" to everything else."""
    alone = {k for r in vocabulary.flag_rules() for t in r.triggers if t.raises and not t.any
             for k in [k for k in t.when if k not in vocabulary.FEATURES and k != "age"]
             if len([k for k in t.when if k not in vocabulary.FEATURES and k != "age"]) == 1
             and t.when[k] is True}
    assert {"weakness_new_or_worse", "fever", "loin_to_groin"} <= alone  # the three of ADR 0027
    raised = {key: [] for key in alone & set(ASKED)}
    for legs in (False, True):
        _, visited = _kiosk_answers({**{k: False for k in ASKED}, "age": 80}, legs)
        shown = {k for v in visited for k in (plan.red_flag_pages(plan.singles_asked(visited))
                                               [int(v.rsplit("_", 1)[1]) - 1] if plan.is_page(v) else (v,))}
        assert alone & set(ASKED) <= shown, (legs, sorted(alone & set(ASKED) - shown))
        for key in raised:
            with_yes = {**{k: False for k in ASKED}, key: True, "age": 80}
            got, _ = _kiosk_answers(with_yes, legs)
            assert got[key] is True and _verdict(got, legs) == _verdict(with_yes, legs)
            raised[key] += _verdict(got, legs)
    assert all(raised.values()), raised  # each raises a flag (some only with both legs painted)
