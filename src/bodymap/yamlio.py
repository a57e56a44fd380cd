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
        from .paths import read_regular

        try:
            raw = read_regular(p, max_bytes, what)  # a FIFO, device or socket refused by name (ADR 0018)
        except ValueError as exc:
            raise error(f"{p}: {exc}") from None
        if raw.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark (Windows editors): not content
            raw = raw[3:]
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise error(f"{p}: {missing}") from None
    except UnicodeDecodeError:
        raise error(f"{p}: cannot read (not UTF-8 text)") from None
    except OSError as exc:
        raise error(f"{p}: cannot read ({exc.strerror or exc})") from None
    return parse_yaml(text, str(p), error)


class _DuplicateKey(Exception):
    pass


# libyaml's C parser when PyYAML was built with it (the wheels are): the same safe constructor, about
# ten times faster than the pure-Python scanner, which made the first ranking of a fresh painting
# window wait more than a second for regions/patterns.yaml (bench `cold_start_s_warm_cache`).
_BaseSafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeySafeLoader(_BaseSafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (YAML keeps the last silently: a kiosk config
    with two `spool_dir:` lines would use the one the reader did not see)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hashable = hash(key) is not None
            except TypeError:
                hashable = False
            if hashable and key in seen:
                raise _DuplicateKey(f"key {str(key)[:80]!r} is given twice (line {key_node.start_mark.line + 1})")
            if hashable:
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, where: str, error: type[Exception] = BodymapError) -> Any:
    """Safe YAML from text, refusing anchors/aliases and deep nesting before parsing."""
    try:
        depth = 0
        for ev in yaml.parse(text, Loader=_BaseSafeLoader):
            if isinstance(ev, yaml.AliasEvent):
                raise error(f"{where}: YAML aliases (*name) are not allowed")
            if isinstance(ev, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    raise error(f"{where}: not valid YAML: nested too deeply (more than {MAX_YAML_DEPTH} levels)")
            elif isinstance(ev, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
        loader = UniqueKeySafeLoader(text)  # a yaml.SafeLoader (no Python objects) that also refuses duplicate keys
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except _DuplicateKey as exc:
        raise error(f"{where}: {exc}") from None
    except RecursionError:
        raise error(f"{where}: not valid YAML: nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "nesting depth" in problem:  # libyaml's own limit can come before ours: one wording for both
            raise error(f"{where}: not valid YAML: nested too deeply (more than {MAX_YAML_DEPTH} levels)") from None
        raise error(f"{where}: not valid YAML{at}: {problem}") from None
