"""The desk colours (bodymap.render.palette.DESK) under the names the painting and review windows draw with."""
from __future__ import annotations

from ...render.palette import (DESK, DESK_AGAINST_TEXT, DESK_BAR_FILL, DESK_FOR_TEXT, DESK_SELECT_BG,
                               DESK_SELECT_BORDER)

BG = DESK.bg
BAR_BG = DESK.disabled_bg
BAR_LINE = DESK.divider
BUTTON_BG = DESK.button_bg
BUTTON_BORDER = DESK.border
BUTTON_ON_BG = DESK.button_on_bg
BUTTON_ON_TEXT = DESK.button_on_text
PRESSED_BG = DESK.pressed_bg
DISABLED_TEXT = DESK.disabled_text
TEXT = DESK.text
MUTED = DESK.muted
RED = DESK.alert
RED_BG = DESK.alert_bg
FOR_TEXT = DESK_FOR_TEXT
AGAINST_TEXT = DESK_AGAINST_TEXT
SELECT_BG = DESK_SELECT_BG
SELECT_BORDER = DESK_SELECT_BORDER
BAR_FILL = DESK_BAR_FILL
SHADOW = DESK.shade
