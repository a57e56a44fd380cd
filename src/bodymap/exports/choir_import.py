"""CHOIR import you can trust (issue 21): numbering, CHOIR's own formats, kept codes, extra columns, speed.

Used by `bodymap import-regions` (bodymap.exports.importer); the mapping and its sources are in
docs/choir-mapping.md, the decisions in docs/adr/0017-records-visits-and-keys.md.

- **Numbering.** CHOIR's female drawing numbers six front codes (112-117) differently;
  `--choir-numbering male|female|auto` and `--choir-undecided`: decided per row in
  bodymap.exports.choir_numbering (a drawing column, the codes' anatomical structure, or the file).
- **CHOIR's formats.** A regions cell may be CHOIR's comma-separated string ("128,117,219")
  as well as `;`-separated items; CHOIR's and CHOIRBM's column names are read
  (`bodymap_regions_csv`, `BODYMAP_CSV`, `id`, ...: `COLUMN_ALIASES`).
- **Kept codes.** A row of CHOIR codes keeps them in the map (`choir` in the file: the
  standard codes, the numbering read, and the regions they painted); `export --csv` writes
  them back unchanged while the painting still paints those regions.
- **Extra columns** (sex, group, study arm, ...) travel into the map (`imported` in the file)
  and out again in the `imported_columns` column of CSV and Parquet.
- **Whole-body maps.** CHOIR's drawing has no sacrum or saddle region; its two buttock
  regions meet over them. A row with both buttock codes (223 and 224) also paints the
  sacrum and the perineum, so a whole-body map has no holes there.
- **Speed.** Regions are painted whole from masks made once per atlas (the same pixels as
  `PainMap.paint_region(rid, 1.0)`), the counted regions of a whole-region painting are
  known without the speck filter (see `WholeRegionPainter`), and files are written with one
  file-system sync at the end instead of one per file.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, TextIO

import numpy as np

from ..atlas import VIEWS, Atlas
from ..errors import FileWriteError, UsageError
from ..painting import SENSATIONS, PainMap
from .choir import choir_table
from .choir_numbering import DRAWING_COLUMNS, NUMBERINGS  # noqa: F401 - NUMBERINGS: API

#: column names other tools write -> the importer's own (the first present wins; others stay extra columns)
COLUMN_ALIASES = {
    "regions": ("regions", "bodymap_regions_csv", "bodymap_csv", "bodymap_regions", "choir_bodymap", "cbm",
                "body_map", "bodymap"),
    "patient_id": ("patient_id", "id", "subject_id", "record_id", "participant_id", "pt_id"),
    "choir_female": DRAWING_COLUMNS,  # which drawing the row was drawn on (bodymap.exports.choir_numbering)
}
BOTH_BUTTOCKS = (223, 224)
CLEFT_REGIONS = ("sacrum", "perineum")


def canonical_columns(fields: Iterable[str]) -> dict[str, str]:
    """{field as written: the name the importer uses}: lower-case, blanks to '_', CHOIR's names mapped."""
    norm = {f: "_".join((f or "").strip().lower().split()) for f in fields}
    out = dict(norm)
    for target, names in COLUMN_ALIASES.items():
        if target in norm.values():
            continue
        for name in names:
            hit = [f for f, n in norm.items() if n == name]
            if hit:
                out[hit[0]] = target
                break
    return out


def split_items(cell: str) -> list[str]:
    """A regions cell as items: `;`-separated, or CHOIR's comma-separated codes ("128,117,219"). A cell
    without `;` whose comma-separated parts are all CHOIR codes or region ids is split on commas; else it
    is one item (a name such as "shoulder (front), left")."""
    text = cell or ""
    if ";" in text or "," not in text:
        return [x.strip() for x in text.split(";") if x.strip()]
    parts = [x.strip() for x in text.split(",") if x.strip()]
    table = choir_table()
    if all(table.is_code(p.split("=", 1)[0]) or "_" in p for p in parts):
        return parts
    return [text.strip()]


def three_digit_codes(items: Iterable[str]) -> list[int]:
    """The three-digit CHOIR codes among the items (as written: not yet renumbered)."""
    out = []
    for it in items:
        t = it.split("=", 1)[0].strip()
        if len(t) == 3 and t.isdigit():
            out.append(int(t))
    return out


