"""The pain map: what a patient painted, as one boolean layer per sensation per view.

Headless (numpy only). Positions are atlas units in each view's viewer frame
(see atlas.py); masks are the atlas raster grid (`Atlas.raster(scale)`).
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable, Sequence

import numpy as np

from . import textsafe, vocabulary
from .atlas import DEFAULT_SCALE, VIEWS, Atlas, load_atlas
from .errors import UsageError

SENSATIONS = ("aching", "sharp", "burning", "pins_and_needles", "numbness")
SENSATION_WORDS = {
    "aching": "aching (dull, sore)",
    "sharp": "sharp (stabbing, shooting, electric)",
    "burning": "burning",
    "pins_and_needles": "pins and needles (tingling)",
    "numbness": "numbness",
}
# The answer keys come from the one vocabulary (regions/questions.yaml via bodymap.vocabulary).
# QUESTIONS here means the answer keys; the kiosk's question screens are kiosk.flow.QUESTION_SCREENS.
YES_NO_QUESTIONS = vocabulary.yes_no_keys()  # a broken questions.yaml raises ConfigError (the CLI says it)
INT_QUESTIONS = vocabulary.number_keys()
QUESTIONS = YES_NO_QUESTIONS + INT_QUESTIONS
ANSWER_KEYS = QUESTIONS
LEG_LEVELS = ("thigh", "knee", "leg", "foot")  # levels that count as "the leg" for both_legs_painted
SADDLE_REGIONS = ("perineum",)  # region ids of the saddle area (S3-S5): a prompt, never a pattern
DISTAL_LEVELS = ("back", "buttock", "thigh", "knee", "leg", "foot")
UNDO_LIMIT = 100
DEFAULT_RADIUS = 0.09  # head heights: about 2 cm on an adult
POINT_QUANTUM = 1e-4  # stroke points are stored (and stamped) at this precision, so replay is exact
# What counts as a painted region (docs/atlas.md, "What counts as painted"). Pixel figures are
# atlas mask pixels at DEFAULT_SCALE (80 per head height, about 3 mm on an adult) and scale with
# the mask. A tap of the smallest brush (radius 0.05) is about 50 pixels, the medium brush 160.
THIN_PX = 3  # paint narrower than this everywhere (a square of this side fits nowhere) is a sliver
SPECK_PX = 20  # islands of paint (8-connected) smaller than this are specks: a stray dot, eraser leftovers
REGION_MIN_SHARE = 0.02  # a region counts when at least this share of it is painted ...
REGION_MIN_PX = 40  # ... or at least this many of its pixels are (a small dab on a large region)


def _q(v: float) -> float:
    return round(float(v) / POINT_QUANTUM) * POINT_QUANTUM


UNSURE = "unsure"  # a yes/no answer the patient was not sure of (file format 2 on); neither yes nor no


class Answers(dict):
    """The patient's answers: yes/no questions take bool (or UNSURE), `age` an integer 0-120."""

    def __init__(self, items: dict | None = None):
        super().__init__()
        for k, v in (items or {}).items():
            self[k] = v

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, validate_answer(key, value))

    def update(self, *args, **kw) -> None:  # route through validation
        for k, v in dict(*args, **kw).items():
            self[k] = v

    def __ior__(self, other):  # `answers |= {...}` validates too
        self.update(other)
        return self

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]


def validate_answer(key: str, value: Any) -> Any:
    if key in YES_NO_QUESTIONS:
        if isinstance(value, bool) or (isinstance(value, str) and value == UNSURE):
            return value
        raise UsageError(f"answer {textsafe.quote(key)} must be yes/no (True/False) or {UNSURE!r}, "
                         f"got {textsafe.quote(value)}")
    if key in INT_QUESTIONS:
        lo, hi = vocabulary.question(key).range
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise UsageError(f"answer {key!r} must be a whole number of years from {lo} to {hi}, "
                             f"got {textsafe.quote(value)}")
        return value
    raise UsageError(f"unknown question {textsafe.quote(key)}; known: {', '.join(QUESTIONS)}")


def parse_answer(key: str, text: str) -> Any:
    """CLI form: yes/no (or unsure) for yes/no questions, digits for age."""
    t = text.strip().lower()
    if key in YES_NO_QUESTIONS:
        if t in ("yes", "y", "true"):
            return True
        if t in ("no", "n", "false"):
            return False
        if t in (UNSURE, "not sure"):
            return UNSURE
        raise UsageError(f"answer {key!r} takes yes, no or unsure, got {text!r}")
    if key in INT_QUESTIONS:
        if not t.isdigit():
            raise UsageError(f"answer {key!r} takes a whole number, got {text!r}")
        return validate_answer(key, int(t))
    return validate_answer(key, text)


def check_sensation(s: str) -> str:
    if s not in SENSATIONS:
        raise UsageError(f"unknown sensation {textsafe.quote(s)}; use one of {', '.join(SENSATIONS)}")
    return s


