"""Every window is built from owned parts, not mixins (issue 19 item 2; ADR 0034 the painting window, ADR 0038 the
review window, ADR 0039 the kiosk).

Read from the source, for every window package under `ui/` (`paint`, `review`, `kiosk`): no class extends another
class of its own package, and none gathers more than one base class of bodymap's own, so a window cannot grow a
chain of mixins sharing one set of attributes again (the size rule would count such a chain as one class, ADR
0015; this says where it went wrong). Nothing is exempt: the kiosk, the last window with mixins, lost them in
ADR 0039, and its screens are given a narrow context, never the kiosk's shell.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "bodymap"
UI = SRC / "ui"
def _classes(root: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """file -> [(class, base names)] for every module under `root`."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        out[path.relative_to(SRC).as_posix()] = [
            (n.name, [b.id if isinstance(b, ast.Name) else b.attr if isinstance(b, ast.Attribute) else ""
                      for b in n.bases]) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    return out


def windows() -> list[str]:
    return sorted(p.name for p in UI.iterdir() if p.is_dir() and p.name != "kit" and (p / "__init__.py").exists())


def _faults(package: str) -> dict[str, list[str]]:
    """class -> what is wrong with it: bases of its own package it extends, or several bodymap bases."""
    own = _classes(UI / package)
    ours = {name for classes in own.values() for name, _ in classes}
    everywhere = {name for classes in _classes(SRC).values() for name, _ in classes}
    faults: dict[str, list[str]] = {}
    for f, classes in own.items():
        for name, bases in classes:
            if set(bases) & ours:
                faults.setdefault(name, []).append(f"{f}: extends {sorted(set(bases) & ours)}")
            if len(set(bases) & everywhere) > 1:
                faults.setdefault(name, []).append(f"{f}: gathers mixins {sorted(set(bases) & everywhere)}")
    return faults


def test_the_window_packages_are_the_three_windows():
    assert windows() == ["kiosk", "paint", "review"]  # a new window package is checked too


@pytest.mark.parametrize("package", windows())
def test_no_class_of_a_window_extends_another_or_gathers_mixins(package):
    faults = _faults(package)
    assert not faults, f"a class of ui/{package} extends another or gathers mixins (make it an owned part): {faults}"


def test_every_window_inherits_nothing():
    for rel, name in (("ui/paint/screen.py", "PaintScreen"), ("ui/review/screen.py", "ReviewScreen"),
                      ("ui/kiosk/app.py", "KioskApp")):
        assert dict(_classes(SRC / Path(rel).parent)[rel])[name] == [], name


def test_no_kiosk_screen_or_part_holds_the_kiosk_shell():
    """A kiosk screen, overlay or part is given the narrow `ScreenContext` (ui/kiosk/context.py) and what it
    needs by name; only the shell (app.py) and the loop that runs it (run.py, the package's __init__) name
    `KioskApp`, and nothing keeps an `app` attribute."""
    held = []
    for path in sorted((UI / "kiosk").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "app":
                held.append(f"{path.name}:{node.lineno} .app")
            if path.name not in ("app.py", "run.py", "__init__.py") and isinstance(node, ast.Name) \
                    and node.id == "KioskApp":
                held.append(f"{path.name}:{node.lineno} KioskApp")
            if isinstance(node, ast.arg) and node.arg == "app":
                held.append(f"{path.name}:{node.lineno} parameter app")
    assert not held, held
