"""Put the figures from bench/results.json into docs/performance.md (between the markers), never by hand."""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "performance.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"


def fmt(v):
    if v is None:
        return "not measured"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return f"{v:,}"


def within(v: dict) -> str:
    """'yes', '**no**' or '-': the value against its budget ("<= 8", ">= 2000"), so an over-budget
    figure stands out in the table instead of hiding among the others."""
    budget, value = str(v.get("budget", "-")).split(), v.get("value")
    if len(budget) != 2 or budget[0] not in ("<=", ">=") or not isinstance(value, (int, float)):
        return "-"
    limit = float(budget[1])
    ok = value <= limit if budget[0] == "<=" else value >= limit
    return "yes" if ok else "**no**"


def main() -> None:
    r = json.loads((HERE / "results.json").read_text())
    main_rows = [(k, v) for k, v in r.items() if not k.startswith("scaling_")]
    scale_rows = [(k, v) for k, v in r.items() if k.startswith("scaling_")]
    lines = ["| name | value | unit | budget | within budget | how measured |", "|---|---|---|---|---|---|"]
    for k, v in main_rows:
        lines.append(f"| `{k}` | {fmt(v['value'])} | {v['unit']} | {v['budget']} | {within(v)} | {v.get('note', '')} |")
    lines += ["", "Scaling runs:", "", "| name | value | unit | note |", "|---|---|---|---|"]
    for k, v in scale_rows:
        lines.append(f"| `{k}` | {fmt(v['value'])} | {v['unit']} | {v.get('note', '')} |")
    text = DOC.read_text()
    a, b = text.index(START) + len(START), text.index(END)
    DOC.write_text(text[:a] + "\n" + "\n".join(lines) + "\n" + text[b:])
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()
