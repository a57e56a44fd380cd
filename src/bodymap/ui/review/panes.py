"""Which panes the review window shows beside its centre: `Panes`, an owned part of `ReviewScreen`.

It keeps whether the map list shows (hidden for a comparison and shown again after it, shown while picking
the map to compare with, as the clinician left it otherwise), and keeps the map list's rows, filter line
and BEFORE / AFTER badges in step with the session. It is given the session and the map list.
"""
from __future__ import annotations

from ...review.entries import FILTER_WORDS, subfolder_count
from ...review.session import ReviewSession
from .panels import MapList


class Panes:
    def __init__(self, session: ReviewSession, map_list: MapList):
        self.session, self.list = session, map_list
        self.show_list = session.is_folder  # the map list beside the centre
        self.list_before_compare = self.show_list  # as it was before a comparison (or the timeline) hid it

    def toggle_list(self) -> None:
        self.show_list = not self.show_list
        if self.session.mode == "compare":
            self.list_before_compare = self.show_list

    def mode_changed(self, before: str, now: str, opened: bool = False) -> None:
        """The list shown or not as the mode went from `before` to `now` (`opened`: by opening a map)."""
        if now == "pick":
            self.list_before_compare = self.show_list
            self.show_list = True
        elif now == "compare":
            self.show_list = False
        elif before == "single" and now == "timeline":
            self.list_before_compare = self.show_list
        elif before in ("pick", "compare") or (opened and before == "timeline"):
            self.show_list = self.list_before_compare

    def sync_list(self) -> None:
        """The map list's rows, filter words, counts, selection and badges, from the session."""
        s, ml = self.session, self.list
        ml.entries = s.entries
        ml.filter_words = FILTER_WORDS[s.filter] if s.filter != "all" else None
        ml.total = len(s.all_entries)
        ml.in_subfolders = subfolder_count(s.entries, s.source) if s.is_folder else 0
        ml.selected = s.selected_index
        ml.badges = {}  # BEFORE and AFTER on the two rows compared
        if s.mode == "compare" and s.before is not None and s.after is not None:
            for label, ld in (("BEFORE", s.before), ("AFTER", s.after)):
                if (i := s.index_of(ld.entry.path)) is not None:
                    ml.badges[i] = label
