"""Patient-facing text from YAML catalogues in assets/i18n/<lang>.yaml.

English is the reference: every other catalogue must have every English key
(tests enforce it). A new language is a new file.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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
