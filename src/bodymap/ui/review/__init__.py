"""The clinician review window (`bodymap review`): `ReviewScreen` and `run_review`; see screen.py."""
from .maps import BASE_SIZE, DISCLAIMER, Loaded
from .screen import ReviewScreen, run_review

__all__ = ["ReviewScreen", "run_review", "Loaded", "BASE_SIZE", "DISCLAIMER"]
