"""The kiosk touch screens: a waiting-room patient paints, answers, and hands a code to reception.

`KioskApp` is the shell around the kiosk's scenes. The headless state machine
`bodymap.kiosk.flow.Kiosk` is the state: which screen shows, the session and its
PainMap. Each screen is a scene module beside this one (welcome, paint,
question, review, thanks, redflag) that draws that state and turns taps into
flow calls; the dialogs, the "Still there?" warning and the staff PIN pad are
overlays above them (overlays.py, pin.py). The shell keeps the scene manager in
step with `kiosk.screen`, routes touches (touch.py) to the topmost layer, and
draws the current scene then its overlays. `run_kiosk` (run.py) hands it to the
one window loop (bodymap.ui.scene), so the tests drive the very same code with
synthetic FINGER events, headless.

Rules it keeps:
- one thing per screen, big targets (main buttons >= 96 px at 1080p), big plain text,
  all of it from the language catalogues (bodymap.kiosk.i18n);
- patients never see the matcher's ranking (nothing here calls it);
- touches arrive as FINGER events (x, y normalised to the window); SDL's mouse
  copies of them (`event.touch`) are ignored, positions always come from the event;
- nothing closes it but the staff gesture: a long press in `config.exit_corner`
  opens a PIN keypad; Esc, Alt+F4, Ctrl+Q and the close button do nothing;
- when a session ends (finished, or idle timeout) every trace of it is dropped:
  the paint overlays, cached pictures and text renderings go with the PainMap.
"""
from __future__ import annotations

import sys
import time
from typing import Any, Callable

import pygame

from ...atlas import Atlas, load_atlas
from ...kiosk.config import KioskConfig
from ...kiosk.flow import Kiosk
from ...kiosk.i18n import text as i18n_text
from ...painting import SENSATIONS, PainMap
from ..kit.kiosk_colours import BG
from ..kit import KButton, Texts
from ..kit.canvas import BodyCanvas
from ..kit.tap import TapTracker, Through
from ..scene import Redraw, SceneManager
from .assist import ASSIST_IDS, HelpOverlay, KioskAssist
from .layout import BASE, KioskGeometry
from .overlays import DialogOverlay, IdleWarning
from .paint import PaintScene
from .pin import PinOverlay, PinPad
from .question import QuestionScene
from .redflag import RedFlagScene
from .review import ReviewScene
from .screen import KioskScene
from .staff import StaffOverlay, draw_staff_marks
from .thanks import THANKS_SECONDS, ThanksScene
from .touch import KioskTouch
from .welcome import WelcomeScene

PATIENT_SCREENS = ("paint", "question", "review")  # the idle warning (and "Stop") shows on these
TAP_GUARD_S = 0.5  # after a screen changes, touches are ignored this long: a tap meant for the last screen
TRANSITION_S = 0.35  # a new screen fades in from the background colour this long (it visibly changed)
# Draw only when something changed: after a touch, or when the picture changes by itself (a countdown,
# a screen's own timeout, the fade); idle, the loop wakes 10 times a second to check.
ON_CHANGE_KIOSK = Redraw("on_change", 30, 10)
SCREENS = {"welcome": WelcomeScene, "paint": PaintScene, "question": QuestionScene, "review": ReviewScene,
           "thanks": ThanksScene, "redflag": RedFlagScene}

_LIBC: Any = None


def _release_memory() -> None:
    """Between patients: hand freed heap back to the OS (glibc keeps it otherwise), so a kiosk that runs
    for months holds what it uses, not its high-water mark. A no-op where there is no glibc."""
    global _LIBC
    if _LIBC is False or not sys.platform.startswith("linux"):
        return
    try:
        if _LIBC is None:
            import ctypes

            _LIBC = ctypes.CDLL("libc.so.6")
        _LIBC.malloc_trim(0)
    except (OSError, AttributeError):
        _LIBC = False  # not glibc (musl ...): nothing to do


