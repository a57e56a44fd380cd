"""Kiosk core, headless: config, PIN, session codes, spool and drafts under faults, the flow."""
from __future__ import annotations

import errno
import os
import stat
import weakref
from pathlib import Path

import pytest
import yaml

import bodymap
from bodymap.errors import ConfigError, FileWriteError, UsageError
from bodymap.kiosk import i18n
from bodymap.kiosk.config import KioskConfig, load_config, save_config
from bodymap.kiosk.flow import QUESTIONS, Kiosk
from bodymap.kiosk.security import CODE_ALPHABET, hash_pin, is_session_code, new_session_code, verify_pin
from bodymap.kiosk.spool import safe_name


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def cfg(tmp_path):
    return KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts",
                       recovery_dir=tmp_path / "recovery", idle_timeout_s=60, idle_warning_s=10,
                       autosave_interval_s=5, short_flow=False)  # one question per screen (the older flow)


@pytest.fixture(scope="module")
def atlas():
    return bodymap.load_atlas()


def finish_session(k: Kiosk, answers: dict | None = None, paint=("right_calf", 0.5, "sharp")) -> str:
    s = k.start()
    if paint:
        s.pain_map.paint_region(*paint)
    k.to_questions()
    answers = answers or {}
    while k.screen == "question":
        key, kind = k.current_question
        k.answer(answers.get(key, 4 if kind == "scale" else 50 if kind == "number" else False))
    return k.confirm() if k.screen == "review" else k.screen


# -- PIN and codes -------------------------------------------------------------

def test_pin_hash_is_salted_and_verifies():
    h1, h2 = hash_pin("2468"), hash_pin("2468")
    assert h1 != h2 and "2468" not in h1  # salted, never the PIN itself
    assert verify_pin("2468", h1) and verify_pin("2468", h2)
    assert not verify_pin("2469", h1)
    assert not verify_pin("2468", None)
    assert not verify_pin("2468", "scrypt$garbage")


def test_pin_must_be_digits():
    for bad in ("12", "abcd", "12345678901234", ""):
        with pytest.raises(UsageError):
            hash_pin(bad)


def test_session_codes_are_unambiguous_and_unique():
    seen = set()
    for _ in range(2000):
        c = new_session_code(seen)
        assert is_session_code(c) and c not in seen
        seen.add(c)
    assert not set("O0I1L2Z5S8B") & set(CODE_ALPHABET)


@pytest.mark.parametrize("hostile", ["../etc", "/abs", "AAA-AA/", "..", "ABC-DE\0", "abc-def"])
def test_file_names_cannot_escape_the_folder(hostile):
    with pytest.raises(FileWriteError):
        safe_name(hostile)


# -- config ---------------------------------------------------------------------

def test_missing_config_gives_defaults_and_required_fails(tmp_path):
    c = load_config(tmp_path / "none.yaml")
    assert c.idle_timeout_s == 90 and c.pin_hash is None
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "none.yaml", required=True)


@pytest.mark.parametrize("text, msg", [
    ("idle_timeout_s: 2\n", "idle_timeout_s"),
    ("pin_hash: '1234'\n", "set-pin"),
    ("nonsense_key: 1\n", "unknown key"),
    ("languages: []\n", "languages"),
    ("default_language: fr\n", "default_language"),
    ("spool_dir: 5\n", "spool_dir"),
    ("- a list\n", "key: value"),
    ("a: &x [1]\nb: *x\n", "aliases"),
    ("idle_timeout_s: [\n", "YAML"),
    ("fullscreen: maybe\n", "fullscreen"),
])
def test_bad_config_one_clear_error(tmp_path, text, msg):
    p = tmp_path / "kiosk.yaml"
    p.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_config(p)
    assert msg in str(e.value) and str(p) in str(e.value) and "\n" not in str(e.value)


def test_config_round_trip_and_mode(tmp_path):
    c = KioskConfig(idle_timeout_s=120, pin_hash=hash_pin("1357"))
    p = save_config(c, tmp_path / "k.yaml")
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    back = load_config(p)
    assert back.idle_timeout_s == 120 and verify_pin("1357", back.pin_hash)


