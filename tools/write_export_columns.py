"""Rewrite the CSV column order in docs/exports.md from the code (bodymap.exports.csvexport.columns).

    PYTHONPATH=src python tools/write_export_columns.py

tests/exports/test_export_columns.py fails when the document and the code disagree.
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from bodymap.exports.csvexport import COLUMN_DOC_END, COLUMN_DOC_START, column_order_markdown  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "exports.md"


def main() -> int:
    text = DOC.read_text(encoding="utf-8")
    a, b = text.find(COLUMN_DOC_START), text.find(COLUMN_DOC_END)
    if a < 0 or b < a:
        print(f"{DOC}: no column-order block ({COLUMN_DOC_START!r} ... {COLUMN_DOC_END!r})", file=sys.stderr)
        return 2
    DOC.write_text(text[:a] + column_order_markdown() + text[b + len(COLUMN_DOC_END):], encoding="utf-8")
    print(f"wrote the column order into {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
