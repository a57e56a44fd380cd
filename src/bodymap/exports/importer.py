"""`bodymap import-regions CSV OUTDIR`: checkbox body-map data (CHOIR- or Michigan-style) to .bodymap files.

One row per patient. Columns:
- `patient_id` (required): becomes OUTDIR/<patient_id>.bodymap. It must be a plain
  file name: letters, digits, '.', '_' and '-', at most 100 characters, not starting
  with '.' or '-'. Anything else (a '/', '..', an absolute path, a NUL, spaces) is
  rejected with a message; nothing is ever written outside OUTDIR.
- `regions` (required): a ';'-separated list of bodymap region ids (right_calf),
  checkbox-map names (Left calf, Lower back; see exports/choir_map.yaml) or CHOIR codes
  (101-136, 201-238, or REDCap's f01-f36, b01-b38; see exports/choir.yaml). An item may
  end in '=SENSATION' to override the row's sensation. A name that says both left and
  right ("left right calf") is refused as ambiguous.
- `choir_female` (optional; also read under `drawing`, `bodymap_legend`, ...): yes/no (or
  female/male); yes means the three-digit codes of this row come from CHOIR's female drawing
  and are renumbered. Empty: `--choir-numbering` decides (auto: per row, from the codes, or
  `--choir-undecided`; bodymap.exports.choir_numbering).
- `sensation` (optional, default aching).
- `intensity` (optional, 0-10), `session_code` (optional).
- one optional column per question (numbness, weakness, ..., age): yes/no, y/n,
  true/false or 1/0; a whole number for age; empty means not answered.
Other columns are ignored (and named once on stderr).

Each listed region is painted whole: PainMap.paint_region(region, 1.0, sensation).
Bad rows are skipped, named at the end, and the exit status is 2; good rows are written.
"""
from __future__ import annotations

import csv
import io
import re
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TextIO

import numpy as np

from ..atlas import Atlas
from .sheet import blank_row
from ..yamlio import read_yaml
from ..errors import BodymapError, ConfigError, UsageError
from ..painting import (INT_QUESTIONS, QUESTIONS, VISIT_MAX_CHARS, YES_NO_QUESTIONS, PainMap, check_sensation,
                        parse_answer)
from .choir import choir_table
from .choir_import import (BatchWriter, Job, Progress, WholeRegionPainter, canonical_columns, run_jobs, cleft_regions,
                           split_items, three_digit_codes)
from .choir_numbering import RowFacts, decide, drawing_cell, sex_of
from .common import PAINTED_MIN

MAX_CSV_BYTES = 64 * 1024 * 1024
SAFE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
STOPWORDS = {"of", "the", "area", "region", "side", "and", "s"}
SIDE_WORDS = {"left": "left", "l": "left", "lt": "left", "right": "right", "r": "right", "rt": "right"}
KNOWN_COLUMNS = {"patient_id", "regions", "sensation", "intensity", "session_code", "choir_female"} | set(QUESTIONS)


def name_key(text: str) -> tuple[str | None, str]:
    """('left'|'right'|None, normalised name): case, punctuation, word order and filler words ignored."""
    words = [w for w in re.split(r"[^a-z0-9]+", text.lower()) if w and w not in STOPWORDS]
    words = [_word(w) for w in words]
    sides = {SIDE_WORDS[w] for w in words if w in SIDE_WORDS}
    rest = sorted(w for w in words if w not in SIDE_WORDS)
    if len(sides) > 1:
        return "both", " ".join(rest)
    return (sides.pop() if sides else None), " ".join(rest)


SYNONYMS = {"anterior": "front", "posterior": "back", "calves": "calf", "feet": "foot", "gluteal": "buttock",
            "glute": "buttock"}


def _word(w: str) -> str:
    w = SYNONYMS.get(w, w)
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]  # plurals: buttocks, knees, toes
    return w