# -- the visit: who and when (file format 2) ----------------------------------------------
VISIT_FIELDS = ("patient_id", "visit_date", "recorded_by", "note")
RECORDED_AT_KIOSK = "patient at kiosk"  # what the kiosk records as recorded_by (never a patient identifier)
# Longest accepted text, in characters: a record number, a name, a clinical note of a page or two.
VISIT_MAX_CHARS = {"patient_id": 64, "visit_date": 10, "recorded_by": 120, "note": 4000}
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# control characters (C0, DEL, C1), the Unicode line/paragraph separators, bidi controls and zero-width
# characters (bodymap.textsafe, ADR 0018); a note may hold newlines and tabs
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{textsafe.BIDI}{textsafe.ZERO_WIDTH}{textsafe.SURROGATES}]")
_NOTE_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029{textsafe.BIDI}{textsafe.ZERO_WIDTH}{textsafe.SURROGATES}]")


def validate_visit_field(key: str, value: Any) -> str | None:
    """A visit field as stored: text stripped of surrounding blanks, None for "not given".

    `patient_id` and `recorded_by` are one line of text, `note` may hold several;
    `visit_date` is a calendar date written YYYY-MM-DD (a `datetime.date` is accepted).
    Raises UsageError naming the field and the problem.
    """
    if key not in VISIT_FIELDS:
        raise UsageError(f"unknown visit field {key!r}; known: {', '.join(VISIT_FIELDS)}")
    if value is None:
        return None
    if key == "visit_date" and isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if not isinstance(value, str):
        raise UsageError(f"{key} must be text, got {type(value).__name__}")
    value = value.strip()
    if not value:
        return None
    if key == "visit_date":
        try:
            if not _DATE.fullmatch(value):
                raise ValueError
            date.fromisoformat(value)
        except ValueError:
            shown = value if len(value) <= 40 else value[:40] + "..."
            raise UsageError(f"visit date must be a calendar date written YYYY-MM-DD, got {shown!r}") from None
        return value
    limit = VISIT_MAX_CHARS[key]
    if len(value) > limit:
        raise UsageError(f"{key} is too long ({len(value)} characters; at most {limit})")
    if (_NOTE_CONTROL if key == "note" else _CONTROL).search(value):
        what = ("control, bidirectional or zero-width characters" if key == "note"
                else "line breaks, control, bidirectional or zero-width characters")
        raise UsageError(f"{key} must be plain text without {what}")
    return value


class Visit:
    """Who the pain map belongs to and when and by whom it was recorded: all optional, all text.

    >>> v = Visit(patient_id="MRN 0042", visit_date="2026-03-14")
    >>> v.recorded_by = "Dr Okafor"
    >>> v.as_dict()
    {'patient_id': 'MRN 0042', 'visit_date': '2026-03-14', 'recorded_by': 'Dr Okafor'}

    Every assignment is checked (`validate_visit_field`); blank text means "not given" (None).
    """

    __slots__ = VISIT_FIELDS

    def __init__(self, **fields: Any):
        for k in VISIT_FIELDS:
            object.__setattr__(self, k, None)
        for k, v in fields.items():
            setattr(self, k, v)

    def __setattr__(self, key: str, value: Any) -> None:
        object.__setattr__(self, key, validate_visit_field(key, value))

    def update(self, fields: dict[str, Any]) -> None:
        """Set several fields at once; nothing changes unless every one is valid."""
        checked = {k: validate_visit_field(k, v) for k, v in fields.items()}
        for k, v in checked.items():
            object.__setattr__(self, k, v)

    def as_dict(self) -> dict[str, str]:
        """The fields that are given, in VISIT_FIELDS order."""
        return {k: getattr(self, k) for k in VISIT_FIELDS if getattr(self, k) is not None}

    def clear(self) -> None:
        for k in VISIT_FIELDS:
            object.__setattr__(self, k, None)

    def __bool__(self) -> bool:
        return any(getattr(self, k) is not None for k in VISIT_FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Visit):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return f"Visit({', '.join(f'{k}={v!r}' for k, v in self.as_dict().items())})"


@dataclass
class _Change:
    """One undoable step: the layers' pixels before and after, inside a rectangle.

    A step that touches both views (clearing everything) keeps one part per view in `parts`.
    """

    view: str
    rows: slice
    cols: slice
    before: np.ndarray
    after: np.ndarray
    log_entry: dict
    parts: list["_Change"] | None = None


