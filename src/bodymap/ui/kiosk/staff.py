"""What staff see on the kiosk: small marks in the staff corner, and the staff screen after the PIN.

The marks are code-free and path-free, small enough for a patient to ignore:
an amber dot with a count when maps wait in recovery (`Kiosk.recovery_status()`),
"Help asked" after a patient's help call, and "Locked: try again in N s" for a
while after a long press while the PIN keypad is locked. The staff screen (after
the right PIN, when anything waits) lists the flags, what waits in the spool and the recovery folder and the
help calls, each once and in the staff's language (`staff_lines`), then "Leave the kiosk" or "Back to the
kiosk"; left alone it closes by itself.
"""
from __future__ import annotations

import math

import pygame

from ... import render, vocabulary
from ...kiosk.flow import EXIT_STAFF
from ...kiosk.i18n import text as i18n_text
from ..kit.kiosk_colours import ALERT, TEXT, WHITE
from ..kit import KButton, draw_panel
from .screen import KioskScene

LOCK_NOTICE_S = 6.0  # how long the "Locked" note stays after a long press on a locked keypad
STAFF_SCREEN_IDLE_S = 30.0  # an abandoned staff screen closes by itself
AMBER = (196, 120, 0)
FLAG_MARK = (31, 78, 140)  # a calm dark blue


def staff_text(app, key: str, **kw) -> str:
    """Staff words are in the kiosk's default language, whatever the patient chose."""
    return i18n_text(app.config.default_language, key, **kw)


def draw_staff_marks(app, surface: pygame.Surface, now: float) -> None:
    c = app.corner
    size = max(20, app.fs(26))
    inward = 1 if c.left == 0 else -1
    x = c.left + app.px(12) if inward > 0 else c.right - app.px(12)
    y = c.top + app.px(12) if c.top == 0 else c.bottom - app.px(12) - 3 * render.font(size).get_linesize()
    line = render.font(size).get_linesize()
    marks: list[tuple[str, tuple]] = []
    flagged = len(app.kiosk.staff.marks)
    if flagged:  # a map reception must act on today: big enough to see across the room, calm (never red)
        draw_flag_mark(app, surface, flagged)
        y = (y + flag_mark_height(app) + app.px(6)) if c.top == 0 else (y - flag_mark_height(app) - app.px(6))
    waiting = app.kiosk.recovery_status().total
    if waiting:
        marks.append((str(waiting), AMBER))
    if app.help_calls.open_calls(now):
        marks.append((staff_text(app, "staff_help_asked"), ALERT))
    if app.lock_notice_until is not None and now < app.lock_notice_until and app.kiosk.pin_guard.locked(now):
        secs = max(1, int(math.ceil(app.kiosk.pin_guard.seconds_locked(now))))
        marks.append((staff_text(app, "staff_locked", seconds=secs), TEXT))
    for text, colour in marks:
        t = app.texts.surf(text, size, colour if colour is not AMBER else TEXT)
        r = t.get_rect()
        dot = app.px(9) if colour is AMBER else 0
        box = pygame.Rect(0, 0, r.width + app.px(16) + (2 * dot + app.px(6) if dot else 0), line + app.px(4))
        if inward > 0:
            box.left = x
        else:
            box.right = x
        box.top = y
        pygame.draw.rect(surface, WHITE, box, border_radius=app.px(8))
        pygame.draw.rect(surface, colour, box, width=max(2, app.px(2)), border_radius=app.px(8))
        tx = box.left + app.px(8)
        if dot:
            pygame.draw.circle(surface, AMBER, (tx + dot, box.centery), dot)
            tx += 2 * dot + app.px(6)
        surface.blit(t, t.get_rect(midleft=(tx, box.centery)))
        y += box.height + app.px(4)


def flag_mark_rect(app) -> pygame.Rect:
    """The staff corner's square, a little inside the screen's edge."""
    return app.corner.inflate(-app.px(16), -app.px(16))


def flag_mark_height(app) -> int:
    return flag_mark_rect(app).height


def draw_flag_mark(app, surface: pygame.Surface, n: int) -> None:
    """The staff corner as a solid calm-blue square with the number of maps to see, in white: seen from
    across the room, it tells a patient nothing (no red, no words like "emergency")."""
    box = flag_mark_rect(app)
    pygame.draw.rect(surface, FLAG_MARK, box, border_radius=app.px(14))
    pygame.draw.rect(surface, WHITE, box.inflate(-app.px(10), -app.px(10)), width=max(2, app.px(4)),
                     border_radius=app.px(10))
    t = app.texts.surf(str(n), max(24, int(box.height * 0.9)), WHITE)
    surface.blit(t, t.get_rect(center=box.center))


def counted(app, key: str, n: int, **kw) -> str:
    """A staff line about `n` things: `<key>_1` for one, `<key>` with {n} for more."""
    return staff_text(app, f"{key}_1", **kw) if n == 1 else staff_text(app, key, n=n, **kw)


