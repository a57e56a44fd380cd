"""Staff PIN hashing (salted scrypt, constant-time compare) and session codes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Callable

from ..errors import ConfigError, UsageError

log = logging.getLogger("bodymap.kiosk.security")

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6: readable aloud and on a slip of paper.
CODE_ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"


def hash_pin(pin: str) -> str:
    check_pin_format(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return "scrypt${}${}${}${}${}".format(SCRYPT_N, SCRYPT_R, SCRYPT_P, base64.b64encode(salt).decode(),
                                          base64.b64encode(digest).decode())


def verify_pin(pin: str, stored: str | None) -> bool:
    """True if `pin` matches the stored hash. Compared in constant time; no hash means no exit by PIN."""
    if not stored or not isinstance(pin, str):
        return False
    try:
        kind, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if kind != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        want = base64.b64decode(hash_b64)
        n, r, p = int(n), int(r), int(p)
        if not (2 ** 10 <= n <= 2 ** 20 and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        got = hashlib.scrypt(pin.encode(), salt=salt, n=n, r=r, p=p, dklen=len(want), maxmem=2 ** 28)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def check_pin_format(pin: str) -> str:
    if not isinstance(pin, str) or not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise UsageError("the PIN must be 4 to 12 digits")
    return pin


def check_pin_hash(stored: object, where: str) -> str | None:
    if stored is None:
        return None
    if not isinstance(stored, str) or stored.count("$") != 5 or not stored.startswith("scrypt$"):
        raise ConfigError(f"{where}: pin_hash must be written by 'bodymap kiosk --set-pin' (never a plain PIN)")
    return stored


def new_session_code(taken: set[str] | None = None) -> str:
    """A short code like 'K7Q-R4M' from unambiguous characters, not in `taken`."""
    taken = taken or set()
    for _ in range(1000):
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        code = f"{raw[:3]}-{raw[3:]}"
        if code not in taken:
            return code
    raise RuntimeError("could not find a free session code")  # 23^6 codes: practically unreachable


def is_session_code(code: str) -> bool:
    return (isinstance(code, str) and len(code) == 7 and code[3] == "-"
            and all(c in CODE_ALPHABET for c in code[:3] + code[4:]))


# Staff PIN backoff: after PIN_FREE_TRIES wrong PINs in a row the keypad locks for
# PIN_LOCK_S seconds; every further wrong PIN (before a right one) locks it again
# for twice as long as the last lock, up to PIN_LOCK_MAX_S. A right PIN resets it.
# The state lives in memory: restarting the kiosk (which needs the service manager
# or the power switch, not the touch screen) clears it.
PIN_FREE_TRIES = 5
PIN_LOCK_S = 60.0
PIN_LOCK_MAX_S = 3600.0


@dataclass
class PinGuard:
    """Wrong staff PINs back off; every wrong PIN and every lock is logged (never the digits)."""

    clock: Callable[[], float] = time.monotonic
    free_tries: int = PIN_FREE_TRIES
    lock_s: float = PIN_LOCK_S
    max_lock_s: float = PIN_LOCK_MAX_S
    wrong: int = 0  # wrong PINs in a row
    locked_until: float | None = None
    last_lock_s: float = 0.0

    def seconds_locked(self, now: float | None = None) -> float:
        """Seconds until the keypad takes a PIN again (0 when it does)."""
        now = self.clock() if now is None else now
        if self.locked_until is None or now >= self.locked_until:
            return 0.0
        return self.locked_until - now

    def locked(self, now: float | None = None) -> bool:
        return self.seconds_locked(now) > 0

    def check(self, pin: str, stored: str | None, now: float | None = None) -> bool:
        """True if `pin` is right and the keypad is not locked. While locked the PIN is not even checked."""
        now = self.clock() if now is None else now
        if self.locked(now):
            log.warning("a staff PIN was typed while the keypad is locked (%.0f s left); ignored",
                        self.seconds_locked(now))
            return False
        if verify_pin(pin, stored):
            if self.wrong:
                log.info("staff PIN accepted after %d wrong attempt(s)", self.wrong)
            self.wrong, self.locked_until, self.last_lock_s = 0, None, 0.0
            return True
        self.wrong += 1
        if self.wrong >= self.free_tries:
            self.last_lock_s = min(self.max_lock_s, self.last_lock_s * 2 if self.last_lock_s else self.lock_s)
            self.locked_until = now + self.last_lock_s
            log.warning("wrong staff PIN (%d in a row): keypad locked for %.0f s", self.wrong, self.last_lock_s)
        else:
            log.warning("wrong staff PIN (%d in a row; the keypad locks after %d)", self.wrong, self.free_tries)
        return False