class WholeRegionPainter:
    """Paints whole regions into a PainMap fast: the flat pixel indices of each region, made once.

    The pixels are those `PainMap.paint_region(rid, 1.0)` paints (every pixel labelled with the
    region). The regions that count as painted are then the regions painted: the speck and sliver
    filter and the share rule are monotone (more paint never un-counts a region), so a region that
    counts when painted alone counts in any union; `alone_counts` checks that once per atlas, and
    where a region does not count alone the map's own computation is used.
    """

    def __init__(self, atlas: Atlas):
        self.atlas = atlas
        probe = PainMap(atlas)
        self.raster = probe.raster
        self.shape = self.raster.shape
        self.view_of = {r.id: r.view for r in atlas.regions}
        self.index = {r.id: i for i, r in enumerate(atlas.regions)}
        self.pixels: dict[str, np.ndarray] = {}
        for v in VIEWS:
            lab = self.raster.labels[v].ravel()
            order = np.argsort(lab, kind="stable")
            sorted_lab = lab[order]
            for i, r in enumerate(atlas.regions):
                if r.view != v:
                    continue
                lo, hi = np.searchsorted(sorted_lab, [i, i + 1])
                self.pixels[r.id] = order[lo:hi]
        self.alone_counts = np.zeros(len(atlas.regions), dtype=bool)
        for r in atlas.regions:
            m = PainMap(atlas)
            self._fill(m, {(r.id, SENSATIONS[0])})
            self.alone_counts[self.index[r.id]] = bool(m.counted_regions()[self.index[r.id]])

    def _fill(self, m: PainMap, painted: set[tuple[str, str]]) -> dict[str, np.ndarray]:
        """Set the pixels in the new, empty map's own layers (no undo history: an import has none), as
        `replace_layers` would, without building and masking a second copy of every layer; returns each
        view's bitfield (bit i = sensation i), the form the file stores (fileformat.view_bitfield)."""
        if m.strokes:
            raise ValueError("WholeRegionPainter paints a new, empty map")
        flat = {v: m._layers[v].reshape(len(SENSATIONS), -1) for v in VIEWS}  # views of the map's arrays
        bits = {v: np.zeros(self.shape[0] * self.shape[1], dtype=np.uint8) for v in VIEWS}
        for rid, sens in painted:
            v, px, k = self.view_of[rid], self.pixels[rid], SENSATIONS.index(sens)
            flat[v][k, px] = True
            bits[v][px] |= np.uint8(1 << k)
        m.version += 1
        return {v: b.reshape(self.shape) for v, b in bits.items()}

    def paint(self, m: PainMap, painted: set[tuple[str, str]]) -> None:
        """Paint each (region id, sensation) whole into the empty map `m`."""
        bits = self._fill(m, painted)
        # the figures the file's summary needs, known from the regions (disjoint, painted whole): what
        # counted_regions(), region_counts(), extent_percent() and sensations_present() would compute
        # (tests/exports/test_choir_import.py compares them with PainMap's own on every code), and the bitfield
        v_ = m.version
        for v in VIEWS:
            bits[v].flags.writeable = False
            m._cache[("bitfield", v, v_)] = bits[v]
        ids = {rid for rid, _ in painted}
        idx = np.array(sorted(self.index[r] for r in ids), dtype=np.int64)
        if len(idx) and self.alone_counts[idx].all():
            counted = np.zeros(len(self.atlas.regions), dtype=bool)
            counted[idx] = True
            counted.flags.writeable = False
            m._cache[("counted_regions", v_)] = counted
        counts = np.zeros(len(self.atlas.regions), dtype=np.int64)
        counts[idx] = [len(self.pixels[self.atlas.regions[i].id]) for i in idx]
        counts.flags.writeable = False
        m._cache[("counts", None, v_)] = counts
        body = m._body_px
        per_view = {v: sum(int(counts[self.index[r]]) for r in ids if self.view_of[r] == v) for v in VIEWS}
        total = sum(body.values())
        ext = {v: 100.0 * per_view[v] / body[v] for v in VIEWS}
        ext["total"] = 100.0 * sum(per_view.values()) / total
        ext["by_sensation"] = {s: 100.0 * sum(len(self.pixels[r]) for r, s2 in painted if s2 == s) / total
                               for s in SENSATIONS}
        m._cache[("extent", v_)] = ext
        m._cache[("sens", v_)] = [s for s in SENSATIONS if any(s2 == s for _, s2 in painted)]


@dataclass
class Progress:
    """A progress bar on a terminal; one line at the end otherwise."""

    total: int
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    what: str = "import-regions"
    _last: float = 0.0

    @property
    def tty(self) -> bool:
        try:
            return bool(self.stream.isatty())
        except (AttributeError, ValueError):
            return False

    def step(self, done: int) -> None:
        if not self.tty or self.total < 200:
            return
        now = time.monotonic()
        if done < self.total and now - self._last < 0.2:
            return
        self._last = now
        fill = int(30 * done / max(self.total, 1))
        self.stream.write(f"\r{self.what} [{'#' * fill}{'.' * (30 - fill)}] {done}/{self.total} rows")
        self.stream.flush()

    def finish(self, written: int, seconds: float) -> None:
        if self.tty and self.total >= 200:
            self.stream.write("\n")
        rate = f", {written / seconds:.0f} rows/s" if seconds > 0 and written else ""
        self.stream.write(f"{self.what}: {self.total} rows read, {written} maps written{rate}\n")
        self.stream.flush()


