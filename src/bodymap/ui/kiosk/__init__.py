"""The kiosk's touch screens, one scene module per screen; `KioskApp` (app.py) and `run_kiosk` (run.py)."""
from .app import PATIENT_SCREENS, KioskApp
from .layout import BASE
from .redflag import REDFLAG_FINISH_AFTER_S
from .run import STOPPED, run_kiosk
from .thanks import THANKS_SECONDS

__all__ = ["KioskApp", "run_kiosk", "BASE", "PATIENT_SCREENS", "REDFLAG_FINISH_AFTER_S", "STOPPED",
           "THANKS_SECONDS"]
