"""Overlays over a kiosk screen: the two questions (clear everything? / nothing painted) and "Still there?".

An overlay takes every tap while it shows: `KioskApp.buttons()` gives the
topmost layer's buttons only (PIN pad, then the idle warning, then a dialog,
then the screen).
"""
from __future__ import annotations

import math

import pygame

from ..kit.kiosk_colours import PRIMARY, TEXT
from ..kit import KButton, draw_panel
from .context import ScreenContext


class DialogOverlay:
    """`ctx.state.dialog`: "clear" (rub out everything?), "nothing" (nothing painted: go on anyway?) or "stop"
    (leave now?). It is given the paint screen, whose open stroke "Start again" ends."""

    def __init__(self, ctx: ScreenContext, paint):
        self.ctx, self.paint = ctx, paint

    def box(self) -> tuple[pygame.Rect, str, list[tuple[str, str, str, tuple]]]:
        ctx = self.ctx
        g = ctx.geo
        w, h = g.size
        if ctx.state.dialog == "stop":
            msg, btns = ctx.t("stop_confirm"), [("dlg:carry_on", ctx.t("stop_no"), "normal", ("close",)),
                                                ("dlg:stop", ctx.t("stop_yes"), "primary", ("stop",))]
        elif ctx.state.dialog == "clear":
            msg, btns = ctx.t("clear_confirm"), [("dlg:no", ctx.t("no_button"), "normal", ("close",)),
                                                 ("dlg:yes", ctx.t("yes_button"), "primary", ("clear_all",))]
        else:
            # the main button takes the patient back to colouring; Skip goes on without (issue 14)
            msg, btns = ctx.t("nothing_painted"), [("dlg:skip", ctx.t("skip"), "normal", ("go_on",)),
                                                   ("dlg:colour", ctx.t("nothing_colour"), "primary", ("close",))]
        bw = min(g.px(1200), w - 2 * g.margin)
        text_h = ctx.texts.block_height(msg, g.fs(60), bw - 2 * g.px(60), 4)
        bh = g.px(60) + text_h + g.px(60) + g.px(150) + g.px(60)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh), msg, btns

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        box, _, btns = self.box()
        gap = g.px(60)
        bw = min(g.px(440), (box.width - 3 * gap) // 2)
        y = box.bottom - g.px(60) - g.px(150)
        x = box.centerx - gap // 2 - bw
        out = {}
        for bid, label, style, action in btns:
            out[bid] = KButton(bid, pygame.Rect(x, y, bw, g.px(150)), label, g.fs(60), style, action=action)
            x += bw + gap
        return out

    def activate(self, action: tuple, now: float) -> None:
        ctx = self.ctx
        m = ctx.state.pain_map
        kind = action[0]
        ctx.state.dialog = None
        if kind == "clear_all":  # "Start again": a new drawing, with none of the old strokes in the saved file
            if m is not None:
                self.paint.end_stroke()
                ctx.kiosk.new_drawing()
                ctx.sync(now)
        elif kind == "stop":  # the patient wants to leave: red-flag answers are kept (Kiosk.stop)
            ctx.kiosk.stop()
        elif kind == "go_on":  # nothing painted: continue anyway
            ctx.kiosk.to_questions()
        # "close" (no, back): the dialog just closes

    def draw(self, surface: pygame.Surface, active: bool = True) -> None:
        ctx = self.ctx
        g = ctx.geo
        box, msg, _ = self.box()
        draw_panel(surface, box, width=max(3, g.px(4)))
        inner = box.inflate(-2 * g.px(60), 0)
        ctx.texts.block(surface, msg, pygame.Rect(inner.left, box.top + g.px(60), inner.width, box.height),
                        g.fs(60), TEXT, max_lines=4)
        for bid, b in self.buttons().items():
            b.draw(surface, ctx.texts, pressed=active and ctx.taps.pressed == bid, line=g.px(3))


def note_box(ctx: ScreenContext, title: str, body: str, button_h: int) -> pygame.Rect:
    """The centred box of a note over the screen: a title (2 lines at most), a body (3) and one row of buttons
    `button_h` tall (design pixels), at most 1150 design pixels wide."""
    g = ctx.geo
    w, h = g.size
    bw = min(g.px(1150), w - 2 * g.margin)
    inner = bw - 2 * g.px(60)
    th = ctx.texts.block_height(title, g.fs(84), inner, 2)
    bh = g.px(60) + th + g.px(24) + ctx.texts.block_height(body, g.fs(54), inner, 3) + g.px(50) \
        + g.px(button_h) + g.px(60)
    return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)


class IdleWarning:
    """"Still there?" with a countdown; any tap anywhere means yes."""

    def __init__(self, ctx: ScreenContext):
        self.ctx = ctx

    def box(self) -> pygame.Rect:
        return note_box(self.ctx, self.ctx.t("still_there_title"), self.ctx.t("still_there_body", seconds=99), 180)

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        box = self.box()
        bw = min(g.px(800), box.width - 2 * g.px(60))
        r = pygame.Rect(box.centerx - bw // 2, box.bottom - g.px(60) - g.px(180), bw, g.px(180))
        return {"still_here": KButton("still_here", r, ctx.t("still_there_button"), g.fs(72), "primary")}

    def activate(self, action: tuple, now: float) -> None:
        """Nothing: any tap on the warning means yes, and the touch rules see to it (touch.py)."""

    def draw(self, surface: pygame.Surface, now: float) -> None:
        ctx = self.ctx
        g = ctx.geo
        box = self.box()
        draw_panel(surface, box, border=PRIMARY, width=max(4, g.px(6)))
        inner = box.inflate(-2 * g.px(60), 0)
        y = box.top + g.px(60)
        r = ctx.texts.block(surface, ctx.t("still_there_title"), pygame.Rect(inner.left, y, inner.width,
                                                                             box.height), g.fs(84), TEXT,
                            max_lines=2)
        _, left = ctx.kiosk.idle_state(now)
        body = ctx.t("still_there_body", seconds=max(1, int(math.ceil(left))))
        ctx.texts.block(surface, body, pygame.Rect(inner.left, r.bottom + g.px(24), inner.width, box.height),
                        g.fs(54), TEXT, max_lines=3)
        for bid, b in self.buttons().items():
            b.draw(surface, ctx.texts, pressed=ctx.taps.pressed == bid, line=g.px(3))
