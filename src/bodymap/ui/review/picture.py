"""Drawing the review window: the map (or the comparison), the bars and panels.

A part of `ReviewScreen` (bodymap.ui.review.screen): the methods share its state.
"""
from __future__ import annotations

from typing import Any

import pygame

from ... import render
from ...compare import Comparison
from ...painting import SENSATIONS, PainMap
from ...render import body
from ...render.body import DIFF_KINDS, DIFF_STYLE, diff_surface, diff_swatch, paint_period
from ...render.overlay import PaintOverlay
from ...render.picture import SENSATION_STYLE
from ...review.words import entry_time
from .pairs import Pair, draw_pair_titles
from .panels import draw_red_flag_tag, tag_size, urgency_tag
from ..widgets import BAR_BG, BAR_LINE, BUTTON_ON_BG, BUTTON_ON_TEXT, MUTED, RED, TEXT, swatch_surface, wrap_text



class ReviewPicture:
    """Drawing the review window: the map (or the comparison), the bars and panels."""

    # ------------------------------------------------------------------
    # drawing
    def _sync_buttons(self) -> None:
        b = self.buttons
        if "list" in b:
            b["list"].on = self.show_list
        b["outlines"].on = self.show_outlines
        b["dermatomes"].on = self.show_dermatomes
        b["zone"].on = self.show_zone
        b["zone"].enabled = self.mode in ("single", "pick")
        b["compare"].enabled = self.mode in ("pick", "compare") or (self.mode == "single" and self.can_compare)
        b["timeline"].on = self.mode == "timeline"
        b["timeline"].enabled = self.mode == "timeline" or (self.mode == "single" and self.can_timeline)
        b["print"].enabled = self.printer.can_print

    def draw(self, surface: pygame.Surface) -> None:
        if surface.get_size() != self.size:
            self.resize(surface.get_size())
        self._sync_buttons()
        surface.blit(self._scene_surface(), (0, 0))
        self._draw_topbar(surface)
        if self.show_list:
            self.list.draw(surface, self.text, self._pressed)
        self.info.draw(surface, self.text)
        if self.toast:
            self._draw_toast(surface)
        if self.confirm.dialog is not None:
            p = self._pressed[len("confirm:"):] if self._pressed and self._pressed.startswith("confirm:") else None
            self.confirm.draw(surface, self.text, self.font_size, self.s, p)

    def screenshot(self) -> pygame.Surface:
        surf = pygame.Surface(self.size)
        self.draw(surf)
        return surf

    def _zone_key(self):
        return None if self.zone is None else tuple(sorted(self.zone.items()))

    def _scene_key(self) -> Any:
        def ident(ld):
            return None if ld is None else (str(ld.entry.path), id(ld.pain_map))
        return (self.size, self.mode, self.center_rect.topleft, self.center_rect.size, ident(self.current),
                ident(self.before), ident(self.after), self.show_outlines, self.show_dermatomes,
                self.show_zone and self.mode == "single", self._zone_key(), self.s, self.timeline_view.key())

    def _scene_surface(self) -> pygame.Surface:
        key = self._scene_key()
        if self._scene is not None and key == self._scene_key_cache:
            return self._scene
        surf = pygame.Surface(self.size)
        surf.fill(render.BACKGROUND)
        if self.mode == "compare" and self.comparison is not None:
            self._draw_compare(surf)
        elif self.mode == "timeline":
            self.timeline_view.draw(surf)
        else:
            self._draw_single(surf)
        if pygame.display.get_surface() is not None:
            surf = surf.convert()
        self._scene, self._scene_key_cache = surf, key
        return surf

    def _draw_views(self, surf: pygame.Surface, pair: Pair, pain_map: PainMap | None, zone=None,
                    diff: Comparison | None = None) -> None:
        for v, lay in pair.layouts.items():
            body.draw_under(surf, self.atlas, lay, dermatomes=self.show_dermatomes, zone=zone)
            if diff is not None:
                raster = self.atlas.raster(self.before.pain_map.scale)
                surf.blit(diff_surface(diff, v, lay, raster, max(6, self.px(8))), (int(lay.left), int(lay.top)))
            elif pain_map is not None:
                ov = PaintOverlay(pain_map, lay, paint_period(lay, pain_map))
                surf.blit(ov.surface, ov.topleft)
            body.draw_over(surf, self.atlas, lay, outlines=self.show_outlines, dermatomes=self.show_dermatomes,
                           zone=zone, label_size=max(16, int(22 * self.s)), zone_width=max(2, int(round(3 * self.s))),
                           line_width=max(2, int(round(2 * self.s))))
        draw_pair_titles(surf, pair, self.text)
        body.draw_side_markers(surf, pair.layouts, size=max(16, int(round(30 * self.s))))

    def _draw_single(self, surf: pygame.Surface) -> None:
        c = self.center_rect
        cur = self.current
        pair = self.pairs["map"]
        if cur is None or not cur.ok:
            if cur is None:
                if not self.entries:
                    msg = f"There are no .bodymap files in {self.source}."
                elif self.show_list:
                    msg = "Choose a map from the list on the left."
                else:
                    msg = "Turn on 'Map list' and choose a map."
                col = TEXT
            else:
                msg = f"Cannot open {cur.entry.path.name}: {cur.error}"
                col = RED
            y = c.top + self.px(40)
            for line in wrap_text(msg, self.font_size, c.width - self.px(48)):
                t = self.text(line, self.font_size, col)
                surf.blit(t, t.get_rect(midtop=(c.centerx, y)))
                y += render.font(self.font_size).get_linesize()
            return
        m = cur.pain_map
        # header: session code and time, then the file
        hr = self.header_rect
        e = cur.entry
        right = hr.right
        if e.red_flag:
            label = urgency_tag(e.urgency)
            tw, th = tag_size(self.font_size, self.text, label)
            draw_red_flag_tag(surf, self.text, pygame.Rect(hr.right - tw, hr.top, tw, th), self.font_size, label)
            right = hr.right - tw - self.px(12)
        head = f"Session {e.session_code}" if e.session_code else "No session code"
        if e.patient_id:
            head = f"Patient {e.patient_id}, {head[0].lower()}{head[1:]}"
        head = (wrap_text(head, int(self.font_size * 1.15), right - hr.left, max_lines=1) or [head])[0]
        t = self.text(head, int(self.font_size * 1.15), TEXT)
        surf.blit(t, hr.topleft)
        stamp = entry_time(e, self.tz)  # the painted time, local with its zone
        if e.visit_date:  # the visit date first: what a clinician files the map under (issue 21)
            stamp = f"visit {e.visit_date}, painted {stamp}"
        when = self.text(stamp, self.font_size, TEXT)
        x = hr.left + t.get_width() + self.px(18)
        if x + when.get_width() <= right:
            surf.blit(when, (x, hr.top + (t.get_height() - when.get_height()) // 2))
            y2 = hr.top + t.get_height() + self.px(2)
        else:
            y2 = hr.top + t.get_height()
            surf.blit(when, (hr.left, y2))
            y2 += when.get_height()
        name = wrap_text(e.path.name, self.small_size, hr.width, max_lines=1)
        if name:
            surf.blit(self.text(name[0], self.small_size, MUTED), (hr.left, y2))
        zone = self.zone if self.show_zone else None
        self._draw_views(surf, pair, m, zone=zone)
        self._draw_sensation_legend(surf, m.sensations_present())

    def _draw_sensation_legend(self, surf: pygame.Surface, present: list[str]) -> None:
        r = self.sensation_legend_rect
        if not present:
            return
        sz = self.small_size
        sw_h = self.px(22)
        sw_w = int(sw_h * 1.6)
        items = [(s, SENSATION_STYLE[s]["label"]) for s in SENSATIONS if s in present]
        widths = [sw_w + self.px(8) + self.text.width(lbl, sz) for _, lbl in items]
        gap = self.px(24)
        rows: list[list[int]] = [[]]
        used = 0
        for k, wd in enumerate(widths):  # as many rows as the width needs
            if rows[-1] and used + gap + wd > r.width:
                rows.append([])
                used = 0
            used += wd + (gap if rows[-1] else 0)
            rows[-1].append(k)
        row_h = max(sw_h, render.font(sz).get_linesize()) + self.px(6)
        y = r.top + max(0, (r.height - len(rows) * row_h) // 2) + self.px(3)
        for row in rows:
            total = sum(widths[k] for k in row) + gap * (len(row) - 1)
            x = max(r.left, r.centerx - total // 2)
            for k in row:
                s, lbl = items[k]
                surf.blit(swatch_surface(s, sw_w, sw_h), (x, y))
                pygame.draw.rect(surf, render.OUTLINE, (x, y, sw_w, sw_h), 1)
                t = self.text(lbl, sz, TEXT)
                surf.blit(t, (x + sw_w + self.px(8), y + (sw_h - t.get_height()) // 2))
                x += widths[k] + gap
            y += row_h

    def _draw_compare(self, surf: pygame.Surface) -> None:
        self._draw_views(surf, self.pairs["before"], self.before.pain_map)
        self._draw_views(surf, self.pairs["after"], self.after.pain_map)
        self._draw_views(surf, self.pairs["diff"], None, diff=self.comparison)
        present = set(self.before.pain_map.sensations_present()) | set(self.after.pain_map.sensations_present())
        self._draw_sensation_legend(surf, [s for s in SENSATIONS if s in present])
        # separator between the two drawings and the difference
        right = self.pairs["diff"].area
        x = right.left - self.px(8)
        pygame.draw.line(surf, BAR_LINE, (x, self.center_rect.top + self.px(10)),
                         (x, self.center_rect.bottom - self.px(10)), 2)
        y = self.pairs["after"].area.top - self.px(5)
        pygame.draw.line(surf, BAR_LINE, (self.center_rect.left + self.px(10), y), (x - self.px(10), y), 2)
        # legend under the difference
        r = self.legend_rect
        sz = self.small_size
        sw_h = self.px(24)
        sw_w = int(sw_h * 1.7)
        widths = [sw_w + self.px(8) + self.text.width(DIFF_STYLE[k]["label"], sz) for k in DIFF_KINDS]
        total = sum(widths) + self.px(24) * 2
        x = max(r.left, r.centerx - total // 2)
        y = r.top + (r.height - sw_h) // 2
        for k, wd in zip(DIFF_KINDS, widths):
            surf.blit(diff_swatch(k, sw_w, sw_h, period=max(6, self.px(8))), (x, y))
            pygame.draw.rect(surf, render.OUTLINE, (x, y, sw_w, sw_h), 1)
            t = self.text(DIFF_STYLE[k]["label"], sz, TEXT)
            surf.blit(t, (x + sw_w + self.px(8), y + (sw_h - t.get_height()) // 2))
            x += wd + self.px(24)

    def _draw_topbar(self, surface: pygame.Surface) -> None:
        r = self.top_rect
        pygame.draw.rect(surface, BAR_BG, r)
        pygame.draw.line(surface, BAR_LINE, (r.left, r.bottom - 1), (r.right, r.bottom - 1), 2)
        for bid, b in self.buttons.items():
            b.draw(surface, self.text, self.font_size, pressed=(self._pressed == bid))

    def _draw_toast(self, surface: pygame.Surface) -> None:
        c = self.center_rect
        lines = wrap_text(self.toast, self.font_size, max(c.width - self.px(60), 60), max_lines=3)
        lh = render.font(self.font_size).get_linesize()
        w = max(self.text.width(l, self.font_size) for l in lines) + self.px(32)
        box = pygame.Rect(0, 0, w, len(lines) * lh + self.px(20))
        box.midbottom = (c.centerx, c.bottom - self.px(12))
        pygame.draw.rect(surface, BUTTON_ON_BG, box, border_radius=8)
        y = box.top + self.px(10)
        for line in lines:
            t = self.text(line, self.font_size, BUTTON_ON_TEXT)
            surface.blit(t, t.get_rect(midtop=(box.centerx, y)))
            y += lh
