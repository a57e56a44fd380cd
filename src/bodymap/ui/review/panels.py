"""The review window's two side panels: the list of maps, and the information about the open map(s).

Both are laid out in rows whose rectangles are kept (tests and hit tests read
them). The information panel has a fixed top part, where red flags go, in red,
above everything and never scrolled; the rest scrolls.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

import pygame

from ... import render, vocabulary
from ...bands import band_text, hypothesis_band
from ...render.body import diff_swatch
from ...review.entries import MapEntry
from ...review.words import entry_time
from ..kit import Button, TextCache, wrap_text
from ..kit.desk_colours import (BAR_BG, BAR_FILL, BAR_LINE, BUTTON_BG, BUTTON_BORDER, BUTTON_ON_BG, BUTTON_ON_TEXT, MUTED,
                               RED, RED_BG, SELECT_BG, SELECT_BORDER, TEXT)

TAG_TEXT = (255, 255, 255)


def urgency_tag(urgency: str | None) -> str:
    """The tag's words: the urgency ('EMERGENCY', 'SAME DAY'), or 'RED FLAG' when it is not known."""
    return vocabulary.urgency_label(urgency).upper() if urgency else "RED FLAG"


def draw_red_flag_tag(surface: pygame.Surface, text: TextCache, rect: pygame.Rect, size: int,
                      label: str = "RED FLAG") -> None:
    """The red-flag tag: white words on red, so it reads without colour too."""
    pygame.draw.rect(surface, RED, rect, border_radius=max(3, rect.height // 5))
    t = text(label, size, TAG_TEXT)
    surface.blit(t, t.get_rect(center=rect.center))


def tag_size(size: int, text: TextCache, label: str = "RED FLAG") -> tuple[int, int]:
    w = text.width(label, size)
    h = render.font(size).get_linesize()
    return w + 14, h + 4


# ---------------------------------------------------------------------------
# information panel


@dataclass
class Item:
    """What to show, before layout: kind decides the look (see InfoPanel._relayout)."""

    kind: str  # heading, text, muted, note, red_heading, red_flag, warn, hypothesis, evidence_for,
    #            evidence_against, legend, big
    text: str
    colour: tuple[int, int, int] = TEXT
    index: int | None = None  # hypothesis index
    probability: float = 0.0
    swatch: str | None = None  # legend: difference kind
    indent: int = 0  # base pixels
    selected: bool = False
    space_before: bool = False


@dataclass
class Row:
    item: Item
    lines: list[str]
    rect: pygame.Rect  # panel coordinates (fixed rows) or scroll-content coordinates
    fixed: bool
    size: int

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def index(self) -> int | None:
        return self.item.index


class InfoPanel:
    def __init__(self) -> None:
        self.fixed_items: list[Item] = []
        self.items: list[Item] = []
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.rows: list[Row] = []
        self.fixed_h = 0
        self.content_h = 0
        self.scroll = 0
        self.s = 1.0
        self.size = 24
        self.small = 20
        self.btn = 56
        self.red_box_local: pygame.Rect | None = None

    def set_items(self, fixed: list[Item], items: list[Item], keep_scroll: bool = False) -> None:
        self.fixed_items, self.items = list(fixed), list(items)
        if not keep_scroll:
            self.scroll = 0
        self._relayout()

    def layout(self, rect: pygame.Rect, s: float, size: int, small: int, btn: int) -> None:
        if (pygame.Rect(rect), s, size, small, btn) != (self.rect, self.s, self.size, self.small, self.btn):
            self.rect, self.s, self.size, self.small, self.btn = pygame.Rect(rect), s, size, small, btn
            self._relayout()

    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def _relayout(self) -> None:
        self.rows = []
        self.red_box_local = None
        if self.rect.width <= 0:
            return
        pad, gap = self.px(14), self.px(6)
        inner = self.rect.width - 2 * pad

        def place(items: list[Item], y: int, fixed: bool) -> int:
            for it in items:
                if it.space_before:
                    y += self.px(10)
                size = self.small if it.kind in ("muted", "note", "evidence_for", "evidence_against", "warn") \
                    else self.size
                if it.kind == "big":
                    size = int(self.size * 1.15)
                indent = self.px(it.indent)
                if it.kind == "hypothesis":
                    ipad = self.px(12)
                    lines = wrap_text(it.text, size, inner - indent - 2 * ipad)
                    lh = render.font(size).get_linesize()
                    h = max(self.btn, len(lines) * lh + 2 * ipad + self.px(8))
                elif it.kind == "legend":
                    sw = self.px(52)
                    lines = wrap_text(it.text, size, inner - indent - sw - self.px(10))
                    lh = render.font(size).get_linesize()
                    h = max(len(lines) * lh, self.px(30))
                else:
                    lines = wrap_text(it.text, size, inner - indent) or [""]
                    h = len(lines) * (render.font(size).get_linesize() + 1)
                self.rows.append(Row(it, lines, pygame.Rect(pad + indent, y, inner - indent, h), fixed, size))
                y += h + gap
            return y

        y = pad
        red_items = [it for it in self.fixed_items if it.kind in ("red_heading", "red_flag")]
        others = [it for it in self.fixed_items if it.kind not in ("red_heading", "red_flag")]
        if red_items:
            y += self.px(4)
            start = len(self.rows)
            y = place(red_items, y + self.px(6), True)
            top = self.rows[start].rect.top - self.px(10)
            bottom = self.rows[-1].rect.bottom + self.px(10)
            self.red_box_local = pygame.Rect(pad // 2, top, self.rect.width - pad, bottom - top)
            y = bottom + gap + self.px(4)
        y = place(others, y, True)
        self.fixed_h = min(y, self.rect.height)
        self.content_h = place(self.items, pad, False) + pad
        self._clamp()

    # -- scrolling and hits ---------------------------------------------
    @property
    def viewport(self) -> pygame.Rect:
        """The scrolled part on screen."""
        return pygame.Rect(self.rect.left, self.rect.top + self.fixed_h, self.rect.width,
                           max(0, self.rect.height - self.fixed_h))

    @property
    def red_box(self) -> pygame.Rect | None:
        """The red-flag box on screen (None without red flags)."""
        return None if self.red_box_local is None else self.red_box_local.move(self.rect.topleft)

    def _clamp(self) -> None:
        self.scroll = int(min(max(self.scroll, 0), self.max_scroll))

    @property
    def max_scroll(self) -> int:
        return max(0, self.content_h - self.viewport.height)

    def scroll_to(self, y: int) -> None:
        self.scroll = int(y)
        self._clamp()

    def scroll_by(self, dy: int) -> None:
        self.scroll_to(self.scroll + dy)

    def row_screen_rect(self, row: Row) -> pygame.Rect:
        if row.fixed:
            return row.rect.move(self.rect.topleft)
        return row.rect.move(self.rect.left, self.viewport.top - self.scroll)

    def is_visible(self, row: Row) -> bool:
        r = self.row_screen_rect(row)
        if row.fixed:
            return r.colliderect(self.rect)
        return r.colliderect(self.viewport)

    def visible_rect(self, row: Row) -> pygame.Rect:
        r = self.row_screen_rect(row)
        return r.clip(self.rect if row.fixed else self.viewport)

    def hit(self, pos) -> str | None:
        if not self.viewport.collidepoint(pos):
            return None
        for row in self.rows:
            if row.kind == "hypothesis" and not row.fixed and self.row_screen_rect(row).collidepoint(pos):
                return f"info:hyp:{row.index}"
        return None

    def hypothesis_rows(self) -> list[Row]:
        return [r for r in self.rows if r.kind == "hypothesis"]

    def texts(self) -> list[tuple[str, str]]:
        """(kind, text) top to bottom: what the panel shows (fixed part first)."""
        return [(r.kind, " ".join(r.lines)) for r in self.rows]

    # -- drawing ----------------------------------------------------------
    def draw(self, surface: pygame.Surface, text: TextCache) -> None:
        if self.rect.width <= 0 or self.rect.height <= 0:
            return
        pygame.draw.rect(surface, BAR_BG, self.rect)
        pygame.draw.line(surface, BAR_LINE, self.rect.topleft, self.rect.bottomleft, 2)
        pygame.draw.line(surface, BAR_LINE, self.rect.topleft, self.rect.topright, 2)
        clip = surface.get_clip()
        vp = self.viewport
        surface.set_clip(vp.clip(clip) if clip else vp)
        for row in self.rows:
            if not row.fixed and self.is_visible(row):
                self._draw_row(surface, text, row)
        surface.set_clip(self.rect.clip(clip) if clip else self.rect)
        box = self.red_box
        if box is not None:
            pygame.draw.rect(surface, RED_BG, box, border_radius=6)
            pygame.draw.rect(surface, RED, box, width=3, border_radius=6)
        for row in self.rows:
            if row.fixed:
                self._draw_row(surface, text, row)
        if self.fixed_h > 0 and self.fixed_h < self.rect.height:
            y = vp.top
            pygame.draw.line(surface, BAR_LINE, (self.rect.left, y), (self.rect.right, y), 2)
        if self.max_scroll > 0 and vp.height > 0:  # a scroll hint
            total = self.content_h
            bar = max(self.px(24), int(vp.height * vp.height / max(total, 1)))
            y = vp.top + int((vp.height - bar) * self.scroll / max(self.max_scroll, 1))
            pygame.draw.rect(surface, BUTTON_BORDER, (self.rect.right - self.px(7), y, self.px(5), bar),
                             border_radius=2)
        surface.set_clip(clip)

    def _draw_row(self, surface: pygame.Surface, text: TextCache, row: Row) -> None:
        r = self.row_screen_rect(row)
        it = row.item
        lh = render.font(row.size).get_linesize()
        if row.kind == "hypothesis":
            pygame.draw.rect(surface, SELECT_BG if it.selected else BUTTON_BG, r, border_radius=8)
            pygame.draw.rect(surface, SELECT_BORDER if it.selected else BUTTON_BORDER, r,
                             width=3 if it.selected else 2, border_radius=8)
            ipad = self.px(12)
            bar_h = max(5, self.px(6))
            bw = int((r.width - 2 * ipad) * min(max(it.probability, 0.0), 1.0))
            by = r.bottom - ipad // 2 - bar_h - 2
            pygame.draw.rect(surface, BAR_LINE, (r.left + ipad, by, r.width - 2 * ipad, bar_h))
            pygame.draw.rect(surface, BAR_FILL, (r.left + ipad, by, bw, bar_h))
            ty = r.top + (by - r.top - len(row.lines) * lh) // 2 + 1
            for line in row.lines:
                surface.blit(text(line, row.size, it.colour), (r.left + ipad, ty))
                ty += lh
            return
        x = r.left
        if row.kind == "legend" and it.swatch:
            sw_w, sw_h = self.px(44), self.px(26)
            sw = diff_swatch(it.swatch, sw_w, sw_h, period=max(6, self.px(8)))
            top = r.top + max(0, (min(r.height, lh) - sw_h) // 2)
            surface.blit(sw, (x, top))
            pygame.draw.rect(surface, render.OUTLINE, (x, top, sw_w, sw_h), 1)
            x += self.px(52) + self.px(4)
        y = r.top
        for line in row.lines:
            surface.blit(text(line, row.size, it.colour), (x, y))
            y += lh + (0 if row.kind == "legend" else 1)


# ---------------------------------------------------------------------------
# list of maps


@dataclass
class ListRow:
    index: int
    rect: pygame.Rect  # content coordinates
    lines: list[tuple[str, int, tuple[int, int, int]]]  # (text, size, colour)
    tag: bool  # RED FLAG tag
    badge: str | None = None  # BEFORE / AFTER in compare mode


@dataclass
class MapList:
    entries: list[MapEntry] = field(default_factory=list)
    rect: pygame.Rect = field(default_factory=lambda: pygame.Rect(0, 0, 0, 0))
    rows: list[ListRow] = field(default_factory=list)
    scroll: int = 0
    selected: int | None = None
    badges: dict[int, str] = field(default_factory=dict)
    picking: bool = False
    header_h: int = 0
    content_h: int = 0
    cancel_button: Button | None = None
    tz: tzinfo | None = None
    s: float = 1.0
    size: int = 24
    small: int = 20
    btn: int = 56
    header_lines: list[str] = field(default_factory=list)
    filter_words: str | None = None  # the filter in force ("Red flags only"), None for all maps
    total: int = 0  # maps in the folder, before the filter

    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def layout(self, rect: pygame.Rect, s: float, size: int, small: int, btn: int, text: TextCache) -> None:
        self.rect, self.s, self.size, self.small, self.btn = pygame.Rect(rect), s, size, small, btn
        pad = self.px(10)
        inner = self.rect.width - 2 * pad
        # header: count, order, and while picking a banner with Cancel
        n = len(self.entries)
        flagged = sum(1 for e in self.entries if e.red_flag)
        deeper = getattr(self, "in_subfolders", 0)  # maps below the folder (review reads MAX_DEPTH levels)
        head = f"{n} map{'s' if n != 1 else ''}{f' ({deeper} in subfolders)' if deeper else ''}, red flags first"
        if self.filter_words:
            head = f"{n} of {self.total} maps ({self.filter_words.removeprefix('Filter: ')})"
        self.header_lines = wrap_text(head, size, inner)
        self.header_plain = len(self.header_lines)  # the count's own lines; a red-flag line follows in red
        if flagged:
            self.header_lines += wrap_text(f"{flagged} with red flags, most urgent first", small, inner)
        y = pad + len(self.header_lines) * (render.font(size).get_linesize())
        self.cancel_button = None
        if self.picking:
            self.pick_lines = wrap_text("Pick the map to compare with:", size, inner)
            y += self.px(8) + len(self.pick_lines) * render.font(size).get_linesize() + self.px(6)
            self.cancel_button = Button("pick_cancel", pygame.Rect(self.rect.left + pad, self.rect.top + y, inner, btn),
                                        "Cancel comparing")
            y += btn
        self.header_h = min(y + pad, self.rect.height)
        # rows
        self.rows = []
        y = 0
        th = tag_size(small, text)[1]
        for i, e in enumerate(self.entries):
            lines: list[tuple[str, int, tuple[int, int, int]]] = []
            tw = tag_size(small, text, urgency_tag(e.urgency))[0]
            title_w = inner - 2 * pad - ((tw + self.px(8)) if e.red_flag else 0)
            title = wrap_text(e.title, size, title_w, max_lines=1)
            lines.append((title[0] if title else "", size, TEXT))
            if e.ok:
                if e.patient_id:  # review is a clinician tool: the patient identifier is shown (never at the kiosk)
                    who = f"Patient {e.patient_id}" + (f", visit {e.visit_date}" if e.visit_date else "")
                    for t in wrap_text(who, small, inner - 2 * pad, max_lines=1):
                        lines.append((t, small, TEXT))
                lines.append((entry_time(e, self.tz), small, MUTED))
                if e.red_flag:
                    for t in wrap_text(e.flag_summary(), small, inner - 2 * pad, max_lines=2):
                        lines.append((t, small, RED))
                if e.match_error:
                    lines.append(("matcher error: red flags from the answers only", small, RED))
                if e.session_code:
                    for t in wrap_text(e.path.name, small, inner - 2 * pad, max_lines=1):
                        lines.append((t, small, MUTED))
            else:
                for t in wrap_text(f"cannot open: {e.error}", small, inner - 2 * pad, max_lines=2):
                    lines.append((t, small, RED))
            h = sum(self._line_h(k, sz, e.red_flag, th) for k, (_, sz, _) in enumerate(lines)) + 2 * self.px(8)
            h = max(h, btn)
            self.rows.append(ListRow(i, pygame.Rect(pad, y, inner, h), lines, e.red_flag, self.badges.get(i)))
            y += h + self.px(6)
        self.content_h = y
        self._clamp()

    @staticmethod
    def _line_h(k: int, size: int, tag: bool, tag_h: int) -> int:
        lh = render.font(size).get_linesize()
        return max(lh, tag_h + 3) if (k == 0 and tag) else lh

    @property
    def viewport(self) -> pygame.Rect:
        return pygame.Rect(self.rect.left, self.rect.top + self.header_h, self.rect.width,
                           max(0, self.rect.height - self.header_h))

    @property
    def max_scroll(self) -> int:
        return max(0, self.content_h - self.viewport.height + self.px(10))

    def _clamp(self) -> None:
        self.scroll = int(min(max(self.scroll, 0), self.max_scroll))

    def scroll_to(self, y: int) -> None:
        self.scroll = int(y)
        self._clamp()

    def scroll_by(self, dy: int) -> None:
        self.scroll_to(self.scroll + dy)

    def row_screen_rect(self, row: ListRow) -> pygame.Rect:
        return row.rect.move(self.rect.left, self.viewport.top - self.scroll)

    def ensure_visible(self, index: int) -> None:
        for row in self.rows:
            if row.index == index:
                r = self.row_screen_rect(row)
                vp = self.viewport
                if r.top < vp.top:
                    self.scroll_by(r.top - vp.top)
                elif r.bottom > vp.bottom:
                    self.scroll_by(r.bottom - vp.bottom)

    def hit(self, pos) -> str | None:
        if self.cancel_button is not None and self.cancel_button.rect.collidepoint(pos):
            return "pick_cancel"
        if not self.viewport.collidepoint(pos):
            return None
        for row in self.rows:
            if self.row_screen_rect(row).collidepoint(pos):
                return f"list:{row.index}"
        return None

    def draw(self, surface: pygame.Surface, text: TextCache, pressed: str | None = None) -> None:
        if self.rect.width <= 0 or self.rect.height <= 0:
            return
        pygame.draw.rect(surface, BAR_BG, self.rect)
        pygame.draw.line(surface, BAR_LINE, (self.rect.right - 1, self.rect.top),
                         (self.rect.right - 1, self.rect.bottom), 2)
        clip = surface.get_clip()
        surface.set_clip(self.rect.clip(clip) if clip else self.rect)
        pad = self.px(10)
        y = self.rect.top + pad
        for i, line in enumerate(self.header_lines):
            plain = i < getattr(self, "header_plain", 1)
            sz = self.size if plain else self.small
            surface.blit(text(line, sz, TEXT if plain else RED), (self.rect.left + pad, y))
            y += render.font(sz).get_linesize()
        if self.picking:
            y += self.px(8)
            for line in self.pick_lines:
                surface.blit(text(line, self.size, SELECT_BORDER), (self.rect.left + pad, y))
                y += render.font(self.size).get_linesize()
            if self.cancel_button is not None:
                self.cancel_button.draw(surface, text, self.size, pressed=(pressed == "pick_cancel"))
        vp = self.viewport
        pygame.draw.line(surface, BAR_LINE, (vp.left, vp.top), (vp.right, vp.top), 2)
        surface.set_clip(vp.clip(clip) if clip else vp)
        th = tag_size(self.small, text)[1]
        for row in self.rows:
            r = self.row_screen_rect(row)
            if not r.colliderect(vp):
                continue
            e = self.entries[row.index]
            sel = row.index == self.selected
            bg = SELECT_BG if sel else (BUTTON_BG if e.ok else (245, 240, 236))
            if pressed == f"list:{row.index}":
                bg = (222, 214, 206)
            pygame.draw.rect(surface, bg, r, border_radius=8)
            pygame.draw.rect(surface, SELECT_BORDER if sel else BUTTON_BORDER, r, width=3 if sel else 1,
                             border_radius=8)
            ipad = self.px(8)
            x, yy = r.left + ipad + self.px(4), r.top + ipad
            for k, (t, sz, col) in enumerate(row.lines):
                surface.blit(text(t, sz, col), (x, yy))
                if k == 0 and row.tag:
                    label = urgency_tag(e.urgency)
                    tw = tag_size(self.small, text, label)[0]
                    tag = pygame.Rect(r.right - ipad - tw, yy + 1, tw, th)
                    draw_red_flag_tag(surface, text, tag, self.small, label)
                yy += self._line_h(k, sz, row.tag, th)
            badge = self.badges.get(row.index)
            if badge:
                bw = text.width(badge, self.small) + self.px(12)
                bh = render.font(self.small).get_linesize() + 2
                br = pygame.Rect(r.right - ipad - bw, r.bottom - ipad - bh, bw, bh)
                pygame.draw.rect(surface, BUTTON_ON_BG, br, border_radius=4)
                tt = text(badge, self.small, BUTTON_ON_TEXT)
                surface.blit(tt, tt.get_rect(center=br.center))
        surface.set_clip(clip)
        if self.max_scroll > 0 and vp.height > 0:
            total = self.content_h
            bar = max(self.px(24), int(vp.height * vp.height / max(total, 1)))
            yb = vp.top + int((vp.height - bar) * self.scroll / max(self.max_scroll, 1))
            pygame.draw.rect(surface, BUTTON_BORDER, (self.rect.right - self.px(8), yb, self.px(5), bar),
                             border_radius=2)

    def row_center(self, index: int) -> tuple[int, int]:
        for row in self.rows:
            if row.index == index:
                return self.row_screen_rect(row).center
        raise KeyError(index)


def hypothesis_text(h: Any) -> str:
    """The one wording of a hypothesis (bodymap.triage.hypothesis_words): the same in every window."""
    from ...triage import hypothesis_words

    return hypothesis_words(h)
