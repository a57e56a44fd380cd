"""The one widget kit of every window: text, buttons, a slider, dialogs and panels (ADR 0005).

Widgets draw what the screen tells them to show and keep no other state. Their
colours come from one of the two control palettes of bodymap.render.palette
(`DESK_LOOK` for the painting and review windows, `KIOSK_LOOK` for the kiosk);
their sizes are parameters the screen passes in, already scaled. The colour names the windows draw
with are `kit.desk_colours` and `kit.kiosk_colours`; `RankingPanel` (kit.ranking) is the clinician
panel: red flags on top, the ranking, prompts.
"""
from .button import DESK_LOOK, KIOSK_LOOK, Button, KButton, Look, swatch_surface
from .controls import Dialog, Slider, draw_panel, flow_buttons
from .ranking import RankingPanel
from .text import TextCache, Texts, wrap_text

__all__ = ["Button", "KButton", "Look", "DESK_LOOK", "KIOSK_LOOK", "Dialog", "Slider", "RankingPanel", "TextCache", "Texts",
           "draw_panel", "flow_buttons", "swatch_surface", "wrap_text"]
