"""The unattended kiosk: open the window, run the kiosk's scenes in the one loop, keep the data on any exit."""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from ...errors import BodymapError, ConfigError
from ...kiosk.config import KioskConfig
from ...kiosk.flow import EXIT_CONFIG, EXIT_CRASH, EXIT_STAFF, save_on_exit
from ...kiosk.i18n import load_catalogue
from ..scene import SdlWindow, run
from .app import KioskApp

log = logging.getLogger("bodymap.kiosk")

STOPPED = -1  # run_kiosk(max_frames=...) ran out of frames (tests only; never a real exit status)



def _log_crash(exc: BaseException) -> None:
    """One log line: the error's type and where it happened, never its message (it may quote patient data)."""
    frames = traceback.extract_tb(exc.__traceback__)[-8:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    log.error("kiosk stopped by an unexpected %s at %s (message left out: it may hold patient data); "
              "the unfinished session's draft is in the drafts folder and moves to recovery on restart",
              type(exc).__name__, where or "?")


def _ensure_log_handler() -> None:
    if not logging.getLogger().handlers and not log.handlers:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("bodymap kiosk: %(levelname)s: %(message)s"))
        log.addHandler(h)
        log.setLevel(logging.INFO)


def screen_size(position: tuple[int, int] | None = None) -> tuple[int, int]:
    """The size of the screen at `position` (the window's top left), else of the first screen.

    SDL lists the screens' sizes; they are taken as laid out left to right, as X and Wayland do by
    default. Without any screen information: 1280 x 800 (the smallest supported landscape size)."""
    try:
        sizes = [tuple(s) for s in pygame.display.get_desktop_sizes() if s[0] > 0 and s[1] > 0]
    except pygame.error:
        sizes = []
    if not sizes:
        return (1280, 800)
    if position is not None:
        left = 0
        for s in sizes:
            if left <= position[0] < left + s[0]:
                return s
            left += s[0]
    return sizes[0]


def run_kiosk(cfg: KioskConfig, windowed: bool = False, size: tuple[int, int] | None = None, *,
              clock: Callable[[], float] = time.monotonic, max_frames: int | None = None,
              on_frame: Callable[[KioskApp, int], None] | None = None) -> int:
    """Run the kiosk until staff leave with the PIN (or SIGTERM/SIGINT); returns the exit status (flow.EXIT_*).

    Leaving (PIN, signal, or a crash) first writes the open session's draft and any
    finished map still waiting for the spool (see `bodymap.kiosk.flow.save_on_exit`).

    `clock`, `max_frames` and `on_frame(app, frame)` (called before each frame's
    events are read) are for tests; with `max_frames` the loop may end with STOPPED.
    """
    _ensure_log_handler()
    for lang in cfg.languages:
        try:
            load_catalogue(lang)
        except ConfigError as exc:
            log.error("%s", exc)
            return EXIT_CONFIG
    # an unattended screen: no minimising on focus loss, Alt+F4 is not "close", the mouse does not fake touches
    os.environ.setdefault("SDL_VIDEO_MINIMIZE_ON_FOCUS_LOSS", "0")
    os.environ.setdefault("SDL_WINDOWS_NO_CLOSE_ON_ALT_F4", "1")
    os.environ.setdefault("SDL_MOUSE_TOUCH_EVENTS", "0")
    # SDL would turn SIGTERM into a QUIT event, which the kiosk ignores: handle the signals here instead
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    try:
        pygame.display.init()
        pygame.font.init()
    except pygame.error as exc:
        log.error("cannot start the display (%s)", exc)
        return EXIT_CRASH
    from ..scene import no_screen

    if (why := no_screen()):  # without a display it ran forever in a window nobody could see (ADR 0043)
        pygame.display.quit()
        log.error("%s", why)
        return EXIT_CONFIG
    stop: list[int] = []
    old_handlers = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):  # the service manager stopping us, or Ctrl+C in a terminal
            old_handlers[sig] = signal.signal(sig, lambda signum, frame: stop.append(signum))
    window = None
    app: KioskApp | None = None
    try:
        try:
            if cfg.fullscreen and not windowed:
                # sized from the screen it is on (a bare X server does not resize a fullscreen window for us)
                window = pygame.Window("bodymap kiosk", size or screen_size(), fullscreen_desktop=True)
                if size is None:
                    real = screen_size(tuple(window.position))
                    if tuple(window.size) != real:
                        window.size = real
                window.grab_keyboard = True  # Alt+Tab, the Windows key ... stay with the kiosk
                pygame.mouse.set_visible(False)
            else:
                fit = screen_size()
                window = pygame.Window("bodymap kiosk", size or (min(1280, fit[0]), min(800, fit[1])))
            surface = window.get_surface()
        except pygame.error as exc:
            log.error("cannot open the kiosk window (%s)", exc)
            return EXIT_CRASH
        pygame.event.clear()
        try:
            app = KioskApp(cfg, surface.get_size(), clock=clock)
        except BodymapError as exc:  # e.g. the drafts or recovery folder cannot be used
            log.error("%s", exc)
            return EXIT_CONFIG
        if not cfg.pin_hash:
            log.warning("no staff PIN is set: the exit gesture is off and staff marks cannot be acknowledged "
                        "on the screen; set one with: bodymap kiosk --set-pin")
        if app.kiosk.recovered:
            log.warning("%d unfinished session(s) moved to %s", len(app.kiosk.recovered), cfg.recovery_dir)
        if run(app, SdlWindow(window), max_frames=max_frames, clock=clock, should_stop=lambda: bool(stop),
               on_frame=on_frame):
            return STOPPED
        save_on_exit(app.kiosk)
        if stop:
            log.info("stopped by %s", signal.Signals(stop[0]).name)
            return EXIT_STAFF
        log.info("staff left the kiosk with the PIN")
        return app.should_exit
    except Exception as exc:  # noqa: BLE001 - the top of an unattended program: log, keep the data, restart
        _log_crash(exc)
        save_on_exit(app.kiosk if app is not None else None)
        return EXIT_CRASH
    finally:
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        try:
            if window is not None:
                window.destroy()
        finally:
            pygame.mouse.set_visible(True)
            pygame.display.quit()
