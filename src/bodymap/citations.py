"""How a source of regions/patterns.yaml is named in the evidence a clinician reads.

A source key that reads as author and year ('furman2019', 'vanderwurff2000') is shown as 'Furman 2019 (S)';
any other key ('statpearls_facet', 'lss_review_age') is an internal id and is never shown: its entry's
`short:` name is, or else the head of its citation (the text before the first ': ', without a trailing
bracket), e.g. 'StatPearls, lumbar facet syndrome (S)'. The reliability label (R, S or M) follows the name,
so an estimate stays visibly an estimate.

Headless: the standard library only.
"""
from __future__ import annotations

import re
from typing import Any

AUTHOR_YEAR = re.compile(r"([a-z_]+?)_?(\d{4})(.*)$")
MAX_HEAD = 80  # a citation head longer than this is cut at a comma before it


def cite(source: str, sources: dict[str, Any]) -> str:
    """A short citation: 'furman2019' -> 'Furman 2019 (S)', 'mayo_mp' -> 'Mayo Clinic, meralgia paresthetica
    symptoms (S)'; bodymap's estimates -> 'bodymap estimate (M)'; text that is not a key is shown as it is."""
    if source in sources:
        entry = sources[source] if isinstance(sources[source], dict) else {}
        return f"{source_name(source, entry)} ({entry.get('label', '?')})"
    if source.startswith("bodymap estimate") or source.startswith("defaults."):
        return "bodymap estimate (M)"
    if source.startswith("seed"):
        return f"{source} (user's reading)"
    return source


def source_name(key: str, entry: dict) -> str:
    """The readable name of one source (without its label)."""
    short = entry.get("short")
    if isinstance(short, str) and short.strip():
        return short.strip()
    m = AUTHOR_YEAR.match(key)
    if m:
        name = m.group(1).replace("_", " ").title()
        if name.lower() == "vanderwurff":
            name = "van der Wurff"
        return f"{name} {m.group(2)}"
    return citation_head(str(entry.get("citation") or "")) or "source without a name"


def citation_head(citation: str) -> str:
    """The title part of a citation: before the first ': ', without a trailing bracket, at most MAX_HEAD long."""
    head = re.split(r":\s", citation.strip(), maxsplit=1)[0].strip()
    head = re.sub(r"\s*\([^()]*\)\s*$", "", head).strip()
    if len(head) > MAX_HEAD:
        cut = head.rfind(", ", 0, MAX_HEAD)
        head = head[:cut] if cut > 0 else head[:MAX_HEAD].rstrip() + "..."
    return head
