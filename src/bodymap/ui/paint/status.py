"""The painting window's status bar and toast, two owned parts of `PaintScreen` (bodymap.ui.paint.screen).

- `StatusBar`: the readout under the body (the extent, the pain score, the standard indices, the painted
  regions by name) and the file's name. The readout is worked out in a quiet frame (ADR 0030) or when a whole
  frame is drawn; a partial frame shows it as last worked out. It reads the painting desk, and whether a
  stroke goes on.
- `Toast`: a short note over the status bar for a few seconds ("Saved to ...", "Nothing to undo").
"""
from __future__ import annotations

import time
from typing import Any, Callable

import pygame

from ... import render
from ...desk import Desk
from ..kit import TextCache, wrap_text
from ..kit.desk_colours import BUTTON_ON_BG, BUTTON_ON_TEXT, MUTED, RED, TEXT

from .sizes import TOAST_SECONDS
from .toolbar import draw_bar


class StatusBar:
    """The readout and the file (see the module)."""

    def __init__(self, desk: Desk, text: TextCache, stroking: Callable[[], bool]):
        self.desk = desk
        self.text = text
        self._stroking = stroking  # a stroke goes on: the readout waits for its end
        self.layout: Any = None  # the window's WindowLayout (`place`)
        self._readout: tuple[list[str], float, str] | None = None
        self._version = -1  # the map's version the readout was worked out for

    def place(self, layout: Any) -> None:
        self.layout = layout

    @property
    def stale(self) -> bool:
        return self.desk.pain_map.version != self._version

    def forget(self) -> None:
        """Another map is on the desk: work the readout out again."""
        self._version = -1

    def compute(self) -> None:
        m = self.desk.pain_map
        names = m.painted_region_names(min_fraction=0.01)
        ext = float(m.extent_percent()["total"])
        self._readout = (names, ext, self._indices_now())
        self._version = m.version

    def _indices_now(self) -> str:
        """'  |  WPI 3/19, MBM 4/35' for a painting with counted regions, else '' (with the readout)."""
        from ...indices import indices_for_map

        idx = indices_for_map(self.desk.pain_map)
        return f"  |  WPI {idx.wpi}/19, MBM {idx.mbm_count}/35" if idx.mbm_count else ""

    def readout_lines(self, fresh: bool = True) -> list[str]:
        """The readout as shown: extent, intensity, then the painted regions by name. `fresh`: brought up to
        date first unless a stroke goes on; drawing passes False and shows what the last quiet frame found."""
        if self._readout is None or fresh and self.stale and not self._stroking():
            self.compute()
        names, ext, indices = self._readout
        inten = self.desk.pain_map.intensity.get("overall")
        first = f"Extent {ext:.1f}% of body" + (f"  |  pain {inten}/10" if inten is not None else "")
        first += indices  # issue 25: the standard indices, one short item
        painted = ("Painted: " + ", ".join(names)) if names else \
            "Painted: nothing yet. Choose a sensation, then paint where it hurts."
        lay = self.layout
        width = max(lay.status_rect.width - 2 * lay.px(12), 50)
        if lay.status_rect.height > 4 * lay.px(40):  # the readout beside the bodies: room for more lines
            return wrap_text(first, lay.font_size, width, max_lines=2) + \
                wrap_text(painted, lay.font_size, width, max_lines=12)
        return [first] + wrap_text(painted, lay.font_size, width, max_lines=2)

    @property
    def file_label(self) -> str:
        path, m = self.desk.path, self.desk.pain_map
        name = path.name if path is not None else "new painting"
        pid = m.visit.patient_id
        if pid and (path is None or pid not in name):
            name = f"{pid}: {name}"  # whose map this is, once the visit says so
        return name + (" (unsaved)" if self.desk.dirty else "")

    def draw(self, surface: pygame.Surface) -> None:
        lay = self.layout
        r = lay.status_rect
        draw_bar(surface, r, "top")
        fs = lay.font_size
        lh = render.font(fs).get_linesize() + 2
        y = r.top + lay.px(8)
        lines = self.readout_lines(fresh=False)
        first = self.text(lines[0], fs, MUTED)
        for i, line in enumerate(lines):
            surface.blit(self.text(line, fs, TEXT) if i else first, (r.left + lay.px(12), y))
            y += lh
        # the file, right-aligned on the first line when there is room
        t = self.text(self.file_label, fs, RED if self.desk.dirty else MUTED)
        right = r.right - lay.px(12)
        if right - t.get_width() >= r.left + lay.px(12) + first.get_width() + lay.px(24):
            surface.blit(t, (right - t.get_width(), r.top + lay.px(8)))


class Toast:
    """A short note for a few seconds (`say`), drawn over the status bar so it never covers the feet."""

    def __init__(self, text: TextCache, clock: Callable[[], float] = time.monotonic):
        self.text_cache = text
        self._clock = clock
        self.text: str | None = None  # the note showing, or None
        self._until = 0.0
        self.layout: Any = None  # the window's WindowLayout (`place`)

    def place(self, layout: Any) -> None:
        self.layout = layout

    def say(self, text: str) -> None:
        self.text, self._until = text, self._clock() + TOAST_SECONDS

    def tick(self) -> None:
        """Once a frame: the note goes when its time is up."""
        if self.text is not None and self._clock() >= self._until:
            self.text = None

    def rect(self) -> pygame.Rect:
        """Where the toast shows: over the status bar under the body, so it never covers the feet."""
        lay = self.layout
        fs = lay.font_size
        status = lay.status_rect
        box = pygame.Rect(0, 0, self.text_cache.width(self.text or "", fs) + lay.px(32),
                          render.font(fs).get_linesize() + lay.px(20))
        box.center = status.center
        box.width = min(box.width, status.width)
        box.height = min(box.height, status.height)
        box.centerx = status.centerx
        return box

    def draw(self, surface: pygame.Surface) -> None:
        fs = self.layout.font_size
        box = self.rect()
        text = self.text
        while text and self.text_cache.width(text, fs) > box.width - self.layout.px(16):
            text = text[:-2] + "…" if len(text) > 2 else ""
        t = self.text_cache(text, fs, BUTTON_ON_TEXT)
        pygame.draw.rect(surface, BUTTON_ON_BG, box, border_radius=8)
        surface.blit(t, t.get_rect(center=box.center))


def draw_too_small(surface: pygame.Surface, size: tuple[int, int], text: TextCache) -> None:
    """"This window is too small to paint on" in the middle of the window."""
    w, h = size
    fs = max(14, min(28, w // 16))
    lines = wrap_text("This window is too small to paint on: please make it larger.", fs, max(w - 20, 40))
    lh = render.font(fs).get_linesize()
    box = pygame.Rect(0, 0, min(w, max(text.width(t, fs) for t in lines) + 20), len(lines) * lh + 16)
    box.center = (w // 2, h // 2)
    pygame.draw.rect(surface, BUTTON_ON_BG, box)
    y = box.top + 8
    for line in lines:
        t = text(line, fs, BUTTON_ON_TEXT)
        surface.blit(t, t.get_rect(midtop=(box.centerx, y)))
        y += lh
