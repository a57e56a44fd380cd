"""A kiosk soak run: many simulated patients through `KioskApp`, headless, with synthetic touches.

    SDL_VIDEODRIVER=dummy python tools/kiosk_soak.py [N_SESSIONS] [SPOOL_DIR]

Each patient taps Start (sometimes after switching language), paints a few random
strokes with random sensations (sometimes undoing or rubbing out; sometimes on the
feet shown bigger, or asking for help, or listening to the screen), answers every
question at random (sometimes going back, skipping the age), confirms, and leaves
the thanks or red-flag screen; every tenth one first abandons a half-painted
session to the idle timeout. Every screen is drawn. Time is a fake clock, so
the run is as fast as the drawing allows.

`soak()` returns the figures `make bench` reports: the resident memory after the
run and its growth over the last 400 sessions (after the first ones have warmed
every cache; each end is a median of 10 sessions), and how many files the spool holds, load and have unique codes.
"""
from __future__ import annotations

import gc
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from bodymap.atlas import VIEWS, load_atlas
from bodymap.errors import BodymapError
from bodymap.fileformat import load
from bodymap.kiosk import plan
from bodymap.kiosk.config import KioskConfig
from bodymap.painting import SENSATIONS
from bodymap.ui.kiosk.app import TAP_GUARD_S  # noqa: E402
from bodymap.ui.kiosk import REDFLAG_FINISH_AFTER_S, KioskApp


class FakeClock:
    def __init__(self, t: float = 1000.0):
        self.t = float(t)

    def __call__(self) -> float:
        return self.t

    def advance(self, dt: float) -> None:
        self.t += float(dt)


