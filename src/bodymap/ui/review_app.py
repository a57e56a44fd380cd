"""The review window under its old name: everything moved to bodymap.ui.review (see ADR 0005).

Kept so that `from bodymap.ui.review_app import ReviewScreen, run_review` keeps working.
"""
from .review import BASE_SIZE, DISCLAIMER, Loaded, ReviewScreen, run_review  # noqa: F401
