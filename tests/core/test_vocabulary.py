"""One vocabulary: every question list, wording and the two painted features have exactly one home."""
from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

import bodymap
from bodymap import batch, painting, redflags, vocabulary
from bodymap.errors import ConfigError, UsageError
from bodymap.exports import common, fhir, report
from bodymap.kiosk import flow, i18n
from bodymap.review import words as review_words

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "bodymap"


# -- one list ---------------------------------------------------------------------------

def test_every_consumer_reads_the_question_keys_from_the_vocabulary():
    keys = vocabulary.keys()
    assert len(keys) == len(set(keys)) >= 20
    assert painting.QUESTIONS == keys and bodymap.QUESTIONS == keys
    assert set(painting.YES_NO_QUESTIONS) | set(painting.INT_QUESTIONS) == set(keys)
    assert list(review_words.QUESTION_WORDS) == list(keys)
    assert list(report.ANSWER_WORDS) == list(keys)
    assert list(fhir.QUESTION_TEXT) == list(keys)
    # batch and the exports check answers through the one codec (fileformat.read_document), which uses
    # painting.validate_answer: they keep no list of their own
    assert not hasattr(batch, "QUESTIONS") and not hasattr(common, "QUESTIONS")
    # the kiosk asks every answer key, plus the intensity scale (stored as the intensity, not an answer)
    screens = [k for k, _ in flow.QUESTIONS]
    legacy = vocabulary.legacy_keys()  # read from older files, never asked (issue 18: fever_or_weight_loss)
    assert legacy == ("fever_or_weight_loss",)
    assert [k for k in screens if k != "intensity"] == [k for k in keys if k not in legacy]
    assert dict(flow.QUESTIONS)["intensity"] == "scale"


def test_every_consumer_reads_the_red_flag_questions_from_the_vocabulary():
    rf = vocabulary.red_flag_keys()
    assert redflags.RED_FLAG_QUESTIONS == rf
    assert bodymap.matcher.RED_FLAG_QUESTIONS == rf
    assert review_words.RED_FLAG_QUESTIONS == rf
    assert tuple(report.RED_FLAG_QUESTIONS) == rf
    # the issue's missing screening questions are there, and asked in the kiosk
    new = {"sexual_dysfunction", "weakness_new_or_worse", "night_pain", "iv_drug_use", "immunosuppressed",
           "steroids", "osteoporosis", "thoracic_pain", "unwell"}
    assert new <= set(rf) and new <= {k for k, _ in flow.QUESTIONS}


def test_red_flag_questions_are_exactly_the_keys_the_rules_read():
    read = {k for rule in vocabulary.flag_rules() for t in rule.triggers for k in t.answer_keys}
    assert read == set(vocabulary.red_flag_keys()) | set(vocabulary.legacy_keys())


def test_no_catalogue_words_a_question_itself():
    """The kiosk's catalogues hold screen text only; question wording lives in regions/questions.yaml."""
    for p in sorted((REPO / "assets" / "i18n").glob("*.yaml")):
        doc = yaml.safe_load(p.read_text(encoding="utf-8"))
        assert not [k for k in doc if k.startswith("q_")], p.name


def test_no_source_file_keeps_its_own_question_wording():
    """A clinician label or a patient question written into Python would be a second home."""
    texts = []
    for k in vocabulary.keys():
        for aud in ("clinician", "patient"):
            for lang in vocabulary.languages():
                t = vocabulary.words(k, aud, lang)
                if len(t) >= 14:  # short labels ("Age", "Numbness") also occur as ordinary words
                    texts.append(t)
    for py in SRC.rglob("*.py"):
        code = py.read_text(encoding="utf-8")
        found = [t for t in texts if t in code]
        assert not found, f"{py.relative_to(REPO)} words a question itself: {found[:3]}"


