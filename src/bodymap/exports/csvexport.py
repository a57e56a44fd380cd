"""`bodymap export DIR --csv` (and `--parquet`): one row per map, streamed (a row is written as soon as its file is read).

Columns (docs/exports.md), in this order: file, session_code, created, red_flags
(semicolon-joined ids; early so a wide sheet never hides them), extent_total,
extent_front, extent_back, extent_<sensation> for each sensation, cov_<region id> for
every atlas region in atlas order, top_pattern, top_side, top_probability; then, added
later and only ever appended: intensity, intensity_<sensation>, answer_<question> for
the first published questions, red_flag_urgency, choir_codes, risk_factors, visit_date, recorded_by,
answers_unsure, ..., patient_key, imported_columns, answer_<question> for the questions added since;
and last, only with
`--include-identifiers`, the identifying columns patient_id and note (without it, `file`
holds the map's pseudonymous key: bodymap.exports.keys).

Extents are % of body area; coverage is the share of the region painted (0..1). Text
cells that a spreadsheet would run as a formula (starting with = + - @ or a tab) are
prefixed with an apostrophe.

The columns are a list of `Column`s, each a name, a type and a function of one map's
`MapRow`. The CSV and the Parquet writer share the list, so a new column is one more
entry at the end of `columns()` (never insert or rename: other tools read these names).
"""
from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Iterable, TextIO

import numpy as np

from ..painting import INT_QUESTIONS, QUESTIONS, SENSATIONS, UNSURE, YES_NO_QUESTIONS
from .choir import choir_table
from .common import PAINTED_MIN, Decoder, MapRecord
from .keys import Pseudonyms, identifying_column

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class MapRow:
    """One map and the figures derived from it, computed once and shared by every column."""

    decoder: Decoder
    rec: MapRecord

    @cached_property
    def extent(self) -> dict[str, Any]:
        return self.decoder.extent(self.rec)

    @cached_property
    def coverage(self) -> np.ndarray:
        return self.decoder.coverage(self.rec)

    @cached_property
    def ranking(self):
        return self.decoder.rank(self.rec, self.coverage, top_n=1)

    @cached_property
    def indices(self):
        return self.decoder.indices(self.rec)

    @cached_property
    def painted_ids(self) -> list[str]:
        """Regions painted over at least PAINTED_MIN of their area (the matcher's threshold), in atlas order."""
        ids = self.decoder.atlas.region_ids
        return [ids[i] for i in np.flatnonzero(self.coverage >= PAINTED_MIN)]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "text", "float" (4 decimals in CSV), "int", "bool" (yes/no in CSV)
    value: Callable[[MapRow], Any]  # the typed value, or None for an empty cell
    csv_format: Callable[[Any], str] | None = None  # overrides the default rendering of a non-empty value


def _rate(v: float) -> str:
    return f"{v:.4f}" if v > 0 else "0"


def _extent(key: str) -> Callable[[MapRow], float]:
    return lambda r: r.extent[key]


def _extent_sens(s: str) -> Callable[[MapRow], float]:
    return lambda r: r.extent["by_sensation"][s]


def _cov(i: int) -> Callable[[MapRow], float]:
    return lambda r: float(r.coverage[i])


def _intensity(key: str) -> Callable[[MapRow], int | None]:
    return lambda r: r.rec.intensity.get(key)


def _answer(key: str) -> Callable[[MapRow], Any]:
    if key in YES_NO_QUESTIONS:  # yes, no or empty: an "unsure" answer is listed in answers_unsure instead
        return lambda r: r.rec.answers.get(key) if isinstance(r.rec.answers.get(key), bool) else None
    return lambda r: r.rec.answers.get(key)


def _answers_unsure(r: MapRow) -> str:
    """The yes/no questions answered "unsure", in the order of the answer_ columns."""
    order = PUBLISHED_ANSWERS + LATER_ANSWERS + unlisted_questions()
    return ";".join(q for q in order if q in YES_NO_QUESTIONS and r.rec.answers.get(q) == UNSURE)


def _meta(key: str) -> Callable[[MapRow], str | None]:
    return lambda r: r.rec.meta.get(key)


