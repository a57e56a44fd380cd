"""What every kiosk screen has: "Listen" (hear the screen), "Help" (call staff, stay in the session) and, on
the paint, question and review screens, "Stop" (leave; red-flag answers are kept, `Kiosk.stop`).

They belong to the shell, not to the screens: `KioskAssist.assist_buttons`
adds them to whichever screen shows, at `app.assist_rects` (the top corner away
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

import pygame

from ...kiosk.helpcalls import HelpCalls
from ..kit.kiosk_colours import PRIMARY, TEXT
from ..kit import KButton, draw_panel
from .screen import KioskScene

ASSIST_IDS = ("listen", "help", "stop")
SAY_PREFIX = "say_"  # recordings of single numbers and letters: the 0-10 scale, the session code
SILENT_KEYS = frozenset({"front", "back", "your_right", "your_left", "listen", "help_button"})  # shown, not read


class KioskAssist:
    """A part of `KioskApp`: the "Listen" and "Help" buttons and what they do."""

    def _assist_init(self) -> None:
        self.speaker = None  # a bodymap.ui.kiosk.speaker.Speaker, made at the first word spoken
        self.help_calls = HelpCalls(clock=self.clock)
        self.help_open = False
        self.heard: list[str] = []  # the catalogue keys the current screen showed, in drawing order
        self._heard_for = None
        self._listening: list[str] | None = None  # keys being collected while a frame is drawn
        self._speak_on_draw = False

    def assist_buttons(self) -> dict[str, KButton]:
        r = self.assist_rects
        size = self.fs(44)
        out = {"listen": KButton("listen", r["listen"], self.t("listen"), size, max_lines=1),
               "help": KButton("help", r["help"], self.t("help_button"), size, max_lines=1)}
        if self.kiosk.screen in ("paint", "question", "review"):  # a patient who wants to leave can
            out["stop"] = KButton("stop", r["stop"], self.t("im_done"), size, max_lines=1)
        return out

    def assist_activate(self, action: tuple, now: float) -> None:
        if action[0] == "listen":
            self.speak_screen()
        elif action[0] == "stop":
            self.dialog = "stop"  # "Stop here? What you have told us so far is kept for the staff."
        elif action[0] == "help":
            self.help_calls.call(self.kiosk.screen, now)
            self.help_open = True
            self.pressed = None
            self.speak(["help_title", "help_body", "help_continue"])

    # -- speech
    def speak(self, keys: list[str]) -> bool:
        if self.speaker is None:
            from .speaker import Speaker

            self.speaker = Speaker()
        return self.speaker.say_all(self.lang, [k for k in keys if k not in SILENT_KEYS])

    def speak_screen(self) -> bool:
        self.draw(pygame.Surface(self.size))  # what it shows now (a button may have changed since the last frame)
        return self.speak(self.spoken_keys())

    def spoken_keys(self) -> list[str]:
        """What "Listen" says on this screen: the screen's own reading order if it has one (a red-flag page:
        each question with its answers), else what its last frame showed."""
        scene = self.scenes.scenes[self.kiosk.screen]
        own = getattr(scene, "spoken", None)
        keys = own() if own is not None else None
        return [k for k in (keys if keys is not None else self.heard) if k not in SILENT_KEYS]

    def listen_begin(self) -> None:
        self._listening = []

    def listen_end(self) -> None:
        keys, self._listening = self._listening or [], None
        # each text once (a label drawn twice is said once); a number or a letter of the code as often as shown
        heard: list[str] = []
        for k in keys:
            if k.startswith(SAY_PREFIX) or k not in heard:
                heard.append(k)
        self.heard = heard
        self._heard_for = self._seen
        if self._speak_on_draw:
            self._speak_on_draw = False
            self.speak(self.spoken_keys())

    def heard_key(self, key: str) -> None:
        if self._listening is not None:
            self._listening.append(key)

    def screen_changed(self) -> None:
        """A new screen (or question): stop the old one's speech; speak the new one if configured."""
        if self.speaker is not None:
            self.speaker.stop()
        self.help_open = False
        self._speak_on_draw = bool(getattr(self.config, "speak_on_open", False))

    def assist_update(self, now: float) -> None:
        if self.speaker is not None:
            self.speaker.update()
        if self.help_open and self.help_calls.waiting(now):
            self.kiosk.touch()  # the patient waits for staff: the session must not time out meanwhile


class HelpOverlay(KioskScene):
    """"Someone will come to help you", and "Carry on" back to the same screen."""

    def box(self) -> pygame.Rect:
        app = self.app
        w, h = app.size
        bw = min(app.px(1150), w - 2 * app.margin)
        inner = bw - 2 * app.px(60)
        th = app.texts.block_height(app.t("help_title"), app.fs(84), inner, 2)
        bh = app.px(60) + th + app.px(24) + app.texts.block_height(app.t("help_body"), app.fs(54), inner, 3) \
            + app.px(50) + app.px(170) + app.px(60)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        box = self.box()
        bw = min(app.px(700), box.width - 2 * app.px(60))
        r = pygame.Rect(box.centerx - bw // 2, box.bottom - app.px(60) - app.px(170), bw, app.px(170))
        return {"help_continue": KButton("help_continue", r, app.t("help_continue"), app.fs(72), "primary",
                                         action=("continue",))}

    def activate(self, action: tuple, now: float) -> None:
        if action[0] == "continue":
            self.app.help_open = False
            if self.app.speaker is not None:
                self.app.speaker.stop()

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        box = self.box()
        draw_panel(surface, box, border=PRIMARY, width=max(4, app.px(6)))
        inner = box.inflate(-2 * app.px(60), 0)
        r = app.texts.block(surface, app.t("help_title"),
                            pygame.Rect(inner.left, box.top + app.px(60), inner.width, box.height), app.fs(84), TEXT,
                            max_lines=2)
        app.texts.block(surface, app.t("help_body"), pygame.Rect(inner.left, r.bottom + app.px(24), inner.width,
                                                                 box.height), app.fs(54), TEXT, max_lines=3)
        for bid, b in self.buttons().items():
            b.draw(surface, app.texts, pressed=app.pressed == bid, line=app.px(3))
