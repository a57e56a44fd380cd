"""The painting window: a patient paints where it hurts on the front and back views.

`PaintScreen` is a scene (bodymap.ui.scene): driven by events through `handle_event(event)`,
`update()` and `draw(surface)`; `run_paint_app` hands it to the one window loop, so tests drive the very
same code with synthetic events, headless. It holds the painting desk (`bodymap.desk.Desk`: the map, its
file, the visit, the answers, the save decisions) and builds the window from owned parts, each with its
own state and given only what it needs (ADR 0034):

- `canvas` (`kit.BodyCanvas`: the views, the paint overlays, the stroke, the zoom) and `taps`
  (`kit.TapTracker`: one pointer at a time, what a tap is);
- `layout` (`WindowLayout`, layout.py: where everything sits, new on every resize);
- `tools` (`ToolBar`, toolbar.py), `picture` (`BodyPicture`, picture.py), `status` and `toast`
  (`StatusBar`, `Toast`, status.py), `patient_banner` and `flag_banner` (patient_banner.py, banner.py);
- `clinician` (`ClinicianPanel`, clinician.py: the panel, the ranking, the zone, the answers);
- `regions` (`RegionsTool`, regions.py), `zoom_controls` (`ZoomControls`, zoom.py);
- `files` (`FileActions`, files.py: Save, Open, quitting) and `day` (`ClinicDay`, day.py: new patient,
  new visit, Save As, the visit form, the PDF, help).

The window itself routes events to the parts, carries out actions (a button's, a key's, a dialog's), keeps
the dialog showing, and composes a frame. The parts never hold the window: they get a `PartContext`
(context.py) or a few callables, so what each may touch is read in `__init__` below.

Input: the mouse and touch both paint, read through bodymap.ui.pointer (each touch counted once, positions
from the event). The view under the pointer when a stroke starts owns the stroke.

Speed: the body picture is cached per layout and per view, the paint overlay is updated only in the
rectangle each stroke segment changed (render/overlay.py), and a stroke's end work (flags, ranking,
readout) waits for a quiet frame (ADR 0030).
"""
from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from ...atlas import Atlas, load_atlas
from ...desk import Desk
from ...painting import PainMap
from ...render.picture import PATTERN_PERIOD
from ...window_size import fit_to_screen
from ..kit import TextCache
from ..kit.canvas import BodyCanvas
from ..kit.form import FormDialog
from ..kit.tap import TapTracker
from ..pointer import Pointer, pointer_event
from ..scene import PARTIAL, DisplayWindow, desktop_size, no_screen, run
from . import confirmed
from .banner import FlagBanner
from .clinician import ClinicianPanel
from .context import PartContext
from .day import ClinicDay
from .edits import PaintEdits
from .files import FileActions
from .frame import Frames
from .input import WindowInput
from .layout import WindowLayout
from .patient_banner import PatientBanner
from .picture import BodyPicture
from .regions import RegionsTool
from .sizes import BASE_SIZE, REDRAW_EVENTS
from .status import StatusBar, Toast
from .toolbar import ToolBar
from .zoom import ZoomControls


