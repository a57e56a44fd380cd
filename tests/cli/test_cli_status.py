"""One ExitStatus for the command line, and `bodymap lab` (the offline laboratory) from it.

Uses the in-process `cli` fixture (tests/conftest.py).
"""
from __future__ import annotations

import pytest

from bodymap.cli import ExitStatus
from bodymap.kiosk import flow


def test_the_kiosk_session_outcomes_are_the_commands_exit_statuses():
    """The kiosk's flow (below the CLI) names its outcomes by number; they must mean what the CLI's do,
    since systemd reads them (docs/kiosk.md: RestartPreventExitStatus=2)."""
    assert flow.EXIT_STAFF == ExitStatus.OK
    assert flow.EXIT_CONFIG == ExitStatus.BAD_INPUT
    assert flow.EXIT_CRASH == ExitStatus.SOFTWARE


def test_a_bad_argument_is_one_line_and_bad_input(cli):
    r = cli("match")
    assert r.status == ExitStatus.BAD_INPUT and len(r.err_lines) == 1 and r.err_lines[0].startswith("bodymap: ")


def test_lab_without_a_command_says_which_it_takes(cli):
    r = cli("lab")
    assert r.status == ExitStatus.BAD_INPUT
    assert r.err_lines == ["bodymap: lab needs a command: calibrate or validate (see 'bodymap lab --help')"]


@pytest.mark.parametrize("cmd", ["validate", "calibrate"])
def test_lab_refuses_a_tiny_cohort_before_it_runs(cli, cmd):
    r = cli("lab", cmd, "-n", "5")
    assert r.status == ExitStatus.BAD_INPUT and "at least 50" in r.err_lines[0] and not r.out


def test_lab_validate_a_folder_names_what_it_needs_when_that_is_missing(cli, tmp_path):
    try:
        import bodymap.lab.local  # noqa: F401
    except ModuleNotFoundError:
        r = cli("lab", "validate", str(tmp_path))
        assert r.status == ExitStatus.BAD_INPUT and "bodymap.lab.local" in r.err_lines[0]
    else:  # the clinic's own validation is installed: the hook reaches it (its own tests cover it)
        assert callable(bodymap.lab.local.validate_folder)


def test_lab_validate_reports_both_cohorts_without_writing_anything(cli, tmp_path):
    from bodymap.paths import data_root

    doc = data_root() / "docs" / "validation.md"
    before = doc.read_bytes() if doc.exists() else None
    r = cli("lab", "validate", "-n", "60")
    assert r.status == ExitStatus.OK, r
    assert "vignettes:" in r.out and "second cohort" in r.out
    assert (doc.read_bytes() if doc.exists() else None) == before  # no --docs: nothing rewritten
