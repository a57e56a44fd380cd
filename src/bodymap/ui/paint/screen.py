"""The painting window: a patient paints where it hurts on the front and back views.

`PaintScreen` holds all the state and is a scene (bodymap.ui.scene): driven by
events through `handle_event(event)`, `update()` and `draw(surface)`;
`run_paint_app` hands it to the one window loop, so tests drive the very same
code with synthetic events, headless. Its parts live beside it: layout.py
(where things sit), input.py (pointer, keys, strokes, buttons), files.py
(save, open and their dialogs), day.py (new patient, Save As, visit fields, PDF,
help), questions.py (the questions in the clinician panel), zoom.py (one view
magnified), regions.py (the Regions tool: click a whole region, hover its name, the
region list) and picture.py (drawing, with partial redraw).

Input: the mouse and touch both paint, read through bodymap.ui.pointer (each
touch counted once, positions from the event). The view under the pointer when
a stroke starts owns the stroke.

Speed: the body picture (silhouettes, titles, referral-zone shading) is cached per
layout, the outlines and overlays per view, and the paint overlay is updated
only in the rectangle each stroke segment changed (see render/overlay.py).
"""
from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from ...atlas import Atlas, load_atlas
from ...desk import Desk
from ...painting import SENSATIONS, PainMap
from ..kit.ranking import load_matcher
from ...window_size import fit_to_screen
from ..scene import PARTIAL, DisplayWindow, desktop_size, run
from ..kit import Dialog, TextCache, wrap_text
from ..kit.canvas import BodyCanvas
from ..kit.tap import TapTracker, Through
from .banner import PaintBanner
from .patient_banner import PaintPatientBanner
from .day import PaintDay
from .files import PaintFiles
from .input import PaintInput
from .layout import PaintLayout
from .picture import PaintPicture
from .questions import PaintQuestions, QuestionPanel
from .regions import PaintRegions
from .zoom import PaintZoom
from .sizes import BASE_SIZE, BRUSHES, TOAST_SECONDS