class BatchWriter:
    """Files written whole under a temp name and renamed into place (never half-written), with one sync of
    the file system at the end (`finish`) instead of an fsync per file: thousands of maps in seconds."""

    def __init__(self, mode: int = 0o600, *, exclusive: bool = False):
        self.mode = mode
        self.exclusive = exclusive  # never replace a file that appeared meanwhile (another import racing)
        self.n = 0

    def write(self, path: Path, data: bytes) -> None:
        folder = path.parent
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        except OSError as exc:
            raise FileWriteError(f"{path}: cannot write ({exc.strerror or exc})") from None
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), self.mode)
                fh.write(data)
            if self.exclusive:  # a hard link is created only where no file is: the whole file or nothing
                try:
                    os.link(tmp, path)
                    os.unlink(tmp)
                except FileExistsError:
                    os.unlink(tmp)
                    raise UsageError(f"{path.name} already exists in {path.parent} (use --overwrite to replace "
                                     f"it)") from None
                except OSError:  # a file system without hard links (FAT, some shares): checked, then renamed
                    if os.path.lexists(path):
                        os.unlink(tmp)
                        raise UsageError(f"{path.name} already exists in {path.parent} (use --overwrite to "
                                         f"replace it)") from None
                    os.replace(tmp, path)
            else:
                os.replace(tmp, path)
        except OSError as exc:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            reason = "the disk is full" if getattr(exc, "errno", None) == 28 else (exc.strerror or str(exc))
            raise FileWriteError(f"{path}: cannot write ({reason})") from None
        self.n += 1

    def finish(self) -> None:
        if self.n and hasattr(os, "sync"):
            os.sync()


def cleft_regions(codes: Iterable[int]) -> list[str]:
    """Both buttock codes: CHOIR's two buttock regions meet over the sacrum and the saddle area, which its
    drawing has no region for; they are painted too (a whole-body map has no holes there)."""
    given = set(codes)
    return list(CLEFT_REGIONS) if all(c in given for c in BOTH_BUTTOCKS) else []


# ---------------------------------------------------------------------------
# building and writing the maps, on every core

#: (build(row, extra) -> PainMap, writer) for the worker processes; set before they fork
_JOB_CONTEXT: tuple | None = None
PARALLEL_FROM_ROWS = 400  # below this, starting worker processes costs more than it saves
CHUNK_ROWS = 100


@dataclass
class Job:
    where: str  # "row 12 ('p0012')", for messages
    row: dict[str, str]
    target: Path
    extra: dict[str, str]
    female: bool | None = False  # the row's CHOIR numbering (bodymap.exports.choir_numbering); None: skipped


def _run_chunk(jobs: list[Job]) -> list[str | None]:
    """Build and write each job's map; the problem text of each, or None when written."""
    from ..errors import BodymapError
    from ..fileformat import dumps

    build, writer = _JOB_CONTEXT
    out: list[str | None] = []
    for job in jobs:
        try:
            writer.write(job.target, dumps(build(job.row, job.extra, job.female)))
            out.append(None)
        except BodymapError as exc:
            out.append(f"{job.where}: {exc}")
    return out


def run_jobs(jobs: list[Job], build, writer: BatchWriter, progress: Progress | None = None,
             processes: int | None = None) -> tuple[int, list[str]]:
    """Build and write every job's map, in worker processes on every core for large imports. Returns
    (maps written, problems in row order). Each file is whole or absent; the file system is synced once."""
    global _JOB_CONTEXT
    _JOB_CONTEXT = (build, writer)
    n_cpu = processes if processes is not None else min(os.cpu_count() or 1, 8)
    chunks = [jobs[i:i + CHUNK_ROWS] for i in range(0, len(jobs), CHUNK_ROWS)]
    results: list[str | None] = []
    try:
        import multiprocessing as mp

        fork = "fork" in mp.get_all_start_methods()
        if n_cpu > 1 and len(jobs) >= PARALLEL_FROM_ROWS and fork:
            with mp.get_context("fork").Pool(n_cpu) as pool:
                for part in pool.imap(_run_chunk, chunks):
                    results.extend(part)
                    if progress is not None:
                        progress.step(len(results))
        else:
            for chunk in chunks:
                results.extend(_run_chunk(chunk))
                if progress is not None:
                    progress.step(len(results))
    finally:
        _JOB_CONTEXT = None
        writer.n = max(writer.n, sum(1 for r in results if r is None))
        writer.finish()
    return sum(1 for r in results if r is None), [r for r in results if r is not None]
