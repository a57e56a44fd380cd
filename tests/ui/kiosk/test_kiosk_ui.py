"""The kiosk touch screens (bodymap.ui.kiosk), driven headless with synthetic FINGER events.

A tap is FINGERDOWN + FINGERUP at a button's centre, normalised to the window as
SDL sends it; a stroke goes through the screen's own view layout from atlas
points. Time is a fake clock handed to the Kiosk. Assertions read back what
matters: the saved file, the painted masks, the pixels, and the strings drawn.
"""
from __future__ import annotations

import gc
import logging
import re
import stat
import weakref
from pathlib import Path

import numpy as np
import pygame
import pytest
import yaml

from bodymap import fileformat
from bodymap.kiosk import i18n
from bodymap.kiosk.config import KioskConfig
from bodymap.kiosk.flow import EXIT_CRASH, EXIT_STAFF
from bodymap.kiosk.security import hash_pin
from bodymap.render.palette import SENSATION_STYLE
from bodymap.ui.kiosk import REDFLAG_FINISH_AFTER_S, STOPPED, THANKS_SECONDS, KioskApp, run_kiosk
from bodymap.ui.kiosk.review import ReviewScene

from kiosk_drive import Clock, finger, kiosk_app, settle  # tests/ui/kiosk/kiosk_drive.py


SIZE = (1920, 1080)
ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = ROOT / "assets" / "i18n"
PIN = "2468"


# ---------------------------------------------------------------------------
# fixtures and helpers


@pytest.fixture(scope="module")
def pin_hash():
    return hash_pin(PIN)


def config(tmp_path: Path, **kw) -> KioskConfig:
    kw.setdefault("spool_dir", tmp_path / "spool")
    kw.setdefault("short_flow", False)  # these tests walk the older flow; test_kiosk_short_ui.py the short one
    return KioskConfig(drafts_dir=tmp_path / "drafts", recovery_dir=tmp_path / "recovery", **kw)


def make(tmp_path, atlas, size=SIZE, **kw):
    kw.setdefault("short_flow", False)  # these tests walk the older flow; test_kiosk_short_ui.py the short one
    return kiosk_app(tmp_path, atlas, size, **kw)


def tap(app, clock, bid, dt=0.6):  # past the 0.5 s in which a new screen ignores touches
    settle(app)
    pos = app.button_center(bid)
    finger(app, pygame.FINGERDOWN, pos)
    finger(app, pygame.FINGERUP, pos)
    clock.t += dt
    app.update(clock())


def rep(atlas, rid):
    p = atlas.region(rid).geometry.representative_point()
    return float(p.x), float(p.y)


def screen_points(app, view, pts):
    lay = app.paint_layouts[view]
    return [tuple(float(c) for c in lay.to_screen(x, y)) for x, y in pts]


def stroke(app, view, pts):
    """A finger stroke through atlas points `pts` on `view`."""
    settle(app)
    pos = screen_points(app, view, pts)
    finger(app, pygame.FINGERDOWN, pos[0])
    for p in pos[1:]:
        finger(app, pygame.FINGERMOTION, p)
    finger(app, pygame.FINGERUP, pos[-1])


def calf_stroke(app, atlas, side="right"):
    x, y = rep(atlas, f"{side}_calf")
    stroke(app, "back", [(x, y - 0.05), (x, y), (x, y + 0.05)])


def drawn(app) -> list[str]:
    app.draw(pygame.Surface(app.size))
    return list(app.texts.frame)


def drawn_text(app) -> str:
    return " ".join(drawn(app))


def shows(app, text: str) -> bool:
    """`text` is on screen (possibly wrapped over several lines)."""
    return " ".join(text.split()) in drawn_text(app)


def paint_colours() -> set[tuple[int, int, int]]:
    """Every colour the paint can put on screen: each sensation's ink and its tint."""
    out = set()
    for s in SENSATION_STYLE.values():
        col = np.array(s["colour"], dtype=np.uint8)
        out.add(tuple(int(c) for c in col))
        out.add(tuple(int(c) for c in (0.45 * col + 0.55 * 255).astype(np.uint8)))
    return out


def paint_pixel_count(surface: pygame.Surface, rect: pygame.Rect | None = None) -> int:
    px = pygame.surfarray.array3d(surface)
    if rect is not None:
        px = px[rect.left:rect.right, rect.top:rect.bottom]
    flat = px.reshape(-1, 3)
    packed = (flat[:, 0].astype(np.int64) << 16) | (flat[:, 1].astype(np.int64) << 8) | flat[:, 2]
    want = np.array([(r << 16) | (g << 8) | b for r, g, b in paint_colours()])
    return int(np.isin(packed, want).sum())


def render(app) -> pygame.Surface:
    surf = pygame.Surface(app.size)
    app.draw(surf)
    return surf


