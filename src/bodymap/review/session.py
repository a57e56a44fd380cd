"""The review session: what the review window shows, as a headless state machine (no pygame).

Like the kiosk's `bodymap.kiosk.flow.Kiosk`, the session holds the state and decides; the window
(`bodymap.ui.review`) only draws it and feeds it taps. It holds:

- the **scan** of a folder (and its subfolders, `entries.MAX_DEPTH` levels down): every map as an
  entry line, red flags first (the triage order), with the list's filter (all, red flags, emergency);
- the **open map** (`current`) with its ranking, the selected match and its zone;
- the **comparison** of two maps, "before" being the older by visit order;
- the **timeline** of the open map's patient identifier, and the visits picked on it;
- the **confirmed diagnosis** of the open visit (issue 25), written back to its own file.

`mode` is one of single, pick (choosing the map to compare with), compare and timeline. What the
clinician should read about an action that did not happen ("open a map first") goes to `say`, the
window's toast. Every action returns whether it happened.

    >>> s = ReviewSession("no-such-folder", atlas=None)
    >>> s.mode, s.entries, s.current
    ('single', [], None)
"""
from __future__ import annotations

import os
from datetime import tzinfo
from pathlib import Path
from typing import Any, Callable

from ..atlas import Atlas
from ..compare import Comparison, compare
from ..errors import BodymapError
from ..timeline import Timeline
from .confirm import write_confirmed
from .entries import FILTER_WORDS, FILTERS, MapEntry, filter_entries, scan
from .maps import Loaded, MapCache
from .patient import PatientTimeline, day_text  # noqa: F401 (day_text: the window's words for a visit's day)
from .words import entry_when

MODES = ("single", "pick", "compare", "timeline")


def hypothesis_key(h: Any) -> tuple[str, str]:
    """A match's (pattern id, side): how a selection is remembered across refreshes."""
    return str(getattr(h, "id", "")), str(getattr(h, "side", ""))


