"""Print / PDF from the review window: the same one-page report as `bodymap report` for the open map; in a
comparison, one page with both visits and the difference; in the timeline, one page with every visit.

A part the review window owns (`ReviewScreen.printer`), given only the session and the window's toast.

The PDF goes beside the map (`visit2.bodymap` -> `visit2.pdf`), where the chart
will look for it; when that folder cannot be written (a review PC reading a
shared folder), it goes to the maps folder of this computer's user
(`paths.default_maps_dir`). The toast names the file either way, or says in one
line why there is none.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ...errors import BodymapError
from ...paths import default_maps_dir
from ...review.session import ReviewSession


def report_path(map_path: Path, folder: Path | None = None) -> Path:
    """Where the report of `map_path` goes: its own name with .pdf, in `folder` (default: beside it)."""
    return (folder if folder is not None else map_path.parent) / (map_path.stem + ".pdf")


class Printer:
    """Print / PDF: writes the report of what is shown and names the file in a toast (`say`)."""

    def __init__(self, session: ReviewSession, say: Callable[[str], None]):
        self.session = session
        self.say = say
        self.last_report: Path | None = None

    @property
    def can_print(self) -> bool:
        s = self.session
        if s.mode == "compare":
            return s.before is not None and s.after is not None
        if s.mode == "timeline":
            return s.timeline is not None
        return s.current is not None and s.current.ok

    def print_report(self) -> Path | None:
        """Write the PDF of what is shown: the open map's report, the comparison of two visits (both and the
        difference), or the timeline; returns its path (None, with a toast saying why, on failure)."""
        mode = self.session.mode
        if mode == "compare" and self.can_print:
            return self._print_other("comparison")
        if mode == "timeline" and self.can_print:
            return self._print_other("timeline")
        if not self.can_print:
            self.say("Open a map first: the report is of the open map")
            return None
        from ...exports.report import load_for_report, write_report

        src = self.session.current.entry.path
        try:
            m, head = load_for_report(src)  # from the file, exactly as `bodymap report` reads it
        except (BodymapError, OSError) as exc:
            self.say(f"Cannot read {src.name} for the report: {exc}")
            return None
        first_error = None
        for folder in (None, "maps folder"):
            try:
                out = report_path(src, default_maps_dir() if folder else None)
                written = write_report(m, out, head)
            except (BodymapError, OSError) as exc:
                first_error = first_error or exc
                continue
            self.last_report = Path(written)
            note = "" if folder is None else f" (cannot write beside the map: {first_error})"
            self.say(f"Report written: {written}{note}")
            return self.last_report
        self.say(f"Cannot write the report: {first_error}")
        return None

    def _print_other(self, kind: str) -> Path | None:
        """The comparison or the timeline PDF, beside the latest map (else in the maps folder), under its own
        name: it never replaces a single map's report."""
        from ... import fileformat
        from ...exports.report_visits import write_comparison_report, write_timeline_report

        try:
            if kind == "comparison":
                a, b = self.session.before, self.session.after
                src = b.entry.path
                name = f"{b.entry.path.stem}_vs_{a.entry.path.stem}.pdf"

                def write(out: Path) -> Path:
                    return write_comparison_report(a.pain_map, b.pain_map, out, (a.entry.path.name, b.entry.path.name))
            else:
                tl = self.session.timeline
                maps = {v.key: fileformat.load(Path(v.key), atlas=self.session.atlas) for v in tl.visits}
                src = Path(tl.visits[-1].key)
                name = f"{src.stem}_timeline.pdf"

                def write(out: Path) -> Path:
                    return write_timeline_report(tl, maps, out)
        except (BodymapError, OSError) as exc:
            self.say(f"Cannot read the maps for the {kind}: {exc}")
            return None
        first_error = None
        for folder in (src.parent, None):
            try:
                written = write((folder if folder is not None else default_maps_dir()) / name)
            except (BodymapError, OSError) as exc:
                first_error = first_error or exc
                continue
            self.last_report = Path(written)
            note = "" if folder is not None else f" (cannot write beside the map: {first_error})"
            self.say(f"{kind.capitalize()} written: {written}{note}")
            return self.last_report
        self.say(f"Cannot write the {kind}: {first_error}")
        return None
