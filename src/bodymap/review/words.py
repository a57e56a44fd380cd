"""The review window's words for a map, without pygame: its answers, pain, extent, regions and times.

The entry lines of the list (`entry_time`, `entry_when`) and the information panel's lines for one map
(`answer_lines`, `intensity_line`, `extent_line`, `regions_line`, `sensations_line`); the short words for
a red flag (`flag_short`).
"""
from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from typing import Any, TYPE_CHECKING

from .. import vocabulary
from ..painting import SENSATION_WORDS, PainMap
from ..times import local_time

if TYPE_CHECKING:
    from .entries import MapEntry

QUESTION_WORDS = vocabulary.clinician_words("en")  # {answer key: label}, from the one vocabulary
RED_FLAG_QUESTIONS = vocabulary.red_flag_keys()
# the list's short words for a flag id: its pathology's words (vocabulary.pathology_label), "not sure" marked;
# ids recorded in older files under the old rules keep their own words
FLAG_SHORT = {"serious_pathology": "serious pathology signs", "progressive_weakness": "new or worsening weakness",
              "sexual_dysfunction": "new sexual dysfunction", "infection_risk": "infection risk",
              "fracture_risk": "fracture risk", "cancer_risk": "serious pathology risk factors"}


def flag_short(flag_id: str) -> str:
    if flag_id in FLAG_SHORT:
        return FLAG_SHORT[flag_id]
    base = flag_id[:-len("_unsure")] if flag_id.endswith("_unsure") else flag_id
    if base in vocabulary.PATHOLOGIES:
        return vocabulary.pathology_label(base) + (" (not sure)" if base != flag_id else "")
    return flag_id.replace("_", " ")


def format_time(dt: datetime, tz: tzinfo | None = None) -> str:
    """Local time with its zone, as everywhere (bodymap.times): '2024-03-05 14:07 CET (UTC+01:00)'
    (tz None: this computer's time zone)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return local_time(dt.isoformat(), tz)


def entry_time(e: "MapEntry", tz: tzinfo | None = None) -> str:
    return format_time(e.when, tz) + (" (file time)" if e.time_from_file else "")


def entry_when(e: "MapEntry", tz: tzinfo | None = None, short: bool = False) -> str:
    """When a map was, for a comparison: the visit date where given ('visit 2024-03-15, saved 2024-03-20
    09:00 UTC'; short: 'visit 2024-03-15'), else its saved time: maps are compared in visit order."""
    if not e.visit_date:
        return entry_time(e, tz)
    return f"visit {e.visit_date}" + ("" if short else f", saved {entry_time(e, tz)}")



def answer_word(key: str, value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if key == "age":
        return f"{value} years"
    return str(value)


def answer_lines(m: PainMap) -> tuple[list[str], list[str]]:
    """(['Numbness: yes', 'Age: 54 years', ...], ['not answered' question words])."""
    lines, missing = [], []
    for q in vocabulary.keys():
        if q in m.answers:
            lines.append(f"{QUESTION_WORDS[q]}: {answer_word(q, m.answers[q])}")
        elif vocabulary.applies(q, m.answers):  # a follow-up that does not apply is not "not answered"
            missing.append(vocabulary.words(q, "short"))
    for k, v in (getattr(m, "extra_answers", None) or {}).items():
        lines.append(f"{str(k).replace('_', ' ')}: {answer_word(k, v)} (question from a newer bodymap)")
    return lines, missing


def intensity_line(m: PainMap, short: bool = False) -> str:
    """'Pain now: 6/10; burning 7/10' (short: '6/10; burning 7/10')."""
    inten = dict(m.intensity)
    parts = []
    head = "" if short else "Pain now: "
    if "overall" in inten:
        parts.append(f"{head}{inten.pop('overall')}/10")
    else:
        parts.append(f"{head}not given")
    for k, v in inten.items():
        parts.append(f"{SENSATION_WORDS.get(k, k).split(' (')[0]} {v}/10")
    return "; ".join(parts)


def extent_line(m: PainMap) -> str:
    e = m.extent_percent()
    return f"Extent: {e['total']:.1f}% of body (front {e['front']:.1f}%, back {e['back']:.1f}%)"


def regions_line(m: PainMap) -> str:
    cov = m.region_coverage(min_fraction=0.01)
    rids = sorted(cov, key=lambda r: (-cov[r], r))
    if not rids:
        return "Painted: nothing"
    return "Painted: " + ", ".join(f"{m.atlas.region(r).name} ({100 * cov[r]:.0f}%)" for r in rids)


def sensations_line(m: PainMap) -> str:
    s = m.sensations_present()
    return "Feels: " + (", ".join(SENSATION_WORDS.get(x, x) for x in s) if s else "-")