class PainMap:
    """What one patient painted, in both views, with intensities and answers.

    >>> m = PainMap(load_atlas())
    >>> m.paint_region("right_calf", fraction=0.5, sensation="burning")
    >>> round(m.region_coverage()["right_calf"], 1)
    0.5
    """

    def __init__(self, atlas: Atlas | None = None, scale: float = DEFAULT_SCALE):
        self.atlas = atlas or load_atlas()
        self.raster = self.atlas.raster(scale)
        self.scale = float(scale)
        rows, cols = self.raster.shape
        self._layers = {v: np.zeros((len(SENSATIONS), rows, cols), dtype=bool) for v in VIEWS}
        self.intensity: dict[str, int] = {}
        self.answers: Answers = Answers()
        self.strokes: list[dict] = []  # the log: enough to replay the drawing
        self.meta: dict[str, Any] = {"created": _now(), "language": "en", "session_code": None}
        self.extra: dict[str, Any] = {}  # unknown keys read from a newer file; written back unchanged
        self.extra_answers: dict[str, Any] = {}  # answers to questions this version does not know (newer file)
        self.red_flags_recorded: list[dict] = []
        self.visit = Visit()  # patient identifier, visit date, recorded by, note (all optional)
        self.confirmed: dict | None = None  # the confirmed diagnosis (bodymap.confirmed), never shown to patients
        self._undo: list[_Change] = []
        self._redo: list[_Change] = []
        self._open: _Change | None = None
        self._last_point: tuple[float, float] | None = None
        self._region_px, self._body_px = _pixel_counts(self.raster, len(self.atlas.regions))
        self.version = 0  # bumps on every change; lets views and the matcher cache
        self._cache: dict[tuple, Any] = {}

    # -- read-only views ------------------------------------------------
    @property
    def masks(self) -> dict[str, dict[str, np.ndarray]]:
        out = {}
        for v in VIEWS:
            out[v] = {}
            for i, s in enumerate(SENSATIONS):
                a = self._layers[v][i].view()
                a.flags.writeable = False
                out[v][s] = a
        return out

    def any_mask(self, view: str) -> np.ndarray:
        """Painted with any sensation (cached until the next change)."""
        key = ("any", view, self.version)
        hit = self._cache.get(key)
        if hit is None:
            l = self._layers[view]
            hit = l[0] | l[1] | l[2] | l[3] | l[4]
            hit.flags.writeable = False
            self._cache = {k: v for k, v in self._cache.items() if k[-1] == self.version}
            self._cache[key] = hit
        return hit

    def layers(self, view: str) -> np.ndarray:
        """(sensations, rows, cols) read-only."""
        a = self._layers[view].view()
        a.flags.writeable = False
        return a

    @property
    def is_empty(self) -> bool:
        return not any(self._layers[v].any() for v in VIEWS)

    # -- painting -------------------------------------------------------
    def stroke(self, view: str, points: Sequence[Sequence[float]], sensation: str = "aching",
               radius: float = DEFAULT_RADIUS, erase: bool = False) -> None:
        """Paint (or erase) a brush of `radius` head heights along `points` (atlas units), as one undo step."""
        pts = _check_points(points)
        self.begin_stroke(view, pts[0], sensation, radius, erase)
        points = pts
        for p in points[1:]:
            self.extend_stroke(p)
        self.end_stroke()

    def erase(self, view: str, points: Sequence[Sequence[float]], radius: float = DEFAULT_RADIUS) -> None:
        self.stroke(view, points, radius=radius, erase=True)

    def begin_stroke(self, view: str, point: Sequence[float], sensation: str = "aching",
                     radius: float = DEFAULT_RADIUS, erase: bool = False) -> tuple[int, int, int, int] | None:
        """Start an interactive stroke (returns the changed pixel rectangle, like `extend_stroke`);
        `extend_stroke` adds points, `end_stroke` closes the undo step."""
        if view not in VIEWS:
            raise UsageError(f"unknown view {view!r}; use front or back")
        check_sensation(sensation)
        radius = float(radius)
        if not 0 < radius <= 2:
            raise UsageError(f"brush radius must be between 0 and 2 head heights, got {radius}")
        if self._open is not None:
            self.end_stroke()
        p = (_q(point[0]), _q(point[1]))
        entry = {"op": "erase" if erase else "stroke", "view": view, "radius": _q(radius), "points": [list(p)]}
        if not erase:
            entry["sensation"] = sensation
        self._open = _Change(view, slice(0, 0), slice(0, 0), np.zeros((0,)), np.zeros((0,)), entry)
        self._open_full_before = self._layers[view].copy()
        self._open_bbox = None
        self._last_point = p
        return self._stamp(view, [p, p], sensation, entry["radius"], erase)

    def extend_stroke(self, point: Sequence[float]) -> tuple[int, int, int, int] | None:
        """Add a point to the open stroke; returns the changed pixel rectangle (r0, r1, c0, c1)."""
        if self._open is None:
            return None
        p = (_q(point[0]), _q(point[1]))
        if p == self._last_point:
            return None
        e = self._open.log_entry
        e["points"].append(list(p))
        box = self._stamp(self._open.view, [self._last_point, p], e.get("sensation", "aching"), e["radius"],
                          e["op"] == "erase")
        self._last_point = p
        return box

    def end_stroke(self) -> None:
        if self._open is None:
            return
        ch = self._open
        self._open = None
        if self._open_bbox is None:
            return
        r0, r1, c0, c1 = self._open_bbox
        ch.rows, ch.cols = slice(r0, r1), slice(c0, c1)
        ch.before = self._open_full_before[:, r0:r1, c0:c1].copy()
        ch.after = self._layers[ch.view][:, r0:r1, c0:c1].copy()
        del self._open_full_before
        if np.array_equal(ch.before, ch.after):
            return  # painted only outside the body, or over paint already there
        self._push(ch)

    def _stamp(self, view, pts, sensation, radius, erase) -> tuple[int, int, int, int] | None:
        """Capsule brush between consecutive points: every pixel centre within `radius` of the segment."""
        sc = self.scale
        ox, oy = self.raster.origin
        rows, cols = self.raster.shape
        a = np.asarray(pts, dtype=float)
        ax, ay = (a[:-1, 0] - ox) * sc, (a[:-1, 1] - oy) * sc
        bx, by = (a[1:, 0] - ox) * sc, (a[1:, 1] - oy) * sc
        rpx = radius * sc
        c0 = int(max(math.floor(min(ax.min(), bx.min()) - rpx), 0))
        c1 = int(min(math.ceil(max(ax.max(), bx.max()) + rpx) + 1, cols))
        r0 = int(max(math.floor(min(ay.min(), by.min()) - rpx), 0))
        r1 = int(min(math.ceil(max(ay.max(), by.max()) + rpx) + 1, rows))
        if c1 <= c0 or r1 <= r0:
            return None
        yy, xx = np.mgrid[r0:r1, c0:c1]
        px, py = xx + 0.5, yy + 0.5
        hit = np.zeros(px.shape, dtype=bool)
        for x0, y0, x1, y1 in zip(ax, ay, bx, by):
            dx, dy = x1 - x0, y1 - y0
            ll = dx * dx + dy * dy
            t = np.clip(((px - x0) * dx + (py - y0) * dy) / ll, 0, 1) if ll > 0 else 0.0
            hit |= (px - (x0 + t * dx)) ** 2 + (py - (y0 + t * dy)) ** 2 <= rpx * rpx
        hit &= self.raster.body[view][r0:r1, c0:c1]
        if not hit.any():
            return None
        layers = self._layers[view][:, r0:r1, c0:c1]
        if erase:
            layers[:, hit] = False
        else:
            layers[SENSATIONS.index(sensation)][hit] = True
        if self._open is not None:
            b = self._open_bbox
            self._open_bbox = (r0, r1, c0, c1) if b is None else (min(b[0], r0), max(b[1], r1), min(b[2], c0), max(b[3], c1))
        self.version += 1
        return r0, r1, c0, c1

    def clear(self, view: str | None = None) -> None:
        """Clear one view, or everything (one undo step)."""
        views = [view] if view is not None else list(VIEWS)
        for v in views:
            if v not in VIEWS:
                raise UsageError(f"unknown view {v!r}; use front or back")
        self.end_stroke()
        rows, cols = self.raster.shape
        parts = []
        for v in views:
            if not self._layers[v].any():
                continue
            before = self._layers[v].copy()
            self._layers[v][:] = False
            parts.append(_Change(v, slice(0, rows), slice(0, cols), before, self._layers[v].copy(), {}))
        if len(parts) == 1:
            ch = parts[0]
            ch.log_entry = {"op": "clear", "view": ch.view}
            self._push(ch)
        elif parts:
            self._push(_Change(parts[0].view, parts[0].rows, parts[0].cols, parts[0].before, parts[0].after,
                               {"op": "clear", "view": None}, parts=parts))
        if parts:
            self.version += 1

    def paint_region(self, region_id: str, fraction: float = 1.0, sensation: str = "aching") -> None:
        """Paint a contiguous, deterministic part of a region covering `fraction` of its area.

        The part grows from the pixel nearest the region's representative point,
        in order of distance measured inside the region (so it stays contiguous).
        """
        check_sensation(sensation)
        self.end_stroke()
        try:
            fraction = float(fraction)
        except (TypeError, ValueError):
            raise UsageError(f"fraction must be a number between 0 and 1, got {fraction!r}") from None
        if not 0 < fraction <= 1:
            raise UsageError(f"fraction must be more than 0 and at most 1, got {fraction}")
        idx = self.atlas.index(region_id)
        region = self.atlas.regions[idx]
        lab = self.raster.labels[region.view]
        sel = self._region_fill(idx, region, lab, fraction)
        if sel is None:
            return
        rr, cc = sel
        r0, r1, c0, c1 = rr.min(), rr.max() + 1, cc.min(), cc.max() + 1
        before = self._layers[region.view][:, r0:r1, c0:c1].copy()
        self._layers[region.view][SENSATIONS.index(sensation), rr, cc] = True
        after = self._layers[region.view][:, r0:r1, c0:c1].copy()
        self.version += 1
        if not np.array_equal(before, after):
            self._push(_Change(region.view, slice(r0, r1), slice(c0, c1), before, after,
                               {"op": "region", "region": region_id, "fraction": fraction, "sensation": sensation}))

    def clear_region(self, region_id: str) -> None:
        """Remove every sensation from one whole region (one undo step): the Regions tool's second click."""
        self.end_stroke()
        idx = self.atlas.index(region_id)
        region = self.atlas.regions[idx]
        mask = self.raster.labels[region.view] == idx
        rr, cc = np.nonzero(mask)
        if len(rr) == 0 or not self._layers[region.view][:, rr, cc].any():
            return
        r0, r1, c0, c1 = rr.min(), rr.max() + 1, cc.min(), cc.max() + 1
        before = self._layers[region.view][:, r0:r1, c0:c1].copy()
        self._layers[region.view][:, rr, cc] = False
        after = self._layers[region.view][:, r0:r1, c0:c1].copy()
        self.version += 1
        self._push(_Change(region.view, slice(r0, r1), slice(c0, c1), before, after,
                           {"op": "clear_region", "region": region_id}))

    def region_painted_share(self, region_id: str) -> float:
        """The share of a region's pixels that carry any sensation (0..1)."""
        idx = self.atlas.index(region_id)
        region = self.atlas.regions[idx]
        mask = self.raster.labels[region.view] == idx
        n = int(mask.sum())
        return float(self._layers[region.view][:, mask].any(axis=0).sum()) / n if n else 0.0

    def _region_fill(self, idx, region, lab, fraction):
        ys, xs = np.nonzero(lab == idx)
        n = len(ys)
        if n == 0:
            return None
        k = max(1, int(math.ceil(fraction * n - 1e-9)))
        r0, r1, c0, c1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        inside = lab[r0:r1, c0:c1] == idx
        p = region.geometry.representative_point()
        sc, (ox, oy) = self.scale, self.raster.origin
        sx, sy = (p.x - ox) * sc - 0.5 - c0, (p.y - oy) * sc - 0.5 - r0
        ly, lx = ys - r0, xs - c0
        seed = int(np.argmin((lx - sx) ** 2 + (ly - sy) ** 2))
        dist = np.full(inside.shape, -1, dtype=np.int32)
        front = np.zeros(inside.shape, dtype=bool)
        front[ly[seed], lx[seed]] = True
        d = 0
        reached = 0
        while front.any():
            dist[front] = d
            reached += int(front.sum())
            if reached >= k:
                break
            grow = np.zeros_like(front)
            grow[1:, :] |= front[:-1, :]
            grow[:-1, :] |= front[1:, :]
            grow[:, 1:] |= front[:, :-1]
            grow[:, :-1] |= front[:, 1:]
            front = grow & inside & (dist < 0)
            d += 1
        got = dist[ly, lx]
        ok = got >= 0
        # order: geodesic distance, then straight distance to the seed, then raster order
        eu = (lx - sx) ** 2 + (ly - sy) ** 2
        order = np.lexsort((np.arange(n), eu, np.where(ok, got, np.iinfo(np.int32).max)))
        # islands the flood cannot reach (a pixel or two cut off by a thin neck) come last,
        # so a fraction of 1 always paints the whole region
        take = order[:k]
        return ys[take], xs[take]

    # -- undo / redo ----------------------------------------------------
    def _push(self, ch: _Change) -> None:
        self._undo.append(ch)
        if len(self._undo) > UNDO_LIMIT:
            self._undo.pop(0)
        self._redo.clear()
        self.strokes.append(ch.log_entry)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> bool:
        if self._open is not None:
            self.end_stroke()
        if not self._undo:
            return False
        ch = self._undo.pop()
        for part in ch.parts or [ch]:
            self._layers[part.view][:, part.rows, part.cols] = part.before
        self._redo.append(ch)
        self.strokes.append({"op": "undo"})
        self.version += 1
        return True

    def redo(self) -> bool:
        if self._open is not None:
            self.end_stroke()  # a new stroke ends the redo chain, as any new action does
        if not self._redo:
            return False
        ch = self._redo.pop()
        for part in ch.parts or [ch]:
            self._layers[part.view][:, part.rows, part.cols] = part.after
        self._undo.append(ch)
        self.strokes.append({"op": "redo"})
        self.version += 1
        return True

    # -- derived figures ------------------------------------------------
    def extent_percent(self) -> dict[str, Any]:
        """Painted area as % of body area: total, per view, and per sensation (cached until the next change)."""
        key = ("extent", self.version)
        if key in self._cache:
            return copy.deepcopy(self._cache[key])
        out: dict[str, Any] = {}
        total_px = sum(self._body_px.values())
        painted = 0
        for v in VIEWS:
            n = int(np.count_nonzero(self.any_mask(v)))
            painted += n
            out[v] = 100.0 * n / self._body_px[v]
        out["total"] = 100.0 * painted / total_px
        per_layer = {v: np.count_nonzero(self._layers[v].reshape(len(SENSATIONS), -1), axis=1) for v in VIEWS}
        out["by_sensation"] = {
            s: 100.0 * sum(int(per_layer[v][i]) for v in VIEWS) / total_px for i, s in enumerate(SENSATIONS)
        }
        self._cache[key] = out
        return copy.deepcopy(out)

    def region_counts(self, sensation: str | None = None) -> np.ndarray:
        """Painted pixels per region (index = atlas region order; cached until the next change)."""
        key = ("counts", sensation, self.version)
        if key in self._cache:
            return self._cache[key]
        counts = np.zeros(len(self.atlas.regions), dtype=np.int64)
        for v in VIEWS:
            m = self.any_mask(v) if sensation is None else self._layers[v][SENSATIONS.index(sensation)]
            lab = self.raster.labels[v].ravel()[np.flatnonzero(m)]
            counts += np.bincount(lab[lab >= 0], minlength=len(counts))
        counts.flags.writeable = False
        self._cache[key] = counts
        return counts

    def coverage_vector(self, sensation: str | None = None) -> np.ndarray:
        return self.region_counts(sensation) / np.maximum(self._region_px, 1)

    def region_coverage(self, sensation: str | None = None, min_fraction: float = 0.0) -> dict[str, float]:
        """{region_id: share of the region painted} for regions with any paint."""
        cov = self.coverage_vector(sensation)
        return {self.atlas.regions[i].id: float(cov[i]) for i in np.flatnonzero(cov > min_fraction)}

    def counted_mask(self, view: str) -> np.ndarray:
        """The paint of `view` (any sensation) that counts: without slivers (narrower than THIN_PX
        everywhere) and specks (islands under SPECK_PX pixels)."""
        key = ("counted", view, self.version)
        hit = self._cache.get(key)
        if hit is None:
            hit = counted_paint(self.any_mask(view), self.scale)
            hit.flags.writeable = False
            self._cache[key] = hit
        return hit

    def counted_regions(self) -> np.ndarray:
        """(R,) bool in atlas region order: the regions that count as painted (see `counts_as_painted`).

        The one rule (`counted_regions`) on each view's painted box; bodymap.features reads this for
        a PainMap, so the island step runs once per change of the map."""
        key = ("counted_regions", self.version)
        hit = self._cache.get(key)
        if hit is None:
            painted = {}
            for v in VIEWS:
                m = self.any_mask(v)
                rows = np.flatnonzero(m.any(axis=1))
                if len(rows):
                    cols = np.flatnonzero(m[rows[0]:rows[-1] + 1].any(axis=0))
                    r0, c0 = int(rows[0]), int(cols[0])
                    painted[v] = (r0, c0, m[r0:int(rows[-1]) + 1, c0:int(cols[-1]) + 1])
            hit = counted_regions(self.raster.labels, painted, self._region_px, self.scale)
            hit.flags.writeable = False
            self._cache[key] = hit
        return hit

    def painted_regions(self, min_fraction: float = 0.0) -> list[str]:
        """Region ids that count as painted, most covered first.

        A stray speck or an eraser leftover does not make a region painted: see
        `counts_as_painted`. `region_coverage` still reports every painted pixel.
        """
        cov = self.coverage_vector()
        keep = np.flatnonzero((cov > min_fraction) & self.counted_regions())
        ids = {self.atlas.regions[i].id: float(cov[i]) for i in keep}
        return sorted(ids, key=lambda r: (-ids[r], r))

    def painted_region_names(self, min_fraction: float = 0.0) -> list[str]:
        return [self.atlas.region(r).name for r in self.painted_regions(min_fraction)]

    def sensations_present(self) -> list[str]:
        key = ("sens", self.version)
        if key not in self._cache:
            self._cache[key] = [s for i, s in enumerate(SENSATIONS)
                                if any(np.count_nonzero(self._layers[v][i]) for v in VIEWS)]
        return list(self._cache[key])

    def sides_painted(self, levels: Iterable[str] | None = None) -> set[str]:
        lv = set(levels) if levels else None
        out = set()
        for rid in self.painted_regions():
            r = self.atlas.region(rid)
            if r.side in ("left", "right") and (lv is None or r.level in lv):
                out.add(r.side)
        return out

    @property
    def both_sides_painted(self) -> bool:
        return self.sides_painted() == {"left", "right"}

    @property
    def both_legs_painted(self) -> bool:
        """Both legs (thigh down to foot) have a painted region; specks and slivers do not count."""
        return both_legs_painted(self.atlas, self.painted_regions())

    @property
    def saddle_painted(self) -> bool:
        """The saddle area has a painted region; specks and slivers do not count."""
        return saddle_painted(self.painted_regions())

    def most_distal_level(self) -> str | None:
        """back, buttock, thigh, knee, leg or foot: how far down the pain reaches (None: nothing below the chest)."""
        best = -1
        for rid in self.painted_regions():
            lvl = self.atlas.region(rid).level
            if lvl in DISTAL_LEVELS:
                best = max(best, DISTAL_LEVELS.index(lvl))
        return DISTAL_LEVELS[best] if best >= 0 else None

    def set_visit(self, **fields: Any) -> None:
        """Set visit fields (patient_id, visit_date, recorded_by, note; None or "" clears one), all or none.

        Like every other change it bumps `version`, so a window's unsaved-changes check sees it
        (assigning `m.visit.note = ...` directly validates too, but does not bump the version).
        """
        before = self.visit.as_dict()
        self.visit.update(fields)
        if self.visit.as_dict() != before:
            self.version += 1

    def set_intensity(self, sensation: str | None, value: int) -> None:
        """0-10 NRS; `None` sets the overall intensity (stored under 'overall')."""
        key = "overall" if sensation is None else check_sensation(sensation)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
            raise UsageError(f"intensity must be a whole number from 0 to 10, got {value!r}")
        self.intensity[key] = value
        self.version += 1

    def summary(self) -> dict[str, Any]:
        ext = self.extent_percent()
        return {
            "extent_percent": round(ext["total"], 3),
            "extent_by_view": {v: round(ext[v], 3) for v in VIEWS},
            "extent_by_sensation": {s: round(x, 3) for s, x in ext["by_sensation"].items()},
            "regions": self.painted_regions(),
            "region_coverage": {k: round(v, 4) for k, v in self.region_coverage().items()},
            "sensations": self.sensations_present(),
            "both_sides": self.both_sides_painted,
            "most_distal": self.most_distal_level(),
        }

    def replace_layers(self, layers: dict[str, np.ndarray]) -> None:
        """Set every layer at once (the file loader uses this); clears undo history."""
        for v in VIEWS:
            a = np.asarray(layers[v], dtype=bool)
            if a.shape != self._layers[v].shape:
                raise UsageError(f"layer shape {a.shape} does not match the atlas grid {self._layers[v].shape}")
            self._layers[v][:] = a & self.raster.body[v][None]
        self._undo.clear()
        self._redo.clear()
        self.version += 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PainMap):
            return NotImplemented
        return (self.atlas.content_hash == other.atlas.content_hash and self.scale == other.scale
                and all(np.array_equal(self._layers[v], other._layers[v]) for v in VIEWS)
                and self.intensity == other.intensity and dict(self.answers) == dict(other.answers)
                and self.strokes == other.strokes and self.visit == other.visit)

    __hash__ = None  # mutable


