"""The kiosk screens under their old name: everything moved to bodymap.ui.kiosk (see ADR 0005).

Kept so that `from bodymap.ui.kiosk_app import KioskApp, run_kiosk` keeps working
(tests, tools/kiosk_soak.py, bench and bodymap.kiosk.cli use it).
"""
from .kiosk import (BASE, PATIENT_SCREENS, REDFLAG_FINISH_AFTER_S, STOPPED, THANKS_SECONDS,  # noqa: F401
                    KioskApp, run_kiosk)
from .kiosk.layout import CORNER_PX  # noqa: F401
from .kiosk.paint import BRUSH_RADIUS  # noqa: F401
from .kiosk.pin import PIN_PAD_IDLE_S, WRONG_PIN_SECONDS, PinPad  # noqa: F401
from .kiosk.touch import STALE_POINTER_S  # noqa: F401
from .scene import EVERY_FRAME_30

FPS = EVERY_FRAME_30.fps
