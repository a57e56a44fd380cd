"""The maps the review window shows: the list, the open map, the pair being compared.

A part of `ReviewScreen` (bodymap.ui.review.screen): the methods share its state.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


from ... import fileformat
from ...atlas import VIEWS
from ...compare import compare
from ...errors import BodymapError
from ...painting import PainMap
from ..review_model import (FILTER_WORDS, FILTERS, MapEntry, subfolder_count, entry_when, filter_entries, flag_urgency, flags_of,
                            one_line, run_match, scan)


BASE_SIZE = (1400, 900)
MIN_TARGET = 48  # px: every button and row is at least this tall
TOAST_SECONDS = 3.0
CACHE_MAPS = 4
DISCLAIMER = ("Decision aid, not a diagnosis: painted areas overlap heavily between sources of pain. "
              "Probabilities are calibrated on simulated and textbook cases only.")


@dataclass
class Loaded:
    """A map opened for viewing: the pain map and its ranking (or why not)."""

    entry: MapEntry
    pain_map: PainMap | None
    ranking: Any = None
    error: str | None = None
    match_error: str | None = None

    @property
    def ok(self) -> bool:
        return self.pain_map is not None



def hypothesis_key(h: Any) -> tuple[str, str]:
    """A match's (pattern id, side): how a selection is remembered across refreshes."""
    return str(getattr(h, "id", "")), str(getattr(h, "side", ""))



