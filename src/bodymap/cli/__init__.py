"""The `bodymap` command: the only place that parses arguments and starts the apps.

- `commands`: the parser, `main()` and the core subcommands (paint, atlas, new,
  show, render, match, review);
- `match`: `bodymap match` and its text ranking;
- `kiosk`: `bodymap kiosk`;
- `exports`: report, export, heatmap, stats, import-regions.

Exit status: 0 success, 2 bad input (one line on stderr), 1 internal error.
"""
from __future__ import annotations

from .commands import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, build_parser, main, parse_paint_spec

__all__ = ["main", "build_parser", "parse_paint_spec", "EXIT_OK", "EXIT_INTERNAL", "EXIT_BAD_INPUT"]
