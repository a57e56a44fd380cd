"""The kiosk's short flow (issue 14) through the real screens, driven with synthetic FINGER events.

The typical session is tapped and stroked as a patient would; every tap and
every stroke is counted. Also: the one red-flag screen, age bands, the review's
change list, the emergency screen against the calm thanks, the nothing-painted
dialog, both languages and touch-target sizes.
"""
from __future__ import annotations

import pygame
import pytest

from bodymap import fileformat
from bodymap.kiosk import actions, i18n, plan
from bodymap.ui.kiosk.app import TAP_GUARD_S

from kiosk_drive import finger, kiosk_app, settle  # tests/ui/kiosk/kiosk_drive.py


SIZE = (1920, 1080)


class Patient:
    """Taps and strokes through the app's own event handling, counting each."""

    def __init__(self, app, clock):
        self.app, self.clock = app, clock
        self.taps: list[str] = []
        self.strokes = 0

    def finger(self, kind, pos):
        w, h = self.app.size
        self.app.handle_event(pygame.event.Event(kind, x=pos[0] / w, y=pos[1] / h, dx=0.0, dy=0.0, touch_id=7,
                                                 finger_id=0, pressure=0.5))

    def settle(self):
        """Look at a new screen before touching it: a touch in its first TAP_GUARD_S is ignored."""
        self.app._sync(self.clock())
        wait = self.app.state.shown_since + TAP_GUARD_S - self.clock()
        if wait > 0:
            self.clock.t += wait + 0.01
            self.app.update(self.clock())

    def tap(self, bid):
        self.settle()
        b = self.app.buttons()[bid]
        assert b.enabled, bid
        self.finger(pygame.FINGERDOWN, b.rect.center)
        self.finger(pygame.FINGERUP, b.rect.center)
        self.taps.append(bid)
        self.clock.t += 0.6  # past the 0.5 s in which a new screen ignores touches
        self.app.update(self.clock())

    def stroke(self, view, pts):
        self.settle()
        lay = self.app.scenes.scenes["paint"].layouts()[view]  # the whole body, or the feet bigger
        pos = [tuple(float(c) for c in lay.to_screen(x, y)) for x, y in pts]
        self.finger(pygame.FINGERDOWN, pos[0])
        for p in pos[1:]:
            self.finger(pygame.FINGERMOTION, p)
        self.finger(pygame.FINGERUP, pos[-1])
        self.strokes += 1
        self.clock.t += 0.6
        self.app.update(self.clock())

    @property
    def actions(self):
        return len(self.taps) + self.strokes


def make(tmp_path, atlas, size=SIZE, **kw):
    app, clock = kiosk_app(tmp_path, atlas, size, **kw)
    return app, Patient(app, clock), clock


def drawn(app) -> str:
    app.draw(pygame.Surface(app.size))
    return " ".join(app.texts.frame)


def shows(app, text) -> bool:
    return " ".join(text.split()) in drawn(app)


def answer_screen(p: Patient, script: actions.Script):
    """One tap on the question screen showing now, as the scripted patient answers."""
    key, kind = p.app.kiosk.current_question
    value = actions.answer_for(script, key, kind)
    if kind == "scale":
        p.tap(f"scale:{value}")
    elif kind == "decade":
        p.tap(f"age:{value}")
    elif kind == "redflags":  # each page: "None of these"
        assert value == plan.NONE_OF_THESE
        p.tap("flags_none")
    else:
        p.tap("yes" if value else "no")


def paint_typical(p: Patient, atlas, script=actions.TYPICAL):
    paint = p.app.scenes.scenes["paint"]
    for st in script.strokes:
        if st.zoomed != paint.zoomed:
            p.tap("zoom")  # the feet bigger (issue 20: the foot is painted in the zoom)
        if p.app.state.sensation != st.sensation:
            p.tap(f"sens:{st.sensation}")
        p.stroke(st.view, actions.stroke_points(atlas, st, 0.03 / actions.ZOOM_FACTOR if st.zoomed else 0.03))


