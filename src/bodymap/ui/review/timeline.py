"""The visit timeline in the review window: every map of the open map's patient identifier, in visit order.

A part of `ReviewScreen` (bodymap.ui.review.screen): the methods share its state.
The data is bodymap.timeline's (headless); the drawing is timeline_draw.py.

"Timeline" (top bar) opens it for the open map's patient identifier. The centre
shows a small plot of extent and pain over the visits and a card per visit,
with what changed since the visit before; the information panel lists the
change per region for each step. Tapping two visit cards compares them, as
"Compare with…" does; "End comparison" comes back to the timeline.
"""
from __future__ import annotations

from pathlib import Path

import pygame

from ... import fileformat, render
from ...timeline import DATED_BY_CREATED, Timeline, build, same_patient
from ..review_draw import DIFF_STYLE
from ..review_model import MapEntry, file_created
from ..review_panel import Item
from ..kit.desk_colours import FOR_TEXT, MUTED


def day_text(v) -> str:
    """A visit's day as shown: '2024-03-15', with '(saved)' when it comes from the created time."""
    if v.day is None:
        return "no date"
    return v.day.isoformat() + (" (saved)" if v.dated_by == DATED_BY_CREATED else "")


class ReviewTimeline:
    """The visit timeline: its state, the information panel's content for it, and its hit targets."""

    timeline: Timeline | None  # these are set in ReviewScreen.__init__
    timeline_entries: dict[str, MapEntry]
    timeline_pick: list[int]
    timeline_cards: list[tuple[int, pygame.Rect]]
    timeline_hidden = 0  # older visits without a card (the plot shows them all)
    _from_timeline = False

    @property
    def patient_id(self) -> str | None:
        cur = self.current
        return cur.pain_map.visit.patient_id if cur is not None and cur.ok else None

    @property
    def can_timeline(self) -> bool:
        return self.patient_id is not None

    def open_timeline(self) -> bool:
        """Show the timeline of the open map's patient identifier (every map in the folder that carries it)."""
        pid = self.patient_id
        if pid is None:
            self.show_toast("The open map has no patient identifier: the timeline groups maps by it"
                            if self.current is not None else "Open a map first")
            return False
        maps, entries = [], {}
        for e in self.all_entries:
            if not (e.ok and same_patient(e.patient_id, pid)):
                continue
            try:
                m = fileformat.load(e.path, atlas=self.atlas)
            except Exception:  # noqa: BLE001 - a file spoilt since the scan is left out, never a crash
                continue
            maps.append((str(e.path), m, file_created(e.path)))
            entries[str(e.path)] = e
        self.timeline = build(pid, maps)
        self.timeline_entries = entries
        self.timeline_pick = []
        if self.mode == "single":
            self._list_before_compare = self.show_list
        self.mode = "timeline"
        self._layout()
        return True

    def close_timeline(self) -> None:
        if self.mode == "timeline":
            self.mode = "single"
            self.timeline, self.timeline_pick = None, []
            self._layout()

    def visit_entry(self, index: int) -> MapEntry:
        return self.timeline_entries[self.timeline.visits[index].key]

    def pick_visit(self, index: int) -> None:
        """Tap a visit card: the first tap marks it, a second visit compares the two (older as before)."""
        if self.timeline is None or not 0 <= index < len(self.timeline.visits):
            return
        if index in self.timeline_pick:
            self.timeline_pick.remove(index)
        else:
            self.timeline_pick.append(index)
        if len(self.timeline_pick) < 2:
            self._build_info(keep_scroll=True)
            if self.timeline_pick:
                self.show_toast("Now tap a second visit to compare with")
            return
        a, b = (self.visit_entry(i) for i in self.timeline_pick)
        self.timeline_pick = []
        keep_list = self._list_before_compare
        self.current = self.load(a)
        self.toast = None
        if self.compare_entry(b):
            self._from_timeline = True
            self._list_before_compare = keep_list
        else:
            self._layout()

    def back_to_timeline(self) -> None:
        """After a comparison started on the timeline: back to it, as it was."""
        self._from_timeline = False
        self.mode = "timeline"
        self.show_list = self._list_before_compare
        self.partner = self.before = self.after = self.comparison = None
        self._update_badges()
        self._layout()

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

    def _timeline_flag_texts(self) -> list[str]:
        """Every visit's red flags, the latest visit first, each with its day."""
        tl = self.timeline
        out = []
        for i in reversed(range(len(tl.visits)) if tl is not None else []):
            for t in self.visit_entry(i).flag_texts:
                out.append(f"{day_text(tl.visits[i])}: {t}")
        return out

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
