#!/usr/bin/env python3
"""Render the kiosk screens of issue 20 ("safe for a patient") to PNG, headless.

    .venv/bin/python tools/kiosk_safe_screens.py [OUT_DIR] [--all-sizes]

By default the pictures kept in docs/images/: a red-flag page (and a full one of four), a cauda equina question on
its own screen, the question asked again, the staff mark on the welcome screen
and the staff screen (at 1920 x 1080), and the portrait paint and red-flag
screens (1080 x 1920), each in every language. `--all-sizes` renders every
screen at every supported size (for looking, not kept).
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

SIZES = ((1280, 800), (1920, 1080), (1080, 1920), (2560, 1440))


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def make(tmp: Path, atlas, lang: str, size):
    clock = Clock()
    cfg = KioskConfig(spool_dir=tmp / "spool", drafts_dir=tmp / "drafts", recovery_dir=tmp / "recovery",
                      default_language=lang, pin_hash=None)
    app = KioskApp(cfg, size, atlas=atlas, clock=clock)
    return app, clock


def step(app, clock, dt=1.0):
    clock.t += dt
    app.update(clock())


def numb_saddle(app, clock):
    k = app.kiosk
    m = k.start().pain_map
    for rid in ("perineum", "right_posterior_thigh", "left_posterior_thigh"):
        m.paint_region(rid, 1.0, "numbness")
    step(app, clock)
    k.to_questions()
    step(app, clock)


def screens(tmp: Path, atlas, lang: str, size) -> dict[str, pygame.Surface]:
    out = {}
    app, clock = make(tmp / "a", atlas, lang, size)
    numb_saddle(app, clock)
    out["flag1"] = app.screenshot()  # weakness, on its own screen
    k = app.kiosk
    while k.current_question[0] != "saddle_numbness":
        k.answer(False)
        step(app, clock)
    k.answer(False)
    step(app, clock)
    out["recheck"] = app.screenshot()
    app2, clock2 = make(tmp / "b", atlas, lang, size)
    k2 = app2.kiosk
    k2.start().pain_map.paint_region("right_calf", 0.6, "burning")
    step(app2, clock2)
    k2.to_questions()
    while k2.current_question[1] != "redflags":
        k2.answer(6 if k2.current_question[1] == "scale" else "70s" if k2.current_question[1] == "decade" else False)
        step(app2, clock2)
    out["redflags"] = app2.screenshot()
    k2.answer(plan.NONE_OF_THESE)
    step(app2, clock2)
    fc = app2.scenes.scenes["question"].flags
    emergency = [q for q in fc.keys if q in ("bladder_bowel", "saddle_numbness", "legs_numb_or_weak_both")]
    fc.activate(("tick", (emergency or list(fc.keys))[0], True))
    step(app2, clock2)
    out["redflags-answered"] = app2.screenshot()
    fc.activate(("flags_done",))  # a yes to a cauda equina question: the emergency screen, and the staff mark
    step(app2, clock2)
    out["emergency"] = app2.screenshot()
    k2.reset()
    step(app2, clock2)
    out["staff-mark"] = app2.screenshot()
    app2.staff_screen.since = clock2()
    out["staff-screen"] = app2.screenshot()
    app2.staff_screen.since = None
    k2.start().pain_map.paint_region("right_lateral_foot", 0.6, "burning")
    step(app2, clock2)
    out["paint"] = app2.screenshot()
    # a full red-flag page (ADR 0027: four questions, the answers said once), "Not sure" given on one
    app3, clock3 = make(tmp / "c", atlas, lang, size)
    k3 = app3.kiosk
    k3.start().pain_map.paint_region("right_calf", 0.6, "burning")
    step(app3, clock3)
    k3.to_questions()
    while k3.current_question[1] != "redflags" or len(k3.page_keys(k3.current_question[0])) < plan.PAGE_MAX:
        kind = k3.current_question[1]
        k3.answer(6 if kind == "scale" else "70s" if kind == "decade" else
                  plan.NONE_OF_THESE if kind == "redflags" else False)
        step(app3, clock3)
    fc3 = app3.scenes.scenes["question"].flags
    fc3.activate(("tick", fc3.keys[-1], plan.UNSURE))
    step(app3, clock3)
    out["redflags-full"] = app3.screenshot()
    return out


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    out_dir = Path(args[0]) if args else ROOT / "docs" / "images"
    out_dir.mkdir(parents=True, exist_ok=True)
    pygame.display.init()
    pygame.font.init()
    atlas = load_atlas()
    keep = {(1920, 1080): ("redflags", "redflags-answered", "redflags-full", "flag1", "recheck", "staff-mark",
                           "staff-screen"),
            (1080, 1920): ("paint", "redflags", "redflags-full")}
    sizes = SIZES if "--all-sizes" in argv else tuple(keep)
    for lang in available_languages():
        for size in sizes:
            with tempfile.TemporaryDirectory() as d:
                shots = screens(Path(d), atlas, lang, size)
            for name, surf in shots.items():
                if "--all-sizes" not in argv and name not in keep[size]:
                    continue
                tag = "" if size == (1920, 1080) else f"-{size[0]}x{size[1]}" if size != (1080, 1920) else "-portrait"
                p = out_dir / f"kiosk-safe-{name}{tag}-{lang}.png"
                pygame.image.save(surf, str(p))
                print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
