"""The kit's `RankingPanel`, the clinician panel: red flags (always on top, in red), the matcher's ranking, prompts.

A window may give it rows of its own, above the ranking (`rows`, an owned part with `add_rows(add, s)`: the
painting window's questions, ui/paint/questions.py). A row may carry buttons (`choices`, drawn under its text
and hit as `panel:q:<key>:<choice>`): the panel lays them out, draws and hits them, the part only says which.

The matcher (`bodymap.matcher`) is imported only when the panel first needs it
(`load_matcher`), so the painting window works, and says "matcher unavailable",
when it is missing or broken.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pygame

from ... import render
from ...localprior import ranking_note
from .desk_colours import (AGAINST_TEXT, BAR_BG, BAR_FILL, BAR_LINE, BUTTON_BG, BUTTON_BORDER, FOR_TEXT, MUTED, RED,
                           RED_BG, SELECT_BG, SELECT_BORDER, TEXT)
from .scroll import ScrollList
from .text import TextCache, wrap_text

def load_matcher():
    """The matcher module, imported on first use. Raises ImportError when it is not there."""
    from ... import matcher

    if not hasattr(matcher, "match"):
        raise ImportError("bodymap.matcher has no match()")
    return matcher


def hypothesis_label(h: Any) -> str:
    """The one wording of a hypothesis (bodymap.triage.hypothesis_words): the same in every window."""
    from ...triage import hypothesis_words

    return hypothesis_words(h)


@dataclass
class PanelRow:
    kind: str  # title, heading, red_flag, note, hypothesis, evidence_for/_against, zone_note, prompt, disclaimer
    lines: list[str]
    rect: pygame.Rect  # in panel coordinates (content coordinates for scrolled rows)
    colour: tuple[int, int, int]
    index: int | None = None  # hypothesis index
    fixed: bool = False  # red flags and the title do not scroll
    probability: float = 0.0
    key: str | None = None  # a question row's answer key (bodymap.ui.paint.questions)
    choices: tuple[tuple[str, str, bool], ...] = ()  # the row's buttons: (choice, label, quiet unless chosen)
    chosen: str | None = None  # the choice shown as on


def flag_box_rows(flags: list[Any], n: int, y: int, pad: int, gap: int, inner: int,
                  size: int) -> tuple[list["PanelRow"], int, bool]:
    """The rows of a red-flag box of `n` lines, the same height with or without flags: one flag a line
    (cut to the width), the last line saying how many more; "No red flag so far" when none.
    Returns the rows, the y under the box and whether any flag was cut (its full text then follows the
    questions, still above the ranking)."""
    flh = render.font(size).get_linesize() + 1
    y += pad // 2  # the box's border sits in this margin, above and below the lines
    texts = [str(getattr(f, "text", f)) for f in flags]
    shown = texts if len(texts) <= n else texts[:n - 1] + [f"+{len(texts) - n + 1} more red flags (listed in "
                                                           "full below the questions)"]
    cut = len(texts) > n
    calm = wrap_text("No red flag so far: the answers and the painting are checked as you go.", size,
                     inner - pad, max_lines=n)
    rows = []
    for i in range(n):
        text = shown[i] if i < len(shown) else ""
        kind = "red_flag" if i < len(shown) else "spacer"
        if not flags and i < len(calm):
            text, kind = calm[i], "no_flag"
        line = (wrap_text(text, size, inner - pad, max_lines=1) or [""])[0]
        cut = cut or (kind == "red_flag" and line != text)
        rows.append(PanelRow(kind, [line] if text else [], pygame.Rect(pad + pad // 2, y, inner - pad, flh),
                             RED if kind == "red_flag" else MUTED, None, True))
        y += flh
    return rows, y + pad // 2 + gap, cut


def draw_flag_box(surf: pygame.Surface, rows: list["PanelRow"], pad: int, width: int) -> None:
    """The box of constant height around `flag_box_rows`: red with flags, a thin line without."""
    reserved = [r for r in rows if r.fixed and r.kind in ("red_flag", "no_flag", "spacer")]
    if not reserved:
        return
    flags = any(r.kind == "red_flag" for r in reserved)
    top, bottom = reserved[0].rect.top - pad // 2, reserved[-1].rect.bottom + pad // 2
    box = pygame.Rect(pad // 2, top, width - pad, bottom - top)
    pygame.draw.rect(surf, RED_BG if flags else BAR_BG, box, border_radius=6)
    pygame.draw.rect(surf, RED if flags else BUTTON_BORDER, box, width=3 if flags else 1, border_radius=6)


class _Scrolled:
    """A panel attribute kept by its ScrollList (`scroll` is the list's offset)."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj, owner=None):
        return self if obj is None else getattr(obj.scroller, self.name)

    def __set__(self, obj, value) -> None:
        setattr(obj.scroller, self.name, value)


class RankingPanel:
    """The clinician panel (see the module). `rows`: an owned part that adds the window's rows above the ranking
    (`add_rows(add, s)`, and `state_key`: what those rows show), or None. `flag_lines`: 0, the red-flag box grows
    with the flags; N, a box of N lines always, so that a flag raised while answering never moves the rows
    under it (the painting window's questions, issue 21)."""

    scroll, fixed_h, content_h = _Scrolled("offset"), _Scrolled("fixed_h"), _Scrolled("content_h")

    def __init__(self, rows: Any = None, flag_lines: int = 0) -> None:
        self.extra = rows
        self.flag_lines = flag_lines
        self.ranking: Any = None
        self.computed = False  # nothing asked of the matcher yet: show nothing rather than a guess
        self.error: str | None = None
        self.disclaimer: str | None = None
        self.empty_map = True
        self.selected: tuple[str, str] | None = None
        self.rect = pygame.Rect(0, 0, 0, 0)
        self.rows: list[PanelRow] = []
        self.scroller = ScrollList()  # the offset under the fixed top, drags and the scroll hint (kit.scroll)
        self._surface: pygame.Surface | None = None
        self._dirty = True
        self._drawn_offset = 0
        self._s = 1.0
        self._size = 28

    # -- model ----------------------------------------------------------
    @property
    def hypotheses(self) -> list[Any]:
        return list(getattr(self.ranking, "hypotheses", None) or []) if self.ranking is not None else []

    @property
    def red_flags(self) -> list[Any]:
        return list(getattr(self.ranking, "red_flags", None) or []) if self.ranking is not None else []

    @property
    def prompts(self) -> list[str]:
        return [str(p) for p in (getattr(self.ranking, "prompts", None) or [])] if self.ranking is not None else []

    def set_ranking(self, ranking: Any, error: str | None, empty_map: bool, disclaimer: str | None = None) -> None:
        self.ranking, self.error, self.empty_map, self.disclaimer = ranking, error, empty_map, disclaimer
        self.computed = True
        keys = {(str(getattr(h, "id", "")), str(getattr(h, "side", ""))) for h in self.hypotheses}
        if self.selected not in keys:
            self.selected = None
        self._relayout()

    def select(self, index: int | None) -> tuple[str, str] | None:
        """Select hypothesis `index` (selecting the selected one again clears the selection)."""
        hyps = self.hypotheses
        if index is None or not 0 <= index < len(hyps):
            self.selected = None
        else:
            key = (str(getattr(hyps[index], "id", "")), str(getattr(hyps[index], "side", "")))
            self.selected = None if key == self.selected else key
        self._relayout()
        return self.selected

    def selected_hypothesis(self) -> Any:
        for h in self.hypotheses:
            if (str(getattr(h, "id", "")), str(getattr(h, "side", ""))) == self.selected:
                return h
        return None

    @property
    def items(self) -> list[tuple[str, str]]:
        """(kind, text) top to bottom: what the panel shows."""
        return [(r.kind, " ".join(r.lines)) for r in self.rows]

    # -- layout ---------------------------------------------------------
    def layout(self, rect: pygame.Rect, s: float, size: int) -> None:
        if rect != self.rect or s != self._s or size != self._size:
            self.rect, self._s, self._size = pygame.Rect(rect), s, size
            self._relayout()

    def _relayout(self) -> None:
        self._dirty = True
        self.rows = []
        if self.rect.width <= 0:
            return
        s, size = self._s, self._size
        pad = int(14 * s)
        gap = int(8 * s)
        inner = self.rect.width - 2 * pad
        y = pad

        def add(kind, text, colour, *, fixed=False, index=None, indent=0, min_h=0, probability=0.0, fsize=None,
                key=None, skip=0, choices=(), chosen=None):
            nonlocal y
            y += skip
            fs = fsize or size
            lines = wrap_text(text, fs, inner - indent - (2 * pad if min_h else 0))
            flh = render.font(fs).get_linesize() + 1
            extra_h = self._choice_h() + int(6 * s) if choices else 0  # the row's buttons under its text
            h = max(len(lines) * flh + (2 * pad if min_h else 0), min_h) + extra_h
            row = PanelRow(kind, lines, pygame.Rect(pad + indent, y, inner - indent, h), colour, index, fixed,
                           probability, key, tuple(choices), chosen)
            self.rows.append(row)
            y += h + gap
            return row

        add("title", "Clinician panel", TEXT, fixed=True, fsize=int(size * 1.1))
        flags = self.red_flags
        cut = False
        if self.flag_lines:  # a box of constant height: a flag raised by an answer moves no button below it
            rows, y, cut = flag_box_rows(flags, self.flag_lines, y, pad, gap, inner, size)
            self.rows += rows
        elif flags:
            add("heading", "RED FLAG" if len(flags) == 1 else f"RED FLAGS ({len(flags)})", RED, fixed=True)
            for f in flags:
                add("red_flag", str(getattr(f, "text", f)), RED, fixed=True)
            y += gap
        self.fixed_h = y
        if self.extra is not None:  # the window's rows above the ranking (the painting window's questions)
            self.extra.add_rows(add, s)
        if cut:  # the box could not hold every flag whole: all of them in full, still above the ranking
            add("heading", "Red flags in full", RED, skip=gap)
            for f in flags:
                add("red_flag_detail", str(getattr(f, "text", f)), RED, indent=int(8 * s))
        if not self.computed:
            pass
        elif self.ranking is None or self.error:
            add("note", self.error or "matcher unavailable", MUTED)
        else:
            hyps = self.hypotheses
            if not hyps:
                add("note", "Paint where it hurts to see which patterns fit." if self.empty_map
                    else "No referral pattern fits this painting.", MUTED)
            else:
                caveat = getattr(self.ranking, "caveat", None)
                if caveat:  # a flag or a prompt is present: the percentages assume no serious cause (issue 18)
                    add("caveat", str(caveat), RED if self.red_flags else MUTED)
                add("heading", "Consistent with (tap to show the zone)", TEXT)
                prior_note = ranking_note(self.ranking)
                if prior_note:  # opt-in clinic prior (issue 25): never shape the percentages unseen
                    add("note", prior_note, AGAINST_TEXT)
                btn_h = int(56 * s)
                for i, h in enumerate(hyps):
                    key = (str(getattr(h, "id", "")), str(getattr(h, "side", "")))
                    add("hypothesis", hypothesis_label(h), TEXT, index=i, min_h=btn_h,
                        probability=float(getattr(h, "probability", 0.0) or 0.0))
                    if key == self.selected:
                        ev = list(getattr(h, "evidence", None) or [])
                        for e in ev:
                            d = str(getattr(e, "direction", "for"))
                            sign, col, kind = ("+", FOR_TEXT, "evidence_for") if d == "for" else \
                                ("−", AGAINST_TEXT, "evidence_against")
                            src = str(getattr(e, "source", "") or "")
                            add(kind, f"{sign} {getattr(e, 'text', e)}" + (f" [{src}]" if src else ""), col,
                                indent=int(16 * s))
                        add("zone_note", "Shaded on the body: where this pattern is felt "
                                         "(darker = more typical).", MUTED, indent=int(16 * s))
            prompts = self.prompts
            if prompts:
                y += gap
                add("heading", "Ask about", TEXT)
                for p in prompts:
                    add("prompt", f"• {p}", TEXT, indent=int(8 * s))
        if self.computed and not (self.ranking is None or self.error) and self.disclaimer:
            y += gap
            add("disclaimer", self.disclaimer, MUTED)
        self.content_h = y
        self.scroller.height = self.rect.height
        self.scroller.clamp()

    @property
    def state_key(self) -> Any:
        """What the window's own rows show (their part's `state_key`), None without them."""
        return getattr(self.extra, "state_key", None)

    def _choice_h(self) -> int:
        return int(48 * self._s)

    def choice_rects(self, row: PanelRow) -> dict[str, pygame.Rect]:
        """The buttons of a row with choices, in panel coordinates (before scrolling), side by side under its text."""
        btn_h, gap = self._choice_h(), int(6 * self._s)
        r, n = row.rect, len(row.choices)
        w = (r.width - gap * (n - 1)) // n if n else 0
        return {c: pygame.Rect(r.left + i * (w + gap), r.bottom - btn_h, w, btn_h)
                for i, (c, _, _) in enumerate(row.choices)}

    def scroll_by(self, dy: int) -> None:
        self.scroll_to(self.scroll + dy)

    def scroll_to(self, y: int) -> None:
        self.scroller.scroll_to(y)  # drawn again at the next draw (it compares the offset drawn)

    def row_screen_rect(self, row: PanelRow) -> pygame.Rect:
        r = row.rect.move(self.rect.left, self.rect.top - (0 if row.fixed else self.scroll))
        return r

    def hit(self, pos) -> str | None:
        if not self.rect.collidepoint(pos):
            return None
        if pos[1] >= self.rect.top + self.fixed_h:  # a row's button: 'panel:q:<key>:<choice>'
            for row in self.rows:
                for c, r in self.choice_rects(row).items() if row.choices else ():
                    if r.move(self.rect.left, self.rect.top - self.scroll).collidepoint(pos):
                        return f"panel:q:{row.key}:{c}"
        for row in self.rows:
            if row.kind == "hypothesis":
                r = self.row_screen_rect(row)
                if r.collidepoint(pos) and pos[1] >= self.rect.top + self.fixed_h:
                    return f"panel:hyp:{row.index}"
        return None

    # -- drawing --------------------------------------------------------
    def draw(self, surface: pygame.Surface, text: TextCache) -> None:
        if self.rect.width <= 0:
            return
        if self._dirty or self._surface is None or self._surface.get_size() != self.rect.size or \
                self._drawn_offset != self.scroll:
            self._surface, self._drawn_offset = self._render(text), self.scroll
            self._dirty = False
        surface.blit(self._surface, self.rect.topleft)

    def _render(self, text: TextCache) -> pygame.Surface:
        s, size = self._s, self._size
        surf = pygame.Surface(self.rect.size)
        surf.fill(BAR_BG)
        pygame.draw.line(surf, BAR_LINE, (0, 0), (0, self.rect.height), 2)
        pygame.draw.line(surf, BAR_LINE, (0, 0), (self.rect.width, 0), 2)
        pad = int(14 * s)
        scrolled = pygame.Surface((self.rect.width, max(1, self.rect.height - self.fixed_h)))
        scrolled.fill(BAR_BG)
        pygame.draw.line(scrolled, BAR_LINE, (0, 0), (0, scrolled.get_height()), 2)
        flags = [r for r in self.rows if r.kind == "red_flag"]
        if self.flag_lines:
            draw_flag_box(surf, self.rows, pad, self.rect.width)
        elif flags:  # one red box around the red-flag heading and texts
            top = min(r.rect.top for r in self.rows if r.fixed and r.colour == RED) - pad // 2
            bottom = max(r.rect.bottom for r in flags) + pad // 2
            box = pygame.Rect(pad // 2, top, self.rect.width - pad, bottom - top)
            pygame.draw.rect(surf, RED_BG, box, border_radius=6)
            pygame.draw.rect(surf, RED, box, width=3, border_radius=6)
        for row in self.rows:
            target = surf if row.fixed else scrolled
            r = row.rect if row.fixed else row.rect.move(0, -self.fixed_h - self.scroll)
            if r.bottom < 0 or r.top > target.get_height():
                continue
            fs = int(size * 1.1) if row.kind == "title" else size
            lh = render.font(fs).get_linesize() + 1
            tx, ty = r.left, r.top
            if row.kind == "hypothesis":
                sel = self.selected is not None and row.index is not None and \
                    self._key(row.index) == self.selected
                pygame.draw.rect(target, SELECT_BG if sel else BUTTON_BG, r, border_radius=8)
                pygame.draw.rect(target, SELECT_BORDER if sel else BUTTON_BORDER, r, width=3 if sel else 2,
                                 border_radius=8)
                bar_h = max(5, int(6 * s))
                bw = int((r.width - 2 * pad) * min(max(row.probability, 0.0), 1.0))
                pygame.draw.rect(target, BAR_LINE, (r.left + pad, r.bottom - pad // 2 - bar_h, r.width - 2 * pad, bar_h))
                pygame.draw.rect(target, BAR_FILL, (r.left + pad, r.bottom - pad // 2 - bar_h, bw, bar_h))
                tx, ty = r.left + pad, r.top + pad - bar_h // 2
            for line in row.lines:
                target.blit(text(line, fs, row.colour), (tx, ty))
                ty += lh
        surf.blit(scrolled, (0, self.fixed_h))
        self.scroller.draw_hint(surf, self.rect.width, BUTTON_BORDER)
        self._draw_choices(surf, text)
        return surf

    def _draw_choices(self, surf: pygame.Surface, text: TextCache) -> None:
        """The buttons of the rows with choices, in the scrolled part."""
        surf.set_clip(pygame.Rect(0, self.fixed_h, self.rect.width, max(self.rect.height - self.fixed_h, 0)))
        for row in self.rows:
            labels = {c: (label, quiet) for c, label, quiet in row.choices}
            for c, r in self.choice_rects(row).items() if row.choices else ():
                r = r.move(0, -self.scroll)
                if r.bottom < self.fixed_h or r.top > self.rect.height:
                    continue
                on = c == row.chosen
                pygame.draw.rect(surf, SELECT_BG if on else BUTTON_BG, r, border_radius=8)
                pygame.draw.rect(surf, SELECT_BORDER if on else BUTTON_BORDER, r, width=3 if on else 2,
                                 border_radius=8)
                label, quiet = labels[c]
                t = text(label, max(14, int(self._size * 0.85)), MUTED if quiet and not on else TEXT)
                surf.blit(t, t.get_rect(center=r.center))
        surf.set_clip(None)

    def _key(self, index: int) -> tuple[str, str]:
        h = self.hypotheses[index]
        return str(getattr(h, "id", "")), str(getattr(h, "side", ""))
