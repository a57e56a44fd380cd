"""Playing the kiosk's recorded speech with pygame.mixer; silent when there is no audio device.

The recordings and which text has one are the headless side (bodymap.kiosk.voice);
this module only plays them. Any mixer failure turns the speaker silent for the rest
of the run instead of stopping the kiosk: a patient can still read every screen.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pygame

from ...kiosk import voice

log = logging.getLogger("bodymap.kiosk")

SOUND_CACHE = 24  # decoded sounds kept (each about 0.2 MB a second at the mixer's rate): one or two screens' worth


class Speaker:
    def __init__(self, root: Path | None = None):
        self.root = root
        self.available = False
        self._sounds: dict[Path, pygame.mixer.Sound] = {}
        self._channel: pygame.mixer.Channel | None = None
        self._pending: list[tuple[str, str]] = []
        try:
            if not pygame.mixer.get_init():
                pygame.mixer.init()
            self.available = pygame.mixer.get_init() is not None
        except pygame.error as exc:
            log.info("no audio device, the kiosk stays silent (%s)", exc)

    def say(self, lang: str, key: str) -> bool:
        """Start speaking `key` in `lang` (stopping any speech already playing). False when silent."""
        if not self.available:
            return False
        path = voice.audio_file(lang, key, self.root)
        if path is None:
            return False
        try:
            sound = self._sounds.pop(path, None)
            if sound is None:
                sound = pygame.mixer.Sound(str(path))
            self._sounds[path] = sound  # the most recently used last
            while len(self._sounds) > SOUND_CACHE:  # a kiosk runs for months: keep memory bounded
                self._sounds.pop(next(iter(self._sounds)))
            if self._channel is not None:
                self._channel.stop()
            self._channel = sound.play()
        except pygame.error as exc:
            log.warning("speech could not be played, the kiosk goes silent (%s)", exc)
            self.available = False
            return False
        return self._channel is not None

    def say_all(self, lang: str, keys: list[str]) -> bool:
        """Speak several texts one after another (a screen's title, then its body, then its buttons).

        The rest are played by `update()`, which the screen calls every frame.
        """
        keys = [k for k in keys if voice.audio_file(lang, k, self.root) is not None]
        self._pending = []
        if not keys or not self.say(lang, keys[0]):
            return False
        self._pending = [(lang, k) for k in keys[1:]]
        return True

    def update(self) -> None:
        """Start the next queued text once the current one has ended."""
        if self._pending and not self.speaking():
            lang, key = self._pending.pop(0)
            pending = self._pending
            self.say(lang, key)
            self._pending = pending

    def speaking(self) -> bool:
        return bool(self.available and self._channel is not None and self._channel.get_busy())

    def stop(self) -> None:
        self._pending = []
        if self._channel is not None:
            try:
                self._channel.stop()
            except pygame.error:
                pass
            self._channel = None
