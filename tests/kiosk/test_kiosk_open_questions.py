"""Issue 20: the kiosk asks only the red-flag questions that can still change the triage.

`bodymap.redflags.open_questions` works this out from the rules in regions/questions.yaml; the kiosk's
planner (`bodymap.kiosk.plan.next_screen`) asks follow-ups from it. See docs/adr/0016-kiosk-safe-for-a-patient.md.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bodymap import redflags, vocabulary
from bodymap.kiosk import plan
from bodymap.kiosk.drawing import DrawingView
from bodymap.unsure import UNSURE

ASKED = tuple(q.key for q in vocabulary.questions()
              if "red_flag" in q.uses and q.kind == "yesno" and q.kiosk)
STEMS = tuple(k for k in ASKED if not vocabulary.question(k).ask_if)
FOLLOW_UPS = tuple(k for k in ASKED if vocabulary.question(k).ask_if)
VALUES = (True, False, UNSURE)


def _verdict(answers, both_legs):
    return sorted((f.id, f.urgency) for f in redflags.red_flags(answers, both_legs))


answer_sets = st.fixed_dictionaries(
    {},
    optional={**{q.key: st.sampled_from(VALUES) for q in vocabulary.all_questions()
                 if "red_flag" in q.uses and q.kind == "yesno"},  # the desk's and older files' questions too
              "age": st.sampled_from([29, 39, 49, 59, 69, 79, 80]) | st.integers(0, 120)})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=answer_sets, legs=st.sampled_from([None, True, False]))
def test_answering_a_question_left_out_never_changes_the_flags_or_their_urgency(answers, legs):
    features = {} if legs is None else {"both_legs_painted": legs}
    open_now = set(redflags.open_questions(answers, features))
    assert set(STEMS) - set(answers) <= open_now  # a stem is always asked
    legs_cases = (True, False) if legs is None else (legs,)
    for key in ASKED:
        if key in answers or key in open_now:
            continue
        if not redflags.follow_up_may_apply(key, answers):
            # the vocabulary's own `ask_if`: e.g. "is the weakness new?" after a "no" to weakness is never
            # asked (issue 18); what the rules make of such an answer is tested in test_follow_ups_...
            continue
        for both in legs_cases:
            before = _verdict(answers, both)
            for v in VALUES:
                assert _verdict({**answers, key: v}, both) == before, (key, v)


def test_a_follow_up_is_left_out_only_when_its_stem_said_otherwise_or_no_trigger_can_hold():
    """Every follow-up the rules could still read is open while its stem may give it."""
    for key in FOLLOW_UPS:
        stem = vocabulary.question(key).ask_if
        opened = {k: v for k, v in stem.items()}
        assert (key in redflags.open_questions(opened)) == redflags.can_change_triage(key, opened)
        for k, v in stem.items():
            assert key in redflags.open_questions({**opened, k: UNSURE})  # "not sure" may be a yes: ask
            assert key not in redflags.open_questions({**opened, k: not v})


def test_the_aneurysm_follow_up_depends_on_the_age_the_rule_reads():
    """After a yes to tummy pain: "smoker or heart trouble?" only at an age the aneurysm rule reaches
    (or with no age); the renal colic question (a rule of its own) at any age."""
    trig = [t for r in vocabulary.flag_rules() for t in r.triggers if "vascular_risk" in t.answer_keys]
    over = min(t.when["age"]["over"] for t in trig if isinstance(t.when.get("age"), dict))
    young = {"abdominal_pain": True, "age": over}
    old = {"abdominal_pain": True, "age": over + 1}
    assert "vascular_risk" not in redflags.open_questions(young)
    assert "vascular_risk" in redflags.open_questions(old)
    assert "vascular_risk" in redflags.open_questions({"abdominal_pain": True})
    assert "loin_to_groin" in redflags.open_questions(young)


def _session(stem_answer, drawing=DrawingView(both_legs_painted=False), age_band="40s"):
    """The red-flag screens the short-flow planner shows a patient who answers every red-flag question
    with stem_answer(key) (follow-ups too); returns (screens, answers)."""
    answers, visited, screens = {}, [], []
    while True:
        nxt = plan.next_screen(answers, visited, drawing=drawing)
        if nxt is None:
            return screens, answers
        key, kind = nxt
        visited.append(key)
        if kind == plan.SCALE[1]:
            continue
        if kind == plan.AGE[1]:
            answers["age"] = plan.age_band(age_band).stored
            continue
        screens.append(key)
        keys = plan.red_flag_pages(plan.singles_asked(visited))[int(key.rsplit("_", 1)[1]) - 1] \
            if plan.is_page(key) else (key,)
        for k in keys:
            answers[k] = stem_answer(k)


def test_a_cancer_history_yes_brings_every_question_its_rules_read_with_it():
    with_cancer = {k for r in vocabulary.flag_rules() for t in r.triggers if "cancer_history" in t.answer_keys
                   for k in t.answer_keys} - {"cancer_history"}
    assert with_cancer  # the spinal cord compression rule reads cancer with new neurological signs
    _, answers = _session(lambda k: k == "cancer_history")
    assert answers["cancer_history"] is True
    assert with_cancer & set(ASKED) <= set(answers) | {k for k in FOLLOW_UPS
                                                         if not redflags.follow_up_may_apply(k, answers)}


def test_a_yes_to_tummy_pain_brings_its_follow_ups_right_after_its_page():
    screens, answers = _session(lambda k: k == "abdominal_pain", age_band="60s")
    page = next(s for s in screens if plan.is_page(s) and "abdominal_pain" in
                plan.red_flag_pages()[int(s.rsplit("_", 1)[1]) - 1])
    after = screens[screens.index(page) + 1:]
    follow = [k for k in FOLLOW_UPS if vocabulary.question(k).ask_if == {"abdominal_pain": True}]
    assert follow and after[:len(follow)] == follow


def test_no_to_every_stem_gets_the_fewest_red_flag_screens():
    fewest, answers = _session(lambda k: False)
    assert not set(FOLLOW_UPS) & set(answers)  # no follow-up asked
    for stem in STEMS:
        for v in (True, UNSURE):
            screens, _ = _session(lambda k, stem=stem, v=v: v if k == stem else False)
            assert len(screens) >= len(fewest), (stem, v)


def test_a_not_sure_stem_brings_its_follow_up_and_a_no_does_not():
    for key in FOLLOW_UPS:
        (stem, value), = vocabulary.question(key).ask_if.items()
        screens, answers = _session(lambda k, stem=stem: UNSURE if k == stem else False, age_band="60s")
        assert answers[stem] == UNSURE
        assert (key in screens) == redflags.can_change_triage(key, answers | {key: False}), key
        screens, _ = _session(lambda k, stem=stem, value=value: (not value) if k == stem else False)
        assert key not in screens