class PaintScreen(PaintRegions, PaintLayout, PaintInput, PaintFiles, PaintDay, PaintZoom, PaintQuestions,
                  PaintPicture, PaintBanner, PaintPatientBanner):
    """The whole painting window as a scene: a state machine over events.

    `matcher`: an object with `match(pain_map)` and `pattern_zone(atlas, id, side)`
    (default: the `bodymap.matcher` module, imported when the panel first needs it).
    `folder`: where Save writes a new file and Open looks (default: `paths.default_maps_dir()`, the
    per-user maps folder; never the working directory or the checkout).
    """

    redraw = PARTIAL  # partial redraw while painting, a slower loop when idle

    def __init__(self, size: tuple[int, int] = BASE_SIZE, path: str | os.PathLike | None = None, *,
                 show_panel: bool = True, atlas: Atlas | None = None, pain_map: PainMap | None = None,
                 matcher: Any = None, folder: str | os.PathLike | None = None,
                 now: Callable[[], datetime] = datetime.now):
        self.atlas = atlas or (pain_map.atlas if pain_map is not None else load_atlas())
        # the visit, the answers and the save decisions: the headless painting-desk session (bodymap.desk)
        self.desk = Desk(self.atlas, pain_map, Path(folder) if folder is not None else None, now)
        # owned parts (the kit): the body views painted on, and the one pointer and its tap
        self.canvas = BodyCanvas(self.atlas)  # layouts, overlays, view_at, the stroke, zoom, dirty rectangles
        self.taps = TapTracker()
        self._now = now
        self._matcher_obj = matcher
        self.text = TextCache()
        self.size = (max(int(size[0]), 1), max(int(size[1]), 1))
        # tools
        self.sensation = SENSATIONS[0]
        self.brush = "medium"
        self.eraser = False
        self.show_panel = bool(show_panel)
        self.show_outlines = True
        self.show_dermatomes = False
        # state
        self.dialog: Dialog | None = None
        self.done = False
        self.exit_status = 0
        self.toast: str | None = None
        self._toast_until = 0.0
        self.panel = QuestionPanel()
        self.ranking: Any = None
        self.matcher_error: str | None = None
        self.zone: dict[str, float] | None = None
        self.matcher_calls = 0
        self._ranking_dirty = True
        self._dragging_slider = False
        self._last_pos: tuple[float, float] = (0.0, 0.0)
        self._frame = 0
        self._readout: tuple[list[str], float] | None = None
        self._readout_version = -1
        self._input_seen = False  # a pointer event since the last update: the stroke-end work waits
        self._bg: pygame.Surface | None = None
        self._bg_key: Any = None
        self._tops: dict[str, tuple[pygame.Surface, tuple[int, int]]] = {}
        self._tops_key: Any = None
        self._drawn_key: Any = None  # what the last full draw showed (see draw_partial)
        self._drawn_status: Any = None
        if path is not None:
            self._open_initial(Path(path))
        self._layout()

    # the desk's state, read and set through the window as before
    @property
    def pain_map(self) -> PainMap:
        return self.desk.pain_map

    @pain_map.setter
    def pain_map(self, m: PainMap) -> None:
        self.desk.pain_map = m

    @property
    def path(self) -> Path | None:
        return self.desk.path

    @path.setter
    def path(self, value: Path | None) -> None:
        self.desk.path = None if value is None else Path(value)

    # the owned parts' state under the names the window's parts and tests read
    layouts = Through("canvas", "layouts")
    overlays = Through("canvas", "overlays")
    zoom = Through("canvas", "zoom")  # None, or (view, atlas centre, factor): see zoom.py
    _stroke = Through("canvas", "stroke")
    _dirty_rects = Through("canvas", "dirty_rects")
    _pointer = Through("taps", "pointer")  # the one pointer (mouse or finger id) currently pressed
    _pressed = Through("taps", "pressed")  # the target under it

    @property
    def folder(self) -> Path:
        """Where Save writes a new map and Open looks (bodymap.desk.Desk.folder)."""
        return self.desk.folder

    @folder.setter
    def folder(self, value: str | os.PathLike) -> None:
        self.desk.folder = value

    def _now(self) -> datetime:
        return self.desk.now()

    @property
    def radius(self) -> float:
        return BRUSHES[self.brush]

    @property
    def dirty(self) -> bool:
        """Unsaved changes."""
        return self.desk.dirty

    # ------------------------------------------------------------------
    # matcher
    def _matcher(self):
        if self._matcher_obj is None:
            self._matcher_obj = load_matcher()
        return self._matcher_obj

    def refresh_ranking(self) -> None:
        self._ranking_dirty = False
        self.matcher_calls += 1
        # a broken matcher must not close the patient's window, nor hide a flag (triage, bodymap.desk)
        self.ranking, self.matcher_error = self.desk.assess(self._matcher)
        before = self.panel.selected
        m = self.pain_map
        self.panel.set_questions(m.answers, m.saddle_painted or m.both_legs_painted)
        disclaimer = getattr(self._matcher_obj, "DISCLAIMER", None) if self.matcher_error is None else None
        self.panel.set_ranking(self.ranking, self.matcher_error, self.pain_map.is_empty,
                               disclaimer if isinstance(disclaimer, str) else None)
        if self.panel.selected != before:
            self._update_zone()

    def select_hypothesis(self, index: int | None) -> None:
        self.panel.select(index)
        self._update_zone()

    def _update_zone(self) -> None:
        self.zone = None
        if self.panel.selected is None:
            return
        pid, side = self.panel.selected
        try:
            zone = self._matcher().pattern_zone(self.atlas, pid, side)
            self.zone = {str(k): float(v) for k, v in dict(zone).items()}
        except Exception as exc:  # noqa: BLE001
            self.show_toast(f"Zone not available ({type(exc).__name__})")

    # ------------------------------------------------------------------
    # per frame
    def show_toast(self, text: str) -> None:
        """A short note at the bottom of the body area for a few seconds."""
        self.toast, self._toast_until = text, time.monotonic() + TOAST_SECONDS

    def update(self, now: float | None = None) -> None:
        self._frame += 1
        if self.toast is not None and time.monotonic() >= self._toast_until:
            self.toast = None
        # the work a stroke's end calls for (the flags, the ranking, the readout) waits for a frame without
        # pointer input, so the frame that moves the paint under the finger stays short (ADR 0030); the window
        # loop has such a frame 1/60 s after the finger lifts. Called without a time (tests, tools): at once.
        quiet = now is None or not self._input_seen
        self._input_seen = False
        if self._stroke is not None or not quiet:
            return
        if self._ranking_dirty and not self._dragging_slider and self.show_panel:
            self.refresh_ranking()
        self.refresh_banner_flags()  # the red-flag banner's flags, panel shown or not (issue 18)
        if self.pain_map.version != self._readout_version:
            self._compute_readout()

    def _compute_readout(self) -> None:
        names = self.pain_map.painted_region_names(min_fraction=0.01)
        ext = float(self.pain_map.extent_percent()["total"])
        self._readout = (names, ext, self._indices_now())
        self._readout_version = self.pain_map.version

    def readout_lines(self, fresh: bool = True) -> list[str]:
        """The readout as shown: extent, intensity, then the painted regions by name. `fresh`: brought up to
        date first unless a stroke goes on; drawing passes False and shows what the last quiet frame found."""
        if self._readout is None or fresh and self._readout_version != self.pain_map.version and self._stroke is None:
            self._compute_readout()
        names, ext, indices = self._readout
        inten = self.pain_map.intensity.get("overall")
        first = f"Extent {ext:.1f}% of body" + (f"  |  pain {inten}/10" if inten is not None else "")
        first += indices  # issue 25: the standard indices, one short item
        painted = ("Painted: " + ", ".join(names)) if names else \
            "Painted: nothing yet. Choose a sensation, then paint where it hurts."
        width = max(self.status_rect.width - 2 * self.px(12), 50)
        if self.status_rect.height > 4 * self.px(40):  # the readout beside the bodies: room for more lines
            return wrap_text(first, self.font_size, width, max_lines=2) + \
                wrap_text(painted, self.font_size, width, max_lines=12)
        return [first] + wrap_text(painted, self.font_size, width, max_lines=2)

    def _indices_now(self) -> str:
        """'  |  WPI 3/19, MBM 4/35' for a painting with counted regions, else '' (with the readout)."""
        from ...indices import indices_for_map

        idx = indices_for_map(self.pain_map)
        return f"  |  WPI {idx.wpi}/19, MBM {idx.mbm_count}/35" if idx.mbm_count else ""

    @property
    def file_label(self) -> str:
        name = self.path.name if self.path is not None else "new painting"
        pid = self.pain_map.visit.patient_id
        if pid and (self.path is None or pid not in name):
            name = f"{pid}: {name}"  # whose map this is, once the visit says so
        return name + (" (unsaved)" if self.dirty else "")

    @property
    def caption(self) -> str:
        return f"bodymap - {self.file_label}"


def run_paint_app(file: str | os.PathLike | None = None, size: tuple[int, int] | None = None,
                  show_panel: bool = True, *, max_frames: int | None = None) -> int:
    """Open the painting window and run it until it is closed. Returns the exit status.

    Without `size` the window is BASE_SIZE made to fit the screen (a 1366x768 laptop included)."""
    try:
        pygame.display.init()
        pygame.font.init()
        if size is None:
            size = fit_to_screen(BASE_SIZE, desktop_size())
        surface = pygame.display.set_mode(size, pygame.RESIZABLE)
    except pygame.error as exc:
        print(f"bodymap: cannot open a window ({exc})", file=sys.stderr)
        return 1
    pygame.display.set_caption("bodymap - paint where it hurts")
    try:
        screen = PaintScreen(surface.get_size(), file, show_panel=show_panel)
        run(screen, DisplayWindow(), max_frames=max_frames)
        return screen.exit_status
    finally:
        pygame.display.quit()
