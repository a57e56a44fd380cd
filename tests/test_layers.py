"""The layer rules bite: every module of the package has a place in .importlinter's one layers contract.

`lint-imports` (run by `make test`) checks the imports against the contracts; this test checks the
contracts against the package, so a new module cannot slip past them by being named nowhere.
"""
from __future__ import annotations

import configparser
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "bodymap"


def _config() -> configparser.ConfigParser:
    cp = configparser.ConfigParser()
    cp.read(ROOT / ".importlinter", encoding="utf-8")
    return cp


def _listed(value: str) -> list[str]:
    return [x.strip() for line in value.splitlines() for x in re.split(r"[|:]", line) if x.strip()]


def _modules() -> list[str]:
    """Every module of the package: `bodymap.x` for top-level modules and packages, deeper names too."""
    out = []
    for p in sorted(PKG.rglob("*.py")):
        parts = p.relative_to(PKG.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append(".".join(parts))
    return out


def _layer_of(module: str, layers: list[list[str]]) -> int | None:
    for i, layer in enumerate(layers):
        if any(module == m or module.startswith(m + ".") for m in layer):
            return i
    return None


def _layers() -> list[list[str]]:
    cp = _config()
    contracts = [s for s in cp.sections() if cp.get(s, "type", fallback="") == "layers"
                 and not cp.get(s, "containers", fallback="")]
    assert len(contracts) == 1, f"one layers contract over the whole package, found {contracts}"
    lines = [ln.strip() for ln in cp.get(contracts[0], "layers").splitlines() if ln.strip()]
    return [[x.strip() for x in re.split(r"[|:]", ln) if x.strip()] for ln in lines]


def test_every_module_belongs_to_a_layer():
    layers = _layers()
    missing = [m for m in _modules() if m != "bodymap" and _layer_of(m, layers) is None]
    assert not missing, f"add these modules to the layers contract in .importlinter: {missing}"


def test_every_layer_entry_is_a_real_module():
    """A name left behind after a module was moved or deleted would check nothing."""
    modules = set(_modules())
    stale = [m for layer in _layers() for m in layer if m not in modules]
    assert not stale, f"no such module: {stale}"


def test_everything_below_render_is_in_the_headless_contract():
    layers = _layers()
    render = _layer_of("bodymap.render", layers)
    below = [m for layer in layers[render + 1:] for m in layer]
    cp = _config()
    headless = _listed(cp.get("importlinter:contract:core-headless", "source_modules"))
    assert "pygame" in _listed(cp.get("importlinter:contract:core-headless", "forbidden_modules"))
    assert sorted(set(below) - set(headless)) == []


def test_the_three_windows_are_independent_and_exist():
    cp = _config()
    windows = _listed(cp.get("importlinter:contract:windows-independent", "modules"))
    assert cp.get("importlinter:contract:windows-independent", "type") == "independence"
    assert windows == ["bodymap.ui.paint", "bodymap.ui.review", "bodymap.ui.kiosk"]
    for w in windows:
        assert (PKG / "ui" / w.rsplit(".", 1)[1] / "__init__.py").exists()


def test_the_layer_order_puts_the_command_line_on_top_and_the_core_at_the_bottom():
    layers = _layers()
    order = [_layer_of(m, layers) for m in ("bodymap.cli", "bodymap.ui", "bodymap.exports", "bodymap.render",
                                              "bodymap.matcher", "bodymap.painting", "bodymap.errors")]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert _layer_of("bodymap.lab", layers) < _layer_of("bodymap.render", layers)  # lab sits beside the exports
