"""Old import path: `bodymap match` now lives in bodymap.cli.match (kept for callers of format_ranking)."""
from __future__ import annotations

from .cli.match import format_ranking, match_command

__all__ = ["format_ranking", "match_command"]