class KioskApp(KioskGeometry, KioskTouch, KioskAssist):
    """The kiosk's shell: its scenes and overlays over one flow; see the module docstring."""

    redraw = ON_CHANGE_KIOSK  # see `toast`: what changes by itself is drawn too
    caption = None  # the kiosk's window title never changes
    pressed = Through("taps", "pressed")  # the id of the button under the held pointer
    overlays = Through("canvas", "overlays")  # the paint screen's paint layers, per view

    def __init__(self, config: KioskConfig, size: tuple[int, int] = BASE, *, atlas: Atlas | None = None,
                 clock: Callable[[], float] = time.monotonic, kiosk: Kiosk | None = None):
        self.config = config
        self.clock = clock
        self.kiosk = kiosk if kiosk is not None else Kiosk(config, atlas or load_atlas(), clock=clock)
        self.atlas = self.kiosk.atlas
        self.texts = Texts()
        self.should_exit: int | None = None
        self.size = (max(int(size[0]), 1), max(int(size[1]), 1))
        # the patient's tools and the open dialog ("clear" or "nothing"), per session
        self.sensation = SENSATIONS[0]
        self.eraser = False
        self.dialog: str | None = None
        self.digits = ""
        self.taps = TapTracker()  # one pointer at a time, and taps (ui/kit/tap.py); `pressed` is its target
        self._hold: tuple[Any, float] | None = None  # (pointer, since): a press in the staff corner
        self.pin: PinPad | None = None
        self.staff_since: float | None = None  # the staff screen (after the PIN) shows since then
        self.lock_notice_until: float | None = None  # "Locked: try again in N s" shows in the staff corner until
        self._assist_init()
        # what belongs to the current session (dropped when it ends); the scenes share it
        self.pain_map: PainMap | None = None  # the session's map (the flow's), None between patients
        # the paint screen's views (whole or a part magnified), paint, stroke and zoom; the review screen's views
        self.canvas, self.review_canvas = BodyCanvas(self.atlas), BodyCanvas(self.atlas)
        self.review_picture: tuple[int, pygame.Surface] | None = None  # (map version, the review screen's paint)
        self._empty: tuple[int, bool] | None = None
        self._seen: tuple | None = None
        self.shown_since = clock() - TAP_GUARD_S  # when the current screen (or question) was first shown
        self._drawn_key = None  # what the last frame showed (see `toast`)
        self._dirty = True
        self.bg_cache: dict[tuple, pygame.Surface] = {}  # the body pictures (bodies.py) by screen, size, language
        self.bg_texts: dict[tuple, list[str]] = {}  # what each cached background shows, for `texts.frame`
        self.side_labels: dict[tuple[str, str, str], pygame.Rect] = {}  # (screen, view, side) -> where drawn
        self.scenes = SceneManager()
        for name, scene in SCREENS.items():
            self.scenes.register(name, scene(self))
        self.dialog_overlay, self.warning, self.pin_pad = DialogOverlay(self), IdleWarning(self), PinOverlay(self)
        self.help_overlay, self.staff_screen = HelpOverlay(self), StaffOverlay(self)
        self._layout()
        self._sync(self.shown_since)

    # -- the scene protocol (bodymap.ui.scene)
    @property
    def done(self) -> bool:
        return self.should_exit is not None

    @property
    def exit_status(self) -> int | None:
        return self.should_exit

    # -- text
    @property
    def lang(self) -> str:
        return self.kiosk.language

    def t(self, key: str, **kw) -> str:
        if not kw:
            self.heard_key(key)
        return i18n_text(self.lang, key, **kw)

    # -- keeping the screens in step with the flow
    def _sync(self, now: float) -> None:
        k = self.kiosk
        m = k.session.pain_map if k.session is not None else None
        if m is not self.pain_map:
            self._new_session(m)
        seen = (k.screen, k.session.question if k.session is not None and k.screen == "question" else None)
        if seen != self._seen:
            if k.screen == "welcome":  # between patients: forget every rendering (the last code was one)
                self.texts.clear()
                self.bg_cache.clear()
                self.bg_texts.clear()
                _release_memory()
            self._seen = seen
            self.shown_since = now
            self.dialog = None
            self.pressed = None
            self.digits = ""
            self.screen_changed()
            self.scenes.switch(k.screen, again=True)

    def _new_session(self, m: PainMap | None) -> None:
        """A session started or ended: drop everything that showed or referenced the previous one."""
        paint = self.scenes.scenes["paint"]
        paint.stroke = None  # the old map's open stroke (or touch on its regions) goes with it
        self.pressed = None
        self.pain_map = m
        self._empty = None
        self.dialog = None
        self.digits = ""
        self.sensation, self.eraser = SENSATIONS[0], False
        self._seen = None
        paint.new_drawing()  # the whole body, nothing to undo, the canvases on the new map (or none)

    @property
    def map_empty(self) -> bool:
        m = self.pain_map
        if m is None:
            return True
        if self._empty is None or self._empty[0] != m.version:
            self._empty = (m.version, m.is_empty)
        return self._empty[1]

    def warning_visible(self, now: float | None = None) -> bool:
        k = self.kiosk
        return k.screen in PATIENT_SCREENS and k.idle_state(now)[0] == "warning"

    # -- drawing only on change
    def guarded(self, now: float) -> bool:
        """The screen changed less than TAP_GUARD_S ago: a touch now was meant for the one before."""
        return now - self.shown_since < TAP_GUARD_S

    def _frame_key(self, now: float) -> tuple:
        """What the picture depends on that can change without a touch (touches always redraw)."""
        k = self.kiosk
        warn = self.warning_visible(now)
        return (k.screen, self._seen, self.size, self.lang, self.help_open, self.dialog, self.staff_since is not None,
                None if self.pin is None else (self.pin.digits, self.pin.wrong_until is None),
                int(k.idle_state(now)[1]) if warn else None, len(k.staff.marks), k.recovery_status().total,
                self.help_calls.open_calls(now), self.lock_notice_until is not None and now < self.lock_notice_until,
                tuple(self.scenes.scenes[k.screen].buttons()), now - self.shown_since < TRANSITION_S)

    @property
    def toast(self):
        """Not None while the picture must be drawn without a touch (the scene loop's "on_change" policy)."""
        return True if self._dirty else None

    # -- per frame
    def update(self, now: float | None = None) -> None:
        now = self.clock() if now is None else float(now)
        self._sync(now)
        if self._hold is not None and now - self._hold[1] >= self.config.exit_hold_s:
            self._hold_done(now)
        self.pin_pad.update(now)
        self.staff_screen.update(now)
        self.assist_update(now)
        if self.kiosk.screen == "thanks" and now - self.shown_since >= THANKS_SECONDS:
            self.kiosk.done()
        self.kiosk.tick(now)
        self._sync(now)
        key = self._frame_key(now)
        if key != self._drawn_key or now - self.shown_since < TRANSITION_S:
            self._dirty = True

    # -- the layers a tap can reach
    def _top_layer(self) -> KioskScene:
        """The topmost layer: the PIN pad, the staff screen, the idle warning, the help note, a dialog, or the
        screen."""
        if self.pin is not None:
            return self.pin_pad
        if self.staff_since is not None:
            return self.staff_screen
        if self.warning_visible():
            return self.warning
        if self.help_open:
            return self.help_overlay
        if self.dialog is not None:
            return self.dialog_overlay
        return self.scenes.scenes[self.kiosk.screen]

    def buttons(self) -> dict[str, KButton]:
        """The buttons a tap can reach now: those of the topmost layer (PIN pad, dialog or screen); on a
        screen also "Listen" and "Help"."""
        if self.too_small and self.pin is None and self.staff_since is None:
            return {}  # only the staff corner works on the "too small" screen
        layer = self._top_layer()
        if layer is self.scenes.scenes[self.kiosk.screen]:
            return {**layer.buttons(), **self.assist_buttons()}
        return layer.buttons()

    def activate(self, button: KButton, now: float) -> None:
        """A tap on `button` of the topmost layer."""
        if button.id in ASSIST_IDS and self._top_layer() is self.scenes.scenes[self.kiosk.screen]:
            self.assist_activate(button.action, now)
        else:
            self._top_layer().activate(button.action, now)

    def button_center(self, bid: str) -> tuple[int, int]:
        return self.buttons()[bid].rect.center

    # -- drawing
    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        now = self.clock()
        self._sync(now)
        self.texts.frame = []
        if self.too_small:
            self._draw_too_small(surface, now)
            return
        scene = self.scenes.scenes[self.kiosk.screen]
        self.listen_begin()  # what the screen shows is what "Listen" says
        scene.draw(surface)
        modal = (self.pin is not None or self.dialog is not None or self.warning_visible(now) or self.help_open
                 or self.staff_since is not None)
        for bid, b in scene.buttons().items():
            b.draw(surface, self.texts, pressed=(not modal and self.pressed == bid), line=self.px(3))
        self.listen_end()
        for bid, b in self.assist_buttons().items():
            b.draw(surface, self.texts, pressed=(not modal and self.pressed == bid), line=self.px(3))
        if self.dialog is not None:
            self.dialog_overlay.draw(surface, active=not (self.pin is not None or self.warning_visible(now)
                                                          or self.help_open or self.staff_since is not None))
        if self.help_open:
            self.help_overlay.draw(surface)
        if self.warning_visible(now):
            self.warning.draw(surface, now)
        draw_staff_marks(self, surface, now)
        if self.staff_since is not None:
            self.staff_screen.draw(surface)
        if self.pin is not None:
            self.pin_pad.draw(surface)
        fade = 1.0 - (now - self.shown_since) / TRANSITION_S
        if fade > 0 and self.kiosk.screen != "welcome":  # the new screen fades in: it visibly changed
            veil = pygame.Surface(self.size)
            veil.fill(BG)
            veil.set_alpha(int(200 * min(fade, 1.0)))
            surface.blit(veil, (0, 0))
        self._drawn_key = self._frame_key(now)
        self._dirty = False

    def _draw_too_small(self, surface: pygame.Surface, now: float) -> None:
        """The window is smaller than MIN_SIZE: one calm line instead of screens that cannot fit."""
        surface.fill(BG)
        w, h = self.size
        self.texts.block(surface, self.t("too_small"), pygame.Rect(8, 8, max(w - 16, 8), max(h - 16, 8)),
                         max(12, min(w, h) // 10), max_lines=6, min_size=8, valign="center")
        draw_staff_marks(self, surface, now)
        if self.staff_since is not None:
            self.staff_screen.draw(surface)
        if self.pin is not None:
            self.pin_pad.draw(surface)
        self._drawn_key = self._frame_key(now)
        self._dirty = False

    def screenshot(self, settled: bool = True) -> pygame.Surface:
        """The picture now; `settled`: as it looks once the screen's fade-in is over."""
        surf = pygame.Surface(self.size)
        self._sync(self.clock())  # a screen changed since the last frame counts from now
        since = self.shown_since
        if settled:
            self.shown_since = min(since, self.clock() - TRANSITION_S)
        try:
            self.draw(surf)
        finally:
            self.shown_since = since
        return surf

    def fill(self, surface: pygame.Surface, colour=BG) -> None:
        surface.fill(colour)
