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
