"""The kiosk for a patient who needs more: the feet bigger, a voice, help from staff; and what staff see.

Driven like tests/ui/kiosk/test_kiosk_ui.py: synthetic FINGER events normalised to the
window, a fake clock, and what the patient sees read back from the strings
drawn (`app.texts.frame`), the painted masks and the log.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pygame
import pytest
from shapely.ops import polylabel

from bodymap.errors import ConfigError
from bodymap.kiosk import i18n, voice
from bodymap.kiosk.config import load_config
from bodymap.kiosk.flow import EXIT_STAFF
from bodymap.kiosk.security import hash_pin
from bodymap.ui.kiosk.assist import SILENT_KEYS
from bodymap.ui.kiosk.paint import BRUSH_RADIUS

from kiosk_drive import finger, kiosk_app, settle  # tests/ui/kiosk/kiosk_drive.py


SIZE = (1920, 1080)
PIN = "2468"


def make(tmp_path, atlas, size=SIZE, **kw):
    return kiosk_app(tmp_path, atlas, size, **kw)


class FakeSpeaker:
    """Stands in for bodymap.ui.kiosk.speaker.Speaker: records what would be said."""

    def __init__(self):
        self.said: list[tuple[str, list[str]]] = []
        self.stopped = 0

    def say_all(self, lang, keys):
        self.said.append((lang, list(keys)))
        return True

    def update(self):
        pass

    def stop(self):
        self.stopped += 1


def tap_at(app, clock, pos, dt=0.6):
    settle(app)
    finger(app, pygame.FINGERDOWN, pos)
    finger(app, pygame.FINGERUP, pos)
    clock.t += dt
    app.update(clock())


def tap(app, clock, bid, dt=0.6):  # past the 0.5 s in which a new screen ignores touches
    tap_at(app, clock, app.button_center(bid), dt)


def drawn_text(app) -> str:
    app.draw(pygame.Surface(app.size))
    return " ".join(app.texts.frame)


def shows(app, text: str) -> bool:
    return " ".join(text.split()) in drawn_text(app)


def long_press_corner(app, clock, seconds):
    pos = app.corner.center
    finger(app, pygame.FINGERDOWN, pos, fid=3)
    clock.t += seconds
    app.update(clock())
    finger(app, pygame.FINGERUP, pos, fid=3)
    app.update(clock())


def region_point(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def region_middle(atlas, rid):
    """Where a patient aims at a region: its middle, the centre of the largest circle inside it
    (for a thin strip like the outer foot, halfway across it)."""
    p = polylabel(atlas.region(rid).geometry, 0.001)
    return float(p.x), float(p.y)


def paint_dab(app, view, atlas_pt, lays):
    """A fingertip put down on `atlas_pt` as `lays` shows it, moved a few pixels, lifted."""
    x, y = (float(v) for v in lays[view].to_screen(*atlas_pt))
    finger(app, pygame.FINGERDOWN, (x, y))
    finger(app, pygame.FINGERMOTION, (x, y + 3))
    finger(app, pygame.FINGERUP, (x, y + 3))


# ---------------------------------------------------------------------------
# a finer foot


@pytest.mark.parametrize("view,aim,neighbour,spills", [("front", "lateral_foot", "dorsum_foot", True),
                                                       ("back", "heel", "sole", False)])
def test_the_bigger_feet_let_a_fingertip_paint_only_the_part_aimed_at(tmp_path, atlas, view, aim, neighbour, spills):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    paint = app.scenes.scenes["paint"]
    # on the whole body the same fingertip spills over the thin outer foot (why the zoom is there)
    paint_dab(app, view, region_middle(atlas, f"right_{aim}"), app.paint_layouts)
    m = app.kiosk.session.pain_map
    assert (m.region_coverage().get(f"right_{neighbour}", 0) > 0) is spills
    tap(app, clock, "undo")
    assert m.is_empty
    tap(app, clock, "zoom")
    assert paint.zoomed and shows(app, i18n.text("en", "whole_body"))
    for side in ("right", "left"):
        paint_dab(app, view, region_middle(atlas, f"{side}_{aim}"), app.zoom_layouts)
    cov = m.region_coverage()
    for side in ("right", "left"):
        assert cov.get(f"{side}_{aim}", 0) > 0, side
        assert cov.get(f"{side}_{neighbour}", 0) == 0, side
    # the same atlas coordinates: nothing landed on the other view or above the ankle
    assert set(rid for rid, c in cov.items() if c > 0) <= {f"right_{aim}", f"left_{aim}"}
    assert all(s["view"] == view for s in m.strokes if "view" in s)
    # the brush is a fingertip on screen, as on the whole body: smaller on the body
    assert paint.brush(view) * app.zoom_layouts[view].scale == pytest.approx(
        BRUSH_RADIUS * app.paint_layouts[view].scale)
    tap(app, clock, "zoom")  # "Whole body"
    assert not paint.zoomed and shows(app, i18n.text("en", "zoom_feet"))
    assert m.region_coverage() == cov  # looking differently changes nothing painted


def test_the_zoomed_feet_keep_the_patients_sides(tmp_path, atlas):
    app, _ = make(tmp_path, atlas)
    app.kiosk.start()
    app.update(app.clock())
    app.scenes.scenes["paint"].set_zoom(True)
    drawn_text(app)
    for view in ("front", "back"):
        lay = app.zoom_layouts[view]
        right = app.side_labels[("zoom", view, "right")].centerx
        left = app.side_labels[("zoom", view, "left")].centerx
        part = "big_toe" if view == "front" else "heel"
        foot_r = float(lay.to_screen(region_point(atlas, f"right_{part}")[0], 0)[0])
        foot_l = float(lay.to_screen(region_point(atlas, f"left_{part}")[0], 0)[0])
        assert (right < left) == (foot_r < foot_l) == (view == "front")


def test_tapping_a_foot_twice_shows_the_feet_bigger_and_paints_nothing(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    paint = app.scenes.scenes["paint"]
    m = app.kiosk.session.pain_map
    calf = app.paint_layouts["back"].to_screen(*region_point(atlas, "right_calf"))
    tap_at(app, clock, calf, dt=0.1)
    tap_at(app, clock, calf, dt=0.1)  # a double tap elsewhere is just painting
    assert not paint.zoomed and m.region_coverage().get("right_calf", 0) > 0
    painted = m.region_coverage()
    foot = app.paint_layouts["front"].to_screen(*region_point(atlas, "left_dorsum_foot"))
    tap_at(app, clock, foot, dt=2.0)  # one tap on a foot paints it
    assert not paint.zoomed and m.region_coverage().get("left_dorsum_foot", 0) > 0
    tap(app, clock, "undo")
    assert m.region_coverage() == painted
    tap_at(app, clock, foot, dt=0.1)
    tap_at(app, clock, foot, dt=0.1)  # a second one soon after: the feet bigger
    assert paint.zoomed
    assert m.region_coverage() == painted  # the dab was taken back; the calf stays
    tap(app, clock, "next")  # leaving the screen and coming back shows the whole body again
    if app.kiosk.screen == "question":
        app.kiosk.previous()
        app.update(clock())
        assert app.kiosk.screen == "paint" and not paint.zoomed


@pytest.mark.parametrize("side", ["right", "left"])
def test_tapping_a_hand_twice_shows_that_hand_bigger_on_both_views(tmp_path, atlas, side):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    paint = app.scenes.scenes["paint"]
    m = app.kiosk.session.pain_map
    palm = app.paint_layouts["front"].to_screen(*region_middle(atlas, f"{side}_palm"))
    tap_at(app, clock, palm, dt=0.1)
    tap_at(app, clock, palm, dt=0.1)  # two taps in quick succession
    assert paint.zoomed and paint.zoom_part == ("hand", side)
    assert m.is_empty  # the two dabs were taken back
    other = "left" if side == "right" else "right"
    for view, stem in (("front", "palm"), ("back", "back_of_hand")):
        lay = app.zoom_layouts[view]
        assert lay.scale > 3 * app.paint_layouts[view].scale
        # the hand shown is the patient's tapped hand, on both views, and the other hand is off screen
        x, y = region_middle(atlas, f"{side}_{stem}")
        assert lay.contains(*(float(v) for v in lay.to_screen(x, y)))
        ox, oy = region_middle(atlas, f"{other}_{stem}")
        assert not lay.contains(*(float(v) for v in lay.to_screen(ox, oy)))
        # a fingertip there paints that hand only, in the same atlas coordinates
        paint_dab(app, view, (x, y), app.zoom_layouts)
    cov = {rid for rid, c in m.region_coverage().items() if c > 0}
    assert cov == {f"{side}_palm", f"{side}_back_of_hand"}
    tap(app, clock, "zoom")  # "Whole body"
    assert not paint.zoomed and app.zoom_layouts is app.feet_layouts


# ---------------------------------------------------------------------------
# a voice


def test_listen_speaks_what_the_screen_shows(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    app.speaker = spk = FakeSpeaker()
    assert "listen" in app.buttons() and app.buttons()["listen"].rect.height >= 96
    tap(app, clock, "listen")
    lang, keys = spk.said[-1]
    assert lang == "en" and keys[:2] == ["welcome_title", "welcome_body"] and "tap_to_start" in keys
    tap(app, clock, "lang:es")
    tap(app, clock, "listen")
    assert spk.said[-1] == ("es", keys)
    tap(app, clock, "start")
    tap(app, clock, "listen")
    lang, keys = spk.said[-1]
    assert keys[:2] == ["paint_title", "paint_help"] and "sensation_burning" in keys and "next" in keys
    assert not set(keys) & SILENT_KEYS
    tap(app, clock, "next")  # "nothing painted": the dialog covers the screen and its buttons
    assert "listen" not in app.buttons()


def test_every_text_heard_on_the_way_has_its_recording(tmp_path, atlas):
    """Every key a screen would speak, in both languages, has a file (tests/ui/kiosk/test_voice.py checks its words)."""
    for lang in ("en", "es"):
        app, clock = make(tmp_path / lang, atlas)
        app.speaker = spk = FakeSpeaker()
        tap(app, clock, f"lang:{lang}")
        heard = set()
        for _ in range(40):
            tap(app, clock, "listen")
            heard |= set(spk.said[-1][1])
            screen = app.kiosk.screen
            if screen == "welcome":
                if app.kiosk.sessions_finished:
                    break
                tap(app, clock, "start")
            elif screen == "paint":
                paint_dab(app, "back", region_point(atlas, "right_calf"), app.paint_layouts)
                tap(app, clock, "zoom")
                tap(app, clock, "listen")
                heard |= set(spk.said[-1][1])
                tap(app, clock, "next")
            elif screen in ("thanks", "redflag"):
                app.kiosk.done()
                app.update(clock())
            else:  # the questions and review: whatever they ask, the first enabled button moves on
                before = (screen, app.kiosk.session.question if app.kiosk.session else None)
                scene_ids = [b for b, btn in app.buttons().items() if btn.enabled and b not in ("listen", "help")]
                for bid in ("review_confirm", "no", "age_skip", "scale:3", *scene_ids):
                    if bid in app.buttons() and app.buttons()[bid].enabled:
                        tap(app, clock, bid)
                        if (app.kiosk.screen, app.kiosk.session.question if app.kiosk.session else None) != before:
                            break
        assert {"welcome_title", "paint_title", "zoom_feet", "whole_body"} <= heard
        # keypad_delete (the age keypad's "Delete", shared with the staff PIN pad) counts as a staff text in
        # bodymap.kiosk.voice and has no recording: it is skipped when spoken
        patient = [k for k in sorted(heard) if not k.startswith(voice.STAFF_PREFIXES)]
        assert [k for k in patient if voice.audio_file(lang, k) is None] == []


def test_speak_on_open_is_off_by_default_and_reads_each_screen_when_on(tmp_path, atlas):
    cfg_file = tmp_path / "kiosk.yaml"
    cfg_file.write_text("speak_on_open: true\n")
    assert load_config(cfg_file).speak_on_open is True
    assert load_config(tmp_path / "missing.yaml").speak_on_open is False
    cfg_file.write_text("speak_on_open: loud\n")
    with pytest.raises(ConfigError, match="speak_on_open"):
        load_config(cfg_file)

    quiet, clock = make(tmp_path / "quiet", atlas)
    quiet.speaker = spk = FakeSpeaker()
    tap(quiet, clock, "start")
    drawn_text(quiet)
    assert spk.said == []

    app, clock = make(tmp_path / "loud", atlas, speak_on_open=True)
    app.speaker = spk = FakeSpeaker()
    drawn_text(app)
    assert spk.said[-1][1][0] == "welcome_title"
    tap(app, clock, "start")
    drawn_text(app)
    assert spk.said[-1][1][0] == "paint_title" and spk.stopped >= 1  # the welcome speech stopped first
    n = len(spk.said)
    drawn_text(app)
    assert len(spk.said) == n  # once per screen, not every frame


def test_without_an_audio_device_listen_is_silent_and_harmless(tmp_path, atlas, monkeypatch):
    def no_device(*a, **k):
        raise pygame.error("no audio device")

    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    monkeypatch.setattr(pygame.mixer, "init", no_device)
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "listen")
    assert app.speaker is not None and not app.speaker.available
    tap(app, clock, "start")
    tap(app, clock, "listen")
    assert app.kiosk.screen == "paint"


# ---------------------------------------------------------------------------
# help


def test_help_tells_staff_and_the_patient_carries_on(tmp_path, atlas, caplog):
    app, clock = make(tmp_path, atlas)
    app.speaker = spk = FakeSpeaker()
    assert "help" in app.buttons() and app.buttons()["help"].rect.height >= 96
    tap(app, clock, "start")
    paint_dab(app, "back", region_point(atlas, "right_calf"), app.paint_layouts)
    m, code = app.kiosk.session.pain_map, app.kiosk.session.code
    staff_mark = i18n.text("en", "staff_help_asked")
    assert not shows(app, staff_mark)
    with caplog.at_level(logging.WARNING, logger="bodymap.kiosk"):
        tap(app, clock, "help")
    assert any("asked for help on the paint screen" in r.getMessage() for r in caplog.records)
    assert not any(code in r.getMessage() for r in caplog.records)
    assert shows(app, i18n.text("en", "help_title")) and shows(app, staff_mark)
    assert spk.said[-1][1][0] == "help_title"  # a patient who cannot read hears it too
    assert set(app.buttons()) == {"help_continue"}  # calm: one way on
    # waiting for staff does not end the session
    for _ in range(3):
        clock.t += app.config.idle_timeout_s * 0.8
        app.update(clock())
    assert app.kiosk.screen == "paint" and app.kiosk.session.pain_map is m
    tap(app, clock, "help_continue")
    assert app.kiosk.screen == "paint" and app.kiosk.session.pain_map is m and not m.is_empty
    assert "next" in app.buttons() and shows(app, staff_mark)  # staff still see it
    clock.t += 11 * 60
    app.update(clock())
    assert shows(app, staff_mark)  # nobody came yet: the mark stays (issue 20), however old the call
    app.help_calls.seen(clock())  # staff saw the staff screen after the PIN
    assert not shows(app, staff_mark)


@pytest.mark.parametrize("corner", ["top_left", "top_right"])
def test_help_and_listen_are_on_every_screen(tmp_path, atlas, corner):
    app, clock = make(tmp_path, atlas, exit_corner=corner)
    seen = set()
    for _ in range(60):
        screen = app.kiosk.screen
        seen.add(screen)
        buttons = app.buttons()
        assert {"help", "listen"} <= set(buttons), screen
        others = [b.rect for bid, b in buttons.items() if bid not in ("help", "listen")]
        for bid in ("help", "listen"):
            assert buttons[bid].rect.collidelist(others) == -1, (screen, bid)
            assert not buttons[bid].rect.colliderect(app.corner)
        if screen == "welcome":
            if app.kiosk.sessions_finished:
                break
            tap(app, clock, "start")
        elif screen == "paint":
            paint_dab(app, "back", region_point(atlas, "right_calf"), app.paint_layouts)
            tap(app, clock, "next")
        elif screen in ("thanks", "redflag"):
            app.kiosk.done()
            app.update(clock())
        else:
            before = (screen, app.kiosk.session.question)
            ids = [b for b, btn in buttons.items() if btn.enabled and b not in ("listen", "help")]
            for bid in ("review_confirm", "no", "flags_none", "age_skip", "scale:3", *sorted(ids, key=lambda b: b.endswith("back") or b == "review_edit")):
                if bid in app.buttons() and app.buttons()[bid].enabled:
                    tap(app, clock, bid)
                    if (app.kiosk.screen, app.kiosk.session.question if app.kiosk.session else None) != before:
                        break
    assert {"welcome", "paint", "question", "review", "thanks"} <= seen


# ---------------------------------------------------------------------------
# what staff see


def crashed_session(tmp_path, atlas):
    """A session interrupted by a crash: its draft waits in the recovery folder at the next start."""
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    paint_dab(app, "back", region_point(atlas, "right_calf"), app.paint_layouts)
    clock.t += app.config.autosave_interval_s + 1
    app.update(clock())
    return app.kiosk.session.code


def test_the_staff_screen_says_everything_in_the_staffs_language_once(tmp_path, atlas, monkeypatch):
    """A Spanish kiosk's staff screen: every line in Spanish (only an operating system's reason, in brackets,
    stays as the system words it), and the recovery folder said once."""
    import dataclasses

    from bodymap.ui.kiosk.staff import staff_lines

    crashed_session(tmp_path, atlas)
    app, clock = make(tmp_path, atlas, default_language="es")
    app.help_calls.call("paint", clock())
    app.kiosk.staff.marks.append({"code": "K7Q2", "time": "10:41", "urgency": "emergency",
                                  "pathology": "cauda_equina"})
    app.kiosk.drafts.problem = ("save", "No space left on device")
    es = staff_lines(app, clock())
    monkeypatch.setattr(app, "config", dataclasses.replace(app.config, default_language="en"))
    en = staff_lines(app, clock())
    assert len(es) == len(en) == 5  # flags to see, the flag, the unfinished session, the drafts fault, help
    for line_es, line_en in zip(es, en):
        assert line_es != line_en
    both = " ".join(es)
    assert both.count("carpeta de recuperación") == 1 and "recovery" not in both
    assert "urgencia inmediata" in both and "cauda equina" in both and "emergency" not in both
    assert "(No space left on device)" in both  # the system's own reason


def test_maps_in_recovery_show_staff_a_count_and_the_staff_screen_lists_them(tmp_path, atlas):
    code = crashed_session(tmp_path, atlas)
    app, clock = make(tmp_path, atlas, pin_hash=hash_pin(PIN))
    status = app.kiosk.recovery_status()
    assert status.total == 1
    app.draw(pygame.Surface(app.size))
    assert str(status.total) in app.texts.frame  # the corner's count
    tap(app, clock, "help")
    tap(app, clock, "help_continue")
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    for d in PIN:
        tap(app, clock, f"pin:{d}")
    tap(app, clock, "pin:ok")
    assert app.should_exit is None  # something waits: staff see it before leaving
    text = drawn_text(app)
    assert i18n.text("en", "staff_recovery_unfinished_1") in text
    assert text.count("recovery folder") == 1  # said once (it was twice: the warning and the count)
    assert i18n.text("en", "staff_help_calls_1", minutes=0) in text
    assert code not in text and str(tmp_path) not in text
    tap(app, clock, "staff_back")
    assert app.should_exit is None and app.kiosk.screen == "welcome" and "start" in app.buttons()
    assert not shows(app, i18n.text("en", "staff_help_asked"))  # staff have seen the call
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    for d in PIN:
        tap(app, clock, f"pin:{d}")
    tap(app, clock, "pin:ok")
    tap(app, clock, "staff_leave")
    assert app.should_exit == EXIT_STAFF


def test_an_abandoned_staff_screen_closes_by_itself(tmp_path, atlas):
    crashed_session(tmp_path, atlas)
    app, clock = make(tmp_path, atlas, pin_hash=hash_pin(PIN))
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    for d in PIN:
        tap(app, clock, f"pin:{d}")
    tap(app, clock, "pin:ok")
    assert "staff_leave" in app.buttons()
    clock.t += 60
    app.update(clock())
    assert "staff_leave" not in app.buttons() and "start" in app.buttons() and app.should_exit is None


def test_a_locked_keypad_says_so_in_the_staff_corner(tmp_path, atlas):
    app, clock = make(tmp_path, atlas, pin_hash=hash_pin(PIN))
    guard = app.kiosk.pin_guard
    while not guard.locked(clock()):
        long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
        for d in "1357":
            tap(app, clock, f"pin:{d}")
        tap(app, clock, "pin:ok")
        clock.t += 5
        app.update(clock())
    assert app.pin is None
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    assert app.pin is None  # no keypad while locked ...
    left = int(guard.seconds_locked(clock()) + 0.999)
    assert shows(app, i18n.text("en", "staff_locked", seconds=left))  # ... and staff are told for how long
    clock.t += guard.seconds_locked(clock()) + 1
    app.update(clock())
    assert "Locked" not in drawn_text(app)
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    assert app.pin is not None


def test_no_paths_or_codes_on_a_patients_screen(tmp_path, atlas):
    old_code = crashed_session(tmp_path, atlas)
    app, clock = make(tmp_path, atlas)
    assert app.kiosk.recovery_status().total == 1
    forbidden = [old_code, str(tmp_path), "recovery/", "drafts/", ".bodymap"]
    tap(app, clock, "start")
    new_code = app.kiosk.session.code
    assert not [f for f in forbidden + [new_code] if f in drawn_text(app)]
    tap(app, clock, "help")
    assert not [f for f in forbidden + [new_code] if f in drawn_text(app)]
    tap(app, clock, "help_continue")
    paint_dab(app, "back", region_point(atlas, "right_calf"), app.paint_layouts)
    tap(app, clock, "zoom")
    assert not [f for f in forbidden + [new_code] if f in drawn_text(app)]
    app.kiosk.reset()
    app.update(clock())
    text = drawn_text(app)  # the welcome screen, with its staff line and corner marks
    assert app.kiosk.screen == "welcome"
    assert not [f for f in forbidden + [new_code] if f in text]


def test_the_speakers_memory_stays_bounded_over_many_screens():
    """A kiosk runs for months: speaking every recorded text keeps only the last few decoded."""
    from bodymap.ui.kiosk.speaker import SOUND_CACHE, Speaker

    sp = Speaker()
    assert sp.available  # SDL_AUDIODRIVER=dummy opens a silent device
    keys = [k for k in voice.patient_keys(i18n.load_catalogue("en")) if voice.audio_file("en", k) is not None]
    assert len(keys) > SOUND_CACHE
    for k in keys:
        assert sp.say("en", k)
    assert len(sp._sounds) == SOUND_CACHE
    assert voice.audio_file("en", keys[0]) not in sp._sounds  # the oldest went
    last = sp._sounds[voice.audio_file("en", keys[-1])]
    assert sp.say("en", keys[-1]) and sp._sounds[voice.audio_file("en", keys[-1])] is last  # the newest was kept
    sp.stop()