@dataclass
class AliasTable:
    sided: dict[str, list[str]]  # normalised name -> stems
    midline: dict[str, list[str]]  # normalised name -> midline region ids
    names: dict[str, str] = field(default_factory=dict)  # normalised -> as written in the table
    _memo: dict[tuple, tuple[int | None, tuple[str, ...]]] = field(default_factory=dict, repr=False, compare=False)

    def item(self, item: str, atlas: Atlas, *, choir_female: bool = False) -> tuple[int | None, tuple[str, ...]]:
        """(the standard CHOIR code or None, the region ids) of one item, remembered per atlas: an import
        of thousands of rows resolves the same few hundred items again and again."""
        key = (item, choir_female, atlas.content_hash)
        hit = self._memo.get(key)
        if hit is None:
            raw = item.strip()
            choir = choir_table()
            code = choir.parse_code(raw, female=choir_female) if choir.is_code(raw) else None
            hit = (code, tuple(self.resolve(raw, atlas, choir_female=choir_female)))
            if len(self._memo) < 100_000:
                self._memo[key] = hit
        return hit

    def resolve(self, item: str, atlas: Atlas, *, choir_female: bool = False) -> list[str]:
        """Region ids for one item of the `regions` column: a region id, a CHOIR code or a checkbox-map name."""
        raw = item.strip()
        if raw in _region_id_set(atlas):
            return [raw]
        choir = choir_table()
        if choir.is_code(raw):
            return choir.regions(choir.parse_code(raw, female=choir_female))
        side, key = name_key(raw)
        if side == "both":
            raise UsageError(f"region {raw[:60]!r} names both left and right; list each side as its own item "
                             f"(e.g. 'left calf;right calf'), or give the name without a side for both")
        if key in self.midline and side is None:
            return list(self.midline[key])
        if key in self.sided:
            sides = [side] if side else ["left", "right"]
            return [f"{s}_{stem}" for s in sides for stem in self.sided[key]]
        raise UsageError(f"unknown region {raw[:60]!r}: neither a bodymap region id ('bodymap atlas regions'), "
                         f"a CHOIR code nor a name in the checkbox-map table (docs/choir-mapping.md)")


def _region_id_set(atlas: Atlas) -> frozenset[str]:
    hit = atlas.derived.get("region_id_set")
    if hit is None:
        hit = atlas.derived["region_id_set"] = frozenset(atlas.region_ids)
    return hit


@lru_cache(maxsize=2)
def alias_table(path: str | None = None) -> AliasTable:
    p = Path(path) if path else Path(__file__).with_name("choir_map.yaml")
    doc = read_yaml(p, ConfigError, what="the region alias table")
    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.region-aliases/1":
        raise ConfigError(f"{p}: schema must be 'bodymap.region-aliases/1'")
    out = AliasTable({}, {})
    for section in ("sided", "midline"):
        entries = doc.get(section)
        if not isinstance(entries, dict):
            raise ConfigError(f"{p}: '{section}' must be a mapping")
        for name, targets in entries.items():
            if (not isinstance(name, str) or not isinstance(targets, list)
                    or not all(isinstance(t, str) for t in targets)):
                raise ConfigError(f"{p}: {section}.{name}: must map a name to a list of region names")
            side, key = name_key(name)
            if side is not None or not key:
                raise ConfigError(f"{p}: {section}.{name}: names in the table carry no side")
            if key in out.names:
                raise ConfigError(f"{p}: {section}.{name}: the same name as {out.names[key]!r}")
            out.names[key] = name
            getattr(out, section)[key] = list(targets)
    return out


def check_table(table: AliasTable, atlas: Atlas) -> list[str]:
    """Problems with the table against the atlas (every target must exist)."""
    problems = []
    ids = set(atlas.region_ids)
    for key, stems in table.sided.items():
        for s in stems:
            for side in ("left", "right"):
                if f"{side}_{s}" not in ids:
                    problems.append(f"{table.names[key]}: {side}_{s} is not an atlas region")
    for key, rids in table.midline.items():
        for r in rids:
            if r not in ids:
                problems.append(f"{table.names[key]}: {r} is not an atlas region")
    return problems


def safe_patient_id(pid: str) -> str:
    """The patient id if it is a plain, safe file name; otherwise a UsageError saying why."""
    from ..paths import windows_device_name

    if pid is None or pid == "":
        raise UsageError("patient_id is empty")
    shown = repr(pid) if len(pid) <= 60 else repr(pid[:60] + "...")
    if "\x00" in pid:
        raise UsageError(f"patient_id {shown} contains a NUL character")
    if "/" in pid or "\\" in pid:
        raise UsageError(f"patient_id {shown} contains a path separator; it must be a plain file name")
    if pid in (".", "..") or ".." in pid:
        raise UsageError(f"patient_id {shown} contains '..'; it must be a plain file name")
    if not SAFE_ID.fullmatch(pid):
        # "use letters" refused 'Zoë' (a letter): the rule is ASCII, said so (ADR 0043)
        raise UsageError(f"patient_id {shown} is not a safe file name (use A-Z, a-z, digits, '.', '_' or '-', "
                         f"at most 100 characters, not starting with '.' or '-'"
                         + ("; a space can be '-' or '_'" if " " in pid else "") + ")")
    if windows_device_name(pid):  # CON.bodymap is the console on Windows, not a file
        raise UsageError(f"patient_id {shown} is a device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9), "
                         "never a file name there")
    return pid