def _pixel_counts(raster, n_regions: int) -> tuple[np.ndarray, dict[str, int]]:
    """Pixels per region and per view's body, counted once per raster (a new PainMap per imported row
    counted them again: a third of the import's time, issue 21). The region counts are read-only."""
    hit = raster.__dict__.get("_pixel_counts")
    if hit is None or len(hit[0]) != n_regions:
        region_px = np.bincount(np.concatenate([lab[lab >= 0].ravel() for lab in raster.labels.values()]),
                                minlength=n_regions).astype(np.int64)
        region_px.flags.writeable = False
        hit = (region_px, {v: int(raster.body[v].sum()) for v in VIEWS})
        raster.__dict__["_pixel_counts"] = hit
    return hit[0], dict(hit[1])


def both_legs_painted(atlas: Atlas, region_ids: Iterable[str]) -> bool:
    """Both of the patient's legs (thigh down to foot) have paint: the one rule, used by the map, batch and exports."""
    sides = set()
    for rid in region_ids:
        r = atlas.region(rid)
        if r.level in LEG_LEVELS and r.side in ("left", "right"):
            sides.add(r.side)
    return sides == {"left", "right"}


def saddle_painted(region_ids: Iterable[str]) -> bool:
    """The saddle area (perineum) has paint: the one rule, by region id."""
    return any(rid in SADDLE_REGIONS for rid in region_ids)