def view_rects(app):
    return [lay.rect for lay in app.paint_layouts.values()]


def answer_all(app, clock, answers: dict, intensity: int = 7, age: int | None = 63):
    """Answer every question screen; yes/no from `answers` (default no)."""
    k = app.kiosk
    seen = []
    while k.screen == "question":
        key, kind = k.current_question
        seen.append(key)
        assert shows(app, i18n.text(k.language, "question_count", n=k.session.question + 1, total=len(k.questions)))
        assert shows(app, i18n.text(k.language, f"q_{key}"))
        assert "qback" in app.buttons()
        if kind == "scale":
            tap(app, clock, f"scale:{intensity}")
        elif kind == "yesno":
            tap(app, clock, "yes" if answers.get(key) else "no")
        elif age is None:
            tap(app, clock, "age_skip")
        else:
            for d in str(age):
                tap(app, clock, f"key:{d}")
            tap(app, clock, "age_next")
    return seen


def spool_files(app):
    return sorted(Path(app.config.spool_dir).glob("*.bodymap"))


# ---------------------------------------------------------------------------
# a whole session


def test_whole_session_saves_what_the_patient_painted_and_answered(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    assert app.kiosk.screen == "welcome"
    assert shows(app, i18n.text("en", "welcome_title"))
    tap(app, clock, "start")
    assert app.kiosk.screen == "paint"
    calf_stroke(app, atlas, "right")
    tap(app, clock, "next")
    given = {"numbness": True, "worse_sitting": True, "better_resting": True}
    seen = answer_all(app, clock, given, intensity=7, age=63)
    assert seen == [q for q, _ in app.kiosk.questions]
    assert app.kiosk.screen == "review"
    assert shows(app, i18n.text("en", "review_title"))
    tap(app, clock, "review_confirm")
    assert app.kiosk.screen == "thanks"
    code = app.kiosk.finished_code
    assert code in drawn(app)  # the code is drawn whole, in one piece

    files = spool_files(app)
    assert [f.stem for f in files] == [code]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(Path(app.config.spool_dir).stat().st_mode) == 0o700
    m = fileformat.load(files[0], atlas=atlas)
    cov = m.region_coverage()
    assert cov.get("right_calf", 0) > 0.05
    assert "left_calf" not in cov
    assert all(atlas.region(r).view == "back" for r in cov)
    assert m.intensity == {"overall": 7}
    expected = {q: bool(given.get(q)) for q, kind in app.kiosk.questions if kind == "yesno"}
    expected["age"] = 63
    assert dict(m.answers) == expected
    assert m.red_flags_recorded == []
    assert m.meta["session_code"] == code

    tap(app, clock, "finish")
    assert app.kiosk.screen == "welcome"
    assert code not in drawn(app)


def test_thanks_screen_returns_to_welcome_by_itself(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    tap(app, clock, "next")
    answer_all(app, clock, {})
    tap(app, clock, "review_confirm")
    assert app.kiosk.screen == "thanks"
    clock.t += THANKS_SECONDS / 2
    app.update(clock())
    assert app.kiosk.screen == "thanks"
    clock.t += THANKS_SECONDS
    app.update(clock())
    assert app.kiosk.screen == "welcome"


def test_going_back_keeps_answers_and_change_it_returns_to_paint(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    tap(app, clock, "next")
    tap(app, clock, "qback")
    assert app.kiosk.screen == "paint"
    tap(app, clock, "next")
    tap(app, clock, "scale:4")
    tap(app, clock, "yes")  # numbness
    tap(app, clock, "qback")
    assert app.kiosk.current_question[0] == "numbness"
    assert app.buttons()["yes"].on and not app.buttons()["no"].on  # the answer given is shown
    tap(app, clock, "qback")
    assert app.buttons()["scale:4"].on
    answer_all(app, clock, {"numbness": True})
    tap(app, clock, "review_edit")
    assert app.kiosk.screen == "paint"
    assert app.kiosk.session.pain_map.region_coverage().get("right_calf", 0) > 0


def test_age_keypad(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    tap(app, clock, "next")
    tap(app, clock, "dlg:skip")
    while app.kiosk.current_question[1] != "number":
        tap(app, clock, "scale:2" if app.kiosk.current_question[1] == "scale" else "no")
    assert not app.buttons()["age_next"].enabled
    for d in "125":
        tap(app, clock, f"key:{d}")
    assert app.state.digits == "12"  # 125 is not an age
    tap(app, clock, "key:del")
    tap(app, clock, "key:8")
    assert "18" in drawn(app)
    tap(app, clock, "age_next")
    assert app.kiosk.screen == "review"
    assert app.kiosk.session.pain_map.answers["age"] == 18


def test_nothing_painted_hint_with_skip(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    tap(app, clock, "next")
    assert app.kiosk.screen == "paint"
    assert shows(app, i18n.text("en", "nothing_painted"))
    tap(app, clock, "dlg:colour")
    assert app.kiosk.screen == "paint" and app.state.dialog is None
    tap(app, clock, "next")
    tap(app, clock, "dlg:skip")
    assert app.kiosk.screen == "question"


def test_start_again_asks_first(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    fresh = render(app)
    calf_stroke(app, atlas)
    m = app.kiosk.session.pain_map
    tap(app, clock, "clear")
    assert shows(app, i18n.text("en", "clear_confirm"))
    tap(app, clock, "dlg:no")
    assert not m.is_empty
    tap(app, clock, "clear")
    tap(app, clock, "dlg:yes")
    # a new drawing: nothing rubbed out is kept in the map (issue 20), not even in its stroke log
    new = app.kiosk.session.pain_map
    assert new is not m and new.is_empty and new.strokes == [] and not new.can_undo
    assert new.meta["session_code"] == m.meta["session_code"]
    after = render(app)
    for r in view_rects(app):  # the views look exactly as before any paint
        assert np.array_equal(pygame.surfarray.array3d(fresh)[r.left:r.right, r.top:r.bottom],
                              pygame.surfarray.array3d(after)[r.left:r.right, r.top:r.bottom])


def test_sensation_buttons_and_eraser(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    m = app.kiosk.session.pain_map
    tap(app, clock, "sens:burning")
    assert app.buttons()["sens:burning"].on and not app.buttons()["sens:aching"].on
    calf_stroke(app, atlas)
    assert m.sensations_present() == ["burning"]
    tap(app, clock, "eraser")
    assert app.buttons()["eraser"].on and not app.buttons()["sens:burning"].on
    calf_stroke(app, atlas)
    assert m.is_empty


def test_side_labels_are_on_the_patients_sides(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    render(app)
    for view, lay in app.paint_layouts.items():
        mid = lay.left + (0 - lay.x0) * lay.scale  # the body's midline on screen
        for side in ("right", "left"):
            label = app.views.side_labels[("paint", view, side)]
            regions = [r for r in atlas.regions_in(view) if r.side == side]
            assert regions
            for r in regions:  # the label is on the same side of the midline as every region of that side
                region_x = float(lay.to_screen(*rep(atlas, r.id))[0])
                assert np.sign(label.centerx - mid) == np.sign(region_x - mid), (view, side, r.id)
        # the patient's right: viewer's left on the front, viewer's right on the back
        right = app.views.side_labels[("paint", view, "right")].centerx
        assert (right < mid) == (view == "front")
        assert i18n.text("en", "your_right") in drawn(app)


# ---------------------------------------------------------------------------
# idle: warning, reset, nothing left behind


def test_idle_warning_and_still_here(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    cfg = app.config
    clock.t += cfg.idle_timeout_s - cfg.idle_warning_s / 2
    app.update(clock())
    assert app.kiosk.screen == "paint"
    assert shows(app, i18n.text("en", "still_there_title"))
    left = app.kiosk.idle_state()[1]
    assert shows(app, i18n.text("en", "still_there_body", seconds=int(np.ceil(left))))
    assert set(app.buttons()) == {"still_here"}  # nothing under the overlay can be hit
    m = app.kiosk.session.pain_map
    tap(app, clock, "still_here")
    assert app.kiosk.idle_state()[0] == "active"
    assert app.kiosk.screen == "paint" and app.kiosk.session.pain_map is m and not m.is_empty
    assert not shows(app, i18n.text("en", "still_there_title"))


def test_idle_reset_clears_everything(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    fresh_paint = render(app)
    calf_stroke(app, atlas)
    clock.t += app.config.autosave_interval_s + 1
    app.update(clock())
    drafts = list((tmp_path / "drafts").glob("*.bodymap"))
    assert len(drafts) == 1
    painted = render(app)
    assert paint_pixel_count(painted) > 100  # the check below can see paint
    ref = weakref.ref(app.kiosk.session.pain_map)

    clock.t += app.config.idle_timeout_s + 1
    app.update(clock())
    assert app.kiosk.screen == "welcome"
    assert app.kiosk.session is None
    welcome = render(app)
    assert paint_pixel_count(welcome) == 0
    assert not drafts[0].exists()
    gc.collect()
    assert ref() is None, gc.get_referrers(ref())

    # the next patient's paint screen shows an empty body, exactly like the first one did
    tap(app, clock, "start")
    assert app.kiosk.session.pain_map.is_empty
    nxt = render(app)
    for r in view_rects(app):
        assert paint_pixel_count(nxt, r) == 0
        assert np.array_equal(pygame.surfarray.array3d(fresh_paint)[r.left:r.right, r.top:r.bottom],
                              pygame.surfarray.array3d(nxt)[r.left:r.right, r.top:r.bottom])
    assert spool_files(app) == []


def test_finished_session_leaves_nothing_referenced(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    ref = weakref.ref(app.kiosk.session.pain_map)
    tap(app, clock, "next")
    answer_all(app, clock, {})
    render(app)
    tap(app, clock, "review_confirm")
    render(app)
    code = app.kiosk.finished_code
    tap(app, clock, "finish")
    render(app)
    gc.collect()
    assert ref() is None
    assert code not in " ".join(str(k) for k in app.texts.cache._cache)  # its rendering is gone too


# ---------------------------------------------------------------------------
# staff exit


def long_press_corner(app, clock, seconds, pos=None):
    pos = app.geo.corner.center if pos is None else pos
    finger(app, pygame.FINGERDOWN, pos, fid=3)
    clock.t += seconds
    app.update(clock())
    finger(app, pygame.FINGERUP, pos, fid=3)
    app.update(clock())


def test_pin_exit_with_the_right_pin(tmp_path, atlas, pin_hash):
    app, clock = make(tmp_path, atlas, pin_hash=pin_hash)
    long_press_corner(app, clock, app.config.exit_hold_s / 3)
    assert app.pin_pad.pad is None  # a short press is just a tap
    w, h = app.size
    for elsewhere in ((w - 40, h - 40), (w / 2, 40), (app.geo.corner.right + 30, app.geo.corner.centery)):
        long_press_corner(app, clock, app.config.exit_hold_s * 2, pos=elsewhere)
        assert app.pin_pad.pad is None, elsewhere  # only the configured corner
    corner = app.geo.corner.center
    finger(app, pygame.FINGERDOWN, corner, fid=3)  # a press that slides out of the corner does not count
    finger(app, pygame.FINGERMOTION, (w / 2, h / 2), fid=3)
    clock.t += app.config.exit_hold_s * 2
    app.update(clock())
    finger(app, pygame.FINGERUP, (w / 2, h / 2), fid=3)
    assert app.pin_pad.pad is None
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    assert app.pin_pad.pad is not None
    assert shows(app, i18n.text("en", "staff_pin_title"))
    for d in PIN:
        tap(app, clock, f"pin:{d}")
    assert app.should_exit is None
    tap(app, clock, "pin:ok")
    assert app.should_exit == EXIT_STAFF


def test_wrong_pin_goes_back_to_the_patient(tmp_path, atlas, pin_hash):
    app, clock = make(tmp_path, atlas, pin_hash=pin_hash, exit_corner="bottom_right")
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    m = app.kiosk.session.pain_map
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    for d in "1357":
        tap(app, clock, f"pin:{d}")
    tap(app, clock, "pin:ok")
    assert app.should_exit is None
    assert shows(app, i18n.text("en", "staff_wrong_pin"))
    assert not any(b.enabled for b in app.buttons().values())  # no second guess during the message
    clock.t += 5
    app.update(clock())
    assert app.pin_pad.pad is None
    assert app.kiosk.screen == "paint" and app.kiosk.session.pain_map is m and not m.is_empty
    assert "next" in app.buttons()


def test_pin_cancel_and_no_pin_configured(tmp_path, atlas, pin_hash):
    app, clock = make(tmp_path, atlas, pin_hash=pin_hash)
    long_press_corner(app, clock, app.config.exit_hold_s + 0.2)
    tap(app, clock, "pin:cancel")
    assert app.pin_pad.pad is None and app.should_exit is None

    app2, clock2 = make(tmp_path / "other", atlas, pin_hash=None)
    long_press_corner(app2, clock2, app2.config.exit_hold_s * 3)
    assert app2.pin_pad.pad is None and app2.should_exit is None
    assert app2.kiosk.screen == "welcome"
    assert not shows(app2, i18n.text("en", "staff_no_pin"))  # staff words: on the staff screen only, or the log


def test_keys_and_close_button_do_nothing(tmp_path, atlas, pin_hash):
    app, clock = make(tmp_path, atlas, pin_hash=pin_hash)
    tap(app, clock, "start")
    for e in (pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="\x1b", scancode=41),
              pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F4, mod=pygame.KMOD_LALT, unicode="", scancode=61),
              pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_LCTRL, unicode="\x11", scancode=20),
              pygame.event.Event(pygame.QUIT), pygame.event.Event(pygame.WINDOWCLOSE, window=None)):
        app.handle_event(e)
        app.update(clock())
    assert app.should_exit is None and app.kiosk.screen == "paint"


def _post_finger(kind, pos, size, fid=0):
    pygame.event.post(pygame.event.Event(kind, x=pos[0] / size[0], y=pos[1] / size[1], dx=0.0, dy=0.0,
                                         touch_id=7, finger_id=fid, pressure=0.37))


def test_run_kiosk_ignores_quit_keys_and_exits_with_the_pin(tmp_path, pin_hash):
    """The real loop and event queue: Esc, Alt+F4, Ctrl+Q, QUIT and WINDOWCLOSE; then the staff gesture."""
    cfg = config(tmp_path, pin_hash=pin_hash)
    clock = Clock()
    seen = {}

    def script(app, frame):
        if frame == 0:
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0, unicode="\x1b",
                                                 scancode=41))
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_F4, mod=pygame.KMOD_LALT, unicode="",
                                                 scancode=61))
            pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, mod=pygame.KMOD_LCTRL,
                                                 unicode="\x11", scancode=20))
            pygame.event.post(pygame.event.Event(pygame.QUIT))
            pygame.event.post(pygame.event.Event(pygame.WINDOWCLOSE))
        elif frame == 3:
            seen["alive"] = app.should_exit is None
            _post_finger(pygame.FINGERDOWN, app.geo.corner.center, app.size, fid=2)
        elif frame == 4:
            clock.t += cfg.exit_hold_s + 0.5
        elif frame == 5:
            seen["pad"] = app.pin_pad.pad is not None
            _post_finger(pygame.FINGERUP, app.geo.corner.center, app.size, fid=2)
        elif 6 <= frame < 6 + len(PIN) + 1:
            bid = f"pin:{PIN[frame - 6]}" if frame - 6 < len(PIN) else "pin:ok"
            pos = app.button_center(bid)
            _post_finger(pygame.FINGERDOWN, pos, app.size)
            _post_finger(pygame.FINGERUP, pos, app.size)

    rc = run_kiosk(cfg, windowed=True, size=(1280, 800), clock=clock, max_frames=40, on_frame=script)
    assert seen == {"alive": True, "pad": True}
    assert rc == EXIT_STAFF


def test_run_kiosk_fullscreen_hides_the_cursor(tmp_path):
    cfg = config(tmp_path)
    seen = {}

    def script(app, frame):
        seen["size"] = app.size
        seen["desktop"] = tuple(pygame.display.get_desktop_sizes()[0])
        seen["cursor"] = pygame.mouse.get_visible()

    rc = run_kiosk(cfg, windowed=False, clock=Clock(), max_frames=2, on_frame=script)
    assert rc == STOPPED
    assert seen["size"] == seen["desktop"]
    assert seen["cursor"] is False


def test_run_kiosk_without_a_screen_logs_one_line_and_stops_instead_of_running_invisibly(tmp_path, monkeypatch,
                                                                                          caplog):
    """Started by a service with no DISPLAY, SDL falls back to its invisible 'offscreen' driver: the kiosk ran
    forever where no patient could see it (ADR 0043's no_screen, found by the second trial)."""
    from bodymap.kiosk.flow import EXIT_CONFIG

    monkeypatch.delenv("SDL_VIDEODRIVER", raising=False)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "offscreen")
    opened = []
    monkeypatch.setattr(pygame, "Window", lambda *a, **k: opened.append(a))
    monkeypatch.setattr(pygame.display, "set_mode", lambda *a, **k: opened.append(a))
    with caplog.at_level(logging.ERROR, logger="bodymap"):
        rc = run_kiosk(config(tmp_path), windowed=True, size=(1280, 800), clock=Clock(), max_frames=3)
    assert rc == EXIT_CONFIG
    assert not opened
    assert any("no screen to show the window on" in r.getMessage() for r in caplog.records)


def test_run_kiosk_crash_is_logged_without_patient_data_and_the_draft_is_kept(tmp_path, atlas, monkeypatch, caplog):
    cfg = config(tmp_path)
    clock = Clock()
    secret = "patient-says-Q7Z"
    seen = {}

    def boom(self, surface):
        raise ValueError(secret)

    monkeypatch.setattr(ReviewScene, "draw", boom)

    def script(app, frame):
        if frame == 0:
            app.kiosk.start()
            app.update(clock())
            calf_stroke(app, atlas)
            seen["code"] = app.kiosk.session.code
        elif frame == 1:
            app.kiosk.to_questions()
            while app.kiosk.screen == "question":
                app.kiosk.answer(None)

    with caplog.at_level(logging.INFO, logger="bodymap.kiosk"):
        rc = run_kiosk(cfg, windowed=True, size=(1280, 800), clock=clock, max_frames=10, on_frame=script)
    assert rc == EXIT_CRASH
    assert "ValueError" in caplog.text
    assert secret not in caplog.text and seen["code"] not in caplog.text
    drafts = list((tmp_path / "drafts").glob("*.bodymap"))
    assert len(drafts) == 1
    m = fileformat.load(drafts[0], atlas=atlas)
    assert m.region_coverage().get("right_calf", 0) > 0


def test_run_kiosk_stops_cleanly_on_sigterm_keeping_the_draft(tmp_path, atlas):
    """The service manager's stop (SIGTERM) ends the loop (SDL would have made it an ignored QUIT)."""
    import os
    import signal

    cfg = config(tmp_path)
    clock = Clock()

    def script(app, frame):
        if frame == 0:
            app.kiosk.start()
            app.update(clock())
            calf_stroke(app, atlas)
        elif frame == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    rc = run_kiosk(cfg, windowed=True, size=(1280, 800), clock=clock, max_frames=30, on_frame=script)
    assert rc == EXIT_STAFF
    assert signal.getsignal(signal.SIGTERM) == before
    [draft] = list((tmp_path / "drafts").glob("*.bodymap"))
    assert fileformat.load(draft, atlas=atlas).region_coverage().get("right_calf", 0) > 0


# ---------------------------------------------------------------------------
# red flags, unwritable spool, crash recovery


def test_red_flag_path(tmp_path, atlas, monkeypatch):
    import bodymap.matcher

    def no_ranking(*a, **kw):
        raise AssertionError("the kiosk must never rank patterns for the patient")

    monkeypatch.setattr(bodymap.matcher, "match", no_ranking)
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    tap(app, clock, "next")
    seen = answer_all(app, clock, {"bladder_bowel": True})
    assert seen[-1] == "bladder_bowel"  # the questions stop at the red-flag answer: no review to get through
    assert app.kiosk.screen == "redflag"
    code = app.kiosk.finished_code
    assert shows(app, i18n.text("en", "redflag_title"))
    assert code in drawn(app)
    assert "finish" not in app.buttons()  # it cannot be tapped away at once
    clock.t += 2
    app.update(clock())
    assert app.kiosk.screen == "redflag"
    clock.t += REDFLAG_FINISH_AFTER_S
    app.update(clock())
    tap(app, clock, "finish")
    assert app.kiosk.screen == "welcome"
    [f] = spool_files(app)
    assert f.stem == code
    m = fileformat.load(f, atlas=atlas)
    assert [r["id"] for r in m.red_flags_recorded] == ["cauda_equina"]
    assert m.answers["bladder_bowel"] is True


def test_unwritable_spool_keeps_the_map_and_writes_it_later(tmp_path, atlas):
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file where a folder should be")
    app, clock = make(tmp_path, atlas, spool_dir=blocker / "spool")
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    tap(app, clock, "next")
    answer_all(app, clock, {"numbness": True})
    tap(app, clock, "review_confirm")
    assert app.kiosk.screen == "thanks"  # the patient's flow does not notice
    code = app.kiosk.finished_code
    assert code in drawn(app)
    assert [p.code for p in app.kiosk.spool.pending] == [code]
    tap(app, clock, "finish")
    warning = app.kiosk.staff_warning
    assert warning and not shows(app, warning)  # staff words: never on a patient's screen (issue 20) ...
    pending = i18n.text("en", "staff_spool_pending_1", reason=app.kiosk.spool.pending[-1].last_error)
    assert any(line.startswith(pending) for line in app.staff_screen.lines(clock()))  # ... but on the staff screen
    tap(app, clock, "start")
    assert not shows(app, warning)
    clock.t += app.config.idle_timeout_s + 1
    app.update(clock())

    blocker.unlink()  # staff fix the folder
    clock.t += app.config.save_retry_s + 1
    app.update(clock())
    assert app.kiosk.spool.pending == []
    assert app.kiosk.staff_warning is None
    [f] = sorted((blocker / "spool").glob("*.bodymap"))
    assert f.stem == code
    m = fileformat.load(f, atlas=atlas)
    assert m.answers["numbness"] is True and m.region_coverage().get("right_calf", 0) > 0


def test_crash_recovery_moves_the_draft_and_shows_nothing_of_it(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    calf_stroke(app, atlas)
    clock.t += app.config.autosave_interval_s + 1
    app.update(clock())
    [draft] = list((tmp_path / "drafts").glob("*.bodymap"))
    code = app.kiosk.session.code
    del app  # the process "dies" here; the next one starts on the same folders

    app2, clock2 = make(tmp_path, atlas)
    assert not draft.exists()
    [moved] = list((tmp_path / "recovery").glob("*.bodymap"))
    assert code in moved.name and stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert fileformat.load(moved, atlas=atlas).region_coverage().get("right_calf", 0) > 0
    assert app2.kiosk.screen == "welcome" and app2.kiosk.session is None
    welcome = render(app2)
    assert paint_pixel_count(welcome) == 0
    assert code not in drawn_text(app2)
    # staff are told (the staff screen)
    assert i18n.text("en", "staff_recovery_unfinished_1") in app2.staff_screen.lines(clock2())
    assert not shows(app2, app2.kiosk.staff_warning)
    tap(app2, clock2, "start")
    assert app2.kiosk.session.pain_map.is_empty
    for r in view_rects(app2):
        assert paint_pixel_count(render(app2), r) == 0


# ---------------------------------------------------------------------------
# input details, language, catalogues


def test_touch_synthesised_mouse_events_are_ignored(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    # SDL's mouse copy of a tap on Start does nothing ...
    pos = app.button_center("start")
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        app.handle_event(pygame.event.Event(kind, pos=pos, button=1, touch=True))
    assert app.kiosk.screen == "welcome"
    tap(app, clock, "start")
    m = app.kiosk.session.pain_map
    # ... and a stroke arrives twice (finger + mouse copy, here offset to the left calf): painted once
    f = screen_points(app, "back", [rep(atlas, "right_calf")])[0]
    c = screen_points(app, "back", [rep(atlas, "left_calf")])[0]
    finger(app, pygame.FINGERDOWN, f)
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=c, button=1, touch=True))
    finger(app, pygame.FINGERMOTION, (f[0], f[1] + 20))
    app.handle_event(pygame.event.Event(pygame.MOUSEMOTION, pos=(c[0], c[1] + 20), rel=(0, 20), buttons=(1, 0, 0),
                                        touch=True))
    finger(app, pygame.FINGERUP, (f[0], f[1] + 20))
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(c[0], c[1] + 20), button=1, touch=True))
    cov = m.region_coverage()
    assert "right_calf" in cov and "left_calf" not in cov
    assert len([s for s in m.strokes if s.get("op") == "stroke"]) == 1
    tap(app, clock, "undo")
    assert m.is_empty  # one undo removes the whole stroke
    # a real mouse (touch False) still paints
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=c, button=1, touch=False))
    app.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=c, button=1, touch=False))
    assert "left_calf" in m.region_coverage()


