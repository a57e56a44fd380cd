"""docs/red-flags.md, generated from the rules in regions/questions.yaml (one table row per rule line).

    python -m bodymap.redflags_doc > docs/red-flags.md

A test checks that the page is current and, row by row, that each rule fires on its
items and stays quiet without them (tests/core/test_triage_rules.py). Headless.
"""
from __future__ import annotations

import sys
from typing import Any

from . import vocabulary

HEAD = """# Red flags: the rules, one row each

Generated from `regions/questions.yaml` by `python -m bodymap.redflags_doc`; do not
edit by hand (a test checks that this page matches the rules). The rules are read
by `bodymap.triage.assess`, which every window and export uses (docs/adr/0012-triage.md).

- One rule (flag id) per suspected **pathology**, after Finucane 2020: a flag never
  borrows a neighbour's label. A row is one line of a rule: its **items** must all
  hold ("any of" means at least one of the list).
- **urgency**: `emergency` (act now) or `same_day` (a clinician today). A flag's
  urgency is the most urgent of its rows that hold.
- **risk factor** rows are not red flags alone: the clinician sees them as a prompt.
  Two of one rule's risk factors together raise its flag (`combine`, where shown).
- **"Not sure"** on any red-flag question counts as a yes for every row, at most
  `same_day`: the flag comes back as `<id>_unsure` with "not sure about ...".
- A flag recorded in an older file under an old id (`legacy ids`) counts as that
  rule's; one no rule raises again is kept as it was written, never lost.
- Sources: the ids in the last column are cited in full at the end of this page
  (and in `regions/questions.yaml`, with their R/S/M labels).
"""


def _cond(key: str, want: Any) -> str:
    if key == "both_legs_painted":
        return "both legs painted" if want else "not both legs painted"
    words = vocabulary.words(key, "short")
    if key in vocabulary.legacy_keys():
        words += " (older question, never asked now)"
    if want is True:
        return words
    if want is False:
        return f"no {words}"
    if want == "unanswered":
        return f"{words} not answered"
    if isinstance(want, dict) and "over" in want:
        return f"{words} over {want['over']}"
    if isinstance(want, dict) and "under" in want:
        return f"{words} under {want['under']}"
    return f"{key}: {want}"


def items_text(trigger: Any) -> str:
    """The items of one rule line in words: 'history of cancer + any of (new or worsening weakness, ...)'."""
    parts = [_cond(k, w) for k, w in trigger.when.items()]
    parts += ["any of (" + ", ".join(_cond(k, w) for k, w in g.items()) + ")" for g in trigger.any]
    return " + ".join(parts)


def rows() -> list[tuple[str, str, str, str, str, str]]:
    """(row id, pathology, items, urgency, kind, sources) per rule line, in rule order."""
    out = []
    for rule in vocabulary.flag_rules():
        for i, t in enumerate(rule.triggers, 1):
            kind = "risk factor (prompt alone)" if t.risk_factor else "sign" if t.sign else "joins" if t.joins \
                else "flag"
            urg = t.urgency or "-"
            out.append((f"{rule.id}.{i}", rule.pathology, items_text(t), urg, kind, ", ".join(t.source)))
        if rule.combine:
            out.append((f"{rule.id}.combine", rule.pathology,
                        f"{rule.combine.needs} of this rule's risk factors and signs, at least one a risk factor",
                        rule.combine.urgency, "flag", ", ".join(rule.combine.source)))
    for p in vocabulary.prompt_rules():
        out.append((f"prompt.{p.id}", "-", items_text(p), "prompt only", "prompt", ", ".join(p.source)))
    return out


def markdown() -> str:
    lines = [HEAD, "| row | pathology | items | urgency | kind | source |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows()]
    lines += ["", "## Rules", "", "| flag id | pathology | title | legacy ids | not raised when |",
              "|---|---|---|---|---|"]
    for rule in vocabulary.flag_rules():
        lines.append(f"| `{rule.id}` | {rule.pathology} | {rule.title} | {', '.join(rule.legacy_ids) or '-'} | "
                     f"{', '.join(rule.unless) or '-'} |")
    lines += ["", "## Advice carried by a flag", ""]
    for rule in vocabulary.flag_rules():
        for i, t in enumerate(rule.triggers, 1):
            if t.advice:
                lines.append(f"- `{rule.id}.{i}`: {t.advice}")
    lines += ["", "## Sources", ""]
    used = sorted({s for r in vocabulary.flag_rules() for t in r.triggers for s in t.source}
                  | {s for r in vocabulary.flag_rules() if r.combine for s in r.combine.source}
                  | {s for p in vocabulary.prompt_rules() for s in p.source})
    lines += [f"- `{s}`: {vocabulary.source_text(s)}" for s in used]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - the page is checked by a test
    sys.stdout.write(markdown())