def test_both_legs_and_saddle_are_worked_out_in_painting_only():
    """The leg levels and the saddle region id are written once, in painting.py."""
    leg = re.compile(r"""[(\[{]\s*["']thigh["'],\s*["']knee["'],\s*["']leg["'],\s*["']foot["']\s*[)\]}]""")
    for py in SRC.rglob("*.py"):
        code = py.read_text(encoding="utf-8")
        if py.name != "painting.py":
            assert not leg.search(code), py.relative_to(REPO)
            assert 'stem == "perineum"' not in code and '("perineum",)' not in code, py.relative_to(REPO)


# -- wording per language -------------------------------------------------------------

def test_every_question_is_worded_for_patient_and_clinician_in_every_kiosk_language():
    assert set(vocabulary.languages()) == set(i18n.available_languages())
    for q in vocabulary.questions():
        for lang in vocabulary.languages():
            cat = i18n.load_catalogue(lang)
            assert cat[f"q_{q.key}"] == vocabulary.words(q.key, "patient", lang)
            assert vocabulary.words(q.key, "clinician", lang).strip()
        if q.kind == "scale":
            assert i18n.text("es", f"q_{q.key}_low") != i18n.text("en", f"q_{q.key}_low")


def test_spanish_patient_wording_is_a_translation_not_a_copy():
    for k in (q.key for q in vocabulary.questions()):
        assert vocabulary.words(k, "patient", "es") != vocabulary.words(k, "patient", "en"), k


def test_a_language_without_the_words_falls_back_to_english_and_unknown_keys_are_refused():
    assert vocabulary.words("numbness", "patient", "fr") == vocabulary.words("numbness", "patient", "en")
    with pytest.raises(UsageError, match="mood"):
        vocabulary.words("mood")
    with pytest.raises(UsageError):
        vocabulary.words("numbness", "nurse")


