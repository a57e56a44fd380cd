"""Shared plumbing for the folder commands: streaming decode, derived figures, progress, bad files.

A `MapRecord` is what one .bodymap file holds, read by the one codec
(`fileformat.read_document`) without building a PainMap: its features (bodymap.features,
the one computation of coverage, extent, counted regions and the rest), the answers,
intensities, session code, times and visit fields (in `meta`), and on demand the
per-view bitfields on the atlas grid (bit i = SENSATIONS[i]) for heat maps. `Decoder`
gives the figures the exports need from the same code as the matcher and the batch, so a
folder export agrees with `bodymap show` / `bodymap match` file by file.
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..atlas import VIEWS, Atlas, load_atlas
from ..atomicio import AtomicWriter, umask_mode
from ..errors import BodymapError, UsageError
from .. import features
from ..features import KNOWN_BITS, Features
from ..fileformat import Document, read_bytes, read_document
from ..painting import VISIT_FIELDS

#: a region counts as painted from this share of its area (the matcher's own threshold, matcher.SOFT_LOW)
PAINTED_MIN = 0.02


@dataclass
class MapRecord:
    path: Path
    features: Features  # the one feature computation (bodymap.features) on the file's painted boxes
    document: Document = field(repr=False)
    grid: tuple[int, int] = (0, 0)  # the decoder's atlas grid, for `bits`
    body_mask: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    answers: dict[str, Any] = field(default_factory=dict)
    intensity: dict[str, int] = field(default_factory=dict)
    recorded_flags: list[dict] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # "choir" (kept codes) and "imported" (columns): issue 21

    @cached_property
    def bits(self) -> dict[str, np.ndarray]:
        """view -> flat uint8 bitfield over the atlas grid (heat maps add these pixel by pixel); a file from
        another grid is resampled, as bodymap.load does; paint outside the body dropped, as PainMap does."""
        return {v: self.document.bits(v, self.grid).ravel() & self.body_mask[v] for v in VIEWS}

    @cached_property
    def nonzero(self) -> dict[str, np.ndarray]:
        """view -> indices of painted pixels in `bits`."""
        return {v: _nonzero(b) for v, b in self.bits.items()}


class Decoder:
    """Decodes .bodymap bytes against one atlas; the figures come from the one feature computation."""

    def __init__(self, atlas: Atlas | None = None):
        self.atlas = atlas or load_atlas()
        self.raster = self.atlas.raster()
        self.shape = self.raster.shape
        # bits beyond the known sensations are ignored (as the file loader does)
        self._body_mask = {v: self.raster.body[v].ravel().astype(np.uint8) * KNOWN_BITS for v in VIEWS}
        self.region_px = self.atlas.region_px()
        self.body_px = self.atlas.body_px()

    @property
    def model(self):
        from ..matcher import get_model

        return get_model(self.atlas)  # kept on the atlas

    # -- decoding -------------------------------------------------------
    def read(self, path: Path) -> MapRecord:
        return self.decode(read_bytes(path), path)

    def decode(self, raw: bytes, path: Path) -> MapRecord:
        """A record from .bodymap bytes via the one reader (fileformat.read_document), stroke log skipped."""
        doc = read_document(raw, self.atlas, str(path), strokes=False)
        rec = MapRecord(path=path, features=features.from_document(doc, self.atlas), document=doc, grid=self.shape,
                        body_mask=self._body_mask)
        rec.answers = dict(doc.answers)
        rec.intensity = dict(doc.intensity)
        rec.recorded_flags = doc.red_flags
        rec.meta = {k: doc.meta.get(k) for k in ("created", "modified", "session_code", "app_version", "language")}
        rec.meta.update({k: doc.visit.get(k) for k in VISIT_FIELDS})  # patient_id, visit_date, recorded_by, note
        rec.meta["confirmed"] = doc.confirmed  # the confirmed diagnosis or None (bodymap.confirmed)
        rec.extra = {k: doc.extra[k] for k in ("choir", "imported") if k in doc.extra}  # written by import-regions
        return rec

    # -- derived figures: bodymap.features, the same computation as bodymap.match and the batch ----------
    def region_counts(self, rec: MapRecord, sensation: str | None = None) -> np.ndarray:
        return rec.features.counts_for(sensation)

    def coverage(self, rec: MapRecord, sensation: str | None = None) -> np.ndarray:
        """(R,) share of each region painted, in atlas order (PainMap.coverage_vector)."""
        return rec.features.coverage if sensation is None else rec.features.coverage_for(sensation)

    def sensations_present(self, rec: MapRecord) -> np.ndarray:
        return rec.features.sensations

    def extent(self, rec: MapRecord) -> dict[str, Any]:
        """Painted area as % of body area: total, per view and per sensation (PainMap.extent_percent)."""
        e = rec.features.extent
        return {**e, "by_sensation": dict(e["by_sensation"])}

    def counted_regions(self, rec: MapRecord) -> np.ndarray:
        """(R,) bool: the regions that count as painted (painting.counted_regions, PainMap's rule)."""
        return rec.features.counted

    def indices(self, rec: MapRecord):
        """The standard indices (bodymap.indices) from the counted regions and the painted area."""
        from ..indices import indices_from_counted

        return indices_from_counted(self.atlas.region_ids, self.counted_regions(rec), self.extent(rec)["total"])

    def rank(self, rec: MapRecord, cov: np.ndarray | None = None, top_n: int = 1):
        """The triage of this record (`bodymap.triage`: flags, prompts and the matcher's ranking, with the
        same inputs as bodymap.match, from bodymap.features); a matcher that fails leaves the flags and
        `ranking_error`. `cov` is not needed."""
        from ..matcher import inputs_from, rank
        from ..painting import RECORDED_AT_KIOSK
        from ..triage import Case, assess_case

        f = rec.features
        summary = {"extent_percent": f.extent["total"], "regions": f.painted_regions(), "most_distal": f.most_distal}
        case = Case(dict(rec.answers), f.both_legs, f.saddle, summary, list(rec.recorded_flags or []),
                    rec.meta.get("recorded_by") == RECORDED_AT_KIOSK)  # ADR 0042: the not-asked list

        def ranker():
            return rank(self.model, inputs_from(f), summary, f.both_legs, f.saddle, rec.recorded_flags, top_n)
        return assess_case(case, ranker)



def _nonzero(b: np.ndarray) -> np.ndarray:
    """Indices of non-zero bytes, 8 bytes at a time (maps are mostly empty)."""
    n8 = len(b) // 8 * 8
    words = np.flatnonzero(b[:n8].view(np.uint64))
    idx = (words[:, None] * 8 + np.arange(8)).ravel()
    idx = idx[b[idx] != 0]
    if n8 < len(b):
        idx = np.concatenate([idx, np.flatnonzero(b[n8:]) + n8])
    return idx


# ---------------------------------------------------------------------------
# Folder runs


def list_maps(folder: str | os.PathLike) -> list[Path]:
    """The .bodymap files in `folder` (not recursive), sorted by name; the suffix in any case, as the review
    window's folder walk reads it (a map copied through a FAT stick as MAP.BODYMAP was left out of exports)."""
    p = Path(folder)
    if not p.exists():
        raise UsageError(f"{p}: no such folder")
    if not p.is_dir():
        raise UsageError(f"{p}: is not a folder")
    try:
        with os.scandir(p) as it:
            # hidden names are left out, as the windows' folder walk does: a Mac writes "._visit.bodymap" (4 KB of
            # resource fork) beside every map on a FAT stick or SMB share, and each was a bad file, exit 2 (ADR 0043)
            names = sorted(e.name for e in it if e.name.lower().endswith(".bodymap") and not e.name.startswith("."))
    except OSError as exc:
        raise UsageError(f"{p}: cannot list ({exc.strerror or exc})") from None
    if not names:
        raise UsageError(f"{p}: no .bodymap files in this folder")
    return [p / n for n in names]


class FolderRun:
    """Iterate the maps of a folder: progress on stderr, bad files collected and named at the end."""

    def __init__(self, what: str, paths: list[Path], decoder: Decoder, stream=None, tty: bool | None = None):
        self.what = what
        self.paths = paths
        self.decoder = decoder
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream) if tty is None else tty
        self.bad: list[tuple[Path, str]] = []
        self.ok = 0
        self._bar: Progress | None = None

    def __iter__(self) -> Iterator[MapRecord]:
        n = len(self.paths)
        for k, path in enumerate(self.paths):
            try:
                rec = self.decoder.read(path)
            except BodymapError as exc:
                self.bad.append((path, str(exc)))
            else:
                self.ok += 1
                yield rec
            self._progress(k + 1, n)
        self._finish(n)

    def _progress(self, done: int, n: int) -> None:
        if not self.tty:
            return
        if self._bar is None:
            self._bar = Progress(self.what, n, self.stream, tty=True)
        self._bar.update(done, f", {len(self.bad)} bad" if self.bad else "")

    def _finish(self, n: int) -> None:
        if self.tty:
            self.stream.write("\n")
        bad = f", {len(self.bad)} bad" if self.bad else ""
        self.stream.write(f"{self.what}: {self.ok} of {n} maps read{bad}\n")
        for path, why in self.bad:
            msg = why if why.startswith(str(path)) else f"{path}: {why}"
            self.stream.write(f"bad file: {msg}\n")
        self.stream.flush()

    @property
    def exit_status(self) -> int:
        return 2 if self.bad else 0


