"""`bodymap export DIR --csv`: one row per map, streamed (a row is written as soon as its file is read).

Columns (docs/exports.md): file, session_code, created, extent_total, extent_front,
extent_back, extent_<sensation> for each sensation, cov_<region id> for every atlas
region in atlas order, top_pattern, top_side, top_probability (red_flags comes right after created
(semicolon-joined ids, most urgent first), then red_flag_urgency (their urgencies, in the same order)). Extents are % of body area; coverage is the share of the
region painted (0..1). Text cells that a spreadsheet would run as a formula
(starting with = + - @ or a tab) are prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
from typing import Iterable, TextIO

from ..painting import SENSATIONS
from .common import Decoder, MapRecord

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def header(decoder: Decoder) -> list[str]:
    # red flags first, before any figure or match, so they are never missed in a wide sheet
    return (["file", "session_code", "created", "red_flags", "red_flag_urgency", "extent_total", "extent_front",
             "extent_back"]
            + [f"extent_{s}" for s in SENSATIONS]
            + [f"cov_{rid}" for rid in decoder.atlas.region_ids]
            + ["top_pattern", "top_side", "top_probability"])


def safe_text(s: str | None) -> str:
    s = "" if s is None else str(s)
    return "'" + s if s.startswith(FORMULA_START) else s


def row(decoder: Decoder, rec: MapRecord) -> list[str]:
    ext = decoder.extent(rec)
    cov = decoder.coverage(rec)
    ranking = decoder.rank(rec, cov, top_n=1)
    top = ranking.top
    return ([safe_text(rec.path.name), safe_text(rec.meta.get("session_code")), safe_text(rec.meta.get("created")),
             safe_text(";".join(f.id for f in ranking.red_flags)),
             safe_text(";".join(f.urgency for f in ranking.red_flags)),
             f"{ext['total']:.4f}", f"{ext['front']:.4f}", f"{ext['back']:.4f}"]
            + [f"{ext['by_sensation'][s]:.4f}" for s in SENSATIONS]
            + [f"{c:.4f}" if c > 0 else "0" for c in cov.tolist()]
            + [top.id if top else "", top.side if top else "", f"{top.probability:.4f}" if top else ""])


def write_csv(records: Iterable[MapRecord], decoder: Decoder, out: TextIO) -> int:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header(decoder))
    n = 0
    for rec in records:
        w.writerow(row(decoder, rec))
        n += 1
    return n