def speck_px(scale: float = DEFAULT_SCALE) -> int:
    """SPECK_PX for a mask of `scale` pixels per head height (the same area on the body)."""
    return max(1, int(round(SPECK_PX * (scale / DEFAULT_SCALE) ** 2)))


def counts_as_painted(counts: np.ndarray, region_px: np.ndarray, scale: float = DEFAULT_SCALE) -> np.ndarray:
    """Which regions count as painted, from their painted pixel counts (specks already left out).

    A region counts when at least REGION_MIN_SHARE of it is painted, or at least REGION_MIN_PX of its
    pixels are: a sliver under both (an eraser's edge, a graze of the brush) leaves it unpainted.
    """
    counts = np.asarray(counts)
    min_px = REGION_MIN_PX * (scale / DEFAULT_SCALE) ** 2
    return (counts > 0) & ((counts >= REGION_MIN_SHARE * np.asarray(region_px)) | (counts >= min_px))


def counted_paint(mask: np.ndarray, scale: float = DEFAULT_SCALE) -> np.ndarray:
    """The part of one view's painted mask (any sensation) that counts: slivers (narrower than
    THIN_PX everywhere) and specks (islands under SPECK_PX pixels) left out. `mask` may be a box
    cut from the view, provided nothing outside the box is painted: the result is the same."""
    k = max(1, int(round(THIN_PX * scale / DEFAULT_SCALE)))
    return drop_specks(open_square(mask, k), speck_px(scale))