def rss_mb() -> float:
    """Resident memory now (MB), from /proc/self/statm; peak RSS where /proc is missing."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / (2 ** 20 if sys.platform == "darwin" else 2 ** 10)


class Patient:
    """Synthetic touches on a KioskApp (one finger, positions normalised to the window as SDL sends them)."""

    def __init__(self, app: KioskApp, clock: FakeClock, rng: random.Random, surface: pygame.Surface | None = None):
        self.app, self.clock, self.rng = app, clock, rng
        self.surface = surface
        self.atlas = app.atlas
        self._points = {v: [r.geometry.representative_point() for r in self.atlas.regions_in(v)] for v in VIEWS}

    def finger(self, kind: int, pos) -> None:
        w, h = self.app.size
        self.app.handle_event(pygame.event.Event(kind, x=pos[0] / w, y=pos[1] / h, dx=0.0, dy=0.0,
                                                 touch_id=1, finger_id=0, pressure=1.0))

    def frame(self, dt: float = 0.5) -> None:
        self.clock.advance(dt)
        self.app.update(self.clock())
        if self.surface is not None:
            self.app.draw(self.surface)

    def tap(self, bid: str) -> None:
        self.app._sync(self.clock())
        wait = self.app.state.shown_since + TAP_GUARD_S - self.clock()
        if wait > 0:  # a patient looks at a new screen first (a touch in its first half second is ignored)
            self.frame(wait + 0.01)
        pos = self.app.button_center(bid)
        self.finger(pygame.FINGERDOWN, pos)
        self.finger(pygame.FINGERUP, pos)
        self.frame()

    def stroke(self, view: str, atlas_points, layouts=None) -> None:
        lay = (layouts or self.app.paint_layouts)[view]
        pts = [tuple(float(c) for c in lay.to_screen(x, y)) for x, y in atlas_points]
        self.finger(pygame.FINGERDOWN, pts[0])
        for p in pts[1:]:
            self.finger(pygame.FINGERMOTION, p)
        self.finger(pygame.FINGERUP, pts[-1])
        self.frame(0.2)

    def random_stroke(self) -> None:
        view = self.rng.choice(VIEWS)
        p = self.rng.choice(self._points[view])
        pts = [(p.x, p.y)]
        for _ in range(self.rng.randint(0, 6)):
            x, y = pts[-1]
            pts.append((x + self.rng.uniform(-0.25, 0.25), y + self.rng.uniform(-0.25, 0.25)))
        self.stroke(view, pts)

    def paint(self) -> None:
        for _ in range(self.rng.randint(1, 4)):
            self.tap(f"sens:{self.rng.choice(SENSATIONS)}")
            self.random_stroke()
        extra = self.rng.random()
        if extra < 0.1:  # the feet bigger: a dab on a foot there, then the whole body again
            self.tap("zoom")
            view = self.rng.choice(VIEWS)
            feet = [r.geometry.representative_point() for r in self.atlas.regions_in(view) if r.level == "foot"]
            p = self.rng.choice(feet)
            self.stroke(view, [(p.x, p.y)], self.app.geo.zoom_layouts)
            self.tap("zoom")
        elif extra < 0.15:  # help asked, then carry on; or the screen read aloud
            self.tap("help")
            self.tap("help_continue")
        elif extra < 0.2:
            self.tap("listen")
        r = self.rng.random()
        if r < 0.15 and self.app.buttons()["undo"].enabled:
            self.tap("undo")
        elif r < 0.25:
            self.tap("eraser")
            self.random_stroke()

    def answer_all(self) -> None:
        k = self.app.kiosk
        went_back = False
        while k.screen == "question":
            key, kind = k.current_question
            if not went_back and k.session.question > 2 and self.rng.random() < 0.05:
                went_back = True
                self.tap("qback")
                continue
            if kind in ("yesno", plan.FLAG1, plan.RECHECK):  # one question, yes / no (or not sure)
                self.tap("yes" if self.rng.random() < 0.12 else "unsure" if self.rng.random() < 0.05 else "no")
            elif kind == "decade":
                self.tap(f"age:{self.rng.choice(plan.AGE_BANDS).id}")
            elif kind == "redflags":  # mostly "None of these"; sometimes a tick or two (yes or not sure)
                if self.rng.random() < 0.85:
                    self.tap("flags_none")
                else:
                    page = k.page_keys(key)
                    for key in self.rng.sample(page, min(len(page), self.rng.randint(1, 2))):
                        self.tap(f"flag:{key}:{self.rng.choice(('yes', 'unsure'))}")
                    self.tap("flags_done")
            elif kind == "scale":
                self.tap(f"scale:{self.rng.randint(0, 10)}")
            elif self.rng.random() < 0.2:
                self.tap("age_skip")
            else:
                for d in str(self.rng.randint(16, 99)):
                    self.tap(f"key:{d}")
                self.tap("age_next")

    def session(self, abandon_first: bool = False) -> str:
        """One patient from the welcome screen back to it; returns the session code they were shown."""
        app, k = self.app, self.app.kiosk
        assert k.screen == "welcome", k.screen
        self.frame()
        if abandon_first:  # someone starts, paints, and walks away
            self.tap("start")
            self.random_stroke()
            self.frame(app.config.idle_timeout_s + 1)
            assert k.screen == "welcome"
        langs = list(app.config.languages)
        if len(langs) > 1 and self.rng.random() < 0.3:
            self.tap(f"lang:{self.rng.choice(langs)}")
        self.tap("start")
        self.paint()
        self.tap("next")
        if app.state.dialog == "nothing":
            self.tap("dlg:skip")
        self.answer_all()
        if k.screen == "review" and self.rng.random() < 0.1:  # change one thing, then back to the review
            self.tap("review_edit")
            if k.short_flow:
                target = self.rng.choice([key for key, _ in k.review_items()])
                self.tap(f"change:{target}")
                if k.screen == "paint":
                    self.random_stroke()
                    self.tap("next")
            else:
                self.random_stroke()
                self.tap("next")
            self.answer_all()
        if k.screen == "review":  # a red-flag yes has already finished the session
            self.tap("review_confirm")
        code = k.finished_code
        assert k.screen in ("thanks", "redflag") and code
        if k.screen == "redflag":
            self.frame(REDFLAG_FINISH_AFTER_S + 0.5)
            self.tap("finish")
        elif self.rng.random() < 0.5:
            self.tap("finish")
        else:
            for _ in range(50):  # the thanks screen goes back to welcome by itself
                if k.screen == "welcome":
                    break
                self.frame(1.0)
        assert k.screen == "welcome", k.screen
        return code


def soak(n_sessions: int = 500, spool_dir: str | os.PathLike | None = None, *, seed: int = 0,
         size: tuple[int, int] = (1920, 1080), window: int = 400) -> dict:
    """Run `n_sessions` simulated patients; see the module docstring for the figures returned."""
    pygame.display.init()
    pygame.font.init()
    with tempfile.TemporaryDirectory(prefix="bodymap-soak-") as tmp:
        tmp = Path(tmp)
        spool = Path(spool_dir) if spool_dir is not None else tmp / "spool"
        cfg = KioskConfig(spool_dir=spool, drafts_dir=tmp / "drafts", recovery_dir=tmp / "recovery")
        clock = FakeClock()
        app = KioskApp(cfg, size, atlas=load_atlas(), clock=clock)
        surface = pygame.Surface(size)
        patient = Patient(app, clock, random.Random(seed), surface)
        shown: list[str] = []
        rss: list[float] = []
        t0 = time.perf_counter()
        for i in range(n_sessions):
            shown.append(patient.session(abandon_first=(i % 10 == 9)))
            if i % 25 == 0:
                gc.collect()
            rss.append(rss_mb())
        seconds = time.perf_counter() - t0
        files = sorted(spool.glob("*.bodymap"))
        loaded, codes_in_files = 0, set()
        for f in files:
            try:
                m = load(f, atlas=app.atlas)
            except BodymapError:
                continue
            loaded += 1
            if m.meta.get("session_code") == f.stem:
                codes_in_files.add(f.stem)
        # drafts left behind (the staff state file, kiosk-staff.json, lives there too and is not a draft)
        drafts_left = len(list((tmp / "drafts").glob("*.bodymap"))) if (tmp / "drafts").exists() else 0
        # each end is the median of 10 samples, so one session's transient allocations do not decide it
        start = max(len(rss) - window - 1, 0)
        base = statistics.median(rss[max(start - 5, 0):start + 5])
        end = statistics.median(rss[-10:])
        return {
            "sessions": n_sessions,
            "files": len(files),
            "loaded": loaded,
            "unique_codes": len(set(shown) & codes_in_files),
            "codes_shown_unique": len(set(shown)) == len(shown),
            "pending": len(app.kiosk.spool.pending),
            "drafts_left": drafts_left,
            "rss_mb_after": round(rss[-1], 2),
            "rss_growth_mb_last_400": round(end - base, 2),
            "seconds": round(seconds, 1),
        }


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    n = int(argv[0]) if argv else 500
    spool = argv[1] if len(argv) > 1 else None
    result = soak(n, spool)
    for k, v in result.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
