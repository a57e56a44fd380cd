"""The clinician review window: `bodymap review FILE_OR_FOLDER`.

A folder lists its maps newest first, each with its session code, time and a
RED FLAG tag when the match (or the kiosk) found red flags; a file that cannot
be read is listed as "cannot open: <reason>". Choosing a map shows its drawing
on both views (with region outlines, dermatomes and the selected pattern's zone
as toggles) and, on the right, its red flags at the top in red, never scrolled,
then the ranked matches with their evidence, the answers, intensity and extent.
"Compare with..." then a second map shows the two drawings side by side and a
difference overlay (new, resolved, persistent) with Jaccard similarity and the
change in extent, "before" being the older map. "Timeline" shows every map of
the open map's patient identifier in visit order, with a plot of extent and pain
and the change per region between visits; tapping two visits compares them.
Maps with red flags are listed first, most urgent first, with a filter; "Print /
PDF" writes the open map's report.

The state is a headless `bodymap.review.ReviewSession` (the scan, the triage order and filter, the
open map, the comparison, the timeline, the confirmed diagnosis), as the kiosk's is
`bodymap.kiosk.flow.Kiosk`. `ReviewScreen` is a scene (bodymap.ui.scene) over it, driven by events
(`handle_event`, `update`, `draw`); `run_review` hands it to the one window loop, which redraws it
only after events or while a toast shows. It owns its parts, each given only what it needs: the map
list and the information panel (panels.py; its content is info.py's), the centre picture
(centre.py), the timeline view (timeline.py, timeline_draw.py), the printer (printing.py), maps like
this one (similar.py, key L) and the confirmed-diagnosis form (confirm.py, key D). Its layout (layout.py, pairs.py) and input (input.py)
are still mixins.
Pointer input comes through bodymap.ui.pointer (positions from events, each touch counted once).
"""
from __future__ import annotations

import os
import sys
import time
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pygame

from ... import render
from ...atlas import Atlas, load_atlas
from ...review.entries import FILTER_WORDS, subfolder_count
from ...review.session import ReviewSession
from ..scene import ON_CHANGE, DisplayWindow, run
from ..kit import TextCache, wrap_text
from ..kit.tap import TapTracker
from ..kit.desk_colours import BAR_BG, BAR_LINE, BUTTON_ON_BG, BUTTON_ON_TEXT, TEXT
from .confirm import ConfirmForm
from .info import info_items
from .input import ReviewInput
from .layout import BASE_SIZE, TOAST_SECONDS, ReviewLayout
from .panels import InfoPanel, MapList
from .centre import CentrePicture, Toggles
from .printing import Printer
from .similar import SimilarMaps
from .timeline import TimelineView

# the session's state the window's parts read (and tests): forwarded, never copied
_FORWARD = ("source", "is_folder", "mode", "filter", "entries", "all_entries", "current", "partner", "before", "after",
            "comparison", "timeline", "timeline_pick", "selected_hyp", "zone", "hypotheses",
            "red_flag_texts", "can_compare", "can_timeline", "patient_id", "index_of", "load", "area_percent",
            "visit_entry")


