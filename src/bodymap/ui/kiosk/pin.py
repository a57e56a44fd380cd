"""The staff PIN pad: opened by a long press in the staff corner; the right PIN ends the kiosk."""
from __future__ import annotations

from dataclasses import dataclass

import pygame

from ... import render
from ...kiosk.flow import EXIT_STAFF
from ..kit.kiosk_colours import ALERT, MUTED, TEXT
from ..kit import KButton, draw_panel
from .screen import KioskScene
from .staff import staff_lines

WRONG_PIN_SECONDS = 3.0
PIN_PAD_IDLE_S = 30.0  # an abandoned PIN keypad closes by itself


@dataclass
class PinPad:
    opened: float
    last_input: float
    digits: str = ""
    wrong_until: float | None = None


class PinOverlay(KioskScene):
    """Draws and runs `app.pin` (a `PinPad`, or None when closed)."""

    def update(self, now: float) -> None:
        pin = self.app.pin
        if pin is None:
            return
        if pin.wrong_until is not None:
            if now >= pin.wrong_until:
                self.app.pin = None
        elif now - pin.last_input >= PIN_PAD_IDLE_S:
            self.app.pin = None

    def _rows(self) -> tuple[int, int]:
        """(y of the dots, y of the keypad's first row) below the box's top."""
        app = self.app
        title = render.font(app.fs(52)).get_linesize()
        return (app.px(40) + title + app.px(20) + app.px(35),
                app.px(40) + title + app.px(20) + app.px(70) + render.font(app.fs(46)).get_linesize() + app.px(20))

    def box(self) -> pygame.Rect:
        app = self.app
        w, h = app.size
        kw_, kh, gap = app.px(200), app.px(112), app.px(14)
        bw = min(3 * kw_ + 2 * gap + 2 * app.px(50), w - 2 * app.margin)
        bh = (app.px(40) + render.font(app.fs(52)).get_linesize() + app.px(20) + app.px(70)
              + render.font(app.fs(46)).get_linesize() + app.px(20) + 4 * kh + 3 * gap + app.px(30)
              + app.px(100) + app.px(40))
        bh = min(bh, h - 2 * app.margin)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        box = self.box()
        kw_, kh, gap = app.px(200), app.px(112), app.px(14)
        kw_ = min(kw_, (box.width - 2 * app.px(30) - 2 * gap) // 3)
        x0 = box.centerx - (3 * kw_ + 2 * gap) // 2
        y0 = box.top + self._rows()[1]
        ok = app.pin is None or app.pin.wrong_until is None
        out = {}
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]
        actions = {"del": ("delete",), "ok": ("enter",)}
        for i, key_ in enumerate(keys):
            r, c = divmod(i, 3)
            label = {"del": app.t("keypad_delete"), "ok": app.t("staff_enter")}.get(key_, key_)
            out[f"pin:{key_}"] = KButton(f"pin:{key_}", pygame.Rect(x0 + c * (kw_ + gap), y0 + r * (kh + gap), kw_, kh),
                                         label, app.fs(60 if key_.isdigit() else 40),
                                         "primary" if key_ == "ok" else "key", enabled=ok, max_lines=1,
                                         action=actions.get(key_, ("digit", key_)))
        cy = y0 + 4 * kh + 3 * gap + app.px(30)
        out["pin:cancel"] = KButton("pin:cancel", pygame.Rect(x0, cy, 3 * kw_ + 2 * gap, app.px(100)),
                                    app.t("staff_cancel"), app.fs(48), enabled=ok, action=("cancel",))
        return out

    def activate(self, action: tuple, now: float) -> None:
        app = self.app
        pad = app.pin
        if pad is None or pad.wrong_until is not None:
            return
        pad.last_input = now
        kind = action[0]
        if kind == "cancel":
            app.pin = None
        elif kind == "delete":
            pad.digits = pad.digits[:-1]
        elif kind == "digit":
            if len(pad.digits) < 12:
                pad.digits += action[1]
        elif kind == "enter" and pad.digits:
            if app.kiosk.check_pin(pad.digits, now):
                app.pin = None
                if staff_lines(app, now):  # something waits for staff: show it before they leave
                    app.staff_since = now
                else:
                    app.should_exit = EXIT_STAFF
            else:
                pad.digits = ""
                pad.wrong_until = now + WRONG_PIN_SECONDS

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        box = self.box()
        buttons = self.buttons()
        draw_panel(surface, box, width=max(3, app.px(4)))
        app.texts.block(surface, app.t("staff_pin_title"),
                        pygame.Rect(box.left + app.px(30), box.top + app.px(40), box.width - 2 * app.px(30),
                                    render.font(app.fs(52)).get_linesize()), app.fs(52), TEXT, max_lines=1)
        pad = app.pin
        n = len(pad.digits) if pad is not None else 0
        r = app.px(14)
        step = app.px(44)
        dots_y = box.top + self._rows()[0]
        x = box.centerx - (n - 1) * step / 2
        for i in range(n):
            pygame.draw.circle(surface, TEXT, (x + i * step, dots_y), r)
        if n == 0:
            pygame.draw.line(surface, MUTED, (box.centerx - app.px(120), dots_y + r),
                             (box.centerx + app.px(120), dots_y + r), max(2, app.px(3)))
        if pad is not None and pad.wrong_until is not None:
            msg_y = dots_y + app.px(35) + app.px(4)
            app.texts.block(surface, app.t("staff_wrong_pin"),
                            pygame.Rect(box.left + app.px(20), msg_y, box.width - 2 * app.px(20),
                                        render.font(app.fs(46)).get_linesize()), app.fs(46), ALERT, max_lines=1)
        for bid, b in buttons.items():
            b.draw(surface, app.texts, pressed=app.pressed == bid, line=app.px(3))
