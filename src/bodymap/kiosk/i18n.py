"""Patient-facing text from YAML catalogues in assets/i18n/<lang>.yaml, plus the questions.

English is the reference: every other catalogue must have every English key
(tests enforce it). A new language is a new file.

The questions' wording is not in the catalogues: it lives in the one vocabulary
(regions/questions.yaml, `bodymap.vocabulary`) and is merged in here under the
keys the screens use, `q_<key>` (and `q_<key>_low` / `q_<key>_high` for a scale,
`tick_<key>` for a red-flag question's words on the one red-flag screen).
A catalogue that defines one of those keys itself is refused.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from .. import vocabulary
from ..yamlio import read_yaml
from ..errors import ConfigError
from ..paths import assets_dir

MAX_CATALOGUE_BYTES = 256 * 1024


def catalogue_dir() -> Path:
    return assets_dir() / "i18n"


def available_languages() -> list[str]:
    return sorted(p.stem for p in catalogue_dir().glob("*.yaml"))


def load_catalogue(lang: str, folder: Path | None = None) -> dict[str, str]:
    folder = folder or catalogue_dir()
    if not isinstance(lang, str) or not lang.isalpha():
        raise ConfigError(f"language code must be letters only, got {lang!r}")
    p = folder / f"{lang}.yaml"
    doc = read_yaml(p, ConfigError, max_bytes=MAX_CATALOGUE_BYTES, what="a language catalogue",
                    missing=f"no catalogue for language {lang!r}")
    if not isinstance(doc, dict):
        raise ConfigError(f"{p}: expected key: text lines")
    out = {}
    for k, v in doc.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise ConfigError(f"{p}: {k!r} must map to text")
        out[k] = v
    if "language_name" not in out:
        raise ConfigError(f"{p}: missing 'language_name'")
    asked = question_texts(lang)
    clash = sorted(set(out) & set(asked))
    if clash:
        raise ConfigError(f"{p}: {clash[0]} is question wording, which lives in regions/questions.yaml")
    out.update(asked)
    return out


def question_texts(lang: str) -> dict[str, str]:
    """{'q_numbness': the patient words, ..., 'q_intensity_low': ...} in `lang` (English where missing)."""
    out = {}
    for q in vocabulary.questions():
        out[f"q_{q.key}"] = vocabulary.words(q.key, "patient", lang)
        if "tick" in q.words:  # a red-flag question's short words for the one red-flag screen
            out[f"tick_{q.key}"] = vocabulary.words(q.key, "tick", lang)
        if q.kind == "scale":
            out[f"q_{q.key}_low"] = vocabulary.words(q.key, "scale_low", lang)
            out[f"q_{q.key}_high"] = vocabulary.words(q.key, "scale_high", lang)
    return out


def missing_keys(lang: str, folder: Path | None = None) -> list[str]:
    ref = load_catalogue("en", folder)
    other = load_catalogue(lang, folder)
    return sorted(set(ref) - set(other))


@lru_cache(maxsize=16)
def _cached(lang: str) -> dict[str, str]:
    return load_catalogue(lang)


def text(lang: str, key: str, **kw) -> str:
    """The catalogue text for `key` in `lang` (English if the key is missing), formatted with kw."""
    cat = _cached(lang)
    s = cat.get(key) or _cached("en").get(key) or key
    try:
        return s.format(**kw) if kw else s
    except (KeyError, IndexError, ValueError):
        return s
