"""Pseudonymous keys for research output: no patient identifier, note or file name built from them.

A research export (CSV, Parquet, `stats --json`) without `--include-identifiers` names a map by a
keyed hash of its file name (`map-3f9c...`) and its patient by a keyed hash of the identifier
(`pt-81d2...`), so visits of one patient can still be linked without the export holding who it is.
The key is the clinic's secret, kept outside every export: a file named by BODYMAP_EXPORT_KEY, or
`export-key` in the user's bodymap configuration folder, made (0600, 32 random bytes) on first use.
The same secret gives the same keys in every export, so exports can be joined; without it, nobody can
go back from a key to the identifier (HMAC-SHA256, docs/adr/0017-records-visits-and-keys.md).

Text cells that are exported (recorded_by, session_code, imported columns, ...) have the map's
patient identifier replaced by its key wherever it appears, and imported columns whose name says they
identify (name, mrn, birth, address, ...) are left out.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any

from ..atomicio import write_atomic
from ..errors import UsageError

KEY_ENV = "BODYMAP_EXPORT_KEY"
KEY_BYTES = 32
DIGEST_CHARS = 16  # 64 bits: no collision to expect below about a billion maps

#: imported column names that identify a patient: dropped from research output without --include-identifiers
IDENTIFYING_NAME = re.compile(
    r"(^|[^a-z])(id|mrn|name|surname|first_?name|last_?name|birth|dob|born|address|street|city|zip|postcode|"
    r"postal|phone|tel|mobile|email|e_?mail|ssn|nhs|insurance|record|patient|chart|note|comment|initials)"
    r"([^a-z]|$)", re.IGNORECASE)


def key_path() -> Path:
    env = os.environ.get(KEY_ENV, "").strip()
    if env:
        return Path(os.path.expanduser(env))
    import platformdirs

    return Path(platformdirs.user_config_dir("bodymap")) / "export-key"


def clinic_secret(path: Path | None = None, err=None) -> bytes:
    """The clinic's export secret (made on first use, said on `err`, stderr by default). A file that cannot be
    read or made is a UsageError naming it (at most 80 characters of it: ADR 0043)."""
    import sys

    from ..textsafe import quote

    given = path is not None or bool(os.environ.get(KEY_ENV, "").strip())
    path = path or key_path()
    shown = quote(str(path))
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        if given and not path.is_absolute():
            # BODYMAP_EXPORT_KEY=MyClinicSecret made a file of that name in whatever folder the command ran in,
            # with a new random key each time: exports run from two folders could not be linked (ADR 0043)
            raise UsageError(f"{KEY_ENV}={shown}: no such file; it names the file that holds the export key (a "
                             "full path, so every export finds the same one), not the key itself") from None
        text = secrets.token_hex(KEY_BYTES)
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(path, text + "\n", mode=0o600, verb="make the export key")
        except (OSError, Exception) as exc:  # noqa: BLE001 - one line naming the file
            reason = getattr(exc, "strerror", None) or str(exc).split(": ", 1)[-1]
            raise UsageError(f"{shown}: cannot make the export key ({reason}); set {KEY_ENV} to a file you can "
                             f"write") from None
        print(f"bodymap: made a new export key in {path}: keep it and back it up, later exports link to earlier "
              "ones only with the same key", file=err or sys.stderr)
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise UsageError(f"{shown}: cannot read the export key ({reason}); set {KEY_ENV} to another file") from None
    if len(text) < 32:
        raise UsageError(f"{shown}: the export key is too short (at least 32 characters)")
    return text.encode("ascii")


class Pseudonyms:
    """Keyed hashes of file names and patient identifiers, and the scrubbing of exported text."""

    def __init__(self, secret: bytes | None = None):
        self._secret = secret

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            self._secret = clinic_secret()
        return self._secret

    def _digest(self, kind: str, text: str) -> str:
        return hmac.new(self.secret, f"{kind}\0{text}".encode("utf-8"), hashlib.sha256).hexdigest()[:DIGEST_CHARS]

    def map_key(self, file_name: str) -> str:
        """'map-' and the keyed hash of a map's file name: the row's name in research output."""
        return "map-" + self._digest("file", file_name)

    def patient_key(self, patient_id: str | None) -> str | None:
        """'pt-' and the keyed hash of the patient identifier (None without one)."""
        return "pt-" + self._digest("patient", patient_id) if patient_id else None

    def scrub(self, text: Any, patient_id: str | None, file_stem: str | None = None) -> Any:
        """`text` with the patient identifier (and the file's stem) replaced by their keys, case-insensitively."""
        if not isinstance(text, str) or not text:
            return text
        for secret_text, key in ((patient_id, self.patient_key(patient_id)),
                                 (file_stem, "map-" + self._digest("file", file_stem or ""))):
            if secret_text and len(secret_text) >= 3 and secret_text.lower() in text.lower():
                text = re.sub(re.escape(secret_text), key, text, flags=re.IGNORECASE)
        return text


def identifying_column(name: str) -> bool:
    """An imported column whose name says it identifies a patient (kept out of research output)."""
    return bool(IDENTIFYING_NAME.search(str(name).replace("-", "_").replace(" ", "_")))