def counted_regions(labels: dict[str, np.ndarray], painted: dict[str, tuple[int, int, np.ndarray]],
                    region_px: np.ndarray, scale: float = DEFAULT_SCALE, already_counted: bool = False) -> np.ndarray:
    """(R,) bool in atlas region order: the regions that count as painted, from raw paint.

    The one rule behind `PainMap.painted_regions`, the batch scorer and the folder exports, so a
    stray dot means the same everywhere. `labels`: the raster's region label image per view;
    `painted[view]` = (row, col, mask): the painted pixels (any sensation, inside the body) of a box
    of that view whose top-left corner is at (row, col); nothing outside the box may be painted.
    """
    counts = np.zeros(len(region_px), dtype=np.int64)
    for v, (r0, c0, m) in painted.items():
        if m.size == 0 or not m.any():
            continue
        hit = m if already_counted else counted_paint(m, scale)
        h, w = hit.shape
        lab = labels[v][r0:r0 + h, c0:c0 + w][hit]
        counts += np.bincount(lab[lab >= 0], minlength=len(counts))
    return counts_as_painted(counts, region_px, scale)


def open_square(mask: np.ndarray, k: int = THIN_PX) -> np.ndarray:
    """Morphological opening by a k x k square: keeps every pixel that lies in some k x k square
    fully inside `mask`, so strips narrower than k pixels go and wider shapes stay whole."""
    mask = np.asarray(mask, dtype=bool)
    if k <= 1:
        return mask.copy()
    rows, cols = mask.shape
    if rows < k or cols < k:
        return np.zeros_like(mask)
    # erode: fit[r, c] is True where the k x k square with its top-left corner at (r, c) lies inside
    down = mask[:rows - k + 1].copy()
    for i in range(1, k):
        down &= mask[i:rows - k + 1 + i]
    fit = down[:, :cols - k + 1].copy()
    for j in range(1, k):
        fit &= down[:, j:cols - k + 1 + j]
    # dilate back: every pixel of each fitting square
    tall = np.zeros((rows, cols - k + 1), dtype=bool)
    for i in range(k):
        tall[i:i + rows - k + 1] |= fit
    out = np.zeros((rows, cols), dtype=bool)
    for j in range(k):
        out[:, j:j + cols - k + 1] |= tall
    return out


