"""The kiosk colours (bodymap.render.palette.KIOSK) under the names the kiosk screens draw with."""
from __future__ import annotations

from ...render.palette import KIOSK, KIOSK_PRIMARY, KIOSK_PRIMARY_PRESSED

BG = KIOSK.bg
TEXT = KIOSK.text
MUTED = KIOSK.muted
BORDER = KIOSK.border
DIVIDER = KIOSK.divider
WHITE = KIOSK.button_bg
PRIMARY = KIOSK_PRIMARY
PRIMARY_PRESSED = KIOSK_PRIMARY_PRESSED
CHOICE_ON = KIOSK.button_on_bg
PRESSED = KIOSK.pressed_bg
DISABLED_BG = KIOSK.disabled_bg
DISABLED_TEXT = KIOSK.disabled_text
ALERT = KIOSK.alert
ALERT_BG = KIOSK.alert_bg
PANEL = KIOSK.panel
SHADE = KIOSK.shade
