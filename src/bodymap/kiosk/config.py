"""Kiosk configuration: a small YAML file; every key documented in docs/kiosk.md."""
from __future__ import annotations

import os
import stat
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..atomicio import SHARE_GROUP_ENV, Sharing
from ..yamlio import read_yaml
from ..errors import ConfigError
from .security import check_pin_hash

MAX_CONFIG_BYTES = 64 * 1024


def default_data_dir() -> Path:
    env = os.environ.get("BODYMAP_KIOSK_DATA")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "bodymap" / "kiosk"


def default_config_path() -> Path:
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "bodymap" / "kiosk.yaml"


@dataclass
class KioskConfig:
    spool_dir: Path = field(default_factory=lambda: default_data_dir() / "spool")
    drafts_dir: Path = field(default_factory=lambda: default_data_dir() / "drafts")
    recovery_dir: Path = field(default_factory=lambda: default_data_dir() / "recovery")
    idle_timeout_s: float = 90.0
    idle_warning_s: float = 15.0
    autosave_interval_s: float = 5.0
    save_retry_s: float = 10.0
    languages: tuple[str, ...] = ("en", "es")
    default_language: str = "en"
    pin_hash: str | None = None
    exit_corner: str = "top_left"
    exit_hold_s: float = 3.0
    fullscreen: bool = True
    ask_age: bool = True
    short_flow: bool = True  # issue 14's flow: one red-flag screen, age bands, questions by information gain
    redflag_screen_s: float = 30.0  # the "tell the reception staff" screen returns to welcome after this long
    speak_on_open: bool = False  # read each screen aloud as it opens (the "Listen" button is always there)
    tap_regions: bool = False  # "tap the parts that hurt": a tap fills a whole region (ui/kiosk/tapregions.py)
    # ADR 0042: by_context asks every patient the emergency questions and the rest as the age, the drawing and
    # the answers make them matter (the others: "not asked at the kiosk" for the clinician); all: every one
    red_flag_questions: str = "by_context"
    # None: BODYMAP_SHARE_GROUP decides (unset: private). false: private. true: the spool and recovery folders'
    # own group may read them. A group name: that group may (docs/security.md, "A review PC")
    shared_folder_group: bool | str | None = None
    # issue 20: a command run when a finished map must reach reception today, with two arguments, the
    # session code and the urgency (never health data); in the background, with a timeout
    on_flag: str | None = None
    path: Path | None = None

    def sharing(self) -> Sharing:
        """Which folders a review PC's group may read: the spool and recovery folders, or none (the default)."""
        value = self.shared_folder_group
        where = f"{self.path}: shared_folder_group" if self.path else "shared_folder_group"
        if value is None:
            value, where = os.environ.get(SHARE_GROUP_ENV), SHARE_GROUP_ENV
        return Sharing.parse(value, (self.spool_dir, self.recovery_dir), where)

    def as_yaml_dict(self) -> dict[str, Any]:
        out = {}
        for f in fields(self):
            if f.name == "path":
                continue
            v = getattr(self, f.name)
            out[f.name] = str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v
        return out


_NUMBERS = {"idle_timeout_s": (10, 3600), "idle_warning_s": (3, 120), "autosave_interval_s": (1, 120),
            "save_retry_s": (1, 3600), "exit_hold_s": (1, 30), "redflag_screen_s": (5, 600)}
_CORNERS = ("top_left", "top_right", "bottom_left", "bottom_right")
_GROUP = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}")