class ReviewScreen(ReviewLayout, ReviewInput):
    """The review window as a scene over a headless `bodymap.review.ReviewSession` (`self.session`).

    The session holds what is shown and decides; the window lays it out, draws it and turns taps into
    the session's actions (`open_index`, `compare_with`, `open_timeline`, ...). `path`: a .bodymap file
    (opened straight away) or a folder (listed). `matcher`: an object with `match(pain_map)` and
    `pattern_zone(atlas, id, side)` (default: `bodymap.matcher`). `tz`: the time zone times are shown in.
    """

    redraw = ON_CHANGE  # a still picture: redrawn after events and while a toast shows

    def __init__(self, path: str | os.PathLike, size: tuple[int, int] = BASE_SIZE, *, atlas: Atlas | None = None,
                 matcher: Any = None, tz: tzinfo | None = None):
        self.atlas = atlas or load_atlas()
        self.tz = tz
        self.text = TextCache()
        self.size = (max(int(size[0]), 1), max(int(size[1]), 1))
        self.toast: str | None = None
        self._toast_until = 0.0
        self.done = False
        self.exit_status = 0
        self.list = MapList(tz=tz)
        self.info = InfoPanel()
        self.session = ReviewSession(path, self.atlas, matcher=matcher, tz=tz, say=self.show_toast, open_first=False)
        self.show_list = self.session.is_folder
        self.show_outlines = True
        self.show_dermatomes = False
        self.show_zone = True
        self._list_before_compare = self.show_list
        self.taps = TapTracker()  # one pointer at a time, and what a tap is (ui/kit/tap.py): `_pressed` is its target
        self._drag: tuple[str, float, int] | None = None  # (panel, y0, scroll0)
        self._last_pos: tuple[float, float] = (0.0, 0.0)
        self.timeline_view = TimelineView(self.session, self.text)  # the plot and visit cards
        self.centre = CentrePicture(self.session, self.text, self.timeline_view)  # the map, comparison or timeline
        self.similar = SimilarMaps(self.session)  # maps like this one (key L)
        self.printer = Printer(self.session, self.show_toast)  # Print / PDF
        self.confirm = ConfirmForm(self.session, self.show_toast,  # key D: the confirmed diagnosis (issue 25)
                                   place=lambda d: d.layout(pygame.Rect(0, 0, *self.size), self.s, self.font_size))
        self._sync_list()
        if not self.session.is_folder and self.session.entries:
            self.open_index(0)
        self._layout()

    def __getattr__(self, name: str):
        if name in _FORWARD:
            return getattr(self.__dict__["session"], name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name in _FORWARD:  # a second copy would drift from the session's: change it through the session
            raise AttributeError(f"{name} is the review session's: use the session's actions to change it")
        super().__setattr__(name, value)

    # ------------------------------------------------------------------
    # the session's actions, and what the window does after them
    def _after(self, before: str, *, relayout: bool = False, opened: bool = False) -> None:
        """After a session action: the list shown or not as the mode changed, the list's rows and badges,
        and the layout (all of it when the mode changed, else the panels)."""
        now = self.mode
        if now != before:
            if now == "pick":
                self._list_before_compare = self.show_list
                self.show_list = True
            elif now == "compare":
                self.show_list = False
            elif before == "single" and now == "timeline":
                self._list_before_compare = self.show_list
            elif before in ("pick", "compare") or (opened and before == "timeline"):
                self.show_list = self._list_before_compare
        self._sync_list()
        if now != before or relayout:
            self._layout()
        else:
            self._relayout_panels()

    def _sync_list(self) -> None:
        s = self.session
        self.list.entries = s.entries
        self.list.filter_words = FILTER_WORDS[s.filter] if s.filter != "all" else None
        self.list.total = len(s.all_entries)
        self.list.in_subfolders = subfolder_count(s.entries, s.source) if s.is_folder else 0
        self.list.selected = s.selected_index
        self.list.badges = {}  # BEFORE and AFTER on the two rows compared
        if s.mode == "compare" and s.before is not None and s.after is not None:
            for label, ld in (("BEFORE", s.before), ("AFTER", s.after)):
                if (i := s.index_of(ld.entry.path)) is not None:
                    self.list.badges[i] = label

    def open_index(self, index: int) -> bool:
        before = self.mode
        ok = self.session.open_index(index)
        if 0 <= index < len(self.entries):
            self._after(before, opened=True)
            self.list.ensure_visible(index)
        return ok

    def select_hypothesis(self, index: int | None) -> None:
        self.session.select_hypothesis(index)
        self._build_info(keep_scroll=True)

    def rescan(self) -> None:
        self.session.rescan()
        self._after(self.mode)

    def refresh(self) -> None:
        before = self.mode
        self.session.refresh()
        self._after(before, relayout=True)

    def next_filter(self) -> None:
        self.session.next_filter()
        self._after(self.mode, relayout=True)

    def start_pick(self) -> None:
        before = self.mode
        self.session.start_pick()
        self._after(before)

    def cancel_pick(self) -> None:
        before = self.mode
        self.session.cancel_pick()
        self._after(before)

    def compare_with(self, index: int) -> bool:
        before = self.mode
        ok = self.session.compare_with(index)
        self._after(before, relayout=not ok)
        return ok

    def compare_entry(self, entry) -> bool:
        before = self.mode
        ok = self.session.compare_entry(entry)
        self._after(before, relayout=not ok)
        return ok

    def end_compare(self) -> None:
        before = self.mode
        self.session.end_compare()
        self._after(before)

    def open_timeline(self) -> bool:
        before = self.mode
        ok = self.session.open_timeline()
        self._after(before, relayout=ok)
        return ok

    def close_timeline(self) -> None:
        before = self.mode
        self.session.close_timeline()
        self._after(before)

    def pick_visit(self, index: int) -> None:
        keep = self._list_before_compare
        picked = list(self.session.timeline_pick)
        compared = self.session.pick_visit(index)
        if compared:
            self.toast = None
            self._after("timeline")
            self._list_before_compare = keep
        elif picked and index not in picked and self.mode == "timeline" and not self.timeline_pick:
            self._after(self.mode, relayout=True)  # a comparison was tried and refused: the toast says why
        else:
            self._build_info(keep_scroll=True)

    def _build_info(self, keep_scroll: bool = False) -> None:
        """The information panel's content for what the session shows (info.info_items)."""
        if not hasattr(self, "info_rect"):
            return
        fixed, items = info_items(self.session, show_zone=self.show_zone, similar=self.similar.lines())
        self.info.layout(self.info_rect, self.s, self.font_size, self.small_size, self.btn_h)
        self.info.set_items(fixed, items, keep_scroll=keep_scroll)

    def print_report(self):
        """Write the PDF of what is shown (the printer's); its path, or None with a toast saying why."""
        return self.printer.print_report()

    @property
    def last_report(self):
        return self.printer.last_report

    def confirm_dialog(self) -> bool:
        """Open the confirmed-diagnosis form for the open map (key D)."""
        return self.confirm.open()

    def _confirm_closed(self) -> None:
        """After the form closed: the list and the panels show the file as saved."""
        self._after(self.mode)

    # ------------------------------------------------------------------
    # drawing
    def _sync_buttons(self) -> None:
        b = self.buttons
        if "list" in b:
            b["list"].on = self.show_list
        b["outlines"].on = self.show_outlines
        b["dermatomes"].on = self.show_dermatomes
        b["zone"].on = self.show_zone
        b["zone"].enabled = self.mode in ("single", "pick")
        b["compare"].enabled = self.mode in ("pick", "compare") or (self.mode == "single" and self.can_compare)
        b["timeline"].on = self.mode == "timeline"
        b["timeline"].enabled = self.mode == "timeline" or (self.mode == "single" and self.can_timeline)
        b["print"].enabled = self.printer.can_print

    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        surface.blit(self.centre.surface(self.frame(), Toggles(self.show_outlines, self.show_dermatomes,
                                                               self.show_zone, self.show_list)), (0, 0))
        self._draw_topbar(surface)
        if self.show_list:
            self.list.draw(surface, self.text, self._pressed)
        self.info.draw(surface, self.text)
        if self.toast:
            self._draw_toast(surface)
        if self.confirm.dialog is not None:
            p = self._pressed[len("confirm:"):] if self._pressed and self._pressed.startswith("confirm:") else None
            self.confirm.draw(surface, self.text, self.font_size, self.s, p)

    def screenshot(self) -> pygame.Surface:
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf

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

    # ------------------------------------------------------------------
    # per frame
    def show_toast(self, text: str) -> None:
        self.toast, self._toast_until = text, time.monotonic() + TOAST_SECONDS

    def update(self, now: float | None = None) -> None:
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


def run_review(path: Path, size: tuple[int, int] | None = None, *, max_frames: int | None = None) -> int:
    """Open the review window on a .bodymap file or a folder of them. Returns the exit status.

    Without `size` the window is BASE_SIZE made to fit the screen (a 1366x768 laptop included)."""
    path = Path(path)
    if not path.exists():
        print(f"bodymap: {path}: no such file or folder", file=sys.stderr)
        return 2
    w, h = size if size is not None else BASE_SIZE
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        print(f"bodymap: --size {w}x{h} is out of range", file=sys.stderr)
        return 2
    try:
        pygame.display.init()
        pygame.font.init()
        if size is None:
            from ..scene import desktop_size
            from ...window_size import fit_to_screen

            w, h = fit_to_screen(BASE_SIZE, desktop_size())
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
        run(screen, DisplayWindow(), max_frames=max_frames)
        return screen.exit_status
    finally:
        pygame.display.quit()
