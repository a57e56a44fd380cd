"""The staff PIN pad: opened by a long press in the staff corner; the right PIN ends the kiosk."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pygame

from ... import render
from ..kit.kiosk_colours import ALERT, MUTED, TEXT
from ..kit import KButton, draw_panel
from .context import ScreenContext

WRONG_PIN_SECONDS = 3.0
PIN_PAD_IDLE_S = 30.0  # an abandoned PIN keypad closes by itself


@dataclass
class PinPad:
    opened: float
    last_input: float
    digits: str = ""
    wrong_until: float | None = None


class PinOverlay:
    """The PIN keypad: owns `pad` (a `PinPad` while open, else None), draws and runs it. It is given what to do
    when the right PIN is entered (`on_right_pin(now)`: the staff screen, or leave)."""

    def __init__(self, ctx: ScreenContext, on_right_pin: Callable[[float], None]):
        self.ctx, self.on_right_pin = ctx, on_right_pin
        self.pad: PinPad | None = None

    def open(self, now: float) -> None:
        self.pad = PinPad(now, now)

    def update(self, now: float) -> None:
        pin = self.pad
        if pin is None:
            return
        if pin.wrong_until is not None:
            if now >= pin.wrong_until:
                self.pad = None
        elif now - pin.last_input >= PIN_PAD_IDLE_S:
            self.pad = None

    def _rows(self) -> tuple[int, int]:
        """(y of the dots, y of the keypad's first row) below the box's top."""
        ctx = self.ctx
        g = ctx.geo
        title = render.font(g.fs(52)).get_linesize()
        return (g.px(40) + title + g.px(20) + g.px(35),
                g.px(40) + title + g.px(20) + g.px(70) + render.font(g.fs(46)).get_linesize() + g.px(20))

    def box(self) -> pygame.Rect:
        ctx = self.ctx
        g = ctx.geo
        w, h = g.size
        kw_, kh, gap = g.px(200), g.px(112), g.px(14)
        bw = min(3 * kw_ + 2 * gap + 2 * g.px(50), w - 2 * g.margin)
        bh = (g.px(40) + render.font(g.fs(52)).get_linesize() + g.px(20) + g.px(70)
              + render.font(g.fs(46)).get_linesize() + g.px(20) + 4 * kh + 3 * gap + g.px(30)
              + g.px(100) + g.px(40))
        bh = min(bh, h - 2 * g.margin)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        box = self.box()
        kw_, kh, gap = g.px(200), g.px(112), g.px(14)
        kw_ = min(kw_, (box.width - 2 * g.px(30) - 2 * gap) // 3)
        x0 = box.centerx - (3 * kw_ + 2 * gap) // 2
        y0 = box.top + self._rows()[1]
        ok = self.pad is None or self.pad.wrong_until is None
        out = {}
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "del", "0", "ok"]
        actions = {"del": ("delete",), "ok": ("enter",)}
        for i, key_ in enumerate(keys):
            r, c = divmod(i, 3)
            label = {"del": ctx.t("keypad_delete"), "ok": ctx.t("staff_enter")}.get(key_, key_)
            out[f"pin:{key_}"] = KButton(f"pin:{key_}", pygame.Rect(x0 + c * (kw_ + gap), y0 + r * (kh + gap), kw_, kh),
                                         label, g.fs(60 if key_.isdigit() else 40),
                                         "primary" if key_ == "ok" else "key", enabled=ok, max_lines=1,
                                         action=actions.get(key_, ("digit", key_)))
        cy = y0 + 4 * kh + 3 * gap + g.px(30)
        out["pin:cancel"] = KButton("pin:cancel", pygame.Rect(x0, cy, 3 * kw_ + 2 * gap, g.px(100)),
                                    ctx.t("staff_cancel"), g.fs(48), enabled=ok, action=("cancel",))
        return out

    def activate(self, action: tuple, now: float) -> None:
        ctx = self.ctx
        pad = self.pad
        if pad is None or pad.wrong_until is not None:
            return
        pad.last_input = now
        kind = action[0]
        if kind == "cancel":
            self.pad = None
        elif kind == "delete":
            pad.digits = pad.digits[:-1]
        elif kind == "digit":
            if len(pad.digits) < 12:
                pad.digits += action[1]
        elif kind == "enter" and pad.digits:
            if ctx.kiosk.check_pin(pad.digits, now):
                self.pad = None
                self.on_right_pin(now)
            else:
                pad.digits = ""
                pad.wrong_until = now + WRONG_PIN_SECONDS

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        box = self.box()
        buttons = self.buttons()
        draw_panel(surface, box, width=max(3, g.px(4)))
        ctx.texts.block(surface, ctx.t("staff_pin_title"),
                        pygame.Rect(box.left + g.px(30), box.top + g.px(40), box.width - 2 * g.px(30),
                                    render.font(g.fs(52)).get_linesize()), g.fs(52), TEXT, max_lines=1)
        pad = self.pad
        n = len(pad.digits) if pad is not None else 0
        r = g.px(14)
        step = g.px(44)
        dots_y = box.top + self._rows()[0]
        x = box.centerx - (n - 1) * step / 2
        for i in range(n):
            pygame.draw.circle(surface, TEXT, (x + i * step, dots_y), r)
        if n == 0:
            pygame.draw.line(surface, MUTED, (box.centerx - g.px(120), dots_y + r),
                             (box.centerx + g.px(120), dots_y + r), max(2, g.px(3)))
        if pad is not None and pad.wrong_until is not None:
            msg_y = dots_y + g.px(35) + g.px(4)
            ctx.texts.block(surface, ctx.t("staff_wrong_pin"),
                            pygame.Rect(box.left + g.px(20), msg_y, box.width - 2 * g.px(20),
                                        render.font(g.fs(46)).get_linesize()), g.fs(46), ALERT, max_lines=1)
        for bid, b in buttons.items():
            b.draw(surface, ctx.texts, pressed=ctx.taps.pressed == bid, line=g.px(3))
