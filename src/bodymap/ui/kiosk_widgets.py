"""The widget kit (bodymap.ui.kit) with the kiosk colours under the names the kiosk screens use.

`KButton` is the kit's `Button` in the kiosk look; `Texts` fits text into boxes
and records what a frame shows. Colours: bodymap.render.palette.KIOSK.
"""
from __future__ import annotations

from ..render.palette import KIOSK, KIOSK_PRIMARY, KIOSK_PRIMARY_PRESSED
from .kit import KIOSK_LOOK, Button, KButton, Texts, draw_panel  # noqa: F401

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
