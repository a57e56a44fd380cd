"""Every picture a Markdown page shows exists, and the pictures live in docs/images/ (issue 19 item 9)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+\.png)\)|src=\"([^\"]+\.png)\"")


def markdown_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "*.md"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        files = [ROOT / f for f in out.split()]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: every Markdown file under the root
        files = [p for p in ROOT.rglob("*.md") if ".venv" not in p.parts]
    return [f for f in files if f.is_file()]


def test_every_picture_link_in_the_docs_resolves():
    broken = []
    for f in markdown_files():
        for m in LINK.finditer(f.read_text(encoding="utf-8")):
            ref = m.group(1) or m.group(2)
            if not ref.startswith(("http://", "https://")) and not (f.parent / ref).is_file():
                broken.append(f"{f.relative_to(ROOT)}: {ref}")
    assert not broken, broken


def test_no_picture_is_left_at_the_top_of_docs():
    assert not sorted(p.name for p in (ROOT / "docs").glob("*.png"))
    assert any((ROOT / "docs" / "images").glob("*.png"))
