"""The painting window under its old name: everything moved to bodymap.ui.paint (see ADR 0005).

Kept so that `from bodymap.ui.app import PaintScreen, run_paint_app` keeps working.
"""
from .panel import load_matcher  # noqa: F401 - tests reach the matcher loader here
from .paint import (BASE_SIZE, BRUSH_LETTERS, BRUSHES, FILE_SUFFIX, TOAST_SECONDS,  # noqa: F401
                    PaintScreen, run_paint_app)
