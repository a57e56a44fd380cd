"""ADR 0042 (after ADR 0027): the kiosk asks the red-flag questions by context, and nothing is lost.

For any answers a clinician would give and any context (age band, both legs painted or not, the painted areas),
a patient who answers each screen the kiosk shows as the clinician's answers say:

(a) is asked every question whose yes could raise an emergency in that context: no question the kiosk left out
    raises an emergency when answered yes on top of what it collected, and the emergencies of the clinician's
    answers are the kiosk's (the kiosk stops at the first one, as the real kiosk does);
(b) gets the same flags at the same urgency as `bodymap.triage` gives for the clinician's answers, except flags
    that need a question the kiosk left for the visit (never an emergency); and no flag the clinician's answers
    do not give, except one another flag's `unless` hides when that flag is raised;
(c) has every question it left out that a flag of the clinician's answers reads in the list the clinician sees
    (`triage.not_asked_at_kiosk`, "Not asked at the kiosk, ask at the visit: ...").
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
EMERGENCY = vocabulary.URGENCIES[0]


def _flags(answers, both_legs):
    return {f.id: f for f in redflags.red_flags(answers, both_legs)}


def _emergencies(answers, both_legs):
    return {i for i, f in _flags(answers, both_legs).items() if f.urgency == EMERGENCY}


def _kiosk_answers(clinician: dict, drawing: DrawingView, mode=plan.BY_CONTEXT) -> tuple[dict, bool]:
    """Drive the short flow's planner as the kiosk does; the patient answers every screen as `clinician` says.
    (collected answers, stopped early at an emergency)."""
    answers, visited, pages = {}, [], {}
    both = bool(drawing.both_legs_painted)
    while True:
        nxt = plan.next_screen(answers, visited, drawing=drawing, mode=mode, pages=pages)
        if nxt is None:
            return answers, False
        key, kind = nxt
        assert key not in visited
        visited.append(key)
        if kind == plan.SCALE[1]:
            continue
        if kind == plan.AGE[1]:
            answers["age"] = clinician["age"]
            continue
        keys = pages[key][0] if plan.is_page(key) else (key,)
        assert len(keys) <= plan.PAGE_MAX
        for k in keys:
            answers[k] = clinician[k]
        if _emergencies(answers, both) and not plan.due_follow_ups(answers, drawing):
            return answers, True  # the kiosk ends the questions at an emergency (flow.ShortFlow._answer_short)


clinicians = st.fixed_dictionaries({**{k: st.sampled_from(VALUES) for k in ASKED},
                                    "age": st.sampled_from([b.stored for b in plan.AGE_BANDS])})
drawings = st.builds(lambda legs, saddle, areas: DrawingView(cauda_prompted=legs or saddle, both_legs_painted=legs,
                                                             areas=frozenset(areas)),
                     st.booleans(), st.booleans(), st.sets(st.sampled_from(vocabulary.KIOSK_AREAS)))


def _by_rule(flags):
    """{rule id: its most urgent flag}: a "not sure" flag (`<id>_unsure`) counts as its rule's, so a rule raised
    by a yes in one and by a "not sure" in the other compares by urgency (with the reasons of both)."""
    out = {}
    for f in redflags.by_urgency(flags):
        rid = f.id[:-len(redflags.SUFFIX)] if f.id.endswith(redflags.SUFFIX) else f.id
        if rid in out:
            out[rid] = type(f)(rid, f.text, f.reasons, out[rid].urgency, out[rid].because + f.because)
        else:
            out[rid] = type(f)(rid, f.text, f.reasons, f.urgency, f.because)
    return out


def _check(clinician, drawing):
    both = bool(drawing.both_legs_painted)
    got, stopped = _kiosk_answers(clinician, drawing)
    left = [k for k in ASKED if k not in got]
    # (a) nothing left out raises an emergency on top of what was collected
    have = _emergencies(got, both)
    for k in left if not stopped else ():  # (stopped: the patient is already sent to reception as an emergency)
        assert _emergencies({**got, k: True}, both) <= have, k
    want = _emergencies(clinician, both)
    assert bool(have) == bool(want)
    if not stopped:
        assert have == want
    # (b) the same flags at the same urgency, through the triage every window uses, but for the visit's questions
    full = _by_rule(triage.assess_case(triage.Case(dict(clinician), both_legs=both)).red_flags)
    case = triage.Case(dict(got), both_legs=both, at_kiosk=True)
    t = triage.assess_case(case)
    kiosk = _by_rule(t.red_flags)
    for fid, f in full.items():
        if fid in kiosk and kiosk[fid].urgency == f.urgency:
            continue
        waits = [k for k in f.because if k in left]
        assert waits or stopped, (fid, f.urgency)  # only a question left for the visit (or the alarm) explains it
        assert stopped or f.urgency != EMERGENCY
        # (c) and the clinician sees each such question under the red flags
        assert set(waits) <= set(t.not_asked_at_kiosk), (fid, waits)
    hidden = {fid for fid in kiosk if fid not in full
              and any(set(vocabulary.flag_rule(fid).unless) & set(full) for _ in [0] if vocabulary.flag_rule(fid))}
    assert set(kiosk) - set(full) <= hidden
    # (c) the list names only questions the kiosk did not ask, in the vocabulary's short words
    assert set(t.not_asked_at_kiosk) <= set(left)
    if t.not_asked_at_kiosk:
        assert t.not_asked_line.startswith("Not asked at the kiosk, ask at the visit: ")
        assert all(vocabulary.words(k, "short") in t.not_asked_line for k in t.not_asked_at_kiosk)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clinician=clinicians, drawing=drawings)
def test_the_kiosk_asks_what_can_be_an_emergency_and_leaves_the_rest_in_plain_sight(clinician, drawing):
    _check(clinician, drawing)


def test_with_every_answer_no_the_first_page_only_below_fifty_and_nothing_is_an_emergency():
    for band in plan.AGE_BANDS:
        no = {**{k: False for k in ASKED}, "age": band.stored}
        got, stopped = _kiosk_answers(no, DrawingView(both_legs_painted=False, areas=frozenset()))
        assert not stopped
        asked = {k for k in ASKED if k in got}
        if band.stored < 50:
            assert asked == set(plan.everyone_keys())
        else:
            assert asked > set(plan.everyone_keys())


def test_a_history_of_cancer_brings_the_cord_compression_questions_and_their_yes_is_an_emergency():
    """Found from the rules (cord compression: a cancer history with new weakness or unsteady walking)."""
    read = {k for r in vocabulary.flag_rules() if r.id == "cord_compression" for t in r.triggers for k in t.answer_keys}
    base = {**{k: False for k in ASKED}, "age": 49}
    drawing = DrawingView(both_legs_painted=False, areas=frozenset())
    without, _ = _kiosk_answers(base, drawing)
    assert {"weakness_new_or_worse", "clumsy_hands_or_walking"} & set(without) == set()
    with_cancer, _ = _kiosk_answers({**base, "cancer_history": True}, drawing)
    assert read <= set(with_cancer)
    got, stopped = _kiosk_answers({**base, "cancer_history": True, "clumsy_hands_or_walking": True}, drawing)
    assert stopped and "cord_compression" in _emergencies(got, False)


def test_both_legs_painted_brings_the_questions_that_are_an_emergency_with_them():
    read = {k for r in vocabulary.flag_rules() for t in r.triggers
            if t.urgency == EMERGENCY and t.when.get("both_legs_painted") is True for k in t.answer_keys}
    assert {"weakness_new_or_worse", "sexual_dysfunction"} <= read
    no = {**{k: False for k in ASKED}, "age": 39}
    legs, _ = _kiosk_answers(no, DrawingView(cauda_prompted=True, both_legs_painted=True, areas=frozenset()))
    one, _ = _kiosk_answers(no, DrawingView(both_legs_painted=False, areas=frozenset()))
    assert read <= set(legs) and not read & set(one)


def test_asking_everything_still_reaches_every_flag_a_clinicians_answers_raise():
    """red_flag_questions: all (ADR 0042's option) keeps ADR 0027's guarantee: the same flags, nothing left."""
    import random

    rnd = random.Random(42)
    for _ in range(60):
        clinician = {**{k: rnd.choice(VALUES) for k in ASKED}, "age": rnd.choice([b.stored for b in plan.AGE_BANDS])}
        both = rnd.random() < 0.5
        got, stopped = _kiosk_answers(clinician, DrawingView(cauda_prompted=both, both_legs_painted=both),
                                      mode=plan.ASK_ALL)
        if not stopped:
            assert sorted((i, f.urgency) for i, f in _flags(got, both).items()) == \
                sorted((i, f.urgency) for i, f in _flags(clinician, both).items())
            assert triage.assess_case(triage.Case(dict(got), both_legs=both, at_kiosk=True)).not_asked_at_kiosk == []
