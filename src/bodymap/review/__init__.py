"""The review session (issue 19): the review window's state without pygame, as `bodymap.kiosk.flow` is the
kiosk's. `ReviewSession` holds the scan of a folder, the triage order and filter, the open map, the
comparison, the timeline and the confirmed diagnosis; `entries` the list's lines; `words` a map's words.
The window (`bodymap.ui.review`) draws a session and feeds it taps."""
from .entries import FILTERS, MapEntry, scan, triage_order
from .maps import Loaded
from .session import ReviewSession, hypothesis_key

__all__ = ["ReviewSession", "Loaded", "MapEntry", "FILTERS", "scan", "triage_order", "hypothesis_key"]