def drop_specks(mask: np.ndarray, min_px: int = SPECK_PX) -> np.ndarray:
    """`mask` without its islands (8-connected) of fewer than `min_px` pixels.

    Runs of painted pixels per row are joined across rows, so the work grows with the
    number of runs, not with the picture.
    """
    mask = np.asarray(mask, dtype=bool)
    if min_px <= 1 or not mask.any():
        return mask.copy()
    rows, cols = mask.shape
    width = cols + 2  # one unpainted column either side, so no run crosses a row's end
    padded = np.zeros((rows, width), dtype=bool)
    padded[:, 1:-1] = mask
    flat = padded.ravel()
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    start, end = edges[0::2], edges[1::2]  # flat index of each run's first pixel and of the one after it
    length = end - start
    if length.sum() < min_px:  # the whole mask is smaller than one keepable island
        return np.zeros_like(mask)
    n = len(start)
    # runs on neighbouring rows touch (8-connected) when one starts at most one column after the other
    # ends; flat indices keep every run in order, so each run finds its touching runs on the next row
    # with two binary searches
    lo = np.searchsorted(end, start + width, side="left")
    hi = np.searchsorted(start, end + width, side="right")
    cnt = np.maximum(hi - lo, 0)
    pa = np.repeat(np.arange(n), cnt)
    pb = lo[pa] + np.arange(int(cnt.sum())) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    label = _run_components(n, pa, pb)
    size = np.bincount(label, weights=length, minlength=n)
    small = np.flatnonzero(size[label] < min_px)
    if not len(small):
        return mask.copy()
    for i in small.tolist():
        flat[start[i]:end[i]] = False
    return padded[:, 1:-1].copy()


