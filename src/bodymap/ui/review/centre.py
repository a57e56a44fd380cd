"""The centre of the review window: the open map on both views, or the two maps compared and their
difference, or the timeline (its own part draws it), with the header and the sensation legend.

`CentrePicture` is a part the review window owns, given the session, the text cache and the timeline
view; each draw gets the window's `Frame` (where things go) and `Toggles` (what the top bar turned on).
The views of each pair (the map, before, after, the difference) are shown through a kit `BodyCanvas`
(ui/kit/canvas.py, as the painting window and the kiosk show theirs): the body by `bodymap.render.body`, the
paint by its `render.overlay.PaintOverlay`s, or the difference in the paint's place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pygame

from ... import render
from ...compare import Comparison
from ...painting import SENSATIONS, PainMap
from ...render import body
from ...render.body import DIFF_KINDS, DIFF_STYLE, diff_surface, diff_swatch, paint_period
from ...render.picture import SENSATION_STYLE
from ...review.session import ReviewSession
from ...review.words import entry_time
from ..kit import TextCache, swatch_surface, wrap_text
from ..kit.canvas import BodyCanvas
from ..kit.desk_colours import BAR_LINE, MUTED, RED, TEXT
from .pairs import Pair, draw_pair_titles
from .panels import draw_red_flag_tag, tag_size, urgency_tag
from .timeline import TimelineView


@dataclass(frozen=True)
class Frame:
    """Where the centre's pieces go, from the window's layout."""

    size: tuple[int, int]
    s: float
    font_size: int
    small_size: int
    center_rect: pygame.Rect
    header_rect: pygame.Rect
    legend_rect: pygame.Rect
    sensation_legend_rect: pygame.Rect
    pairs: dict[str, Pair]


@dataclass(frozen=True)
class Toggles:
    """What the top bar has turned on."""

    outlines: bool
    dermatomes: bool
    zone: bool
    list: bool


class CentrePicture:
    """The centre picture, drawn again only when what it shows changed."""

    def __init__(self, session: ReviewSession, text: TextCache, timeline_view: TimelineView):
        self.session = session
        self.text = text
        self.timeline_view = timeline_view
        self._scene: pygame.Surface | None = None
        self._key: Any = None
        self.f: Frame | None = None
        self.t: Toggles | None = None

    def px(self, v: float) -> int:
        return max(1, int(round(v * self.f.s)))

    def zone_key(self):
        return None if self.session.zone is None else tuple(sorted(self.session.zone.items()))

    def _scene_key(self) -> Any:
        def ident(ld):
            return None if ld is None else (str(ld.entry.path), id(ld.pain_map))
        return (self.f.size, self.session.mode, self.f.center_rect.topleft, self.f.center_rect.size, ident(self.session.current),
                ident(self.session.before), ident(self.session.after), self.t.outlines, self.t.dermatomes,
                self.t.zone and self.session.mode == "single", self.zone_key(), self.f.s, self.timeline_view.key())

    def surface(self, frame: Frame, toggles: Toggles) -> pygame.Surface:
        """The centre of the window for what the session shows (kept while nothing it shows changed)."""
        self.f, self.t = frame, toggles
        key = self._scene_key()
        if self._scene is not None and key == self._key:
            return self._scene
        surf = pygame.Surface(self.f.size)
        surf.fill(render.BACKGROUND)
        if self.session.mode == "compare" and self.session.comparison is not None:
            self._draw_compare(surf)
        elif self.session.mode == "timeline":
            self.timeline_view.draw(surf)
        else:
            self._draw_single(surf)
        if pygame.display.get_surface() is not None:
            surf = surf.convert()
        self._scene, self._key = surf, key
        return surf

    def _draw_views(self, surf: pygame.Surface, pair: Pair, pain_map: PainMap | None, zone=None,
                    diff: Comparison | None = None) -> None:
        canvas = BodyCanvas(self.session.atlas)  # the pair's views and the map's paint, shown once (cached)
        canvas.place(pain_map if diff is None else None, pair.layouts, lambda lay: paint_period(lay, pain_map))
        paint: Any = True
        if diff is not None:  # the difference takes the paint's place
            raster = self.session.atlas.raster(self.session.before.pain_map.scale)

            def paint(target, v, lay):
                target.blit(diff_surface(diff, v, lay, raster, max(6, self.px(8))), (int(lay.left), int(lay.top)))
        canvas.draw_views(surf, under=dict(dermatomes=self.t.dermatomes, zone=zone), paint=paint,
                          over=dict(outlines=self.t.outlines, dermatomes=self.t.dermatomes, zone=zone,
                                    label_size=max(16, int(22 * self.f.s)), zone_width=max(2, int(round(3 * self.f.s))),
                                    line_width=max(2, int(round(2 * self.f.s)))))
        draw_pair_titles(surf, pair, self.text)
        body.draw_side_markers(surf, pair.layouts, size=max(16, int(round(30 * self.f.s))))

    def _draw_single(self, surf: pygame.Surface) -> None:
        c = self.f.center_rect
        cur = self.session.current
        pair = self.f.pairs["map"]
        if cur is None or not cur.ok:
            if cur is None:
                if not self.session.entries:
                    msg = f"There are no .bodymap files in {self.session.source}."
                elif self.t.list:
                    msg = "Choose a map from the list on the left."
                else:
                    msg = "Turn on 'Map list' and choose a map."
                col = TEXT
            else:
                msg = f"Cannot open {cur.entry.path.name}: {cur.error}"
                col = RED
            y = c.top + self.px(40)
            for line in wrap_text(msg, self.f.font_size, c.width - self.px(48)):
                t = self.text(line, self.f.font_size, col)
                surf.blit(t, t.get_rect(midtop=(c.centerx, y)))
                y += render.font(self.f.font_size).get_linesize()
            return
        m = cur.pain_map
        # header: session code and time, then the file
        hr = self.f.header_rect
        e = cur.entry
        right = hr.right
        if e.red_flag:
            label = urgency_tag(e.urgency)
            tw, th = tag_size(self.f.font_size, self.text, label)
            draw_red_flag_tag(surf, self.text, pygame.Rect(hr.right - tw, hr.top, tw, th), self.f.font_size, label)
            right = hr.right - tw - self.px(12)
        head = f"Session {e.session_code}" if e.session_code else "No session code"
        if e.patient_id:
            head = f"Patient {e.patient_id}, {head[0].lower()}{head[1:]}"
        head = (wrap_text(head, int(self.f.font_size * 1.15), right - hr.left, max_lines=1) or [head])[0]
        t = self.text(head, int(self.f.font_size * 1.15), TEXT)
        surf.blit(t, hr.topleft)
        stamp = entry_time(e, self.session.tz)  # the painted time, local with its zone
        if e.visit_date:  # the visit date first: what a clinician files the map under (issue 21)
            stamp = f"visit {e.visit_date}, painted {stamp}"
        when = self.text(stamp, self.f.font_size, TEXT)
        x = hr.left + t.get_width() + self.px(18)
        if x + when.get_width() <= right:
            surf.blit(when, (x, hr.top + (t.get_height() - when.get_height()) // 2))
            y2 = hr.top + t.get_height() + self.px(2)
        else:
            y2 = hr.top + t.get_height()
            surf.blit(when, (hr.left, y2))
            y2 += when.get_height()
        name = wrap_text(e.path.name, self.f.small_size, hr.width, max_lines=1)
        if name:
            surf.blit(self.text(name[0], self.f.small_size, MUTED), (hr.left, y2))
        zone = self.session.zone if self.t.zone else None
        self._draw_views(surf, pair, m, zone=zone)
        self._draw_sensation_legend(surf, m.sensations_present())

    def _draw_sensation_legend(self, surf: pygame.Surface, present: list[str]) -> None:
        r = self.f.sensation_legend_rect
        if not present:
            return
        sz = self.f.small_size
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
        self._draw_views(surf, self.f.pairs["before"], self.session.before.pain_map)
        self._draw_views(surf, self.f.pairs["after"], self.session.after.pain_map)
        self._draw_views(surf, self.f.pairs["diff"], None, diff=self.session.comparison)
        present = set(self.session.before.pain_map.sensations_present()) | set(self.session.after.pain_map.sensations_present())
        self._draw_sensation_legend(surf, [s for s in SENSATIONS if s in present])
        # separator between the two drawings and the difference
        right = self.f.pairs["diff"].area
        x = right.left - self.px(8)
        pygame.draw.line(surf, BAR_LINE, (x, self.f.center_rect.top + self.px(10)),
                         (x, self.f.center_rect.bottom - self.px(10)), 2)
        y = self.f.pairs["after"].area.top - self.px(5)
        pygame.draw.line(surf, BAR_LINE, (self.f.center_rect.left + self.px(10), y), (x - self.px(10), y), 2)
        # legend under the difference
        r = self.f.legend_rect
        sz = self.f.small_size
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
