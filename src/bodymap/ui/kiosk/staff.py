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
from typing import Callable

import pygame

from ... import render, vocabulary
from ...kiosk.flow import EXIT_STAFF
from ...kiosk.i18n import text as i18n_text
from ..kit.kiosk_colours import ALERT, TEXT, WHITE
from ..kit import KButton, draw_panel
from .context import ScreenContext

LOCK_NOTICE_S = 6.0  # how long the "Locked" note stays after a long press on a locked keypad
STAFF_SCREEN_IDLE_S = 30.0  # an abandoned staff screen closes by itself
AMBER = (196, 120, 0)
FLAG_MARK = (31, 78, 140)  # a calm dark blue


def staff_text(ctx, key: str, **kw) -> str:
    """Staff words are in the kiosk's default language, whatever the patient chose."""
    return i18n_text(ctx.config.default_language, key, **kw)


class StaffMarks:
    """A part of `KioskApp`: the marks in the staff corner. Owns how long the "Locked" note shows
    (`lock_notice_until`); given the help calls."""

    def __init__(self, ctx: ScreenContext, help_calls):
        self.ctx, self.help_calls = ctx, help_calls
        self.lock_notice_until: float | None = None  # "Locked: try again in N s" shows in the staff corner until

    def locked_notice(self, now: float) -> bool:
        return self.lock_notice_until is not None and now < self.lock_notice_until

    def draw(self, surface: pygame.Surface, now: float) -> None:
        draw_staff_marks(self.ctx, self.help_calls, self.locked_notice(now), surface, now)


def draw_staff_marks(ctx, help_calls, lock_notice: bool, surface: pygame.Surface, now: float) -> None:
    g = ctx.geo
    c = g.corner
    size = max(20, g.fs(26))
    inward = 1 if c.left == 0 else -1
    x = c.left + g.px(12) if inward > 0 else c.right - g.px(12)
    y = c.top + g.px(12) if c.top == 0 else c.bottom - g.px(12) - 3 * render.font(size).get_linesize()
    line = render.font(size).get_linesize()
    marks: list[tuple[str, tuple]] = []
    flagged = len(ctx.kiosk.staff.marks)
    if flagged:  # a map reception must act on today: big enough to see across the room, calm (never red)
        draw_flag_mark(ctx, surface, flagged)
        y = (y + flag_mark_height(g) + g.px(6)) if c.top == 0 else (y - flag_mark_height(g) - g.px(6))
    waiting = ctx.kiosk.recovery_status().total
    if waiting:
        marks.append((str(waiting), AMBER))
    if help_calls.open_calls(now):
        marks.append((staff_text(ctx, "staff_help_asked"), ALERT))
    if lock_notice and ctx.kiosk.pin_guard.locked(now):
        secs = max(1, int(math.ceil(ctx.kiosk.pin_guard.seconds_locked(now))))
        marks.append((staff_text(ctx, "staff_locked", seconds=secs), TEXT))
    for text, colour in marks:
        t = ctx.texts.surf(text, size, colour if colour is not AMBER else TEXT)
        r = t.get_rect()
        dot = g.px(9) if colour is AMBER else 0
        box = pygame.Rect(0, 0, r.width + g.px(16) + (2 * dot + g.px(6) if dot else 0), line + g.px(4))
        if inward > 0:
            box.left = x
        else:
            box.right = x
        box.top = y
        pygame.draw.rect(surface, WHITE, box, border_radius=g.px(8))
        pygame.draw.rect(surface, colour, box, width=max(2, g.px(2)), border_radius=g.px(8))
        tx = box.left + g.px(8)
        if dot:
            pygame.draw.circle(surface, AMBER, (tx + dot, box.centery), dot)
            tx += 2 * dot + g.px(6)
        surface.blit(t, t.get_rect(midleft=(tx, box.centery)))
        y += box.height + g.px(4)


def flag_mark_rect(g) -> pygame.Rect:
    """The staff corner's square, a little inside the screen's edge (`g`: the window's `Geometry`)."""
    return g.corner.inflate(-g.px(16), -g.px(16))


def flag_mark_height(g) -> int:
    return flag_mark_rect(g).height


def draw_flag_mark(ctx, surface: pygame.Surface, n: int) -> None:
    """The staff corner as a solid calm-blue square with the number of maps to see, in white: seen from
    across the room, it tells a patient nothing (no red, no words like "emergency")."""
    g = ctx.geo
    box = flag_mark_rect(g)
    pygame.draw.rect(surface, FLAG_MARK, box, border_radius=g.px(14))
    pygame.draw.rect(surface, WHITE, box.inflate(-g.px(10), -g.px(10)), width=max(2, g.px(4)),
                     border_radius=g.px(10))
    t = ctx.texts.surf(str(n), max(24, int(box.height * 0.9)), WHITE)
    surface.blit(t, t.get_rect(center=box.center))


def counted(ctx, key: str, n: int, **kw) -> str:
    """A staff line about `n` things: `<key>_1` for one, `<key>` with {n} for more."""
    return staff_text(ctx, f"{key}_1", **kw) if n == 1 else staff_text(ctx, key, n=n, **kw)


