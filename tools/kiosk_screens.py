#!/usr/bin/env python3
"""Render the kiosk's short-flow screens in every language to docs/images/kiosk-<screen>-<lang>.png (headless).

    .venv/bin/python tools/kiosk_screens.py [OUT_DIR]

The screens: pain (0-10), age bands, the red-flag tick boxes (some ticked), the
review's change list, the nothing-painted dialog, the calm thanks (a same-day
flag) and the "please tell the reception staff now" screen (an emergency).
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

import pygame  # noqa: E402

from bodymap.atlas import load_atlas  # noqa: E402
from bodymap.kiosk import plan  # noqa: E402
from bodymap.kiosk.config import KioskConfig  # noqa: E402
from bodymap.kiosk.i18n import available_languages  # noqa: E402
from bodymap.ui.kiosk.app import KioskApp  # noqa: E402

SIZE = (1920, 1080)


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def _app(tmp: Path, atlas, lang: str):
    clock = Clock()
    cfg = KioskConfig(spool_dir=tmp / "spool", drafts_dir=tmp / "drafts", recovery_dir=tmp / "recovery",
                      short_flow=True, default_language=lang)
    app = KioskApp(cfg, SIZE, atlas=atlas, clock=clock)
    return app, app.kiosk, clock


def _painted(app, k, clock):
    s = k.start()
    s.pain_map.paint_region("right_calf", 0.6, "burning")
    s.pain_map.paint_region("right_posterior_thigh", 0.5, "burning")
    clock.t += 1
    app.update(clock())
    return s


def _save(app, out: Path, name: str, lang: str) -> Path:
    app.update(app.clock())
    p = out / f"kiosk-{name}-{lang}.png"
    pygame.image.save(app.screenshot(), str(p))
    return p


def render_all(out: Path) -> list[Path]:
    pygame.display.init()
    pygame.font.init()
    atlas = load_atlas()
    made = []
    for lang in available_languages():
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            app, k, clock = _app(tmp / "a", atlas, lang)
            k.start()
            app.update(clock())
            app.state.dialog = "nothing"
            made.append(_save(app, out, "nothing", lang))
            app.state.dialog = None
            _painted(app, k, clock)
            k.to_questions()
            made.append(_save(app, out, "pain", lang))
            k.answer(6)
            made.append(_save(app, out, "age", lang))
            k.answer("50s")
            app.update(clock())
            q = app.scenes.scenes["question"]
            keys = k.page_keys(k.current_question[0])  # the first red-flag page, one answered each way
            q.flags.ticks = dict(zip(keys, (True, plan.UNSURE, False)))
            made.append(_save(app, out, "redflags", lang))
            q.flags.ticks = {}
            while k.screen == "question":
                if k.current_question[1] == "redflags":
                    page = k.page_keys(k.current_question[0])
                    k.answer({"cancer_history": True} if "cancer_history" in page else plan.NONE_OF_THESE)
                else:
                    k.answer(False)
            app.update(clock())
            app.scenes.scenes["review"].choosing = True
            made.append(_save(app, out, "review-change", lang))
            k.confirm()
            made.append(_save(app, out, "thanks-sameday", lang))
            app2, k2, clock2 = _app(tmp / "b", atlas, lang)
            _painted(app2, k2, clock2)
            k2.to_questions()
            k2.answer(8)
            k2.answer("40s")
            while "saddle_numbness" not in k2.page_keys(k2.current_question[0]):
                k2.answer(plan.NONE_OF_THESE)
            k2.answer({"saddle_numbness": True})
            made.append(_save(app2, out, "emergency", lang))
    return made


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images"
    for p in render_all(out):
        print(p)
