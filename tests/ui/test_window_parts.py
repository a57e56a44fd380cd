"""Every window is built from owned parts, not mixins (issue 19 item 2; ADR 0034 the painting window, ADR 0038 the
review window).

Read from the source, for every window package under `ui/` (`paint`, `review`, `kiosk`): no class extends another
class of its own package, and none gathers more than one base class of bodymap's own, so a window cannot grow a
chain of mixins sharing one set of attributes again (the size rule would count such a chain as one class, ADR
0015; this says where it went wrong). What is still open is listed by name below and must still be open: a
class that no longer needs its line fails the test until the line goes, so the list only shrinks.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "bodymap"
UI = SRC / "ui"
KIOSK_SCENES = ("ReviewScene", "DialogOverlay", "IdleWarning", "StaffOverlay", "HelpOverlay", "ThanksScene",
                "WelcomeScene", "RedFlagScene", "PaintScene", "PinOverlay", "QuestionScene")
STILL_OPEN = {  # package -> {class: why it may still extend a class of its package or gather mixins}
    "kiosk": {"KioskApp": "the kiosk's geometry, touch and assist mixins (ADR 0015's KioskApp row)",
              **{name: "a kiosk screen extends KioskScene, which holds the whole app" for name in KIOSK_SCENES}},
}


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
    unexplained = {k: v for k, v in faults.items() if k not in STILL_OPEN.get(package, {})}
    assert not unexplained, f"a class of ui/{package} extends another or gathers mixins (make it an owned part): " \
                            f"{unexplained}"


@pytest.mark.parametrize("package", sorted(STILL_OPEN))
def test_every_open_line_is_still_needed(package):
    faults = _faults(package)
    stale = sorted(set(STILL_OPEN[package]) - set(faults))
    assert not stale, f"these classes of ui/{package} no longer extend a class of it: remove their lines: {stale}"


def test_the_painting_and_review_windows_inherit_nothing():
    for rel, name in (("ui/paint/screen.py", "PaintScreen"), ("ui/review/screen.py", "ReviewScreen")):
        assert dict(_classes(SRC / Path(rel).parent)[rel])[name] == [], name