def test_the_typical_session_through_the_real_screens_counts_what_the_bench_counts(tmp_path, atlas):
    app, p, _ = make(tmp_path, atlas)
    assert app.kiosk.short_flow  # the default
    p.tap("start")
    paint_typical(p, atlas)
    p.tap("next")
    screens = 2  # welcome, paint
    while app.kiosk.screen == "question":
        answer_screen(p, actions.TYPICAL)
        screens += 1
    assert app.kiosk.screen == "review"
    p.tap("review_confirm")
    screens += 2  # review, thanks
    assert app.kiosk.screen == "thanks"
    # the screens count what the headless script counts (the bench figure, against issue 14's goal of 12:
    # issue 20's red-flag pages and the zoom add to it, test_kiosk_flow checks that nothing else does)
    fig = actions.typical_figures(atlas)
    assert (len(p.taps), p.strokes) == (len(fig["taps"]), fig["strokes"])
    [f] = list((tmp_path / "spool").glob("*.bodymap"))
    m = fileformat.load(f, atlas=atlas)
    cov = m.region_coverage()
    assert all(cov.get(r, 0) > 0.2 for st in actions.TYPICAL.strokes for r in st.through)
    assert m.region_coverage("pins_and_needles").get("right_lateral_foot", 0) > 0.2
    assert m.intensity["overall"] == actions.TYPICAL.pain and m.answers["age"] == 49
    assert all(m.answers[k] is False for k in plan.everyone_keys())  # the one red-flag page (ADR 0042)
    assert m.red_flags_recorded == []
    # what it did not ask is saved unanswered and listed for the clinician, under the (no) red flags
    from bodymap import triage

    t = triage.assess(m, rank=False)
    left = [k for k in plan.red_flag_screen_keys() if k not in m.answers]
    assert left and set(t.not_asked_at_kiosk) <= set(left) and "fever" in t.not_asked_at_kiosk
    assert t.not_asked_line.startswith("Not asked at the kiosk, ask at the visit: ")


def test_the_typical_session_in_tap_mode_through_the_real_screens_counts_what_the_bench_counts(tmp_path, atlas):
    """Issue 24's "tap the parts that hurt" (kiosk config tap_regions): the same patient taps the outer foot in
    the zoom and drags a finger from the buttock to the calf, one action that fills every region it crosses
    (kiosk_actions_typical_tap_regions, ADR 0035): no more actions than colouring."""
    from shapely.ops import polylabel

    app, p, _ = make(tmp_path, atlas, tap_regions=True)
    paint = app.scenes.scenes["paint"]
    p.tap("start")
    crossed = {}
    for st in actions.TYPICAL.strokes:
        if st.zoomed != paint.zoomed:
            p.tap("zoom")
        if app.state.sensation != st.sensation:
            p.tap(f"sens:{st.sensation}")
        if len(st.through) > 1:  # a drag through them, as a finger colours them
            p.stroke(st.view, actions.stroke_points(atlas, st, 0.03))
            crossed.setdefault(st.sensation, set()).update(
                actions.regions_crossed(atlas, app.state.pain_map.raster, st.view,
                                        actions.stroke_points(atlas, st, 0.03)))
            continue
        [rid] = st.through
        p.settle()
        c = polylabel(atlas.region(rid).geometry, 0.001)
        pos = tuple(float(v) for v in paint.layouts()[st.view].to_screen(c.x, c.y))
        p.finger(pygame.FINGERDOWN, pos)
        p.finger(pygame.FINGERUP, pos)
        p.taps.append(f"region:{rid}")
        crossed.setdefault(st.sensation, set()).add(rid)
        p.clock.t += 0.6
        app.update(p.clock())
    assert p.strokes == 1
    p.tap("next")
    while app.kiosk.screen == "question":
        answer_screen(p, actions.TYPICAL)
    p.tap("review_confirm")
    assert app.kiosk.screen == "thanks"
    fig = actions.typical_figures(atlas, tap_regions=True)
    assert (len(p.taps), p.strokes) == (len(fig["taps"]), fig["strokes"])
    assert [t for t in p.taps if t.startswith("region:")] == [t for t in fig["taps"] if t.startswith("region:")]
    assert p.actions == fig["actions"] <= actions.typical_figures(atlas)["actions"]  # no more than colouring
    [f] = list((tmp_path / "spool").glob("*.bodymap"))
    m = fileformat.load(f, atlas=atlas)
    for sensation, rids in crossed.items():  # each region crossed or tapped filled with its sensation
        for rid in rids:
            assert m.region_coverage(sensation).get(rid, 0) > 0.9, (rid, sensation)
    assert set(m.region_coverage()) == set().union(*crossed.values())  # and nothing else
    assert {r for st in actions.TYPICAL.strokes for r in st.through} <= set(m.region_coverage())


