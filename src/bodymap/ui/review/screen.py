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
only after events or while a toast shows. It inherits nothing: it owns its parts, each given only what
it needs, never the window (ADR 0029, 0038): the layout (`ReviewLayout`, layout.py and pairs.py: new on
every resize or change of mode), the input (`ReviewInput`, input.py: pointer, wheel and keys into action
tuples, which `activate` carries out), the map list and the information panel (panels.py; its content is
info.py's), the centre picture (centre.py), the timeline view (timeline.py, timeline_draw.py), the printer
(printing.py), maps like this one (similar.py, key L) and the confirmed-diagnosis form (confirm.py, key D).
Pointer input comes through bodymap.ui.pointer (positions from events, each touch counted once).
"""
from __future__ import annotations

import os
import sys
from datetime import tzinfo
from pathlib import Path
from typing import Any

import pygame

from ... import render
from ...atlas import Atlas, load_atlas
from ...review.session import ReviewSession
from ..pointer import Pointer, pointer_event
from ..scene import ON_CHANGE, DisplayWindow, run
from ..kit import TextCache
from ..kit.tap import TapTracker
from ..kit.desk_colours import TEXT
from .confirm import ConfirmForm
from .info import info_items
from .input import ReviewInput
from .layout import BASE_SIZE, ReviewLayout
from .panels import InfoPanel, MapList
from .panes import Panes
from .centre import CentrePicture, Toggles
from .printing import Printer
from .similar import SimilarMaps
from .timeline import TimelineView
from .toast import Toast

# the session's state the window's parts read (and tests): forwarded, never copied
_FORWARD = ("source", "is_folder", "mode", "filter", "entries", "all_entries", "current", "partner", "before", "after",
            "comparison", "timeline", "timeline_pick", "selected_hyp", "zone", "hypotheses",
            "red_flag_texts", "can_compare", "can_timeline", "patient_id", "index_of", "load", "area_percent",
            "visit_entry")


class ReviewScreen:
    """The review window as a scene over a headless `bodymap.review.ReviewSession` (`self.session`).

    The session holds what is shown and decides; the window's parts lay it out, draw it and turn taps into
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
        self.notice = Toast(self.text)  # the passing note (`toast` is its text)
        self.done = False
        self.exit_status = 0
        self.layout: ReviewLayout | None = None  # new on every resize and change of mode (`relayout`)
        self.session = ReviewSession(path, self.atlas, matcher=matcher, tz=tz, say=self.show_toast, open_first=False)
        self.show_outlines = True  # the top bar's toggles
        self.show_dermatomes = False
        self.show_zone = True
        # the owned parts, each given only what it needs
        self.list = MapList(tz=tz)
        self.panes = Panes(self.session, self.list)  # the map list shown or not, its rows in step with the session
        self.info = InfoPanel()
        self.taps = TapTracker()  # one pointer at a time, and what a tap is (ui/kit/tap.py)
        self.timeline_view = TimelineView(self.session, self.text)  # the plot and visit cards
        self.centre = CentrePicture(self.session, self.text, self.timeline_view)  # the map, comparison or timeline
        self.similar = SimilarMaps(self.session)  # maps like this one (key L)
        self.printer = Printer(self.session, self.show_toast)  # Print / PDF
        self.confirm = ConfirmForm(self.session, self.show_toast,  # key D: the confirmed diagnosis (issue 25)
                                   place=lambda d: d.layout(pygame.Rect(0, 0, *self.size), self.layout.s,
                                                            self.layout.font_size))
        self.input = ReviewInput(self.session, self.taps, map_list=self.list, info=self.info,
                                 timeline_view=self.timeline_view, confirm=self.confirm, layout=lambda: self.layout,
                                 list_shown=lambda: self.panes.show_list, activate=self.activate,
                                 form_closed=self._confirm_closed)
        self.panes.sync_list()
        if not self.session.is_folder and self.session.entries:
            self.open_index(0)
        self.relayout()

    def __getattr__(self, name: str):
        if name in _FORWARD:
            return getattr(self.__dict__["session"], name)
        raise AttributeError(f"{type(self).__name__!s} has no attribute {name!r}")

    def __setattr__(self, name: str, value) -> None:
        if name in _FORWARD:  # a second copy would drift from the session's: change it through the session
            raise AttributeError(f"{name} is the review session's: use the session's actions to change it")
        super().__setattr__(name, value)

    # ------------------------------------------------------------------
    # where things sit (layout.py)
    def relayout(self) -> None:
        """Lay the window out again: a resize, another mode, the map list shown or hidden, other maps compared."""
        s = self.session
        L = self.layout = ReviewLayout(self.size, self.text, self.atlas, tz=self.tz, is_folder=s.is_folder,
                                       filter=s.filter, mode=s.mode, show_list=self.panes.show_list, before=s.before,
                                       after=s.after)
        if s.mode == "timeline":
            self.timeline_view.layout(L.center_rect, L.s, L.font_size, L.small_size, L.btn_h)
        self.list.tz = self.tz
        self._relayout_panels()

    def _relayout_panels(self) -> None:
        L = self.layout
        if L is None:
            return
        self.list.picking = self.mode == "pick"
        self.list.layout(L.list_rect, L.s, L.font_size, L.small_size, L.btn_h, self.text)
        self._build_info()

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size != self.size:
            self.size = size
            self.relayout()

    @property
    def layouts(self) -> dict[str, render.ViewLayout]:
        """The views of the open map (single mode) or of the difference (compare mode)."""
        return self.layout.layouts

    def pair_layouts(self, which: str) -> dict[str, render.ViewLayout]:
        """The views of one titled pair: "map", or in compare mode "before", "after" and "diff"."""
        return self.layout.pairs[which].layouts

    def button_center(self, bid: str) -> tuple[int, int]:
        """Where to tap a target (`ReviewInput.center`: a button, a row, a visit card, the form's)."""
        return self.input.center(bid)

    # ------------------------------------------------------------------
    # events (input.py turns them into actions)
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        if t == pygame.QUIT:
            self.done = True
        elif (p := pointer_event(event, self.size)) is not None:
            self.input.handle_pointer(p)
        elif t == pygame.MOUSEWHEEL:
            self.input.wheel(event)
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t == pygame.WINDOWFOCUSLOST:
            self.input.release()
        elif t == pygame.KEYDOWN:
            self.input.key(event)
        elif t == pygame.TEXTINPUT:
            self.input.text(getattr(event, "text", ""))

    def handle_pointer(self, p: Pointer) -> None:
        """One plain pointer event (bodymap.ui.pointer); tests may call this directly."""
        self.input.handle_pointer(p)

    def activate(self, action: tuple) -> None:
        """Carry out an action tuple, as a tap on its button (or row, or key) would."""
        kind, arg = action[0], (action[1] if len(action) > 1 else None)
        mode = self.mode
        doings = {"confirm": lambda: self._confirm_tap(arg), "confirm_form": self.confirm.open,
                  "map": lambda: self.compare_with(arg) if mode == "pick" else self.open_index(arg),
                  "hypothesis": lambda: self.select_hypothesis(arg), "pick_cancel": self.cancel_pick,
                  "compare": self.end_compare if mode == "compare" else self.cancel_pick if mode == "pick"
                  else self.start_pick,
                  "list": self.toggle_list, "refresh": self.refresh, "visit": lambda: self.pick_visit(arg),
                  "timeline": self.close_timeline if mode == "timeline" else self.open_timeline,
                  "filter": self.next_filter, "print": self.printer.print_report, "escape": self.escape,
                  "similar": self.find_similar, "outlines": lambda: self._toggle("show_outlines"),
                  "dermatomes": lambda: self._toggle("show_dermatomes"), "zone": lambda: self._toggle("show_zone")}
        if kind in doings:
            doings[kind]()

    def _toggle(self, name: str) -> None:
        setattr(self, name, not getattr(self, name))
        if name == "show_zone":  # the panel says whether the zone shows
            self._build_info(keep_scroll=True)

    def toggle_list(self) -> None:
        self.panes.toggle_list()
        self.relayout()

    def escape(self) -> None:
        """Esc: back one step (the visits picked on the timeline, the timeline, picking, the comparison)."""
        if self.mode == "timeline":
            if self.timeline_pick:
                self.session.clear_visit_pick()
                self._build_info(keep_scroll=True)
            else:
                self.close_timeline()
        elif self.mode == "pick":
            self.cancel_pick()
        elif self.mode == "compare":
            self.end_compare()

    def find_similar(self) -> None:
        if self.similar.find():
            self._build_info(keep_scroll=True)

    # ------------------------------------------------------------------
    # the session's actions, and what the window does after them
    def _after(self, before: str, *, relayout: bool = False, opened: bool = False) -> None:
        """After a session action: the list shown or not as the mode changed, the list's rows and badges,
        and the layout (all of it when the mode changed, else the panels)."""
        now = self.mode
        if now != before:
            self.panes.mode_changed(before, now, opened)
        self.panes.sync_list()
        if now != before or relayout:
            self.relayout()
        else:
            self._relayout_panels()

    def _run(self, doing, *args, relayout=lambda ok: False):
        """A session action, then what the window does after it (`relayout(result)`: lay out everything)."""
        before = self.mode
        ok = doing(*args)
        self._after(before, relayout=relayout(ok))
        return ok

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

    def refresh(self) -> None:
        self._run(self.session.refresh, relayout=lambda ok: True)

    def next_filter(self) -> None:
        self._run(self.session.next_filter, relayout=lambda ok: True)

    def start_pick(self) -> None:
        self._run(self.session.start_pick)

    def cancel_pick(self) -> None:
        self._run(self.session.cancel_pick)

    def compare_with(self, index: int) -> bool:
        return self._run(self.session.compare_with, index, relayout=lambda ok: not ok)

    def end_compare(self) -> None:
        self._run(self.session.end_compare)

    def open_timeline(self) -> bool:
        return self._run(self.session.open_timeline, relayout=lambda ok: ok)

    def close_timeline(self) -> None:
        self._run(self.session.close_timeline)

    def pick_visit(self, index: int) -> None:
        keep = self.panes.list_before_compare
        picked = list(self.session.timeline_pick)
        compared = self.session.pick_visit(index)
        if compared:
            self.notice.text = None
            self._after("timeline")
            self.panes.list_before_compare = keep
        elif picked and index not in picked and self.mode == "timeline" and not self.timeline_pick:
            self._after(self.mode, relayout=True)  # a comparison was tried and refused: the toast says why
        else:
            self._build_info(keep_scroll=True)

    def _build_info(self, keep_scroll: bool = False) -> None:
        """The information panel's content for what the session shows (info.info_items)."""
        L = self.layout
        if L is None:
            return
        fixed, items = info_items(self.session, show_zone=self.show_zone, similar=self.similar.lines())
        self.info.layout(L.info_rect, L.s, L.font_size, L.small_size, L.btn_h)
        self.info.set_items(fixed, items, keep_scroll=keep_scroll)

    def _confirm_tap(self, target: str) -> None:
        self.confirm.tap(target)
        if self.confirm.dialog is None:
            self._confirm_closed()

    def _confirm_closed(self) -> None:
        """After the form closed: the list and the panels show the file as saved."""
        self._after(self.mode)

    # ------------------------------------------------------------------
    # drawing
    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        show_list = self.panes.show_list
        self.layout.sync(show_list=show_list, outlines=self.show_outlines, dermatomes=self.show_dermatomes,
                         zone=self.show_zone, mode=self.mode, can_compare=self.can_compare,
                         can_timeline=self.can_timeline, can_print=self.printer.can_print)
        L, pressed = self.layout, self.taps.pressed
        surface.blit(self.centre.surface(L.frame(), Toggles(self.show_outlines, self.show_dermatomes,
                                                               self.show_zone, show_list)), (0, 0))
        L.draw_top_bar(surface, pressed)
        if show_list:
            self.list.draw(surface, self.text, pressed)
        self.info.draw(surface, self.text)
        self.notice.draw(surface, L)
        if self.confirm.dialog is not None:
            p = pressed[len("confirm:"):] if pressed and pressed.startswith("confirm:") else None
            self.confirm.draw(surface, self.text, L.font_size, L.s, p)

    def screenshot(self) -> pygame.Surface:
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf

    # ------------------------------------------------------------------
    # per frame
    def show_toast(self, text: str) -> None:
        self.notice.say(text)

    @property
    def toast(self) -> str | None:
        """The passing note showing, or None (the window loop redraws while there is one)."""
        return self.notice.text

    def update(self, now: float | None = None) -> None:
        self.notice.tick()

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
        from ..scene import no_screen

        if (why := no_screen()):  # it ran forever in an invisible window (ADR 0043)
            pygame.display.quit()
            print(f"bodymap: {why}", file=sys.stderr)
            return 2
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
