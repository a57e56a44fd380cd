"""The one YAML reader: every YAML file bodymap reads comes through `read_yaml`.

Safe by construction: the file's size is capped before it is read, anchors and
aliases are refused (an "alias bomb" expands a few KB into gigabytes), nesting is
limited (PyYAML slows quadratically with depth, then overflows the stack), and only
plain data types load (SafeLoader). Every failure is one line naming the file, raised
as the error type the caller's domain uses (AtlasError, ConfigError, PatternError).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from .errors import BodymapError

MAX_YAML_BYTES = 2_000_000  # the largest shipped file (atlas.yaml) is a tenth of this
MAX_YAML_DEPTH = 64  # the shipped files nest at most 9 deep


def read_yaml(path: str | os.PathLike, error: type[Exception] = BodymapError, *, max_bytes: int = MAX_YAML_BYTES,
              what: str = "a YAML file", missing: str = "file not found") -> Any:
    """Read and parse one YAML file; every failure is `error` with a message naming the file.

    `what` names the file's role in the too-large message ("a kiosk config"), and
    `missing` is the message when it does not exist.
    """
    p = Path(path)
    try:
        if p.is_dir():
            raise error(f"{p}: is a folder, expected a YAML file")
        size = p.stat().st_size
        if size > max_bytes:
            raise error(f"{p}: {size} bytes is too large for {what} (max {max_bytes})")
        with open(p, "rb") as fh:
            raw = fh.read(max_bytes + 1)  # the file may grow between stat and read
        if len(raw) > max_bytes:
            raise error(f"{p}: too large for {what} (max {max_bytes} bytes)")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise error(f"{p}: {missing}") from None
    except UnicodeDecodeError:
        raise error(f"{p}: cannot read (not UTF-8 text)") from None
    except OSError as exc:
        raise error(f"{p}: cannot read ({exc.strerror or exc})") from None
    return parse_yaml(text, str(p), error)


def parse_yaml(text: str, where: str, error: type[Exception] = BodymapError) -> Any:
    """Safe YAML from text, refusing anchors/aliases and deep nesting before parsing."""
    try:
        depth = 0
        for ev in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(ev, yaml.AliasEvent):
                raise error(f"{where}: YAML aliases (*name) are not allowed")
            if isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise error(f"{where}: not valid YAML: nested too deeply (more than {MAX_YAML_DEPTH} levels)")
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
        return yaml.load(text, Loader=yaml.SafeLoader)
    except RecursionError:
        raise error(f"{where}: not valid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"{where}: not valid YAML{at}: {problem}") from None
