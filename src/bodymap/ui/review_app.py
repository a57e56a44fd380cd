"""The clinician review window: `bodymap review FILE_OR_FOLDER`.

A folder lists its maps newest first, each with its session code, time and a
RED FLAG tag when the match (or the kiosk) found red flags; a file that cannot
be read is listed as "cannot open: <reason>". Choosing a map shows its drawing
on both views (with region outlines, dermatomes and the selected pattern's zone
as toggles) and, on the right, its red flags at the top in red, never scrolled,
then the ranked matches with their evidence, the answers, intensity and extent.
"Compare with..." then a second map shows the two drawings side by side and a
difference overlay (new, resolved, persistent) with Jaccard similarity and the
change in extent, "before" being the older map.

`ReviewScreen` holds all the state and is driven by events (`handle_event`,
`update`, `draw`), like the painting window's `PaintScreen`; `run_review` only
pumps pygame's events into it. Positions are read from events, never from
pygame.mouse; SDL's mouse copies of touches (event.touch) are ignored.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from .. import fileformat
from ..atlas import VIEWS, Atlas, load_atlas
from ..compare import Comparison, compare
from ..errors import BodymapError
from ..painting import SENSATIONS, PainMap
from .. import render
from .widgets import POINTER_EVENTS, flow_buttons, pointer
from ..render.picture import SENSATION_STYLE
from ..render.overlay import PaintOverlay
from .review_draw import (DIFF_KINDS, DIFF_STYLE, Pair, diff_surface, diff_swatch, draw_body_under, draw_lines_over,
                          draw_pair_titles, draw_side_markers, layout_pair, paint_period)
from ..vocabulary import unanswered_red_flag_keys
from .review_model import (MapEntry, answer_lines, entry_time, extent_line, flags_of, intensity_line, one_line,
                           regions_line, run_match, scan, sensations_line, RED_FLAG_QUESTIONS, QUESTION_WORDS)
from .review_panel import InfoPanel, Item, MapList, draw_red_flag_tag, hypothesis_text, tag_size
from .widgets import (AGAINST_TEXT, BAR_BG, BAR_LINE, BUTTON_ON_BG, BUTTON_ON_TEXT, FOR_TEXT, MUTED, RED, TEXT,
                      Button, TextCache, swatch_surface, wrap_text)

BASE_SIZE = (1400, 900)
MIN_TARGET = 48  # px: every button and row is at least this tall
TOAST_SECONDS = 3.0
CACHE_MAPS = 4
DISCLAIMER = ("Decision aid, not a diagnosis: painted areas overlap heavily between sources of pain. "
              "Probabilities are calibrated on simulated and textbook cases only.")


@dataclass
class Loaded:
    """A map opened for viewing: the pain map and its ranking (or why not)."""

    entry: MapEntry
    pain_map: PainMap | None
    ranking: Any = None
    error: str | None = None
    match_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.pain_map is not None


class ReviewScreen:
    """The review window as a state machine over events.

    `path`: a .bodymap file (opened straight away) or a folder (listed).
    `matcher`: an object with `match(pain_map)` and `pattern_zone(atlas, id, side)`
    (default: `bodymap.matcher`). `tz`: the time zone times are shown in (default: local).
    """

    def __init__(self, path: str | os.PathLike, size: tuple[int, int] = BASE_SIZE, *, atlas: Atlas | None = None,
                 matcher: Any = None, tz: tzinfo | None = None):
        self.source = Path(path)
        self.is_folder = self.source.is_dir()
        self.atlas = atlas or load_atlas()
        self._matcher_obj = matcher
        self.tz = tz
        self.text = TextCache()
        self.size = (max(int(size[0]), 1), max(int(size[1]), 1))
        self.show_list = self.is_folder
        self.show_outlines = True
        self.show_dermatomes = False
        self.show_zone = True
        self.mode = "single"  # single, pick (choosing the map to compare with), compare
        self.entries: list[MapEntry] = []
        self.current: Loaded | None = None
        self.partner: Loaded | None = None
        self.before: Loaded | None = None
        self.after: Loaded | None = None
        self.comparison: Comparison | None = None
        self.selected_hyp: tuple[str, str] | None = None
        self.zone: dict[str, float] | None = None
        self.done = False
        self.exit_status = 0
        self.toast: str | None = None
        self._toast_until = 0.0
        self._list_before_compare = self.show_list
        self._cache: dict[Path, tuple[tuple, Loaded]] = {}
        self._pointer: Any = None
        self._pressed: str | None = None
        self._drag: tuple[str, float, int] | None = None  # (panel, y0, scroll0)
        self._last_pos: tuple[float, float] = (0.0, 0.0)
        self._scene: pygame.Surface | None = None
        self._scene_key_cache: Any = None
        self.list = MapList(tz=tz)
        self.info = InfoPanel()
        self.rescan()
        if not self.is_folder and self.entries:
            self.open_index(0)
        self._layout()

    # ------------------------------------------------------------------
    # model
    def _matcher(self):
        if self._matcher_obj is None:
            from .. import matcher

            self._matcher_obj = matcher
        return self._matcher_obj

    def rescan(self) -> None:
        """(Re)read the folder: new and changed files are read again, the others kept."""
        keep = self.current.entry.path if self.current is not None else None
        known = {e.path: e for e in self.entries}
        self.entries = scan(self.source, self.atlas, self._matcher_obj, known)
        self.list.entries = self.entries
        self.list.selected = self.index_of(keep) if keep is not None else None
        self._update_badges()

    def refresh(self) -> None:
        """Read the folder again (new maps from the kiosk) and the open map, if its file changed."""
        self.rescan()
        if self.mode == "single" and self.current is not None:
            i = self.index_of(self.current.entry.path)
            if i is None:
                self.current = None
                self.selected_hyp = self.zone = None
            else:
                keep = self.selected_hyp
                self.open_index(i)
                if keep in {_key(h) for h in self.hypotheses} and keep != self.selected_hyp:
                    self.selected_hyp = keep
                    self._update_zone()
        self._layout()
        self.show_toast(f"{len(self.entries)} map{'s' if len(self.entries) != 1 else ''} in {self.source.name}")

    def index_of(self, path: Path | None) -> int | None:
        for i, e in enumerate(self.entries):
            if e.path == path:
                return i
        return None

    def load(self, entry: MapEntry) -> Loaded:
        """Open an entry's map (kept for a few maps; read again when the file changed)."""
        try:
            st = entry.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = ()
        hit = self._cache.get(entry.path)
        if hit is not None and hit[0] == stamp and stamp:
            return hit[1]
        try:
            m = fileformat.load(entry.path, atlas=self.atlas)
        except Exception as exc:  # noqa: BLE001 - a bad file never closes the window
            msg = str(exc) if isinstance(exc, BodymapError) else f"{type(exc).__name__}: {exc}"
            entry.error = one_line(msg, entry.path) or "unreadable"
            return Loaded(entry, None, error=entry.error)
        ranking, err = run_match(m, self._matcher_obj)
        entry.flags, entry.flag_texts = flags_of(m, ranking)
        entry.match_error = err
        loaded = Loaded(entry, m, ranking, None, err)
        self._cache[entry.path] = (stamp, loaded)
        while len(self._cache) > CACHE_MAPS:
            self._cache.pop(next(iter(self._cache)))
        return loaded

    @property
    def hypotheses(self) -> list[Any]:
        r = self.current.ranking if self.current is not None else None
        return list(getattr(r, "hypotheses", None) or []) if r is not None else []

    @property
    def red_flag_texts(self) -> list[str]:
        """The red flags the information panel shows (both maps' in compare mode)."""
        if self.mode == "compare" and self.before is not None and self.after is not None:
            out = []
            for label, ld in (("After", self.after), ("Before", self.before)):
                for t in ld.entry.flag_texts:
                    out.append(f"{label} ({entry_time(ld.entry, self.tz)}): {t}")
            return out
        return list(self.current.entry.flag_texts) if self.current is not None and self.current.ok else []

    def open_index(self, index: int) -> bool:
        """Show map `index` of the list (leaves compare mode)."""
        if not 0 <= index < len(self.entries):
            return False
        left_compare = self.mode != "single"
        if left_compare:
            self._leave_compare()
        entry = self.entries[index]
        self.current = self.load(entry) if entry.ok else Loaded(entry, None, error=entry.error)
        self.list.selected = index
        hyps = self.hypotheses
        self.selected_hyp = _key(hyps[0]) if hyps else None
        self._update_zone()
        if left_compare:
            self._layout()
        else:
            self._relayout_panels()
        self.list.ensure_visible(index)
        return self.current.ok

    def select_hypothesis(self, index: int | None) -> None:
        hyps = self.hypotheses
        if index is None or not 0 <= index < len(hyps):
            self.selected_hyp = None
        else:
            key = _key(hyps[index])
            self.selected_hyp = None if key == self.selected_hyp else key
        self._update_zone()
        self._build_info(keep_scroll=True)

    def _update_zone(self) -> None:
        self.zone = None
        if self.selected_hyp is None or self.current is None or not self.current.ok:
            return
        pid, side = self.selected_hyp
        try:
            zone = self._matcher().pattern_zone(self.atlas, pid, side)
            self.zone = {str(k): float(v) for k, v in dict(zone).items()}
        except Exception as exc:  # noqa: BLE001
            self.show_toast(f"Zone not available ({type(exc).__name__})")

    # -- comparing --------------------------------------------------------
    @property
    def can_compare(self) -> bool:
        if self.current is None or not self.current.ok:
            return False
        return sum(1 for e in self.entries if e.ok) >= 2

    def start_pick(self) -> None:
        if not self.can_compare:
            self.show_toast("Open a map first; comparing needs a second map in the folder"
                            if self.is_folder else "Comparing needs a folder: run bodymap review FOLDER")
            return
        self._list_before_compare = self.show_list
        self.mode = "pick"
        self.show_list = True
        self._layout()

    def cancel_pick(self) -> None:
        if self.mode == "pick":
            self.mode = "single"
            self.show_list = self._list_before_compare
            self._layout()

    def compare_with(self, index: int) -> bool:
        """Compare the open map with map `index`; "before" is the older of the two."""
        if self.current is None or not self.current.ok or not 0 <= index < len(self.entries):
            return False
        entry = self.entries[index]
        if entry.path == self.current.entry.path:
            self.show_toast("That is the map already open: pick another one")
            return False
        if not entry.ok:
            self.show_toast(f"Cannot open {entry.path.name}: {entry.error}")
            return False
        other = self.load(entry)
        if not other.ok:
            self.show_toast(f"Cannot open {entry.path.name}: {other.error}")
            self._layout()
            return False
        a, b = sorted([self.current, other], key=lambda ld: (ld.entry.when.timestamp(), ld.entry.path.name))
        try:
            comp = compare(a.pain_map, b.pain_map)
        except BodymapError as exc:
            self.show_toast(str(exc))
            return False
        self.partner, self.before, self.after, self.comparison = other, a, b, comp
        self.mode = "compare"
        self.show_list = False
        self._update_badges()
        self._layout()
        return True

    def end_compare(self) -> None:
        if self.mode == "compare" or self.mode == "pick":
            self._leave_compare()
            self._layout()

    def _leave_compare(self) -> None:
        self.mode = "single"
        self.partner = self.before = self.after = self.comparison = None
        self.show_list = self._list_before_compare
        self._update_badges()

    def _update_badges(self) -> None:
        self.list.badges = {}
        if self.mode == "compare" and self.before is not None and self.after is not None:
            for label, ld in (("BEFORE", self.before), ("AFTER", self.after)):
                i = self.index_of(ld.entry.path)
                if i is not None:
                    self.list.badges[i] = label

    def area_percent(self, kind: str) -> float:
        """Share of the body (both views) in one difference kind, in %."""
        comp = self.comparison
        if comp is None:
            return 0.0
        body = sum(int(self.atlas.raster(self.before.pain_map.scale).body[v].sum()) for v in VIEWS)
        n = sum(int(getattr(comp, kind)[v].sum()) for v in VIEWS)
        return 100.0 * n / max(body, 1)

    # ------------------------------------------------------------------
    # geometry
    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def _layout(self) -> None:
        w, h = self.size
        # a tall window gets the information panel under the pictures instead of beside them
        self.portrait = portrait = h > 1.15 * w
        base_w, base_h = (950, 1300) if portrait else BASE_SIZE
        self.s = s = min(max(min(w / base_w, h / base_h), 0.6), 1.6)
        self.font_size = fs = max(18, int(round(26 * s)))
        self.small_size = max(17, int(round(22 * s)))
        self.btn_h = btn = max(MIN_TARGET, self.px(56))
        pad = self.px(8)
        self.buttons: dict[str, Button] = {}
        items: list[tuple[str, str, str] | None] = []
        if self.is_folder:
            items += [("list", "Map list", "toggle"), ("refresh", "Refresh", "action"), None]
        items += [("outlines", "Outlines", "toggle"), ("dermatomes", "Dermatomes", "toggle"),
                  ("zone", "Pattern zone", "toggle"), None]
        items.append(("compare", "End comparison" if self.mode == "compare" else
                      ("Cancel comparing" if self.mode == "pick" else "Compare with…"), "action"))
        bar, bar_h = flow_buttons(items, self.text, fs, btn, pad, self.px(14), w, self.px)
        self.buttons.update(bar)
        self.top_rect = pygame.Rect(0, 0, w, bar_h)
        top = self.top_rect.bottom
        if portrait:
            list_w = min(self.px(300), int(0.34 * w)) if self.show_list else 0
            info_h = int(0.42 * (h - top))
            self.list_rect = pygame.Rect(0, top, list_w, h - top)
            self.info_rect = pygame.Rect(list_w, h - info_h, w - list_w, info_h)
            self.center_rect = pygame.Rect(list_w, top, w - list_w, h - top - info_h)
        else:
            list_w = min(self.px(330), int(0.3 * w)) if self.show_list else 0
            info_w = min(self.px(470 if self.mode != "compare" else 430), int(0.36 * w))
            self.list_rect = pygame.Rect(0, top, list_w, h - top)
            self.info_rect = pygame.Rect(w - info_w, top, info_w, h - top)
            self.center_rect = pygame.Rect(list_w, top, w - list_w - info_w, h - top)
        self._layout_center()
        self.list.tz = self.tz
        self.list.picking = self.mode == "pick"
        self._relayout_panels()

    def _layout_center(self) -> None:
        c = self.center_rect
        s = self.s
        pad = self.px(12)
        lh = render.font(self.font_size).get_linesize()
        small_lh = render.font(self.small_size).get_linesize()
        self.pairs: dict[str, Pair] = {}
        head_w = (self.text.width("Session XXXXXXXX", int(self.font_size * 1.15)) + self.px(18)
                  + self.text.width("Wed 30 Sep 2024, 23:59", self.font_size)
                  + tag_size(self.font_size, self.text)[0] + self.px(12))
        lines = 2 if head_w <= c.width - 2 * pad else 3
        self.header_rect = pygame.Rect(c.left + pad, c.top + pad, c.width - 2 * pad,
                                       int(lh * 1.15) + (lines - 1) * small_lh + self.px(6))
        title_size = max(18, int(round(32 * s)))
        caption_size = max(16, int(round(20 * s)))
        if self.mode == "compare":
            self.header_rect.height = 0
            inner = c.inflate(-2 * pad, -2 * pad)
            left_w = int(inner.width * 0.37)
            legend_h = max(self.px(40), small_lh + self.px(16))
            sens_h = 2 * (small_lh + self.px(6)) + self.px(6)  # the sensation legend under the two drawings
            half = (inner.height - self.px(10) - sens_h) // 2
            self.sensation_legend_rect = pygame.Rect(inner.left, inner.top + 2 * half + self.px(10), left_w, sens_h)
            ts, cs = max(16, int(round(24 * s))), 16
            hs = self.small_size
            b = self.before.entry if self.before else None
            a = self.after.entry if self.after else None
            self.pairs["before"] = layout_pair(
                self.atlas, pygame.Rect(inner.left, inner.top, left_w, half), s,
                f"Before: {b.title if b else ''}, {entry_time(b, self.tz) if b else ''}",
                title_size=ts, caption_size=cs, heading_size=hs)
            self.pairs["after"] = layout_pair(
                self.atlas, pygame.Rect(inner.left, inner.top + half + self.px(10), left_w, half), s,
                f"After: {a.title if a else ''}, {entry_time(a, self.tz) if a else ''}",
                title_size=ts, caption_size=cs, heading_size=hs)
            right = pygame.Rect(inner.left + left_w + self.px(16), inner.top, inner.width - left_w - self.px(16),
                                inner.height - legend_h)
            self.pairs["diff"] = layout_pair(self.atlas, right, s, "Difference: after compared with before",
                                             title_size=title_size, caption_size=caption_size,
                                             heading_size=self.font_size)
            self.legend_rect = pygame.Rect(right.left, right.bottom, right.width, legend_h)
        else:
            legend_h = small_lh + self.px(20)
            body = pygame.Rect(c.left + pad, self.header_rect.bottom + self.px(10), c.width - 2 * pad,
                               c.bottom - self.header_rect.bottom - self.px(10) - legend_h - pad)
            self.pairs["map"] = layout_pair(self.atlas, body, s, "", title_size=title_size,
                                            caption_size=caption_size, heading_size=self.font_size)
            self.legend_rect = pygame.Rect(body.left, body.bottom, body.width, legend_h)
            self.sensation_legend_rect = self.legend_rect

    @property
    def layouts(self) -> dict[str, render.ViewLayout]:
        """The views of the open map (single mode) or of the difference (compare mode)."""
        return self.pairs["diff" if self.mode == "compare" else "map"].layouts

    def pair_layouts(self, which: str) -> dict[str, render.ViewLayout]:
        return self.pairs[which].layouts

    def _relayout_panels(self) -> None:
        if not hasattr(self, "s"):
            return
        self.list.picking = self.mode == "pick"
        self.list.layout(self.list_rect, self.s, self.font_size, self.small_size, self.btn_h, self.text)
        self._build_info()

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size != self.size:
            self.size = size
            self._layout()

    # ------------------------------------------------------------------
    # the information panel's content
    def _build_info(self, keep_scroll: bool = False) -> None:
        if not hasattr(self, "info_rect"):
            return
        fixed: list[Item] = []
        items: list[Item] = []
        flags = self.red_flag_texts
        if flags:
            fixed.append(Item("red_heading", "RED FLAG" if len(flags) == 1 else f"RED FLAGS ({len(flags)})", RED))
            for t in flags:
                fixed.append(Item("red_flag", t, RED))
        if self.mode == "compare":
            self._compare_items(fixed, items)
        else:
            self._single_items(fixed, items)
        self.info.layout(self.info_rect, self.s, self.font_size, self.small_size, self.btn_h)
        self.info.set_items(fixed, items, keep_scroll=keep_scroll)

    def _red_flag_gaps(self, m: PainMap) -> str | None:
        missing = [QUESTION_WORDS[q].lower() for q in RED_FLAG_QUESTIONS if q in unanswered_red_flag_keys(m.answers)]
        return ("Red-flag questions not answered: " + ", ".join(missing)) if missing else None

    def _single_items(self, fixed: list[Item], items: list[Item]) -> None:
        cur = self.current
        if cur is None:
            n = len(self.entries)
            items.append(Item("text", "Choose a map from the list." if n else "There are no maps to show."))
            return
        if not cur.ok:
            items.append(Item("red_flag", f"Cannot open {cur.entry.path.name}: {cur.error}", RED))
            return
        m = cur.pain_map
        if not cur.entry.flags:
            fixed.append(Item("note", "No red flags in the answers given.", FOR_TEXT))
        gaps = self._red_flag_gaps(m)
        if gaps:
            fixed.append(Item("warn", gaps, AGAINST_TEXT))
        if cur.match_error:
            fixed.append(Item("warn", cur.match_error + "; red flags from the answers only.", RED))
        ranking = cur.ranking
        prompts = [str(p) for p in (getattr(ranking, "prompts", None) or [])] if ranking is not None else []
        if prompts:
            items.append(Item("heading", "Ask about"))
            for p in prompts:
                items.append(Item("text", f"• {p}", indent=8))
        items.append(Item("heading", "Pain", space_before=bool(prompts)))
        items.append(Item("text", intensity_line(m)))
        items.append(Item("text", extent_line(m)))
        items.append(Item("text", sensations_line(m)))
        items.append(Item("muted", regions_line(m), MUTED))
        items.append(Item("heading", "Consistent with (tap for evidence and zone)", space_before=True))
        hyps = self.hypotheses
        if ranking is None:
            items.append(Item("note", cur.match_error or "matcher unavailable", MUTED))
        elif not hyps:
            items.append(Item("note", "No referral pattern fits: nothing painted below the neck." if m.is_empty
                              else "No referral pattern fits this painting.", MUTED))
        for i, h in enumerate(hyps):
            sel = _key(h) == self.selected_hyp
            items.append(Item("hypothesis", hypothesis_text(h), TEXT, index=i,
                              probability=float(getattr(h, "probability", 0.0) or 0.0), selected=sel))
            if sel:
                for e in list(getattr(h, "evidence", None) or []):
                    d = str(getattr(e, "direction", "for"))
                    src = str(getattr(e, "source", "") or "")
                    sign, col, kind = ("+", FOR_TEXT, "evidence_for") if d == "for" else \
                        ("−", AGAINST_TEXT, "evidence_against")
                    items.append(Item(kind, f"{sign} {getattr(e, 'text', e)}" + (f" [{src}]" if src else ""), col,
                                      indent=14))
                if self.zone:
                    items.append(Item("muted", "Zone on the body: where this pattern is felt (darker = more typical)"
                                      + ("" if self.show_zone else "; turn on 'Pattern zone' to see it") + ".",
                                      MUTED, indent=14))
        lines, missing = answer_lines(m)
        items.append(Item("heading", "Answers", space_before=True))
        for line in lines:
            items.append(Item("text", line))
        if not lines:
            items.append(Item("muted", "No questions answered.", MUTED))
        if missing:
            items.append(Item("muted", "Not answered: " + ", ".join(missing), MUTED))
        for note in m.meta.get("notes") or []:
            items.append(Item("muted", f"Note: {note}", MUTED, space_before=True))
        disclaimer = getattr(self._matcher_obj, "DISCLAIMER", None) if self._matcher_obj is not None else None
        items.append(Item("muted", disclaimer if isinstance(disclaimer, str) else DISCLAIMER, MUTED,
                          space_before=True))

    def _compare_items(self, fixed: list[Item], items: list[Item]) -> None:
        comp, b, a = self.comparison, self.before, self.after
        if comp is None or b is None or a is None:
            return
        if not (a.entry.flags or b.entry.flags):
            fixed.append(Item("note", "No red flags in either map's answers.", FOR_TEXT))
        items.append(Item("heading", "Comparison"))
        items.append(Item("text", f"Before (older): {b.entry.title}, {entry_time(b.entry, self.tz)}"))
        items.append(Item("text", f"After (newer): {a.entry.title}, {entry_time(a.entry, self.tz)}"))
        items.append(Item("big", f"Similarity (Jaccard): {comp.jaccard:.2f}", space_before=True))
        items.append(Item("muted", "Area painted both times over the area painted either time: 1 = the same "
                          "area, 0 = no overlap.", MUTED))
        items.append(Item("big", f"Extent change: {comp.extent_change:+.1f} percentage points", space_before=True))
        items.append(Item("muted", f"{comp.extent_before:.1f}% of body before, {comp.extent_after:.1f}% after.",
                          MUTED))
        items.append(Item("heading", "Difference (the large picture)", space_before=True))
        for kind in DIFF_KINDS:
            st = DIFF_STYLE[kind]
            items.append(Item("legend", f"{st['label']}: {st['meaning']} ({self.area_percent(kind):.1f}% of body)",
                              swatch=kind))
        items.append(Item("heading", "Pain", space_before=True))
        items.append(Item("text", f"Before: {intensity_line(b.pain_map, short=True)}"))
        items.append(Item("text", f"After: {intensity_line(a.pain_map, short=True)}"))
        items.append(Item("heading", "Top match", space_before=True))
        for label, ld in (("Before", b), ("After", a)):
            hyps = list(getattr(ld.ranking, "hypotheses", None) or []) if ld.ranking is not None else []
            items.append(Item("text", f"{label}: " + (hypothesis_text(hyps[0]) if hyps else
                                                      (ld.match_error or "no pattern fits"))))
        items.append(Item("muted", "bodymap cannot check that both maps are the same patient's (the files carry "
                          "no patient identifier): check the session codes.", MUTED, space_before=True))

    # ------------------------------------------------------------------
    # events
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        if t == pygame.QUIT:
            self.done = True
        elif t in POINTER_EVENTS:
            p = pointer(event, self.size)
            if p is not None:
                phase, pos, pid = p
                {"down": self._pointer_down, "move": self._pointer_move, "up": self._pointer_up}[phase](pos, pid)
        elif t == pygame.MOUSEWHEEL:
            dy = -int(getattr(event, "y", 0)) * self.px(60)
            if self.show_list and self.list_rect.collidepoint(self._last_pos):
                self.list.scroll_by(dy)
            elif self.info_rect.collidepoint(self._last_pos):
                self.info.scroll_by(dy)
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t == pygame.WINDOWFOCUSLOST:
            self._pointer, self._pressed, self._drag = None, None, None
        elif t == pygame.KEYDOWN:
            self._key(event)

    def _key(self, event) -> None:
        k = event.key
        if k == pygame.K_ESCAPE:
            if self.mode == "pick":
                self.cancel_pick()
            elif self.mode == "compare":
                self.end_compare()
        elif k in (pygame.K_DOWN, pygame.K_UP) and self.mode == "single" and self.entries:
            i = self.list.selected
            step = 1 if k == pygame.K_DOWN else -1
            i = 0 if i is None else min(max(i + step, 0), len(self.entries) - 1)
            self.open_index(i)
        elif k == pygame.K_PAGEDOWN:
            self.info.scroll_by(self.info.viewport.height * 3 // 4)
        elif k == pygame.K_PAGEUP:
            self.info.scroll_by(-self.info.viewport.height * 3 // 4)
        elif k == pygame.K_F5 and self.is_folder:
            self._activate("refresh")

    def _hit(self, pos) -> str | None:
        for bid, b in self.buttons.items():
            if b.rect.collidepoint(pos):
                return bid
        if self.show_list and self.list_rect.collidepoint(pos):
            return self.list.hit(pos)
        if self.info_rect.collidepoint(pos):
            return self.info.hit(pos)
        return None

    def _pointer_down(self, pos, pid) -> None:
        self._last_pos = pos
        if self._pointer is not None:
            return
        self._pointer = pid
        hit = self._hit(pos)
        if hit is not None and hit in self.buttons and not self.buttons[hit].enabled:
            hit = None
        self._pressed = hit
        if self.show_list and self.list.viewport.collidepoint(pos):
            self._drag = ("list", pos[1], self.list.scroll)
        elif self.info.viewport.collidepoint(pos):
            self._drag = ("info", pos[1], self.info.scroll)

    def _pointer_move(self, pos, pid) -> None:
        if pid == "mouse" or pid == self._pointer:
            self._last_pos = pos
        if pid != self._pointer or self._drag is None:
            return
        which, y0, scroll0 = self._drag
        if abs(pos[1] - y0) > self.px(12):
            self._pressed = None  # a drag, not a tap
            (self.list if which == "list" else self.info).scroll_to(scroll0 - int(pos[1] - y0))

    def _pointer_up(self, pos, pid) -> None:
        if pid != self._pointer:
            return
        self._last_pos = pos
        pressed = self._pressed
        self._pointer, self._pressed, self._drag = None, None, None
        if pressed is not None and self._hit(pos) == pressed:
            self._activate(pressed)

    def _activate(self, bid: str) -> None:
        if bid.startswith("list:"):
            i = int(bid[5:])
            if self.mode == "pick":
                self.compare_with(i)
            else:
                self.open_index(i)
        elif bid.startswith("info:hyp:"):
            self.select_hypothesis(int(bid.rsplit(":", 1)[1]))
        elif bid == "pick_cancel":
            self.cancel_pick()
        elif bid == "compare":
            if self.mode == "compare":
                self.end_compare()
            elif self.mode == "pick":
                self.cancel_pick()
            else:
                self.start_pick()
        elif bid == "list":
            self.show_list = not self.show_list
            if self.mode == "compare":
                self._list_before_compare = self.show_list
            self._layout()
        elif bid == "refresh":
            self.refresh()
        elif bid == "outlines":
            self.show_outlines = not self.show_outlines
        elif bid == "dermatomes":
            self.show_dermatomes = not self.show_dermatomes
        elif bid == "zone":
            self.show_zone = not self.show_zone
            self._build_info(keep_scroll=True)

    def button_center(self, bid: str) -> tuple[int, int]:
        """Where to tap: a top-bar button, 'list:N', 'info:hyp:N' or 'pick_cancel'."""
        if bid.startswith("list:"):
            return self.list.row_center(int(bid[5:]))
        if bid.startswith("info:hyp:"):
            i = int(bid.rsplit(":", 1)[1])
            for row in self.info.hypothesis_rows():
                if row.index == i:
                    return self.info.row_screen_rect(row).center
            raise KeyError(bid)
        if bid == "pick_cancel" and self.list.cancel_button is not None:
            return self.list.cancel_button.rect.center
        return self.buttons[bid].rect.center

    # ------------------------------------------------------------------
    # per frame
    def show_toast(self, text: str) -> None:
        self.toast, self._toast_until = text, time.monotonic() + TOAST_SECONDS

    def update(self) -> None:
        if self.toast is not None and time.monotonic() >= self._toast_until:
            self.toast = None

    @property
    def caption(self) -> str:
        name = self.source.name or str(self.source)
        if self.mode == "compare" and self.before and self.after:
            return f"bodymap review - comparing {self.before.entry.title} with {self.after.entry.title}"
        if self.current is not None:
            return f"bodymap review - {self.current.entry.path.name}"
        return f"bodymap review - {name}"

    # ------------------------------------------------------------------
    # drawing
    def _sync_buttons(self) -> None:
        b = self.buttons
        if "list" in b:
            b["list"].on = self.show_list
        b["outlines"].on = self.show_outlines
        b["dermatomes"].on = self.show_dermatomes
        b["zone"].on = self.show_zone
        b["zone"].enabled = self.mode != "compare"
        b["compare"].enabled = self.mode != "single" or self.can_compare

    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        surface.blit(self._scene_surface(), (0, 0))
        self._draw_topbar(surface)
        if self.show_list:
            self.list.draw(surface, self.text, self._pressed)
        self.info.draw(surface, self.text)
        if self.toast:
            self._draw_toast(surface)

    def screenshot(self) -> pygame.Surface:
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf

    def _zone_key(self):
        return None if self.zone is None else tuple(sorted(self.zone.items()))

    def _scene_key(self) -> Any:
        def ident(ld):
            return None if ld is None else (str(ld.entry.path), id(ld.pain_map))
        return (self.size, self.mode, self.center_rect.topleft, self.center_rect.size, ident(self.current),
                ident(self.before), ident(self.after), self.show_outlines, self.show_dermatomes,
                self.show_zone and self.mode == "single", self._zone_key(), self.s)

    def _scene_surface(self) -> pygame.Surface:
        key = self._scene_key()
        if self._scene is not None and key == self._scene_key_cache:
            return self._scene
        surf = pygame.Surface(self.size)
        surf.fill(render.BACKGROUND)
        if self.mode == "compare" and self.comparison is not None:
            self._draw_compare(surf)
        else:
            self._draw_single(surf)
        if pygame.display.get_surface() is not None:
            surf = surf.convert()
        self._scene, self._scene_key_cache = surf, key
        return surf

    def _draw_views(self, surf: pygame.Surface, pair: Pair, pain_map: PainMap | None, zone=None,
                    diff: Comparison | None = None) -> None:
        for v, lay in pair.layouts.items():
            draw_body_under(surf, self.atlas, lay, dermatomes=self.show_dermatomes, zone=zone)
            if diff is not None:
                raster = self.atlas.raster(self.before.pain_map.scale)
                surf.blit(diff_surface(diff, v, lay, raster, max(6, self.px(8))), (int(lay.left), int(lay.top)))
            elif pain_map is not None:
                ov = PaintOverlay(pain_map, lay, paint_period(lay, pain_map))
                surf.blit(ov.surface, ov.topleft)
            draw_lines_over(surf, self.atlas, lay, self.s, outlines=self.show_outlines,
                            dermatomes=self.show_dermatomes, zone=zone)
        draw_pair_titles(surf, pair, self.text)
        draw_side_markers(surf, pair.layouts, self.text, size=max(16, int(round(30 * self.s))))

    def _draw_single(self, surf: pygame.Surface) -> None:
        c = self.center_rect
        cur = self.current
        pair = self.pairs["map"]
        if cur is None or not cur.ok:
            if cur is None:
                if not self.entries:
                    msg = f"There are no .bodymap files in {self.source}."
                elif self.show_list:
                    msg = "Choose a map from the list on the left."
                else:
                    msg = "Turn on 'Map list' and choose a map."
                col = TEXT
            else:
                msg = f"Cannot open {cur.entry.path.name}: {cur.error}"
                col = RED
            y = c.top + self.px(40)
            for line in wrap_text(msg, self.font_size, c.width - self.px(48)):
                t = self.text(line, self.font_size, col)
                surf.blit(t, t.get_rect(midtop=(c.centerx, y)))
                y += render.font(self.font_size).get_linesize()
            return
        m = cur.pain_map
        # header: session code and time, then the file
        hr = self.header_rect
        e = cur.entry
        right = hr.right
        if e.red_flag:
            tw, th = tag_size(self.font_size, self.text)
            draw_red_flag_tag(surf, self.text, pygame.Rect(hr.right - tw, hr.top, tw, th), self.font_size)
            right = hr.right - tw - self.px(12)
        head = f"Session {e.session_code}" if e.session_code else "No session code"
        t = self.text(head, int(self.font_size * 1.15), TEXT)
        surf.blit(t, hr.topleft)
        when = self.text(entry_time(e, self.tz), self.font_size, TEXT)
        x = hr.left + t.get_width() + self.px(18)
        if x + when.get_width() <= right:
            surf.blit(when, (x, hr.top + (t.get_height() - when.get_height()) // 2))
            y2 = hr.top + t.get_height() + self.px(2)
        else:
            y2 = hr.top + t.get_height()
            surf.blit(when, (hr.left, y2))
            y2 += when.get_height()
        name = wrap_text(e.path.name, self.small_size, hr.width, max_lines=1)
        if name:
            surf.blit(self.text(name[0], self.small_size, MUTED), (hr.left, y2))
        zone = self.zone if self.show_zone else None
        self._draw_views(surf, pair, m, zone=zone)
        self._draw_sensation_legend(surf, m.sensations_present())

    def _draw_sensation_legend(self, surf: pygame.Surface, present: list[str]) -> None:
        r = self.sensation_legend_rect
        if not present:
            return
        sz = self.small_size
        sw_h = self.px(22)
        sw_w = int(sw_h * 1.6)
        items = [(s, SENSATION_STYLE[s]["label"]) for s in SENSATIONS if s in present]
        widths = [sw_w + self.px(8) + self.text.width(lbl, sz) for _, lbl in items]
        gap = self.px(24)
        rows: list[list[int]] = [[]]
        used = 0
        for k, wd in enumerate(widths):  # as many rows as the width needs
            if rows[-1] and used + gap + wd > r.width:
                rows.append([])
                used = 0
            used += wd + (gap if rows[-1] else 0)
            rows[-1].append(k)
        row_h = max(sw_h, render.font(sz).get_linesize()) + self.px(6)
        y = r.top + max(0, (r.height - len(rows) * row_h) // 2) + self.px(3)
        for row in rows:
            total = sum(widths[k] for k in row) + gap * (len(row) - 1)
            x = max(r.left, r.centerx - total // 2)
            for k in row:
                s, lbl = items[k]
                surf.blit(swatch_surface(s, sw_w, sw_h), (x, y))
                pygame.draw.rect(surf, render.OUTLINE, (x, y, sw_w, sw_h), 1)
                t = self.text(lbl, sz, TEXT)
                surf.blit(t, (x + sw_w + self.px(8), y + (sw_h - t.get_height()) // 2))
                x += widths[k] + gap
            y += row_h

    def _draw_compare(self, surf: pygame.Surface) -> None:
        self._draw_views(surf, self.pairs["before"], self.before.pain_map)
        self._draw_views(surf, self.pairs["after"], self.after.pain_map)
        self._draw_views(surf, self.pairs["diff"], None, diff=self.comparison)
        present = set(self.before.pain_map.sensations_present()) | set(self.after.pain_map.sensations_present())
        self._draw_sensation_legend(surf, [s for s in SENSATIONS if s in present])
        # separator between the two drawings and the difference
        right = self.pairs["diff"].area
        x = right.left - self.px(8)
        pygame.draw.line(surf, BAR_LINE, (x, self.center_rect.top + self.px(10)),
                         (x, self.center_rect.bottom - self.px(10)), 2)
        y = self.pairs["after"].area.top - self.px(5)
        pygame.draw.line(surf, BAR_LINE, (self.center_rect.left + self.px(10), y), (x - self.px(10), y), 2)
        # legend under the difference
        r = self.legend_rect
        sz = self.small_size
        sw_h = self.px(24)
        sw_w = int(sw_h * 1.7)
        widths = [sw_w + self.px(8) + self.text.width(DIFF_STYLE[k]["label"], sz) for k in DIFF_KINDS]
        total = sum(widths) + self.px(24) * 2
        x = max(r.left, r.centerx - total // 2)
        y = r.top + (r.height - sw_h) // 2
        for k, wd in zip(DIFF_KINDS, widths):
            surf.blit(diff_swatch(k, sw_w, sw_h, period=max(6, self.px(8))), (x, y))
            pygame.draw.rect(surf, render.OUTLINE, (x, y, sw_w, sw_h), 1)
            t = self.text(DIFF_STYLE[k]["label"], sz, TEXT)
            surf.blit(t, (x + sw_w + self.px(8), y + (sw_h - t.get_height()) // 2))
            x += wd + self.px(24)

    def _draw_topbar(self, surface: pygame.Surface) -> None:
        r = self.top_rect
        pygame.draw.rect(surface, BAR_BG, r)
        pygame.draw.line(surface, BAR_LINE, (r.left, r.bottom - 1), (r.right, r.bottom - 1), 2)
        for bid, b in self.buttons.items():
            b.draw(surface, self.text, self.font_size, pressed=(self._pressed == bid))

    def _draw_toast(self, surface: pygame.Surface) -> None:
        c = self.center_rect
        lines = wrap_text(self.toast, self.font_size, max(c.width - self.px(60), 60), max_lines=3)
        lh = render.font(self.font_size).get_linesize()
        w = max(self.text.width(l, self.font_size) for l in lines) + self.px(32)
        box = pygame.Rect(0, 0, w, len(lines) * lh + self.px(20))
        box.midbottom = (c.centerx, c.bottom - self.px(12))
        pygame.draw.rect(surface, BUTTON_ON_BG, box, border_radius=8)
        y = box.top + self.px(10)
        for line in lines:
            t = self.text(line, self.font_size, BUTTON_ON_TEXT)
            surface.blit(t, t.get_rect(midtop=(box.centerx, y)))
            y += lh


def _key(h: Any) -> tuple[str, str]:
    return str(getattr(h, "id", "")), str(getattr(h, "side", ""))


def run_review(path: Path, size: tuple[int, int] = BASE_SIZE, *, max_frames: int | None = None) -> int:
    """Open the review window on a .bodymap file or a folder of them. Returns the exit status."""
    path = Path(path)
    if not path.exists():
        print(f"bodymap: {path}: no such file or folder", file=sys.stderr)
        return 2
    w, h = size
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        print(f"bodymap: --size {w}x{h} is out of range", file=sys.stderr)
        return 2
    try:
        pygame.display.init()
        pygame.font.init()
        surface = pygame.display.set_mode((w, h), pygame.RESIZABLE)
    except pygame.error as exc:
        print(f"bodymap: cannot open a window ({exc})", file=sys.stderr)
        return 1
    try:
        pygame.display.set_caption("bodymap review - reading maps…")
        surface.fill(render.BACKGROUND)
        t = render.font(28).render(f"Reading {path.name or path}…", True, TEXT)
        surface.blit(t, t.get_rect(center=(w // 2, h // 2)))
        pygame.display.flip()
        screen = ReviewScreen(path, surface.get_size())
        clock = pygame.time.Clock()
        frames = 0
        caption = None
        redraw = True
        while not screen.done:
            if screen.caption != caption:
                caption = screen.caption
                pygame.display.set_caption(caption)
            events = pygame.event.get()
            for event in events:
                screen.handle_event(event)
            had_toast = screen.toast is not None
            screen.update()
            if events or redraw or had_toast:
                screen.draw(pygame.display.get_surface())
                pygame.display.flip()
                redraw = False
            clock.tick(60 if events else 20)
            frames += 1
            if max_frames is not None and frames >= max_frames:
                break
        return screen.exit_status
    finally:
        pygame.display.quit()