@pytest.mark.parametrize("mode", ["by_context", "all"])
def test_none_of_these_answers_only_the_page_shown_and_a_quick_second_tap_is_ignored(tmp_path, atlas, mode):
    """ADR 0027: "None of these" is a "no" to the questions visibly on its page only; a second tap 100 ms later
    lands in the next page's 0.5 s guard and answers nothing the patient has not seen. In the 60s the context
    brings pages after the first (ADR 0042); with red_flag_questions: all, every page of every question."""
    app, p, clock = _to_flags(tmp_path, atlas, red_flag_questions=mode)
    k = app.kiosk
    pages = 0
    while k.screen == "question" and k.current_question[1] == "redflags":
        keys = k.page_keys(k.current_question[0])
        for key in keys:
            assert shows(app, i18n.text("en", f"tick_{key}"))
        before = set(app.state.pain_map.answers)
        p.settle()
        at = app.buttons()["flags_none"].rect.center
        for _ in range(2):  # two taps 100 ms apart
            p.finger(pygame.FINGERDOWN, at)
            p.finger(pygame.FINGERUP, at)
            clock.t += 0.1
            app.update(clock())
        assert set(app.state.pain_map.answers) - before == set(keys)
        assert all(app.state.pain_map.answers[key] is False for key in keys)
        pages += 1
    assert pages == (len(plan.red_flag_pages()) if mode == "all" else len(k.session.pages)) and pages > 1


def _to_flags(tmp_path, atlas, **kw):
    app, p, clock = make(tmp_path, atlas, **kw)
    p.tap("start")
    p.stroke("back", actions.stroke_points(atlas, actions.TYPICAL.strokes[0]))
    p.tap("next")
    p.tap("scale:5")
    p.tap("age:60s")
    assert app.kiosk.current_question == (plan.page_key(1), "redflags")
    return app, p, clock


def to_page_with(app, p, key):
    """"None of these" on each page until the one that asks `key`."""
    while key not in app.kiosk.page_keys(app.kiosk.current_question[0]):
        assert app.kiosk.current_question[1] == "redflags", key  # never past the pages
        p.tap("flags_none")


def test_the_red_flag_screen_ticks_yes_or_not_sure_and_none_of_these_steps_aside(tmp_path, atlas):
    app, p, _ = _to_flags(tmp_path, atlas, red_flag_questions="all")  # the pages of every question (ADR 0027)
    k = app.kiosk
    for key in k.page_keys(k.current_question[0]):  # each question on the page, with its three answers
        assert shows(app, i18n.text("en", f"tick_{key}"))
        assert {f"flag:{key}:yes", f"flag:{key}:no", f"flag:{key}:unsure"} <= set(app.buttons())
    b = app.buttons()
    assert b["flags_none"].enabled and not b["flags_done"].enabled
    page_of = {q: n for n, keys in enumerate(plan.red_flag_pages()) for q in keys}
    for key, how in sorted((("unwell", "yes"), ("cancer_history", "yes"), ("steroids", "unsure")),
                           key=lambda kh: page_of[kh[0]]):  # in the order the pages ask them
        to_page_with(app, p, key)
        p.tap(f"flag:{key}:{how}")
        if key == "unwell":
            p.tap("flag:unwell:yes")  # a second tap takes the answer off
            assert not app.buttons()["flag:unwell:yes"].on and app.buttons()["flags_none"].enabled
            continue
        b = app.buttons()
        assert b[f"flag:{key}:{how}"].on
        assert not b["flags_none"].enabled and b["flags_done"].enabled
        p.tap("flags_done")
    while k.screen == "question" and k.current_question[1] == "redflags":
        p.tap("flags_none")
    assert k.given("cancer_history") is True and k.given("steroids") == "unsure" and k.given("unwell") is False
    while k.screen == "question":
        p.tap("no")
    p.tap("review_confirm")
    assert k.screen == "thanks"  # same day: calm thanks, the clinician sees the flag first
    assert shows(app, i18n.text("en", "thanks_title"))
    assert not shows(app, i18n.text("en", "redflag_title"))
    assert {f["id"]: f["urgency"] for f in k.finished_flags} == {"malignancy": "same_day",
                                                                 "fracture_unsure": "same_day"}


def test_an_emergency_tick_shows_tell_reception_now_which_goes_away_by_itself(tmp_path, atlas):
    app, p, clock = _to_flags(tmp_path, atlas, redflag_screen_s=20)
    to_page_with(app, p, "bladder_bowel")
    p.tap("flag:bladder_bowel:yes")
    p.tap("flags_done")
    assert app.kiosk.screen == "redflag"
    assert shows(app, i18n.text("en", "redflag_title"))
    code = app.kiosk.finished_code
    assert code in drawn(app)
    clock.t += 21
    app.update(clock())
    assert app.kiosk.screen == "welcome" and code not in drawn(app)
    [f] = list((tmp_path / "spool").glob("*.bodymap"))
    m = fileformat.load(f, atlas=atlas)
    assert m.red_flags_recorded[0]["id"] == "cauda_equina" and m.red_flags_recorded[0]["urgency"] == "emergency"
    assert all(k in m.answers for k in plan.everyone_keys())  # every answer given on the first page recorded


