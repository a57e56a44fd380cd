"""Old import path: the export subcommands now live in bodymap.cli.exports.

Kept so that `import bodymap.exports.cli` still works; new code imports bodymap.cli.exports.
"""
from __future__ import annotations

from ..cli.exports import COMMANDS, add_parsers, run

__all__ = ["COMMANDS", "add_parsers", "run"]
