"""What the kiosk lends its screens: the narrow context every scene and overlay is built with (issue 19 item 2).

A kiosk screen (welcome, paint, question, review, thanks, red flag) or overlay (a dialog, "Still there?", help,
the PIN pad, the staff screen) never holds `KioskApp`. It gets a `ScreenContext`: the headless flow, the
config, the clock, the text cache and the words, where everything sits (`Geometry`), what the screens share
about the patient now (`ScreenState`), the body views (`BodyViews`), the tap tracker (which button is held)
and `sync` (keep the screens in step with the flow at once). What one overlay needs beyond that (the paint
screen, the assist part, a callable) `KioskApp` passes to it by name, where the wiring is read in one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ...kiosk.i18n import text as i18n_text
from ...painting import SENSATIONS, PainMap

if TYPE_CHECKING:
    from ...atlas import Atlas
    from ...kiosk.config import KioskConfig
    from ...kiosk.flow import Kiosk
    from ..kit import Texts
    from ..kit.tap import TapTracker
    from .bodies import BodyViews
    from .layout import Geometry


class Words:
    """The patient's words, in the language chosen, and what the frame being drawn looked up ("Listen" says
    it: the catalogue keys in drawing order, `bodymap.ui.kiosk.assist`)."""

    def __init__(self, kiosk: "Kiosk"):
        self.kiosk = kiosk
        self.listening: list[str] | None = None  # keys being collected while a frame is drawn

    @property
    def lang(self) -> str:
        return self.kiosk.language

    def t(self, key: str, **kw) -> str:
        if not kw:
            self.heard_key(key)
        return i18n_text(self.lang, key, **kw)

    def heard_key(self, key: str) -> None:
        if self.listening is not None:
            self.listening.append(key)


@dataclass
class ScreenState:
    """What the screens share while a patient uses the kiosk (dropped when the session ends): the session's map,
    the sensation or "Rub out" chosen, the open dialog ("clear", "nothing", "stop"), the digits typed on the
    age keypad, and since when the current screen (or question) shows."""

    shown_since: float
    pain_map: PainMap | None = None  # the session's map (the flow's), None between patients
    sensation: str = SENSATIONS[0]
    eraser: bool = False
    dialog: str | None = None
    digits: str = ""
    _empty: tuple[int, bool] | None = field(default=None, repr=False)

    def new_session(self, m: PainMap | None) -> None:
        self.pain_map, self._empty = m, None
        self.dialog, self.digits = None, ""
        self.sensation, self.eraser = SENSATIONS[0], False

    @property
    def map_empty(self) -> bool:
        m = self.pain_map
        if m is None:
            return True
        if self._empty is None or self._empty[0] != m.version:
            self._empty = (m.version, m.is_empty)
        return self._empty[1]


@dataclass(frozen=True)
class ScreenContext:
    kiosk: "Kiosk"  # the headless flow: the screen, the session, its answers (bodymap.kiosk.flow)
    config: "KioskConfig"
    atlas: "Atlas"
    clock: Callable[[], float]
    texts: "Texts"
    words: Words
    geo: "Geometry"  # where everything sits; placed again on a resize (layout.py)
    state: ScreenState
    views: "BodyViews"  # the paint and review screens' canvases and cached backgrounds (bodies.py)
    taps: "TapTracker"  # one pointer, and the button held (`taps.pressed`)
    sync: Callable[[float], Any]  # keep the screens in step with the flow now (after a call that ends a session)

    def t(self, key: str, **kw) -> str:
        """The patient's words for `key` (see `Words.t`)."""
        return self.words.t(key, **kw)
