"""The scene layer (bodymap.ui.scene) and the one pointer translation (bodymap.ui.pointer)."""
from __future__ import annotations

import pygame
import pytest

from bodymap.ui.pointer import DOWN, MOUSE, MOVE, UP, Pointer, pointer_event
from bodymap.ui.scene import EVERY_FRAME_30, ON_CHANGE, PARTIAL, SceneManager, run


# ----------------------------------------------------------------------
# pointer events


def test_a_finger_becomes_a_pointer_in_window_pixels_with_its_own_id():
    e = pygame.event.Event(pygame.FINGERDOWN, x=0.25, y=0.5, dx=0.0, dy=0.0, touch_id=7, finger_id=3)
    assert pointer_event(e, (800, 600)) == Pointer(DOWN, (200.0, 300.0), ("finger", 7, 3))
    up = pygame.event.Event(pygame.FINGERUP, x=1.0, y=0.0, dx=0.0, dy=0.0, touch_id=7, finger_id=3)
    assert pointer_event(up, (800, 600)) == Pointer(UP, (800.0, 0.0), ("finger", 7, 3))


def test_a_finger_event_without_pressure_is_read_all_the_same():
    """`pressure` is never read (pygame-ce 2.5.8 puts dy there): an event without it still counts."""
    e = pygame.event.Event(pygame.FINGERMOTION, x=0.5, y=0.5, dx=0.01, dy=0.02, touch_id=1, finger_id=0)
    assert pointer_event(e, (100, 100)).pos == (50.0, 50.0)


def test_sdl_mouse_copies_of_touches_are_dropped_so_each_touch_counts_once():
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        assert pointer_event(pygame.event.Event(kind, pos=(10, 10), button=1, touch=True), (100, 100)) is None
    assert pointer_event(pygame.event.Event(pygame.MOUSEMOTION, pos=(10, 10), rel=(1, 0), buttons=(1, 0, 0),
                                            touch=True), (100, 100)) is None


def test_the_mouse_presses_with_the_left_button_only_and_moves_with_any():
    down = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(12, 34), button=1)
    assert pointer_event(down, (100, 100)) == Pointer(DOWN, (12.0, 34.0), MOUSE)
    assert pointer_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(12, 34), button=3), (100, 100)) is None
    assert pointer_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(12, 34), button=2), (100, 100)) is None
    move = pygame.event.Event(pygame.MOUSEMOTION, pos=(5, 6), rel=(1, 1), buttons=(0, 0, 0))
    assert pointer_event(move, (100, 100)) == Pointer(MOVE, (5.0, 6.0), MOUSE)
    assert pointer_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_a, mod=0), (100, 100)) is None


# ----------------------------------------------------------------------
# the scene manager


class Screen:
    def __init__(self):
        self.entered = 0

    def enter(self):
        self.entered += 1


def test_the_manager_enters_a_scene_when_it_becomes_current_and_again_only_when_asked():
    m = SceneManager()
    a, b = Screen(), Screen()
    m.register("a", a)
    m.register("b", b)
    assert m.current is None
    assert m.switch("a") is a and m.current is a and a.entered == 1
    m.switch("a")
    assert a.entered == 1  # already current
    m.switch("a", again=True)
    assert a.entered == 2  # e.g. the next question on the same screen
    m.switch("b")
    assert m.current_id == "b" and b.entered == 1 and a.entered == 2
    with pytest.raises(KeyError, match="nope"):
        m.switch("nope")


# ----------------------------------------------------------------------
# the one loop


class FakeWindow:
    def __init__(self):
        self.surf = pygame.Surface((40, 30))
        self.shown: list = []
        self.captions: list[str] = []

    def surface(self):
        return self.surf

    def show(self, rects):
        self.shown.append(rects)

    def set_caption(self, text):
        self.captions.append(text)


class FakeScene:
    def __init__(self, redraw, done_after=None):
        self.redraw = redraw
        self.done = False
        self.exit_status = 0
        self.caption = "one"
        self.toast = None
        self.updates = 0
        self.draws: list[int] = []
        self.invalidated = 0
        self.frame = 0
        self.done_after = done_after

    def handle_event(self, event):
        pass

    def update(self, now=None):
        self.updates += 1
        if self.done_after is not None and self.updates >= self.done_after:
            self.done = True

    def draw(self, surface):
        self.draws.append(self.frame)
        return None

    def draw_partial(self, surface):
        self.draws.append(self.frame)
        return [pygame.Rect(0, 0, 2, 2)]

    def invalidate(self):
        self.invalidated += 1


