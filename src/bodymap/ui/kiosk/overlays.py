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
from .screen import KioskScene


class DialogOverlay(KioskScene):
    """`app.dialog`: "clear" (rub out everything?) or "nothing" (nothing painted: go on anyway?)."""

    def box(self) -> tuple[pygame.Rect, str, list[tuple[str, str, str, tuple]]]:
        app = self.app
        w, h = app.size
        if app.dialog == "stop":
            msg, btns = app.t("stop_confirm"), [("dlg:carry_on", app.t("stop_no"), "normal", ("close",)),
                                                ("dlg:stop", app.t("stop_yes"), "primary", ("stop",))]
        elif app.dialog == "clear":
            msg, btns = app.t("clear_confirm"), [("dlg:no", app.t("no_button"), "normal", ("close",)),
                                                 ("dlg:yes", app.t("yes_button"), "primary", ("clear_all",))]
        else:
            # the main button takes the patient back to colouring; Skip goes on without (issue 14)
            msg, btns = app.t("nothing_painted"), [("dlg:skip", app.t("skip"), "normal", ("go_on",)),
                                                   ("dlg:colour", app.t("nothing_colour"), "primary", ("close",))]
        bw = min(app.px(1200), w - 2 * app.margin)
        text_h = app.texts.block_height(msg, app.fs(60), bw - 2 * app.px(60), 4)
        bh = app.px(60) + text_h + app.px(60) + app.px(150) + app.px(60)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh), msg, btns

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        box, _, btns = self.box()
        gap = app.px(60)
        bw = min(app.px(440), (box.width - 3 * gap) // 2)
        y = box.bottom - app.px(60) - app.px(150)
        x = box.centerx - gap // 2 - bw
        out = {}
        for bid, label, style, action in btns:
            out[bid] = KButton(bid, pygame.Rect(x, y, bw, app.px(150)), label, app.fs(60), style, action=action)
            x += bw + gap
        return out

    def activate(self, action: tuple, now: float) -> None:
        app = self.app
        m = app.pain_map
        kind = action[0]
        app.dialog = None
        if kind == "clear_all":  # "Start again": a new drawing, with none of the old strokes in the saved file
            if m is not None:
                paint = app.scenes.scenes["paint"]
                paint.end_stroke()
                app.kiosk.new_drawing()
                app._sync(now)
        elif kind == "stop":  # the patient wants to leave: red-flag answers are kept (Kiosk.stop)
            app.kiosk.stop()
        elif kind == "go_on":  # nothing painted: continue anyway
            app.kiosk.to_questions()
        # "close" (no, back): the dialog just closes

    def draw(self, surface: pygame.Surface, active: bool = True) -> None:
        app = self.app
        box, msg, _ = self.box()
        draw_panel(surface, box, width=max(3, app.px(4)))
        inner = box.inflate(-2 * app.px(60), 0)
        app.texts.block(surface, msg, pygame.Rect(inner.left, box.top + app.px(60), inner.width, box.height),
                        app.fs(60), TEXT, max_lines=4)
        for bid, b in self.buttons().items():
            b.draw(surface, app.texts, pressed=active and app.pressed == bid, line=app.px(3))


class IdleWarning(KioskScene):
    """"Still there?" with a countdown; any tap anywhere means yes."""

    def box(self) -> pygame.Rect:
        app = self.app
        w, h = app.size
        bw = min(app.px(1150), w - 2 * app.margin)
        inner = bw - 2 * app.px(60)
        th = app.texts.block_height(app.t("still_there_title"), app.fs(84), inner, 2)
        body = app.t("still_there_body", seconds=99)
        bh = app.px(60) + th + app.px(24) + app.texts.block_height(body, app.fs(54), inner, 3) + app.px(50) \
            + app.px(180) + app.px(60)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        box = self.box()
        bw = min(app.px(800), box.width - 2 * app.px(60))
        r = pygame.Rect(box.centerx - bw // 2, box.bottom - app.px(60) - app.px(180), bw, app.px(180))
        return {"still_here": KButton("still_here", r, app.t("still_there_button"), app.fs(72), "primary")}

    def draw(self, surface: pygame.Surface, now: float) -> None:
        app = self.app
        box = self.box()
        draw_panel(surface, box, border=PRIMARY, width=max(4, app.px(6)))
        inner = box.inflate(-2 * app.px(60), 0)
        y = box.top + app.px(60)
        r = app.texts.block(surface, app.t("still_there_title"), pygame.Rect(inner.left, y, inner.width,
                                                                             box.height), app.fs(84), TEXT,
                            max_lines=2)
        _, left = app.kiosk.idle_state(now)
        body = app.t("still_there_body", seconds=max(1, int(math.ceil(left))))
        app.texts.block(surface, body, pygame.Rect(inner.left, r.bottom + app.px(24), inner.width, box.height),
                        app.fs(54), TEXT, max_lines=3)
        for bid, b in self.buttons().items():
            b.draw(surface, app.texts, pressed=app.pressed == bid, line=app.px(3))
