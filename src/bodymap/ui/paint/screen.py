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
from ..kit.form import FitDialog, FormDialog
from ..kit.tap import TapTracker
from ..pointer import DOWN, MOUSE, MOVE, Pointer, pointer_event
from ..scene import PARTIAL, DisplayWindow, desktop_size, run
from . import confirmed
from .banner import FlagBanner
from .clinician import ClinicianPanel
from .context import PartContext
from .day import ClinicDay
from .files import FileActions
from .keys import SWALLOWED, shortcut
from .layout import WindowLayout
from .patient_banner import PatientBanner
from .picture import BodyPicture
from .regions import RegionsTool
from .sizes import BASE_SIZE, REDRAW_EVENTS, ctrl_held
from .status import StatusBar, Toast, draw_too_small
from .toolbar import ToolBar, draw_top_bar
from .zoom import WHEEL_STEP, ZoomControls


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
        self.pointer_pos: tuple[float, float] = (0.0, 0.0)  # where the pointer last was (the wheel zooms there)
        self.layout: WindowLayout | None = None
        self._dragging_slider = False
        self._input_seen = False  # a pointer event since the last update: the stroke-end work waits
        self._swallow_text: str | None = None
        self._drawn_key: Any = None  # what the last full draw showed (see draw_partial)
        self._drawn_status: Any = None
        # the owned parts, each given only what it needs
        self.canvas = BodyCanvas(self.atlas)
        self.taps = TapTracker()
        self.tools = ToolBar()
        self.toast = Toast(self.text)
        self._ctx = ctx = PartContext(self.desk, self.text, self.toast.say, self.show_dialog, self.end_stroke,
                                      lambda: self.layout)
        self.clinician = ClinicianPanel(ctx, matcher, lambda: self.show_panel)
        self.picture = BodyPicture(self.atlas, self.canvas, self.tools, self.text, lambda: self.clinician.zone)
        self.status = StatusBar(self.desk, self.text, lambda: self.canvas.stroke is not None)
        self.patient_banner = PatientBanner(self.desk, self.text)
        self.flag_banner = FlagBanner(self.desk, self.text)
        self.regions = RegionsTool(self.atlas, lambda: self.desk.pain_map, self.canvas, self.tools, self.text,
                                   changed=self._paint_changed, redraw=self.invalidate)
        self.zoom_controls = ZoomControls(self.canvas, self.relayout, self.end_stroke, lambda: self.pointer_pos,
                                          self._call_off_gesture)
        self.files = FileActions(ctx, show_map=self.show_map, close=self._close, save_as_form=self._save_as_form)
        self.day = ClinicDay(ctx, self.files, show_map=self.show_map, ranking_stale=self._ranking_stale)
        self._forms = {"save_as": self.day.submit_save_as, "visit": self.day.submit_visit,
                       "open_folder": self.day.submit_open_folder, "age": self.clinician.submit_age,
                       "confirmed": lambda d: confirmed.submit_confirmed(ctx, d)}
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
        self.end_stroke()
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
        self._release_pointer()
        if self.desk.pain_map is not m:
            self.desk.set_map(m, path)
        self.clinician.forget()
        self.status.forget()
        if whole_body:
            self.canvas.zoom = None
            self.clinician.panel.scroll = 0
        if self.layout is not None:
            self.layout.slider.value = m.intensity.get("overall")
            self.relayout()

    def end_stroke(self) -> None:
        if self.canvas.end_stroke():
            self.clinician.stale = True

    def _paint_changed(self) -> None:
        """The whole paint changed (undo, redo, clear, a region filled): every overlay again, a new ranking."""
        self.canvas.refresh()
        self.clinician.stale = True

    def _ranking_stale(self) -> None:
        self.clinician.stale = True

    def undo(self) -> bool:
        self.end_stroke()
        ok = self.pain_map.undo()
        if ok:
            self._paint_changed()
        else:
            self.toast.say("Nothing to undo")
        return ok

    def redo(self) -> bool:
        self.end_stroke()
        ok = self.pain_map.redo()
        if ok:
            self._paint_changed()
        else:
            self.toast.say("Nothing to redo")
        return ok

    def clear(self, view: str | None) -> None:
        self.end_stroke()
        self.pain_map.clear(view)
        self._paint_changed()

    def clear_dialog(self) -> None:
        if self.pain_map.is_empty:
            self.toast.say("Nothing to clear")
            return
        self.show_dialog(FitDialog("clear", "Clear the painting?", ["Undo brings it back."],
                                   [("clear_front", "Clear front"), ("clear_back", "Clear back"),
                                    ("clear_all", "Clear both"), ("cancel", "Cancel")]))

    # ------------------------------------------------------------------
    # per frame
    def update(self, now: float | None = None) -> None:
        self.toast.tick()
        # the work a stroke's end calls for (the flags, the ranking, the readout) waits for a frame without
        # pointer input, so the frame that moves the paint under the finger stays short (ADR 0030); the window
        # loop has such a frame 1/60 s after the finger lifts. Called without a time (tests, tools): at once.
        quiet = now is None or not self._input_seen
        self._input_seen = False
        if self.canvas.stroke is not None or not quiet:
            return
        if self.clinician.stale and not self._dragging_slider and self.show_panel:
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
            self.handle_pointer(p)
        elif t == pygame.MOUSEWHEEL:
            panel_rect = self.layout.panel_rect
            if panel_rect is not None and panel_rect.collidepoint(self.pointer_pos):
                self.clinician.panel.scroll_by(-int(getattr(event, "y", 0)) * self.layout.px(48))
            elif self.dialog is None and self.canvas.stroke is None and self.view_at(self.pointer_pos) is not None:
                y = float(getattr(event, "precise_y", 0) or getattr(event, "y", 0))
                if y:
                    self.zoom_controls.zoom_by(WHEEL_STEP ** y, self.pointer_pos)
        elif t in REDRAW_EVENTS:
            self.invalidate()  # the window system lost our pixels
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t in (pygame.WINDOWFOCUSLOST,):
            self._release_pointer()
            self.zoom_controls.forget_fingers()
        elif t == pygame.KEYDOWN:
            self._key(event)
        elif t == pygame.TEXTINPUT:
            self._text(getattr(event, "text", ""))

    def handle_pointer(self, p: Pointer) -> None:
        """One plain pointer event (bodymap.ui.pointer); tests may call this directly."""
        self._input_seen = True  # the stroke-end work waits for a frame without input (update)
        if self.zoom_controls.pinch_pointer(p, self.dialog is not None):
            return
        if p.phase == DOWN:
            self._pointer_down(p.pos, p.id)
        elif p.phase == MOVE:
            self._pointer_move(p.pos, p.id)
        else:
            self._pointer_up(p.pos, p.id)

    def _pointer_down(self, pos, pid) -> None:
        L, panel = self.layout, self.clinician.panel
        on_button = next((bid for bid, b in L.buttons.items() if b.rect.collidepoint(pos)), None)
        on_panel = L.panel_rect is not None and L.panel_rect.collidepoint(pos)
        self.pointer_pos = pos
        if self.dialog is None and on_button is None and not on_panel and self.regions.press(pos, pid, self.taps):
            return  # the Regions tool's press on a region
        self.zoom_controls.note_body_point(pos)
        if not self.taps.down(pid):
            return  # one pointer at a time: a second finger does nothing (kit.TapTracker)
        if self.dialog is not None:
            hit = self.dialog.hit(pos)
            self.taps.press(("dialog", hit) if hit else None)
        elif on_button is not None:
            self.taps.press(on_button if L.buttons[on_button].enabled else None)
        elif L.slider.rect.collidepoint(pos):
            self._dragging_slider = True
            self._set_slider(pos)
        elif on_panel:
            self.taps.press(panel.hit(pos))
            panel.scroller.drag_start(pos[1])  # a finger drag scrolls the panel
        elif (view := self.view_at(pos)) is not None:
            self.canvas.begin_stroke(view, pos, self.tools.sensation, self.tools.radius, erase=self.tools.eraser)

    def _pointer_move(self, pos, pid) -> None:
        if pid == MOUSE or self.taps.owns(pid):
            self.pointer_pos = pos
        if self.taps.owns(pid):
            scroller = self.clinician.panel.scroller
            if self._dragging_slider:
                self._set_slider(pos)
            elif self.canvas.stroke is not None:
                self.canvas.extend_stroke(pos)
            elif scroller.dragging and scroller.drag_move(pos[1], self.layout.px(12)):
                self.taps.cancel()  # a drag, not a tap
        self.regions.hover(pos, self.taps)

    def _pointer_up(self, pos, pid) -> None:
        if self.regions.release(pos, pid, self.taps) or not self.taps.owns(pid):
            return
        self.pointer_pos = pos
        if self.canvas.stroke is not None:
            self.canvas.extend_stroke(pos)
            self.end_stroke()
        if self._dragging_slider:
            self._set_slider(pos)
            self._dragging_slider = False
            self.clinician.stale = True
        self.clinician.panel.scroller.drag_end()
        tapped = self.taps.up(pid, self._hit(pos))
        if tapped is not None:
            self.activate(self._action(tapped))

    def _call_off_gesture(self) -> None:
        """A pinch began: the slider, the tap and the panel's drag are let go."""
        self._dragging_slider = False
        self.taps.release()
        self.clinician.panel.scroller.drag_end()

    def _release_pointer(self) -> None:
        self.end_stroke()
        if self._dragging_slider:
            self.clinician.stale = True
        self._call_off_gesture()

    def _hit(self, pos) -> Any:
        if self.dialog is not None:
            hit = self.dialog.hit(pos)
            return ("dialog", hit) if hit else None
        for bid, b in self.layout.buttons.items():
            if b.rect.collidepoint(pos):
                return bid
        if self.layout.panel_rect is not None:
            return self.clinician.panel.hit(pos)
        return None

    def _set_slider(self, pos) -> None:
        slider = self.layout.slider
        v = slider.value_at(pos[0])
        if v != slider.value:
            slider.value = v
            self.pain_map.set_intensity(None, v)

    def _key(self, event) -> None:
        k = event.key
        self._swallow_text = None
        if self.regions.region_list is not None:
            self.regions.list_key(event)
            return
        if self.dialog is None and (k == pygame.K_F3 or (ctrl_held(event) and k == pygame.K_f)):
            self.regions.open_list()
        elif isinstance(self.dialog, FormDialog):
            self._form_key(event, self.dialog)
        elif self.dialog is not None:
            if k == pygame.K_ESCAPE:
                self._dialog_action("cancel" if "cancel" in self.dialog.button_rects else "ok")
            elif k in (pygame.K_RETURN, pygame.K_KP_ENTER) and self.dialog.kind in ("help", "message"):
                self._dialog_action("ok")
        elif (action := shortcut(event, self.canvas.zoom is not None)) is not None:
            self.activate(action)
            self._swallow_text = SWALLOWED.get(action[0])  # SDL sends the letter as text after this key

    def _form_key(self, event, d: FormDialog) -> None:
        k = event.key
        if k == pygame.K_ESCAPE:
            self._dialog_action("cancel")
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self._dialog_action("ok")
        elif k == pygame.K_TAB and d.fields:
            d.focus = (d.focus + (-1 if event.mod & pygame.KMOD_SHIFT else 1)) % len(d.fields)
        elif d.focused is not None and d.focused.key(k):
            self.day.after_typing(d)

    def _text(self, text: str) -> None:
        """Typed characters (TEXTINPUT): into a form's field or the region list, or "?" (help), "+"/"-" (zoom)."""
        if self.regions.region_list is not None:
            self.regions.list_text(text)
            return
        swallow, self._swallow_text = self._swallow_text, None
        if swallow is not None and text.lower() == swallow:
            return  # the letter of the shortcut that opened the form is not typed into it
        if isinstance(self.dialog, FormDialog):
            if self.dialog.focused is not None:
                self.dialog.focused.insert(text)
                self.day.after_typing(self.dialog)
        elif self.dialog is None and text == "?":
            self.day.help_dialog()
        elif self.dialog is None and text in ("+", "="):
            self.zoom_controls.zoom_by(2.0)
        elif self.dialog is None and text == "-":
            self.zoom_controls.zoom_by(0.5)

    # ------------------------------------------------------------------
    # actions: a button's, a key's, a panel row's, a dialog's
    def _action(self, target) -> tuple:
        """What a pressed target does: a dialog button, a panel row, or a button's own action."""
        if isinstance(target, tuple):  # ("dialog", button id)
            return target
        return self.clinician.target_action(target) or self.layout.buttons[target].action

    def activate(self, action: tuple) -> None:
        """Carry out an action tuple, as a tap on its button would."""
        kind, arg = action[0], (action[1] if len(action) > 1 else None)
        if self.tools.choose(action):
            return
        doings = {"dialog": lambda: self._dialog_action(arg), "hypothesis": lambda: self.clinician.select(arg),
                  "answer": lambda: self.clinician.answer(action), "regions": self.regions.toggle,
                  "undo": self.undo, "redo": self.redo, "clear": self.clear_dialog, "save": self.files.save,
                  "open": self.files.open_dialog, "panel": self.toggle_panel, "new": self.day.new_patient,
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
        self._release_pointer()
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
        elif d.kind == "clear":
            self.clear({"clear_front": "front", "clear_back": "back"}.get(action))
        elif not self.files.on_dialog(d, action, self.day.open_folder_dialog):
            self.day.on_dialog(d, action)

    def _save_as_form(self) -> None:
        self.day.save_as_dialog()

    def _close(self) -> None:
        self.done = True

    # ------------------------------------------------------------------
    # drawing: whole frames, and partial ones while a stroke goes on
    def _chrome_key(self, surface: pygame.Surface) -> Any:
        """Everything besides the paint and the status text that a frame shows, as two parts:
        (the rest of the window, what only the clinician panel shows)."""
        L = self.layout
        b = tuple((k, v.on, v.enabled) for k, v in L.buttons.items())
        return ((id(surface), surface.get_size(), self.size, b, L.slider.value, self.toast.text, id(self.dialog),
                 self.taps.pressed, self.show_panel, self.picture.key, L.too_small,
                 self.flag_banner.key(self.show_panel)),
                (id(self.clinician.ranking), self.clinician.scroll_key()))

    def _status_key(self) -> Any:
        return (tuple(self.status.readout_lines(fresh=False)), self.status.file_label, self.dirty,
                self.patient_banner.text)

    def invalidate(self) -> None:
        """Make the next draw_partial redraw the whole window."""
        self._drawn_key = None

    def draw_partial(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        """Redraw only what a stroke changed (and the status bar if its text changed).

        Returns the changed screen rectangles, or None after a full redraw. The
        window loop passes the rectangles to display.update(); a full redraw
        happens whenever anything besides the paint and the readout changed.
        """
        if self.regions.active:
            self.draw(surface)  # the hover name and the region list are redrawn whole: no strokes in this mode
            return None
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        key = self._chrome_key(surface)
        if self._drawn_key is None or key[0] != self._drawn_key[0] or self.dialog is not None:
            self.draw(surface)
            return None
        L = self.layout
        panel_only = key[1] != self._drawn_key[1]
        if panel_only and (L.panel_rect is None or self.toast.text or L.too_small):
            self.draw(surface)  # something may lie over the panel: the whole window
            return None
        rects = self.canvas.take_dirty()
        self.picture.draw_in(surface, rects)
        if panel_only:  # a new ranking after a stroke, a scroll or a selection: the panel alone changed
            self.clinician.panel.layout(L.panel_rect, L.s, L.font_size)
            self.clinician.panel.draw(surface, self.text)
            rects.append(L.panel_rect.copy())
            self._drawn_key = key
        banner = self.flag_banner.rect()
        if banner is not None and any(banner.colliderect(r) for r in rects):
            rects.append(self.flag_banner.draw(surface, self.show_panel))  # a stroke under it never wipes it
        status = self._status_key()
        if status != self._drawn_status:
            self.status.draw(surface)
            if self.toast.text:
                self.toast.draw(surface)  # the toast sits over the status bar
            self.patient_banner.draw(surface, L)
            self._drawn_status = status
            rects += [L.status_rect.copy(), L.patient_rect.copy()]
        return rects

    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        self.canvas.take_dirty()
        self.status.readout_lines()  # a whole frame shows the readout up to date (a partial one: as last computed)
        L, pressed = self.layout, self.taps.pressed
        self.picture.draw(surface)
        self.tools.draw(surface, L, self.text, pressed, self.pain_map.intensity.get("overall"))
        draw_top_bar(surface, L, self.text, pressed)
        self.patient_banner.draw(surface, L)
        self.status.draw(surface)
        if L.panel_rect is not None:
            self.clinician.panel.layout(L.panel_rect, L.s, L.font_size)
            self.clinician.panel.draw(surface, self.text)
        if self.toast.text:
            self.toast.draw(surface)
        if L.too_small:
            draw_too_small(surface, self.size, self.text)
        if self.dialog is not None:
            if self.dialog.rect.width == 0:
                self.dialog.layout(pygame.Rect(0, 0, *self.size), L.s, L.font_size)
            self.dialog.draw(surface, self.text, L.font_size, L.s, pressed[1] if isinstance(pressed, tuple) else None)
        self.flag_banner.draw(surface, self.show_panel)  # over the panel, a dialog and the "too small" note
        self._drawn_key = self._chrome_key(surface)
        self._drawn_status = self._status_key()
        if self.dialog is None:
            self.regions.draw(surface, self.pointer_pos)  # the hover name and the region list, over the rest

    def _sync_buttons(self) -> None:
        b, m = self.layout.buttons, self.pain_map
        self.tools.sync(b)
        b["undo"].enabled = m.can_undo
        b["redo"].enabled = m.can_redo
        b["panel"].on = self.show_panel
        b["regions"].on = self.regions.on
        self.layout.slider.value = m.intensity.get("overall")
        b["score_clear"].enabled = self.layout.slider.value is not None

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
