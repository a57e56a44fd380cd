"""The one palette: every colour bodymap draws with, and the sensation styles.

Two sets of control colours share the body colours: DESK (the painting and
review windows, dense and mouse-sized) and KIOSK (the waiting-room screens,
larger text at 7:1 contrast). Widgets are one kit, coloured by one of them.
Nothing here imports pygame; colours are plain RGB(A) tuples.
"""
from __future__ import annotations

from dataclasses import dataclass

# --- the body and the atlas -------------------------------------------------
BACKGROUND = (250, 249, 246)
SKIN = (238, 228, 218)
OUTLINE = (92, 78, 70)
REGION_LINE = (196, 182, 170)
REGION_LINE_OVER_PAINT = (120, 108, 100)
TEXT = (40, 36, 34)
MUTED = (110, 104, 100)
# Okabe-Ito hues (colour-blind safe), chosen so that neighbouring roots differ.
DERMATOME_COLOURS = {
    "C2": (230, 159, 0), "C3": (86, 180, 233), "C4": (0, 158, 115), "C5": (240, 228, 66), "C6": (0, 114, 178),
    "C7": (213, 94, 0), "C8": (204, 121, 167), "T1": (230, 159, 0), "T2": (86, 180, 233), "T3": (0, 158, 115),
    "T4": (240, 228, 66), "T5": (0, 114, 178), "T6": (213, 94, 0), "T7": (204, 121, 167), "T8": (240, 228, 66),
    "T9": (86, 180, 233),
    "T10": (230, 159, 0), "T11": (86, 180, 233), "T12": (0, 158, 115), "L1": (240, 228, 66),
    "L2": (0, 114, 178), "L3": (213, 94, 0), "L4": (204, 121, 167), "L5": (0, 158, 115),
    "S1": (86, 180, 233), "S2": (230, 159, 0), "S3_S5": (204, 121, 167),
}

# --- a pattern's referral zone shaded over the body --------------------------
ZONE_RGB = (72, 48, 120)
ZONE_LINE = (60, 30, 110)
ZONE_MIN_P = 0.06  # zone shading: regions below this are the pattern's background rate, not shown
ZONE_OUTLINE_P = 0.3  # and regions at or above this get a line around them

# --- the sensations ----------------------------------------------------------
# Okabe-Ito hues (colour-blind safe), each with a texture so that every sensation
# stays distinguishable in greyscale and for colour-blind readers. Each has two
# shades of its hue: `fill`, at least 3:1 against the skin (WCAG 2.2 non-text
# contrast, 1.4.11), and a darker `ink` for its texture lines, at least 3:1 too
# and about 2:1 against its own fill so the texture shows. Paint is opaque.
# Where sensations overlap, they share the area in diagonal bands, each band
# drawn as one of them (tests/render/test_palette.py checks all of this).
SENSATION_STYLE = {
    "aching": {"colour": (0, 65, 101), "fill": (0, 114, 178), "pattern": "solid", "label": "Aching"},
    "sharp": {"colour": (102, 45, 0), "fill": (200, 88, 0), "pattern": "diagonal", "label": "Sharp"},
    "burning": {"colour": (83, 57, 0), "fill": (163, 113, 0), "pattern": "crosshatch", "label": "Burning"},
    "pins_and_needles": {"colour": (86, 51, 70), "fill": (169, 100, 139), "pattern": "dots",
                         "label": "Pins and needles"},
    "numbness": {"colour": (0, 71, 52), "fill": (0, 139, 101), "pattern": "horizontal", "label": "Numb"},
}
PATTERN_PERIOD = 6  # px between texture lines
PAINT_ALPHA = 255  # opaque: a see-through tint loses its contrast against the skin
OVERLAP_BAND = 2  # texture periods per band where sensations overlap (each band shows one of them)


def relative_luminance(rgb) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour (0..255 per channel)."""
    def lin(c: float) -> float:
        c = c / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(float(v)) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    """WCAG 2.2 contrast ratio between two colours, 1..21."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Controls:
    """The colours of buttons, bars and text around the body for one use."""
    bg: tuple
    text: tuple
    muted: tuple
    border: tuple
    divider: tuple
    button_bg: tuple
    button_on_bg: tuple
    button_on_text: tuple
    pressed_bg: tuple
    disabled_bg: tuple
    disabled_text: tuple
    alert: tuple
    alert_bg: tuple
    panel: tuple
    shade: tuple


DESK = Controls(
    bg=BACKGROUND, text=TEXT, muted=MUTED, border=(150, 140, 132), divider=(205, 197, 189),
    button_bg=(255, 255, 255), button_on_bg=(52, 47, 44), button_on_text=(255, 255, 255),
    pressed_bg=(222, 214, 206), disabled_bg=(237, 233, 227), disabled_text=(175, 168, 162),
    alert=(180, 20, 20), alert_bg=(253, 232, 232), panel=(237, 233, 227), shade=(0, 0, 0, 110),
)
# Desk-only extras: the ranking bars and the for/against evidence lines.
DESK_BAR_FILL = (0, 114, 178)
DESK_FOR_TEXT = (0, 100, 70)
DESK_AGAINST_TEXT = (150, 60, 0)
DESK_SELECT_BG = (222, 235, 247)
DESK_SELECT_BORDER = (0, 90, 150)

KIOSK = Controls(
    bg=BACKGROUND, text=(24, 22, 20), muted=(78, 72, 68),  # muted is still 7:1 on bg
    border=(70, 64, 60), divider=(205, 197, 189),
    button_bg=(255, 255, 255), button_on_bg=(34, 31, 29), button_on_text=(255, 255, 255),
    pressed_bg=(214, 224, 236), disabled_bg=(238, 236, 233), disabled_text=(150, 144, 139),
    alert=(150, 24, 24),  # the red-flag title and the wrong-PIN line: 7:1 on white
    alert_bg=(253, 243, 236), panel=(255, 255, 255), shade=(0, 0, 0, 150),
)
# Kiosk-only extras: the one primary action colour (white on it: 8:1).
KIOSK_PRIMARY = (0, 78, 146)
KIOSK_PRIMARY_PRESSED = (0, 56, 108)
