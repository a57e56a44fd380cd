"""Shared test set-up: pygame runs headless, and the snapshot option."""
from __future__ import annotations

import os

# Before anything imports pygame: no window, no sound, no banner.
os.environ["SDL_VIDEODRIVER"] = "dummy"
os.environ["SDL_AUDIODRIVER"] = "dummy"
os.environ["PYGAME_HIDE_SUPPORT_PROMPT"] = "1"

import pytest  # noqa: E402


def pytest_addoption(parser):
    parser.addoption("--update-snapshots", action="store_true", default=False,
                     help="write the reference PNGs in tests/snapshots/ from the current drawing")


@pytest.fixture(scope="session")
def update_snapshots(request) -> bool:
    return bool(request.config.getoption("--update-snapshots"))


@pytest.fixture(autouse=True, scope="session")
def export_key(tmp_path_factory):
    """Research exports name maps by a keyed hash (bodymap.exports.keys): a test key, never the user's own."""
    path = tmp_path_factory.mktemp("export-key") / "export-key"
    path.write_text("0123456789abcdef" * 4 + "\n")
    before = os.environ.get("BODYMAP_EXPORT_KEY")
    os.environ["BODYMAP_EXPORT_KEY"] = str(path)
    yield path
    if before is None:
        os.environ.pop("BODYMAP_EXPORT_KEY", None)
    else:
        os.environ["BODYMAP_EXPORT_KEY"] = before


# ---------------------------------------------------------------------------
# Shared fixtures. A test file may still define its own fixture of the same name (pytest uses the
# nearest one); new tests use these.


@pytest.fixture(scope="session")
def atlas():
    """The packaged atlas, loaded once for the session (read-only: never change it in a test)."""
    from bodymap.atlas import load_atlas

    return load_atlas()


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """A fresh, empty BODYMAP_CACHE for this test only (the atlas cache, drafts...): returns its folder."""
    folder = tmp_path / "bodymap-cache"
    folder.mkdir()
    monkeypatch.setenv("BODYMAP_CACHE", str(folder))
    return folder


class CliResult:
    """What one in-process `bodymap` command did: its exit status and what it printed."""

    def __init__(self, status: int, out: str, err: str):
        self.status, self.out, self.err = status, out, err

    def __iter__(self):  # `status, out, err = cli(...)`
        return iter((self.status, self.out, self.err))

    @property
    def err_lines(self) -> list[str]:
        return self.err.strip().splitlines()

    def __repr__(self) -> str:
        return f"CliResult(status={self.status}, out={self.out[-200:]!r}, err={self.err[-200:]!r})"


@pytest.fixture
def cli(capsys):
    """Run `bodymap ARGS...` in this process (fast: no interpreter start-up, the atlas stays loaded):
    `cli("match", path)` -> CliResult(status, out, err). A subprocess is still the test for what only a
    real process shows (exit at interpreter shutdown, signals, the environment at start-up)."""
    from bodymap.cli.commands import main

    def run(*args) -> CliResult:
        capsys.readouterr()  # drop what earlier steps printed
        try:
            status = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own exits (usage errors, --help)
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return CliResult(status, captured.out, captured.err)

    return run