def load_config(path: str | os.PathLike | None = None, *, required: bool = False) -> KioskConfig:
    """Read the config; a missing file gives the defaults (unless `required`), anything bad a ConfigError."""
    p = Path(path) if path else default_config_path()
    if not p.exists():
        if required:
            raise ConfigError(f"{p}: config file not found")
        cfg = KioskConfig()
        cfg.path = p
        cfg.sharing()  # BODYMAP_SHARE_GROUP naming an unknown group is refused at start
        return cfg
    if p.is_dir():
        raise ConfigError(f"{p}: is a folder, expected the kiosk YAML config")
    doc = read_yaml(p, ConfigError, max_bytes=MAX_CONFIG_BYTES, what="a kiosk config",
                    missing="config file not found")
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"{p}: expected key: value lines at the top")
    cfg = KioskConfig()
    cfg.path = p
    known = {f.name for f in fields(KioskConfig)} - {"path"}
    for k, v in doc.items():
        if k not in known:
            raise ConfigError(f"{p}: unknown key {k!r} (see docs/kiosk.md for the keys)")
        where = f"{p}: {k}"
        if k.endswith("_dir"):
            if not isinstance(v, str) or not v.strip() or "\0" in v:
                raise ConfigError(f"{where} must be a folder path")
            setattr(cfg, k, Path(os.path.expanduser(v)))
        elif k in _NUMBERS:
            lo, hi = _NUMBERS[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
                raise ConfigError(f"{where} must be a number from {lo} to {hi}, got {v!r}")
            setattr(cfg, k, float(v))
        elif k == "languages":
            if not isinstance(v, list) or not v or not all(isinstance(x, str) and x.isalpha() for x in v):
                raise ConfigError(f"{where} must be a list of language codes like [en, es]")
            cfg.languages = tuple(v)
        elif k == "default_language":
            if not isinstance(v, str) or not v.isalpha():
                raise ConfigError(f"{where} must be a language code like en")
            cfg.default_language = v
        elif k == "pin_hash":
            cfg.pin_hash = check_pin_hash(v, str(p))
        elif k == "exit_corner":
            if v not in _CORNERS:
                raise ConfigError(f"{where} must be one of {', '.join(_CORNERS)}")
            cfg.exit_corner = v
        elif k == "shared_folder_group":
            if v is not None and not isinstance(v, bool) and not (isinstance(v, str) and _GROUP.fullmatch(v)):
                raise ConfigError(f"{where} must be true, false or a group name (letters, digits, _ . -), got {v!r}")
            cfg.shared_folder_group = v
        elif k == "red_flag_questions":
            from ..vocabulary import KIOSK_QUESTION_MODES

            if v not in KIOSK_QUESTION_MODES:
                raise ConfigError(f"{where} must be one of {', '.join(KIOSK_QUESTION_MODES)}, got {v!r}")
            cfg.red_flag_questions = v
        elif k == "on_flag":
            cfg.on_flag = _check_command(v, where)
        elif k in ("fullscreen", "ask_age", "short_flow", "speak_on_open", "tap_regions"):
            if not isinstance(v, bool):
                raise ConfigError(f"{where} must be true or false")
            setattr(cfg, k, v)
    if cfg.idle_warning_s >= cfg.idle_timeout_s:
        raise ConfigError(f"{p}: idle_warning_s must be shorter than idle_timeout_s")
    if cfg.default_language not in cfg.languages:
        raise ConfigError(f"{p}: default_language {cfg.default_language!r} is not in languages")
    check_folders(cfg, str(p))
    cfg.sharing()  # an unknown group is refused at start, with the config's name
    return cfg


def _check_command(v: Any, where: str) -> str | None:
    """`on_flag`: a command line (split like a shell would, never run through one), or nothing."""
    import shlex

    if v is None:
        return None
    if not isinstance(v, str) or not v.strip() or "\0" in v or "\n" in v:
        raise ConfigError(f"{where} must be one command line, e.g. /usr/local/bin/ring-bell")
    try:
        shlex.split(v)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return v


def check_folders(cfg: KioskConfig, where: str) -> None:
    """The spool, drafts and recovery folders, checked at start (issue 22): each must be a folder or not
    exist yet (it is then created); a device, a FIFO, a plain file or a link to one stops the kiosk with one
    line, instead of the first patient's map failing to save."""
    from ..atomicio import file_kind

    for key in ("spool_dir", "drafts_dir", "recovery_dir"):
        folder = getattr(cfg, key)
        try:
            st = os.stat(folder)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ConfigError(f"{where}: {key} {folder}: cannot use it ({exc.strerror or exc})") from None
        if not stat.S_ISDIR(st.st_mode):
            raise ConfigError(f"{where}: {key} {folder} is {file_kind(st.st_mode)}, not a folder")


def save_config(cfg: KioskConfig, path: str | os.PathLike) -> Path:
    import yaml

    from ..atomicio import write_atomic

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    text = "# bodymap kiosk configuration: see docs/kiosk.md for every key.\n" + yaml.safe_dump(
        cfg.as_yaml_dict(), sort_keys=False, allow_unicode=True)
    write_atomic(p, text.encode("utf-8"), mode=0o600)
    return p
