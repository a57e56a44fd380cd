#!/usr/bin/env python3
"""Render the red-flag pages the kiosk asks by context (ADR 0042) to PNG, headless.

    .venv/bin/python tools/kiosk_context_screens.py [OUT_DIR]

For a patient in their forties and one of 80 or over, with the typical drawing (a calf), in every language,
at 1920 x 1080: each red-flag page in turn, answered "None of these" (the forties: one page; 80 and over: the
first page, then the ones the age brings). Kept in docs/images/ as kiosk-context-redflags-<band>-<n>-<lang>.png.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import pygame  # noqa: E402

from bodymap.atlas import load_atlas  # noqa: E402
from bodymap.kiosk import plan  # noqa: E402
from bodymap.kiosk.i18n import available_languages  # noqa: E402
from tools.kiosk_safe_screens import make, step  # noqa: E402

BANDS = {"40s": "40s", "80_plus": "80"}


def pages(tmp: Path, atlas, lang: str, band: str, size=(1920, 1080)) -> list[pygame.Surface]:
    app, clock = make(tmp, atlas, lang, size)
    k = app.kiosk
    k.start().pain_map.paint_region("right_calf", 0.6, "burning")
    step(app, clock)
    k.to_questions()
    out = []
    while k.screen == "question":
        kind = k.current_question[1]
        if kind == "redflags":
            step(app, clock)
            out.append(app.screenshot())
        k.answer(6 if kind == "scale" else band if kind == "decade" else
                 plan.NONE_OF_THESE if kind == "redflags" else False)
        step(app, clock)
    return out


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0]) if argv else ROOT / "docs" / "images"
    out_dir.mkdir(parents=True, exist_ok=True)
    pygame.display.init()
    pygame.font.init()
    atlas = load_atlas()
    for lang in available_languages():
        for band, tag in BANDS.items():
            with tempfile.TemporaryDirectory() as d:
                shots = pages(Path(d), atlas, lang, band)
            for n, surf in enumerate(shots, start=1):
                p = out_dir / f"kiosk-context-redflags-{tag}-{n}-{lang}.png"
                pygame.image.save(surf, str(p))
                print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
