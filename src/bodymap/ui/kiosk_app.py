"""The kiosk touch screens: a waiting-room patient paints, answers, and hands a code to reception.

`KioskApp` draws the headless state machine `bodymap.kiosk.flow.Kiosk` and feeds
it touches: `handle_event(event)`, `update(now)`, `draw(surface)` and
`should_exit`. `run_kiosk` only pumps pygame's events into it, so the tests
drive the very same code with synthetic FINGER events, headless.

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

import dataclasses
import logging
import math
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from ..atlas import VIEWS, Atlas, load_atlas, viewer_sign
from ..errors import BodymapError, ConfigError
from ..kiosk.config import KioskConfig
from ..kiosk.flow import EXIT_CONFIG, EXIT_CRASH, EXIT_STAFF, Kiosk, save_on_exit
from ..kiosk.i18n import load_catalogue
from ..kiosk.i18n import text as i18n_text
from ..painting import SENSATIONS, PainMap
from .. import render
from .widgets import POINTER_EVENTS, pointer
from .widgets import pointer
from ..render.picture import PATTERN_PERIOD, draw_paint
from .kiosk_widgets import (ALERT, ALERT_BG, BG, BORDER, DIVIDER, MUTED, PRIMARY, TEXT, WHITE, KButton, Texts,
                            draw_panel)
from ..render.overlay import PaintOverlay, brush_window

log = logging.getLogger("bodymap.kiosk")

BASE = (1920, 1080)  # every size below is for this screen and scales with it
BRUSH_RADIUS = 0.14  # head heights: a fingertip-sized brush on a body about 80 cm tall on screen
THANKS_SECONDS = 20.0  # the thanks screen returns to welcome by itself
REDFLAG_FINISH_AFTER_S = 8.0  # the red-flag screen cannot be tapped away at once (the idle timeout ends it)
WRONG_PIN_SECONDS = 3.0
PIN_PAD_IDLE_S = 30.0  # an abandoned PIN keypad closes by itself
CORNER_PX = 100  # the invisible staff square
FPS = 30
STALE_POINTER_S = 10.0  # a finger held still this long no longer blocks another one (its release may be lost)
PATIENT_SCREENS = ("paint", "question", "review")  # the idle warning shows on these
STOPPED = -1  # run_kiosk(max_frames=...) ran out of frames (tests only; never a real exit status)


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


@dataclass
class PinPad:
    opened: float
    last_input: float
    digits: str = ""
    wrong_until: float | None = None


class KioskApp:
    """All kiosk screens as one object driven by events; see the module docstring."""

    def __init__(self, config: KioskConfig, size: tuple[int, int] = BASE, *, atlas: Atlas | None = None,
                 clock: Callable[[], float] = time.monotonic, kiosk: Kiosk | None = None):
        self.config = config
        self.clock = clock
        self.kiosk = kiosk if kiosk is not None else Kiosk(config, atlas or load_atlas(), clock=clock)
        self.atlas = self.kiosk.atlas
        self.texts = Texts()
        self.should_exit: int | None = None
        self.size = (max(int(size[0]), 1), max(int(size[1]), 1))
        # the patient's tools and the open modal ("clear" or "nothing"), per session
        self.sensation = SENSATIONS[0]
        self.eraser = False
        self.dialog: str | None = None
        self.digits = ""
        # one pointer at a time
        self._pointer: Any = None
        self._pointer_seen = 0.0  # when the held pointer last moved
        self._pressed: str | None = None
        self._stroke: str | None = None  # the view the open stroke is on
        self._hold: tuple[Any, float] | None = None  # (pointer, since): a press in the staff corner
        self.pin: PinPad | None = None
        # what belongs to the current session (dropped when it ends)
        self._map: PainMap | None = None
        self.overlays: dict[str, PaintOverlay] = {}
        self._review: tuple[int, pygame.Surface] | None = None
        self._empty: tuple[int, bool] | None = None
        self._seen: tuple | None = None
        self._since = clock()
        self._bg: dict[tuple, pygame.Surface] = {}
        self._bg_texts: dict[tuple, list[str]] = {}  # what each cached background shows, for `texts.frame`
        self.side_labels: dict[tuple[str, str, str], pygame.Rect] = {}  # (screen, view, side) -> where drawn
        self._layout()
        self._sync(self._since)

    # ------------------------------------------------------------------
    # geometry
    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def fs(self, v: float) -> int:
        """A font size: scaled, never below 24 (pygame's default font at 24 is about 17 px high)."""
        return max(24, int(round(v * self.s)))

    def _layout(self) -> None:
        w, h = self.size
        self.s = s = max(min(w / BASE[0], h / BASE[1]), 0.3)
        m = self.margin = self.px(24)
        c = self.px(CORNER_PX) if s < 1 else int(CORNER_PX * s)
        c = max(c, 80)
        corner = self.config.exit_corner
        self.corner = pygame.Rect(0 if "left" in corner else w - c, 0 if "top" in corner else h - c, c, c)
        # paint screen: title band, sensations at the left, actions at the right, the two views between
        title_w = w - 2 * m
        self.paint_title_size = self.fs(72)
        self.paint_help_size = self.fs(42)
        th = render.font(self.paint_title_size).get_linesize()
        hh = 2 * render.font(self.paint_help_size).get_linesize()
        self.paint_title_rect = pygame.Rect(m, m, title_w, th)
        self.paint_help_rect = pygame.Rect(m, m + th + self.px(6), title_w, hh)
        top = self.paint_help_rect.bottom + self.px(16)
        self.tools_rect = pygame.Rect(m, top, self.px(540), h - m - top)
        self.actions_rect = pygame.Rect(w - m - self.px(330), top, self.px(330), h - m - top)
        views_area = pygame.Rect(self.tools_rect.right + self.px(30), top,
                                 self.actions_rect.left - self.px(30) - self.tools_rect.right - self.px(30),
                                 h - m - top)
        self.view_title_size = self.fs(56)
        self.side_size = self.fs(44)
        self.paint_layouts = self._views_in(views_area, self.px(70))
        # review screen: the same views, smaller, under the question and above two buttons
        self.review_title_size = self.fs(88)
        self.review_body_size = self.fs(46)
        body_w = min(w - 2 * self.px(120), self.px(1500))
        rt = render.font(self.review_title_size).get_linesize()
        self.review_title_rect = pygame.Rect((w - body_w) // 2, m, body_w, rt)
        self.review_body_rect = pygame.Rect((w - body_w) // 2, m + rt + self.px(4), body_w,
                                            2 * render.font(self.review_body_size).get_linesize())
        rb_h = self.px(150)
        self.review_buttons_y = h - m - rb_h
        area = pygame.Rect(m, self.review_body_rect.bottom + self.px(10), w - 2 * m,
                           self.review_buttons_y - self.px(20) - self.review_body_rect.bottom - self.px(10))
        self.review_layouts = self._views_in(area, self.px(90))
        self.overlays = {}
        self._bg.clear()
        self._review = None

    def _views_in(self, area: pygame.Rect, gap: int) -> dict[str, render.ViewLayout]:
        title_h = render.font(self.view_title_size).get_linesize() + self.px(8)
        lays = render.layout_views(self.atlas, area, gap=gap, title_h=title_h)
        return {v: dataclasses.replace(lay, left=float(round(lay.left)), top=float(round(lay.top)))
                for v, lay in lays.items()}

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size != self.size:
            self._end_stroke()
            self.size = size
            self._layout()
            self._sync(self.clock())

    # ------------------------------------------------------------------
    # text
    @property
    def lang(self) -> str:
        return self.kiosk.language

    def t(self, key: str, **kw) -> str:
        return i18n_text(self.lang, key, **kw)

    # ------------------------------------------------------------------
    # keeping the screen in step with the flow
    def _sync(self, now: float) -> None:
        k = self.kiosk
        m = k.session.pain_map if k.session is not None else None
        if m is not self._map:
            self._new_session(m)
        seen = (k.screen, k.session.question if k.session is not None and k.screen == "question" else None)
        if seen != self._seen:
            if k.screen == "welcome":  # between patients: forget every rendering (the last code was one)
                self.texts.clear()
                self._bg.clear()
                self._bg_texts.clear()
                _release_memory()
            self._seen = seen
            self._since = now
            self.dialog = None
            self._pressed = None
            q = k.current_question
            self.digits = ""
            if q is not None and q[1] == "number" and m is not None and q[0] in m.answers:
                self.digits = str(m.answers[q[0]])

    def _new_session(self, m: PainMap | None) -> None:
        """A session started or ended: drop everything that showed or referenced the previous one."""
        self._stroke = None
        self._pressed = None
        self._map = m
        self.overlays = {}
        self._review = None
        self._empty = None
        self.dialog = None
        self.digits = ""
        self.sensation, self.eraser = SENSATIONS[0], False
        self._seen = None
        if m is not None:
            self._build_overlays()

    def _build_overlays(self) -> None:
        m = self._map
        if m is None:
            self.overlays = {}
            return
        self.overlays = {v: PaintOverlay(m, lay, self._period(lay)) for v, lay in self.paint_layouts.items()}

    def _period(self, lay: render.ViewLayout) -> int:
        return max(4, int(round(PATTERN_PERIOD * lay.scale / self._map.raster.scale)))

    @property
    def map_empty(self) -> bool:
        m = self._map
        if m is None:
            return True
        if self._empty is None or self._empty[0] != m.version:
            self._empty = (m.version, m.is_empty)
        return self._empty[1]

    def warning_visible(self, now: float | None = None) -> bool:
        k = self.kiosk
        return k.screen in PATIENT_SCREENS and k.idle_state(now)[0] == "warning"

    # ------------------------------------------------------------------
    # per frame
    def update(self, now: float | None = None) -> None:
        now = self.clock() if now is None else float(now)
        self._sync(now)
        if self._hold is not None and now - self._hold[1] >= self.config.exit_hold_s:
            self._hold_done(now)
        if self.pin is not None:
            if self.pin.wrong_until is not None:
                if now >= self.pin.wrong_until:
                    self.pin = None
            elif now - self.pin.last_input >= PIN_PAD_IDLE_S:
                self.pin = None
        if self.kiosk.screen == "thanks" and now - self._since >= THANKS_SECONDS:
            self.kiosk.done()
        self.kiosk.tick(now)
        self._sync(now)

    # ------------------------------------------------------------------
    # events
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        if t in POINTER_EVENTS:
            p = pointer(event, self.size)
            if p is not None:
                phase, pos, pid = p
                {"down": self._down, "move": self._move, "up": self._up}[phase](pos, pid)
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t == pygame.WINDOWFOCUSLOST:
            self._release()
        # everything else (QUIT, WINDOWCLOSE, every key: Esc, Alt+F4, Ctrl+Q ...) does nothing on purpose

    def _down(self, pos, pid) -> None:
        now = self.clock()
        self._sync(now)
        if self._pointer is not None:
            if pid != self._pointer and now - self._pointer_seen < STALE_POINTER_S:
                return  # a second finger does nothing
            self._release()  # its release was lost (or it came down again): do not stay deaf to touches
        self._pointer = pid
        self._pointer_seen = now
        if self.corner.collidepoint(pos) and self.pin is None:
            self._hold = (pid, now)
        if self.pin is not None:
            self.pin.last_input = now
            self._pressed = self._hit(pos)
            self.kiosk.touch()
            return
        if self.warning_visible(now):
            self._pressed = "still_here"  # any tap on the "still there?" screen means yes
            return
        self.kiosk.touch()
        hit = self._hit(pos)
        if hit is not None:
            self._pressed = hit
            return
        if self.dialog is None and self.kiosk.screen == "paint":
            view = self._view_at(pos)
            if view is not None:
                self._begin_stroke(view, pos)

    def _move(self, pos, pid) -> None:
        if self._hold is not None and self._hold[0] == pid and not self.corner.collidepoint(pos):
            self._hold = None
        if pid != self._pointer:
            return
        self._pointer_seen = self.clock()
        if self._stroke is not None:
            self.kiosk.touch()
            self._extend_stroke(pos)

    def _up(self, pos, pid) -> None:
        now = self.clock()
        if self._hold is not None and self._hold[0] == pid:
            if now - self._hold[1] >= self.config.exit_hold_s:
                self._hold_done(now)
            self._hold = None
        if pid != self._pointer:
            return
        if self._stroke is not None:
            self._extend_stroke(pos)
            self._end_stroke()
        pressed = self._pressed
        self._pointer, self._pressed = None, None
        if pressed == "still_here":
            self.kiosk.touch()
        elif pressed is not None and self._hit(pos) == pressed:
            self._activate(pressed, now)
        self._sync(now)

    def _release(self) -> None:
        self._end_stroke()
        self._pointer, self._pressed, self._hold = None, None, None

    def _hold_done(self, now: float) -> None:
        """The staff press lasted long enough: cancel what it was doing; open the PIN pad if a PIN is set."""
        self._hold = None
        if self.pin is not None or not self.config.pin_hash or self.kiosk.pin_guard.locked(now):
            return  # no PIN configured: the gesture does nothing (the welcome screen's staff line says so)
        self._end_stroke()
        self._pressed = None  # the finger stays down; its release does nothing
        self.pin = PinPad(now, now)

    def _hit(self, pos) -> str | None:
        for bid, b in self.buttons().items():
            if b.enabled and b.rect.collidepoint(pos):
                return bid
        return None

    def _view_at(self, pos) -> str | None:
        for v, lay in self.paint_layouts.items():
            if lay.contains(pos[0], pos[1]):
                return v
        return None

    # ------------------------------------------------------------------
    # painting
    def _begin_stroke(self, view: str, pos) -> None:
        m = self._map
        if m is None:
            return
        pt = self.paint_layouts[view].to_atlas(pos[0], pos[1])
        self._stroke = view
        m.begin_stroke(view, pt, self.sensation, BRUSH_RADIUS, erase=self.eraser)
        self.overlays[view].refresh(brush_window(m, pt, BRUSH_RADIUS))

    def _extend_stroke(self, pos) -> None:
        m, view = self._map, self._stroke
        if m is None or view is None:
            return
        box = m.extend_stroke(self.paint_layouts[view].to_atlas(pos[0], pos[1]))
        if box is not None:
            self.overlays[view].refresh(box)

    def _end_stroke(self) -> None:
        if self._stroke is not None and self._map is not None:
            self._map.end_stroke()
        self._stroke = None

    def _refresh_paint(self) -> None:
        for ov in self.overlays.values():
            ov.refresh()

    # ------------------------------------------------------------------
    # buttons
    def _activate(self, bid: str, now: float) -> None:
        k = self.kiosk
        m = self._map
        if self.pin is not None:
            self._pin_action(bid, now)
            return
        if bid == "start":
            k.start()
        elif bid.startswith("lang:"):
            k.choose_language(bid[5:])
            self._bg.clear()
        elif bid.startswith("sens:"):
            self.sensation, self.eraser = bid[5:], False
        elif bid == "eraser":
            self.eraser = True
        elif bid == "undo" and m is not None:
            self._end_stroke()
            if m.undo():
                self._refresh_paint()
        elif bid == "clear":
            self.dialog = "clear"
        elif bid == "next":
            self._end_stroke()
            if self.map_empty:
                self.dialog = "nothing"
            else:
                k.to_questions()
        elif bid == "dlg:yes":  # clear: yes, rub out everything
            self.dialog = None
            if m is not None:
                self._end_stroke()
                m.clear()
                self._refresh_paint()
        elif bid in ("dlg:no", "dlg:back"):
            self.dialog = None
        elif bid == "dlg:skip":  # nothing painted: continue anyway
            self.dialog = None
            k.to_questions()
        elif bid == "yes":
            k.answer(True)
        elif bid == "no":
            k.answer(False)
        elif bid.startswith("scale:"):
            k.answer(int(bid[6:]))
        elif bid.startswith("key:"):
            self._type_digit(bid[4:])
        elif bid == "age_next" and self.digits:
            k.answer(int(self.digits))
        elif bid == "age_skip":
            k.answer(None)
        elif bid in ("qback", "review_edit"):
            k.previous()
        elif bid == "review_confirm":
            k.confirm()
        elif bid == "finish":
            k.done()

    def _type_digit(self, key: str) -> None:
        if key == "del":
            self.digits = self.digits[:-1]
            return
        new = key if self.digits == "0" else self.digits + key
        if len(new) <= 3 and int(new) <= 120:
            self.digits = new

    def _pin_action(self, bid: str, now: float) -> None:
        pad = self.pin
        if pad is None or pad.wrong_until is not None:
            return
        pad.last_input = now
        if bid == "pin:cancel":
            self.pin = None
        elif bid == "pin:del":
            pad.digits = pad.digits[:-1]
        elif bid.startswith("pin:") and bid[4:].isdigit():
            if len(pad.digits) < 12:
                pad.digits += bid[4:]
        elif bid == "pin:ok" and pad.digits:
            if self.kiosk.pin_guard.check(pad.digits, self.config.pin_hash, now):
                self.should_exit = EXIT_STAFF
                self.pin = None
            else:
                pad.digits = ""
                pad.wrong_until = now + WRONG_PIN_SECONDS

    def buttons(self) -> dict[str, KButton]:
        """The buttons a tap can reach now: those of the topmost layer (PIN pad, dialog or screen)."""
        if self.pin is not None:
            return self._pin_buttons()
        if self.warning_visible():
            return self._warning_buttons()
        if self.dialog is not None:
            return self._dialog_buttons()
        return self._screen_buttons()

    def button_center(self, bid: str) -> tuple[int, int]:
        return self.buttons()[bid].rect.center

    def _screen_buttons(self) -> dict[str, KButton]:
        return getattr(self, f"_{self.kiosk.screen}_buttons")()

    # -- welcome
    def _welcome_stack(self):
        w, h = self.size
        body_w = min(w - 2 * self.px(160), self.px(1400))
        title_w = w - 2 * self.px(100)
        items = [
            ("title", self.texts.block_height(self.t("welcome_title"), self.fs(104), title_w, 2), title_w),
            ("gap", self.px(28), 0),
            ("body", self.texts.block_height(self.t("welcome_body"), self.fs(54), body_w, 4), body_w),
            ("gap", self.px(64), 0),
            ("start", self.px(200), 0),
            ("gap", self.px(80), 0),
            ("langlabel", render.font(self.fs(44)).get_linesize(), 0),
            ("gap", self.px(14), 0),
            ("langs", self.px(110), 0),
        ]
        staff_h = self._staff_height()
        total = sum(i[1] for i in items)
        avail = h - staff_h - 2 * self.margin
        y = self.margin + max(0, (avail - total) // 2)
        out = {}
        for name, ih, iw in items:
            out[name] = pygame.Rect((w - iw) // 2, y, iw, ih)
            y += ih
        return out

    def _welcome_buttons(self) -> dict[str, KButton]:
        w, _ = self.size
        st = self._welcome_stack()
        out = {}
        sw = min(self.px(900), w - 2 * self.margin)
        out["start"] = KButton("start", pygame.Rect((w - sw) // 2, st["start"].top, sw, st["start"].height),
                               self.t("tap_to_start"), self.fs(76), "primary")
        langs = list(self.config.languages)
        if len(langs) > 1:
            size = self.fs(50)
            widths = [max(self.px(300), render.font(size).size(i18n_text(lg, "language_name"))[0] + self.px(80))
                      for lg in langs]
            gap = self.px(32)
            total = sum(widths) + gap * (len(widths) - 1)
            if total > w - 2 * self.margin:  # many languages: equal shares of the width
                bw = (w - 2 * self.margin - gap * (len(langs) - 1)) // len(langs)
                widths, total = [bw] * len(langs), w - 2 * self.margin
            x = (w - total) // 2
            for lg, bw in zip(langs, widths):
                out[f"lang:{lg}"] = KButton(f"lang:{lg}", pygame.Rect(x, st["langs"].top, bw, st["langs"].height),
                                            i18n_text(lg, "language_name"), size, "choice", on=(lg == self.lang))
                x += bw + gap
        return out

    # -- paint
    def _paint_buttons(self) -> dict[str, KButton]:
        out = {}
        r = self.tools_rect
        gap, extra = self.px(14), self.px(26)
        n = len(SENSATIONS) + 1
        bh = min(self.px(132), (r.height - (n - 1) * gap - extra) // n)
        y = r.top
        size = self.fs(44)
        for s in SENSATIONS:
            out[f"sens:{s}"] = KButton(f"sens:{s}", pygame.Rect(r.left, y, r.width, bh), self.t(f"sensation_{s}"),
                                       size, "choice", on=(s == self.sensation and not self.eraser), swatch=s)
            y += bh + gap
        y += extra
        out["eraser"] = KButton("eraser", pygame.Rect(r.left, y, r.width, bh), self.t("eraser"), self.fs(48),
                                "choice", on=self.eraser)
        a = self.actions_rect
        ah = self.px(124)
        m = self._map
        out["undo"] = KButton("undo", pygame.Rect(a.left, a.top, a.width, ah), self.t("undo"), self.fs(52),
                              enabled=m is not None and m.can_undo)
        out["clear"] = KButton("clear", pygame.Rect(a.left, a.top + ah + gap, a.width, ah), self.t("clear"),
                               self.fs(48), enabled=not self.map_empty)
        nh = self.px(210)
        out["next"] = KButton("next", pygame.Rect(a.left, a.bottom - nh, a.width, nh), self.t("next"), self.fs(76),
                              "primary")
        return out

    # -- question
    def _question_text_rect(self) -> pygame.Rect:
        w, _ = self.size
        qw = min(w - 2 * self.px(120), self.px(1600))
        top = self.px(110)
        key, _ = self.kiosk.current_question
        hgt = self.texts.block_height(self.t(f"q_{key}"), self.fs(80), qw, 4, min_size=self.fs(48))
        return pygame.Rect((w - qw) // 2, top, qw, hgt)

    def _question_buttons(self) -> dict[str, KButton]:
        w, h = self.size
        k = self.kiosk
        key, kind = k.current_question
        m = self._map
        out = {}
        bh = self.px(130)
        out["qback"] = KButton("qback", pygame.Rect(self.margin * 2, h - self.margin * 2 - bh, self.px(380), bh),
                               self.t("back_button"), self.fs(56))
        qr = self._question_text_rect()
        below = out["qback"].rect.top - self.px(30)
        if kind == "yesno":
            bw, bh2, gap = min(self.px(560), (w - 3 * self.margin) // 2), self.px(290), self.px(120)
            cy = max(qr.bottom + self.px(50) + bh2 // 2, (qr.bottom + below) // 2)
            cy = min(cy, below - bh2 // 2)
            given = m.answers.get(key) if m is not None else None
            for i, (bid, label) in enumerate((("yes", "yes_button"), ("no", "no_button"))):
                x = w // 2 - gap // 2 - bw if i == 0 else w // 2 + gap // 2
                out[bid] = KButton(bid, pygame.Rect(x, cy - bh2 // 2, bw, bh2), self.t(label), self.fs(120), "choice",
                                   on=(given is (bid == "yes")))
        elif kind == "scale":
            gap = self.px(16)
            bw = min(self.px(150), (w - 2 * self.px(50) - 10 * gap) // 11)
            bh2 = self.px(170)
            total = 11 * bw + 10 * gap
            x0 = (w - total) // 2
            cy = max(qr.bottom + self.px(60) + bh2 // 2, (qr.bottom + below) // 2 - self.px(40))
            given = m.intensity.get("overall") if m is not None else None
            for v in range(11):
                out[f"scale:{v}"] = KButton(f"scale:{v}", pygame.Rect(x0 + v * (bw + gap), cy - bh2 // 2, bw, bh2),
                                            str(v), self.fs(80), "choice", on=(given == v), max_lines=1)
        else:  # number: a keypad, with the number typed so far, Next and Skip at its right
            kw_, kh, gap = self.px(170), self.px(118), self.px(16)
            pad_w, pad_h = 3 * kw_ + 2 * gap, 4 * kh + 3 * gap
            side_w = self.px(380)
            total = pad_w + self.px(80) + side_w
            x0 = (w - total) // 2
            hint_h = render.font(self.fs(48)).get_linesize()
            y0 = qr.bottom + hint_h + self.px(40)
            y0 = min(y0, below - pad_h)
            keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0"]
            for i, key_ in enumerate(keys):
                r, c = divmod(i, 3)
                label = self.t("keypad_delete") if key_ == "del" else key_
                out[f"key:{key_}"] = KButton(f"key:{key_}", pygame.Rect(x0 + c * (kw_ + gap), y0 + r * (kh + gap),
                                                                         kw_, kh),
                                             label, self.fs(72 if key_ != "del" else 44), "key", max_lines=1)
            sx = x0 + pad_w + self.px(80)
            self.number_display = pygame.Rect(sx, y0, side_w, kh + gap + self.px(20))
            nh = self.px(150)
            out["age_next"] = KButton("age_next", pygame.Rect(sx, y0 + pad_h - nh - self.px(130) - gap, side_w, nh),
                                      self.t("next"), self.fs(68), "primary", enabled=bool(self.digits))
            out["age_skip"] = KButton("age_skip", pygame.Rect(sx, y0 + pad_h - self.px(120), side_w, self.px(120)),
                                      self.t("skip"), self.fs(56))
        return out

    # -- review
    def _review_buttons(self) -> dict[str, KButton]:
        w, _ = self.size
        bw, gap = min(self.px(620), (w - 3 * self.margin) // 2), self.px(80)
        y, bh = self.review_buttons_y, self.px(150)
        return {
            "review_edit": KButton("review_edit", pygame.Rect(w // 2 - gap // 2 - bw, y, bw, bh),
                                   self.t("review_edit"), self.fs(60)),
            "review_confirm": KButton("review_confirm", pygame.Rect(w // 2 + gap // 2, y, bw, bh),
                                      self.t("review_confirm"), self.fs(60), "primary"),
        }

    # -- thanks / red flag
    def _finish_stack(self, red: bool):
        w, h = self.size
        body_w = min(w - 2 * self.px(160), self.px(1500))
        title_key = "redflag_title" if red else "thanks_title"
        body_key = "redflag_body" if red else "thanks_body"
        title_w = w - 2 * self.px(120)
        items = [
            ("title", self.texts.block_height(self.t(title_key), self.fs(112 if not red else 96), title_w, 2),
             title_w),
            ("gap", self.px(30), 0),
            ("body", self.texts.block_height(self.t(body_key), self.fs(56 if not red else 52), body_w, 4), body_w),
            ("gap", self.px(40), 0),
            ("code", render.font(self._code_size()).get_linesize() + self.px(60), 0),
            ("gap", self.px(70), 0),
            ("finish", self.px(160), 0),
        ]
        total = sum(i[1] for i in items)
        y = max(self.margin, (h - total) // 2)
        out = {}
        for name, ih, iw in items:
            out[name] = pygame.Rect((w - iw) // 2, y, iw, ih)
            y += ih
        return out

    def _code_size(self) -> int:
        return max(self.fs(230), 48)

    def _finish_button(self, red: bool) -> dict[str, KButton]:
        st = self._finish_stack(red)
        w, _ = self.size
        bw = min(self.px(560), w - 2 * self.margin)
        r = pygame.Rect((w - bw) // 2, st["finish"].top, bw, st["finish"].height)
        return {"finish": KButton("finish", r, self.t("thanks_done"), self.fs(64), "primary")}

    def _thanks_buttons(self) -> dict[str, KButton]:
        return self._finish_button(False)

    def _redflag_buttons(self) -> dict[str, KButton]:
        if self.clock() - self._since < REDFLAG_FINISH_AFTER_S:
            return {}
        return self._finish_button(True)

    # -- modals
    def _dialog_box(self) -> tuple[pygame.Rect, str, list[tuple[str, str, str]]]:
        w, h = self.size
        if self.dialog == "clear":
            msg, btns = self.t("clear_confirm"), [("dlg:no", self.t("no_button"), "normal"),
                                                  ("dlg:yes", self.t("yes_button"), "primary")]
        else:
            msg, btns = self.t("nothing_painted"), [("dlg:back", self.t("back_button"), "normal"),
                                                    ("dlg:skip", self.t("skip"), "primary")]
        bw = min(self.px(1200), w - 2 * self.margin)
        text_h = self.texts.block_height(msg, self.fs(60), bw - 2 * self.px(60), 4)
        bh = self.px(60) + text_h + self.px(60) + self.px(150) + self.px(60)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh), msg, btns

    def _dialog_buttons(self) -> dict[str, KButton]:
        box, _, btns = self._dialog_box()
        gap = self.px(60)
        bw = min(self.px(440), (box.width - 3 * gap) // 2)
        y = box.bottom - self.px(60) - self.px(150)
        x = box.centerx - gap // 2 - bw
        out = {}
        for bid, label, style in btns:
            out[bid] = KButton(bid, pygame.Rect(x, y, bw, self.px(150)), label, self.fs(60), style)
            x += bw + gap
        return out

    def _warning_box(self) -> pygame.Rect:
        w, h = self.size
        bw = min(self.px(1150), w - 2 * self.margin)
        inner = bw - 2 * self.px(60)
        th = self.texts.block_height(self.t("still_there_title"), self.fs(84), inner, 2)
        body = self.t("still_there_body", seconds=99)
        bh = self.px(60) + th + self.px(24) + self.texts.block_height(body, self.fs(54), inner, 3) + self.px(50) \
            + self.px(180) + self.px(60)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def _warning_buttons(self) -> dict[str, KButton]:
        box = self._warning_box()
        bw = min(self.px(800), box.width - 2 * self.px(60))
        r = pygame.Rect(box.centerx - bw // 2, box.bottom - self.px(60) - self.px(180), bw, self.px(180))
        return {"still_here": KButton("still_here", r, self.t("still_there_button"), self.fs(72), "primary")}

    def _pin_box(self) -> pygame.Rect:
        w, h = self.size
        kw_, kh, gap = self.px(200), self.px(112), self.px(14)
        bw = min(3 * kw_ + 2 * gap + 2 * self.px(50), w - 2 * self.margin)
        bh = (self.px(40) + render.font(self.fs(52)).get_linesize() + self.px(20) + self.px(70)
              + render.font(self.fs(46)).get_linesize() + self.px(20) + 4 * kh + 3 * gap + self.px(30)
              + self.px(100) + self.px(40))
        bh = min(bh, h - 2 * self.margin)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def _pin_buttons(self) -> dict[str, KButton]:
        box = self._pin_box()
        kw_, kh, gap = self.px(200), self.px(112), self.px(14)
        kw_ = min(kw_, (box.width - 2 * self.px(30) - 2 * gap) // 3)
        x0 = box.centerx - (3 * kw_ + 2 * gap) // 2
        y0 = (box.top + self.px(40) + render.font(self.fs(52)).get_linesize() + self.px(20) + self.px(70)
              + render.font(self.fs(46)).get_linesize() + self.px(20))
        self.pin_dots_y = box.top + self.px(40) + render.font(self.fs(52)).get_linesize() + self.px(20) + self.px(35)
        self.pin_msg_y = self.pin_dots_y + self.px(35) + self.px(4)
        ok = self.pin is None or self.pin.wrong_until is None
        out = {}
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]
        for i, key_ in enumerate(keys):
            r, c = divmod(i, 3)
            label = {"del": self.t("keypad_delete"), "ok": self.t("staff_enter")}.get(key_, key_)
            out[f"pin:{key_}"] = KButton(f"pin:{key_}", pygame.Rect(x0 + c * (kw_ + gap), y0 + r * (kh + gap), kw_, kh),
                                         label, self.fs(60 if key_.isdigit() else 40),
                                         "primary" if key_ == "ok" else "key", enabled=ok, max_lines=1)
        cy = y0 + 4 * kh + 3 * gap + self.px(30)
        out["pin:cancel"] = KButton("pin:cancel", pygame.Rect(x0, cy, 3 * kw_ + 2 * gap, self.px(100)),
                                    self.t("staff_cancel"), self.fs(48), enabled=ok)
        return out

    # ------------------------------------------------------------------
    # drawing
    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        now = self.clock()
        self._sync(now)
        self.texts.frame = []
        screen = self.kiosk.screen
        getattr(self, f"_draw_{screen}")(surface)
        under = self._screen_buttons()
        modal = self.pin is not None or self.dialog is not None or self.warning_visible(now)
        for bid, b in under.items():
            b.draw(surface, self.texts, pressed=(not modal and self._pressed == bid), line=self.px(3))
        if self.dialog is not None:
            self._draw_dialog(surface, active=self.pin is None and not self.warning_visible(now))
        if self.warning_visible(now):
            self._draw_warning(surface, now)
        if self.pin is not None:
            self._draw_pin(surface)

    def screenshot(self) -> pygame.Surface:
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf

    def _fill(self, surface, colour=BG) -> None:
        surface.fill(colour)

    def _staff_lines(self) -> list[str]:
        lines = []
        w = self.kiosk.staff_warning
        if w:
            lines.append(w)
        if not self.config.pin_hash:
            lines.append(i18n_text(self.config.default_language, "staff_no_pin"))
        return lines

    def _staff_height(self) -> int:
        lines = self._staff_lines()
        if not lines:
            return 0
        size = self.fs(34)
        return sum(self.texts.block_height(t, size, self.size[0] - 2 * self.margin, 2, min_size=24)
                   for t in lines) + self.px(12)

    def _draw_welcome(self, surface) -> None:
        self._fill(surface)
        st = self._welcome_stack()
        self.texts.block(surface, self.t("welcome_title"), st["title"], self.fs(104), TEXT, max_lines=2)
        self.texts.block(surface, self.t("welcome_body"), st["body"], self.fs(54), TEXT, max_lines=4)
        if len(self.config.languages) > 1:
            self.texts.block(surface, self.t("choose_language"), st["langlabel"].inflate(self.px(800), 0),
                             self.fs(44), MUTED, max_lines=1)
        lines = self._staff_lines()
        if lines:  # staff only, on this screen only: small, at the bottom
            w, h = self.size
            size = self.fs(34)
            y = h - self.margin - self._staff_height() + self.px(12)
            for line in lines:
                hgt = self.texts.block_height(line, size, w - 2 * self.margin, 2, min_size=24)
                self.texts.block(surface, line, pygame.Rect(self.margin, y, w - 2 * self.margin, hgt), size, ALERT,
                                 align="left", max_lines=2, min_size=24)
                y += hgt

    def _body_background(self, which: str) -> pygame.Surface:
        """The silhouettes with their titles and side labels (cached per size and language)."""
        key = (which, self.size, self.lang)
        bg = self._bg.get(key)
        if bg is not None:
            self.texts.frame.extend(self._bg_texts.get(key, ()))
            return bg
        first = len(self.texts.frame)
        bg = pygame.Surface(self.size)
        bg.fill(BG)
        lays = self.paint_layouts if which == "paint" else self.review_layouts
        for v, lay in lays.items():
            render.draw_body(bg, self.atlas, lay, regions=False, outline_width=max(2, self.px(3)))
        front, back = lays["front"], lays["back"]  # a quiet line between the two views
        x = int((front.left + front.width + back.left) / 2)
        pygame.draw.line(bg, DIVIDER, (x, int(front.top)), (x, int(front.top + front.height)), max(2, self.px(3)))
        self._draw_view_labels(bg, lays, which)
        if pygame.display.get_init() and pygame.display.get_surface() is not None:
            bg = bg.convert()
        self._bg[key] = bg
        self._bg_texts[key] = self.texts.frame[first:]
        return bg

    def _draw_view_labels(self, surface, lays, which: str) -> None:
        """'Front' / 'Back' over each view; 'Your right' / 'Your left' beside each head, on the patient's sides."""
        labels = []
        for v, lay in lays.items():
            t = self.texts.surf(self.t(v), self.view_title_size, TEXT)
            surface.blit(t, t.get_rect(midbottom=(lay.left + lay.width / 2, lay.top - self.px(4))))
            # beside the head: from the head's edge (0.42 head heights from the midline) to the view's edge,
            # above the shoulders (1.15 head heights down)
            head = 0.42 * lay.scale
            room = max(int(lay.width / 2 - head - self.px(4)), 20)
            for side in ("right", "left"):
                r = pygame.Rect(0, int(lay.top + self.px(4)), room, int(1.15 * lay.scale))
                if viewer_sign(v, side) < 0:
                    r.left = int(lay.left)
                else:
                    r.right = int(lay.left + lay.width)
                labels.append((v, side, self.t("your_right" if side == "right" else "your_left"), r))
        # one size for all four, the largest at which each fits its corner
        low = max(18, self.side_size * 2 // 3)
        size = min(self.texts.fit(text, self.side_size, r.width, r.height, 2, low)[0] for _, _, text, r in labels)
        for v, side, text, r in labels:
            self.side_labels[(which, v, side)] = self.texts.block(surface, text, r, size, TEXT, max_lines=2,
                                                                  min_size=low)

    def _draw_paint(self, surface) -> None:
        surface.blit(self._body_background("paint"), (0, 0))
        if not self.overlays and self._map is not None:
            self._build_overlays()
        for v in VIEWS:
            ov = self.overlays.get(v)
            if ov is not None:
                surface.blit(ov.surface, ov.topleft)
                lay = self.paint_layouts[v]
                render.draw_geometry(surface, lay, self.atlas.silhouette(v), line=render.OUTLINE,
                                     width=max(2, self.px(3)), aa=False)
        self.texts.block(surface, self.t("paint_title"), self.paint_title_rect, self.paint_title_size, TEXT,
                         max_lines=1)
        self.texts.block(surface, self.t("paint_help"), self.paint_help_rect, self.paint_help_size, MUTED,
                         max_lines=2)

    def _draw_question(self, surface) -> None:
        self._fill(surface)
        k = self.kiosk
        key, kind = k.current_question
        w, h = self.size
        n, total = k.session.question + 1, len(k.questions)
        self.texts.block(surface, self.t("question_count", n=n, total=total),
                         pygame.Rect(self.margin, self.px(30), w - 2 * self.margin, self.px(60)), self.fs(46), MUTED,
                         max_lines=1)
        qr = self._question_text_rect()
        self.texts.block(surface, self.t(f"q_{key}"), qr, self.fs(80), TEXT, max_lines=4, min_size=self.fs(48))
        buttons = self._question_buttons()
        if kind == "scale":
            first, last = buttons["scale:0"].rect, buttons["scale:10"].rect
            half = (last.right - first.left) // 2 - self.px(20)
            y = first.bottom + self.px(20)
            self.texts.block(surface, self.t("q_intensity_low"), pygame.Rect(first.left, y, half, self.px(140)),
                             self.fs(46), TEXT, align="left", max_lines=2)
            self.texts.block(surface, self.t("q_intensity_high"), pygame.Rect(last.right - half, y, half, self.px(140)),
                             self.fs(46), TEXT, align="right", max_lines=2)
        elif kind == "number":
            self.texts.block(surface, self.t("age_hint"), pygame.Rect(qr.left, qr.bottom + self.px(16), qr.width,
                                                                      self.px(60)),
                             self.fs(48), MUTED, max_lines=1)
            r = self.number_display
            pygame.draw.rect(surface, WHITE, r, border_radius=self.px(12))
            pygame.draw.rect(surface, BORDER, r, width=max(2, self.px(4)), border_radius=self.px(12))
            if self.digits:
                t = self.texts.surf(self.digits, self.fs(120), TEXT)
                surface.blit(t, t.get_rect(center=r.center))

    def _draw_review(self, surface) -> None:
        surface.blit(self._body_background("review"), (0, 0))
        m = self._map
        if m is not None:
            if self._review is None or self._review[0] != m.version:
                layer = pygame.Surface(self.size, pygame.SRCALPHA)
                for lay in self.review_layouts.values():
                    draw_paint(layer, m, lay)
                    render.draw_geometry(layer, lay, self.atlas.silhouette(lay.view), line=render.OUTLINE,
                                         width=max(2, self.px(3)), aa=False)
                self._review = (m.version, layer)
            surface.blit(self._review[1], (0, 0))
        self.texts.block(surface, self.t("review_title"), self.review_title_rect, self.review_title_size, TEXT,
                         max_lines=1)
        self.texts.block(surface, self.t("review_body"), self.review_body_rect, self.review_body_size, MUTED,
                         max_lines=2)

    def _draw_code(self, surface, rect: pygame.Rect, code: str | None) -> None:
        if not code:
            return
        t = self.texts.surf(code, self._code_size(), TEXT)
        box = t.get_rect().inflate(self.px(120), self.px(40))
        box.center = rect.center
        pygame.draw.rect(surface, WHITE, box, border_radius=self.px(16))
        pygame.draw.rect(surface, BORDER, box, width=max(3, self.px(5)), border_radius=self.px(16))
        surface.blit(t, t.get_rect(center=box.center))

    def _draw_thanks(self, surface) -> None:
        self._fill(surface)
        st = self._finish_stack(False)
        self.texts.block(surface, self.t("thanks_title"), st["title"], self.fs(112), TEXT, max_lines=2)
        self.texts.block(surface, self.t("thanks_body"), st["body"], self.fs(56), TEXT, max_lines=4)
        self._draw_code(surface, st["code"], self.kiosk.finished_code)

    def _draw_redflag(self, surface) -> None:
        self._fill(surface, ALERT_BG)
        w, h = self.size
        pygame.draw.rect(surface, ALERT, (0, 0, w, h), width=max(6, self.px(10)))
        st = self._finish_stack(True)
        self.texts.block(surface, self.t("redflag_title"), st["title"], self.fs(96), ALERT, max_lines=2)
        self.texts.block(surface, self.t("redflag_body"), st["body"], self.fs(52), TEXT, max_lines=4)
        self._draw_code(surface, st["code"], self.kiosk.finished_code)

    def _draw_dialog(self, surface, active: bool) -> None:
        box, msg, _ = self._dialog_box()
        draw_panel(surface, box, width=max(3, self.px(4)))
        inner = box.inflate(-2 * self.px(60), 0)
        self.texts.block(surface, msg, pygame.Rect(inner.left, box.top + self.px(60), inner.width, box.height),
                         self.fs(60), TEXT, max_lines=4)
        for bid, b in self._dialog_buttons().items():
            b.draw(surface, self.texts, pressed=active and self._pressed == bid, line=self.px(3))

    def _draw_warning(self, surface, now: float) -> None:
        box = self._warning_box()
        draw_panel(surface, box, border=PRIMARY, width=max(4, self.px(6)))
        inner = box.inflate(-2 * self.px(60), 0)
        y = box.top + self.px(60)
        r = self.texts.block(surface, self.t("still_there_title"), pygame.Rect(inner.left, y, inner.width,
                                                                               box.height), self.fs(84), TEXT,
                             max_lines=2)
        _, left = self.kiosk.idle_state(now)
        body = self.t("still_there_body", seconds=max(1, int(math.ceil(left))))
        self.texts.block(surface, body, pygame.Rect(inner.left, r.bottom + self.px(24), inner.width, box.height),
                         self.fs(54), TEXT, max_lines=3)
        for bid, b in self._warning_buttons().items():
            b.draw(surface, self.texts, pressed=self._pressed == bid, line=self.px(3))

    def _draw_pin(self, surface) -> None:
        box = self._pin_box()
        buttons = self._pin_buttons()
        draw_panel(surface, box, width=max(3, self.px(4)))
        self.texts.block(surface, self.t("staff_pin_title"),
                         pygame.Rect(box.left + self.px(30), box.top + self.px(40), box.width - 2 * self.px(30),
                                     render.font(self.fs(52)).get_linesize()), self.fs(52), TEXT, max_lines=1)
        pad = self.pin
        n = len(pad.digits) if pad is not None else 0
        r = self.px(14)
        step = self.px(44)
        x = box.centerx - (n - 1) * step / 2
        for i in range(n):
            pygame.draw.circle(surface, TEXT, (x + i * step, self.pin_dots_y), r)
        if n == 0:
            pygame.draw.line(surface, MUTED, (box.centerx - self.px(120), self.pin_dots_y + r),
                             (box.centerx + self.px(120), self.pin_dots_y + r), max(2, self.px(3)))
        if pad is not None and pad.wrong_until is not None:
            self.texts.block(surface, self.t("staff_wrong_pin"),
                             pygame.Rect(box.left + self.px(20), self.pin_msg_y, box.width - 2 * self.px(20),
                                         render.font(self.fs(46)).get_linesize()), self.fs(46), ALERT, max_lines=1)
        for bid, b in buttons.items():
            b.draw(surface, self.texts, pressed=self._pressed == bid, line=self.px(3))


# ----------------------------------------------------------------------
# the unattended loop


def _log_crash(exc: BaseException) -> None:
    """One log line: the error's type and where it happened, never its message (it may quote patient data)."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    log.error("kiosk stopped by an unexpected %s at %s (message left out: it may hold patient data); "
              "the unfinished session's draft is in the drafts folder and moves to recovery on restart",
              type(exc).__name__, where or "?")


def _ensure_log_handler() -> None:
    if not logging.getLogger().handlers and not log.handlers:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("bodymap kiosk: %(levelname)s: %(message)s"))
        log.addHandler(h)
        log.setLevel(logging.INFO)


def run_kiosk(cfg: KioskConfig, windowed: bool = False, size: tuple[int, int] | None = None, *,
              clock: Callable[[], float] = time.monotonic, max_frames: int | None = None,
              on_frame: Callable[[KioskApp, int], None] | None = None) -> int:
    """Run the kiosk until staff leave with the PIN (or SIGTERM/SIGINT); returns the exit status (flow.EXIT_*).

    Leaving (PIN, signal, or a crash) first writes the open session's draft and any
    finished map still waiting for the spool (see `bodymap.kiosk.flow.save_on_exit`).

    `clock`, `max_frames` and `on_frame(app, frame)` (called before each frame's
    events are read) are for tests; with `max_frames` the loop may end with STOPPED.
    """
    _ensure_log_handler()
    for lang in cfg.languages:
        try:
            load_catalogue(lang)
        except ConfigError as exc:
            log.error("%s", exc)
            return EXIT_CONFIG
    # an unattended screen: no minimising on focus loss, Alt+F4 is not "close", the mouse does not fake touches
    os.environ.setdefault("SDL_VIDEO_MINIMIZE_ON_FOCUS_LOSS", "0")
    os.environ.setdefault("SDL_WINDOWS_NO_CLOSE_ON_ALT_F4", "1")
    os.environ.setdefault("SDL_MOUSE_TOUCH_EVENTS", "0")
    # SDL would turn SIGTERM into a QUIT event, which the kiosk ignores: handle the signals here instead
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    try:
        pygame.display.init()
        pygame.font.init()
    except pygame.error as exc:
        log.error("cannot start the display (%s)", exc)
        return EXIT_CRASH
    stop: list[int] = []
    old_handlers = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):  # the service manager stopping us, or Ctrl+C in a terminal
            old_handlers[sig] = signal.signal(sig, lambda signum, frame: stop.append(signum))
    window = None
    app: KioskApp | None = None
    try:
        try:
            if cfg.fullscreen and not windowed:
                window = pygame.Window("bodymap kiosk", size or (1920, 1080), fullscreen_desktop=True)
                window.grab_keyboard = True  # Alt+Tab, the Windows key ... stay with the kiosk
                pygame.mouse.set_visible(False)
            else:
                window = pygame.Window("bodymap kiosk", size or (1280, 800))
            surface = window.get_surface()
        except pygame.error as exc:
            log.error("cannot open the kiosk window (%s)", exc)
            return EXIT_CRASH
        pygame.event.clear()
        try:
            app = KioskApp(cfg, surface.get_size(), clock=clock)
        except BodymapError as exc:  # e.g. the drafts or recovery folder cannot be used
            log.error("%s", exc)
            return EXIT_CONFIG
        if app.kiosk.recovered:
            log.warning("%d unfinished session(s) moved to %s", len(app.kiosk.recovered), cfg.recovery_dir)
        fps = pygame.time.Clock()
        frame = 0
        while app.should_exit is None and not stop:
            if max_frames is not None and frame >= max_frames:
                return STOPPED
            if on_frame is not None:
                on_frame(app, frame)
            for event in pygame.event.get():
                if event.type in (pygame.WINDOWSIZECHANGED, pygame.WINDOWRESIZED, pygame.VIDEORESIZE):
                    surface = window.get_surface()
                app.handle_event(event)
            app.update(clock())
            if app.should_exit is not None:
                break
            app.draw(surface)
            window.flip()
            fps.tick(FPS)
            frame += 1
        save_on_exit(app.kiosk)
        if stop:
            log.info("stopped by %s", signal.Signals(stop[0]).name)
            return EXIT_STAFF
        log.info("staff left the kiosk with the PIN")
        return app.should_exit
    except Exception as exc:  # noqa: BLE001 - the top of an unattended program: log, keep the data, restart
        _log_crash(exc)
        save_on_exit(app.kiosk if app is not None else None)
        return EXIT_CRASH
    finally:
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        try:
            if window is not None:
                window.destroy()
        finally:
            pygame.mouse.set_visible(True)
            pygame.display.quit()