def staff_lines(ctx, help_calls, now: float) -> list[str]:
    """What waits for staff, each fact once, all in the staff's language (the kiosk's default language): the
    flags to see, the maps the spool has not taken yet, what is in the recovery folder, a drafts fault, the
    help calls. Only an operating system's own reason, in brackets, is as the system words it."""
    k = ctx.kiosk
    marks = k.staff.marks
    lines = [staff_text(ctx, "staff_flag_mark", n=len(marks))] if marks else []
    lang = ctx.config.default_language
    lines += [staff_text(ctx, "staff_flag_line", code=m.get("code", "?"), time=m.get("time", "?"),
                         urgency=staff_text(ctx, f"staff_urgency_{m.get('urgency')}")
                         if m.get("urgency") in ("emergency", "same_day") else str(m.get("urgency", "?")),
                         pathology=", ".join(vocabulary.pathology_label(p, lang)
                                             for p in str(m.get("pathology", "unspecified")).split(", ")))
              for m in marks]
    pending = k.spool.pending  # finished maps the spool has not taken yet (retried by themselves)
    if pending:
        line = counted(ctx, "staff_spool_pending", len(pending), reason=pending[-1].last_error)
        memory = sum(p.journal is None for p in pending)
        line += " " + (staff_text(ctx, "staff_spool_memory", n=memory) if memory
                       else staff_text(ctx, "staff_spool_kept"))
        lines.append(line)
    status = k.recovery_status()
    stuck = status.unsent - len(pending)  # kept in the recovery folder, not queued again
    if stuck > 0:
        lines.append(counted(ctx, "staff_recovery_stuck", stuck))
    if status.unfinished:
        lines.append(counted(ctx, "staff_recovery_unfinished", status.unfinished))
    problem = k.drafts.problem
    if problem is not None:
        lines.append(staff_text(ctx, f"staff_drafts_{problem[0]}", reason=problem[1]))
    calls = help_calls.calls
    if calls:
        lines.append(counted(ctx, "staff_help_calls", len(calls), minutes=help_calls.minutes_since_last(now)))
    return lines


class StaffOverlay:
    """After the right PIN, when something waits for staff: what waits, then leave or go back. Owns since when
    it shows (`since`, None when closed); given the help calls and `leave(status)` (the kiosk ends)."""

    def __init__(self, ctx: ScreenContext, help_calls, leave: Callable[[int], None]):
        self.ctx, self.help_calls, self.leave = ctx, help_calls, leave
        self.since: float | None = None  # the staff screen (after the PIN) shows since then

    def lines(self, now: float) -> list[str]:
        """What waits for staff now (`staff_lines`)."""
        return staff_lines(self.ctx, self.help_calls, now)

    def box(self) -> pygame.Rect:
        ctx = self.ctx
        g = ctx.geo
        w, h = g.size
        bw = min(g.px(1300), w - 2 * g.margin)
        inner = bw - 2 * g.px(50)
        lines = self.lines(ctx.clock()) or [staff_text(ctx, "staff_nothing_waits")]
        bh = (g.px(40) + render.font(g.fs(60)).get_linesize() + g.px(30)
              + sum(ctx.texts.block_height(t, g.fs(44), inner, 3) + g.px(18) for t in lines)
              + g.px(40) + g.px(130) + g.px(50)
              + (g.px(154) if ctx.kiosk.staff.marks else 0))
        bh = min(bh, h - 2 * g.margin)
        return pygame.Rect((w - bw) // 2, (h - bh) // 2, bw, bh)

    def buttons(self) -> dict[str, KButton]:
        ctx = self.ctx
        g = ctx.geo
        box = self.box()
        gap = g.px(40)
        bw = (box.width - 2 * g.px(50) - gap) // 2
        y = box.bottom - g.px(50) - g.px(130)
        ack = {}
        if ctx.kiosk.staff.marks:
            ack = {"staff_ack": KButton("staff_ack", pygame.Rect(box.left + g.px(50), y - g.px(130) - g.px(24),
                                                                 box.width - 2 * g.px(50), g.px(130)),
                                        staff_text(ctx, "staff_flag_ack"), g.fs(52), "primary", action=("ack",))}
        return {**ack, "staff_back": KButton("staff_back", pygame.Rect(box.left + g.px(50), y, bw, g.px(130)),
                                      staff_text(ctx, "staff_back"), g.fs(52), action=("back",)),
                "staff_leave": KButton("staff_leave", pygame.Rect(box.right - g.px(50) - bw, y, bw, g.px(130)),
                                       staff_text(ctx, "staff_leave"), g.fs(52), "primary", action=("leave",))}

    def update(self, now: float) -> None:
        if self.since is not None and now - self.since >= STAFF_SCREEN_IDLE_S:
            self.since = None

    def activate(self, action: tuple, now: float) -> None:
        self.help_calls.seen(now)
        if action[0] == "ack":
            self.ctx.kiosk.staff.acknowledge()
            self.since = now  # the screen stays, now without the marks
            return
        if action[0] == "leave":
            self.leave(EXIT_STAFF)
        self.since = None

    def draw(self, surface: pygame.Surface) -> None:
        ctx = self.ctx
        g = ctx.geo
        now = ctx.clock()
        box = self.box()
        draw_panel(surface, box, width=max(3, g.px(4)))
        inner = box.inflate(-2 * g.px(50), 0)
        y = box.top + g.px(40)
        r = ctx.texts.block(surface, staff_text(ctx, "staff_screen_title"), pygame.Rect(inner.left, y, inner.width,
                            render.font(g.fs(60)).get_linesize()), g.fs(60), TEXT, max_lines=1)
        y = r.bottom + g.px(30)
        lines = self.lines(now) or [staff_text(ctx, "staff_nothing_waits")]
        for line in lines:
            r = ctx.texts.block(surface, line, pygame.Rect(inner.left, y, inner.width, g.px(200)), g.fs(44),
                                TEXT, align="left", max_lines=3)
            y = r.bottom + g.px(18)
        for bid, b in self.buttons().items():
            b.draw(surface, ctx.texts, pressed=ctx.taps.pressed == bid, line=g.px(3))