_WHOLE = re.compile(r"([0-9]+)[.,]0+")


def _whole(text: str) -> str:
    """'7' for '7.0' or '7,0': how pandas writes a column of whole numbers with a gap in it (as floats), and
    Excel with a comma decimal mark; '6.5' stays as it is, to be refused (ADR 0043)."""
    t = text.strip()
    m = _WHOLE.fullmatch(t)
    return m.group(1) if m else t


def _yes_no(key: str, text: str):
    t = _whole(text).lower()
    if key in YES_NO_QUESTIONS and t in ("1", "0"):
        return t == "1"
    return parse_answer(key, _whole(text) if key in INT_QUESTIONS else text)


CHOIR_FEMALE_WORDS = {"yes": True, "y": True, "true": True, "1": True, "female": True,
                      "no": False, "n": False, "false": False, "0": False, "male": False}


def row_is_choir_female(row: dict[str, str], default: bool) -> bool:
    """The row's `choir_female` cell (yes/no, y/n, true/false, 1/0, female/male), or `default` when empty."""
    text = (row.get("choir_female") or "").strip()
    if not text:
        return default
    if text.lower() not in CHOIR_FEMALE_WORDS:
        raise UsageError(f"choir_female {text[:20]!r} must be yes or no (or female or male)")
    return CHOIR_FEMALE_WORDS[text.lower()]


def build_map(row: dict[str, str], atlas: Atlas, table: AliasTable, *, choir_female: bool = False,
              painter: "WholeRegionPainter | None" = None, extra_columns: dict[str, str] | None = None) -> PainMap:
    """One row as a PainMap. CHOIR parts (issue 21, bodymap.exports.choir_import): CHOIR's comma-separated
    strings, the kept codes (`choir`), both buttocks painting the cleft, the extra columns (`imported`)."""
    default_sens = (row.get("sensation") or "").strip() or "aching"
    check_sensation(default_sens)
    female = row_is_choir_female(row, choir_female)
    items = split_items(row.get("regions") or "")
    if not items:
        raise UsageError("no regions listed")
    m = PainMap(atlas)
    painted: dict[tuple[str, str], None] = {}
    given_codes: list[int] = []
    only_codes = True
    for item in items:
        sens = default_sens
        if "=" in item:
            item, sens = item.rsplit("=", 1)
            sens = check_sensation(sens.strip())
        code, rids = table.item(item, atlas, choir_female=female)
        if code is None:
            only_codes = False
        else:
            given_codes.append(code)
        for rid in rids:
            painted.setdefault((rid, sens), None)
    for rid in cleft_regions(given_codes):
        painted.setdefault((rid, default_sens), None)
    inten = _whole(row.get("intensity") or "")
    if inten:
        if not inten.isdigit():
            raise UsageError(f"intensity {inten!r} must be a whole number from 0 to 10")
        m.set_intensity(None, int(inten))
    for q in QUESTIONS:
        v = (row.get(q) or "").strip()
        if v:
            m.answers[q] = _yes_no(q, v)
    code = (row.get("session_code") or "").strip()
    if code:
        m.meta["session_code"] = code
    m.meta["import"] = "checkbox body map"
    pid = (row.get("patient_id") or "").strip()
    if pid and len(pid) <= VISIT_MAX_CHARS["patient_id"]:
        m.visit.patient_id = pid  # the row's identifier is the patient's (kept out of research exports)
    if painter is not None:
        painter.paint(m, set(painted))
    else:
        for rid, sens in painted:
            m.paint_region(rid, 1.0, sens)
    kept = sorted(set(given_codes)) if only_codes else None  # a row of CHOIR codes only keeps them
    if kept is not None:
        ids = atlas.region_ids
        cov = m.coverage_vector()
        m.extra["choir"] = {"codes": kept, "numbering": "female" if female else "male",
                            "painted": [ids[i] for i in np.flatnonzero(cov >= PAINTED_MIN)]}
    if extra_columns:
        m.extra["imported"] = dict(extra_columns)
    return m


