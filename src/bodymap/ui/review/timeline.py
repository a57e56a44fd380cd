"""The visit timeline in the review window: every map of the open map's patient identifier, in visit order.

A part of `ReviewScreen` (bodymap.ui.review.screen). The timeline's state (which visits, which are
picked) is the review session's (bodymap.review.session, from bodymap.timeline); the drawing is
timeline_draw.py.

"Timeline" (top bar) opens it for the open map's patient identifier. The centre
shows a small plot of extent and pain over the visits and a card per visit,
with what changed since the visit before; the information panel lists the
change per region for each step. Tapping two visit cards compares them, as
"Compare with…" does; "End comparison" comes back to the timeline.
"""
from __future__ import annotations

from pathlib import Path

import pygame

from ... import render
from ...render.body import DIFF_STYLE
from ...review.session import day_text
from ..widgets import FOR_TEXT, MUTED
from .panels import Item

__all__ = ["ReviewTimeline", "day_text"]


class ReviewTimeline:
    """The visit timeline's view: the information panel's content for it, and where its cards go."""

    timeline_cards: list[tuple[int, pygame.Rect]] = []
    timeline_hidden = 0  # older visits without a card (the plot shows them all)

    # -- the information panel ----------------------------------------------
    def _timeline_items(self, fixed: list[Item], items: list[Item]) -> None:
        tl = self.timeline
        if tl is None:
            return
        n = len(tl.visits)
        if not any(self.visit_entry(i).flags for i in range(n)):
            fixed.append(Item("note", "No red flags at any of these visits.", FOR_TEXT))
        items.append(Item("heading", f"Timeline: patient {tl.patient_id}"))
        items.append(Item("text", f"{n} visit{'s' if n != 1 else ''} with this identifier in {self.source.name}, "
                          "in visit-date order (the saved date where no visit date was given)."))
        items.append(Item("muted", "Tap two visits to compare them." if n > 1 else
                          "Only one map carries this identifier: nothing to compare yet.", MUTED))
        for ch in reversed(tl.changes):  # the latest change first
            b, a = tl.visits[ch.before], tl.visits[ch.after]
            items.append(Item("heading", f"{day_text(b)} to {day_text(a)}", space_before=True))
            if not ch.comparable:
                items.append(Item("muted", "Drawn on different atlases: the regions cannot be compared.", MUTED))
                continue
            for kind in ("new", "resolved", "persistent"):
                rids = getattr(ch, kind)
                names = ", ".join(self.atlas.region(r).name for r in rids) if rids else "none"
                items.append(Item("legend", f"{DIFF_STYLE[kind]['label']}: {names}", swatch=kind))
            items.append(Item("muted", f"Similarity (Jaccard) {ch.jaccard:.2f}; extent {ch.extent_change:+.1f} "
                              "percentage points.", MUTED))
        items.append(Item("muted", "A region counts as painted above the documented minimum (no stray dots or "
                          "eraser slivers). Maps are grouped by patient identifier as typed: check it matches.",
                          MUTED, space_before=True))

    # -- where the cards go -------------------------------------------------
    def _layout_timeline(self, c: pygame.Rect) -> None:
        """The plot and the visit cards in the centre (newest at the bottom; older ones drop off when
        they do not fit, the plot always shows every visit)."""
        pad = self.px(14)
        tl = self.timeline
        title_h = int(self.font_size * 1.6)
        self.timeline_title_rect = pygame.Rect(c.left + pad, c.top + pad, c.width - 2 * pad, title_h)
        plot_h = max(self.px(180), int(0.36 * c.height))
        self.plot_rect = pygame.Rect(c.left + pad, self.timeline_title_rect.bottom, c.width - 2 * pad, plot_h)
        top = self.plot_rect.bottom + self.px(14)
        small_lh = render.font(self.small_size).get_linesize()
        card_h = max(self.btn_h, 3 * small_lh + self.px(14))
        gap = self.px(8)
        fit = max(0, (c.bottom - pad - top) // (card_h + gap))
        n = len(tl.visits) if tl is not None else 0
        shown = list(range(max(0, n - fit), n))
        self.timeline_hidden = n - len(shown)
        self.timeline_cards = [(i, pygame.Rect(c.left + pad, top + k * (card_h + gap), c.width - 2 * pad, card_h))
                               for k, i in enumerate(shown)]

    def timeline_hit(self, pos) -> str | None:
        for i, r in self.timeline_cards:
            if r.collidepoint(pos):
                return f"visit:{i}"
        return None

    def timeline_key(self):
        tl = self.timeline
        return None if tl is None else (id(tl), tuple(self.timeline_pick), tuple(Path(v.key).name for v in tl.visits))
