"""Where everything sits in the painting window: `WindowLayout`, worked out again on every resize.

An owned part of `PaintScreen` (bodymap.ui.paint.screen): made from the window's size, whether the clinician
panel and the flag banner show, the text cache and the atlas; it holds the bars' and panels' rects, the
buttons, the pain-score slider, the sizes of type and the body views' layouts (which the window's
`BodyCanvas` then shows). It keeps no other state: a new one replaces it on every resize.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

import pygame

from ... import render
from ...atlas import VIEWS, Atlas
from ...painting import SENSATIONS
from ...render.picture import SENSATION_STYLE
from ..kit import Button, Slider, TextCache, flow_buttons, wrap_text

from .sizes import BASE_SIZE, BRUSH_LETTERS, BRUSHES


#: shorter labels for a laptop window's one-row top bar (each still at least a 48 px touch target)
SHORT_LABELS = {"panel": "Panel"}

TOP_ITEMS = [("new", "New patient", "action"), ("new_visit", "New visit", "action"),
             ("visit", "Visit...", "action"), None,
             ("save", "Save", "action"), ("save_as", "Save As...", "action"), ("open", "Open...", "action"),
             ("pdf", "Print PDF", "action"), None,
             ("undo", "Undo", "action"), ("redo", "Redo", "action"), ("clear", "Clear...", "action"), None,
             ("zoom_in", "Zoom +", "action"), ("zoom_out", "Zoom -", "action"), None,
             ("outlines", "Outlines", "toggle"), ("dermatomes", "Dermatomes", "toggle"),
             ("panel", "Clinician panel", "toggle"), ("help", "? Help", "action")]


class WindowLayout:
    """The window's geometry for one size (see the module)."""

    def __init__(self, size: tuple[int, int], show_panel: bool, text: TextCache, atlas: Atlas, *,
                 flag_banner: bool, intensity: int | None,
                 zoomed_layouts: Callable[[pygame.Rect, dict[str, Any]], dict[str, Any]]):
        self.size = w, h = size
        # a tall window gets the panel under the body instead of beside it
        self.panel_at_bottom = show_panel and w < 1.15 * h
        need_w = 1100 if show_panel and not self.panel_at_bottom else 900
        need_h = 1000 if self.panel_at_bottom else BASE_SIZE[1]
        self.s = s = min(max(min(w / need_w, h / need_h), 0.6), 1.5)
        self.font_size = fs = max(16, int(28 * s))
        self.buttons: dict[str, Button] = {}
        pad, btn = self.px(8), self.px(56)
        self.bar_font_size = fs
        top_h = self._top_bar(text, w, h, fs, pad, btn)
        lh = render.font(fs).get_linesize()
        status_h = 3 * (lh + 2) + 2 * pad
        tool_w = self.px(272)
        self.tool_rect = pygame.Rect(0, top_h, tool_w, h - top_h)
        panel_w = panel_h = 0
        self.panel_rect: pygame.Rect | None = None
        if show_panel and self.panel_at_bottom:
            panel_h = int(0.36 * (h - top_h))
            self.panel_rect = pygame.Rect(tool_w, h - panel_h, w - tool_w, panel_h)
        elif show_panel:
            panel_w = min(self.px(400), int(0.36 * w))
            self.panel_rect = pygame.Rect(w - panel_w, top_h, panel_w, h - top_h)
        bottom = h - panel_h
        free_w = w - tool_w - panel_w
        bnr = self.banner_height(flag_banner)  # the flag banner's strip above the body (banner.py)
        if self.panel_rect is None and free_w > 1.6 * (bottom - top_h):
            # a wide window without the panel: the readout goes beside the bodies, which take the full height
            side_w = min(self.px(340), free_w // 4)
            self.status_rect = pygame.Rect(w - side_w, top_h, side_w, bottom - top_h)
            self.body_rect = pygame.Rect(tool_w, top_h + bnr, free_w - side_w, bottom - top_h - bnr)
        else:
            self.status_rect = pygame.Rect(tool_w, bottom - status_h, free_w, status_h)
            self.body_rect = pygame.Rect(tool_w, top_h + bnr, free_w, bottom - top_h - status_h - bnr)
        btn = self._tool_bar(top_h, h, lh, pad, btn, intensity)
        self.view_layouts = self._views(atlas, pad, zoomed_layouts)
        first = next(iter(self.view_layouts.values()))
        for name in BRUSHES:
            self.buttons[f"brush:{name}"].dot = min(BRUSHES[name] * first.scale, btn / 2 - 6)

    def px(self, v: float) -> int:
        return max(1, int(round(v * self.s)))

    def banner_height(self, shown: bool) -> int:
        """The strip kept for the flag banner above the body (0 without a flag)."""
        return render.font(self.font_size).get_linesize() + self.px(14) if shown else 0

    @property
    def too_small(self) -> bool:
        """The window leaves the body views too little room to paint on."""
        lay = next(iter(self.view_layouts.values()))
        return lay.width < 60 or lay.height < 150

    def _top_bar(self, text: TextCache, w: int, h: int, fs: int, pad: int, btn: int) -> int:
        """The top bar's flowing rows of buttons and the patient banner's line under them; returns their height."""
        bar, bar_h = flow_buttons(TOP_ITEMS, text, fs, btn, pad, self.px(18), w, self.px)
        if bar_h > btn + 2 * pad and h < 1000:
            # a laptop (1366x768, 1280x800): one row of smaller buttons leaves the bodies more height (issue 21)
            tight = lambda v: self.px(v * 0.45)  # noqa: E731 - less room around each label
            short = [(i[0], SHORT_LABELS.get(i[0], i[1]), i[2]) if i else None for i in TOP_ITEMS]
            for items, k in ((TOP_ITEMS, 0.9), (TOP_ITEMS, 0.8), (TOP_ITEMS, 0.72), (short, 0.8), (short, 0.72)):
                f2, b2 = max(16, int(fs * k)), max(int(btn * k), 48)  # still touch-sized
                bar2, h2 = flow_buttons(items, text, f2, b2, self.px(5), self.px(10), w, tight)
                if h2 < bar_h:
                    bar, bar_h, self.bar_font_size = bar2, h2, f2
                if h2 <= b2 + 2 * self.px(6):
                    break
        self.buttons.update(bar)
        # the patient banner: who and which visit, always in view: a line of its own at the foot of the top
        # bar (patient_banner.py); the flag banner, when a flag fires, is another line under it
        self.patient_font_size = max(15, int(fs * 0.9))
        patient_h = render.font(self.patient_font_size).get_linesize() + 2 * self.px(5)
        self.patient_rect = pygame.Rect(0, bar_h, w, patient_h)
        self.top_rect = pygame.Rect(0, 0, w, bar_h + patient_h)
        return self.top_rect.height

    def _tool_bar(self, top_h: int, h: int, lh: int, pad: int, btn: int, intensity: int | None) -> int:
        """The tool bar (left): sensations, brush, eraser and Regions, the pain score; its buttons shrink to fit a
        short window. Returns the buttons' height."""
        gap = self.px(6)
        need = 3 * (lh + gap) + 3 * pad + 2 * pad
        btn = max(min(btn, (h - top_h - need) // 10 - gap), 48)  # never below a touch target
        self.headings: list[tuple[str, tuple[int, int]]] = []
        x0, inner = pad, self.tool_rect.width - 2 * pad
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
        self.slider = Slider(pygame.Rect(x0, y, inner, btn), 10, intensity)
        y += btn + gap
        self.buttons["score_clear"] = Button("score_clear", pygame.Rect(x0, y, inner, btn), "Clear pain score",
                                             "action", action=("score_clear",))
        return btn

    def _views(self, atlas: Atlas, pad: int, zoomed_layouts) -> dict[str, Any]:
        """The two views (or the zoomed one) in the body rect, under their titles; the caption wraps when a view
        is narrow."""
        self.title_size = max(16, int(36 * self.s))
        self.caption_size = max(16, int(25 * self.s))
        area = self.body_rect.inflate(-2 * pad, -2 * pad)
        gap_views = self.px(28)
        caption_lines = 1
        for _ in range(3):
            title_h = (render.font(self.title_size).get_linesize()
                       + caption_lines * render.font(self.caption_size).get_linesize() + self.px(8))
            lays = render.layout_views(atlas, area, gap=gap_views, title_h=title_h)
            width = lays["front"].width - self.px(4)
            self.captions = {v: (render.VIEW_CAPTIONS[v][0],
                                 wrap_text(render.VIEW_CAPTIONS[v][1], self.caption_size, width))
                             for v in VIEWS}
            need = max(len(c[1]) for c in self.captions.values())
            if need <= caption_lines:
                break
            caption_lines = need
        zoom_area = pygame.Rect(area.left, area.top + title_h, area.width, max(area.height - title_h, 1))
        lays = zoomed_layouts(zoom_area, lays)
        return {v: dataclasses.replace(lay, left=float(round(lay.left)), top=float(round(lay.top)))
                for v, lay in lays.items()}
