"""Print / PDF from the review window: the same one-page report as `bodymap report`, for the open map.

A part of `ReviewScreen` (bodymap.ui.review.screen): the methods share its state.

The PDF goes beside the map (`visit2.bodymap` -> `visit2.pdf`), where the chart
will look for it; when that folder cannot be written (a review PC reading a
shared folder), it goes to the maps folder of this computer's user
(`paths.default_maps_dir`). The toast names the file either way, or says in one
line why there is none.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import BodymapError
from ...paths import default_maps_dir


def report_path(map_path: Path, folder: Path | None = None) -> Path:
    """Where the report of `map_path` goes: its own name with .pdf, in `folder` (default: beside it)."""
    return (folder if folder is not None else map_path.parent) / (map_path.stem + ".pdf")


class ReviewPrint:
    """Print / PDF: writes the open map's report and names the file in a toast."""

    last_report: Path | None = None

    @property
    def can_print(self) -> bool:
        return self.current is not None and self.current.ok

    def print_report(self) -> Path | None:
        """Write the open map's PDF report; returns its path (None, with a toast saying why, on failure)."""
        if not self.can_print:
            self.show_toast("Open a map first: the report is of the open map")
            return None
        from ...exports.report import load_for_report, write_report

        src = self.current.entry.path
        try:
            m, head = load_for_report(src)  # from the file, exactly as `bodymap report` reads it
        except (BodymapError, OSError) as exc:
            self.show_toast(f"Cannot read {src.name} for the report: {exc}")
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
            self.show_toast(f"Report written: {written}{note}")
            return self.last_report
        self.show_toast(f"Cannot write the report: {first_error}")
        return None
