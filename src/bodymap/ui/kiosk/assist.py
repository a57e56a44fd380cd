"""What every kiosk screen has: "Listen" (hear the screen), "Help" (call staff, stay in the session) and, on
the paint, question and review screens, "Stop" (leave; red-flag answers are kept, `Kiosk.stop`).

They belong to the shell, not to the screens: the `Assist` part's `buttons`
adds them to whichever screen shows, at `geo.assist_rects` (the top corner away
from the staff square). "Listen" speaks what the screen showed in its last frame
(the catalogue keys its drawing looked up: title, body, question, buttons, in
that order; the numbers 0-10 and each character of the session code as often as
shown), or the screen's own reading order when it has one (`spoken()`: a red-flag
page reads each question followed by its answers), through
`bodymap.ui.kiosk.speaker.Speaker`; texts with no recording are skipped, and without an
audio device nothing is heard. With `speak_on_open` in the config each screen is
spoken as it opens. "Help" logs a call (bodymap.kiosk.helpcalls), marks the
staff corner and shows a calm "Someone will come to help you" with "Carry on";
while the patient waits the session does not time out.
"""
from __future__ import annotations

from typing import Any, Callable

import pygame

from ...kiosk.helpcalls import HelpCalls
from ..kit.kiosk_colours import PRIMARY, TEXT
from ..kit import KButton, draw_panel
from .context import ScreenContext
from .overlays import note_box

ASSIST_IDS = ("listen", "help", "stop")
SAY_PREFIX = "say_"  # recordings of single numbers and letters: the 0-10 scale, the session code
SILENT_KEYS = frozenset({"front", "back", "your_right", "your_left", "listen", "help_button"})  # shown, not read


class Assist:
    """A part of `KioskApp`: the "Listen", "Help" and "Stop" buttons and what they do. Owns the speaker, the
    help calls, whether the help note shows and what the current screen was heard to show. It is given the
    screen context, the screen showing now (`current`) and a way to draw the window afresh (`redraw`: what
    "Listen" says is what the screen shows now)."""

    def __init__(self, ctx: ScreenContext, current: Callable[[], Any], redraw: Callable[[], None]):
        self.ctx, self.current, self.redraw = ctx, current, redraw
        self.speaker = None  # a bodymap.ui.kiosk.speaker.Speaker, made at the first word spoken
        self.help_calls = HelpCalls(clock=ctx.clock)
        self.help_open = False
        self.heard: list[str] = []  # the catalogue keys the current screen showed, in drawing order
        self._speak_on_draw = False

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        r = ctx.geo.assist_rects
        size = ctx.geo.fs(44)
        out = {"listen": KButton("listen", r["listen"], ctx.t("listen"), size, max_lines=1),
               "help": KButton("help", r["help"], ctx.t("help_button"), size, max_lines=1)}
        if ctx.kiosk.screen in ("paint", "question", "review"):  # a patient who wants to leave can
            out["stop"] = KButton("stop", r["stop"], ctx.t("im_done"), size, max_lines=1)
        return out

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "listen":
            self.speak_screen()
        elif action[0] == "stop":
            self.ctx.state.dialog = "stop"  # "Stop here? What you have told us so far is kept for the staff."
        elif action[0] == "help":
            self.help_calls.call(self.ctx.kiosk.screen, now)
            self.help_open = True
            self.ctx.taps.pressed = None
            self.speak(["help_title", "help_body", "help_continue"])

    # -- speech
    def speak(self, keys: list[str]) -> bool:
        if self.speaker is None:
            from .speaker import Speaker

            self.speaker = Speaker()
        return self.speaker.say_all(self.ctx.words.lang, [k for k in keys if k not in SILENT_KEYS])

    def speak_screen(self) -> bool:
        self.redraw()  # what it shows now (a button may have changed since the last frame)
        return self.speak(self.spoken_keys())

    def spoken_keys(self) -> list[str]:
        """What "Listen" says on this screen: the screen's own reading order if it has one (a red-flag page:
        each question with its answers), else what its last frame showed."""
        own = getattr(self.current(), "spoken", None)
        keys = own() if own is not None else None
        return [k for k in (keys if keys is not None else self.heard) if k not in SILENT_KEYS]

    def listen_begin(self) -> None:
        self.ctx.words.listening = []

    def listen_end(self) -> None:
        words = self.ctx.words
        keys, words.listening = words.listening or [], None
        # each text once (a label drawn twice is said once); a number or a letter of the code as often as shown
        heard: list[str] = []
        for k in keys:
            if k.startswith(SAY_PREFIX) or k not in heard:
                heard.append(k)
        self.heard = heard
        if self._speak_on_draw:
            self._speak_on_draw = False
            self.speak(self.spoken_keys())

    def screen_changed(self) -> None:
        """A new screen (or question): stop the old one's speech; speak the new one if configured."""
        if self.speaker is not None:
            self.speaker.stop()
        self.help_open = False
        self._speak_on_draw = bool(getattr(self.ctx.config, "speak_on_open", False))

    def update(self, now: float) -> None:
        if self.speaker is not None:
            self.speaker.update()
        if self.help_open and self.help_calls.waiting(now):
            self.ctx.kiosk.touch()  # the patient waits for staff: the session must not time out meanwhile


class HelpOverlay:
    """"Someone will come to help you", and "Carry on" back to the same screen; given the `Assist` part whose
    note it is."""

    def __init__(self, ctx: ScreenContext, assist: Assist):
        self.ctx, self.assist = ctx, assist

    def box(self) -> pygame.Rect:
        return note_box(self.ctx, self.ctx.t("help_title"), self.ctx.t("help_body"), 170)

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        box = self.box()
        bw = min(g.px(700), box.width - 2 * g.px(60))
        r = pygame.Rect(box.centerx - bw // 2, box.bottom - g.px(60) - g.px(170), bw, g.px(170))
        return {"help_continue": KButton("help_continue", r, ctx.t("help_continue"), g.fs(72), "primary",
                                         action=("continue",))}

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "continue":
            self.assist.help_open = False
            if self.assist.speaker is not None:
                self.assist.speaker.stop()

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        box = self.box()
        draw_panel(surface, box, border=PRIMARY, width=max(4, g.px(6)))
        inner = box.inflate(-2 * g.px(60), 0)
        r = ctx.texts.block(surface, ctx.t("help_title"),
                            pygame.Rect(inner.left, box.top + g.px(60), inner.width, box.height), g.fs(84), TEXT,
                            max_lines=2)
        ctx.texts.block(surface, ctx.t("help_body"), pygame.Rect(inner.left, r.bottom + g.px(24), inner.width,
                                                                 box.height), g.fs(54), TEXT, max_lines=3)
        for bid, b in self.buttons().items():
            b.draw(surface, ctx.texts, pressed=ctx.taps.pressed == bid, line=g.px(3))