def test_second_finger_does_not_paint(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    tap(app, clock, "start")
    m = app.kiosk.session.pain_map
    a = screen_points(app, "back", [rep(atlas, "right_calf")])[0]
    b = screen_points(app, "back", [rep(atlas, "left_calf")])[0]
    finger(app, pygame.FINGERDOWN, a, fid=0)
    finger(app, pygame.FINGERDOWN, b, fid=1)
    finger(app, pygame.FINGERMOTION, (b[0], b[1] + 10), fid=1)
    finger(app, pygame.FINGERUP, b, fid=1)
    finger(app, pygame.FINGERUP, a, fid=0)
    assert set(m.region_coverage()) == {"right_calf"}


def test_a_lost_finger_release_does_not_freeze_the_screen(tmp_path, atlas):
    app, clock = make(tmp_path, atlas)
    finger(app, pygame.FINGERDOWN, (app.size[0] * 0.9, app.size[1] * 0.1), fid=4)  # its FINGERUP never comes
    tap(app, clock, "start")
    assert app.kiosk.screen == "welcome"  # held by the other finger ...
    clock.t += 30
    app.update(clock())
    tap(app, clock, "start")
    assert app.kiosk.screen == "paint"  # ... but not for ever


def test_language_switch_shows_spanish(tmp_path, atlas):
    es = yaml.safe_load((CATALOGUES / "es.yaml").read_text(encoding="utf-8"))
    en = yaml.safe_load((CATALOGUES / "en.yaml").read_text(encoding="utf-8"))
    app, clock = make(tmp_path, atlas)
    assert app.buttons()["lang:es"].label == es["language_name"]
    assert app.buttons()["lang:en"].label == en["language_name"]
    tap(app, clock, "lang:es")
    assert shows(app, es["welcome_title"]) and not shows(app, en["welcome_title"])
    assert app.buttons()["lang:es"].on
    tap(app, clock, "start")
    assert app.kiosk.session.pain_map.meta["language"] == "es"
    assert shows(app, es["paint_title"])
    assert app.buttons()["sens:aching"].label == es["sensation_aching"]
    clock.t += app.config.idle_timeout_s + 1
    app.update(clock())
    assert shows(app, en["welcome_title"])  # the next patient starts in the default language


def test_every_catalogue_has_every_english_key():
    en = yaml.safe_load((CATALOGUES / "en.yaml").read_text(encoding="utf-8"))
    langs = sorted(p.stem for p in CATALOGUES.glob("*.yaml"))
    assert "es" in langs
    placeholders = re.compile(r"\{(\w+)\}")
    for lang in langs:
        doc = yaml.safe_load((CATALOGUES / f"{lang}.yaml").read_text(encoding="utf-8"))
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in doc.items()), lang
        assert set(en) - set(doc) == set(), lang
        assert i18n.missing_keys(lang) == []
        for k in en:  # the same {placeholders}, so formatting never fails in one language
            assert set(placeholders.findall(doc[k])) == set(placeholders.findall(en[k])), (lang, k)