def staff_lines(app, now: float) -> list[str]:
    """What waits for staff, each fact once, all in the staff's language (the kiosk's default language): the
    flags to see, the maps the spool has not taken yet, what is in the recovery folder, a drafts fault, the
    help calls. Only an operating system's own reason, in brackets, is as the system words it."""
    k = app.kiosk
    marks = k.staff.marks
    lines = [staff_text(app, "staff_flag_mark", n=len(marks))] if marks else []
    lang = app.config.default_language
    lines += [staff_text(app, "staff_flag_line", code=m.get("code", "?"), time=m.get("time", "?"),
                         urgency=staff_text(app, f"staff_urgency_{m.get('urgency')}")
                         if m.get("urgency") in ("emergency", "same_day") else str(m.get("urgency", "?")),
                         pathology=", ".join(vocabulary.pathology_label(p, lang)
                                             for p in str(m.get("pathology", "unspecified")).split(", ")))
              for m in marks]
    pending = k.spool.pending  # finished maps the spool has not taken yet (retried by themselves)
    if pending:
        line = counted(app, "staff_spool_pending", len(pending), reason=pending[-1].last_error)
        memory = sum(p.journal is None for p in pending)
        line += " " + (staff_text(app, "staff_spool_memory", n=memory) if memory else staff_text(app, "staff_spool_kept"))
        lines.append(line)
    status = k.recovery_status()
    stuck = status.unsent - len(pending)  # kept in the recovery folder, not queued again
    if stuck > 0:
        lines.append(counted(app, "staff_recovery_stuck", stuck))
    if status.unfinished:
        lines.append(counted(app, "staff_recovery_unfinished", status.unfinished))
    problem = k.drafts.problem
    if problem is not None:
        lines.append(staff_text(app, f"staff_drafts_{problem[0]}", reason=problem[1]))
    calls = app.help_calls.calls
    if calls:
        lines.append(counted(app, "staff_help_calls", len(calls), minutes=app.help_calls.minutes_since_last(now)))
    return lines


class StaffOverlay(KioskScene):
    """After the right PIN, when something waits for staff: what waits, then leave or go back."""

    def box(self) -> pygame.Rect:
        app = self.app
        w, h = app.size
        bw = min(app.px(1300), w - 2 * app.margin)
        inner = bw - 2 * app.px(50)
        lines = staff_lines(app, app.clock()) or [staff_text(app, "staff_nothing_waits")]
        bh = (app.px(40) + render.font(app.fs(60)).get_linesize() + app.px(30)
              + sum(app.texts.block_height(t, app.fs(44), inner, 3) + app.px(18) for t in lines)
              + app.px(40) + app.px(130) + app.px(50)
              + (app.px(154) if app.kiosk.staff.marks else 0))
        bh = min(bh, h - 2 * app.margin)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def buttons(self) -> dict[str, KButton]:
        app = self.app
        box = self.box()
        gap = app.px(40)
        bw = (box.width - 2 * app.px(50) - gap) // 2
        y = box.bottom - app.px(50) - app.px(130)
        ack = {}
        if app.kiosk.staff.marks:
            ack = {"staff_ack": KButton("staff_ack", pygame.Rect(box.left + app.px(50), y - app.px(130) - app.px(24),
                                                                 box.width - 2 * app.px(50), app.px(130)),
                                        staff_text(app, "staff_flag_ack"), app.fs(52), "primary", action=("ack",))}
        return {**ack, "staff_back": KButton("staff_back", pygame.Rect(box.left + app.px(50), y, bw, app.px(130)),
                                      staff_text(app, "staff_back"), app.fs(52), action=("back",)),
                "staff_leave": KButton("staff_leave", pygame.Rect(box.right - app.px(50) - bw, y, bw, app.px(130)),
                                       staff_text(app, "staff_leave"), app.fs(52), "primary", action=("leave",))}

    def update(self, now: float) -> None:
        app = self.app
        if app.staff_since is not None and now - app.staff_since >= STAFF_SCREEN_IDLE_S:
            app.staff_since = None

    def activate(self, action: tuple, now: float) -> None:
        app = self.app
        app.help_calls.seen(now)
        if action[0] == "ack":
            app.kiosk.staff.acknowledge()
            app.staff_since = now  # the screen stays, now without the marks
            return
        if action[0] == "leave":
            app.should_exit = EXIT_STAFF
        app.staff_since = None

    def draw(self, surface: pygame.Surface) -> None:
        app = self.app
        now = app.clock()
        box = self.box()
        draw_panel(surface, box, width=max(3, app.px(4)))
        inner = box.inflate(-2 * app.px(50), 0)
        y = box.top + app.px(40)
        r = app.texts.block(surface, staff_text(app, "staff_screen_title"), pygame.Rect(inner.left, y, inner.width,
                            render.font(app.fs(60)).get_linesize()), app.fs(60), TEXT, max_lines=1)
        y = r.bottom + app.px(30)
        lines = staff_lines(app, now) or [staff_text(app, "staff_nothing_waits")]
        for line in lines:
            r = app.texts.block(surface, line, pygame.Rect(inner.left, y, inner.width, app.px(200)), app.fs(44),
                                TEXT, align="left", max_lines=3)
            y = r.bottom + app.px(18)
        for bid, b in self.buttons().items():
            b.draw(surface, app.texts, pressed=app.pressed == bid, line=app.px(3))
