"""Kiosk mode: unattended painting sessions in a waiting room.

The headless core lives here (config, PIN, session codes, spool, drafts,
catalogues, the flow state machine); the pygame screens are in
bodymap.ui.kiosk.
"""
