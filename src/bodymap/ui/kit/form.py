"""Typing in a window: a one-line text field, and dialogs whose titles fit and that hold fields.

- `TextField`: one line of text with a cursor; characters come from TEXTINPUT events
  (`insert`), editing keys from KEYDOWN (`key`). It keeps no other state.
- `FitDialog`: a `Dialog` whose title wraps inside the dialog instead of running past it.
- `FormDialog`: a `FitDialog` with labelled text fields (tap one to type in it, Tab moves
  on) and an optional list of extra choices (e.g. the subfolders of a folder), drawn as a
  column of buttons under the fields. The screen acts on ids as for a `Dialog`:
  "field:<i>" focuses a field; other ids are the screen's.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from ... import render
from .button import Button
from .controls import Dialog
from .text import TextCache, wrap_text



@dataclass
class TextField:
    """One line of editable text: `value`, a `cursor` (0..len) and a `label` shown above it."""

    label: str
    value: str = ""
    cursor: int | None = None  # None: at the end
    max_length: int = 400
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))

    def __post_init__(self) -> None:
        self.cursor = len(self.value) if self.cursor is None else min(max(self.cursor, 0), len(self.value))

    def insert(self, text: str) -> None:
        text = "".join(ch for ch in str(text) if ch.isprintable())
        room = self.max_length - len(self.value)
        text = text[:max(room, 0)]
        self.value = self.value[:self.cursor] + text + self.value[self.cursor:]
        self.cursor += len(text)

    def key(self, k: int) -> bool:
        """An editing key; True when it was one."""
        if k == pygame.K_BACKSPACE:
            if self.cursor > 0:
                self.value = self.value[:self.cursor - 1] + self.value[self.cursor:]
                self.cursor -= 1
        elif k == pygame.K_DELETE:
            self.value = self.value[:self.cursor] + self.value[self.cursor + 1:]
        elif k == pygame.K_LEFT:
            self.cursor = max(0, self.cursor - 1)
        elif k == pygame.K_RIGHT:
            self.cursor = min(len(self.value), self.cursor + 1)
        elif k == pygame.K_HOME:
            self.cursor = 0
        elif k == pygame.K_END:
            self.cursor = len(self.value)
        else:
            return False
        return True

    def set(self, value: str) -> None:
        self.value = str(value)[:self.max_length]
        self.cursor = len(self.value)

    def draw(self, surface: pygame.Surface, text: TextCache, size: int, focused: bool, look) -> None:
        c = look.palette
        r = self.rect
        pygame.draw.rect(surface, c.bg, r, border_radius=6)
        pygame.draw.rect(surface, c.button_on_bg if focused else c.border, r, width=3 if focused else 2,
                         border_radius=6)
        pad = max(6, r.height // 6)
        inner = r.width - 2 * pad
        # show the end of a long value (where one types), and the cursor
        before = self.value[:self.cursor]
        shown_from = 0
        while shown_from < len(before) and text.width(before[shown_from:], size) > inner - 4:
            shown_from += 1
        shown = self.value[shown_from:]
        while shown and text.width(shown, size) > inner:
            shown = shown[:-1]
        t = text(shown, size, c.text)
        ty = r.centery - t.get_height() // 2
        surface.blit(t, (r.left + pad, ty))
        if focused:
            cx = r.left + pad + text.width(before[shown_from:], size) if before[shown_from:] else r.left + pad
            pygame.draw.line(surface, c.text, (cx + 1, r.top + pad), (cx + 1, r.bottom - pad), 2)


def _fit(line: str, size: int, width: int) -> str:
    """`line`, cut with an ellipsis if a word too long to wrap still makes it wider than `width`."""
    f = render.font(size)
    if f.size(line)[0] <= width:
        return line
    while line and f.size(line + "…")[0] > width:
        line = line[:-1]
    return line.rstrip() + "…"


@dataclass
class FitDialog(Dialog):
    """A `Dialog` whose title wraps (up to three lines) to the dialog's width."""

    _title_lines: list[str] = field(default_factory=list)

    def title_size(self, size: int) -> int:
        return int(size * 1.15)

    def layout(self, area: pygame.Rect, s: float, size: int) -> None:
        pad = int(20 * s)
        width = min(int(660 * s), area.width - 2 * pad)
        room = max(width - 2 * pad, 20)
        ts = self.title_size(size)
        self._title_lines = [_fit(line, ts, room) for line in wrap_text(self.title, ts, room, max_lines=3)] or [""]
        extra = (len(self._title_lines) - 1) * render.font(self.title_size(size)).get_linesize()
        super().layout(area, s, size)
        self._grow(area, extra, s)

    def _grow(self, area: pygame.Rect, extra: int, s: float) -> None:
        """Make room for `extra` pixels under the title: the body and buttons move down."""
        if extra <= 0:
            return
        gap = int(10 * s)
        height = min(self.rect.height + extra, area.height - 2 * gap)
        shift = height - self.rect.height
        old_top = self.rect.top
        self.rect.height = height
        self.rect.center = area.center
        dy = self.rect.top - old_top
        for bid, r in self.button_rects.items():
            self.button_rects[bid] = r.move(0, dy + shift)

    def title_bottom(self, s: float, size: int) -> int:
        pad = int(20 * s)
        return self.rect.top + pad + len(self._title_lines) * render.font(self.title_size(size)).get_linesize() \
            + int(10 * s)

    def draw(self, surface: pygame.Surface, text: TextCache, size: int, s: float, pressed: str | None) -> None:
        c = self.look.palette
        self.draw_frame(surface)
        r = self.rect
        pad = int(20 * s)
        y = r.top + pad
        ts = self.title_size(size)
        for line in self._title_lines or [self.title]:
            surface.blit(text(line, ts, c.alert if self.tone == "error" else c.text), (r.left + pad, y))
            y += render.font(ts).get_linesize()
        y += int(10 * s)
        line_h = render.font(size).get_linesize() + 2
        for line in self._wrapped:
            surface.blit(text(line, size, c.text), (r.left + pad, y))
            y += line_h
        self._draw_body(surface, text, size, s, y)
        labels = dict(self.buttons)
        for bid, br in self.button_rects.items():
            if br.bottom > r.bottom or bid not in labels:
                continue
            b = Button(bid, br, labels[bid], align="left" if self.column else "center", look=self.look)
            b.draw(surface, text, size, pressed=(pressed == bid))

    def _draw_body(self, surface, text, size, s, y) -> None:
        """Anything between the lines and the buttons (a form's fields)."""

    def title_fits(self, text: TextCache, size: int, s: float) -> bool:
        """Every title line fits inside the dialog (what item 5 of issue 13 asks)."""
        pad = int(20 * s)
        return all(text.width(t, self.title_size(size)) <= self.rect.width - 2 * pad for t in self._title_lines)