class ReviewSession:
    """The review window's state. `source`: a .bodymap file (opened straight away) or a folder (listed).

    `matcher`: an object with `match(pain_map)` and `pattern_zone(atlas, id, side)` (default: bodymap.matcher,
    imported on first use). `tz`: the time zone times are shown in (None: this computer's). `say`: where
    a short message for the clinician goes (the window's toast)."""

    def __init__(self, source: str | os.PathLike, atlas: Atlas | None, *, matcher: Any = None,
                 tz: tzinfo | None = None, say: Callable[[str], None] | None = None, open_first: bool = True):
        self.source = Path(source)
        self.is_folder = self.source.is_dir()
        self.atlas = atlas
        self.matcher_obj = matcher
        self.tz = tz
        self.say: Callable[[str], None] = say or (lambda text: None)
        self.mode = "single"
        self.filter = "all"  # FILTERS
        self.all_entries: list[MapEntry] = []  # every map found
        self.entries: list[MapEntry] = []  # the list as shown (after the filter)
        self.current: Loaded | None = None
        self.partner: Loaded | None = None
        self.before: Loaded | None = None
        self.after: Loaded | None = None
        self.comparison: Comparison | None = None
        self.from_timeline = False  # the comparison was started on the timeline: ending it goes back there
        self.patient: PatientTimeline | None = None  # the timeline shown (mode timeline, and compare from it)
        self.selected_hyp: tuple[str, str] | None = None
        self.zone: dict[str, float] | None = None
        self.maps = MapCache(atlas, lambda: self.matcher_obj)  # the maps read lately, so none is read twice
        self.rescan()
        if open_first and not self.is_folder and self.entries:
            self.open_index(0)

    # -- the scan ---------------------------------------------------------------
    def matcher(self):
        if self.matcher_obj is None:
            from .. import matcher

            self.matcher_obj = matcher
        return self.matcher_obj

    def rescan(self) -> None:
        """(Re)read the folder: new and changed files are read again, the others kept."""
        known = {e.path: e for e in self.all_entries}
        self.all_entries = scan(self.source, self.atlas, self.matcher_obj, known, keep=self.maps.keep_read)
        self.entries = filter_entries(self.all_entries, self.filter)

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
        n = len(self.entries)
        self.say(f"{n} map{'s' if n != 1 else ''} in {self.source.name}")

    def set_filter(self, which: str) -> None:
        """Show the entries a filter keeps (the open map stays open, even when filtered out)."""
        if which not in FILTERS:
            raise ValueError(f"filter must be one of {', '.join(FILTERS)}")
        self.filter = which
        self.entries = filter_entries(self.all_entries, which)

    def next_filter(self) -> None:
        """Step the list's filter: all maps, red flags only, emergency only."""
        self.set_filter(FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)])
        n = len(self.entries)
        self.say(f"{FILTER_WORDS[self.filter]}: {n} map{'s' if n != 1 else ''}")

    def index_of(self, path: Path | None) -> int | None:
        for i, e in enumerate(self.entries):
            if e.path == path:
                return i
        return None

    @property
    def selected_index(self) -> int | None:
        """The open map's row in the list as shown (None when none is open or it is filtered out)."""
        return self.index_of(self.current.entry.path) if self.current is not None else None

    def load(self, entry: MapEntry) -> Loaded:
        """Open an entry's map (kept for a few maps; read again when the file changed)."""
        return self.maps.load(entry)

    # -- the open map -------------------------------------------------------------
    @property
    def hypotheses(self) -> list[Any]:
        r = self.current.ranking if self.current is not None else None
        return list(getattr(r, "hypotheses", None) or []) if r is not None else []

    @property
    def red_flag_texts(self) -> list[str]:
        """The red flags to show, always first: the open map's, both maps' in a comparison (the newer
        first), every visit's on the timeline (the latest first)."""
        if self.mode == "compare" and self.before is not None and self.after is not None:
            return [f"{label} ({entry_when(ld.entry, self.tz, short=True)}): {t}"
                    for label, ld in (("After", self.after), ("Before", self.before)) for t in ld.entry.flag_texts]
        if self.mode == "timeline":
            return self.patient.flag_texts() if self.patient is not None else []
        return list(self.current.entry.flag_texts) if self.current is not None and self.current.ok else []

    def open_index(self, index: int) -> bool:
        """Show map `index` of the list (leaves a comparison or the timeline)."""
        if not 0 <= index < len(self.entries):
            return False
        if self.mode != "single":
            self._leave_compare()
        entry = self.entries[index]
        self.current = self.load(entry) if entry.ok else Loaded(entry, None, error=entry.error)
        hyps = self.hypotheses
        self.selected_hyp = hypothesis_key(hyps[0]) if hyps else None
        self._update_zone()
        return self.current.ok

    def select_hypothesis(self, index: int | None) -> None:
        """Select match `index` of the open map's ranking (again: deselect), and show its zone."""
        hyps = self.hypotheses
        if index is None or not 0 <= index < len(hyps):
            self.selected_hyp = None
        else:
            key = hypothesis_key(hyps[index])
            self.selected_hyp = None if key == self.selected_hyp else key
        self._update_zone()

    def _update_zone(self) -> None:
        self.zone = None
        if self.selected_hyp is None or self.current is None or not self.current.ok:
            return
        pid, side = self.selected_hyp
        try:
            zone = self.matcher().pattern_zone(self.atlas, pid, side)
            self.zone = {str(k): float(v) for k, v in dict(zone).items()}
        except Exception as exc:  # noqa: BLE001
            self.say(f"Zone not available ({type(exc).__name__})")

    # -- comparing ------------------------------------------------------------------
    @property
    def can_compare(self) -> bool:
        if self.current is None or not self.current.ok:
            return False
        return sum(1 for e in self.entries if e.ok) >= 2

    def start_pick(self) -> bool:
        """Choose the map to compare the open one with (the next list tap compares)."""
        if not self.can_compare:
            self.say("Open a map first; comparing needs a second map in the folder"
                     if self.is_folder else "Comparing needs a folder: run bodymap review FOLDER")
            return False
        self.mode = "pick"
        return True

    def cancel_pick(self) -> None:
        if self.mode == "pick":
            self.mode = "single"

    def compare_with(self, index: int) -> bool:
        """Compare the open map with map `index` of the list; "before" is the older of the two."""
        if self.current is None or not self.current.ok or not 0 <= index < len(self.entries):
            return False
        return self.compare_entry(self.entries[index])

    def compare_entry(self, entry: MapEntry) -> bool:
        """Compare the open map with `entry`'s map; "before" is the older of the two by visit order."""
        if self.current is None or not self.current.ok:
            return False
        if entry.path == self.current.entry.path:
            self.say("That is the map already open: pick another one")
            return False
        if not entry.ok:
            self.say(f"Cannot open {entry.path.name}: {entry.error}")
            return False
        other = self.load(entry)
        if not other.ok:
            self.say(f"Cannot open {entry.path.name}: {other.error}")
            return False
        a, b = sorted([self.current, other], key=lambda ld: ld.entry.visit_order)
        try:
            comp = compare(a.pain_map, b.pain_map)
        except BodymapError as exc:
            self.say(str(exc))
            return False
        self.partner, self.before, self.after, self.comparison = other, a, b, comp
        self.from_timeline = False
        self.mode = "compare"
        return True

    def end_compare(self) -> None:
        """End a comparison (or the choosing): back to the timeline when it was started there."""
        if self.mode == "compare" and self.from_timeline and self.patient is not None:
            self.from_timeline = False
            self.mode = "timeline"
            self.partner = self.before = self.after = self.comparison = None
        elif self.mode in ("compare", "pick"):
            self._leave_compare()

    def _leave_compare(self) -> None:
        self.mode = "single"
        self.partner = self.before = self.after = self.comparison = None
        self.patient, self.from_timeline = None, False

    def area_percent(self, kind: str) -> float:
        """Share of the body (both views) in one difference kind (new, resolved, persistent), in %."""
        return self.comparison.area_percent(kind) if self.comparison is not None else 0.0

    # -- the timeline ------------------------------------------------------------------
    @property
    def patient_id(self) -> str | None:
        cur = self.current
        return cur.pain_map.visit.patient_id if cur is not None and cur.ok else None

    @property
    def can_timeline(self) -> bool:
        return self.patient_id is not None

    @property
    def timeline(self) -> Timeline | None:
        return self.patient.timeline if self.patient is not None else None

    @property
    def timeline_pick(self) -> list[int]:
        return self.patient.pick if self.patient is not None else []

    def visit_entry(self, index: int) -> MapEntry:
        return self.patient.entry(index)

    def open_timeline(self) -> bool:
        """The timeline of the open map's patient identifier (every map found that carries it)."""
        pid = self.patient_id
        if pid is None:
            self.say("The open map has no patient identifier: the timeline groups maps by it"
                     if self.current is not None else "Open a map first")
            return False
        self.patient = PatientTimeline.of(self.all_entries, pid, self.atlas)
        self.mode = "timeline"
        return True

    def close_timeline(self) -> None:
        if self.mode == "timeline":
            self.mode = "single"
            self.patient = None

    def pick_visit(self, index: int) -> bool:
        """Tap a visit on the timeline: the first marks it (again: unmarks), a second compares the two.
        Returns True when a comparison started."""
        pair = self.patient.tap(index) if self.mode == "timeline" and self.patient is not None else None
        if pair is None:
            if self.timeline_pick:
                self.say("Now tap a second visit to compare with")
            return False
        self.current = self.load(pair[0])
        if self.compare_entry(pair[1]):
            self.from_timeline = True
            return True
        return False

    def clear_visit_pick(self) -> None:
        if self.patient is not None:
            self.patient.pick = []

    # -- the confirmed diagnosis (issue 25) -----------------------------------------------
    @property
    def confirmed(self) -> dict | None:
        """The open visit's confirmed diagnosis ({diagnosis, how, date}) or None. Clinicians only."""
        cur = self.current
        return getattr(cur.pain_map, "confirmed", None) if cur is not None and cur.ok else None

    def set_confirmed(self, diagnosis: str | None, how: str | None = None, date: str | None = None) -> Path:
        """Record (or with an empty diagnosis, clear) the open visit's confirmed diagnosis in its own file, by
        `confirm.write_confirmed`: checked, atomic, the replaced version kept, and refused (VisitConflict) when
        the file now holds another visit than the one open. The list and the open map are read again."""
        from ..errors import UsageError

        cur = self.current
        if self.mode != "single" or cur is None or not cur.ok:
            raise UsageError("open one map first: a confirmed diagnosis belongs to one visit")
        path = cur.entry.path
        written = write_confirmed(path, cur.pain_map.visit.as_dict(), diagnosis, how, date, self.atlas)
        self.maps.forget(path)
        self.rescan()
        i = self.index_of(path)
        if i is not None:
            keep = self.selected_hyp
            self.open_index(i)
            if keep in {hypothesis_key(h) for h in self.hypotheses}:
                self.selected_hyp = keep
                self._update_zone()
        return written
