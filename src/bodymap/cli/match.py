"""`bodymap match FILE|DIR [--json]`."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..bands import band_text
from ..errors import BodymapError, UsageError
from ..paths import no_such
from ..fileformat import load
from ..triage import CAVEAT, assess, hypothesis_name, no_pattern_text, shown_side


def match_command(path: str, as_json: bool = False, local_prior: str | None = None,
                  no_local_prior: bool = False) -> int:
    import os

    from ..matcher import LOCAL_PRIOR_ENV

    before = os.environ.get(LOCAL_PRIOR_ENV)
    try:
        if no_local_prior:
            os.environ.pop(LOCAL_PRIOR_ENV, None)
        elif local_prior is not None:
            os.environ[LOCAL_PRIOR_ENV] = str(local_prior)  # every ranking below uses it (matcher.get_model)
        return _match(path, as_json)
    finally:  # the command's choice ends with it (the CLI can run in-process)
        if before is None:
            os.environ.pop(LOCAL_PRIOR_ENV, None)
        else:
            os.environ[LOCAL_PRIOR_ENV] = before


def _match(path: str, as_json: bool) -> int:
    import os

    from ..matcher import LOCAL_PRIOR_ENV, get_model, local_prior_path, read_local_prior

    if local_prior_path():
        if Path(local_prior_path()).is_dir():  # the reader said "(IsADirectoryError)"
            raise UsageError(f"local prior {local_prior_path()}: is a folder; give the JSON file that "
                             "'bodymap lab validate --fit-prior' wrote")
        read_local_prior(local_prior_path())  # one clear message (exit 2) if it is not a local prior
    p = Path(path)
    if p.is_dir():
        if local_prior_path():
            print(get_model().local_prior.describe(), file=sys.stderr)
        return _folder(p, as_json)
    if not p.exists():
        raise UsageError(no_such(p, "file or folder"))
    m = load(p)
    r = assess(m)
    if as_json:
        print(json.dumps(r.to_json(), ensure_ascii=False))
        return 0
    print(format_ranking(r, painted=not m.is_empty))
    if local_prior_path():  # comparable: the prior's provenance and the top line without it
        prior = get_model(m.atlas).local_prior
        saved = os.environ.pop(LOCAL_PRIOR_ENV)
        try:
            plain = assess(m)
        finally:
            os.environ[LOCAL_PRIOR_ENV] = saved
        top = plain.hypotheses[0] if plain.hypotheses else None
        print(f"ranked with the {prior.describe()}")
        print("without it: " + (f"{hypothesis_name(top)} {100 * top.probability:.0f}% "
                                f"{band_text(top.band)}" if top else "no ranking"))
    return 0


def format_ranking(r, painted: bool | None = None) -> str:
    """The ranking as a clinician reads it in a terminal: red flags first, prompts, then the table.
    `painted`: whether the map holds any paint (default: from the ranking's extent)."""
    out = []
    for f in r.red_flags:  # as `show` and the report word it: the text says the urgency; the ids are in --json
        out.append(f"RED FLAG: {f.text}")
    if getattr(r, "not_asked_line", None):  # ADR 0042: right under the red flags
        out.append(r.not_asked_line)
    for pr in r.prompts:
        out.append(f"prompt: {pr}")
    if getattr(r, "ranking_error", None):
        out.append(f"no ranking: {r.ranking_error}")
    elif not r.hypotheses:
        if painted is None:
            painted = bool(r.summary.get("extent_percent"))
        out.append(f"no pattern to rank: {no_pattern_text(painted)}")
    else:
        if r.red_flags or r.prompts or getattr(r, "not_asked_line", None):
            out.append(CAVEAT)
        shown = r.hypotheses[:5]
        # the names whole ("Carpal tunnel syndrome (medi" was cut at 28 characters): the column is as wide as
        # the longest name shown
        w = max([len("pattern")] + [len(hypothesis_name(h)) for h in shown])
        out.append(f"{'pattern':<{w}} {'side':<10} {'prob':>5}  {'band':<21}  main reason")
        for h in shown:
            reason = next((e.text for e in h.evidence if e.direction == "for"), "no painted area speaks for it")
            out.append(f"{hypothesis_name(h):<{w}} {shown_side(h) or '-':<10} {100 * h.probability:4.0f}%  {band_text(h.band):<21}  {reason}")
        top = r.hypotheses[0]
        against = [e.text for e in top.evidence if e.direction == "against"]
        if against:
            out.append(f"against {top.name}: {against[0]}")
    out.append(f"extent {r.summary['extent_percent']:.1f}% of body. Decision aid, not a diagnosis.")
    return "\n".join(out)


def _folder(folder: Path, as_json: bool) -> int:
    from ..exports.common import Decoder, Progress, list_maps  # issue 25: count, rate, time left on a terminal

    files = list_maps(folder)  # the one folder listing of the exports (the suffix in any case)
    bad = []
    from ..batch import one_blas_thread
    from ..matcher import TOP_N

    dec = Decoder()  # read like the folder exports (issue 19): no PainMap, the stroke log skipped, bodymap.features

    bar = Progress("match", len(files), sys.stderr, tty=sys.stderr.isatty() and not sys.stdout.isatty())
    with one_blas_thread():  # the matcher's small products: a second BLAS thread only waits (ADR 0033)
        for k, f in enumerate(files):
            bar.update(k + 1)
            try:
                r = dec.rank(dec.read(f), top_n=TOP_N if as_json else 1)  # the same triage as assess(load(f))
            except BodymapError as exc:
                bad.append(f"{f.name}: {exc}")
                continue
            if as_json:
                d = r.to_json()
                d["file"] = f.name
                print(json.dumps(d, ensure_ascii=False))
            else:
                print(folder_line(f.name, r))
    bar.finish()
    for b in bad:
        print(f"skipped {b}", file=sys.stderr)
    return 2 if bad else 0


def folder_line(name: str, r) -> str:
    """One map of `match FOLDER` in the words a clinician reads (ADR 0043: it printed "none right 33% weak" and
    "cauda_equina[emergency]"): file, tab, the red flags by urgency and suspected cause, tab, the top pattern
    with its side, percentage and band. The ids and urgencies stay in `--json`."""
    flags = "; ".join(x.text.split(": ", 1)[0] for x in r.red_flags)  # "Emergency - Possible cauda equina syndrome"
    top = r.top
    if getattr(r, "ranking_error", None):
        desc = f"no ranking: {r.ranking_error}"
    elif top is None:
        desc = f"no pattern to rank: {no_pattern_text(bool(r.summary.get('extent_percent')))}"
    else:
        desc = f"{hypothesis_name(top)} {100 * top.probability:.0f}% {band_text(top.band)}"
    return f"{name}\t{'RED FLAG: ' + flags if flags else 'no red flags'}\t{desc}"