@dataclass
class FormDialog(FitDialog):
    """A `FitDialog` with text fields and an optional column of `choices` (id, label) under them."""

    fields: list[TextField] = field(default_factory=list)
    focus: int = 0
    choices: list[tuple[str, str]] = field(default_factory=list)
    choices_title: str = ""

    @property
    def focused(self) -> TextField | None:
        return self.fields[self.focus] if 0 <= self.focus < len(self.fields) else None

    def layout(self, area: pygame.Rect, s: float, size: int) -> None:
        super().layout(area, s, size)
        lh = render.font(size).get_linesize()
        field_h = int(56 * s)
        gap = int(10 * s)
        pad = int(20 * s)
        choice_h = int(48 * s)
        body = len(self.fields) * (lh + field_h + gap)
        n_choices = len(self.choices)
        if n_choices:
            body += lh + gap + n_choices * (choice_h + 4)
        # fit in the area: fewer choices shown when the window is short
        room = area.height - 2 * gap - self.rect.height
        while n_choices and body > room:
            n_choices -= 1
            body -= choice_h + 4
        self._shown_choices = self.choices[:n_choices]
        old_height = self.rect.height
        old_top = self.rect.top
        self.rect.height = min(old_height + body, area.height - 2 * gap)
        self.rect.center = area.center
        top_of_body = self.title_bottom(s, size) + len(self._wrapped) * (lh + 2)
        y = top_of_body
        for f in self.fields:
            y += lh
            f.rect = pygame.Rect(self.rect.left + pad, y, self.rect.width - 2 * pad, field_h)
            y += field_h + gap
        self._choices_at = y
        self._choice_rects = {}
        if self._shown_choices:
            y += lh + gap
            for cid, _ in self._shown_choices:
                self._choice_rects[cid] = pygame.Rect(self.rect.left + pad, y, self.rect.width - 2 * pad, choice_h)
                y += choice_h + 4
        dy = self.rect.top - old_top + (self.rect.height - old_height)
        for bid, r in list(self.button_rects.items()):
            self.button_rects[bid] = r.move(0, dy)

    def hit(self, pos) -> str | None:
        for i, f in enumerate(self.fields):
            if f.rect.collidepoint(pos):
                return f"field:{i}"
        for cid, r in getattr(self, "_choice_rects", {}).items():
            if r.collidepoint(pos) and r.bottom <= self.rect.bottom:
                return cid
        return super().hit(pos)

    def choice_center(self, cid: str) -> tuple[int, int]:
        return self._choice_rects[cid].center

    def _draw_body(self, surface, text, size, s, y) -> None:
        c = self.look.palette
        for i, f in enumerate(self.fields):
            surface.blit(text(f.label, size, c.muted),
                         (f.rect.left, f.rect.top - render.font(size).get_linesize()))
            f.draw(surface, text, size, i == self.focus, self.look)
        if self._choice_rects:
            surface.blit(text(self.choices_title, size, c.text), (self.rect.left + int(20 * s), self._choices_at))
            labels = dict(self.choices)
            for cid, r in self._choice_rects.items():
                Button(cid, r, labels[cid], align="left", look=self.look).draw(surface, text, size)