def test_change_from_the_review_goes_to_that_screen_and_back(tmp_path, atlas):
    app, p, _ = make(tmp_path, atlas, red_flag_questions="all")  # a page named by its place among all pages
    k = app.kiosk
    p.tap("start")
    paint_typical(p, atlas)
    p.tap("next")
    while k.screen == "question":
        answer_screen(p, actions.TYPICAL)
    p.tap("review_edit")
    assert shows(app, i18n.text("en", "review_change_title"))
    assert {"change:paint", "change:intensity", "change:age", f"change:{plan.page_key(1)}"} <= set(app.buttons())
    p.tap("change:age")
    assert k.current_question == plan.AGE and app.buttons()["age:40s"].on  # the band given is marked
    asked = {key for key, _ in k.session.asked}
    p.tap("age:70s")
    while k.screen == "question":  # only a question the new age makes worth asking, never one asked before
        assert k.current_question[0] not in asked and k.current_question[1] == "yesno"
        p.tap("no")
    assert k.screen == "review" and k.session.pain_map.answers["age"] == 79
    p.tap("review_edit")
    n = next(i for i, keys in enumerate(plan.red_flag_pages(), start=1) if "recent_trauma" in keys)
    p.tap(f"change:{plan.page_key(n)}")
    p.tap("flag:recent_trauma:yes")
    p.tap("flags_done")
    assert k.screen == "review"
    p.tap("review_edit")
    p.tap("change_cancel")
    assert k.screen == "review" and "review_confirm" in app.buttons()
    p.tap("review_confirm")
    assert {f["id"] for f in k.finished_flags} >= {"fracture"}


def test_nothing_painted_dialogs_main_button_is_colour(tmp_path, atlas):
    app, p, _ = make(tmp_path, atlas)
    p.tap("start")
    p.tap("next")
    assert app.state.dialog == "nothing"
    b = app.buttons()
    assert b["dlg:colour"].label == i18n.text("en", "nothing_colour") and b["dlg:colour"].style == "primary"
    assert b["dlg:skip"].style != "primary"
    p.tap("dlg:colour")
    assert app.state.dialog is None and app.kiosk.screen == "paint"
    p.tap("next")
    p.tap("dlg:skip")
    assert app.kiosk.screen == "question"


@pytest.mark.parametrize("lang", i18n.available_languages())
def test_the_new_screens_speak_the_patients_language(tmp_path, atlas, lang):
    app, p, _ = make(tmp_path, atlas)
    if lang != app.kiosk.language:
        p.tap(f"lang:{lang}")
    p.tap("start")
    p.stroke("back", actions.stroke_points(atlas, actions.TYPICAL.strokes[0]))
    p.tap("next")
    assert shows(app, i18n.text(lang, "q_intensity"))
    p.tap("scale:4")
    assert shows(app, i18n.text(lang, "age_80_plus"))
    p.tap("age:50s")
    assert shows(app, i18n.text(lang, "redflags_title")) and shows(app, i18n.text(lang, "tick_bladder_bowel"))
    assert app.buttons()["flags_none"].label == i18n.text(lang, "redflags_none")


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_new_screens_have_touch_targets_of_at_least_48_px_that_do_not_overlap(tmp_path, atlas, size):
    app, p, _ = make(tmp_path, atlas, size=size)
    p.tap("start")
    p.stroke("back", actions.stroke_points(atlas, actions.TYPICAL.strokes[0]))
    p.tap("next")

    def check():
        bs = list(app.buttons().values())
        for b in bs:
            assert min(b.rect.width, b.rect.height) >= 48, (b.id, b.rect)
            assert pygame.Rect(0, 0, *size).contains(b.rect), b.id
        for i, a in enumerate(bs):
            for b in bs[i + 1:]:
                assert not a.rect.colliderect(b.rect), (a.id, b.id)
        return len(bs)

    seen = set()
    while app.kiosk.screen == "question":
        seen.add(app.kiosk.current_question[1])
        check()
        answer_screen(p, actions.TYPICAL)
    assert {"scale", "decade", "redflags"} <= seen
    check()
    p.tap("review_edit")
    assert check() >= 5