def _run_components(n: int, pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """A component label per run, given the touching pairs (pa on one row, pb on the next).

    Most pairs are links of a chain (a run with one touching run below, which has no other run above):
    those are followed by pointer jumping, a few array passes however long the stroke. The few
    branching pairs (where strokes meet or split) are joined by a small union-find over the chains.
    """
    parent = np.arange(n)
    if not len(pa):
        return parent
    below = np.bincount(pa, minlength=n)
    above = np.bincount(pb, minlength=n)
    chain = (below[pa] == 1) & (above[pb] == 1)
    parent[pb[chain]] = pa[chain]  # pa < pb: no cycles, and each run has at most one chain parent
    while True:
        jumped = parent[parent]
        if np.array_equal(jumped, parent):
            break
        parent = jumped
    other_a, other_b = parent[pa[~chain]].tolist(), parent[pb[~chain]].tolist()
    if not other_a:
        return parent
    up: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while up.get(root, root) != root:
            root = up[root]
        while x != root:  # path compression
            up[x], x = root, up.get(x, x)
        return root

    for a, b in zip(other_a, other_b):
        ra, rb = find(a), find(b)
        if ra != rb:
            up[max(ra, rb)] = min(ra, rb)
    heads = np.array(sorted(up), dtype=np.int64)
    remap = np.arange(n)
    remap[heads] = [find(h) for h in heads.tolist()]
    return remap[parent]


def _check_points(points) -> list[tuple[float, float]]:
    try:
        pts = [(float(p[0]), float(p[1])) for p in points]
    except (TypeError, ValueError, IndexError):
        raise UsageError("stroke points must be [x, y] number pairs") from None
    if not pts:
        raise UsageError("a stroke needs at least one point")
    if not all(math.isfinite(c) for p in pts for c in p):
        raise UsageError("stroke points must be finite numbers")
    return pts


def replay(atlas: Atlas, log: list[dict], scale: float = DEFAULT_SCALE) -> PainMap:
    """Rebuild a drawing from its stroke log."""
    m = PainMap(atlas, scale)
    for e in log:
        op = e.get("op")
        if op == "stroke":
            m.stroke(e["view"], e["points"], e["sensation"], e["radius"])
        elif op == "erase":
            m.stroke(e["view"], e["points"], radius=e["radius"], erase=True)
        elif op == "clear":
            m.clear(e["view"])
        elif op == "region":
            m.paint_region(e["region"], e["fraction"], e["sensation"])
        elif op == "undo":
            m.undo()
        elif op == "redo":
            m.redo()
    return m


def _now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