class ReviewMaps:
    """The maps the review window shows: the list, the open map, the pair being compared."""

    # ------------------------------------------------------------------
    # model
    def _matcher(self):
        if self._matcher_obj is None:
            from ... import matcher

            self._matcher_obj = matcher
        return self._matcher_obj

    def rescan(self) -> None:
        """(Re)read the folder: new and changed files are read again, the others kept."""
        known = {e.path: e for e in self.all_entries}
        self.all_entries = scan(self.source, self.atlas, self._matcher_obj, known, keep=self._keep_read)
        self._apply_filter()

    def _apply_filter(self) -> None:
        """Show the entries the list's filter keeps (the open map stays open, even when filtered out)."""
        keep = self.current.entry.path if self.current is not None else None
        self.entries = filter_entries(self.all_entries, self.filter)
        self.list.entries = self.entries
        self.list.filter_words = FILTER_WORDS[self.filter] if self.filter != "all" else None
        self.list.total = len(self.all_entries)
        self.list.in_subfolders = subfolder_count(self.entries, self.source) if self.source.is_dir() else 0
        self.list.selected = self.index_of(keep) if keep is not None else None
        self._update_badges()

    def refresh(self) -> None:
        """Read the folder again (new maps from the kiosk) and the open map, if its file changed."""
        self.rescan()
        if self.mode == "timeline":
            self.open_timeline()  # the folder may hold new visits of this patient
        elif self.mode == "single" and self.current is not None:
            i = self.index_of(self.current.entry.path)
            if i is None:
                self.current = None
                self.selected_hyp = self.zone = None
            else:
                keep = self.selected_hyp
                self.open_index(i)
                if keep in {hypothesis_key(h) for h in self.hypotheses} and keep != self.selected_hyp:
                    self.selected_hyp = keep
                    self._update_zone()
        self._layout()
        self.show_toast(f"{len(self.entries)} map{'s' if len(self.entries) != 1 else ''} in {self.source.name}")

    def next_filter(self) -> None:
        """Step the list's filter: all maps, red flags only, emergency only."""
        self.filter = FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)]
        self._apply_filter()
        self._layout()
        n = len(self.entries)
        self.show_toast(f"{FILTER_WORDS[self.filter]}: {n} map{'s' if n != 1 else ''}")

    def index_of(self, path: Path | None) -> int | None:
        for i, e in enumerate(self.entries):
            if e.path == path:
                return i
        return None

    def _keep_read(self, entry: MapEntry, m: PainMap) -> None:
        """A map the scan has just read: kept (the last few) so that opening it reads the file only once."""
        read = self.__dict__.setdefault("_scanned", {})
        read[entry.path] = (entry.stamp, m)
        while len(read) > CACHE_MAPS:
            read.pop(next(iter(read)))

    def load(self, entry: MapEntry) -> Loaded:
        """Open an entry's map (kept for a few maps; read again when the file changed)."""
        try:
            st = entry.path.stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = ()
        hit = self._cache.get(entry.path)
        if hit is not None and hit[0] == stamp and stamp:
            return hit[1]
        scanned = self.__dict__.get("_scanned", {}).pop(entry.path, None)
        try:
            if scanned is not None and scanned[0] == stamp and stamp:
                m = scanned[1]  # read by the scan a moment ago and unchanged since: not read twice
            else:
                m = fileformat.load(entry.path, atlas=self.atlas)
        except Exception as exc:  # noqa: BLE001 - a bad file never closes the window
            msg = str(exc) if isinstance(exc, BodymapError) else f"{type(exc).__name__}: {exc}"
            entry.error = one_line(msg, entry.path) or "unreadable"
            return Loaded(entry, None, error=entry.error)
        ranking, err = run_match(m, self._matcher_obj)
        entry.flags, entry.flag_texts = flags_of(m, ranking)
        entry.urgency = flag_urgency(m, ranking) if entry.flags else None
        entry.match_error = err
        loaded = Loaded(entry, m, ranking, None, err)
        self._cache[entry.path] = (stamp, loaded)
        while len(self._cache) > CACHE_MAPS:
            self._cache.pop(next(iter(self._cache)))
        return loaded

    @property
    def hypotheses(self) -> list[Any]:
        r = self.current.ranking if self.current is not None else None
        return list(getattr(r, "hypotheses", None) or []) if r is not None else []

    @property
    def red_flag_texts(self) -> list[str]:
        """The red flags the information panel shows (both maps' in compare mode)."""
        if self.mode == "compare" and self.before is not None and self.after is not None:
            out = []
            for label, ld in (("After", self.after), ("Before", self.before)):
                for t in ld.entry.flag_texts:
                    out.append(f"{label} ({entry_when(ld.entry, self.tz, short=True)}): {t}")
            return out
        if self.mode == "timeline":
            return self._timeline_flag_texts()
        return list(self.current.entry.flag_texts) if self.current is not None and self.current.ok else []

    def open_index(self, index: int) -> bool:
        """Show map `index` of the list (leaves compare mode)."""
        if not 0 <= index < len(self.entries):
            return False
        left_compare = self.mode != "single"
        if left_compare:
            self._leave_compare()
        entry = self.entries[index]
        self.current = self.load(entry) if entry.ok else Loaded(entry, None, error=entry.error)
        self.list.selected = index
        hyps = self.hypotheses
        self.selected_hyp = hypothesis_key(hyps[0]) if hyps else None
        self._update_zone()
        if left_compare:
            self._layout()
        else:
            self._relayout_panels()
        self.list.ensure_visible(index)
        return self.current.ok

    def select_hypothesis(self, index: int | None) -> None:
        hyps = self.hypotheses
        if index is None or not 0 <= index < len(hyps):
            self.selected_hyp = None
        else:
            key = hypothesis_key(hyps[index])
            self.selected_hyp = None if key == self.selected_hyp else key
        self._update_zone()
        self._build_info(keep_scroll=True)

    def _update_zone(self) -> None:
        self.zone = None
        if self.selected_hyp is None or self.current is None or not self.current.ok:
            return
        pid, side = self.selected_hyp
        try:
            zone = self._matcher().pattern_zone(self.atlas, pid, side)
            self.zone = {str(k): float(v) for k, v in dict(zone).items()}
        except Exception as exc:  # noqa: BLE001
            self.show_toast(f"Zone not available ({type(exc).__name__})")

    # -- comparing --------------------------------------------------------
    @property
    def can_compare(self) -> bool:
        if self.current is None or not self.current.ok:
            return False
        return sum(1 for e in self.entries if e.ok) >= 2

    def start_pick(self) -> None:
        if not self.can_compare:
            self.show_toast("Open a map first; comparing needs a second map in the folder"
                            if self.is_folder else "Comparing needs a folder: run bodymap review FOLDER")
            return
        self._list_before_compare = self.show_list
        self.mode = "pick"
        self.show_list = True
        self._layout()

    def cancel_pick(self) -> None:
        if self.mode == "pick":
            self.mode = "single"
            self.show_list = self._list_before_compare
            self._layout()

    def compare_with(self, index: int) -> bool:
        """Compare the open map with map `index`; "before" is the older of the two."""
        if self.current is None or not self.current.ok or not 0 <= index < len(self.entries):
            return False
        return self.compare_entry(self.entries[index])

    def compare_entry(self, entry: MapEntry) -> bool:
        """Compare the open map with `entry`'s map; "before" is the older of the two."""
        if self.current is None or not self.current.ok:
            return False
        if entry.path == self.current.entry.path:
            self.show_toast("That is the map already open: pick another one")
            return False
        if not entry.ok:
            self.show_toast(f"Cannot open {entry.path.name}: {entry.error}")
            return False
        other = self.load(entry)
        if not other.ok:
            self.show_toast(f"Cannot open {entry.path.name}: {other.error}")
            self._layout()
            return False
        a, b = sorted([self.current, other], key=lambda ld: ld.entry.visit_order)
        try:
            comp = compare(a.pain_map, b.pain_map)
        except BodymapError as exc:
            self.show_toast(str(exc))
            return False
        self.partner, self.before, self.after, self.comparison = other, a, b, comp
        self.mode = "compare"
        self.show_list = False
        self._update_badges()
        self._layout()
        return True

    def end_compare(self) -> None:
        if self.mode == "compare" and self._from_timeline and self.timeline is not None:
            self.back_to_timeline()
        elif self.mode == "compare" or self.mode == "pick":
            self._leave_compare()
            self._layout()

    def _leave_compare(self) -> None:
        self.mode = "single"
        self.partner = self.before = self.after = self.comparison = None
        self.timeline, self.timeline_pick, self._from_timeline = None, [], False
        self.show_list = self._list_before_compare
        self._update_badges()

    def _update_badges(self) -> None:
        self.list.badges = {}
        if self.mode == "compare" and self.before is not None and self.after is not None:
            for label, ld in (("BEFORE", self.before), ("AFTER", self.after)):
                i = self.index_of(ld.entry.path)
                if i is not None:
                    self.list.badges[i] = label

    def area_percent(self, kind: str) -> float:
        """Share of the body (both views) in one difference kind, in %."""
        comp = self.comparison
        if comp is None:
            return 0.0
        body = sum(int(self.atlas.raster(self.before.pain_map.scale).body[v].sum()) for v in VIEWS)
        n = sum(int(getattr(comp, kind)[v].sum()) for v in VIEWS)
        return 100.0 * n / max(body, 1)
