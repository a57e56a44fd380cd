"""Draw the review window headless, on a small scripted folder of maps, to three PNGs.

    SDL_VIDEODRIVER=dummy python tools/review_screenshot.py docs/images/review-window.png docs/images/review-compare.png \
        [WxH [docs/images/review-timeline.png [docs/images/review-confirmed.png]]]

The folder (written to a temporary directory) holds three visits of one patient
identifier (the second with a red-flag answer), another patient's map and a file
cut short; the window is driven with the same calls a tap makes, and the real
matcher ranks. The third picture is the patient's visit timeline; the fourth the confirmed-diagnosis
form (key D) on the second visit, as a clinician fills it in.
"""
from __future__ import annotations

import os
import sys
import tempfile
from datetime import timezone
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.painting import PainMap
from bodymap.render.picture import save_png
from bodymap.ui.review import ReviewScreen
from bodymap.window_size import parse_window_size


def write_demo_folder(folder: Path) -> tuple[Path, Path]:
    """Three maps and a broken file; returns (first visit, second visit)."""
    atlas = load_atlas()

    def make(name, regions, created, code, answers, intensity, visit=None):
        m = PainMap(atlas)
        for r in regions:
            m.paint_region(*r) if isinstance(r, tuple) else m.paint_region(r)
        m.meta["created"], m.meta["session_code"] = created, code
        m.set_visit(**(visit or {}))
        for k, v in answers.items():
            m.answers[k] = v
        m.set_intensity(None, intensity)
        return fileformat.save(m, folder / name)

    first = make("visit1.bodymap", ["right_calf", "right_buttock", ("right_lower_back", 0.6)],
                 "2024-03-01T09:15:00Z", "K7Q-42M", {"numbness": True, "age": 54, "weakness": False}, 7,
                 {"patient_id": "MRN 0042", "visit_date": "2024-03-01", "recorded_by": "patient at kiosk"})
    second = make("visit2.bodymap", ["right_calf", ("right_heel", 1.0, "burning"),
                                     ("right_lateral_leg", 0.7, "pins_and_needles")],
                  "2024-03-15T10:30:00Z", "P3X-19A", {"numbness": True, "age": 54, "bladder_bowel": True}, 8,
                  {"patient_id": "MRN 0042", "visit_date": "2024-03-15", "recorded_by": "Dr Okafor",
                   "note": "New bladder symptoms since Monday; sent to the emergency department."})
    make("visit3.bodymap", [("right_heel", 1.0, "burning"), ("right_calf", 0.4)], "2024-04-26T11:00:00Z", "M2T-77B",
         {"numbness": False, "age": 54, "bladder_bowel": False}, 3,
         {"patient_id": "MRN 0042", "visit_date": "2024-04-26", "recorded_by": "Dr Okafor"})
    make("visit0.bodymap", [("left_anterior_thigh", 0.5, "sharp")], "2024-02-10T08:00:00Z", "A1B-22C",
         {"age": 54}, 3)
    (folder / "broken.bodymap").write_text('{"format": "bodymap", "format_version": 1, "atlas": {')
    return first, second


def _tap(screen: ReviewScreen, bid: str) -> None:
    pos = screen.button_center(bid)
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1))
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    single = argv[0] if argv else "docs/images/review-window.png"
    both = argv[1] if len(argv) > 1 else "docs/images/review-compare.png"
    size = parse_window_size(argv[2], "WxH", "1400x900") if len(argv) > 2 else (1400, 900)
    timeline = argv[3] if len(argv) > 3 else "docs/images/review-timeline.png"
    confirmed = argv[4] if len(argv) > 4 else "docs/images/review-confirmed.png"
    pygame.display.init()
    pygame.font.init()
    with tempfile.TemporaryDirectory() as tmp:
        first, second = write_demo_folder(Path(tmp))
        screen = ReviewScreen(Path(tmp), size, tz=timezone.utc)
        paths = [e.path for e in screen.entries]
        _tap(screen, f"list:{paths.index(second)}")
        save_png(screen.screenshot(), single)
        _tap(screen, "compare")
        _tap(screen, f"list:{paths.index(first)}")
        save_png(screen.screenshot(), both)
        _tap(screen, "compare")  # end the comparison, then the patient's timeline
        _tap(screen, "timeline")
        save_png(screen.screenshot(), timeline)
        _tap(screen, "timeline")  # back to the map, then the confirmed diagnosis (issue 25)
        _tap(screen, f"list:{[e.path for e in screen.entries].index(second)}")
        screen.handle_event(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_d, mod=0, unicode="d", scancode=0))
        for field, text in ((0, "root_S1"), (1, "imaging"), (2, "2024-03-20")):
            _tap(screen, f"confirm:field:{field}")
            screen.handle_event(pygame.event.Event(pygame.TEXTINPUT, text=text))
        save_png(screen.screenshot(), confirmed)
    print(f"wrote {single}, {both}, {timeline} and {confirmed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
