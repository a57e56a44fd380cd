"""The error hierarchy. Every expected failure is a BodymapError with a one-line message.

The CLI turns a BodymapError into one line on stderr and exit status 2; anything
else is an internal error (exit 1).
"""
from __future__ import annotations


MAX_MESSAGE_CHARS = 1000


class BodymapError(Exception):
    """Base of every error bodymap raises on purpose (bad input, bad file, bad data)."""

    def __str__(self) -> str:  # one line, always (Exception's text, not KeyError's quoted repr)
        text = " ".join(Exception.__str__(self).split())
        # a last guard: a message is one readable line even if a huge value slipped into it (ADR 0018)
        return text if len(text) <= MAX_MESSAGE_CHARS else text[:MAX_MESSAGE_CHARS] + f"... ({len(text)} characters)"


class AtlasError(BodymapError):
    """The atlas YAML is missing, malformed or fails validation."""


class UnknownRegionError(BodymapError, KeyError):
    """A region id that the atlas does not define."""

    def __str__(self) -> str:
        return BodymapError.__str__(self)


class FileFormatError(BodymapError):
    """A .bodymap file cannot be read: wrong type, truncated, corrupt, hostile or too new."""


class FileWriteError(BodymapError):
    """A .bodymap file cannot be written (permissions, full disk, missing folder)."""


class PatternError(BodymapError):
    """The referral-pattern YAML is malformed."""


class ConfigError(BodymapError):
    """A configuration or catalogue file is malformed."""


class UsageError(BodymapError):
    """A wrong argument or value given by the user."""