class PaintScreen:
    """The whole painting window as a scene (see the module).

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
        self.desk = Desk(self.atlas, pain_map, Path(folder) if folder is not None else None, now)
        self.text = TextCache()
        self.size = (max(int(size[0]), 1), max(int(size[1]), 1))
        self.show_panel = bool(show_panel)
        self.dialog: Any = None  # the dialog showing (it takes every tap), or None
        self.done = False
        self.exit_status = 0
        self.layout: WindowLayout | None = None
        # the owned parts, each given only what it needs
        self.canvas = BodyCanvas(self.atlas)
        self.taps = TapTracker()
        self.tools = ToolBar()
        self.toast = Toast(self.text)
        self.edits = PaintEdits(self.desk, self.canvas, self.toast.say, self.show_dialog,
                                lambda: self.clinician.mark_stale())
        self._ctx = ctx = PartContext(self.desk, self.text, self.toast.say, self.show_dialog, self.edits.end_stroke,
                                      lambda: self.layout)
        self.clinician = ClinicianPanel(ctx, matcher, lambda: self.show_panel)
        self.picture = BodyPicture(self.atlas, self.canvas, self.tools, self.text, lambda: self.clinician.zone)
        self.status = StatusBar(self.desk, self.text, lambda: self.canvas.stroke is not None)
        self.patient_banner = PatientBanner(self.desk, self.text)
        self.flag_banner = FlagBanner(self.desk, self.text)
        self.regions = RegionsTool(self.atlas, lambda: self.desk.pain_map, self.canvas, self.tools, self.text,
                                   changed=self.edits.changed, redraw=self.invalidate)
        self.zoom_controls = ZoomControls(self.canvas, self.relayout, self.edits.end_stroke,
                                          lambda: self.input.pointer_pos, lambda: self.input.call_off())
        self.files = FileActions(ctx, show_map=self.show_map, close=self._close,
                                 save_as_form=lambda: self.day.save_as_dialog(),
                                 open_folder_form=lambda folder: self.day.open_folder_dialog(folder))
        self.day = ClinicDay(ctx, self.files, show_map=self.show_map, ranking_stale=self.clinician.mark_stale)
        self.input = WindowInput(desk=self.desk, canvas=self.canvas, taps=self.taps, tools=self.tools,
                                 regions=self.regions, zoom_controls=self.zoom_controls, clinician=self.clinician,
                                 layout=lambda: self.layout, dialog=lambda: self.dialog, activate=self.activate,
                                 dialog_action=self._dialog_action, end_stroke=self.edits.end_stroke,
                                 typed=self.day.after_typing)
        self.frames = Frames(self.desk, self.text, canvas=self.canvas, taps=self.taps, tools=self.tools,
                             picture=self.picture, status=self.status, toast=self.toast,
                             patient_banner=self.patient_banner, flag_banner=self.flag_banner,
                             clinician=self.clinician, regions=self.regions, layout=lambda: self.layout,
                             dialog=lambda: self.dialog, panel_shown=lambda: self.show_panel,
                             pointer_pos=lambda: self.input.pointer_pos)
        self._forms = {"save_as": self.day.submit_save_as, "visit": self.day.submit_visit,
                       "open_folder": self.day.submit_open_folder, "age": self.clinician.submit_age,
                       "confirmed": lambda d: confirmed.submit_confirmed(ctx, d),
                       "open_find": self.files.submit_find}
        if path is not None:
            self.dialog = self.files.open_initial(Path(path))
        self.relayout()

    # the desk's state, read and set through the window
    @property
    def pain_map(self) -> PainMap:
        return self.desk.pain_map

    @property
    def path(self) -> Path | None:
        return self.desk.path

    @property
    def folder(self) -> Path:
        """Where Save writes a new map and Open looks (bodymap.desk.Desk.folder)."""
        return self.desk.folder

    @property
    def dirty(self) -> bool:
        """Unsaved changes."""
        return self.desk.dirty

    @property
    def layouts(self) -> dict[str, Any]:
        """Each body view's layout on screen (the canvas's): atlas coordinates to window pixels."""
        return self.canvas.layouts

    @property
    def zoom(self) -> tuple | None:
        """None (both views whole) or (view, atlas centre, factor): the canvas's zoom."""
        return self.canvas.zoom

    @property
    def caption(self) -> str:
        return f"bodymap - {self.status.file_label}"

    # ------------------------------------------------------------------
    # where things sit
    def relayout(self) -> None:
        """Lay the window out again (a resize, the panel shown or hidden, a zoom, the flag banner)."""
        L = self.layout = WindowLayout(self.size, self.show_panel, self.text, self.atlas,
                                       flag_banner=bool(self.flag_banner.flags),
                                       intensity=self.pain_map.intensity.get("overall"),
                                       zoomed_layouts=self.canvas.zoomed_layouts)
        first = next(iter(L.view_layouts.values()))
        self.canvas.place(self.pain_map, L.view_layouts,
                          max(4, int(round(PATTERN_PERIOD * first.scale / self.pain_map.raster.scale))))
        L.buttons["zoom_out"].enabled = self.canvas.zoom is not None
        for part in (self.picture, self.status, self.toast, self.flag_banner, self.regions):
            part.place(L)
        if L.panel_rect is not None:
            self.clinician.panel.layout(L.panel_rect, L.s, L.font_size)
        if self.dialog is not None:
            self.dialog.layout(pygame.Rect(0, 0, *self.size), L.s, L.font_size)

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size == self.size:
            return
        self.edits.end_stroke()
        self.size = size
        self.relayout()

    def view_at(self, pos) -> str | None:
        return self.canvas.view_at(pos)

    def button_center(self, bid: str) -> tuple[int, int]:
        """Where to tap a button (or dialog button 'dialog:<id>', or panel row 'panel:hyp:N', or an answer
        'panel:q:<key>:<choice>') on screen; a panel row is scrolled into view first."""
        if self.dialog is not None:
            for dialog_bid, r in self.dialog.button_rects.items():
                if bid == f"dialog:{dialog_bid}":
                    return r.center
        panel = self.clinician.panel
        for row in panel.rows:
            if row.kind == "hypothesis" and bid == f"panel:hyp:{row.index}":
                panel.scroller.into_view(row.rect.top, row.rect.bottom)
                return panel.row_screen_rect(row).center
            if row.kind == "question" and bid.startswith(f"panel:q:{row.key}:"):
                r = panel.choice_rects(row)[bid.rsplit(":", 1)[1]]
                panel.scroller.into_view(r.top, r.bottom)
                return r.move(panel.rect.left, panel.rect.top - panel.scroll).center
        return self.layout.buttons[bid].rect.center

    # ------------------------------------------------------------------
    # the map and the paint
    def show_map(self, m: PainMap, path: Path | None, whole_body: bool = False) -> None:
        """Another map on the desk (opened, new patient, new visit): nothing of the last one shows.
        `whole_body`: back to both views whole and the panel's top."""
        self.input.release()
        if self.desk.pain_map is not m:
            self.desk.set_map(m, path)
        self.clinician.forget()
        self.status.forget()
        if whole_body:
            self.canvas.zoom = None
            self.clinician.panel.scroll = 0
        if self.layout is not None:  # (none yet while the window opens its first file)
            self.relayout()

    # ------------------------------------------------------------------
    # per frame
    def update(self, now: float | None = None) -> None:
        self.toast.tick()
        # the work a stroke's end calls for (the flags, the ranking, the readout) waits for a frame without
        # pointer input, so the frame that moves the paint under the finger stays short (ADR 0030); the window
        # loop has such a frame 1/60 s after the finger lifts. Called without a time (tests, tools): at once.
        quiet = not self.input.take_seen() or now is None
        if self.canvas.stroke is not None or not quiet:
            return
        if self.clinician.stale and not self.input.dragging_slider and self.show_panel:
            self.clinician.refresh()
        if self.flag_banner.refresh():  # the banner's flags, panel shown or not (issue 18)
            self.relayout()  # the body moves down under the banner (or back up): it never covers a title
        if self.status.stale:
            self.status.compute()

    # ------------------------------------------------------------------
    # events
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        if t == pygame.QUIT:
            self.files.request_quit(getattr(self.dialog, "kind", None))
        elif (p := pointer_event(event, self.size)) is not None:
            self.input.handle_pointer(p)
        elif t == pygame.MOUSEWHEEL:
            self.input.wheel(event)
        elif t in REDRAW_EVENTS:
            self.invalidate()  # the window system lost our pixels
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t in (pygame.WINDOWFOCUSLOST,):
            self.input.release()
            self.zoom_controls.forget_fingers()
        elif t == pygame.KEYDOWN:
            self.input.key(event)
        elif t == pygame.TEXTINPUT:
            self.input.text(getattr(event, "text", ""))

    def handle_pointer(self, p: Pointer) -> None:
        """One plain pointer event (bodymap.ui.pointer); tests may call this directly."""
        self.input.handle_pointer(p)

    # ------------------------------------------------------------------
    # actions: a button's, a key's, a panel row's, a dialog's
    def activate(self, action: tuple) -> None:
        """Carry out an action tuple, as a tap on its button would."""
        kind, arg = action[0], (action[1] if len(action) > 1 else None)
        if self.tools.choose(action):
            return
        doings = {"dialog": lambda: self._dialog_action(arg), "hypothesis": lambda: self.clinician.select(arg),
                  "answer": lambda: self.clinician.answer(action), "regions": self.regions.toggle,
                  "undo": self.edits.undo, "redo": self.edits.redo, "clear": self.edits.clear_dialog,
                  "save": self.files.save, "open": self.files.open_dialog, "panel": self.toggle_panel,
                  "new": self.day.new_patient,
                  "new_visit": self.day.new_visit_dialog, "save_as": self.day.save_as_dialog,
                  "visit": self.day.visit_dialog, "pdf": self.day.print_pdf, "help": self.day.help_dialog,
                  "score_clear": self.day.clear_pain_score, "zoom_in": lambda: self.zoom_controls.zoom_by(2.0),
                  "zoom_out": lambda: self.zoom_controls.zoom_by(0.5), "zoom_reset": self.zoom_controls.reset,
                  "pan": lambda: self.zoom_controls.pan(*action[1:]),
                  "confirmed": lambda: confirmed.confirmed_dialog(self._ctx)}
        if kind in doings:
            doings[kind]()

    def toggle_panel(self) -> None:
        self.show_panel = not self.show_panel
        self.relayout()

    def show_dialog(self, dialog: Any) -> None:
        """Show a dialog over the window: the pointer is let go and the dialog laid out."""
        self.input.release()
        self.dialog = dialog
        dialog.layout(pygame.Rect(0, 0, *self.size), self.layout.s, self.layout.font_size)

    def _dialog_action(self, action: str) -> None:
        d = self.dialog
        if d is None:
            return
        if isinstance(d, FormDialog):
            if self.day.form_choice(d, action):
                return
            if action == "ok":
                self.dialog = None
                submit = self._forms.get(d.kind)
                if submit is not None:
                    submit(d)
                return
        self.dialog = None
        if action == "cancel" or action == "ok":
            self.files.call_off()  # what waited for a save (closing, the next patient) is called off
        elif not (self.edits.on_dialog(d, action) or self.files.on_dialog(d, action)):
            self.day.on_dialog(d, action)

    def _close(self) -> None:
        self.done = True

    # ------------------------------------------------------------------
    # drawing (frame.py)
    def invalidate(self) -> None:
        """Make the next draw_partial redraw the whole window."""
        self.frames.invalidate()

    def draw_partial(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        """Redraw only what a stroke changed (see `Frames.draw_partial`); None after a whole frame."""
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        return self.frames.draw_partial(surface)

    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self.frames.draw(surface)

    def screenshot(self) -> pygame.Surface:
        """The window as it looks now, drawn headless."""
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf


def run_paint_app(file: str | os.PathLike | None = None, size: tuple[int, int] | None = None,
                  show_panel: bool = True, *, max_frames: int | None = None) -> int:
    """Open the painting window and run it until it is closed. Returns the exit status.

    Without `size` the window is BASE_SIZE made to fit the screen (a 1366x768 laptop included)."""
    try:
        pygame.display.init()
        if (why := no_screen()):  # it ran forever in an invisible window (ADR 0043)
            pygame.display.quit()
            print(f"bodymap: {why}", file=sys.stderr)
            return 2
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