def _top(attr: str) -> Callable[[MapRow], Any]:
    return lambda r: getattr(r.ranking.top, attr) if r.ranking.top else None


def _red_flag_urgency(r: MapRow) -> str:
    # RedFlag.urgency arrives with another change; until then every flag reads as unknown ("")
    urgencies = [str(getattr(f, "urgency", "") or "") for f in r.ranking.red_flags]
    return ";".join(urgencies) if any(urgencies) else ""


def _choir_codes(r: MapRow) -> str:
    """The CHOIR codes an import kept (issue 21: export gives back exactly the codes that came in), while
    the map still paints the regions they painted; else the codes of the painted regions."""
    kept = (r.rec.extra or {}).get("choir")
    if (isinstance(kept, dict) and isinstance(kept.get("codes"), list) and kept.get("painted") == r.painted_ids
            and all(isinstance(c, int) and not isinstance(c, bool) and c in choir_table().codes
                    for c in kept["codes"])):
        return ";".join(str(c) for c in sorted(set(kept["codes"])))
    return ";".join(str(c) for c in choir_table().codes_for_regions(r.painted_ids))


#: the columns that can identify a patient: written only when asked for (`--include-identifiers`), and always
#: last, so that every other column has the same position with or without them
IDENTIFYING_COLUMNS = ("patient_id", "note")


def columns(decoder: Decoder, include_identifiers: bool = False, keys: Pseudonyms | None = None) -> list[Column]:
    """Every export column, in order. Append new columns before the identifying ones; never rename or reorder.

    `include_identifiers` adds the patient identifier and the free-text clinical note (a
    note can name or describe the patient), at the end. Without it (issue 21) the `file`
    column holds the map's pseudonymous key (`map-...`, bodymap.exports.keys) instead of a
    file name that may be built from the identifier, and every other text cell has the
    identifier replaced by the patient's key.
    """
    keys = keys if keys is not None else Pseudonyms()
    cols = [
        Column("file", "text", (lambda r: r.rec.path.name) if include_identifiers
               else (lambda r: keys.map_key(r.rec.path.name))),
        Column("session_code", "text", _meta("session_code")),
        Column("created", "text", _meta("created")),
        # red flags first, before any figure or match, so they are never missed in a wide sheet
        Column("red_flags", "text", lambda r: ";".join(f.id for f in r.ranking.red_flags)),
        Column("extent_total", "float", _extent("total")),
        Column("extent_front", "float", _extent("front")),
        Column("extent_back", "float", _extent("back")),
    ]
    cols += [Column(f"extent_{s}", "float", _extent_sens(s)) for s in SENSATIONS]
    cols += [Column(f"cov_{rid}", "float", _cov(i), _rate) for i, rid in enumerate(decoder.atlas.region_ids)]
    cols += [
        Column("top_pattern", "text", _top("id")),
        Column("top_side", "text", _top("side")),
        Column("top_probability", "float", _top("probability")),
        # -- appended (issue 13): pain score, answers, urgency, CHOIR codes --
        Column("intensity", "int", _intensity("overall")),
    ]
    cols += [Column(f"intensity_{s}", "int", _intensity(s)) for s in SENSATIONS]
    cols += answer_columns(PUBLISHED_ANSWERS)  # the first published questions, in their published place
    cols += [
        Column("red_flag_urgency", "text", _red_flag_urgency),
        Column("choir_codes", "text", _choir_codes),
    ]
    cols.append(Column("risk_factors", "text", lambda r: ";".join(x.id for x in r.ranking.risk_factors)))  # ADR 0009
    cols += [
        # -- appended (issue 13, file format 2): the visit, and the yes/no questions answered "unsure" --
        Column("visit_date", "text", _meta("visit_date")),
        Column("recorded_by", "text", _meta("recorded_by")),
        Column("answers_unsure", "text", _answers_unsure),
    ]
    # -- appended (issue 18): each red flag's pathology, in the order of `red_flags`; why no ranking --
    cols += [
        Column("red_flag_pathology", "text",
               lambda r: ";".join(str(getattr(f, "pathology", "") or "") for f in r.ranking.red_flags)),
        Column("ranking_error", "text", lambda r: getattr(r.ranking, "ranking_error", None)),
    ]
    cols += research_columns()  # issue 25: standard indices and the confirmed diagnosis
    cols += [
        # -- appended (issue 21): the patient's pseudonymous key, and the columns an import brought along --
        Column("patient_key", "text", lambda r: keys.patient_key(r.rec.meta.get("patient_id"))),
        Column("imported_columns", "text", lambda r: _imported_columns(r, include_identifiers)),
    ]
    cols += answer_columns(LATER_ANSWERS)  # questions added since (issue 21: they no longer shift columns)
    # -- append new columns here, after the last block; a new question is a new block of its own --
    cols += answer_columns(unlisted_questions())  # a question no block lists yet (a test fails until one does)
    if include_identifiers:
        cols += [Column(name, "text", _meta(name)) for name in IDENTIFYING_COLUMNS]
    else:  # the identifier never travels inside another cell
        cols = [c if c.kind != "text" or c.name in ("file", "patient_key") else
                dataclasses.replace(c, value=_scrubbed(c.value, keys)) for c in cols]
    return cols


