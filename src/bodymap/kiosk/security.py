"""Staff PIN hashing (salted scrypt, constant-time compare) and session codes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from ..errors import ConfigError, UsageError

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
