"""Static security invariants of the source tree (docs/security.md)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import bodymap

SRC = Path(bodymap.__file__).resolve().parent
FILES = sorted(SRC.rglob("*.py"))


def _calls(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            base = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
            yield node, base, name


def test_no_pickle_eval_or_exec_anywhere():
    assert FILES
    for path in FILES:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                assert not any(n.split(".")[0] in ("pickle", "marshal", "shelve", "dill") for n in names), path
        for node, base, name in _calls(tree):
            assert name not in ("eval", "exec") or base, f"{path}:{node.lineno}"


def test_yaml_is_only_loaded_with_the_safe_loader():
    for path in FILES:
        tree = ast.parse(path.read_text(), str(path))
        for node, base, name in _calls(tree):
            if base == "yaml" and name in ("load", "load_all", "unsafe_load", "full_load", "parse"):
                loader = [k for k in node.keywords if k.arg == "Loader"]
                assert loader and "SafeLoader" in ast.unparse(loader[0].value), f"{path}:{node.lineno}"


def test_numpy_never_unpickles():
    for path in FILES:
        tree = ast.parse(path.read_text(), str(path))
        for node, base, name in _calls(tree):
            if base == "np" and name == "load":
                kw = {k.arg: ast.unparse(k.value) for k in node.keywords}
                assert kw.get("allow_pickle") == "False", f"{path}:{node.lineno}"


def test_no_logging_of_answers_or_session_codes():
    """Patient data never goes to logs: no logging call or print mentions answers or masks."""
    pat = re.compile(r"(log\w*\.(info|debug|warning|error|exception)|print)\(.*\b(answers|masks|layers)\b")
    for path in FILES:
        for i, line in enumerate(path.read_text().splitlines(), 1):
            if ("cli.py" in path.name or path.parent.name == "cli") and "print(" in line:
                continue  # the CLI prints to the user who asked for it, not to a log
            assert not pat.search(line), f"{path}:{i}: {line.strip()}"
