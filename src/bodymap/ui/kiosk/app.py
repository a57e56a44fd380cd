"""The kiosk touch screens: a waiting-room patient paints, answers, and hands a code to reception.

`KioskApp` is the shell around the kiosk's scenes. The headless state machine
`bodymap.kiosk.flow.Kiosk` is the state: which screen shows, the session and its
PainMap. Each screen is a scene module beside this one (welcome, paint,
question, review, thanks, redflag) that draws that state and turns taps into
flow calls; the dialogs, the "Still there?" warning and the staff PIN pad are
overlays above them (overlays.py, pin.py). Every scene and overlay is given the
narrow `ScreenContext` (context.py), never the shell. The shell owns its parts
(`Geometry`, `BodyViews`, `Assist`, `Touch`, `StaffMarks`; ADR 0039), keeps the
scene manager in step with `kiosk.screen`, routes touches (the `Touch` part) to
the topmost layer, and draws the current scene then its overlays. `run_kiosk` (run.py) hands it to the
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
from ...kiosk.flow import EXIT_STAFF, Kiosk
from ...painting import PainMap
from ..kit.kiosk_colours import BG
from ..kit import KButton, Texts
from ..kit.tap import TapTracker
from ..pointer import Pointer, pointer_event
from ..scene import Redraw, SceneManager
from .assist import ASSIST_IDS, Assist, HelpOverlay
from .bodies import BodyViews
from .context import ScreenContext, ScreenState, Words
from .layout import BASE, Geometry
from .overlays import DialogOverlay, IdleWarning
from .paint import PaintScene
from .pin import PinOverlay
from .question import QuestionScene
from .redflag import RedFlagScene
from .review import ReviewScene
from .screen import KioskScene
from .staff import StaffMarks, StaffOverlay
from .thanks import THANKS_SECONDS, ThanksScene
from .touch import Touch
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


class KioskApp:
    """The kiosk's shell: its scenes and overlays over one flow, built from owned parts; see the module
    docstring."""

    redraw = ON_CHANGE_KIOSK  # see `toast`: what changes by itself is drawn too
    caption = None  # the kiosk's window title never changes

    def __init__(self, config: KioskConfig, size: tuple[int, int] = BASE, *, atlas: Atlas | None = None,
                 clock: Callable[[], float] = time.monotonic, kiosk: Kiosk | None = None):
        self.config = config
        self.clock = clock
        self.kiosk = kiosk if kiosk is not None else Kiosk(config, atlas or load_atlas(), clock=clock)
        self.atlas = self.kiosk.atlas
        self.texts = Texts()
        self.should_exit: int | None = None
        # the parts: where everything sits, the body views (paint and review canvases, cached backgrounds), what
        # the screens share about the patient now (dropped when the session ends), the words, one pointer
        self.views = BodyViews(self.atlas)
        self.geo = Geometry((max(int(size[0]), 1), max(int(size[1]), 1)), config.exit_corner, self.atlas,
                            self.views.canvas)
        self.views.geo = self.geo
        self.state = ScreenState(shown_since=clock() - TAP_GUARD_S)
        self.words = Words(self.kiosk)
        self.taps = TapTracker()  # one pointer at a time, and taps (ui/kit/tap.py); `taps.pressed` is the button held
        self.ctx = ScreenContext(self.kiosk, config, self.atlas, clock, self.texts, self.words, self.geo, self.state,
                                 self.views, self.taps, self._sync)
        self._seen: tuple | None = None
        self._drawn_key = None  # what the last frame showed (see `toast`)
        self._dirty = True
        self.scenes = SceneManager()
        for name, scene in SCREENS.items():
            self.scenes.register(name, scene(self.ctx))
        paint = self.scenes.scenes["paint"]
        self.assist = Assist(self.ctx, current=lambda: self.scenes.scenes[self.kiosk.screen], redraw=self._redraw)
        self.dialog_overlay, self.warning = DialogOverlay(self.ctx, paint), IdleWarning(self.ctx)
        self.help_overlay = HelpOverlay(self.ctx, self.assist)
        self.staff_screen = StaffOverlay(self.ctx, self.assist.help_calls, leave=self._leave)
        self.pin_pad = PinOverlay(self.ctx, on_right_pin=self._right_pin)
        self.marks = StaffMarks(self.ctx, self.assist.help_calls)
        self.touch = Touch(self.ctx, paint, self.pin_pad, self.staff_screen, self.marks, self.assist, hit=self._hit,
                           activate=self.activate, warning_visible=self.warning_visible, guarded=self.guarded)
        self._placed()
        self._sync(self.state.shown_since)

    # -- the scene protocol (bodymap.ui.scene) and the drivers' names (tests/drive.py)
    @property
    def done(self) -> bool:
        return self.should_exit is not None

    @property
    def exit_status(self) -> int | None:
        return self.should_exit

    @property
    def size(self) -> tuple[int, int]:
        return self.geo.size

    @property
    def paint_layouts(self):
        """The paint screen's views, whole (where `tests/drive.at` puts atlas points)."""
        return self.geo.paint_layouts

    def _leave(self, status: int) -> None:
        self.should_exit = status

    def _right_pin(self, now: float) -> None:
        """The right PIN: the staff screen when something waits for staff (they see it before they leave), else
        the kiosk ends."""
        if self.staff_screen.lines(now):
            self.staff_screen.since = now
        else:
            self._leave(EXIT_STAFF)

    # -- keeping the screens in step with the flow
    def _sync(self, now: float) -> None:
        k = self.kiosk
        m = k.session.pain_map if k.session is not None else None
        if m is not self.state.pain_map:
            self._new_session(m)
        seen = (k.screen, k.session.question if k.session is not None and k.screen == "question" else None)
        if seen != self._seen:
            if k.screen == "welcome":  # between patients: forget every rendering (the last code was one)
                self.texts.clear()
                self.views.bg_cache.clear()
                self.views.bg_texts.clear()
                _release_memory()
            self._seen = seen
            self.state.shown_since = now
            self.state.dialog = None
            self.taps.pressed = None
            self.state.digits = ""
            self.assist.screen_changed()
            self.scenes.switch(k.screen, again=True)

    def _new_session(self, m: PainMap | None) -> None:
        """A session started or ended: drop everything that showed or referenced the previous one."""
        paint = self.scenes.scenes["paint"]
        paint.stroke = None  # the old map's open stroke (or touch on its regions) goes with it
        self.taps.pressed = None
        self.state.new_session(m)
        self.views.pain_map = m
        self._seen = None
        paint.new_drawing()  # the whole body, nothing to undo, the canvases on the new map (or none)

    def warning_visible(self, now: float | None = None) -> bool:
        k = self.kiosk
        return k.screen in PATIENT_SCREENS and k.idle_state(now)[0] == "warning"

    # -- drawing only on change
    def guarded(self, now: float) -> bool:
        """The screen changed less than TAP_GUARD_S ago: a touch now was meant for the one before."""
        return now - self.state.shown_since < TAP_GUARD_S

    def _frame_key(self, now: float) -> tuple:
        """What the picture depends on that can change without a touch (touches always redraw)."""
        k, pin = self.kiosk, self.pin_pad.pad
        warn = self.warning_visible(now)
        return (k.screen, self._seen, self.size, self.words.lang, self.assist.help_open, self.state.dialog,
                self.staff_screen.since is not None, None if pin is None else (pin.digits, pin.wrong_until is None),
                int(k.idle_state(now)[1]) if warn else None, len(k.staff.marks), k.recovery_status().total,
                self.assist.help_calls.open_calls(now), self.marks.locked_notice(now),
                tuple(self.scenes.scenes[k.screen].buttons()), now - self.state.shown_since < TRANSITION_S)

    @property
    def toast(self):
        """Not None while the picture must be drawn without a touch (the scene loop's "on_change" policy)."""
        return True if self._dirty else None

    # -- per frame
    def update(self, now: float | None = None) -> None:
        now = self.clock() if now is None else float(now)
        self._sync(now)
        self.touch.update(now)
        self.pin_pad.update(now)
        self.staff_screen.update(now)
        self.assist.update(now)
        if self.kiosk.screen == "thanks" and now - self.state.shown_since >= THANKS_SECONDS:
            self.kiosk.done()
        self.kiosk.tick(now)
        self._sync(now)
        key = self._frame_key(now)
        if key != self._drawn_key or now - self.state.shown_since < TRANSITION_S:
            self._dirty = True

    # -- events
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        p = pointer_event(event, self.size)
        if p is not None:
            self.touch.handle_pointer(p)
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t == pygame.WINDOWFOCUSLOST:
            self.touch.release()
        # everything else (QUIT, WINDOWCLOSE, every key: Esc, Alt+F4, Ctrl+Q ...) does nothing on purpose

    def handle_pointer(self, p: Pointer) -> None:
        self.touch.handle_pointer(p)

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size != self.size:
            paint = self.scenes.scenes["paint"]
            paint.end_stroke()
            paint.regions.end()
            self.geo.place(size)
            self._placed()
            self._sync(self.clock())

    def _placed(self) -> None:
        """The geometry was laid out: the cached backgrounds go, the canvases are placed again."""
        self.views.bg_cache.clear()
        self.views.place()

    # -- the layers a tap can reach
    def _top_layer(self) -> KioskScene:
        """The topmost layer: the PIN pad, the staff screen, the idle warning, the help note, a dialog, or the
        screen."""
        if self.pin_pad.pad is not None:
            return self.pin_pad
        if self.staff_screen.since is not None:
            return self.staff_screen
        if self.warning_visible():
            return self.warning
        if self.assist.help_open:
            return self.help_overlay
        if self.state.dialog is not None:
            return self.dialog_overlay
        return self.scenes.scenes[self.kiosk.screen]

    def buttons(self) -> dict[str, KButton]:
        """The buttons a tap can reach now: those of the topmost layer (PIN pad, dialog or screen); on a
        screen also "Listen" and "Help"."""
        if self.geo.too_small and self.pin_pad.pad is None and self.staff_screen.since is None:
            return {}  # only the staff corner works on the "too small" screen
        layer = self._top_layer()
        if layer is self.scenes.scenes[self.kiosk.screen]:
            return {**layer.buttons(), **self.assist.buttons()}
        return layer.buttons()

    def _hit(self, pos) -> KButton | None:
        for b in self.buttons().values():
            if b.enabled and b.rect.collidepoint(pos):
                return b
        return None

    def activate(self, button: KButton, now: float) -> None:
        """A tap on `button` of the topmost layer."""
        if button.id in ASSIST_IDS and self._top_layer() is self.scenes.scenes[self.kiosk.screen]:
            self.assist.activate(button.action, now)
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
        if self.geo.too_small:
            self._draw_too_small(surface, now)
            return
        scene = self.scenes.scenes[self.kiosk.screen]
        pressed, line = self.taps.pressed, self.geo.px(3)
        self.assist.listen_begin()  # what the screen shows is what "Listen" says
        scene.draw(surface)
        pin, staff, help_open = self.pin_pad.pad, self.staff_screen.since, self.assist.help_open
        modal = pin is not None or self.state.dialog is not None or self.warning_visible(now) or help_open \
            or staff is not None
        for bid, b in scene.buttons().items():
            b.draw(surface, self.texts, pressed=(not modal and pressed == bid), line=line)
        self.assist.listen_end()
        for bid, b in self.assist.buttons().items():
            b.draw(surface, self.texts, pressed=(not modal and pressed == bid), line=line)
        if self.state.dialog is not None:
            self.dialog_overlay.draw(surface, active=not (pin is not None or self.warning_visible(now)
                                                          or help_open or staff is not None))
        if help_open:
            self.help_overlay.draw(surface)
        if self.warning_visible(now):
            self.warning.draw(surface, now)
        self._draw_staff(surface, now)
        fade = 1.0 - (now - self.state.shown_since) / TRANSITION_S
        if fade > 0 and self.kiosk.screen != "welcome":  # the new screen fades in: it visibly changed
            veil = pygame.Surface(self.size)
            veil.fill(BG)
            veil.set_alpha(int(200 * min(fade, 1.0)))
            surface.blit(veil, (0, 0))
        self._drawn_key = self._frame_key(now)
        self._dirty = False

    def _draw_staff(self, surface: pygame.Surface, now: float) -> None:
        """The staff corner's marks, then the staff screen or the PIN pad if open."""
        self.marks.draw(surface, now)
        if self.staff_screen.since is not None:
            self.staff_screen.draw(surface)
        if self.pin_pad.pad is not None:
            self.pin_pad.draw(surface)

    def _draw_too_small(self, surface: pygame.Surface, now: float) -> None:
        """The window is smaller than MIN_SIZE: one calm line instead of screens that cannot fit."""
        surface.fill(BG)
        w, h = self.size
        self.texts.block(surface, self.words.t("too_small"), pygame.Rect(8, 8, max(w - 16, 8), max(h - 16, 8)),
                         max(12, min(w, h) // 10), max_lines=6, min_size=8, valign="center")
        self._draw_staff(surface, now)
        self._drawn_key = self._frame_key(now)
        self._dirty = False

    def _redraw(self) -> None:
        """Draw the window afresh off screen (what "Listen" says is what it shows now)."""
        self.draw(pygame.Surface(self.size))

    def screenshot(self, settled: bool = True) -> pygame.Surface:
        """The picture now; `settled`: as it looks once the screen's fade-in is over."""
        surf = pygame.Surface(self.size)
        self._sync(self.clock())  # a screen changed since the last frame counts from now
        since = self.state.shown_since
        if settled:
            self.state.shown_since = min(since, self.clock() - TRANSITION_S)
        try:
            self.draw(surf)
        finally:
            self.state.shown_since = since
        return surf
