"""The size rule (ADR 0005, ADR 0015): no source file over 500 lines, no class over 300 lines, unless the
table in ADR 0015 names it with a ceiling it stays under. A class counts with its whole chain of bases
defined in bodymap (a window's mixins are one class)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "bodymap"
ADR = Path(__file__).resolve().parents[1] / "docs" / "adr" / "0015-house-size-ceilings-and-adr-status.md"
MAX_FILE, MAX_CLASS = 500, 300


def _classes(root: Path = SRC) -> list[tuple[str, str, int, list[str]]]:
    """(file, class, own lines, base names) for every class in the package."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                         for b in node.bases]
                out.append((rel, node.name, node.end_lineno - node.lineno + 1, bases))
    return out


def chain_sizes(root: Path = SRC) -> dict[tuple[str, str], int]:
    """(file, class) -> lines of the class and of every base defined in bodymap, each counted once.

    A base name is looked up beside the class first (same folder), then anywhere in the package."""
    classes = _classes(root)
    by_name: dict[str, list[tuple[str, int, list[str]]]] = {}
    for rel, name, n, bases in classes:
        by_name.setdefault(name, []).append((rel, n, bases))

    def resolve(name: str, near: str):
        cands = by_name.get(name, [])
        same = [c for c in cands if Path(c[0]).parent == Path(near).parent]
        return (same or cands or [None])[0]

    out = {}
    for rel, name, n, bases in classes:
        seen, total, todo = {(rel, name)}, n, [(b, rel) for b in bases]
        while todo:
            b, near = todo.pop()
            hit = resolve(b, near)
            if hit is None or (hit[0], b) in seen:
                continue
            seen.add((hit[0], b))
            total += hit[1]
            todo += [(bb, hit[0]) for bb in hit[2]]
        out[(rel, name)] = total
    return out


def ceilings() -> dict[str, int]:
    """`name` -> ceiling, from the table rows of ADR 0015: | `atlas.py` | 775 | why |"""
    rows = re.findall(r"^\| `([\w.]+)` \| (\d+) \|", ADR.read_text(encoding="utf-8"), flags=re.M)
    assert rows, "ADR 0015 has no ceiling table"
    return {name: int(n) for name, n in rows}


def _over() -> list[tuple[str, int]]:
    """(name as the ADR table writes it, lines) for every file and class over the rule."""
    over = []
    for path in sorted(SRC.rglob("*.py")):
        n = path.read_text(encoding="utf-8").count("\n")
        if n > MAX_FILE:
            over.append((path.name, n))
    for (_, name), n in chain_sizes().items():
        if n > MAX_CLASS:
            over.append((name, n))
    return over


def test_every_file_and_class_over_the_rule_has_a_ceiling_in_adr_0015():
    limits = ceilings()
    unexplained = [(name, n) for name, n in _over() if name not in limits]
    assert not unexplained, f"over the size rule with no ceiling in {ADR.name}: {unexplained}"


def test_no_exception_grows_past_its_ceiling():
    limits = ceilings()
    grown = [(name, n, limits[name]) for name, n in _over() if name in limits and n > limits[name]]
    assert not grown, f"past the ceiling in {ADR.name} (split the code, or raise the ceiling there): {grown}"


def test_every_ceiling_is_still_needed_and_above_the_rule():
    """A ceiling left behind after a split would let the file grow back unseen."""
    over = {name for name, _ in _over()}
    stale = [name for name in ceilings() if name not in over]
    assert not stale, f"these are within the rule now: remove their rows from {ADR.name}: {stale}"


def test_a_mixin_chain_counts_as_one_class(tmp_path):
    """A window cut into mixins is measured whole: its own lines plus each base's, a shared base once, a base
    beside it before one of the same name elsewhere. (The painting window no longer has mixins, ADR 0034, so
    the rule is shown on a small package of its own.)"""
    def write(rel: str, text: str) -> None:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")

    body = "".join(f"    x{i} = {i}\n" for i in range(9))  # a class of 10 lines
    write("win/layout.py", "class Layout(Shared):\n" + body)
    write("win/input.py", "class Input(Shared):\n" + body)
    write("win/shared.py", "class Shared:\n" + body)
    write("win/screen.py", "class Screen(Layout, Input, object):\n" + body)
    write("other/layout.py", "class Layout:\n" + body + body)  # same name elsewhere: not the one beside it
    sizes = chain_sizes(tmp_path)
    assert sizes[("win/screen.py", "Screen")] == 40  # itself, Layout, Input and Shared (once)
    assert sizes[("win/layout.py", "Layout")] == 20
    assert sizes[("other/layout.py", "Layout")] == 19
    real = chain_sizes()
    own = {(rel, name): n for rel, name, n, _ in _classes()}
    assert all(real[k] >= own[k] for k in own)
