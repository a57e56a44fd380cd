"""Kiosk speech: every patient text has its recording, made from today's words; playback stays silent without audio."""
from __future__ import annotations

import json
import shutil

import pygame
import pytest

from bodymap.kiosk import voice
from bodymap.kiosk.i18n import available_languages, catalogue_dir, load_catalogue
from bodymap.paths import assets_dir


@pytest.mark.parametrize("lang", available_languages())
def test_every_patient_text_has_a_recording_of_its_current_words(lang):
    assert voice.missing_audio(lang) == []


def test_staff_texts_and_spoken_forms_are_not_patient_keys():
    cat = load_catalogue("en")
    keys = voice.patient_keys(cat)
    assert not [k for k in keys if k.startswith(voice.STAFF_PREFIXES)]
    assert "staff_pin_title" in cat and "staff_pin_title" not in keys
    # a text with a placeholder is recorded from its spoken form, which has none
    assert voice.has_placeholders(cat["still_there_body"])
    spoken = voice.spoken_text(cat, "still_there_body")
    assert spoken == cat["still_there_body_spoken"] and not voice.has_placeholders(spoken)
    assert voice.spoken_text({"k": "Question {n}"}, "k") is None


def test_an_edited_text_counts_as_missing_until_recorded_again(tmp_path):
    cats = tmp_path / "i18n"
    shutil.copytree(catalogue_dir(), cats)
    audio = tmp_path / "audio"
    shutil.copytree(assets_dir() / "audio", audio)
    assert voice.missing_audio("en", audio, cats) == []
    text = (cats / "en.yaml").read_text(encoding="utf-8")
    (cats / "en.yaml").write_text(text.replace('thanks_title: "Thank you"', 'thanks_title: "Thank you very much"'),
                                  encoding="utf-8")
    assert voice.missing_audio("en", audio, cats) == ["thanks_title"]
    (audio / "en" / "next.ogg").unlink()
    assert sorted(voice.missing_audio("en", audio, cats)) == ["next", "thanks_title"]
    # a manifest that is not JSON means nothing is known to be current
    (audio / "en" / voice.MANIFEST).write_text("{not json", encoding="utf-8")
    assert len(voice.missing_audio("en", audio, cats)) == len(voice.patient_keys(load_catalogue("en", cats)))


def test_the_manifest_names_only_files_that_exist():
    for lang in available_languages():
        manifest = json.loads((voice.audio_dir(lang) / voice.MANIFEST).read_text(encoding="utf-8"))
        assert manifest and all((voice.audio_dir(lang) / f"{k}.ogg").is_file() for k in manifest)


def test_the_speaker_plays_recorded_texts_and_is_silent_for_others():
    from bodymap.ui.kiosk.speaker import Speaker

    sp = Speaker()
    if not sp.available:  # the dummy audio driver always opens; a real failure is the next test's case
        pytest.fail("pygame.mixer did not open with SDL_AUDIODRIVER=dummy")
    assert sp.say("en", "welcome_title") is True
    assert sp.say("en", "no_such_key") is False
    assert sp.say_all("es", ["welcome_title", "welcome_body"]) is True
    sp.stop()
    assert not sp.speaking()


def test_the_speaker_stays_silent_without_an_audio_device(monkeypatch):
    from bodymap.ui.kiosk import speaker as ui_voice

    def no_device(*a, **k):
        raise pygame.error("no audio device")

    monkeypatch.setattr(ui_voice.pygame.mixer, "get_init", lambda: None)
    monkeypatch.setattr(ui_voice.pygame.mixer, "init", no_device)
    sp = ui_voice.Speaker()
    assert sp.available is False
    assert sp.say("en", "welcome_title") is False
    assert sp.say_all("en", ["welcome_title"]) is False
    sp.update()
    sp.stop()