class Progress:
    """A progress line on a terminal: count, rate and time left; nothing when the stream is not a terminal."""

    def __init__(self, what: str, n: int, stream=None, tty: bool | None = None):
        self.what, self.n = what, n
        self.stream = stream if stream is not None else sys.stderr
        self.tty = _isatty(self.stream) if tty is None else tty
        self.t0 = time.monotonic()
        self._last = 0.0
        self.shown = False

    def update(self, done: int, extra: str = "") -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if done < self.n and now - self._last < 0.1:
            return
        self._last = now
        getattr(self.stream, "write_control", self.stream.write)("\r")  # cli.output: the one unescaped write
        self.stream.write(self.text(done, now - self.t0, extra))
        self.stream.flush()
        self.shown = True

    def text(self, done: int, elapsed: float, extra: str = "") -> str:
        width = 30
        fill = int(width * done / max(self.n, 1))
        rate = done / elapsed if elapsed > 0 else 0.0
        left = (self.n - done) / rate if rate > 0 else None
        eta = "" if left is None or done >= self.n else f", {_duration(left)} left"
        return (f"{self.what} [{'#' * fill}{'.' * (width - fill)}] {done}/{self.n}{extra}, "
                f"{rate:.0f} maps/s{eta}   ")

    def finish(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()


def _duration(s: float) -> str:
    s = int(round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s // 60 % 60:02d} min"


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def atomic_text_writer(path: Path, identifiers: bool = False):
    """Open a temp file beside `path` for writing text; `commit()` moves it into place (bodymap.atomicio).

    The file is 0600 when it holds `identifiers` (patient identifier, note), else as the user's umask allows.
    """
    return _AtomicWriter(path, 0o600 if identifiers else umask_mode())


class _AtomicWriter(AtomicWriter):
    """A text AtomicWriter; a folder, a missing folder, a device or a link given as the output is a usage error."""

    def __init__(self, path: Path, mode: int = 0o600):
        from ..paths import check_not_a_map, check_replaceable

        path = Path(path)
        folder = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            raise UsageError(f"{path}: is a folder; give a file name")
        check_replaceable(path, UsageError)
        check_not_a_map(path)  # an export never replaces a map (not even the one it was made from)
        if not folder.is_dir():
            raise UsageError(f"{path}: folder {folder} does not exist")
        super().__init__(path, mode)
