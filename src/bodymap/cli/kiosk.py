"""`bodymap kiosk [--config FILE] [--set-pin]`."""
from __future__ import annotations

import getpass
import sys

from ..errors import UsageError
from ..kiosk.config import default_config_path, load_config, save_config
from ..kiosk.security import hash_pin
from ..window_size import parse_window_size
from .status import ExitStatus

COMMANDS = ("kiosk",)


def add_parsers(sub) -> None:
    k = sub.add_parser("kiosk", help="run unattended on a waiting-room touch screen")
    k.add_argument("--config", help=f"kiosk YAML config (default {default_config_path()})")
    k.add_argument("--set-pin", action="store_true", help="ask for the staff PIN and store its salted hash")
    k.add_argument("--windowed", action="store_true", help="run in a window (testing), not fullscreen")
    k.add_argument("--size", default=None, help="window size WxH when --windowed (default 1280x800)")


def run(args) -> int:
    if args.set_pin:
        return set_pin(args.config)
    cfg = load_config(args.config, required=args.config is not None)  # a named file must exist
    size = parse_window_size(args.size) if args.size else None
    from ..ui.kiosk import run_kiosk

    return ExitStatus(run_kiosk(cfg, windowed=args.windowed, size=size))  # kiosk.flow.EXIT_*: the same numbers


def set_pin(config_path: str | None) -> int:
    path = config_path or default_config_path()
    cfg = load_config(path)
    if sys.stdin is None or (not sys.stdin.isatty() and sys.stdin.closed):
        raise UsageError("--set-pin needs the PIN typed on the terminal or given on standard input")
    if sys.stdin.isatty():
        pin = getpass.getpass("New staff PIN (4-12 digits): ")
        again = getpass.getpass("Type it again: ")
    else:
        lines = sys.stdin.read().splitlines()
        if not lines:
            raise UsageError("--set-pin: no PIN on standard input")
        pin, again = lines[0].strip(), (lines[1].strip() if len(lines) > 1 else lines[0].strip())
    if pin != again:
        raise UsageError("the two PINs differ; nothing was changed")
    if _guessable(pin):  # the first PINs anyone in a waiting room would try on the exit gesture
        raise UsageError("that PIN is among the first anyone would try (one digit repeated, or a run such as "
                         "1234 or 4321); choose another; nothing was changed")
    cfg.pin_hash = hash_pin(pin)
    p = save_config(cfg, path)
    print(f"stored the PIN's salted hash in {p}")
    return ExitStatus.OK


def _guessable(pin: str) -> bool:
    """One digit repeated (0000, 111111) or a run up or down by one (1234, 98765, 7890)."""
    if not pin.isdigit() or len(pin) < 2:
        return False  # hash_pin says what is wrong with it
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    return steps in ({0}, {1}, {9})
