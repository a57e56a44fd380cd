"""A patient's timeline in the review session: every map of one patient identifier in visit order
(`bodymap.timeline`), with the visits tapped so far. Two taps compare those two visits."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..atlas import Atlas
from ..timeline import DATED_BY_CREATED, Timeline, build
from .entries import MapEntry, patient_maps


def day_text(v) -> str:
    """A timeline visit's day as shown: '2024-03-15', with '(saved)' when it comes from the created time."""
    if v.day is None:
        return "no date"
    return v.day.isoformat() + (" (saved)" if v.dated_by == DATED_BY_CREATED else "")


@dataclass
class PatientTimeline:
    """The timeline of one patient identifier and the visits picked on it (indices into its visits)."""

    timeline: Timeline
    entries: dict[str, MapEntry]  # {visit key (the file's path): its list entry}
    pick: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, entries: list[MapEntry], patient_id: str, atlas: Atlas | None = None) -> "PatientTimeline":
        """Every readable map among `entries` that carries `patient_id` (as `timeline.same_patient` compares)."""
        maps, found = patient_maps(entries, patient_id, atlas)
        return cls(build(patient_id, maps), found)

    def entry(self, index: int) -> MapEntry:
        return self.entries[self.timeline.visits[index].key]

    def flag_texts(self) -> list[str]:
        """Every visit's red flags, the latest visit first, each with its day."""
        visits = self.timeline.visits
        return [f"{day_text(visits[i])}: {t}" for i in reversed(range(len(visits))) for t in self.entry(i).flag_texts]

    def tap(self, index: int) -> tuple[MapEntry, MapEntry] | None:
        """A visit tapped: marked (again: unmarked); the second one gives the two visits to compare, in the
        order tapped, and the marks are cleared."""
        if not 0 <= index < len(self.timeline.visits):
            return None
        if index in self.pick:
            self.pick.remove(index)
        else:
            self.pick.append(index)
        if len(self.pick) < 2:
            return None
        a, b = (self.entry(i) for i in self.pick)
        self.pick = []
        return a, b
