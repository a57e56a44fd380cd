"""The painting window's Regions tool: click a whole region instead of painting it.

`RegionsTool` is an owned part of `PaintScreen` (bodymap.ui.paint.screen): it keeps whether the
tool is on, the region under the pointer, a press on a region and the region list, and is given the
atlas, the map on the desk, the body canvas (where the views are), the tool bar (the chosen sensation
and the eraser) and what to call when the paint changed. The window asks it first about a press on the
body, a key and typed text, and draws its hover name and list last. The tool does what checkbox
body maps (CHOIR, Michigan) do, on the same atlas:

- with "Regions" on, a click or tap on the body fills the whole region under it
  with the chosen sensation; a second click on a region already filled with it
  clears the region (the eraser on: a click clears it);
- hovering the mouse, or a long press on a touch screen, shows the region's name
  and its dermatome(s) beside the pointer, and outlines the region;
- F3 (or Ctrl+F) opens a searchable region list: type to filter, Up/Down to move,
  Enter to fill or clear the chosen region, Escape to close. It is the keyboard's
  (and a screen reader's) way in, and works with the tool on or off.

Every fill and clear is one undo step (`PainMap.paint_region` / `clear_region`).
"""
from __future__ import annotations

import time
from typing import Any, Callable

import pygame
import shapely

from ... import render
from ...atlas import Atlas
from ..kit import TextCache
from ..kit.canvas import BodyCanvas
from ..kit.tap import TapTracker
from ..kit.desk_colours import MUTED, TEXT
from .toolbar import ToolBar

LONG_PRESS_S = 0.5  # a touch held this long shows the name and does not fill
FULL_SHARE = 0.99  # a region this much painted with the chosen sensation counts as filled
DERMATOME_MIN_SHARE = 0.25  # a root is named for a region when its core covers this share of it
LIST_ROWS = 12

HOVER_BG = (255, 253, 240)
HOVER_LINE = (40, 36, 34)
LIST_BG = (252, 251, 248)
LIST_SEL = (214, 232, 246)


def region_dermatomes(atlas: Atlas, region_id: str) -> list[str]:
    """The roots whose core covers a good share of the region (largest first), e.g. ['C6']."""
    region = atlas.region(region_id)
    area = region.geometry.area
    if area <= 0:
        return []
    shares = []
    for d in atlas.dermatomes:
        if d.side != region.side and region.side != "midline":
            continue
        core = d.core[region.view]
        if core.is_empty:
            continue
        share = shapely.intersection(core, region.geometry).area / area
        if share >= DERMATOME_MIN_SHARE:
            shares.append((share, d.root))
    return [root.replace("_", "-") for _, root in sorted(shares, reverse=True)]


def region_label(atlas: Atlas, region_id: str) -> str:
    """'right thumb (palm side) - dermatome C6': what the hover and the list show."""
    roots = region_dermatomes(atlas, region_id)
    name = atlas.region(region_id).name
    if not roots:
        return name
    return f"{name} - dermatome{'s' if len(roots) > 1 else ''} {', '.join(roots)}"


class RegionList:
    """The searchable list's state: the query, the matching regions and the chosen one."""

    def __init__(self, atlas: Atlas, labels: Callable[[str], str]):
        self.atlas = atlas
        self._labels = labels
        self.query = ""
        self.selected = 0
        self.items: list[str] = []
        self.refilter()

    def refilter(self) -> None:
        words = self.query.lower().split()
        self.items = [r.id for r in self.atlas.regions
                      if all(w in f"{r.id.replace('_', ' ')} {self._labels(r.id)}".lower() for w in words)]
        self.selected = min(self.selected, max(len(self.items) - 1, 0))

    def type(self, text: str) -> None:
        self.query += text
        self.selected = 0
        self.refilter()

    def backspace(self) -> None:
        self.query = self.query[:-1]
        self.refilter()

    def move(self, step: int) -> None:
        if self.items:
            self.selected = max(0, min(len(self.items) - 1, self.selected + step))

    @property
    def current(self) -> str | None:
        return self.items[self.selected] if self.items else None