#: The answer columns as first published (issue 13), in their place after `intensity_<sensation>`.
PUBLISHED_ANSWERS = ("numbness", "weakness", "worse_sitting", "worse_walking", "better_resting", "bladder_bowel",
                     "saddle_numbness", "fever_or_weight_loss", "recent_trauma", "cancer_history", "age")
#: The questions added since (issues 14-24), appended after `imported_columns` (issue 21) in this order. They
#: sat among the published answers before, so every new question moved the columns after it.
LATER_ANSWERS = ("weakness_new_or_worse", "calf_pain_walking_eases_rest", "new_pain", "night_pain", "thoracic_pain",
                 "sexual_dysfunction", "legs_numb_or_weak_both", "clumsy_hands_or_walking", "unwell", "fever",
                 "weight_loss", "iv_drug_use", "immunosuppressed", "steroids", "osteoporosis", "night_numb_hands",
                 "neck_movement_pain", "arm_raising_pain", "recent_procedure_or_infection", "minor_trauma",
                 "not_improving", "abdominal_pain", "vascular_risk", "loin_to_groin", "morning_stiffness")


def unlisted_questions() -> tuple[str, ...]:
    """Questions of regions/questions.yaml that no answer block lists yet (appended last, never lost)."""
    listed = set(PUBLISHED_ANSWERS) | set(LATER_ANSWERS)
    return tuple(q for q in QUESTIONS if q not in listed)


def answer_columns(questions: Iterable[str]) -> list[Column]:
    """`answer_<question>`: yes, no or empty (int for a number question such as age)."""
    return [Column(f"answer_{q}", "int" if q in INT_QUESTIONS else "bool", _answer(q)) for q in questions]


COLUMN_DOC_START = "<!-- column order: generated by tools/write_export_columns.py; do not edit -->"
COLUMN_DOC_END = "<!-- end of column order -->"


def column_order_markdown() -> str:
    """The CSV's column order for docs/exports.md, from `columns()` itself (tests/exports/test_export_columns.py
    holds the document to it): numbered, with the atlas's `cov_<region id>` columns as one entry."""
    from .common import Decoder

    names = [c.name for c in columns(Decoder())]
    lines, n, i = [COLUMN_DOC_START, ""], 0, 0
    while i < len(names):
        if names[i].startswith("cov_"):
            j = i
            while j < len(names) and names[j].startswith("cov_"):
                j += 1
            lines.append(f"{n + 1}-{n + j - i}. `cov_<region id>`: one per atlas region, in atlas order "
                         f"({j - i} with this atlas; `bodymap atlas regions`)")
            n, i = n + j - i, j
            continue
        n, i = n + 1, i + 1
        lines.append(f"{n}. `{names[i - 1]}`")
    lines += [f"{n + 1}-{n + len(IDENTIFYING_COLUMNS)}. " + ", ".join(f"`{c}`" for c in IDENTIFYING_COLUMNS)
              + ": only with `--include-identifiers`", "", COLUMN_DOC_END]
    return "\n".join(lines)


