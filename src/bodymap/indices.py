"""Standard pain-extent indices of one map, from the regions that count as painted.

- `wpi` (0-19) and `generalised_pain`: the ACR 2016 widespread pain index and its
  generalised-pain criterion (pain in at least 4 of the 5 regions; jaw, chest and abdomen
  not counted for it), Wolfe 2016;
- `mbm_count` (0-35): the Michigan Body Map areas painted (Brummett 2016);
- `choir_segment_count` (0-74): the CHOIR body-map segments the painted regions are
  exported as (exports/choir.yaml);
- `body_area_percent`: the painted share of the body's area, % (PainMap.extent_percent).

Which bodymap regions make each area is data: regions/indices.yaml, with its sources. The
inputs are the counted regions (painting.counted_regions, the one rule: no specks or slivers)
that `bodymap show`, the batch scorer and the folder exports already compute, so an index
never disagrees with the regions a clinician sees listed.

    >>> idx = compute_indices(["right_lower_back", "left_lower_back", "right_calf"], 6.5)
    >>> idx.wpi, idx.generalised_pain, idx.mbm_count
    (2, False, 2)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from .errors import ConfigError
from .paths import regions_dir
from .yamlio import read_yaml

SIDES = ("right", "left")
#: the public names of the indices, in the order the CSV, Parquet and `show` give them
INDEX_NAMES = ("wpi", "generalised_pain", "mbm_count", "choir_segment_count", "body_area_percent")


@dataclass(frozen=True)
class Area:
    id: str
    name: str
    regions: tuple[str, ...]  # bodymap region ids that make the area
    group: str | None = None  # WPI: the generalised-pain region (left_upper, ..., axial)
    nearest: bool = False


@dataclass(frozen=True)
class IndexDefs:
    wpi_areas: tuple[Area, ...]
    wpi_regions: dict[str, str]  # generalised-pain region id -> name, in the criteria's order
    not_for_generalised: frozenset[str]
    generalised_min: int
    mbm_areas: tuple[Area, ...]
    choir_export: dict[str, tuple[int, ...]]  # region id -> CHOIR codes it is written as
    path: Path

    def all_region_ids(self) -> set[str]:
        out = {r for a in self.wpi_areas + self.mbm_areas for r in a.regions}
        return out | set(self.choir_export)


@dataclass
class Indices:
    wpi: int
    generalised_pain: bool
    mbm_count: int
    choir_segment_count: int
    body_area_percent: float
    wpi_areas: list[str] = field(default_factory=list)
    generalised_regions: list[str] = field(default_factory=list)
    mbm_areas: list[str] = field(default_factory=list)
    choir_segments: list[int] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """The five public values (INDEX_NAMES)."""
        return {k: getattr(self, k) for k in INDEX_NAMES}

    def to_json(self) -> dict[str, Any]:
        out = self.values()
        out["body_area_percent"] = round(self.body_area_percent, 4)
        out.update(wpi_areas=list(self.wpi_areas), generalised_regions=list(self.generalised_regions),
                   mbm_areas=list(self.mbm_areas), choir_segments=list(self.choir_segments))
        return out

    def line(self) -> str:
        """One line for a clinician or researcher: 'WPI 7/19, generalised pain yes (4 of 5 regions); ...'."""
        gp = "yes" if self.generalised_pain else "no"
        return (f"WPI {self.wpi}/19, generalised pain {gp} ({len(self.generalised_regions)} of 5 regions); "
                f"Michigan Body Map {self.mbm_count}/35; CHOIR segments {self.choir_segment_count}/74; "
                f"body area {self.body_area_percent:.1f}%")


def default_path() -> Path:
    return regions_dir() / "indices.yaml"


@lru_cache(maxsize=4)
def load_index_defs(path: str | None = None) -> IndexDefs:
    """Read and check regions/indices.yaml (or `path`); a malformed file is a ConfigError naming the entry."""
    p = Path(path) if path else default_path()
    doc = read_yaml(p, ConfigError, what="the index definitions")
    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.indices/1":
        raise ConfigError(f"{p}: schema must be 'bodymap.indices/1'")
    sources = doc.get("sources") or {}
    wpi, mbm, choir = doc.get("wpi"), doc.get("mbm"), doc.get("choir")
    if not all(isinstance(x, dict) for x in (wpi, mbm, choir)):
        raise ConfigError(f"{p}: needs 'wpi', 'mbm' and 'choir' sections")
    for name, sec in (("wpi", wpi), ("mbm", mbm), ("choir", choir)):
        if sec.get("source") not in sources:
            raise ConfigError(f"{p}: {name}.source must name an entry of 'sources'")
    regions = wpi.get("regions")
    if not isinstance(regions, dict) or len(regions) != 5:
        raise ConfigError(f"{p}: wpi.regions must name the five generalised-pain regions")
    wpi_areas = []
    for e in _list(p, wpi, "areas"):
        for area in _expand(p, e, "wpi"):
            g = e.get("region")
            group = f"{area.id.rsplit('_', 1)[1]}_{g}" if e.get("sides") == "both" else g
            if group not in regions:
                raise ConfigError(f"{p}: wpi area {area.id}: region {g!r} is not one of the five")
            wpi_areas.append(Area(area.id, area.name, area.regions, group, area.nearest))
    mbm_areas = [a for e in _list(p, mbm, "areas") for a in _expand(p, e, "mbm")]
    if len(wpi_areas) != 19:
        raise ConfigError(f"{p}: the WPI has 19 areas, found {len(wpi_areas)}")
    if len(mbm_areas) != 35:
        raise ConfigError(f"{p}: the Michigan Body Map has 35 areas, found {len(mbm_areas)}")
    for name, areas in (("wpi", wpi_areas), ("mbm", mbm_areas)):
        ids = [a.id for a in areas]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"{p}: {name}: an area id is used twice")
    excluded = frozenset(wpi.get("not_for_generalised") or ())
    if not excluded <= {a.id for a in wpi_areas}:
        raise ConfigError(f"{p}: wpi.not_for_generalised names an unknown area")
    gmin = wpi.get("generalised_min_regions")
    if not isinstance(gmin, int) or not 1 <= gmin <= 5:
        raise ConfigError(f"{p}: wpi.generalised_min_regions must be 1-5")
    return IndexDefs(tuple(wpi_areas), dict(regions), excluded, gmin, tuple(mbm_areas),
                     _choir_export(p, choir.get("table")), p)


def _list(p: Path, sec: dict, key: str) -> list:
    v = sec.get(key)
    if not isinstance(v, list):
        raise ConfigError(f"{p}: {key} must be a list")
    return v


def _expand(p: Path, e: Any, what: str) -> list[Area]:
    if not isinstance(e, dict) or not isinstance(e.get("id"), str) or not isinstance(e.get("name"), str):
        raise ConfigError(f"{p}: {what}: every area needs an id and a name")
    if e.get("label") not in ("R", "S", "M"):
        raise ConfigError(f"{p}: {what} area {e['id']}: label must be R, S or M")
    stems, ids = e.get("stems") or [], e.get("regions") or []
    if not all(isinstance(s, str) for s in list(stems) + list(ids)):
        raise ConfigError(f"{p}: {what} area {e['id']}: stems and regions must be lists of names")
    nearest = bool(e.get("nearest", False))
    if e.get("sides") == "both":
        return [Area(f"{e['id']}_{side}", f"{e['name']}, {side}", tuple(f"{side}_{s}" for s in stems) + tuple(ids),
                     None, nearest) for side in SIDES]
    if stems:
        raise ConfigError(f"{p}: {what} area {e['id']}: stems need sides: both")
    return [Area(e["id"], e["name"], tuple(ids), None, nearest)]


def _choir_export(p: Path, table: Any) -> dict[str, tuple[int, ...]]:
    """The `export` table of the CHOIR code file (read as data: the core imports nothing from exports)."""
    if not isinstance(table, str):
        raise ConfigError(f"{p}: choir.table must name the CHOIR code file")
    tp = Path(__file__).parent / table
    doc = read_yaml(tp, ConfigError, what="the CHOIR code table")
    ex = doc.get("export") if isinstance(doc, dict) else None
    if not isinstance(ex, dict):
        raise ConfigError(f"{tp}: no 'export' table")
    out: dict[str, tuple[int, ...]] = {}
    for stem, pair in (ex.get("sided") or {}).items():
        for side, code in zip(SIDES, pair):
            out[f"{side}_{stem}"] = (int(code),)
    for rid, codes in (ex.get("midline") or {}).items():
        out[rid] = tuple(int(c) for c in codes)
    return out


def check_against_atlas(defs: IndexDefs, atlas) -> list[str]:
    """Problems: a region the definitions name that the atlas lacks."""
    ids = set(atlas.region_ids)
    return [f"{defs.path}: {rid} is not an atlas region" for rid in sorted(defs.all_region_ids() - ids)]


def compute_indices(painted: Iterable[str], body_area_percent: float, defs: IndexDefs | None = None) -> Indices:
    """The indices of a map whose counted (painted) regions are `painted`, and whose paint covers
    `body_area_percent` % of the body. Region ids the definitions do not name count for nothing."""
    d = defs or load_index_defs()
    got = set(painted)
    wpi = [a for a in d.wpi_areas if got.intersection(a.regions)]
    groups = [g for g in d.wpi_regions if any(a.group == g and a.id not in d.not_for_generalised for a in wpi)]
    mbm = [a for a in d.mbm_areas if got.intersection(a.regions)]
    choir = sorted({c for rid in got for c in d.choir_export.get(rid, ())})
    return Indices(wpi=len(wpi), generalised_pain=len(groups) >= d.generalised_min, mbm_count=len(mbm),
                   choir_segment_count=len(choir), body_area_percent=float(body_area_percent),
                   wpi_areas=[a.id for a in wpi], generalised_regions=groups, mbm_areas=[a.id for a in mbm],
                   choir_segments=choir)


def indices_for_map(m) -> Indices:
    """The indices of a PainMap (its counted regions and painted area)."""
    return compute_indices(m.painted_regions(), m.extent_percent()["total"])


def indices_from_counted(region_ids: list[str], counted, body_area_percent: float) -> Indices:
    """The indices from a (R,) bool vector of counted regions in atlas order (the batch and folder path)."""
    return compute_indices([region_ids[i] for i in range(len(region_ids)) if counted[i]], body_area_percent)