def test_set_pin_cli_stores_only_the_hash(tmp_path):
    import subprocess
    import sys

    p = tmp_path / "k.yaml"
    r = subprocess.run([sys.executable, "-m", "bodymap", "kiosk", "--config", str(p), "--set-pin"],
                       input="8642\n8642\n", capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    text = p.read_text()
    assert "8642" not in text
    assert verify_pin("8642", load_config(p).pin_hash)
    r = subprocess.run([sys.executable, "-m", "bodymap", "kiosk", "--config", str(p), "--set-pin"],
                       input="1111\n2222\n", capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert verify_pin("8642", load_config(p).pin_hash)  # unchanged


# -- catalogues --------------------------------------------------------------------

def test_every_catalogue_has_every_english_key():
    langs = i18n.available_languages()
    assert {"en", "es"} <= set(langs)
    for lang in langs:
        assert i18n.missing_keys(lang) == [], lang


def test_every_question_has_text_in_every_language():
    for lang in i18n.available_languages():
        cat = i18n.load_catalogue(lang)
        for key, _ in QUESTIONS:
            assert f"q_{key}" in cat


CONDITION_WORDS = ("diagnos", "sciatica", "syndrome", "nerve root", "arthritis", "cauda", "stenosis",
                   "radicul", "hernia", "tumour", "tumor", "cáncer de", "ciática", "síndrome")


def test_patient_text_never_names_a_condition():
    """Patients are asked, never told what they have (the matcher is for clinicians only)."""
    for lang in i18n.available_languages():
        for key, value in i18n.load_catalogue(lang).items():
            low = value.lower()
            assert not any(w in low for w in CONDITION_WORDS), (lang, key)


# -- the flow ----------------------------------------------------------------------------

def test_a_whole_session_saves_one_private_file(cfg, atlas):
    k = Kiosk(cfg, atlas, clock=Clock())
    assert finish_session(k, {"numbness": True, "age": 61}) == "thanks"
    files = list(cfg.spool_dir.glob("*.bodymap"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(cfg.spool_dir.stat().st_mode) == 0o700
    m = bodymap.load(files[0])
    assert m.meta["session_code"] == files[0].stem
    assert m.answers["numbness"] is True and m.answers["age"] == 61
    assert "right_calf" in m.region_coverage() and "left_calf" not in m.region_coverage()


@pytest.mark.parametrize("key", ["bladder_bowel", "saddle_numbness"])
def test_red_flag_answer_goes_to_the_red_flag_screen_at_once_and_is_saved(cfg, atlas, key):
    """Cauda equina signs (emergency) end the questions at once."""
    k = Kiosk(cfg, atlas, clock=Clock())
    s = k.start()
    s.pain_map.paint_region("right_calf", 0.5, "sharp")
    k.to_questions()
    while k.current_question[0] != key:
        k.answer(False if k.current_question[1] == "yesno" else None)
    k.answer(True)
    assert k.screen == "redflag"  # straight away: not after the remaining questions and the review
    m = bodymap.load(next(cfg.spool_dir.glob("*.bodymap")))
    assert m.red_flags_recorded and m.red_flags_recorded[0]["id"] in ("cauda_equina", "serious_pathology")
    assert m.red_flags_recorded[0]["urgency"] == "emergency" and key in m.red_flags_recorded[0]["because"]
    # and the clinician sees it first when the map is matched later
    assert bodymap.match(m).red_flags


@pytest.mark.parametrize("key", ["weight_loss", "recent_trauma", "cancer_history"])
def test_same_day_answer_lets_the_patient_finish_then_shows_the_red_flag_screen(cfg, atlas, key):
    """Issue 12: a same_day flag must not interrupt the questions; it is saved and shown at the end."""
    k = Kiosk(cfg, atlas, clock=Clock())
    s = k.start()
    s.pain_map.paint_region("right_calf", 0.5, "sharp")
    k.to_questions()
    while k.current_question[0] != key:
        k.answer(False if k.current_question[1] == "yesno" else None)
    k.answer(True)
    assert k.screen == "question" and k.current_question[0] != key  # the next question, calmly
    while k.screen == "question":
        k.answer(False if k.current_question[1] == "yesno" else None)
    assert k.confirm() == "redflag"
    m = bodymap.load(next(cfg.spool_dir.glob("*.bodymap")))
    [f] = [f for f in m.red_flags_recorded if key in f["because"]]
    assert f["urgency"] == "same_day" and f["pathology"] in ("malignancy", "fracture")
    assert bodymap.match(m).red_flags


def test_idle_timeout_discards_everything(cfg, atlas):
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    s = k.start()
    started = clock.t
    s.pain_map.paint_region("left_groin", 0.7, "burning")
    ref = weakref.ref(s.pain_map)
    clock.t += cfg.autosave_interval_s + 1
    k.tick()  # ticking is not activity: only touches are
    assert list(cfg.drafts_dir.glob("*.bodymap"))  # a draft exists while the patient paints
    clock.t = started + cfg.idle_timeout_s - cfg.idle_warning_s - 1
    assert k.idle_state()[0] == "active"
    clock.t += 2
    assert k.idle_state()[0] == "warning"
    clock.t = started + cfg.idle_timeout_s + 0.1
    k.tick()
    del s
    assert k.screen == "welcome" and k.session is None
    assert ref() is None  # nothing of the patient is held in memory
    assert not list(cfg.drafts_dir.glob("*.bodymap"))  # nor on disk as a draft
    assert not list(cfg.spool_dir.glob("*.bodymap"))  # an abandoned session is not a finished map


def test_touch_postpones_the_reset(cfg, atlas):
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    k.start()
    for _ in range(5):
        clock.t += cfg.idle_timeout_s - 1
        k.touch()
        k.tick()
    assert k.screen == "paint"


def test_crash_recovery_moves_drafts_to_recovery(cfg, atlas):
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    s = k.start()
    s.pain_map.paint_region("right_buttock", 0.5)
    clock.t += 10
    k.tick()
    code = s.code
    del k, s  # the process "dies" here
    k2 = Kiosk(cfg, atlas, clock=Clock())
    assert k2.screen == "welcome" and k2.session is None
    rec = list(cfg.recovery_dir.glob("*.bodymap"))
    assert len(rec) == 1 and code in rec[0].name
    assert "right_buttock" in bodymap.load(rec[0]).region_coverage()
    assert not list(cfg.drafts_dir.glob("*.bodymap"))
    assert "recovery" in k2.staff_warning


def _unwritable(tmp_path) -> Path:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, so nothing can be created under it, even as root")
    return blocker / "spool"


def test_unwritable_spool_flow_completes_and_nothing_is_lost(tmp_path, cfg, atlas):
    cfg.spool_dir = _unwritable(tmp_path)
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    assert finish_session(k) == "thanks"  # the patient is not bothered
    assert len(k.spool.pending) == 1
    assert "not yet saved" in k.staff_warning
    code = k.spool.pending[0].code
    # staff fix the folder; the retry writes the map
    (tmp_path / "blocker").unlink()
    clock.t += cfg.save_retry_s + 1
    k.reset()
    k.tick()
    assert not k.spool.pending and k.staff_warning is None
    assert bodymap.load(tmp_path / "blocker" / "spool" / f"{code}.bodymap").meta["session_code"] == code


def test_full_disk_keeps_the_map_and_retries(cfg, atlas, monkeypatch):
    import bodymap.kiosk.spool as spool_mod

    real = spool_mod.write_atomic
    state = {"full": True}

    def fake(path, data, mode=0o600):
        if state["full"]:
            raise FileWriteError(f"{path}: cannot save (the disk is full)")
        return real(path, data, mode=mode)

    monkeypatch.setattr(spool_mod, "write_atomic", fake)
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    finish_session(k)
    finish_session(k, paint=("left_heel", 1.0, "numbness"))
    assert len(k.spool.pending) == 2 and "disk is full" in k.staff_warning
    state["full"] = False
    clock.t += cfg.save_retry_s + 1
    k.tick()
    files = sorted(cfg.spool_dir.glob("*.bodymap"))
    assert len(files) == 2 and not k.spool.pending
    assert {bodymap.load(f).meta["session_code"] for f in files} == {f.stem for f in files}


def test_spool_folder_deleted_while_running(cfg, atlas):
    import shutil

    k = Kiosk(cfg, atlas, clock=Clock())
    finish_session(k)
    shutil.rmtree(cfg.spool_dir)
    finish_session(k)
    assert len(list(cfg.spool_dir.glob("*.bodymap"))) == 1  # recreated with 0700, second map written
    assert stat.S_IMODE(cfg.spool_dir.stat().st_mode) == 0o700


def test_real_full_disk_errno_is_reported_plainly(tmp_path, monkeypatch):
    from bodymap import fileformat

    def boom(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    m = bodymap.PainMap(bodymap.load_atlas())
    with pytest.raises(FileWriteError, match="disk is full"):
        fileformat.save(m, tmp_path / "x.bodymap")
    assert not list(tmp_path.iterdir())  # no partial or temp file left


def test_codes_unique_across_sessions_and_existing_files(cfg, atlas):
    k = Kiosk(cfg, atlas, clock=Clock())
    for _ in range(30):
        finish_session(k)
    names = [f.stem for f in cfg.spool_dir.glob("*.bodymap")]
    assert len(names) == 30 == len(set(names))


def test_rubbing_everything_out_removes_the_older_draft(cfg, atlas):
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    s = k.start()
    s.pain_map.paint_region("right_calf", 0.5)
    clock.t += cfg.autosave_interval_s + 1
    k.tick()
    assert list(cfg.drafts_dir.glob("*.bodymap"))
    s.pain_map.clear()
    clock.t += 1
    k.tick()
    assert not list(cfg.drafts_dir.glob("*.bodymap"))  # a crash now must not resurrect the old painting


def test_walking_away_after_a_red_flag_answer_still_saves_the_flag(cfg, atlas):
    """Whatever the screen, a session holding a red-flag answer is never discarded by the idle reset."""
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    s = k.start()
    s.pain_map.answers["saddle_numbness"] = True  # e.g. answered, then the patient went back to painting
    k.screen = "paint"
    clock.t += cfg.idle_timeout_s + 1
    k.tick()
    assert k.screen in ("redflag", "welcome")
    files = list(cfg.spool_dir.glob("*.bodymap"))
    assert len(files) == 1
    assert bodymap.load(files[0]).red_flags_recorded[0]["id"] == "cauda_equina"


def test_answers_are_autosaved_even_before_any_painting(cfg, atlas):
    clock = Clock()
    k = Kiosk(cfg, atlas, clock=clock)
    k.start()
    k.to_questions()
    k.answer(5)
    clock.t += cfg.autosave_interval_s + 1
    k.tick()
    assert list(cfg.drafts_dir.glob("*.bodymap"))
