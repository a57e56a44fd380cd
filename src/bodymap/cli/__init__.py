"""The `bodymap` command: the only place that parses arguments and starts the apps.

- `commands`: the parser, `main()` and the core subcommands (paint, atlas, new,
  show, render, match, review);
- `match`: `bodymap match` and its text ranking;
- `kiosk`: `bodymap kiosk`;
- `exports`: report, export, heatmap, stats, import-regions.

- `lab`: `bodymap lab calibrate|validate` (the offline laboratory, bodymap.lab);
- `status`: `ExitStatus`, the one list of exit statuses (0 success, 2 bad input with one line on
  stderr, 1 internal error).
"""
from __future__ import annotations

from .commands import build_parser, main, parse_paint_spec
from .status import ExitStatus

__all__ = ["main", "build_parser", "parse_paint_spec", "ExitStatus"]
