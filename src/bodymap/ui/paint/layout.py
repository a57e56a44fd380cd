"""Where everything sits in the painting window, worked out again on every resize.

A part of `PaintScreen` (bodymap.ui.paint.screen): the methods share its state.
"""
from __future__ import annotations

import dataclasses

import pygame

from ... import render
from ...atlas import VIEWS
from ...painting import SENSATIONS
from ...render.picture import PATTERN_PERIOD, SENSATION_STYLE
from ..kit import Button, Slider, flow_buttons, wrap_text

from .sizes import BASE_SIZE, BRUSH_LETTERS, BRUSHES


#: shorter labels for a laptop window's one-row top bar (each still at least a 48 px touch target)
SHORT_LABELS = {"panel": "Panel"}


class PaintLayout:
    """Where everything sits in the painting window, worked out again on every resize."""

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
        top_items = [("new", "New patient", "action"), ("new_visit", "New visit", "action"),
                     ("visit", "Visit...", "action"), None,
                     ("save", "Save", "action"), ("save_as", "Save As...", "action"), ("open", "Open...", "action"),
                     ("pdf", "Print PDF", "action"), None,
                     ("undo", "Undo", "action"), ("redo", "Redo", "action"), ("clear", "Clear...", "action"), None,
                     ("zoom_in", "Zoom +", "action"), ("zoom_out", "Zoom -", "action"), None,
                     ("outlines", "Outlines", "toggle"), ("dermatomes", "Dermatomes", "toggle"),
                     ("panel", "Clinician panel", "toggle"), ("help", "? Help", "action")]
        bar, bar_h = flow_buttons(top_items, self.text, fs, btn, pad, self.px(18), w, self.px)
        self.bar_font_size = fs
        if bar_h > btn + 2 * pad and h < 1000:
            # a laptop (1366x768, 1280x800): one row of smaller buttons leaves the bodies more height (issue 21)
            tight = lambda v: self.px(v * 0.45)  # noqa: E731 - less room around each label
            short = [(i[0], SHORT_LABELS.get(i[0], i[1]), i[2]) if i else None for i in top_items]
            for items, k in ((top_items, 0.9), (top_items, 0.8), (top_items, 0.72), (short, 0.8), (short, 0.72)):
                f2, b2 = max(16, int(fs * k)), max(int(btn * k), 48)  # still touch-sized
                bar2, h2 = flow_buttons(items, self.text, f2, b2, self.px(5), self.px(10), w, tight)
                if h2 < bar_h:
                    bar, bar_h, self.bar_font_size = bar2, h2, f2
                if h2 <= b2 + 2 * self.px(6):
                    break
        self.buttons.update(bar)
        # the patient banner: who and which visit, always in view: a line of its own at the foot of the top
        # bar (patient_banner.py); the red-flag banner, when a flag fires, is another line under it
        self.patient_font_size = max(15, int(fs * 0.9))
        patient_h = render.font(self.patient_font_size).get_linesize() + 2 * self.px(5)
        self.patient_rect = pygame.Rect(0, bar_h, w, patient_h)
        self.top_rect = pygame.Rect(0, 0, w, bar_h + patient_h)
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
        free_w = w - tool_w - panel_w
        bnr = self.banner_height() if hasattr(self, "banner_height") else 0  # the red-flag banner (banner.py)
        if self.panel_rect is None and free_w > 1.6 * (bottom - top_h):
            # a wide window without the panel: the readout goes beside the bodies, which take the full height
            side_w = min(self.px(340), free_w // 4)
            self.status_rect = pygame.Rect(w - side_w, top_h, side_w, bottom - top_h)
            self.body_rect = pygame.Rect(tool_w, top_h + bnr, free_w - side_w, bottom - top_h - bnr)
        else:
            self.status_rect = pygame.Rect(tool_w, bottom - status_h, free_w, status_h)
            self.body_rect = pygame.Rect(tool_w, top_h + bnr, free_w, bottom - top_h - status_h - bnr)
        # tool bar (left): sensations, brush, eraser, intensity; its buttons shrink to fit a short window
        need = 3 * (lh + gap) + 3 * pad + 2 * pad
        btn = max(min(btn, (h - top_h - need) // 10 - gap), 48)  # never below a touch target
        self.headings: list[tuple[str, tuple[int, int]]] = []
        x0, inner = pad, tool_w - 2 * pad
        y = top_h + pad
        self.headings.append(("Sensation", (x0, y)))
        y += lh + gap
        for sname in SENSATIONS:
            self.buttons[f"sensation:{sname}"] = Button(f"sensation:{sname}", pygame.Rect(x0, y, inner, btn),
                                                        SENSATION_STYLE[sname]["label"], "choice", swatch=sname,
                                                        action=("sensation", sname))
            y += btn + gap
        y += pad
        self.headings.append(("Brush size", (x0, y)))
        y += lh + gap
        bw = (inner - 2 * gap) // 3
        for i, name in enumerate(BRUSHES):
            self.buttons[f"brush:{name}"] = Button(f"brush:{name}", pygame.Rect(x0 + i * (bw + gap), y, bw, btn),
                                                   BRUSH_LETTERS[name], "choice", action=("brush", name))
        y += btn + gap
        half = (inner - gap) // 2  # the eraser shares its row with the Regions tool (ui/paint/regions.py)
        self.buttons["eraser"] = Button("eraser", pygame.Rect(x0, y, half, btn), "Eraser", "choice")
        self.buttons["regions"] = Button("regions", pygame.Rect(x0 + half + gap, y, inner - half - gap, btn), "Regions",
                                         "choice", action=("regions",))
        y += btn + 2 * pad
        self.intensity_label_pos = (x0, y)
        y += lh + gap
        self.slider = Slider(pygame.Rect(x0, y, inner, btn), 10, self.pain_map.intensity.get("overall"))
        y += btn + gap
        self.buttons["score_clear"] = Button("score_clear", pygame.Rect(x0, y, inner, btn), "Clear pain score",
                                             "action", action=("score_clear",))
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
        zoom_area = pygame.Rect(area.left, area.top + title_h, area.width, max(area.height - title_h, 1))
        lays = self.zoomed_layouts(zoom_area, lays)
        lays = {v: dataclasses.replace(lay, left=float(round(lay.left)), top=float(round(lay.top)))
                for v, lay in lays.items()}
        self.canvas.place(self.pain_map, lays, self._period(next(iter(lays.values()))))
        first = next(iter(self.layouts.values()))
        self.buttons["zoom_out"].enabled = self.zoom is not None
        for name in BRUSHES:
            self.buttons[f"brush:{name}"].dot = min(BRUSHES[name] * first.scale, btn / 2 - 6)
        if self.panel_rect is not None:
            self.panel.layout(self.panel_rect, s, fs)
        if self.dialog is not None:
            self.dialog.layout(pygame.Rect(0, 0, w, h), s, fs)

    def _period(self, lay=None) -> int:
        scale = (lay or next(iter(self.layouts.values()))).scale
        return max(4, int(round(PATTERN_PERIOD * scale / self.pain_map.raster.scale)))

    def resize(self, size: tuple[int, int]) -> None:
        size = (max(int(size[0]), 1), max(int(size[1]), 1))
        if size == self.size:
            return
        self._end_stroke()
        self.size = size
        self._layout()

    def view_at(self, pos) -> str | None:
        return self.canvas.view_at(pos)

    def button_center(self, bid: str) -> tuple[int, int]:
        """Where to tap a button (or dialog button 'dialog:<id>', or panel row 'panel:hyp:N') on screen."""
        if self.dialog is not None:
            for dialog_bid, r in self.dialog.button_rects.items():
                if bid == f"dialog:{dialog_bid}":
                    return r.center
        for row in self.panel.rows:
            if row.kind == "hypothesis" and bid == f"panel:hyp:{row.index}":
                self._scroll_into_view(row.rect)
                return self.panel.row_screen_rect(row).center
            if row.kind == "question" and bid.startswith(f"panel:q:{row.key}:"):
                r = self.panel.choice_rects(row)[bid.rsplit(":", 1)[1]]
                self._scroll_into_view(r)
                return r.move(self.panel.rect.left, self.panel.rect.top - self.panel.scroll).center
        return self.buttons[bid].rect.center

    def _scroll_into_view(self, r: pygame.Rect) -> None:
        """Scroll the panel so that content rect `r` (panel coordinates) shows under its fixed top."""
        self.panel.scroller.into_view(r.top, r.bottom)

    @property
    def too_small(self) -> bool:
        """The window leaves the body views too little room to paint on."""
        lay = next(iter(self.layouts.values()))
        return lay.width < 60 or lay.height < 150