@pytest.fixture
def display():
    pygame.display.init()
    pygame.event.clear()
    yield
    pygame.display.quit()


def _count_frames(scene, frame):
    scene.frame = frame


def test_every_frame_scene_stops_before_drawing_once_it_is_done(display):
    scene = FakeScene(EVERY_FRAME_30, done_after=3)
    win = FakeWindow()
    assert run(scene, win, max_frames=10, on_frame=_count_frames) is False
    assert scene.updates == 3 and scene.draws == [0, 1]  # the frame that ended it draws nothing
    assert win.shown == [None, None]  # full flips
    assert win.captions == ["one"]


def test_on_change_scene_draws_on_the_first_frame_after_events_and_while_a_toast_shows(display):
    scene = FakeScene(ON_CHANGE)

    def script(s, frame):
        s.frame = frame
        if frame == 2:
            pygame.event.post(pygame.event.Event(pygame.USEREVENT))
        s.toast = "saved" if frame == 4 else None

    assert run(scene, FakeWindow(), max_frames=6, on_frame=script) is True  # ran out of frames
    assert scene.draws == [0, 2, 4]
    assert scene.updates == 6  # updated every frame all the same


def test_partial_scene_shows_only_the_changed_rectangles_and_rests_when_idle(display):
    scene = FakeScene(PARTIAL)
    win = FakeWindow()
    run(scene, win, max_frames=12, on_frame=_count_frames)
    assert scene.draws == [0, 1, 9]  # no events: two frames, then one in ten (toasts still time out)
    assert scene.updates == 3  # updated only when drawn
    assert win.shown == [[pygame.Rect(0, 0, 2, 2)]] * 3
    assert scene.invalidated == 12  # start-up frames are whole: the window system may not show the first flip


def test_the_caption_is_set_when_it_changes_and_left_alone_when_none(display):
    scene = FakeScene(EVERY_FRAME_30)
    win = FakeWindow()

    def script(s, frame):
        s.caption = {0: "a", 1: "a", 2: "b", 3: None}[frame]

    run(scene, win, max_frames=4, on_frame=script)
    assert win.captions == ["a", "b"]


def test_should_stop_ends_the_loop_without_running_out_of_frames(display):
    scene = FakeScene(EVERY_FRAME_30)
    stop = []

    def script(s, frame):
        if frame == 1:
            stop.append(True)

    assert run(scene, FakeWindow(), max_frames=50, should_stop=lambda: bool(stop), on_frame=script) is False
    assert scene.updates == 2


# ----------------------------------------------------------------------
# scenes take plain pointer events directly


def test_a_kiosk_tap_is_a_plain_pointer_event_to_the_topmost_layer(tmp_path):
    from bodymap.kiosk.config import KioskConfig
    from bodymap.ui.kiosk import KioskApp

    cfg = KioskConfig(spool_dir=tmp_path / "spool", drafts_dir=tmp_path / "drafts",
                      recovery_dir=tmp_path / "recovery")
    now = [100.0]
    app = KioskApp(cfg, (1280, 800), clock=lambda: now[0])
    start = app.button_center("start")
    finger = ("finger", 1, 0)
    app.handle_pointer(Pointer(DOWN, start, finger))
    app.handle_pointer(Pointer(DOWN, app.button_center("lang:es"), ("finger", 1, 1)))  # a second finger: nothing
    app.handle_pointer(Pointer(UP, start, finger))
    assert app.kiosk.screen == "paint" and app.kiosk.language == "en"
    now[0] += 1.0  # the patient looks at the new screen (a touch in its first half second is ignored)
    # a dialog is the topmost layer: only its buttons can be reached, and they act by their action
    app.handle_pointer(Pointer(DOWN, app.button_center("next"), finger))
    app.handle_pointer(Pointer(UP, app.button_center("next"), finger))
    assert app.state.dialog == "nothing" and set(app.buttons()) == {"dlg:colour", "dlg:skip"}
    assert app.buttons()["dlg:skip"].action == ("go_on",)
    app.handle_pointer(Pointer(DOWN, app.button_center("dlg:skip"), finger))
    app.handle_pointer(Pointer(UP, app.button_center("dlg:skip"), finger))
    assert app.state.dialog is None and app.kiosk.screen == "question"