def _index(name: str) -> Callable[[MapRow], Any]:
    return lambda r: getattr(r.indices, name)


def _confirmed(key: str) -> Callable[[MapRow], str | None]:
    return lambda r: (r.rec.meta.get("confirmed") or {}).get(key)


def research_columns() -> list[Column]:
    """Appended for research (issue 25): the standard indices (bodymap.indices) and the confirmed diagnosis."""
    return [
        Column("wpi", "int", _index("wpi")),
        Column("generalised_pain", "bool", _index("generalised_pain")),
        Column("mbm_count", "int", _index("mbm_count")),
        Column("choir_segment_count", "int", _index("choir_segment_count")),
        Column("body_area_percent", "float", _index("body_area_percent")),
        Column("confirmed", "text", _confirmed("diagnosis")),
        Column("confirmed_how", "text", _confirmed("how")),
        Column("confirmed_date", "text", _confirmed("date")),
    ]


def _imported_columns(r: MapRow, include_identifiers: bool) -> str | None:
    """The columns an import brought along (`imported` in the map), as a JSON object with sorted keys;
    without identifiers, columns whose name says they identify a patient are left out."""
    cols = (r.rec.extra or {}).get("imported")
    if not isinstance(cols, dict) or not cols:
        return None
    kept = {str(k): v for k, v in cols.items() if include_identifiers or not identifying_column(k)}
    return json.dumps(kept, ensure_ascii=False, sort_keys=True) if kept else None


def _scrubbed(value: Callable[[MapRow], Any], keys: Pseudonyms) -> Callable[[MapRow], Any]:
    def scrubbed(r: MapRow) -> Any:
        return keys.scrub(value(r), r.rec.meta.get("patient_id"), r.rec.path.stem)
    return scrubbed


def header(decoder: Decoder, include_identifiers: bool = False) -> list[str]:
    return [c.name for c in columns(decoder, include_identifiers)]


# Spreadsheet safety in every locale (issue 22, docs/exports.md "Formulas and separators"): Excel in a locale
# whose list separator is ';' (Spanish, German, French, ...) splits an unquoted cell at ';', so "Dr X;=cmd|..."
# became a formula cell there. A formula start is neutralised wherever a separator could start a new cell
# (the cell's start, after ',', ';', a tab or a line break), and any cell holding a separator is quoted.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t\r\n])([=+\-@\t\r])")
_NEEDS_QUOTES = re.compile('[,;\t\r\n"]')


def safe_text(s: str | None) -> str:
    """A text cell no spreadsheet runs as a formula: an apostrophe before a formula start at the cell's start
    and after every ',', ';', tab or line break inside it."""
    s = "" if s is None else str(s)
    s = _FORMULA_AFTER_SEPARATOR.sub(lambda m: m.group(1) + "'" + m.group(2), s)
    return "'" + s if s.startswith(FORMULA_START) else s


def csv_line(cells: list[str]) -> str:
    """One CSV line: a cell holding ',', ';', a tab, a line break or a quote is quoted ("" for a quote), so a
    ';'-separated spreadsheet keeps it one cell as well."""
    return ",".join('"' + c.replace('"', '""') + '"' if _NEEDS_QUOTES.search(c) else c for c in cells) + "\n"


def csv_cell(col: Column, v: Any) -> str:
    if v is None:
        return ""
    if col.csv_format is not None:
        return col.csv_format(v)
    if col.kind == "float":
        return f"{v:.4f}"
    if col.kind == "bool":
        return "yes" if v else "no"
    if col.kind == "int":
        return str(int(v))
    return safe_text(v)


def row(decoder: Decoder, rec: MapRecord, cols: list[Column] | None = None) -> list[str]:
    r = MapRow(decoder, rec)
    return [csv_cell(c, c.value(r)) for c in (cols or columns(decoder))]


def write_csv(records: Iterable[MapRecord], decoder: Decoder, out: TextIO, *,
              include_identifiers: bool = False) -> int:
    cols = columns(decoder, include_identifiers)
    out.write(csv_line([c.name for c in cols]))
    n = 0
    for rec in records:
        out.write(csv_line(row(decoder, rec, cols)))
        n += 1
    return n
