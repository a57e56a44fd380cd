"""A clinic's local prior: its own pattern prevalences, fitted from its confirmed cases by
`bodymap lab validate FOLDER --fit-prior FILE` (bodymap.lab.local), used by the live matcher
only when asked (docs/adr/0026-matcher-live-local-prior.md). Headless, standard library only."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import PatternError

# A clinic's own pattern prevalences, fitted by `bodymap lab validate FOLDER --fit-prior FILE` from its
# confirmed cases (issue 25). Opt-in: only when this environment variable (or `bodymap match
# --local-prior FILE`) names the file; unset it (or `--no-local-prior`) and the library's priors return.
LOCAL_PRIOR_ENV = "BODYMAP_LOCAL_PRIOR"
LOCAL_PRIOR_SCHEMA = "bodymap.local-prior/1"


@dataclass(frozen=True)
class LocalPrior:
    """A fitted local prior and its provenance (how many cases, when, by whom, from which folder)."""

    path: str
    prevalence: dict[str, float]
    cases: int
    fitted: str
    fitted_by: str
    folder: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.path, "cases": self.cases, "fitted": self.fitted, "fitted_by": self.fitted_by,
                "folder": self.folder}

    def describe(self) -> str:
        return (f"local prior {self.path}: {self.cases} confirmed cases, fitted {self.fitted} by {self.fitted_by} "
                f"(folder {self.folder})")


MAX_LOCAL_PRIOR_BYTES = 1_000_000  # a fitted prior is a few KB: one number per pattern and side


def read_local_prior(path: str | Path) -> LocalPrior:
    """A local prior file (schema bodymap.local-prior/1), checked; one clear message if it is not one."""
    import json

    p = Path(path)
    where = f"local prior {p}"
    from .paths import read_regular

    try:
        raw = read_regular(p, MAX_LOCAL_PRIOR_BYTES, "a local prior")
    except FileNotFoundError:
        raise PatternError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise PatternError(f"{where}: is a folder, expected a local prior file") from None
    except OSError as exc:
        raise PatternError(f"{where}: cannot read ({exc.strerror or 'the system refused'})") from None
    except ValueError as exc:  # a FIFO or device, or too large
        raise PatternError(f"{where}: {exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PatternError(f"{where}: not a local prior (not UTF-8 text)") from None
    except ValueError:
        raise PatternError(f"{where}: not a local prior (not JSON)") from None
    except RecursionError:  # '[[[[...' 200,000 deep was an internal error, exit 1 (ADR 0043)
        raise PatternError(f"{where}: not a local prior (JSON nested too deeply)") from None
    prev = doc.get("prevalence") if isinstance(doc, dict) else None
    if not isinstance(doc, dict) or doc.get("schema") != LOCAL_PRIOR_SCHEMA or not isinstance(prev, dict):
        raise PatternError(f"{where}: not a local prior (schema {LOCAL_PRIOR_SCHEMA})")
    if not prev or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v <= 1 and math.isfinite(v)
                           for v in prev.values()):
        raise PatternError(f"{where}: prevalences must be numbers in (0, 1]")
    cases = doc.get("cases")
    return LocalPrior(str(p), {str(k): float(v) for k, v in prev.items()},
                      int(cases) if isinstance(cases, int) and not isinstance(cases, bool) else 0,
                      str(doc.get("fitted", "?")), str(doc.get("fitted_by", "?")), str(doc.get("folder", "?")))


def local_prior_path() -> str | None:
    """The local prior file named by BODYMAP_LOCAL_PRIOR, or None (the default: the library's priors)."""
    import os

    return os.environ.get(LOCAL_PRIOR_ENV, "").strip() or None


def with_local_prior(lib, prior: LocalPrior):
    """The library with its priors replaced by the clinic's prevalences, on the library's own scale
    (a pattern or "none" the file does not name keeps its prior)."""
    from dataclasses import replace

    NONE_ID = "none"
    total = sum(p.prior for p in lib.patterns) + lib.none_prior
    unknown = sorted(set(prior.prevalence) - {p.id for p in lib.patterns} - {NONE_ID})
    if unknown:
        raise PatternError(f"local prior {prior.path}: unknown pattern id(s) {', '.join(unknown[:5])}")
    pats = [replace(p, prior=prior.prevalence[p.id] * total) if p.id in prior.prevalence else p for p in lib.patterns]
    none_prior = prior.prevalence[NONE_ID] * total if NONE_ID in prior.prevalence else lib.none_prior
    return replace(lib, patterns=pats, none_prior=none_prior)


def ranking_note(ranking: Any) -> str | None:
    """The local-prior line for a Ranking, or None when the library's own priors ranked it."""
    lp = (getattr(ranking, "summary", None) or {}).get("local_prior") if ranking is not None else None
    if not lp:
        return None
    return (f"Ranked with this clinic's local prior ({lp.get('cases')} confirmed cases, fitted {str(lp.get('fitted'))[:10]} "
            f"by {lp.get('fitted_by')}); without it: unset {LOCAL_PRIOR_ENV} or `bodymap match --no-local-prior`.")