class RegionsTool:
    """The Regions tool and the region list (see the module)."""

    def __init__(self, atlas: Atlas, pain_map: Callable[[], Any], canvas: BodyCanvas, tools: ToolBar,
                 text: TextCache, changed: Callable[[], None], redraw: Callable[[], None],
                 clock: Callable[[], float] = time.monotonic):
        self.atlas = atlas
        self._pain_map = pain_map  # the map on the desk now
        self.canvas = canvas
        self.tools = tools
        self.text = text
        self._changed = changed  # the paint changed: overlays, ranking
        self._redraw = redraw  # the next frame is drawn whole
        self.clock = clock  # how long a press lasts (a long press names the region and does not fill)
        self.on = False  # the tool is chosen: a click fills or clears a region
        self.hover_region: str | None = None
        self.region_list: RegionList | None = None
        self.layout: Any = None  # the window's WindowLayout (`place`)
        self._press: dict | None = None
        self._hover_pos: tuple[float, float] | None = None
        self._labels: dict[tuple, str] = {}

    def place(self, layout: Any) -> None:
        self.layout = layout

    @property
    def active(self) -> bool:
        """The tool or its list shows: every frame is drawn whole (no strokes in this mode)."""
        return self.on or self.region_list is not None

    # ---------------------------------------------------------------- model
    def region_label(self, region_id: str) -> str:
        key = (self.atlas.content_hash, region_id)
        if key not in self._labels:
            self._labels[key] = region_label(self.atlas, region_id)
        return self._labels[key]

    def region_at(self, pos) -> str | None:
        """The region id under a screen position, or None off the body."""
        view = self.canvas.view_at(pos)
        if view is None:
            return None
        x, y = self.canvas.layouts[view].to_atlas(pos[0], pos[1])
        raster = self._pain_map().raster
        c, r = raster.to_px(x, y)
        r, c = int(r), int(c)
        lab = raster.labels[view]
        if not (0 <= r < lab.shape[0] and 0 <= c < lab.shape[1]) or lab[r, c] < 0:
            return None
        return self.atlas.regions[int(lab[r, c])].id

    def toggle_region(self, region_id: str) -> None:
        """Fill the region with the chosen sensation, or clear it if it is already filled (or the eraser is on)."""
        m = self._pain_map()
        sensation = self.tools.sensation
        if self.tools.eraser:
            m.clear_region(region_id)
        elif m.region_coverage(sensation).get(region_id, 0.0) >= FULL_SHARE:
            m.clear_region(region_id)
        else:
            m.paint_region(region_id, 1.0, sensation)
        self._changed()
        self._redraw()

    def toggle(self) -> None:
        """The Regions button: the tool on or off."""
        self.on = not self.on
        self.hover_region = None
        self._redraw()

    def open_list(self) -> None:
        self.region_list = RegionList(self.atlas, self.region_label)
        self._redraw()

    # ---------------------------------------------------------------- input (the window asks first)
    def press(self, pos, pid, taps: TapTracker) -> bool:
        """A press on the body with the tool on (no dialog, button or panel under it: the window checked):
        the press is the tool's, and True, when a region is under it and no other pointer is down."""
        if not self.on or taps.pointer is not None or self.region_list is not None:
            return False
        rid = self.region_at(pos)
        if rid is None:
            return False
        taps.down(pid)
        self._press = {"region": rid, "t0": self.clock(), "pos": pos}
        self._set_hover(rid, pos)
        return True

    def hover(self, pos, taps: TapTracker) -> None:
        """The pointer moved (after the window handled the move): the name of the region under it."""
        if self.on and self._press is None and taps.pointer is None:
            self._set_hover(self.region_at(pos), pos)

    def release(self, pos, pid, taps: TapTracker) -> bool:
        """The pointer lifted: True when it was the tool's press (a click fills or clears the region; a long
        press only named it)."""
        press = self._press
        if press is None or pid != taps.pointer:
            return False
        self._press = None
        taps.release()
        long = self.clock() - press["t0"] >= LONG_PRESS_S
        if not long and self.region_at(pos) == press["region"]:
            self.toggle_region(press["region"])
        self._set_hover(press["region"], press["pos"])  # the name stays until the pointer moves on
        return True

    def _set_hover(self, rid: str | None, pos) -> None:
        if rid != self.hover_region:
            self.hover_region = rid
            self._redraw()
        self._hover_pos = pos

    def list_key(self, event) -> None:
        """A key while the region list shows (the window sends it every key then)."""
        lst = self.region_list
        k = event.key
        if k == pygame.K_ESCAPE:
            self.region_list = None
        elif k == pygame.K_UP:
            lst.move(-1)
        elif k == pygame.K_DOWN:
            lst.move(1)
        elif k == pygame.K_PAGEUP:
            lst.move(-LIST_ROWS)
        elif k == pygame.K_PAGEDOWN:
            lst.move(LIST_ROWS)
        elif k == pygame.K_BACKSPACE:
            lst.backspace()
        elif k in (pygame.K_RETURN, pygame.K_KP_ENTER) and lst.current is not None:
            self.toggle_region(lst.current)
        self._redraw()

    def list_text(self, text: str) -> None:
        self.region_list.type(text)
        self._redraw()

    # ---------------------------------------------------------------- drawing (last, over the window)
    def draw(self, surface: pygame.Surface, pointer_pos) -> None:
        if self.on and self.hover_region is not None:
            self._draw_hover(surface, pointer_pos)
        if self.region_list is not None:
            self._draw_region_list(surface)

    def px(self, v: float) -> int:
        return self.layout.px(v)

    def _draw_hover(self, surface: pygame.Surface, pointer_pos) -> None:
        region = self.atlas.region(self.hover_region)
        lay = self.canvas.layouts.get(region.view)
        if lay is None:
            return
        render.draw_geometry(surface, lay, region.geometry, line=HOVER_LINE, width=max(2, self.px(3)))
        fs = self.layout.font_size
        t = self.text(self.region_label(self.hover_region), fs, TEXT)
        x, y = self._hover_pos or pointer_pos
        pad = self.px(8)
        box = pygame.Rect(0, 0, t.get_width() + 2 * pad, t.get_height() + 2 * pad)
        box.midbottom = (int(x), int(y) - self.px(18))
        box.clamp_ip(self.layout.body_rect)
        pygame.draw.rect(surface, HOVER_BG, box, border_radius=self.px(6))
        pygame.draw.rect(surface, HOVER_LINE, box, 2, border_radius=self.px(6))
        surface.blit(t, (box.left + pad, box.top + pad))

    def list_rect(self) -> pygame.Rect:
        return self.layout.body_rect.inflate(-self.px(40), -self.px(40))

    def _draw_region_list(self, surface: pygame.Surface) -> None:
        lst = self.region_list
        r = self.list_rect()
        fs = self.layout.font_size
        pad = self.px(10)
        pygame.draw.rect(surface, LIST_BG, r, border_radius=self.px(8))
        pygame.draw.rect(surface, HOVER_LINE, r, 2, border_radius=self.px(8))
        y = r.top + pad
        head = self.text(f"Find a region: {lst.query}_", fs, TEXT)
        surface.blit(head, (r.left + pad, y))
        y += head.get_height() + pad
        hint = self.text("Type to search, Up/Down to choose, Enter to fill or clear, Esc to close", max(14, fs - 6), MUTED)
        surface.blit(hint, (r.left + pad, y))
        y += hint.get_height() + pad
        row_h = render.font(fs).get_linesize() + self.px(4)
        rows = max(1, min(LIST_ROWS, (r.bottom - pad - y) // row_h))
        first = max(0, min(lst.selected - rows // 2, len(lst.items) - rows))
        for i, rid in enumerate(lst.items[first:first + rows], start=first):
            row = pygame.Rect(r.left + pad, y, r.width - 2 * pad, row_h)
            if i == lst.selected:
                pygame.draw.rect(surface, LIST_SEL, row, border_radius=self.px(4))
            share = self._pain_map().region_coverage().get(rid, 0.0)
            mark = "[x] " if share >= FULL_SHARE else "[~] " if share > 0 else "[ ] "
            t = self.text(mark + self.region_label(rid), fs, TEXT)
            surface.blit(t, (row.left + self.px(4), row.top + self.px(2)), area=pygame.Rect(0, 0, row.width, row_h))
            y += row_h
        if not lst.items:
            surface.blit(self.text("No region matches.", fs, MUTED), (r.left + pad, y))

