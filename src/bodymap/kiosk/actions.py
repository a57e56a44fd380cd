"""Counting a kiosk session in actions (taps + strokes) and estimating its time (headless).

Issue 14's estimate: 2 s for each screen the patient reads, 1.5 s for each tap and
3 s for each stroke. Its goal for the typical session is at most 12 actions and
60 s. The typical session is scripted here (`TYPICAL`): a patient colours the
right buttock down the back of the thigh to the calf and the outer foot as
burning, and tingling (pins and needles) in the outer foot; pain 6 of 10; in
their forties; none of the red flags; they answer any feature question the
kiosk finds worth asking as in `TYPICAL.answers`.

`run_session` drives the headless kiosk (bodymap.kiosk.flow) with that script
and counts what a patient does on the screens: the bench records the figures
(`kiosk_actions_typical`, `kiosk_session_s_estimate`); tests/ui/kiosk/test_kiosk_ui.py
drives the same script through the real screens.

Since ADR 0042 the red-flag questions are asked by context: this patient gets one
red-flag page (the questions every patient is asked), so the session is 12 actions
(8 taps and 3 strokes for the drawing, pain, age and review, plus that page) and
36.5 s; before, every patient answered 23 questions on 7 pages (18 actions). An
older patient or a wider drawing brings more pages: `widest_figures` counts the
most any age band with any of `CONTEXT_DRAWINGS` needs (the bench's note).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .plan import NONE_OF_THESE

SECONDS_PER_SCREEN = 2.0
SECONDS_PER_TAP = 1.5
SECONDS_PER_STROKE = 3.0
GOAL_ACTIONS = 12
GOAL_SECONDS = 60.0
BRUSH_RADIUS = 0.14  # head heights: the kiosk's fingertip brush (bodymap.ui.kiosk.paint.BRUSH_RADIUS)


def estimate_s(screens: int, taps: int, strokes: int) -> float:
    return screens * SECONDS_PER_SCREEN + taps * SECONDS_PER_TAP + strokes * SECONDS_PER_STROKE


@dataclass
class Tally:
    taps: list[str] = field(default_factory=list)  # what was tapped, in order
    strokes: int = 0
    screens: list[str] = field(default_factory=list)  # each screen the patient saw, in order

    @property
    def actions(self) -> int:
        return len(self.taps) + self.strokes

    @property
    def seconds(self) -> float:
        return estimate_s(len(self.screens), len(self.taps), self.strokes)

    def see(self, name: str) -> None:
        if not self.screens or self.screens[-1] != name:
            self.screens.append(name)


ZOOM_FACTOR = 3.5  # "Show the feet bigger" magnifies about this much; the brush stays the same size on screen


@dataclass(frozen=True)
class Stroke:
    view: str
    sensation: str
    through: tuple[str, ...]  # region ids the finger passes through, in order
    zoomed: bool = False  # drawn on the feet shown bigger (issue 20: the foot is painted in the zoom)


@dataclass(frozen=True)
class Script:
    strokes: tuple[Stroke, ...]
    pain: int
    age_band: str
    red_flags: Any  # NONE_OF_THESE or {key: True | False | "unsure"}
    answers: dict[str, Any]  # feature questions, if asked; anything else asked: no


# Right side of the patient: on the back view the patient's right is on the viewer's right;
# the outer foot is drawn on the front view (where the atlas puts it).
TYPICAL = Script(
    strokes=(
        Stroke("back", "burning", ("right_buttock", "right_posterior_thigh", "right_calf")),
        Stroke("front", "burning", ("right_lateral_foot",), zoomed=True),
        Stroke("front", "pins_and_needles", ("right_lateral_foot",), zoomed=True),
    ),
    pain=6,
    age_band="40s",
    red_flags=NONE_OF_THESE,
    answers={"worse_sitting": True, "worse_walking": False, "better_resting": True,
             "calf_pain_walking_eases_rest": False, "numbness": True, "weakness": False},
)


# Drawings that bring red-flag questions by context (ADR 0042), beside the typical one: each an alternative to
# TYPICAL.strokes for `widest_figures`. The patient's right, as in TYPICAL.
CONTEXT_DRAWINGS: dict[str, tuple[Stroke, ...]] = {
    "one leg (typical)": TYPICAL.strokes,
    "neck and arm": (Stroke("back", "burning", ("right_back_of_neck", "right_upper_arm_back",
                                                 "right_forearm_radial_back")),),
    "tummy and groin": (Stroke("front", "sharp", ("right_lower_abdomen", "right_groin")),),
    "both legs": (Stroke("back", "burning", ("right_posterior_thigh", "right_calf")),
                  Stroke("back", "burning", ("left_posterior_thigh", "left_calf"))),
}


def stroke_points(atlas, stroke: Stroke, step: float = 0.03) -> list[tuple[float, float]]:
    """A finger's path through the regions' inner points, a point every `step` head heights.

    A stroke through one region wiggles across it (a small scribble), as a finger colours a small area."""
    pts = []
    for rid in stroke.through:
        g = atlas.region(rid).geometry
        p = g.representative_point()
        pts.append((p.x, p.y))
    if len(pts) == 1:
        g = atlas.region(stroke.through[0]).geometry
        x0, y0, x1, y1 = g.bounds
        cx, cy = pts[0]
        dx, dy = (x1 - x0) * 0.15, (y1 - y0) * 0.2
        pts = [(cx, cy - dy), (cx - dx, cy), (cx, cy + dy), (cx + dx * 0.5, cy)]
    dense = [pts[0]]
    for (xa, ya), (xb, yb) in zip(pts[:-1], pts[1:]):
        n = max(1, int(np.hypot(xb - xa, yb - ya) / step))
        dense += [(xa + (xb - xa) * k / n, ya + (yb - ya) * k / n) for k in range(1, n + 1)]
    return dense


def regions_crossed(atlas, raster, view: str, points) -> list[str]:
    """The region ids of `view` a finger's path through atlas `points` crosses, in the order it meets them.

    The path is sampled twice per mask pixel, so a thin region between two others is not jumped over; a
    point off the body crosses nothing. The kiosk's tap mode fills these on a drag (ui/kiosk/tapregions.py),
    and `run_session` counts the same."""
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    if len(pts) == 1:
        pts = np.vstack([pts, pts])
    xs, ys = [], []
    for (xa, ya), (xb, yb) in zip(pts[:-1], pts[1:]):
        n = int(np.ceil(np.hypot(xb - xa, yb - ya) * raster.scale * 2)) + 1
        t = np.linspace(0.0, 1.0, n)
        xs.append(xa + (xb - xa) * t)
        ys.append(ya + (yb - ya) * t)
    c, r = raster.to_px(np.concatenate(xs), np.concatenate(ys))
    r, c = np.floor(r).astype(int), np.floor(c).astype(int)
    lab = raster.labels[view]
    ok = (r >= 0) & (r < lab.shape[0]) & (c >= 0) & (c < lab.shape[1])
    out: list[str] = []
    for i in lab[r[ok], c[ok]].tolist():
        if i >= 0 and atlas.regions[int(i)].id not in out:
            out.append(atlas.regions[int(i)].id)
    return out


def answer_for(script: Script, key: str, kind: str) -> Any:
    """What the scripted patient taps on a question screen."""
    if kind == "scale":
        return script.pain
    if kind == "decade":
        return script.age_band
    if kind == "redflags":
        return script.red_flags
    return script.answers.get(key, False)


def run_session(kiosk, script: Script = TYPICAL, tap_regions: bool = False) -> Tally:
    """Drive a headless kiosk (on its welcome screen) through `script`; count what the patient does.

    Taps: start; a sensation whenever the next stroke's differs from the one chosen
    (the kiosk starts on the first sensation); "next" on the painting; one per
    question screen; "yes, it is right" on the review. Strokes: one per `Stroke`.

    `tap_regions`: the "tap the parts that hurt" mode (issue 24, kiosk config `tap_regions`): a stroke
    through one region is one tap that fills it; a stroke through several is one drag (one stroke action,
    ADR 0035) that fills every region the finger crosses on its way (`regions_crossed`: the back of the
    knee between the thigh and the calf too, as a coloured stroke paints it). The foot is tapped in the
    zoom, as it is coloured: at whole-body size the outer foot is about 10 px across at 1920 x 1080, too
    small for a finger (ADR 0027).
    """
    from ..painting import SENSATIONS

    t = Tally()
    t.see("welcome")
    t.taps.append("start")
    session = kiosk.start()
    t.see("paint")
    chosen = SENSATIONS[0]
    zoomed = False
    for st in script.strokes:
        if st.zoomed != zoomed:
            t.taps.append("zoom")  # "Show the feet bigger" (or offered after a stroke reached the foot), "Whole body"
            zoomed = st.zoomed
        if st.sensation != chosen:
            t.taps.append(f"sens:{st.sensation}")
            chosen = st.sensation
        if tap_regions:
            m = session.pain_map
            if len(st.through) == 1:
                t.taps.append(f"region:{st.through[0]}")
                crossed = list(st.through)
            else:  # one drag through them
                t.strokes += 1
                crossed = regions_crossed(kiosk.atlas, m.raster, st.view, stroke_points(kiosk.atlas, st, 0.03))
            for rid in crossed:
                if m.region_coverage(st.sensation).get(rid, 0.0) < 0.99:
                    m.paint_region(rid, 1.0, st.sensation)
            continue
        radius = BRUSH_RADIUS / ZOOM_FACTOR if st.zoomed else BRUSH_RADIUS
        step = 0.03 / ZOOM_FACTOR if st.zoomed else 0.03
        session.pain_map.stroke(st.view, stroke_points(kiosk.atlas, st, step), st.sensation, radius=radius)
        t.strokes += 1
    t.taps.append("next")
    kiosk.to_questions()
    while kiosk.screen == "question":
        key, kind = kiosk.current_question
        t.see(f"question:{key}")
        t.taps.append(f"answer:{key}")
        value = answer_for(script, key, kind)
        if kind == "redflags" and isinstance(value, dict):  # one mapping for every page: each page's part
            value = {q: v for q, v in value.items() if q in kiosk.page_keys(key)}
        kiosk.answer(value)
    if kiosk.screen == "review":
        t.see("review")
        t.taps.append("review_confirm")
        kiosk.confirm()
    t.see(kiosk.screen)  # thanks (or the red-flag screen): read, not tapped; it returns by itself
    return t


def typical_figures(atlas=None, script: Script = TYPICAL, tap_regions: bool = False) -> dict[str, Any]:
    """Run `script` in a throw-away kiosk (short flow); {"actions", "seconds", "taps", "strokes", "screens"}.

    `tap_regions`: in the "tap the parts that hurt" mode (`run_session`)."""
    import tempfile
    from pathlib import Path

    from .config import KioskConfig
    from .flow import Kiosk

    if atlas is None:
        from ..atlas import load_atlas

        atlas = load_atlas()
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        cfg = KioskConfig(spool_dir=root / "spool", drafts_dir=root / "drafts", recovery_dir=root / "recovery",
                          short_flow=True, tap_regions=tap_regions)
        t = run_session(Kiosk(cfg, atlas), script, tap_regions)
    return {"actions": t.actions, "seconds": t.seconds, "taps": list(t.taps), "strokes": t.strokes,
            "screens": list(t.screens)}


def widest_figures(atlas=None) -> dict[str, Any]:
    """The most actions any age band with any of `CONTEXT_DRAWINGS` needs, every answer no (ADR 0042):
    `typical_figures` of that session, with "band" and "drawing" added."""
    from dataclasses import replace

    from .plan import AGE_BANDS

    worst = None
    for name, strokes in CONTEXT_DRAWINGS.items():
        for band in AGE_BANDS:
            fig = typical_figures(atlas, replace(TYPICAL, strokes=strokes, age_band=band.id))
            if worst is None or fig["actions"] > worst["actions"]:
                worst = {**fig, "band": band.id, "drawing": name}
    return worst
