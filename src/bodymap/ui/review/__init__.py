"""The clinician review window (`bodymap review`): `ReviewScreen` and `run_review`; see screen.py.
The window's state is the headless review session, `bodymap.review`."""
from ...review.maps import Loaded
from .layout import BASE_SIZE, DISCLAIMER
from .screen import ReviewScreen, run_review

__all__ = ["ReviewScreen", "run_review", "Loaded", "BASE_SIZE", "DISCLAIMER"]
