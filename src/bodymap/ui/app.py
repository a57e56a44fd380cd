"""The painting window: a patient paints where it hurts on the front and back views.

`PaintScreen` holds all the state and is driven by events: `handle_event(event)`,
`update()` and `draw(surface)`; `run_paint_app` only pumps pygame's events into
it, so tests drive the very same code with synthetic events, headless.

Input: the mouse and touch (FINGER* events, normalised to the window) both
paint. SDL also turns every touch into mouse events marked `event.touch`; those
are ignored so each touch is handled once. Positions are always read from the
event. The view under the pointer when a stroke starts owns the stroke.

Speed: the body picture (silhouettes, titles, zone shading) is cached per
layout, the outlines and overlays per view, and the paint overlay is updated
only in the rectangle each stroke segment changed (see overlay.py).
"""
from __future__ import annotations

import dataclasses
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame
import shapely

from .. import fileformat
from ..atlas import VIEWS, Atlas, load_atlas
from ..errors import BodymapError
from ..painting import DEFAULT_RADIUS, SENSATIONS, PainMap
from .. import render
from ..render.palette import REGION_LINE_OVER_PAINT, ZONE_LINE, ZONE_MIN_P, ZONE_OUTLINE_P, ZONE_RGB
from .widgets import POINTER_EVENTS, flow_buttons, pointer
from ..render.picture import PATTERN_PERIOD, SENSATION_STYLE
from ..render.overlay import PaintOverlay, brush_window
from .panel import ClinicianPanel, load_matcher
from .widgets import (BAR_BG, BAR_LINE, BUTTON_ON_BG, BUTTON_ON_TEXT, MUTED, RED, TEXT, Button, Dialog, Slider,
                      TextCache, wrap_text)

BASE_SIZE = (1280, 800)
BRUSHES = {"small": 0.05, "medium": DEFAULT_RADIUS, "large": 0.16}
BRUSH_LETTERS = {"small": "S", "medium": "M", "large": "L"}
TOAST_SECONDS = 3.0
FILE_SUFFIX = ".bodymap"


REDRAW_EVENTS = (pygame.VIDEOEXPOSE, pygame.WINDOWEXPOSED, pygame.WINDOWSHOWN, pygame.WINDOWRESTORED,
                 pygame.WINDOWMAXIMIZED)


def _ctrl(event) -> bool:
    mod = getattr(event, "mod", 0) or 0
    return bool(mod & (pygame.KMOD_CTRL | pygame.KMOD_META))


def _shift(event) -> bool:
    return bool((getattr(event, "mod", 0) or 0) & pygame.KMOD_SHIFT)


