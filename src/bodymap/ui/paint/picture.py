"""Drawing the painting window: full frames, and partial ones while a stroke goes on.

A part of `PaintScreen` (bodymap.ui.paint.screen): the methods share its state.
"""
from __future__ import annotations

import dataclasses
from typing import Any

import pygame

from ... import render
from ...painting import SENSATIONS
from ...render import body
from ..kit import wrap_text
from ..kit.desk_colours import BAR_BG, BAR_LINE, BUTTON_ON_BG, BUTTON_ON_TEXT, MUTED, RED, TEXT

from .sizes import BRUSHES


class PaintPicture:
    """Drawing the painting window: full frames, and partial ones while a stroke goes on."""

    # ------------------------------------------------------------------
    # drawing
    def _chrome_key(self, surface: pygame.Surface) -> Any:
        """Everything besides the paint and the status text that a frame shows, as two parts:
        (the rest of the window, what only the ranking panel shows)."""
        b = tuple((k, v.on, v.enabled) for k, v in self.buttons.items())
        return ((id(surface), surface.get_size(), self.size, b, self.slider.value, self.toast, id(self.dialog),
                 self._pressed, self.show_panel, self._bg_key, self._tops_key, self.too_small, self.banner_key()),
                (id(self.ranking), self.panel_scroll_key()))

    def panel_scroll_key(self) -> Any:
        p = self.panel
        return (p.scroll, p.selected, id(p.ranking), p.computed, self.matcher_error, self._zone_key(),
                getattr(p, "state_key", None))

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
        key = self._chrome_key(surface)
        if self._drawn_key is None or key[0] != self._drawn_key[0] or self.dialog is not None:
            self.draw(surface)
            return None
        panel_only = key[1] != self._drawn_key[1]
        if panel_only and (self.panel_rect is None or self.toast or self.too_small):
            self.draw(surface)  # something may lie over the panel: the whole window
            return None
        rects = []
        bg = self._background()
        tops = self._top_overlays()
        for r in self._dirty_rects:
            surface.blit(bg, r, r)
            for v in self.layouts:
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
        if panel_only:  # a new ranking after a stroke, a scroll or a selection: the panel alone changed
            self.panel.layout(self.panel_rect, self.s, self.font_size)
            self.panel.draw(surface, self.text)
            rects.append(self.panel_rect.copy())
            self._drawn_key = key
        banner = self.banner_rect()
        if banner is not None and any(banner.colliderect(r) for r in rects):
            rects.append(self.draw_banner(surface))  # a stroke under the banner never wipes it
        status = (tuple(self.readout_lines(fresh=False)), self.file_label, self.dirty, self.patient_text)
        if status != self._drawn_status:
            self._draw_status(surface)
            if self.toast:
                self._draw_toast(surface)  # the toast sits over the status bar
            self.draw_patient_banner(surface)
            self._drawn_status = status
            rects += [self.status_rect.copy(), self.patient_rect.copy()]
        return rects

    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        self._dirty_rects = []
        self.readout_lines()  # a whole frame shows the readout up to date (a partial one: as last computed)
        surface.blit(self._background(), (0, 0))
        tops = self._top_overlays()
        for v in self.layouts:
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
            pressed = self._pressed[1] if isinstance(self._pressed, tuple) else None
            self.dialog.draw(surface, self.text, self.font_size, self.s, pressed)
        self.draw_banner(surface)  # last: over the panel, a dialog and the "too small" note (issue 18)
        self._drawn_key = self._chrome_key(surface)
        self._drawn_status = (tuple(self.readout_lines(fresh=False)), self.file_label, self.dirty, self.patient_text)

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
        b["score_clear"].enabled = self.slider.value is not None

    def _zone_key(self):
        return None if self.zone is None else tuple(sorted(self.zone.items()))

    def _background(self) -> pygame.Surface:
        key = (self.size, tuple(self.layouts.values()), self._zone_key(), self.show_dermatomes)
        if self._bg is not None and self._bg_key == key:
            return self._bg
        bg = pygame.Surface(self.size)
        bg.fill(render.BACKGROUND)
        for v, lay in self.layouts.items():
            target, at = bg, None
            if self.zoom is not None:  # a zoomed view's picture reaches past its frame: draw it inside it
                target, at = pygame.Surface((lay.width, lay.height)), (int(lay.left), int(lay.top))
                target.fill(render.BACKGROUND)
                lay = dataclasses.replace(lay, left=0.0, top=0.0)
            body.draw_under(target, self.atlas, lay, dermatomes=self.show_dermatomes, zone=self.zone)
            if at is not None:
                bg.blit(target, at)
        self._draw_titles(bg)
        if self.zoom is None:
            body.draw_side_markers(bg, self.layouts, size=max(16, int(34 * self.s)))
        else:
            self._draw_zoom_markers(bg)
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

    def _draw_zoom_markers(self, surface: pygame.Surface) -> None:
        """'R' and 'L' at the top corners of the zoomed view, on the patient's right and left, and the zoom."""
        from ...atlas import viewer_sign

        sz = max(16, int(34 * self.s))
        for v, lay in self.layouts.items():
            for side, letter in (("right", "R"), ("left", "L")):
                x = lay.left + lay.width / 2 + viewer_sign(v, side) * (lay.width / 2 - sz)
                t = self.text(letter, sz, MUTED)
                surface.blit(t, t.get_rect(center=(x, lay.top + sz)))
            t = self.text(f"Zoom {self.zoom_factor:.1f}x  (Z: whole body)", self.caption_size, MUTED)
            surface.blit(t, t.get_rect(bottomright=(lay.left + lay.width - self.px(6), lay.top + lay.height - 2)))

    def _top_overlays(self) -> dict[str, tuple[pygame.Surface, tuple[int, int]]]:
        key = (tuple(self.layouts.values()), self.show_outlines, self.show_dermatomes, self._zone_key())
        if self._tops_key == key:
            return self._tops
        m = self.px(6) if self.zoom is None else 0  # a zoomed view stays inside its frame
        tops = {}
        for v, lay in self.layouts.items():
            surf = pygame.Surface((lay.width + 2 * m, lay.height + 2 * m), pygame.SRCALPHA)
            local = dataclasses.replace(lay, left=float(m), top=float(m))
            body.draw_over(surf, self.atlas, local, outlines=self.show_outlines, dermatomes=self.show_dermatomes,
                           zone=self.zone, label_size=max(16, int(24 * self.s)), zone_width=max(2, self.px(3)),
                           line_width=max(2, self.px(2)))
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
        fs = getattr(self, "bar_font_size", self.font_size)
        for bid, b in self.buttons.items():
            if self.top_rect.contains(b.rect):
                b.draw(surface, self.text, fs, pressed=(self._pressed == bid))
        self.draw_patient_banner(surface)

    def _draw_status(self, surface) -> None:
        r = self.status_rect
        self._draw_bar(surface, r, "top")
        fs = self.font_size
        lh = render.font(fs).get_linesize() + 2
        y = r.top + self.px(8)
        lines = self.readout_lines(fresh=False)
        first = self.text(lines[0], fs, MUTED)
        for i, line in enumerate(lines):
            surface.blit(self.text(line, fs, TEXT) if i else first, (r.left + self.px(12), y))
            y += lh
        # the file, right-aligned on the first line when there is room
        t = self.text(self.file_label, fs, RED if self.dirty else MUTED)
        right = r.right - self.px(12)
        if right - t.get_width() >= r.left + self.px(12) + first.get_width() + self.px(24):
            surface.blit(t, (right - t.get_width(), r.top + self.px(8)))

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

    def toast_rect(self) -> pygame.Rect:
        """Where the toast shows: over the status bar under the body, so it never covers the feet."""
        fs = self.font_size
        box = pygame.Rect(0, 0, self.text.width(self.toast or "", fs) + self.px(32),
                          render.font(fs).get_linesize() + self.px(20))
        box.center = self.status_rect.center
        box.width = min(box.width, self.status_rect.width)
        box.height = min(box.height, self.status_rect.height)
        box.centerx = self.status_rect.centerx
        return box

    def _draw_toast(self, surface) -> None:
        fs = self.font_size
        box = self.toast_rect()
        text = self.toast
        while text and self.text.width(text, fs) > box.width - self.px(16):
            text = text[:-2] + "…" if len(text) > 2 else ""
        t = self.text(text, fs, BUTTON_ON_TEXT)
        pygame.draw.rect(surface, BUTTON_ON_BG, box, border_radius=8)
        surface.blit(t, t.get_rect(center=box.center))

    def screenshot(self) -> pygame.Surface:
        """The window as it looks now, drawn headless."""
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf
