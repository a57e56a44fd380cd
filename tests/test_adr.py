"""Every ADR says whether it still holds and since when (ADR 0015): a status line under its title."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

ADRS = sorted((Path(__file__).resolve().parents[1] / "docs" / "adr").glob("[0-9][0-9][0-9][0-9]-*.md"))
STATUS = re.compile(r"^\*\*Status:\*\* (proposed|accepted|deprecated|superseded by (\d{4})), (\d{4}-\d{2}-\d{2})\b")


def test_adr_numbers_are_not_reused():
    numbers = [p.name[:4] for p in ADRS]
    assert ADRS and len(set(numbers)) == len(numbers)


@pytest.mark.parametrize("path", ADRS, ids=[p.name for p in ADRS])
def test_each_adr_has_a_title_then_a_status_and_a_date(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# "), "the first line is the title"
    status = next((ln for ln in lines[1:6] if ln.startswith("**Status:**")), None)
    assert status, "no '**Status:** accepted, YYYY-MM-DD' line under the title"
    m = STATUS.match(status)
    assert m, f"status line not in the form '**Status:** accepted, YYYY-MM-DD': {status!r}"
    assert date(2026, 1, 1) <= date.fromisoformat(m.group(3)) <= date.today()
    if m.group(2):  # superseded by NNNN: that ADR exists
        assert any(p.name.startswith(m.group(2) + "-") for p in ADRS)
