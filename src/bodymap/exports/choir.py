"""CHOIR Body Map codes: the official numbering, read from and written for bodymap regions.

CHOIR numbers its front drawing 101-136 and its back drawing 201-238; REDCap writes the
same regions f01-f36 and b01-b38. CHOIR's female drawing numbers six front regions
differently. The table and its sources are in exports/choir.yaml and docs/choir-mapping.md.

    >>> from bodymap.exports.choir import choir_table
    >>> t = choir_table()
    >>> t.parse_code("f01"), t.parse_code("112", female=True), t.redcap(238)
    (101, 116, 'b38')

Codes returned by this module are standard (male-drawing) codes unless `female=True` asks
for the female drawing's numbering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..atlas import Atlas
from ..yamlio import read_yaml
from ..errors import ConfigError, UsageError

FRONT = range(101, 137)
BACK = range(201, 239)
ALL_CODES = tuple(FRONT) + tuple(BACK)
_CODE_TEXT = re.compile(r"(?:([fb])(\d{2})|(\d{3}))", re.IGNORECASE)


@dataclass(frozen=True)
class ChoirCode:
    code: int  # standard (male-drawing) number
    label: str  # the REDCap imagemap module's title, e.g. "Cranium (front-right)"
    side: str  # the patient's side: "left" or "right"
    paint: tuple[str, ...]  # bodymap region ids painted when this code is imported
    nearest: bool  # no bodymap region of its own: `paint` is the nearest one

    @property
    def view(self) -> str:
        return "front" if self.code < 200 else "back"


@dataclass(frozen=True)
class ChoirTable:
    codes: dict[int, ChoirCode]
    export: dict[str, tuple[int, ...]]  # bodymap region id -> standard codes it is written as
    female_to_standard: dict[int, int]

    @property
    def standard_to_female(self) -> dict[int, int]:
        return {v: k for k, v in self.female_to_standard.items()}

    def parse_code(self, text: str, *, female: bool = False) -> int:
        """The standard code for '101'..'238' or 'f01'..'f36' / 'b01'..'b38'.

        `female`: a three-digit code is from CHOIR's female drawing and is renumbered.
        REDCap's f/b keys already use the standard numbering and are never renumbered.
        """
        t = text.strip()
        m = _CODE_TEXT.fullmatch(t)
        if not m:
            raise UsageError(f"{t[:20]!r} is not a CHOIR code (101-136, 201-238, f01-f36 or b01-b38)")
        if m.group(3):
            code = int(m.group(3))
            if code not in self.codes:
                raise UsageError(f"CHOIR code {t} is out of range (front 101-136, back 201-238)")
            return self.female_to_standard.get(code, code) if female else code
        code = (100 if m.group(1).lower() == "f" else 200) + int(m.group(2))
        if code not in self.codes:
            raise UsageError(f"CHOIR code {t} is out of range (front f01-f36, back b01-b38)")
        return code

    def is_code(self, text: str) -> bool:
        """Whether the text has the shape of a CHOIR code (it may still be out of range)."""
        return _CODE_TEXT.fullmatch(text.strip()) is not None

    def regions(self, code: int) -> list[str]:
        """bodymap region ids painted for a standard code."""
        return list(self.codes[code].paint)

    def codes_for_regions(self, region_ids: Iterable[str], *, female: bool = False) -> list[int]:
        """The CHOIR codes for painted bodymap regions, ascending (female drawing's numbers if `female`)."""
        out = set()
        for rid in region_ids:
            out.update(self.export[rid])
        if female:
            to_female = self.standard_to_female
            out = {to_female.get(c, c) for c in out}
        return sorted(out)

    @staticmethod
    def redcap(code: int) -> str:
        """REDCap's key for a standard code: 101 -> 'f01', 238 -> 'b38'."""
        return ("f" if code < 200 else "b") + f"{code % 100:02d}"


def default_path() -> Path:
    return Path(__file__).with_name("choir.yaml")


@lru_cache(maxsize=4)
def choir_table(path: str | None = None) -> ChoirTable:
    """Read and check exports/choir.yaml (or `path`). A bad table is a ConfigError naming the entry."""
    p = Path(path) if path else default_path()
    doc = read_yaml(p, ConfigError, what="the CHOIR code table")
    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.choir-codes/1":
        raise ConfigError(f"{p}: schema must be 'bodymap.choir-codes/1'")
    raw_codes = doc.get("codes")
    if not isinstance(raw_codes, dict) or sorted(raw_codes) != sorted(ALL_CODES):
        raise ConfigError(f"{p}: 'codes' must list exactly 101-136 and 201-238")
    codes = {}
    for code, e in raw_codes.items():
        where = f"{p}: codes.{code}"
        if not isinstance(e, dict) or not isinstance(e.get("label"), str) or e.get("side") not in ("left", "right"):
            raise ConfigError(f"{where}: needs a label and side left or right")
        stems, mid = e.get("paint", []), e.get("midline", [])
        if not _str_list(stems) or not _str_list(mid) or not (stems or mid):
            raise ConfigError(f"{where}: 'paint' and 'midline' must be lists of names, not both empty")
        paint = tuple(f"{e['side']}_{s}" for s in stems) + tuple(mid)
        codes[code] = ChoirCode(code, e["label"], e["side"], paint, bool(e.get("nearest", False)))
    export: dict[str, tuple[int, ...]] = {}
    ex = doc.get("export")
    if not isinstance(ex, dict) or not isinstance(ex.get("sided"), dict) or not isinstance(ex.get("midline"), dict):
        raise ConfigError(f"{p}: 'export' needs 'sided' and 'midline' mappings")
    for stem, pair in ex["sided"].items():
        if not (isinstance(pair, list) and len(pair) == 2 and all(c in codes for c in pair)):
            raise ConfigError(f"{p}: export.sided.{stem}: must be [right code, left code]")
        for side, c in zip(("right", "left"), pair):
            if codes[c].side != side:
                raise ConfigError(f"{p}: export.sided.{stem}: code {c} is on the {codes[c].side} side, not {side}")
            export[f"{side}_{stem}"] = (c,)
    for rid, lst in ex["midline"].items():
        if not (isinstance(lst, list) and lst and all(c in codes for c in lst)):
            raise ConfigError(f"{p}: export.midline.{rid}: must be a list of codes")
        export[rid] = tuple(lst)
    fem = doc.get("female_drawing")
    if not isinstance(fem, dict) or sorted(fem) != sorted(fem.values()) or not all(c in codes for c in fem):
        raise ConfigError(f"{p}: 'female_drawing' must renumber codes among themselves")
    return ChoirTable(codes, export, dict(fem))


def _str_list(x) -> bool:
    return isinstance(x, list) and all(isinstance(s, str) for s in x)


def check_against_atlas(table: ChoirTable, atlas: Atlas) -> list[str]:
    """Problems: a painted region that is not in the atlas, or an atlas region with no export code."""
    ids = set(atlas.region_ids)
    problems = [f"code {c.code}: {rid} is not an atlas region" for c in table.codes.values()
                for rid in c.paint if rid not in ids]
    problems += [f"export: {rid} is not an atlas region" for rid in table.export if rid not in ids]
    problems += [f"{rid}: no CHOIR code to export it as" for rid in atlas.region_ids if rid not in table.export]
    return problems