class PaintScreen:
    """The whole painting window as a state machine over events.

    `matcher`: an object with `match(pain_map)` and `pattern_zone(atlas, id, side)`
    (default: the `bodymap.matcher` module, imported when the panel first needs it).
    `folder`: where Save writes a new file and Open looks (default: the current folder).
    """

    def __init__(self, size: tuple[int, int] = BASE_SIZE, path: str | os.PathLike | None = None, *,
                 show_panel: bool = True, atlas: Atlas | None = None, pain_map: PainMap | None = None,
                 matcher: Any = None, folder: str | os.PathLike | None = None,
                 now: Callable[[], datetime] = datetime.now):
        self.atlas = atlas or (pain_map.atlas if pain_map is not None else load_atlas())
        self.folder = Path(folder) if folder is not None else Path.cwd()
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
        self.path: Path | None = None
        self.dialog: Dialog | None = None
        self.done = False
        self.exit_status = 0
        self.toast: str | None = None
        self._toast_until = 0.0
        self.panel = ClinicianPanel()
        self.ranking: Any = None
        self.matcher_error: str | None = None
        self.zone: dict[str, float] | None = None
        self.matcher_calls = 0
        self._ranking_dirty = True
        self._pointer: Any = None  # the one pointer (mouse or finger id) currently pressed
        self._pressed: str | None = None  # button id under the pressed pointer
        self._dragging_slider = False
        self._panel_drag: tuple[float, int] | None = None
        self._stroke: dict | None = None
        self._last_pos: tuple[float, float] = (0.0, 0.0)
        self._frame = 0
        self._readout: tuple[list[str], float] | None = None
        self._readout_version = -1
        self._bg: pygame.Surface | None = None
        self._bg_key: Any = None
        self._tops: dict[str, tuple[pygame.Surface, tuple[int, int]]] = {}
        self._tops_key: Any = None
        self.overlays: dict[str, PaintOverlay] = {}
        self._dirty_rects: list[pygame.Rect] = []
        self._drawn_key: Any = None  # what the last full draw showed (see draw_partial)
        self._drawn_status: Any = None
        self.pain_map = pain_map or PainMap(self.atlas)
        self._saved_version = self.pain_map.version
        if path is not None:
            self._open_initial(Path(path))
        self._layout()

    # ------------------------------------------------------------------
    # geometry
    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def _layout(self) -> None:
        w, h = self.size
        # a tall window gets the panel under the body instead of beside it
        self.panel_at_bottom = self.show_panel and w < 1.15 * h
        need_w = 1100 if self.show_panel and not self.panel_at_bottom else 900
        need_h = 1000 if self.panel_at_bottom else BASE_SIZE[1]
        self.s = s = min(max(min(w / need_w, h / need_h), 0.6), 1.5)
        self.font_size = fs = max(16, int(28 * s))
        pad, btn, gap = self.px(8), self.px(56), self.px(6)
        self.buttons: dict[str, Button] = {}
        # top bar: flowing rows of buttons
        top_items = [("undo", "Undo", "action"), ("redo", "Redo", "action"), ("clear", "Clear...", "action"),
                     None, ("save", "Save", "action"), ("open", "Open...", "action"), None,
                     ("outlines", "Outlines", "toggle"), ("dermatomes", "Dermatomes", "toggle"),
                     ("panel", "Clinician panel", "toggle")]
        bar, bar_h = flow_buttons(top_items, self.text, fs, btn, pad, self.px(18), w, self.px)
        self.buttons.update(bar)
        self.top_rect = pygame.Rect(0, 0, w, bar_h)
        top_h = self.top_rect.height
        tool_w = self.px(272)
        lh = render.font(fs).get_linesize()
        status_h = 3 * (lh + 2) + 2 * pad
        self.tool_rect = pygame.Rect(0, top_h, tool_w, h - top_h)
        panel_w = panel_h = 0
        if not self.show_panel:
            self.panel_rect = None
        elif self.panel_at_bottom:
            panel_h = int(0.36 * (h - top_h))
            self.panel_rect = pygame.Rect(tool_w, h - panel_h, w - tool_w, panel_h)
        else:
            panel_w = min(self.px(400), int(0.36 * w))
            self.panel_rect = pygame.Rect(w - panel_w, top_h, panel_w, h - top_h)
        bottom = h - panel_h
        self.status_rect = pygame.Rect(tool_w, bottom - status_h, w - tool_w - panel_w, status_h)
        self.body_rect = pygame.Rect(tool_w, top_h, w - tool_w - panel_w, bottom - top_h - status_h)
        # tool bar (left): sensations, brush, eraser, intensity
        self.headings: list[tuple[str, tuple[int, int]]] = []
        x0, inner = pad, tool_w - 2 * pad
        y = top_h + pad
        self.headings.append(("Sensation", (x0, y)))
        y += lh + gap
        for sname in SENSATIONS:
            self.buttons[f"sensation:{sname}"] = Button(f"sensation:{sname}", pygame.Rect(x0, y, inner, btn),
                                                        SENSATION_STYLE[sname]["label"], "choice", swatch=sname)
            y += btn + gap
        y += pad
        self.headings.append(("Brush size", (x0, y)))
        y += lh + gap
        bw = (inner - 2 * gap) // 3
        for i, name in enumerate(BRUSHES):
            self.buttons[f"brush:{name}"] = Button(f"brush:{name}", pygame.Rect(x0 + i * (bw + gap), y, bw, btn),
                                                   BRUSH_LETTERS[name], "choice")
        y += btn + gap
        self.buttons["eraser"] = Button("eraser", pygame.Rect(x0, y, inner, btn), "Eraser", "choice")
        y += btn + 2 * pad
        self.intensity_label_pos = (x0, y)
        y += lh + gap
        self.slider = Slider(pygame.Rect(x0, y, inner, btn), 10, self.pain_map.intensity.get("overall"))
        # the two views
        # titles over the views; the caption wraps when a view is narrow
        self.title_size = max(16, int(36 * s))
        self.caption_size = max(16, int(25 * s))
        area = self.body_rect.inflate(-2 * pad, -2 * pad)
        gap_views = self.px(28)
        caption_lines = 1
        for _ in range(3):
            title_h = (render.font(self.title_size).get_linesize()
                       + caption_lines * render.font(self.caption_size).get_linesize() + self.px(8))
            lays = render.layout_views(self.atlas, area, gap=gap_views, title_h=title_h)
            width = lays["front"].width - self.px(4)
            self.captions = {v: (render.VIEW_CAPTIONS[v][0],
                                 wrap_text(render.VIEW_CAPTIONS[v][1], self.caption_size, width))
                             for v in VIEWS}
            need = max(len(c[1]) for c in self.captions.values())
            if need <= caption_lines:
                break
            caption_lines = need
        self.layouts = {v: dataclasses.replace(lay, left=float(round(lay.left)), top=float(round(lay.top)))
                        for v, lay in lays.items()}
        for name, b in self.buttons.items():
            if name.startswith("brush:"):
                b.dot = min(BRUSHES[name[6:]] * self.layouts["front"].scale, btn / 2 - 6)
        self.overlays = {v: PaintOverlay(self.pain_map, lay, self._period()) for v, lay in self.layouts.items()}
        if self.panel_rect is not None:
            self.panel.layout(self.panel_rect, s, fs)
        if self.dialog is not None:
            self.dialog.layout(pygame.Rect(0, 0, w, h), s, fs)

    def _period(self) -> int:
        return max(4, int(round(PATTERN_PERIOD * self.layouts["front"].scale / self.pain_map.raster.scale)))

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size == self.size:
            return
        self._end_stroke()
        self.size = size
        self._layout()

    def view_at(self, pos) -> str | None:
        for v, lay in self.layouts.items():
            if lay.contains(pos[0], pos[1]):
                return v
        return None

    def button_center(self, bid: str) -> tuple[int, int]:
        """Where to tap a button (or dialog button, or panel row 'panel:hyp:N') on screen."""
        if self.dialog is not None and bid.startswith("dialog:"):
            return self.dialog.button_rects[bid[7:]].center
        if bid.startswith("panel:hyp:"):
            i = int(bid.rsplit(":", 1)[1])
            for row in self.panel.rows:
                if row.kind == "hypothesis" and row.index == i:
                    return self.panel.row_screen_rect(row).center
            raise KeyError(bid)
        return self.buttons[bid].rect.center

    @property
    def radius(self) -> float:
        return BRUSHES[self.brush]

    @property
    def dirty(self) -> bool:
        """Unsaved changes."""
        return self.pain_map.version != self._saved_version

    # ------------------------------------------------------------------
    # events
    def handle_event(self, event: pygame.event.Event) -> None:
        t = event.type
        if t == pygame.QUIT:
            self.request_quit()
        elif t in POINTER_EVENTS:
            p = pointer(event, self.size)
            if p is not None:
                phase, pos, pid = p
                {"down": self._pointer_down, "move": self._pointer_move, "up": self._pointer_up}[phase](pos, pid)
        elif t == pygame.MOUSEWHEEL:
            if self.panel_rect is not None and self.panel_rect.collidepoint(self._last_pos):
                self.panel.scroll_by(-int(getattr(event, "y", 0)) * self.px(48))
        elif t in REDRAW_EVENTS:
            self.invalidate()  # the window system lost our pixels
        elif t == pygame.VIDEORESIZE:
            self.resize((event.w, event.h))
        elif t in (pygame.WINDOWRESIZED, pygame.WINDOWSIZECHANGED):
            self.resize((event.x, event.y))
        elif t in (pygame.WINDOWFOCUSLOST,):
            self._release_pointer()
        elif t == pygame.KEYDOWN:
            self._key(event)

    def _key(self, event) -> None:
        k = event.key
        if self.dialog is not None:
            if k == pygame.K_ESCAPE:
                self._dialog_action("cancel" if "cancel" in self.dialog.button_rects else "ok")
            return
        if _ctrl(event):
            if k == pygame.K_z:
                self.redo() if _shift(event) else self.undo()
            elif k == pygame.K_y:
                self.redo()
            elif k == pygame.K_s:
                self.save()
            elif k == pygame.K_o:
                self.open_dialog()
            return
        if k == pygame.K_F2:
            self.toggle_panel()
        elif k == pygame.K_e:
            self._activate("eraser")
        elif pygame.K_1 <= k <= pygame.K_5:
            self._activate(f"sensation:{SENSATIONS[k - pygame.K_1]}")

    def _pointer_down(self, pos, pid) -> None:
        self._last_pos = pos
        if self._pointer is not None:
            return  # one pointer at a time: a second finger does nothing
        self._pointer = pid
        if self.dialog is not None:
            hit = self.dialog.hit(pos)
            self._pressed = f"dialog:{hit}" if hit else None
            return
        for bid, b in self.buttons.items():
            if b.rect.collidepoint(pos):
                self._pressed = bid if b.enabled else None
                return
        if self.slider.rect.collidepoint(pos):
            self._dragging_slider = True
            self._set_slider(pos)
            return
        if self.panel_rect is not None and self.panel_rect.collidepoint(pos):
            self._pressed = self.panel.hit(pos)
            self._panel_drag = (pos[1], self.panel.scroll)  # a finger drag scrolls the panel
            return
        view = self.view_at(pos)
        if view is not None:
            self._begin_stroke(view, pos)
        # outside both views and every control: the pointer is held but paints nothing

    def _pointer_move(self, pos, pid) -> None:
        if pid == "mouse" or pid == self._pointer:
            self._last_pos = pos
        if pid != self._pointer:
            return
        if self._dragging_slider:
            self._set_slider(pos)
        elif self._stroke is not None:
            self._extend_stroke(pos)
        elif self._panel_drag is not None:
            y0, scroll0 = self._panel_drag
            if abs(pos[1] - y0) > self.px(12):
                self._pressed = None  # a drag, not a tap
                self.panel.scroll_to(scroll0 - int(pos[1] - y0))

    def _pointer_up(self, pos, pid) -> None:
        if pid != self._pointer:
            return
        self._last_pos = pos
        if self._stroke is not None:
            self._extend_stroke(pos)
            self._end_stroke()
        if self._dragging_slider:
            self._set_slider(pos)
            self._dragging_slider = False
            self._ranking_dirty = True
        pressed = self._pressed
        self._pointer, self._pressed, self._panel_drag = None, None, None
        if pressed is not None and self._hit(pos) == pressed:
            self._activate(pressed)

    def _release_pointer(self) -> None:
        self._end_stroke()
        if self._dragging_slider:
            self._ranking_dirty = True
        self._pointer, self._pressed, self._dragging_slider, self._panel_drag = None, None, False, None

    def _hit(self, pos) -> str | None:
        if self.dialog is not None:
            hit = self.dialog.hit(pos)
            return f"dialog:{hit}" if hit else None
        for bid, b in self.buttons.items():
            if b.rect.collidepoint(pos):
                return bid
        if self.panel_rect is not None:
            return self.panel.hit(pos)
        return None

    # ------------------------------------------------------------------
    # painting
    def _begin_stroke(self, view: str, pos) -> None:
        lay = self.layouts[view]
        pt = lay.to_atlas(pos[0], pos[1])
        self._stroke = {"view": view, "version": self.pain_map.version}
        self.pain_map.begin_stroke(view, pt, self.sensation, self.radius, erase=self.eraser)
        self._note_dirty(self.overlays[view].refresh(brush_window(self.pain_map, pt, self.radius)))

    def _extend_stroke(self, pos) -> None:
        view = self._stroke["view"]
        pt = self.layouts[view].to_atlas(pos[0], pos[1])
        box = self.pain_map.extend_stroke(pt)
        if box is not None:
            self._note_dirty(self.overlays[view].refresh(box))

    def _note_dirty(self, rect: pygame.Rect | None) -> None:
        if rect is not None:
            self._dirty_rects.append(rect)

    def _end_stroke(self) -> None:
        if self._stroke is None:
            return
        self.pain_map.end_stroke()
        if self.pain_map.version != self._stroke["version"]:
            self._ranking_dirty = True
        self._stroke = None

    def _refresh_paint(self) -> None:
        for ov in self.overlays.values():
            ov.refresh()
        self._ranking_dirty = True

    def undo(self) -> bool:
        self._end_stroke()
        ok = self.pain_map.undo()
        if ok:
            self._refresh_paint()
        else:
            self.show_toast("Nothing to undo")
        return ok

    def redo(self) -> bool:
        self._end_stroke()
        ok = self.pain_map.redo()
        if ok:
            self._refresh_paint()
        else:
            self.show_toast("Nothing to redo")
        return ok

    def clear(self, view: str | None) -> None:
        self._end_stroke()
        self.pain_map.clear(view)
        self._refresh_paint()

    def _set_slider(self, pos) -> None:
        v = self.slider.value_at(pos[0])
        if v != self.slider.value:
            self.slider.value = v
            self.pain_map.set_intensity(None, v)

    # ------------------------------------------------------------------
    # buttons and dialogs
    def _activate(self, bid: str) -> None:
        if bid.startswith("dialog:"):
            self._dialog_action(bid[7:])
        elif bid.startswith("sensation:"):
            self.sensation, self.eraser = bid.split(":", 1)[1], False
        elif bid.startswith("brush:"):
            self.brush = bid.split(":", 1)[1]
        elif bid.startswith("panel:hyp:"):
            self.select_hypothesis(int(bid.rsplit(":", 1)[1]))
        elif bid == "eraser":
            self.eraser = not self.eraser
        elif bid == "undo":
            self.undo()
        elif bid == "redo":
            self.redo()
        elif bid == "clear":
            self.clear_dialog()
        elif bid == "save":
            self.save()
        elif bid == "open":
            self.open_dialog()
        elif bid == "outlines":
            self.show_outlines = not self.show_outlines
        elif bid == "dermatomes":
            self.show_dermatomes = not self.show_dermatomes
        elif bid == "panel":
            self.toggle_panel()

    def toggle_panel(self) -> None:
        self.show_panel = not self.show_panel
        self._layout()

    def _open_dialog(self, dialog: Dialog) -> None:
        self._release_pointer()
        self.dialog = dialog
        dialog.layout(pygame.Rect(0, 0, *self.size), self.s, self.font_size)

    def message(self, title: str, text: str, error: bool = True) -> None:
        self._open_dialog(Dialog("message", title, [text], [("ok", "OK")], tone="error" if error else "normal"))

    def clear_dialog(self) -> None:
        if self.pain_map.is_empty:
            self.show_toast("Nothing to clear")
            return
        self._open_dialog(Dialog("clear", "Clear the painting?", ["Undo brings it back."],
                                 [("clear_front", "Clear front"), ("clear_back", "Clear back"),
                                  ("clear_all", "Clear both"), ("cancel", "Cancel")]))

    def request_quit(self) -> None:
        """Window close: quit now, or ask once (Save / Discard / Cancel) if there are unsaved changes."""
        self._end_stroke()
        if not self.dirty:
            self.done = True
            return
        if self.dialog is not None and self.dialog.kind == "quit":
            return
        self._open_dialog(Dialog("quit", "Save your painting before closing?",
                                 [f"It will be saved to {self._target_path().name}."],
                                 [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")]))

    def open_dialog(self, page: int = 0) -> None:
        files = self.bodymap_files()
        if not files:
            self.message("Nothing to open", f"There are no {FILE_SUFFIX} files in {self.folder}.", error=False)
            return
        per = self._open_page_size()
        pages = (len(files) + per - 1) // per
        page = min(max(page, 0), pages - 1)
        shown = files[page * per:(page + 1) * per]
        width = min(self.px(660), self.size[0] - self.px(40)) - self.px(80)
        buttons = []
        for i, p in enumerate(shown, start=page * per):
            when = datetime.fromtimestamp(p.stat().st_mtime).strftime("%d %b %H:%M")
            label = f"{p.name}  ({when})"
            while self.text.width(label, self.font_size) > width and len(label) > 8:
                label = label[:-2]
            buttons.append((f"file:{i}", label))
        if page > 0:
            buttons.append(("prev", "Previous"))
        if page < pages - 1:
            buttons.append(("next", "Next"))
        buttons.append(("cancel", "Cancel"))
        d = Dialog("open", "Open a painting", [f"{len(files)} file(s) in {self.folder}" +
                                               (f", page {page + 1} of {pages}" if pages > 1 else "")],
                   buttons, payload={"files": files, "page": page}, column=True)
        self._open_dialog(d)

    def _open_page_size(self) -> int:
        avail = self.size[1] * 0.9 - self.px(200) - 2 * self.px(66)
        return max(1, int(avail // self.px(66)))

    def bodymap_files(self) -> list[Path]:
        try:
            files = [p for p in self.folder.glob(f"*{FILE_SUFFIX}") if p.is_file()]
        except OSError:
            return []
        return sorted(files, key=lambda p: (-p.stat().st_mtime, p.name))

    def _dialog_action(self, action: str) -> None:
        d = self.dialog
        if d is None:
            return
        self.dialog = None
        if action == "cancel" or action == "ok":
            return
        if d.kind == "clear":
            self.clear({"clear_front": "front", "clear_back": "back"}.get(action))
        elif d.kind == "quit":
            if action == "discard" or (action == "save" and self.save()):
                self.done = True
        elif d.kind == "open":
            if action in ("prev", "next"):
                self.open_dialog(d.payload["page"] + (1 if action == "next" else -1))
            elif action.startswith("file:"):
                path = d.payload["files"][int(action[5:])]
                if self.dirty:
                    self._open_dialog(Dialog("unsaved_open", f"Save your painting before opening {path.name}?",
                                             [f"It will be saved to {self._target_path().name}."],
                                             [("save", "Save"), ("discard", "Discard"), ("cancel", "Cancel")],
                                             payload=path))
                else:
                    self.load(path)
        elif d.kind == "unsaved_open":
            if action == "discard" or (action == "save" and self.save()):
                self.load(d.payload)

    # ------------------------------------------------------------------
    # files
    def _default_path(self) -> Path:
        stamp = self._now().strftime("%Y%m%d-%H%M%S")
        p = self.folder / f"bodymap-{stamp}{FILE_SUFFIX}"
        n = 2
        while p.exists():
            p = self.folder / f"bodymap-{stamp}-{n}{FILE_SUFFIX}"
            n += 1
        return p

    def _target_path(self) -> Path:
        return self.path if self.path is not None else self._default_path()

    def save(self) -> bool:
        """Save to the open file, or to a new bodymap-YYYYmmdd-HHMMSS.bodymap in the folder."""
        self._end_stroke()
        path = self._target_path()
        try:
            fileformat.save(self.pain_map, path)
        except BodymapError as exc:
            self.message("Could not save", str(exc))
            return False
        self.path = path
        self._saved_version = self.pain_map.version
        self.show_toast(f"Saved to {path.name}")
        return True

    def _open_initial(self, path: Path) -> None:
        if not path.exists():
            self.path = path
            self.show_toast(f"New painting: {path.name} (created when you save)")
            return
        try:
            m = fileformat.load(path, atlas=self.atlas)
        except BodymapError as exc:
            # keep the bad file untouched: saving goes to a new name
            self.path = None
            self.dialog = Dialog("message", "Could not open this file",
                                 [f"{exc}.", f"You can paint a new map: Save writes a new file and leaves "
                                             f"{path.name} as it is."], [("ok", "OK")], tone="error")
            return
        self._set_map(m, path)

    def load(self, path: Path) -> bool:
        try:
            m = fileformat.load(path, atlas=self.atlas)
        except BodymapError as exc:
            self.message("Could not open this file", str(exc))
            return False
        self._set_map(m, path)
        self._layout()
        notes = m.meta.get("notes") or []
        self.show_toast(f"Opened {path.name}" + (f" ({notes[0]})" if notes else ""))
        return True

    def _set_map(self, m: PainMap, path: Path | None) -> None:
        self._release_pointer()
        self.pain_map = m
        self.path = path
        self._saved_version = m.version
        self._ranking_dirty = True
        self._readout_version = -1
        self.panel.selected = None
        self.zone = None
        if hasattr(self, "slider"):
            self.slider.value = m.intensity.get("overall")

    # ------------------------------------------------------------------
    # matcher
    def _matcher(self):
        if self._matcher_obj is None:
            self._matcher_obj = load_matcher()
        return self._matcher_obj

    def refresh_ranking(self) -> None:
        self._ranking_dirty = False
        self.matcher_calls += 1
        try:
            matcher = self._matcher()
        except ImportError:
            self.ranking, self.matcher_error = None, "matcher unavailable"
        except Exception as exc:  # noqa: BLE001 - a broken matcher must not close the patient's window
            self.ranking, self.matcher_error = None, f"matcher unavailable ({type(exc).__name__}: {exc})"
        else:
            try:
                self.ranking, self.matcher_error = matcher.match(self.pain_map), None
            except Exception as exc:  # noqa: BLE001
                self.ranking, self.matcher_error = None, f"matcher error ({type(exc).__name__}: {exc})"
        if self.ranking is None:
            # the matcher failed: red flags come from the answers alone and are still shown first
            from types import SimpleNamespace

            from ..redflags import flags_for_map, risk_factors_for_map

            risks = risk_factors_for_map(self.pain_map)
            self.ranking = SimpleNamespace(red_flags=flags_for_map(self.pain_map), hypotheses=[],
                                           prompts=[x.prompt for x in risks], risk_factors=risks)
        before = self.panel.selected
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

    def update(self) -> None:
        self._frame += 1
        if self.toast is not None and time.monotonic() >= self._toast_until:
            self.toast = None
        painting = self._stroke is not None
        if self._ranking_dirty and not painting and not self._dragging_slider and self.show_panel:
            self.refresh_ranking()
        if self.pain_map.version != self._readout_version and (not painting or self._frame % 6 == 0):
            self._compute_readout()

    def _compute_readout(self) -> None:
        names = self.pain_map.painted_region_names(min_fraction=0.01)
        ext = float(self.pain_map.extent_percent()["total"])
        self._readout = (names, ext)
        self._readout_version = self.pain_map.version

    def readout_lines(self) -> list[str]:
        """The live readout as shown: extent, intensity, then the painted regions by name."""
        if self._readout is None or self._readout_version != self.pain_map.version and self._stroke is None:
            self._compute_readout()
        names, ext = self._readout
        inten = self.pain_map.intensity.get("overall")
        first = f"Extent {ext:.1f}% of body" + (f"  |  pain {inten}/10" if inten is not None else "")
        painted = ("Painted: " + ", ".join(names)) if names else \
            "Painted: nothing yet. Choose a sensation, then paint where it hurts."
        width = max(self.status_rect.width - 2 * self.px(12), 50)
        return [first] + wrap_text(painted, self.font_size, width, max_lines=2)

    # ------------------------------------------------------------------
    # drawing
    def _chrome_key(self, surface: pygame.Surface) -> Any:
        """Everything besides the paint and the status text that a frame shows."""
        b = tuple((k, v.on, v.enabled) for k, v in self.buttons.items())
        return (id(surface), surface.get_size(), self.size, b, self.slider.value, self.toast, id(self.dialog),
                self._pressed, self.show_panel, id(self.ranking), self.panel_scroll_key(), self._bg_key,
                self._tops_key, self.too_small)

    def panel_scroll_key(self) -> Any:
        p = self.panel
        return p.scroll, p.selected, id(p.ranking), p.computed, self.matcher_error, self._zone_key()

    def invalidate(self) -> None:
        """Make the next draw_partial redraw the whole window."""
        self._drawn_key = None

    def draw_partial(self, surface: pygame.Surface) -> list[pygame.Rect] | None:
        """Redraw only what a stroke changed (and the status bar if its text changed).

        Returns the changed screen rectangles, or None after a full redraw. The
        window loop passes the rectangles to display.update(); a full redraw
        happens whenever anything besides the paint and the readout changed.
        """
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        if self._drawn_key is None or self._chrome_key(surface) != self._drawn_key or self.dialog is not None:
            self.draw(surface)
            return None
        rects = []
        bg = self._background()
        tops = self._top_overlays()
        for r in self._dirty_rects:
            surface.blit(bg, r, r)
            for v in VIEWS:
                ov = self.overlays[v]
                ovr = pygame.Rect(ov.topleft, ov.surface.get_size()).clip(r)
                if ovr.width and ovr.height:
                    surface.blit(ov.surface, ovr.topleft, ovr.move(-ov.topleft[0], -ov.topleft[1]))
                top, at = tops[v]
                tr = pygame.Rect(at, top.get_size()).clip(r)
                if tr.width and tr.height:
                    surface.blit(top, tr.topleft, tr.move(-at[0], -at[1]))
            rects.append(r)
        self._dirty_rects = []
        status = (tuple(self.readout_lines()), self.file_label, self.dirty)
        if status != self._drawn_status:
            self._draw_status(surface)
            self._drawn_status = status
            rects.append(self.status_rect.copy())
        return rects

    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        self._dirty_rects = []
        surface.blit(self._background(), (0, 0))
        tops = self._top_overlays()
        for v in VIEWS:
            ov = self.overlays[v]
            surface.blit(ov.surface, ov.topleft)
            top, at = tops[v]
            surface.blit(top, at)
        self._draw_toolbar(surface)
        self._draw_topbar(surface)
        self._draw_status(surface)
        if self.panel_rect is not None:
            self.panel.layout(self.panel_rect, self.s, self.font_size)
            self.panel.draw(surface, self.text)
        if self.toast:
            self._draw_toast(surface)
        if self.too_small:
            self._draw_too_small(surface)
        if self.dialog is not None:
            if self.dialog.rect.width == 0:
                self.dialog.layout(pygame.Rect(0, 0, *self.size), self.s, self.font_size)
            pressed = self._pressed[7:] if self._pressed and self._pressed.startswith("dialog:") else None
            self.dialog.draw(surface, self.text, self.font_size, self.s, pressed)
        self._drawn_key = self._chrome_key(surface)
        self._drawn_status = (tuple(self.readout_lines()), self.file_label, self.dirty)

    def _sync_buttons(self) -> None:
        b = self.buttons
        for s in SENSATIONS:
            b[f"sensation:{s}"].on = (s == self.sensation and not self.eraser)
        for name in BRUSHES:
            b[f"brush:{name}"].on = name == self.brush
        b["eraser"].on = self.eraser
        b["undo"].enabled = self.pain_map.can_undo
        b["redo"].enabled = self.pain_map.can_redo
        b["outlines"].on = self.show_outlines
        b["dermatomes"].on = self.show_dermatomes
        b["panel"].on = self.show_panel
        self.slider.value = self.pain_map.intensity.get("overall")

    def _zone_key(self):
        return None if self.zone is None else tuple(sorted(self.zone.items()))

    def _background(self) -> pygame.Surface:
        key = (self.size, tuple(self.layouts.values()), self._zone_key(), self.show_dermatomes)
        if self._bg is not None and self._bg_key == key:
            return self._bg
        bg = pygame.Surface(self.size)
        bg.fill(render.BACKGROUND)
        for v, lay in self.layouts.items():
            render.draw_body(bg, self.atlas, lay, regions=False)
            if self.show_dermatomes:  # the coloured zones under the paint; their lines and names go on top
                render.draw_dermatomes(bg, self.atlas, lay, alpha=90, labels=False, lines=False)
            if self.zone:
                self._draw_zone_fill(bg, lay)
        self._draw_titles(bg)
        render.draw_side_markers(bg, self.layouts, size=max(16, int(34 * self.s)))
        if pygame.display.get_surface() is not None:
            bg = bg.convert()
        self._bg, self._bg_key = bg, key
        return bg

    def _draw_titles(self, surface: pygame.Surface) -> None:
        """'Front' / 'Back' with the caption saying where the patient's right is (as render.draw_view_titles)."""
        lh = render.font(self.caption_size).get_linesize()
        for v, lay in self.layouts.items():
            title, lines = self.captions[v]
            cx = lay.left + lay.width / 2
            y = lay.top - self.px(4) - len(lines) * lh
            for line in lines:
                t = self.text(line, self.caption_size, MUTED)
                surface.blit(t, t.get_rect(midtop=(cx, y)))
                y += lh
            t = self.text(title, self.title_size, TEXT)
            surface.blit(t, t.get_rect(midbottom=(cx, lay.top - self.px(4) - len(lines) * lh)))

    def _zone_regions(self, view: str):
        for rid, p in (self.zone or {}).items():
            try:
                r = self.atlas.region(rid)
            except KeyError:
                continue
            if r.view == view and p >= ZONE_MIN_P:
                yield r, min(max(p, 0.0), 1.0)

    def _draw_zone_fill(self, bg: pygame.Surface, lay: render.ViewLayout) -> None:
        layer = pygame.Surface((lay.width + 2, lay.height + 2), pygame.SRCALPHA)
        local = dataclasses.replace(lay, left=0.0, top=0.0)
        for r, p in self._zone_regions(lay.view):
            render.draw_geometry(layer, local, r.geometry, fill=(*ZONE_RGB, int(30 + 150 * p)))
        bg.blit(layer, (int(lay.left), int(lay.top)))

    def _top_overlays(self) -> dict[str, tuple[pygame.Surface, tuple[int, int]]]:
        key = (tuple(self.layouts.values()), self.show_outlines, self.show_dermatomes, self._zone_key())
        if self._tops_key == key:
            return self._tops
        m = self.px(6)
        tops = {}
        for v, lay in self.layouts.items():
            surf = pygame.Surface((lay.width + 2 * m, lay.height + 2 * m), pygame.SRCALPHA)
            local = dataclasses.replace(lay, left=float(m), top=float(m))
            if self.show_dermatomes:
                render.draw_dermatomes(surf, self.atlas, local, labels=True, size=max(16, int(24 * self.s)),
                                       fills=False, avoid_overlap=True)
            if self.show_outlines:
                for r in self.atlas.regions_in(v):
                    render.draw_geometry(surf, local, r.geometry, line=REGION_LINE_OVER_PAINT)
            strong = [r.geometry for r, p in self._zone_regions(v) if p >= ZONE_OUTLINE_P]
            if strong:
                render.draw_geometry(surf, local, shapely.union_all(strong).buffer(0), line=ZONE_LINE,
                                     width=max(2, self.px(3)), aa=False)
            render.draw_geometry(surf, local, self.atlas.silhouette(v), line=render.OUTLINE, width=max(2, self.px(2)),
                                 aa=False)
            render.draw_geometry(surf, local, self.atlas.silhouette(v), line=render.OUTLINE, width=1, aa=True)
            if pygame.display.get_surface() is not None:
                surf = surf.convert_alpha()
            tops[v] = (surf, (int(lay.left) - m, int(lay.top) - m))
        self._tops, self._tops_key = tops, key
        return tops

    def _draw_bar(self, surface, rect, line_side) -> None:
        pygame.draw.rect(surface, BAR_BG, rect)
        a, b = {"bottom": (rect.bottomleft, rect.bottomright), "right": (rect.topright, rect.bottomright),
                "top": (rect.topleft, rect.topright)}[line_side]
        pygame.draw.line(surface, BAR_LINE, (a[0], a[1] - 1) if line_side == "bottom" else a,
                         (b[0], b[1] - 1) if line_side == "bottom" else b, 2)

    def _draw_toolbar(self, surface) -> None:
        self._draw_bar(surface, self.tool_rect, "right")
        fs = self.font_size
        for text, pos in self.headings:
            surface.blit(self.text(text, fs, MUTED), pos)
        inten = self.pain_map.intensity.get("overall")
        label = f"Pain now: {inten} / 10" if inten is not None else "Pain now (0-10): tap"
        surface.blit(self.text(label, fs, MUTED), self.intensity_label_pos)
        for bid, b in self.buttons.items():
            if self.tool_rect.contains(b.rect):
                b.draw(surface, self.text, fs, pressed=(self._pressed == bid))
        self.slider.draw(surface, self.text, fs)

    def _draw_topbar(self, surface) -> None:
        self._draw_bar(surface, self.top_rect, "bottom")
        fs = self.font_size
        for bid, b in self.buttons.items():
            if self.top_rect.contains(b.rect):
                b.draw(surface, self.text, fs, pressed=(self._pressed == bid))

    def _draw_status(self, surface) -> None:
        r = self.status_rect
        self._draw_bar(surface, r, "top")
        fs = self.font_size
        lh = render.font(fs).get_linesize() + 2
        y = r.top + self.px(8)
        lines = self.readout_lines()
        first = self.text(lines[0], fs, MUTED)
        for i, line in enumerate(lines):
            surface.blit(self.text(line, fs, TEXT) if i else first, (r.left + self.px(12), y))
            y += lh
        # the file, right-aligned on the first line when there is room
        t = self.text(self.file_label, fs, RED if self.dirty else MUTED)
        right = r.right - self.px(12)
        if right - t.get_width() >= r.left + self.px(12) + first.get_width() + self.px(24):
            surface.blit(t, (right - t.get_width(), r.top + self.px(8)))

    @property
    def file_label(self) -> str:
        name = self.path.name if self.path is not None else "new painting"
        return name + (" (unsaved)" if self.dirty else "")

    @property
    def caption(self) -> str:
        return f"bodymap - {self.file_label}"

    @property
    def too_small(self) -> bool:
        """The window leaves the body views too little room to paint on."""
        lay = self.layouts["front"]
        return lay.width < 60 or lay.height < 150

    def _draw_too_small(self, surface) -> None:
        w, h = self.size
        size = max(14, min(28, w // 16))
        lines = wrap_text("This window is too small to paint on: please make it larger.", size, max(w - 20, 40))
        lh = render.font(size).get_linesize()
        box = pygame.Rect(0, 0, min(w, max(self.text.width(t, size) for t in lines) + 20), len(lines) * lh + 16)
        box.center = (w // 2, h // 2)
        pygame.draw.rect(surface, BUTTON_ON_BG, box)
        y = box.top + 8
        for line in lines:
            t = self.text(line, size, BUTTON_ON_TEXT)
            surface.blit(t, t.get_rect(midtop=(box.centerx, y)))
            y += lh

    def _draw_toast(self, surface) -> None:
        fs = self.font_size
        t = self.text(self.toast, fs, BUTTON_ON_TEXT)
        box = t.get_rect().inflate(self.px(32), self.px(20))
        box.midbottom = (self.body_rect.centerx, self.body_rect.bottom - self.px(10))
        if box.width > self.body_rect.width:
            box.left = self.body_rect.left
        pygame.draw.rect(surface, BUTTON_ON_BG, box, border_radius=8)
        surface.blit(t, t.get_rect(center=box.center))

    def screenshot(self) -> pygame.Surface:
        """The window as it looks now, drawn headless."""
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf


def run_paint_app(file: str | os.PathLike | None = None, size: tuple[int, int] = BASE_SIZE,
                  show_panel: bool = True, *, max_frames: int | None = None) -> int:
    """Open the painting window and run it until it is closed. Returns the exit status."""
    try:
        pygame.display.init()
        pygame.font.init()
        surface = pygame.display.set_mode(size, pygame.RESIZABLE)
    except pygame.error as exc:
        print(f"bodymap: cannot open a window ({exc})", file=sys.stderr)
        return 1
    pygame.display.set_caption("bodymap - paint where it hurts")
    try:
        screen = PaintScreen(surface.get_size(), file, show_panel=show_panel)
        clock = pygame.time.Clock()
        frames = idle = 0
        caption = None
        while not screen.done:
            if screen.caption != caption:
                caption = screen.caption
                pygame.display.set_caption(caption)
            events = pygame.event.get()
            for event in events:
                screen.handle_event(event)
            idle = 0 if events else idle + 1
            if frames < 30 or idle % 30 == 29:
                # redraw everything during start-up and now and then when idle: some window systems
                # map the window after our first flip, or lose pixels without telling us
                screen.invalidate()
            if idle < 3 or idle % 10 == 0:  # idle: redraw now and then (toasts) but let the CPU rest
                screen.update()
                rects = screen.draw_partial(pygame.display.get_surface())
                if rects is None:
                    pygame.display.flip()
                elif rects:
                    pygame.display.update(rects)
            clock.tick(60 if idle < 60 else 20)
            frames += 1
            if max_frames is not None and frames >= max_frames:
                break
        return screen.exit_status
    finally:
        pygame.display.quit()