def visit_every_screen(app, clock, atlas, lang="en"):
    """Reach each screen and overlay in turn, in `lang`; yields a name at each (the caller inspects)."""
    def start():
        if lang != app.kiosk.language:
            tap(app, clock, f"lang:{lang}")
        tap(app, clock, "start")

    if lang != app.kiosk.language:
        tap(app, clock, f"lang:{lang}")
    yield "welcome"
    start()
    yield "paint-empty"
    calf_stroke(app, atlas)
    tap(app, clock, "sens:pins_and_needles")
    stroke(app, "front", [rep(atlas, "right_lateral_leg"), rep(atlas, "right_dorsum_foot")])
    yield "paint"
    tap(app, clock, "clear")
    yield "clear-dialog"
    tap(app, clock, "dlg:no")
    tap(app, clock, "next")
    kinds = set()
    while app.kiosk.screen == "question":
        key, kind = app.kiosk.current_question
        if kind not in kinds or key == "bladder_bowel":
            kinds.add(kind)
            yield f"question-{key}"
        if kind == "scale":
            tap(app, clock, "scale:5")
        elif kind == "yesno":
            tap(app, clock, "no")
        else:
            tap(app, clock, "key:4")
            yield "question-age-typed"
            tap(app, clock, "age_next")
    yield "review"
    clock.t += app.config.idle_timeout_s - app.config.idle_warning_s + 1
    app.update(clock())
    yield "idle-warning"
    tap(app, clock, "still_here")
    tap(app, clock, "review_confirm")
    yield "thanks"
    tap(app, clock, "finish")
    start()
    tap(app, clock, "next")
    yield "nothing-dialog"
    tap(app, clock, "dlg:skip")
    while app.kiosk.screen == "question":  # a red-flag yes ends the questions at once
        key, kind = app.kiosk.current_question
        tap(app, clock, {"scale": "scale:0", "yesno": "yes" if key == "saddle_numbness" else "no",
                         "number": "age_skip"}[kind])
    clock.t += REDFLAG_FINISH_AFTER_S + 1
    app.update(clock())
    yield "redflag"
    tap(app, clock, "finish")
    if lang != app.kiosk.language:
        tap(app, clock, f"lang:{lang}")
    pos = app.geo.corner.center
    finger(app, pygame.FINGERDOWN, pos)
    clock.t += app.config.exit_hold_s + 0.1
    app.update(clock())
    finger(app, pygame.FINGERUP, pos)
    tap(app, clock, "pin:1")
    yield "pin"


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_every_screen_fits_with_thumb_sized_targets(tmp_path, atlas, pin_hash, size):
    """Every screen, in both languages: buttons on screen, apart, big enough; no catalogue key shown raw."""
    keys = set(yaml.safe_load((CATALOGUES / "en.yaml").read_text(encoding="utf-8")))
    bounds = pygame.Rect(0, 0, *size)
    for lang in ("en", "es"):
        app, clock = make(tmp_path / lang, atlas, size=size, pin_hash=pin_hash)
        screens = []
        for name in visit_every_screen(app, clock, atlas, lang):
            screens.append(name)
            assert app.kiosk.language == lang, name
            texts = drawn(app)
            assert not keys & set(texts), (name, keys & set(texts))
            buttons = list(app.buttons().values())
            assert buttons or name == "redflag", name
            for b in buttons:
                assert bounds.contains(b.rect), (name, b.id)
                assert min(b.rect.size) >= 48, (name, b.id, b.rect)
            for i, a in enumerate(buttons):
                for b in buttons[i + 1:]:
                    assert not a.rect.colliderect(b.rect), (name, a.id, b.id)
            if size == (1920, 1080):
                main = [b for b in buttons if b.id in ("start", "next", "yes", "no", "review_confirm", "review_edit",
                                                       "finish", "still_here", "age_next")]
                assert all(b.rect.height >= 96 for b in main), name
            if name.startswith("paint"):  # the buttons keep off the body
                for b in buttons:
                    assert not any(b.rect.colliderect(r) for r in view_rects(app)), (name, b.id)
        assert {"pin", "redflag", "thanks", "review", "idle-warning", "question-age"} <= set(screens), screens


# ---------------------------------------------------------------------------
# soak (not in the default run: pytest -m soak)


@pytest.mark.soak
def test_soak_500_sessions(tmp_path):
    from tools.kiosk_soak import soak

    r = soak(500, tmp_path / "spool")
    assert r["files"] == 500
    assert r["loaded"] == 500
    assert r["unique_codes"] == 500 and r["codes_shown_unique"]
    assert r["pending"] == 0 and r["drafts_left"] == 0
    assert r["rss_growth_mb_last_400"] < 5.0, r