def import_regions(csv_path: str | Path, outdir: str | Path, *, overwrite: bool = False, choir_female: bool = False,
                   atlas: Atlas | None = None, err: TextIO | None = None,
                   choir_numbering: str | None = None, choir_undecided: str | None = None) -> tuple[int, list[str]]:
    """Write one .bodymap per row; returns (files written, problems). Raises UsageError for unusable input.

    `choir_numbering` (male, female or auto; default: female with `choir_female`, else male):
    which drawing's numbering the three-digit CHOIR codes use, unless a row's `choir_female`
    cell says otherwise; `auto` decides per row and says how (bodymap.exports.choir_numbering), and
    `choir_undecided` (male, female, skip) reads the rows it cannot decide in a mixed file.
    """
    from ..atlas import load_atlas
    from ..paths import maps_sharing

    started = time.monotonic()

    err = err if err is not None else sys.stderr
    src = Path(csv_path)
    if not src.exists():
        raise UsageError(f"{src}: no such file")
    text, delim = _read_csv_text(src)  # a spreadsheet's separator, line ends and encoding (exports.sheet)
    out = Path(outdir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder")
    if not out.exists():
        if not out.parent.is_dir():
            raise UsageError(f"{out}: the folder above it does not exist")
        out.mkdir()
    root = out.resolve()
    atlas = atlas or load_atlas()
    table = alias_table()
    choir_table()  # a broken CHOIR table is one error up front, not one per row
    try:
        reader = csv.DictReader(io.StringIO(text), delimiter=delim)
        fields = reader.fieldnames or []
    except csv.Error as exc:
        raise UsageError(f"{src}: not a readable CSV ({exc})") from None
    norm = canonical_columns(fields)  # CHOIR's own column names too (bodymap_regions_csv, id, ...)
    if "patient_id" not in norm.values() or "regions" not in norm.values():
        raise UsageError(f"{src}: needs the columns patient_id and regions (found: {', '.join(fields) or 'none'}; "
                         f"CHOIR's bodymap_regions_csv and id are read too)")
    extra_names = [norm[f] for f in fields if norm[f] not in KNOWN_COLUMNS]
    mode = choir_numbering or ("female" if choir_female else "male")
    painter = _painter(atlas)
    writer = BatchWriter(maps_sharing().file_mode(root), exclusive=not overwrite)
    n_rows = max(text.count("\n") - 1, 1)
    progress = Progress(n_rows, err)
    jobs: list[Job] = []
    facts: list[RowFacts] = []  # what each job's row says about its CHOIR numbering
    problems: list[str] = []
    seen: set[str] = set()
    line = 1
    for raw in _rows(reader, problems):
        line += 1
        if blank_row(raw):  # ';;;' rows at the end of an Excel sheet are not patients (ADR 0043)
            continue
        try:
            row = _checked_row(raw, norm)
            pid = (row.get("patient_id") or "").strip()
        except UsageError as exc:  # an oversized cell: this row is skipped and named, the import goes on
            problems.append(f"row {line} (line {reader.line_num}): {exc}")
            continue
        where = f"row {line}" + (f" ({pid[:40]!r})" if pid else "")
        try:
            safe_patient_id(pid)
            if pid.lower() in seen:
                raise UsageError(f"patient_id {pid!r} appears twice")
            seen.add(pid.lower())
            target = _output_file(root, pid, out)
            if target.exists() and not overwrite:
                raise UsageError(f"{target.name} already exists in {out} (use --overwrite to replace it)")
            extra = {k: v.strip() for k, v in row.items() if k not in KNOWN_COLUMNS and v and v.strip()}
            facts.append(RowFacts(where, drawing_cell(row), three_digit_codes(split_items(row.get("regions") or "")),
                                  sex_of(row.get("sex") or row.get("gender"))))
            jobs.append(Job(where, row, target, extra))  # built and written below, on every core (issue 21);
            # of two imports racing into one OUTDIR, one is told "exists" (BatchWriter's exclusive write)
        except BodymapError as exc:
            problems.append(f"{where}: {exc}")

    decision = decide(mode, facts, choir_undecided)  # a mixed file it cannot read stops here, nothing written
    if extra_names:
        err.write(f"import-regions: keeping columns {', '.join(extra_names)} in each map "
                  f"(the imported_columns of export --csv)\n")
    if decision.message:
        err.write(f"import-regions: {decision.message}\n")
    for job, female in zip(jobs, decision.female):
        job.female = female
    problems += decision.skipped
    jobs = [j for j in jobs if j.female is not None]

    def build(row: dict[str, str], extra: dict[str, str], female: bool) -> PainMap:
        return build_map(row, atlas, table, choir_female=female, painter=painter, extra_columns=extra)

    progress.total = len(jobs)
    if overwrite:  # --overwrite keeps each map it replaces as name~1, ~2, ..., as every save does (ADR 0017, 0037)
        from ..visits import keep_previous

        kept = 0
        for j in jobs:
            if j.target.is_file():
                try:
                    keep_previous(j.target)
                    kept += 1
                except BodymapError as exc:  # no copy, no replacing: the row is skipped and named
                    problems.append(f"{j.where}: {exc}")
                    j.female = None
        jobs = [j for j in jobs if j.female is not None]
        progress.total = len(jobs)
        if kept:
            err.write(f"import-regions: {kept} existing map{'s' if kept != 1 else ''} replaced; each old version "
                      "is kept beside it as name.bodymap~N\n")
    written, failed = run_jobs(jobs, build, writer, progress)
    problems = sorted(problems + failed, key=_row_number)
    progress.finish(written, time.monotonic() - started)
    return written, problems


def _row_number(problem: str) -> int:
    m = re.match(r"row ([0-9]+)", problem)
    return int(m.group(1)) if m else 0


_PAINTERS: dict[int, WholeRegionPainter] = {}


def _painter(atlas: Atlas) -> WholeRegionPainter:
    """The whole-region painter of an atlas, made once per process."""
    key = id(atlas)
    if key not in _PAINTERS:
        _PAINTERS.clear()
        _PAINTERS[key] = WholeRegionPainter(atlas)
    return _PAINTERS[key]


# -- hostile input (issue 22, ADR 0018): the row reader and the output path ----------------------------------
MAX_CELL_CHARS = 10_000  # the longest cell a row may hold (a regions list of every region is ~3,000)


def _read_csv_text(src: Path) -> tuple[str, str]:
    """The CSV's text and separator: a regular file (a FIFO or device refused by name), at most MAX_CSV_BYTES,
    as a spreadsheet saves it (exports.sheet: ';', 'sep=', CR line ends, UTF-16)."""
    from ..paths import read_regular
    from .sheet import decode_sheet

    try:
        raw = read_regular(src, MAX_CSV_BYTES, "an import CSV")
        return decode_sheet(raw, str(src))
    except ValueError as exc:
        raise UsageError(f"{src}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{src}: cannot read ({exc.strerror or exc})") from None


def _rows(reader, problems: list[str]):
    """The reader's rows to the end of the file: a cell longer than the csv module's limit no longer ends
    the import (the limit is raised to the file cap for this read; each cell is then checked by count)."""
    old = csv.field_size_limit()
    csv.field_size_limit(MAX_CSV_BYTES)
    try:
        while True:
            try:
                yield next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                problems.append(f"line {reader.line_num}: not readable CSV ({exc}); the rest of the file was "
                                "not read")
                return
    finally:
        csv.field_size_limit(old)


def _checked_row(raw: dict, norm: dict[str, str]) -> dict[str, str]:
    row = {}
    for k, v in raw.items():
        if k not in norm:
            continue
        v = v if isinstance(v, str) else ""
        if len(v) > MAX_CELL_CHARS:
            raise UsageError(f"the {norm[k] or 'unnamed'} cell holds {len(v)} characters (at most "
                             f"{MAX_CELL_CHARS}); row skipped")
        row[norm[k]] = v
    return row


def _output_file(root: Path, pid: str, out: Path) -> Path:
    """OUTDIR/<pid>.bodymap, never through a link: a symbolic link (or any file that is not a regular file)
    with that name is refused, so one row's map can never land in another row's file or outside OUTDIR."""
    import os
    import stat as stat_

    target = root / f"{pid}.bodymap"
    if target.parent != root:  # belt and braces: never outside OUTDIR
        raise UsageError(f"patient_id {pid!r} would write outside {out}")
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise UsageError(f"{target.name}: cannot check it ({exc.strerror or exc})") from None
    if not stat_.S_ISREG(st.st_mode):
        from ..atomicio import file_kind

        raise UsageError(f"{target.name} in {out} is {file_kind(st.st_mode)}; import-regions writes only "
                         "regular files and never follows or replaces a link")
    return target
