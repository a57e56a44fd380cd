"""CHOIR import you can trust (issue 21): numbering, CHOIR's own formats, kept codes, extra columns, speed.

Used by `bodymap import-regions` (bodymap.exports.importer); the mapping and its sources are in
docs/choir-mapping.md, the decisions in docs/adr/0017-records-visits-and-keys.md.

- **Numbering.** CHOIR's female drawing numbers six front codes (112-117) differently.
  `--choir-numbering male|female|auto`: `auto` reads every row first and looks for evidence
  (`row_evidence`): a row whose codes 112-117 form more left/right pairs and same-side arm
  chains under one numbering than under the other decides for that numbering. All deciding
  rows agree: that numbering, said with how many rows decided. Rows decide both ways: it
  stops with one line naming the flag (never a silent guess). No row decides: the standard
  (male) numbering, said so. A `choir_female` column still sets a row's numbering.
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

NUMBERINGS = ("male", "female", "auto")
#: column names other tools write -> the importer's own (the first present wins; others stay extra columns)
COLUMN_ALIASES = {
    "regions": ("regions", "bodymap_regions_csv", "bodymap_csv", "bodymap_regions", "choir_bodymap", "cbm",
                "body_map", "bodymap"),
    "patient_id": ("patient_id", "id", "subject_id", "record_id", "participant_id", "pt_id"),
}
#: standard left/right pairs (right, left) among the front arm and abdomen codes
_PAIRS = ((111, 112), (113, 114), (115, 118), (116, 117))
#: standard same-side chains of the arm: bicep-elbow, elbow-forearm (right, then left)
_CHAINS = ((111, 113), (113, 115), (112, 114), (114, 118))
_AMBIGUOUS = range(112, 118)
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


def _structure(codes: set[int]) -> int:
    return sum(1 for a, b in _PAIRS if a in codes and b in codes) + \
        sum(1 for a, b in _CHAINS if a in codes and b in codes)


def row_evidence(codes: Iterable[int]) -> str | None:
    """'female', 'male' or None: which numbering explains a row's codes 112-117 better.

    The same six numbers mean the abdomen or the arm depending on the drawing. Read both ways, a row
    forms left/right pairs (both abdomens, both elbows) and same-side arm chains (bicep with elbow,
    elbow with forearm); the reading that forms more of them decides. A row without those codes, or
    where both readings form as many, decides nothing."""
    given = set(codes)
    if not given & set(_AMBIGUOUS):
        return None
    fem = choir_table().female_to_standard
    as_male = _structure(given)
    as_female = _structure({fem.get(c, c) for c in given})
    if as_female > as_male:
        return "female"
    if as_male > as_female:
        return "male"
    return None


@dataclass
class NumberingChoice:
    female: bool
    message: str
    decided_female: int = 0
    decided_male: int = 0


def choose_numbering(mode: str, rows_codes: Iterable[list[int]], flag: str = "--choir-numbering") -> NumberingChoice:
    """The numbering for rows without their own `choir_female` cell. `auto` weighs `row_evidence`; mixed
    evidence is a UsageError naming the flag."""
    if mode not in NUMBERINGS:
        raise UsageError(f"{flag} must be male, female or auto, got {mode!r}")
    if mode != "auto":
        return NumberingChoice(mode == "female", f"CHOIR numbering: {mode} drawing (as asked)")
    fem = male = seen = 0
    for codes in rows_codes:
        seen += any(c in _AMBIGUOUS for c in codes)
        ev = row_evidence(codes)
        fem += ev == "female"
        male += ev == "male"
    if fem and male:
        raise UsageError(f"CHOIR numbering is mixed: {fem} rows read as the female drawing and {male} as the male "
                         f"drawing (codes 112-117); give {flag} male or female, or a choir_female column per row")
    if fem:
        return NumberingChoice(True, f"CHOIR numbering: female drawing, decided by {fem} row{'s' * (fem != 1)} "
                                     f"(codes 112-117 read as abdomen and arm pairs); none read as male", fem, 0)
    if male:
        return NumberingChoice(False, f"CHOIR numbering: male (standard) drawing, decided by {male} "
                                      f"row{'s' * (male != 1)}; none read as female", 0, male)
    if not seen:
        return NumberingChoice(False, "CHOIR numbering: no row has the codes 112-117 that the two drawings number "
                                      "differently; nothing to decide")
    return NumberingChoice(False, f"CHOIR numbering: male (standard) drawing; none of the {seen} rows with codes "
                                  f"112-117 told the two "
                                  "apart (give --choir-numbering female if the data come from the female drawing)")


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
        # (tests/test_choir_import.py compares them with PainMap's own on every code), and the bitfield
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


def kept_codes(items: list[str], female: bool) -> list[int] | None:
    """The standard codes of a row made only of CHOIR codes (None when it has names or region ids)."""
    table = choir_table()
    codes = []
    for it in items:
        t = it.split("=", 1)[0].strip()
        if not table.is_code(t):
            return None
        codes.append(table.parse_code(t, female=female))
    return sorted(set(codes))


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


def _run_chunk(jobs: list[Job]) -> list[str | None]:
    """Build and write each job's map; the problem text of each, or None when written."""
    from ..errors import BodymapError
    from ..fileformat import dumps

    build, writer = _JOB_CONTEXT
    out: list[str | None] = []
    for job in jobs:
        try:
            writer.write(job.target, dumps(build(job.row, job.extra)))
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
