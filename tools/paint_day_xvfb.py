"""Drive a real painting window through a clinic morning under Xvfb (issue 13, "Done when", steps 1-4).

    xvfb-run -s "-screen 0 1400x900x24" .venv/bin/python tools/paint_day_xvfb.py [WORKDIR [SHOT.png]]

A real `bodymap paint` window (the X11 video driver, real X events from xdotool) is
driven with clicks, drags and typing; a headless twin `PaintScreen` of the same size
receives the same events and says where every button is. The session:

1. patient A: visit form (identifier typed), paint both calves, answer two red-flag
   questions (they come first once both legs are painted), save, print;
2. New patient B: paint, Save As a typed name in another folder, print;
3. reopen A from the Open list and check its file is unchanged.

It checks the files (maps, answers, visit fields, PDFs) and exits 0 when all is well.
Needs Xvfb and xdotool; maps go to WORKDIR (default: a new temporary folder). With SHOT.png,
the real window is captured (ImageMagick `import`) once A's questions are answered.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
REAL_DRIVER = os.environ.get("SDL_VIDEODRIVER")
os.environ["SDL_VIDEODRIVER"] = "dummy"  # the twin is headless; the real window gets X11

import pygame  # noqa: E402

from bodymap import fileformat  # noqa: E402
from bodymap.atlas import load_atlas  # noqa: E402

SIZE = (1280, 800)
PAUSE = 0.4
KEYS = {"Return": pygame.K_RETURN, "Tab": pygame.K_TAB, "BackSpace": pygame.K_BACKSPACE, "End": pygame.K_END,
        "Escape": pygame.K_ESCAPE}


def sh(*args: str) -> str:
    return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True).stdout.strip()


class Session:
    def __init__(self, work: Path):
        from bodymap.ui.paint import PaintScreen

        self.work = work
        self.maps = work / "maps"
        self.atlas = load_atlas()
        env = dict(os.environ, BODYMAP_MAPS=str(self.maps), HOME=str(work / "home"))
        env.pop("SDL_VIDEODRIVER", None)
        if REAL_DRIVER and REAL_DRIVER != "dummy":
            env["SDL_VIDEODRIVER"] = REAL_DRIVER
        os.environ["BODYMAP_MAPS"] = str(self.maps)
        self.proc = subprocess.Popen([sys.executable, "-m", "bodymap", "paint", "--size", f"{SIZE[0]}x{SIZE[1]}"],
                                     env=env)
        self.wid = sh("search", "--sync", "--onlyvisible", "--pid", str(self.proc.pid)).split()[0]
        sh("windowmove", self.wid, "0", "0")
        sh("windowfocus", "--sync", self.wid)  # no window manager under Xvfb: give it the keyboard
        time.sleep(2.0)
        self.twin = twin = PaintScreen(SIZE)

        def save_to(path, **_how):  # the twin keeps track of saving but never writes: only the real window does
            twin.edits.end_stroke()
            twin.desk.path, twin.desk.saved_version = Path(path), twin.pain_map.version
            return True

        twin.files.save_to = save_to
        twin.day.print_pdf = lambda: None

    # -- one action, in the real window and in the twin ------------------------
    def _ev(self, kind, **kw) -> None:
        self.twin.handle_event(pygame.event.Event(kind, **kw))

    def move(self, pos) -> None:
        sh("mousemove", "--window", self.wid, str(int(pos[0])), str(int(pos[1])))

    def click_at(self, pos) -> None:
        self._ev(pygame.MOUSEBUTTONDOWN, pos=pos, button=1)
        self._ev(pygame.MOUSEBUTTONUP, pos=pos, button=1)
        self.move(pos)
        sh("click", "1")
        self.settle()

    def click(self, bid: str) -> None:
        self.twin.update()
        scroll = self.twin.clinician.panel.scroll
        pos = self.twin.button_center(bid)
        if self.twin.clinician.panel.scroll != scroll:
            raise SystemExit(f"{bid} is not visible without scrolling the panel")
        self.click_at(pos)

    def stroke(self, view: str, rid: str) -> None:
        x, y = self.atlas.region(rid).geometry.representative_point().coords[0]
        lay = self.twin.layouts[view]
        pts = [tuple(int(round(float(c))) for c in lay.to_screen(x, y + dy)) for dy in (-0.15, -0.05, 0.05, 0.15)]
        self.move(pts[0])
        sh("mousedown", "1")
        self._ev(pygame.MOUSEBUTTONDOWN, pos=pts[0], button=1)
        for p in pts[1:]:
            time.sleep(0.05)
            self.move(p)
            self._ev(pygame.MOUSEMOTION, pos=p, rel=(0, 0), buttons=(1, 0, 0))
        sh("mouseup", "1")
        self._ev(pygame.MOUSEBUTTONUP, pos=pts[-1], button=1)
        self.settle(1.5)  # the real window ranks once the stroke ends

    def type(self, text: str) -> None:
        self._ev(pygame.TEXTINPUT, text=text)
        sh("type", "--delay", "40", text)
        self.settle()

    def key(self, name: str) -> None:
        mods = 0
        parts = name.split("+")
        for m in parts[:-1]:
            mods |= {"ctrl": pygame.KMOD_LCTRL, "shift": pygame.KMOD_LSHIFT}[m]
        k = parts[-1]
        code = KEYS.get(k) or pygame.key.key_code(k)
        self._ev(pygame.KEYDOWN, key=code, mod=mods, unicode="", scancode=0)
        sh("key", name)
        self.settle()

    def clear_field(self) -> None:
        n = len(self.twin.dialog.focused.value)
        self.key("End")
        for _ in range(n):
            self._ev(pygame.KEYDOWN, key=pygame.K_BACKSPACE, mod=0, unicode="", scancode=0)
            sh("key", "BackSpace")
        self.settle()

    def settle(self, seconds: float = PAUSE) -> None:
        time.sleep(seconds)
        self.twin.update()
        if self.proc.poll() is not None:
            raise SystemExit(f"the window closed unexpectedly (exit {self.proc.returncode})")


def check(ok: bool, what: str) -> None:
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        raise SystemExit(1)


def main(argv: list[str]) -> int:
    work = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="bodymap-day-"))
    (work / "home").mkdir(parents=True, exist_ok=True)
    pygame.display.init()
    pygame.font.init()
    s = Session(work)
    try:
        # 1. patient A
        s.key("v")  # the shortcut: its own "v" must not land in the form
        s._ev(pygame.TEXTINPUT, text="v")  # the twin gets SDL's text event for that key too
        s.type("A-001")
        s.key("Return")
        s.stroke("back", "right_calf")
        s.stroke("back", "left_calf")
        s.click("panel:q:bladder_bowel:no")
        s.click("panel:q:saddle_numbness:no")
        if len(argv) > 1:
            s.settle(1.0)
            subprocess.run(["import", "-window", s.wid, argv[1]], check=True)
        s.key("ctrl+s")
        a_files = list(s.maps.glob("A-001_*.bodymap"))
        check(len(a_files) == 1, f"patient A saved in the maps folder: {[p.name for p in a_files]}")
        a = a_files[0]
        a_bytes = a.read_bytes()
        m = fileformat.load(a, s.atlas)
        check(m.visit.patient_id == "A-001", "A's patient identifier is in the file")
        check(m.answers.get("bladder_bowel") is False and m.answers.get("saddle_numbness") is False,
              "A's answers are in the file")
        cov = m.region_coverage()
        check(cov.get("right_calf", 0) > 0 and cov.get("left_calf", 0) > 0, "A's painting is in the file")
        s.key("ctrl+p")
        s.settle(3.0)
        check(a.with_suffix(".pdf").is_file(), f"A printed: {a.with_suffix('.pdf').name}")
        # 2. patient B, saved as a named file in another folder
        other = work / "other-clinic"
        other.mkdir(exist_ok=True)
        s.click("new")
        s.stroke("front", "right_anterior_thigh")
        s.key("ctrl+shift+s")
        s.clear_field()
        s.type("patient-B")
        s.key("Tab")
        s.clear_field()
        s.type(str(other))
        s.key("Return")
        b = other / "patient-B.bodymap"
        check(b.is_file(), f"patient B saved as {b}")
        mb = fileformat.load(b, s.atlas)
        check(mb.region_coverage().get("right_anterior_thigh", 0) > 0 and not mb.region_coverage().get("right_calf"),
              "B holds B's painting only")
        check(mb.visit.as_dict() == {} and dict(mb.answers) == {}, "B starts with no visit fields or answers")
        s.key("ctrl+p")
        s.settle(3.0)
        check(b.with_suffix(".pdf").is_file(), "B printed next to B's file")
        # 3. reopen A: unchanged
        s.key("ctrl+o")
        labels = dict(s.twin.dialog.buttons)
        bid = next(k for k, v in labels.items() if v.startswith(a.name))
        s.click(f"dialog:{bid}")
        s.settle(1.0)
        check(a.read_bytes() == a_bytes, "A's file is unchanged after B and after reopening")
        check(s.twin.path == a and not s.twin.dirty, "the window shows A, with nothing unsaved")
    finally:
        s.proc.terminate()
        s.proc.wait(timeout=10)
    print(f"all steps passed; files in {work}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
