"""The painting window (`bodymap paint`): `PaintScreen` and `run_paint_app`; see screen.py."""
from .screen import PaintScreen, run_paint_app
from .sizes import BASE_SIZE, BRUSH_LETTERS, BRUSHES, FILE_SUFFIX, TOAST_SECONDS

__all__ = ["PaintScreen", "run_paint_app", "BASE_SIZE", "BRUSHES", "BRUSH_LETTERS", "FILE_SUFFIX", "TOAST_SECONDS"]
