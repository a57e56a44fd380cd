"""Scenes and the one window loop that runs them.

A scene is an object driven by events; the painting window, the review window
and the kiosk are each one:

- `handle_event(event)`: one pygame event (pointer events go through
  `bodymap.ui.pointer` first);
- `update(now)`: per frame work (toasts, timeouts, the matcher);
- `draw(surface)`: paint the frame; returns the changed rectangles, or None
  when the whole window changed (a full flip);
- `caption` (or None to leave the title alone), `done`, `exit_status`;
- `redraw`: a `Redraw` policy saying how often the loop draws.

`run(scene, window)` is the only event loop in bodymap. Tests do not need it:
they call the scene's methods with synthetic events, headless.

`SceneManager` holds scenes by id and switches between them; each scene's
`enter()` runs when it becomes current. The kiosk registers its screens in one
(welcome, paint, question, review, thanks, redflag: bodymap.ui.kiosk), each a
smaller scene that draws its screen and acts on its buttons' taps.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Protocol

import pygame


@dataclass(frozen=True)
class Redraw:
    """How the loop redraws a scene.

    - "every_frame": update and draw every frame at `fps` (the kiosk: its idle
      warning counts down and its screens change by themselves);
    - "on_change": update every frame, draw only after events, on the first frame
      and while a toast shows (`scene.toast` not None; the review window: a still picture);
    - "partial": draw only what changed (`scene.draw_partial(surface)`, which returns
      the changed rectangles or None), whole frames (`scene.invalidate()`) during
      start-up and now and then when idle; when idle, update and draw only now and
      then and tick at `idle_fps` (the painting window).
    `idle_fps` is the rate once nothing happens.
    """

    mode: str = "every_frame"
    fps: int = 60
    idle_fps: int | None = None


EVERY_FRAME_30 = Redraw("every_frame", 30)
ON_CHANGE = Redraw("on_change", 60, 20)
PARTIAL = Redraw("partial", 60, 20)


class Scene(Protocol):
    redraw: Redraw
    done: bool
    exit_status: int | None

    @property
    def caption(self) -> str | None: ...

    def handle_event(self, event: pygame.event.Event) -> None: ...

    def update(self, now: float | None = None) -> None: ...

    def draw(self, surface: pygame.Surface) -> list[pygame.Rect] | None: ...


class SceneManager:
    """Scenes by id; `switch(id)` makes one current and calls its `enter()` (if it has one)."""

    def __init__(self) -> None:
        self.scenes: dict[str, Any] = {}
        self.current_id: str | None = None

    def register(self, scene_id: str, scene: Any) -> None:
        self.scenes[scene_id] = scene

    @property
    def current(self) -> Any:
        return self.scenes[self.current_id] if self.current_id is not None else None

    def switch(self, scene_id: str, again: bool = False) -> Any:
        """Make `scene_id` current; `again`: call its `enter()` even if it already was (a new question)."""
        if scene_id not in self.scenes:
            raise KeyError(f"no scene {scene_id!r}")
        if scene_id != self.current_id or again:
            self.current_id = scene_id
            enter = getattr(self.scenes[scene_id], "enter", None)
            if enter is not None:
                enter()
        return self.scenes[scene_id]


class DisplayWindow:
    """The classic pygame display (`display.set_mode`) as the loop's window."""

    def surface(self) -> pygame.Surface:
        return pygame.display.get_surface()

    def show(self, rects: list[pygame.Rect] | None) -> None:
        if rects is None:
            pygame.display.flip()
        elif rects:
            pygame.display.update(rects)

    def set_caption(self, text: str) -> None:
        pygame.display.set_caption(text)


class SdlWindow:
    """A `pygame.Window` (the kiosk's, which may be fullscreen on the desktop) as the loop's window."""

    def __init__(self, window: "pygame.Window"):
        self.window = window

    def surface(self) -> pygame.Surface:
        return self.window.get_surface()

    def show(self, rects: list[pygame.Rect] | None) -> None:
        self.window.flip()

    def set_caption(self, text: str) -> None:
        self.window.title = text


def run(scene: Scene, window: DisplayWindow | SdlWindow, *, max_frames: int | None = None,
        clock: Callable[[], float] = time.monotonic, should_stop: Callable[[], bool] = lambda: False,
        on_frame: Callable[[Any, int], None] | None = None) -> bool:
    """Run `scene` in `window` until it is done (or `should_stop()`); the one event loop.

    Returns True when it stopped because `max_frames` ran out (tests only).
    `on_frame(scene, frame)` runs before each frame's events are read (tests only).
    """
    policy = scene.redraw
    ticker = pygame.time.Clock()
    frame = idle = 0
    caption = None
    while not scene.done and not should_stop():
        if max_frames is not None and frame >= max_frames:
            return True
        if on_frame is not None:
            on_frame(scene, frame)
        if scene.caption is not None and scene.caption != caption:
            caption = scene.caption
            window.set_caption(caption)
        events = pygame.event.get()
        for event in events:
            scene.handle_event(event)
        idle = 0 if events else idle + 1
        if policy.mode == "partial":
            if frame < 30 or idle % 30 == 29:
                # redraw everything during start-up and now and then when idle: some window systems
                # map the window after our first flip, or lose pixels without telling us
                scene.invalidate()
            if idle < 3 or idle % 10 == 0:  # idle: redraw now and then (toasts) but let the CPU rest
                scene.update(clock())
                window.show(scene.draw_partial(window.surface()))
            ticker.tick(policy.fps if idle < 60 else (policy.idle_fps or policy.fps))
        elif policy.mode == "on_change":
            had_toast = getattr(scene, "toast", None) is not None
            scene.update(clock())
            if events or frame == 0 or had_toast:
                window.show(scene.draw(window.surface()))
            ticker.tick(policy.fps if events else (policy.idle_fps or policy.fps))
        else:
            scene.update(clock())
            if scene.done:
                break
            window.show(scene.draw(window.surface()))
            ticker.tick(policy.fps)
        frame += 1
    return False


def desktop_size() -> tuple[int, int] | None:
    """The first screen's size (after `pygame.display.init()`), or None when the driver cannot tell."""
    try:
        sizes = pygame.display.get_desktop_sizes()
    except pygame.error:
        return None
    return tuple(sizes[0]) if sizes else None


def no_screen() -> str:
    """Why a window opened now would be seen by nobody ('' when it would be seen): without DISPLAY or
    WAYLAND_DISPLAY (a clinic PC reached over ssh, a service account) SDL falls back to its invisible
    'offscreen' driver and the window ran forever where no one could see or close it (ADR 0043). A driver
    chosen on purpose (SDL_VIDEODRIVER=dummy, as the tests do) is respected. Call after display.init()."""
    import os

    try:
        driver = (pygame.display.get_driver() or "").lower()
    except pygame.error:
        return ""
    chosen = [d.strip().lower() for d in os.environ.get("SDL_VIDEODRIVER", "").split(",")]
    if driver in ("offscreen", "dummy") and driver not in chosen:
        return (f"no screen to show the window on: DISPLAY and WAYLAND_DISPLAY are not set, so the window would "
                f"open invisibly ('{driver}'); run bodymap from the desktop, or over 'ssh -X'")
    return ""