def test_a_catalogue_that_words_a_question_itself_is_refused(tmp_path):
    src = (REPO / "assets" / "i18n" / "en.yaml").read_text(encoding="utf-8")
    (tmp_path / "en.yaml").write_text(src + '\nq_numbness: "Numb?"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="regions/questions.yaml"):
        i18n.load_catalogue("en", tmp_path)


def test_follow_up_applies_only_when_its_condition_holds():
    # (the vascular-risk question: "is the weakness new?" is asked of everyone since ADR 0027)
    assert vocabulary.question("vascular_risk").ask_if == {"abdominal_pain": True}
    assert vocabulary.applies("vascular_risk", {"abdominal_pain": True})
    assert not vocabulary.applies("vascular_risk", {"abdominal_pain": False})
    assert not vocabulary.applies("vascular_risk", {})
    assert "vascular_risk" not in vocabulary.unanswered_red_flag_keys({"abdominal_pain": False})
    assert "vascular_risk" in vocabulary.unanswered_red_flag_keys({"abdominal_pain": True})


# -- the file is checked ----------------------------------------------------------------

@pytest.fixture(scope="module")
def doc():
    return yaml.safe_load((REPO / "regions" / "questions.yaml").read_text(encoding="utf-8"))


def _q(d, key):
    return next(q for q in d["questions"] if q["key"] == key)


def _break(d, how):
    d = copy.deepcopy(d)
    how(d)
    return d


@pytest.mark.parametrize("how, msg", [
    (lambda d: _q(d, "night_pain")["words"]["patient"].pop("es"), "every language"),
    (lambda d: _q(d, "night_pain").__setitem__("use", ["match"]), "read but unmarked"),
    (lambda d: _q(d, "numbness").__setitem__("use", ["match", "red_flag"]), "marked but unread"),
    (lambda d: d["red_flags"][0]["triggers"][0].__setitem__("urgency", "urgent"), "urgency must be"),
    (lambda d: d["red_flags"][0]["triggers"][0].__setitem__("source", ["my_memory"]), "source"),
    (lambda d: _q(d, "steroids").__setitem__("source", []), "source"),
    (lambda d: d["red_flags"][0]["triggers"][0]["when"].__setitem__("bladder", True), "'bladder'"),
    (lambda d: d["sources"]["ahcpr_1994"].__setitem__("label", "X"), "label R, S or M"),
    (lambda d: _q(d, "weakness_new_or_worse").__setitem__("ask_if", {"osteoporosis": True}), "ask_if"),
    (lambda d: d["questions"].append(copy.deepcopy(_q(d, "age"))), "used twice"),
])
def test_a_broken_vocabulary_gives_one_clear_error(doc, how, msg):
    with pytest.raises(ConfigError, match=re.escape(msg)):
        vocabulary._build(_break(doc, how), "questions.yaml")


def test_every_question_and_every_urgency_names_a_labelled_source(doc):
    v = vocabulary.load()
    for q in v.questions:
        assert q.source and all(s in v.sources for s in q.source), q.key
    for rule in v.flags:
        for t in rule.triggers:
            assert t.source, rule.id
            assert all(v.sources[s]["label"] in ("R", "S", "M") for s in t.source)


# -- the two painted features, one implementation each ----------------------------------

@pytest.mark.parametrize("paint, legs", [
    ([("right_calf", "back"), ("left_shin", "front")], True),  # one leg on each view
    ([("left_calf", "back"), ("right_anterior_thigh", "front")], True),
    ([("right_calf", "back"), ("right_shin", "front")], False),  # the same (patient's right) leg twice
    ([("left_lateral_leg", "front"), ("left_heel", "back")], False),
    ([("right_buttock", "back"), ("left_buttock", "back")], False),  # buttocks are not the leg
    ([("perineum", "back")], False),
])
def test_both_legs_painted_agrees_across_map_batch_and_exports(atlas, tmp_path, paint, legs):
    m = bodymap.PainMap(atlas)
    for rid, view in paint:
        assert atlas.region(rid).view == view
        m.paint_region(rid, 0.5, "aching")
    assert m.both_legs_painted is legs
    assert painting.both_legs_painted(atlas, m.region_coverage()) is legs
    # batch and the export decoder read the saved file their own way but ask the same rule
    p = bodymap.save(m, tmp_path / "m.bodymap")
    weak = {"weakness": True}  # with weakness (follow-up not asked), both legs raise cauda equina
    m.answers.update(weak)
    bodymap.save(m, p)
    assert ("cauda_equina" in batch.score_file(str(p)).red_flags) is legs
    dec = common.Decoder(atlas)
    assert ("cauda_equina" in {f.id for f in dec.rank(dec.read(p)).red_flags}) is legs


@pytest.fixture(scope="module")
def atlas():
    return bodymap.load_atlas()


def test_saddle_painted_is_the_perineum_by_region_id(atlas):
    m = bodymap.PainMap(atlas)
    m.paint_region("pubic", 0.5, "aching")
    assert not m.saddle_painted and not painting.saddle_painted(m.region_coverage())
    m.paint_region("perineum", 0.5, "aching")
    assert m.saddle_painted
    assert any("saddle" in p.lower() for p in bodymap.match(m).prompts)


def test_a_broken_vocabulary_stops_the_command_with_one_line_and_exit_2(tmp_path):
    import os
    import shutil
    import subprocess
    import sys

    for d in ("regions", "assets"):
        shutil.copytree(REPO / d, tmp_path / d)
    p = tmp_path / "regions" / "questions.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace("urgency: emergency", "urgency: urgentish", 1),
                 encoding="utf-8")
    from bodymap import PainMap, load_atlas, save

    m = PainMap(load_atlas())
    m.paint_region("right_calf", 0.5)
    save(m, tmp_path / "a.bodymap")
    env = dict(os.environ, BODYMAP_DATA=str(tmp_path))
    # a command that reads the questions (`atlas regions` no longer does: the package loads them on first use)
    r = subprocess.run([sys.executable, "-m", "bodymap", "match", str(tmp_path / "a.bodymap")], capture_output=True,
                       text=True, env=env, timeout=120)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    [line] = r.stderr.strip().splitlines()
    assert "questions.yaml" in line and "urgentish" in line and "urgency must be one of" in line
