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

`ReviewScreen` holds all the state and is a scene (bodymap.ui.scene) driven by
events (`handle_event`, `update`, `draw`), like the painting window's
`PaintScreen`; `run_review` hands it to the one window loop, which redraws it
only after events or while a toast shows. Its parts live beside it: maps.py
(the maps opened and compared), layout.py, info.py (the information panel's
content), input.py, picture.py, printing.py, timeline.py and timeline_draw.py. Pointer input comes through
bodymap.ui.pointer (positions from events, each touch counted once).
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
from ...compare import Comparison
from ..review_model import MapEntry
from ..review_panel import InfoPanel, MapList
from ..scene import ON_CHANGE, DisplayWindow, run
from ..kit.desk_colours import TEXT
from ..kit import TextCache
from .info import ReviewInfo
from .input import ReviewInput
from .layout import ReviewLayout
from .maps import BASE_SIZE, TOAST_SECONDS, Loaded, ReviewMaps
from .picture import ReviewPicture
from .printing import ReviewPrint
from .timeline import ReviewTimeline
from .timeline_draw import ReviewTimelineDraw


class ReviewScreen(ReviewMaps, ReviewLayout, ReviewInfo, ReviewInput, ReviewPicture, ReviewPrint, ReviewTimeline,
                   ReviewTimelineDraw):
    """The review window as a scene: a state machine over events.

    `path`: a .bodymap file (opened straight away) or a folder (listed).
    `matcher`: an object with `match(pain_map)` and `pattern_zone(atlas, id, side)`
    (default: `bodymap.matcher`). `tz`: the time zone times are shown in (default: local).
    """

    redraw = ON_CHANGE  # a still picture: redrawn after events and while a toast shows

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
        self.mode = "single"  # single, pick (choosing the map to compare with), compare, timeline
        self.entries: list[MapEntry] = []  # the list as shown (after the filter)
        self.all_entries: list[MapEntry] = []  # every map in the folder
        self.filter = "all"  # all | red_flags | emergency (review_model.FILTERS)
        self.current: Loaded | None = None
        self.partner: Loaded | None = None
        self.before: Loaded | None = None
        self.after: Loaded | None = None
        self.comparison: Comparison | None = None
        self.timeline = None  # bodymap.timeline.Timeline in timeline mode
        self.timeline_pick: list[int] = []
        self.timeline_cards: list = []
        self.timeline_entries: dict = {}
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
