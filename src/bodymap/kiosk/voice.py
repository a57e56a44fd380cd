"""Spoken kiosk screens: which catalogue texts are spoken, and where their audio lies.

The audio is made offline by `tools/make-audio` (espeak-ng, then Ogg Vorbis) and
committed under assets/audio/<lang>/<key>.ogg, so a kiosk needs no speech engine.
Each language folder holds `manifest.json`: key -> SHA-256 of the exact words
spoken. A file whose words changed since it was made counts as missing, so the
tests catch a catalogue edit that was not re-recorded.

Texts with placeholders ("Question {n} of {total}") cannot be recorded once; the
catalogue gives a spoken form under `<key>_spoken`, or the key is listed in
NOT_SPOKEN with the reason. Staff-only texts are never spoken.
"""
from __future__ import annotations

import hashlib
import json
import string
from pathlib import Path

from ..paths import assets_dir
from .i18n import load_catalogue

STAFF_PREFIXES = ("staff_", "keypad_")
SPOKEN_SUFFIX = "_spoken"
# Keys a patient sees but does not need to hear, with the reason.
NOT_SPOKEN = {
    "question_count": "the question itself is spoken; its number is only a reminder on screen",
    "question_number": "the question itself is spoken; its number is only a reminder on screen",
    "redflags_page": "the questions themselves are spoken; the part number is only a reminder on screen",
}
MANIFEST = "manifest.json"


def audio_dir(lang: str, root: Path | None = None) -> Path:
    return (root or assets_dir() / "audio") / lang


def has_placeholders(text: str) -> bool:
    return any(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def patient_keys(catalogue: dict[str, str]) -> list[str]:
    """The keys a patient sees and hears, in catalogue order (staff texts and spoken forms left out)."""
    return [k for k in catalogue
            if not k.startswith(STAFF_PREFIXES) and not k.endswith(SPOKEN_SUFFIX) and k not in NOT_SPOKEN]


def spoken_text(catalogue: dict[str, str], key: str) -> str | None:
    """The words recorded for `key`: its spoken form if the catalogue has one, else the text itself.

    None when the text has placeholders and no spoken form (it cannot be recorded once).
    """
    spoken = catalogue.get(key + SPOKEN_SUFFIX)
    if spoken is not None:
        return spoken
    text = catalogue[key]
    return None if has_placeholders(text) else text


def words_hash(words: str) -> str:
    return hashlib.sha256(words.encode("utf-8")).hexdigest()


def read_manifest(lang: str, root: Path | None = None) -> dict[str, str]:
    p = audio_dir(lang, root) / MANIFEST
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in doc.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(doc, dict) else {}


def audio_file(lang: str, key: str, root: Path | None = None) -> Path | None:
    """The recorded file for `key` in `lang`, or None when there is none (the kiosk then stays silent)."""
    p = audio_dir(lang, root) / f"{key}.ogg"
    return p if p.is_file() else None


def missing_audio(lang: str, root: Path | None = None, catalogues: Path | None = None) -> list[str]:
    """Patient keys of `lang` with no recording, or a recording of other words, or no spoken form."""
    cat = load_catalogue(lang, catalogues)
    manifest = read_manifest(lang, root)
    out = []
    for key in patient_keys(cat):
        words = spoken_text(cat, key)
        if words is None or audio_file(lang, key, root) is None or manifest.get(key) != words_hash(words):
            out.append(key)
    return out



# How long "Listen" takes, without playing anything: the recordings' own lengths (read from the Ogg
# Vorbis headers), or for a text with no recording the rate tools/make-audio records at (140 words
# a minute) plus short pauses.
WORDS_PER_S = 140 / 60
PAUSE_PER_TEXT_S = 0.45
PAUSE_PER_COMMA_S = 0.2


def spoken_seconds(words: str) -> float:
    """Estimated seconds for a recording of `words` that does not exist yet (see WORDS_PER_S)."""
    n = len(words.split())
    commas = sum(words.count(c) for c in ",;:.?")
    return n / WORDS_PER_S + PAUSE_PER_TEXT_S + PAUSE_PER_COMMA_S * commas


def ogg_seconds(path: Path) -> float | None:
    """The length of an Ogg Vorbis file: the last page's granule position over the sample rate."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = data.find(b"\x01vorbis")
    last = data.rfind(b"OggS")
    if head < 0 or last < 0 or len(data) < max(head + 16, last + 14):
        return None
    rate = int.from_bytes(data[head + 12:head + 16], "little")
    granule = int.from_bytes(data[last + 6:last + 14], "little", signed=True)
    return granule / rate if rate > 0 and granule >= 0 else None


_SECONDS: dict[tuple[str, str], float] = {}


def text_seconds(lang: str, key: str) -> float:
    """Seconds "Listen" takes for one catalogue text: its recording's length, else the words rule."""
    hit = _SECONDS.get((lang, key))
    if hit is None:
        p = audio_file(lang, key)
        hit = ogg_seconds(p) if p is not None else None
        if hit is None:
            from .i18n import text

            hit = spoken_seconds(text(lang, key))
        _SECONDS[(lang, key)] = hit
    return hit


def listen_seconds(lang: str, keys: list[str]) -> float:
    """Seconds "Listen" takes to say these catalogue texts one after another."""
    return sum(text_seconds(lang, k) for k in keys)
