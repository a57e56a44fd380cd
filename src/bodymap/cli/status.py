"""The one list of exit statuses of the `bodymap` command (and what systemd does with each).

Only `bodymap.cli` exits. The kiosk's headless flow names the same numbers for the outcome of a
kiosk session (bodymap.kiosk.flow.EXIT_STAFF, EXIT_CONFIG, EXIT_CRASH: it sits below the CLI and
cannot import it); tests/cli/test_cli_status.py holds the two to the same values.
"""
from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0  # done; for the kiosk: staff left with the PIN (systemd Restart=on-failure does not restart)
    INTERNAL = 1  # an error bodymap did not expect: one line on stderr (BODYMAP_DEBUG=1 shows the traceback)
    BAD_INPUT = 2  # a bad argument, file, folder or config: one line naming it; systemd does not restart
    SOFTWARE = 70  # the kiosk caught an unexpected error at its top level (EX_SOFTWARE): systemd restarts it
    INTERRUPTED = 130  # Ctrl-C
