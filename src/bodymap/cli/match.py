"""`bodymap match FILE|DIR [--json]`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..bands import band_text
from ..errors import BodymapError, UsageError
from .status import ExitStatus
from ..fileformat import load
from ..matcher import match


def match_command(path: str, as_json: bool = False) -> int:
    p = Path(path)
    if p.is_dir():
        return _folder(p, as_json)
    if not p.exists():
        raise UsageError(f"{p}: no such file or folder")
    r = match(load(p))
    if as_json:
        print(json.dumps(r.to_json(), ensure_ascii=False))
        return ExitStatus.OK
    print(format_ranking(r))
    return ExitStatus.OK


def format_ranking(r) -> str:
    out = []
    for f in r.red_flags:
        out.append(f"RED FLAG {f.id} [{getattr(f, 'urgency', 'same_day')}]: {f.text}")
    for pr in r.prompts:
        out.append(f"prompt: {pr}")
    if not r.hypotheses:
        out.append("no painting to match")
    else:
        out.append(f"{'pattern':<28} {'side':<10} {'prob':>5}  {'band':<21}  main reason")
        for h in r.hypotheses[:5]:
            reason = next((e.text for e in h.evidence if e.direction == "for"), "")
            out.append(f"{h.name[:28]:<28} {h.side:<10} {100 * h.probability:4.0f}%  {band_text(h.band):<21}  {reason}")
        top = r.hypotheses[0]
        against = [e.text for e in top.evidence if e.direction == "against"]
        if against:
            out.append(f"against {top.name}: {against[0]}")
    out.append(f"extent {r.summary['extent_percent']:.1f}% of body. Decision aid, not a diagnosis.")
    return "\n".join(out)


def _folder(folder: Path, as_json: bool) -> int:
    """One line per map, read like the folder exports (no PainMap, stroke log skipped) and ranked by
    the same feature computation as `bodymap match FILE`; the text lines need only the top hypothesis."""
    from ..exports.common import Decoder
    from ..matcher import TOP_N

    files = sorted(folder.glob("*.bodymap"))
    if not files:
        raise UsageError(f"{folder}: no .bodymap files in this folder")
    dec = Decoder()
    bad = []
    for f in files:
        try:
            r = dec.rank(dec.read(f), top_n=TOP_N if as_json else 1)
        except BodymapError as exc:
            bad.append(f"{f.name}: {exc}")
            continue
        if as_json:
            d = r.to_json()
            d["file"] = f.name
            print(json.dumps(d, ensure_ascii=False))
        else:
            top = r.top
            flags = ",".join(f"{x.id}[{x.urgency}]" for x in r.red_flags)
            desc = f"{top.id} {top.side} {100 * top.probability:.0f}% {top.band}" if top else "nothing painted"
            print(f"{f.name}\t{'RED FLAG ' + flags if flags else 'no red flags'}\t{desc}")
    for b in bad:
        print(f"skipped {b}", file=sys.stderr)
    return ExitStatus.BAD_INPUT if bad else ExitStatus.OK
