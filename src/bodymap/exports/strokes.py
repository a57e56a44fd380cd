"""Freehand drawings from other tools: `bodymap import-strokes FILE --template TEMPLATE.yaml -o OUT.bodymap`.

Reads the REDCap PainSketch JSON (`{id, w, h, tpl, view, s: [{lineWidth, lineColor, alpha, p: [[x, y], ...]}]}`,
the format the paindrawr R package reads) or a plain CSV of stroke points (`stroke, x, y` and optional
`view, width, color, alpha`), and paints it on bodymap's atlas:

1. **Registration.** The template gives landmark pairs per view: a pixel of the other tool's drawing
   and the same anatomical point in bodymap's atlas frame (head heights, viewer frame). A similarity
   (scale, rotation, shift), affine or thin-plate-spline transform is fitted to them
   (`fit:` in the template); the landmarks' residual is reported.
2. **Loops and lines.** A stroke whose ends meet (within `close_px`, default twice its line width) is
   a closed loop: its inside is filled. Any other stroke is drawn as a line at its own width (the
   bodymap brush, a capsule of half the line width), so a traced limb edge stays a line.
3. **Snapping.** Points outside bodymap's outline by at most `snap` head heights are moved onto the
   outline (a stroke traced along a limb's edge of a wider template); points farther out stay, and
   their paint is dropped, as bodymap drops paint outside the body.
4. **Inside share.** The share of each drawing's paint (area, after snapping) that lies inside
   bodymap's body is reported: a low share means the registration or the template is wrong.
5. **Colour and alpha.** `colours:` maps a line colour to a sensation (or `erase`); `alpha_to:
   intensity` makes the largest alpha of a sensation's strokes its 0-10 intensity.

Handwritten notes on a drawing ("+ left leg") are pixels of the other tool, not strokes: they are not
read. The import is recorded in the map (`imported_from`, an extra key that round-trips).
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon

from ..atlas import VIEWS, load_atlas
from ..errors import UsageError
from ..painting import DEFAULT_RADIUS, SENSATIONS, PainMap
from ..yamlio import read_yaml

MAX_INPUT_BYTES = 32 * 1024 * 1024
MAX_POINTS = 2_000_000
FITS = ("similarity", "affine", "thin-plate")


# ---------------------------------------------------------------------------
# Transforms


@dataclass
class Transform:
    kind: str
    params: Any
    scale: float  # atlas units per source pixel (for line widths)
    residual: float  # RMS landmark error, head heights

    def __call__(self, pts: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts, dtype=float)
        if self.kind == "similarity":
            s, R, t = self.params
            return s * pts @ R.T + t
        if self.kind == "affine":
            return np.c_[pts, np.ones(len(pts))] @ self.params
        src, w, a = self.params  # thin-plate spline
        return np.c_[np.ones(len(pts)), pts] @ a + _tps_kernel(pts, src) @ w


def _tps_kernel(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    d2 = ((p[:, None, :] - q[None, :, :]) ** 2).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(d2 > 0, d2 * np.log(d2), 0.0)
    return k


def fit_transform(src: np.ndarray, dst: np.ndarray, kind: str = "similarity") -> Transform:
    """Fit `kind` mapping source pixels `src` (n, 2) onto atlas points `dst` (n, 2)."""
    src, dst = np.asarray(src, float), np.asarray(dst, float)
    need = {"similarity": 2, "affine": 3, "thin-plate": 3}[kind]
    if len(src) < need:
        raise UsageError(f"a {kind} fit needs at least {need} landmark pairs, the template gives {len(src)}")
    ms, md = src.mean(0), dst.mean(0)
    sc, dc = src - ms, dst - md
    var = (sc ** 2).sum() / len(src)
    if var <= 0:
        raise UsageError("the template's landmarks all lie on one point")
    U, S, Vt = np.linalg.svd(dc.T @ sc / len(src))
    D = np.diag([1.0, 1.0 if np.linalg.det(U @ Vt) >= 0 else -1.0])
    R = U @ D @ Vt
    s = float(np.trace(np.diag(S) @ D) / var)
    sim = Transform("similarity", (s, R, md - s * R @ ms), s, 0.0)
    if kind == "similarity":
        tr = sim
    elif kind == "affine":
        A, *_ = np.linalg.lstsq(np.c_[src, np.ones(len(src))], dst, rcond=None)
        tr = Transform("affine", A, float(math.sqrt(abs(np.linalg.det(A[:2])))), 0.0)
    else:
        n = len(src)
        K = _tps_kernel(src, src)
        P = np.c_[np.ones(n), src]
        L = np.zeros((n + 3, n + 3))
        L[:n, :n], L[:n, n:], L[n:, :n] = K, P, P.T
        rhs = np.zeros((n + 3, 2))
        rhs[:n] = dst
        try:
            sol = np.linalg.solve(L, rhs)
        except np.linalg.LinAlgError:
            raise UsageError("the template's landmarks cannot carry a thin-plate fit (three on one line?)") from None
        tr = Transform("thin-plate", (src, sol[:n], sol[n:]), s, 0.0)
    tr.residual = float(np.sqrt(((tr(src) - dst) ** 2).sum(1).mean()))
    return tr


# ---------------------------------------------------------------------------
# Template and input


@dataclass
class Template:
    name: str
    views: dict[str, Transform]
    colours: dict[str, str]  # "#rrggbb" -> sensation or "erase"
    default_sensation: str
    alpha_to: str | None
    snap: float  # head heights
    fill_closed: bool
    close_px: float | None
    view_names: dict[str, str]  # the other tool's view names -> front/back


def load_template(path: str) -> Template:
    p = Path(path)
    doc = read_yaml(p, UsageError, what="a stroke template", missing="no such template")
    if not isinstance(doc, dict) or doc.get("schema") != "bodymap.stroke-template/1":
        raise UsageError(f"{p}: not a stroke template (schema: bodymap.stroke-template/1)")
    kind = doc.get("fit", "similarity")
    if kind not in FITS:
        raise UsageError(f"{p}: fit must be one of {', '.join(FITS)}")
    views = {}
    for v, spec in (doc.get("views") or {}).items():
        if v not in VIEWS:
            raise UsageError(f"{p}: views.{v}: use front or back")
        lm = (spec or {}).get("landmarks")
        if not isinstance(lm, list) or not all(isinstance(x, list) and len(x) == 4 for x in lm):
            raise UsageError(f"{p}: views.{v}.landmarks must be a list of [x, y, atlas_x, atlas_y]")
        try:
            arr = np.array(lm, dtype=float)
        except (TypeError, ValueError):
            raise UsageError(f"{p}: views.{v}.landmarks must be numbers") from None
        if not np.isfinite(arr).all():
            raise UsageError(f"{p}: views.{v}.landmarks must be finite numbers")
        views[v] = fit_transform(arr[:, :2], arr[:, 2:], kind)
    if not views:
        raise UsageError(f"{p}: no views with landmarks")
    colours = {}
    for c, s in (doc.get("colours") or {}).items():
        if s not in SENSATIONS and s != "erase":
            raise UsageError(f"{p}: colours.{c}: {s!r} is not a sensation ({', '.join(SENSATIONS)}) or erase")
        colours[_norm_colour(str(c))] = s
    default = doc.get("default_sensation", "aching")
    if default not in SENSATIONS:
        raise UsageError(f"{p}: default_sensation must be one of {', '.join(SENSATIONS)}")
    alpha_to = doc.get("alpha_to")
    if alpha_to not in (None, "intensity"):
        raise UsageError(f"{p}: alpha_to must be 'intensity' or absent")
    snap = doc.get("snap", 0.15)
    if not isinstance(snap, (int, float)) or isinstance(snap, bool) or not 0 <= snap <= 1:
        raise UsageError(f"{p}: snap must be a distance of 0-1 head heights")
    names = {str(k): v for k, v in (doc.get("view_names") or {}).items()}
    if not all(v in VIEWS for v in names.values()):
        raise UsageError(f"{p}: view_names must map the other tool's names to front or back")
    close = doc.get("close_px")
    return Template(str(doc.get("name", p.stem)), views, colours, default, alpha_to, float(snap),
                    bool(doc.get("fill_closed", True)), float(close) if close is not None else None, names)


def _norm_colour(c: str) -> str:
    c = c.strip().lower()
    if c.startswith("#") and len(c) == 4:
        c = "#" + "".join(ch * 2 for ch in c[1:])
    return c


@dataclass
class Stroke:
    points: np.ndarray  # (n, 2) source pixels
    width: float  # source pixels
    colour: str
    alpha: float
    view: str | None


@dataclass
class Drawing:
    id: str
    view: str | None
    strokes: list[Stroke]


def read_drawing(path: str) -> Drawing:
    from ..paths import no_such, read_regular

    p = Path(path)
    if p.is_dir():  # a folder, a FIFO and a missing file were all "no such file" (ADR 0043)
        raise UsageError(f"{p}: is a folder; give the drawing's JSON or CSV file")
    try:
        raw = read_regular(p, MAX_INPUT_BYTES, "a drawing")  # without blocking on a FIFO; a device refused
    except FileNotFoundError:
        raise UsageError(no_such(p)) from None
    except ValueError as exc:
        raise UsageError(f"{p}: {exc}") from None
    except OSError as exc:
        raise UsageError(f"{p}: cannot read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{p}: not UTF-8 text") from None
    if text.lstrip().startswith("{"):
        try:
            return painsketch_drawing(json.loads(text), str(p))
        except json.JSONDecodeError as exc:
            raise UsageError(f"{p}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        except RecursionError:  # '[[[[...' 200,000 deep was an internal error, exit 1
            raise UsageError(f"{p}: not a drawing (JSON nested too deeply)") from None
    return csv_drawing(text, str(p))


def _num(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise UsageError(f"{where}: must be a finite number")
    return float(v)


def painsketch_drawing(doc: Any, where: str) -> Drawing:
    if not isinstance(doc, dict) or not isinstance(doc.get("s"), list):
        raise UsageError(f"{where}: not a PainSketch drawing (no 's' list of strokes)")
    strokes = []
    total = 0
    for k, s in enumerate(doc["s"]):
        w = f"{where}: stroke {k + 1}"
        if not isinstance(s, dict) or not isinstance(s.get("p"), list) or not s["p"]:
            raise UsageError(f"{w}: needs a 'p' list of [x, y] points")
        pts = []
        for q in s["p"]:
            if not isinstance(q, list) or len(q) < 2:
                raise UsageError(f"{w}: a point must be [x, y]")
            pts.append((_num(q[0], w), _num(q[1], w)))
        total += len(pts)
        if total > MAX_POINTS:
            raise UsageError(f"{where}: more than {MAX_POINTS} points")
        width = _num(s.get("lineWidth", 1), w)
        alpha = _num(s.get("alpha", 1), w)
        view = s.get("view") if isinstance(s.get("view"), str) else None  # bodymap's own extension
        strokes.append(Stroke(np.array(pts), max(width, 0.0), _norm_colour(str(s.get("lineColor", ""))),
                              min(max(alpha, 0.0), 1.0), view))
    view = doc.get("view")
    return Drawing(str(doc.get("id", "")), str(view) if view is not None else None, strokes)


def csv_drawing(text: str, where: str) -> Drawing:
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        raise UsageError(f"{where}: not a readable CSV ({exc})") from None
    if not rows or not {"stroke", "x", "y"} <= set(rows[0]):
        raise UsageError(f"{where}: a CSV of points needs the columns stroke, x, y")
    if len(rows) > MAX_POINTS:
        raise UsageError(f"{where}: more than {MAX_POINTS} points")
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["stroke"], []).append(r)
    strokes = []
    for sid, rs in groups.items():
        w = f"{where}: stroke {sid}"
        try:
            pts = np.array([(float(r["x"]), float(r["y"])) for r in rs])
            width = float(rs[0].get("width") or 1)
            alpha = float(rs[0].get("alpha") or 1)
        except ValueError:
            raise UsageError(f"{w}: x, y, width and alpha must be numbers") from None
        if not np.isfinite(pts).all():
            raise UsageError(f"{w}: points must be finite numbers")
        strokes.append(Stroke(pts, width, _norm_colour(rs[0].get("color") or ""), min(max(alpha, 0.0), 1.0),
                              (rs[0].get("view") or None)))
    return Drawing(Path(where).stem, None, strokes)


# ---------------------------------------------------------------------------
# Painting


@dataclass
class ImportReport:
    output: str
    strokes: int = 0
    filled: int = 0
    lines: int = 0
    erased: int = 0
    snapped: int = 0
    points: int = 0
    inside_share: float | None = None
    residual: dict[str, float] = field(default_factory=dict)
    unknown_colours: set[str] = field(default_factory=set)

    def line(self) -> str:
        share = "-" if self.inside_share is None else f"{100 * self.inside_share:.1f}%"
        res = ", ".join(f"{v} {r:.3f}" for v, r in self.residual.items())
        extra = (f"; colours not in the template, painted as the default: {', '.join(sorted(self.unknown_colours))}"
                 if self.unknown_colours else "")
        return (f"wrote {self.output}: {self.strokes} strokes ({self.filled} filled loops, {self.lines} lines, "
                f"{self.erased} erased); {share} of the paint inside the body; {self.snapped} of {self.points} "
                f"points snapped to the outline; landmark residual (head heights) {res}{extra}")

    def to_json(self) -> dict[str, Any]:
        return {"output": self.output, "strokes": self.strokes, "filled": self.filled, "lines": self.lines,
                "erased": self.erased, "snapped": self.snapped, "points": self.points,
                "inside_share": self.inside_share, "residual": self.residual}


def _view_of(stroke: Stroke, drawing: Drawing, t: Template) -> str:
    for name in (stroke.view, drawing.view):
        if name is None:
            continue
        v = t.view_names.get(name, name)
        if v in t.views:
            return v
        raise UsageError(f"view {name!r} is not in the template (has: {', '.join(t.views)})")
    if len(t.views) == 1:
        return next(iter(t.views))
    raise UsageError("the drawing names no view and the template has two: add view_names or a 'view' to the drawing")


def paint_drawing(drawing: Drawing, t: Template, atlas=None, out: str = "") -> tuple[PainMap, ImportReport]:
    atlas = atlas or load_atlas()
    m = PainMap(atlas)
    rep = ImportReport(out)
    rep.residual = {v: tr.residual for v, tr in t.views.items()}
    sil = {v: atlas.silhouette(v) for v in VIEWS}
    inside_area = total_area = 0.0
    alpha_max: dict[str, float] = {}
    for s in drawing.strokes:
        view = _view_of(s, drawing, t)
        tr = t.views[view]
        pts = tr(s.points)
        rep.points += len(pts)
        if t.snap > 0:
            pts, k = _snap(pts, sil[view], t.snap)
            rep.snapped += k
        sens = t.colours.get(s.colour)
        if sens is None:
            if s.colour:
                rep.unknown_colours.add(s.colour)
            sens = t.default_sensation
        radius = max(s.width * tr.scale / 2, 1e-3)
        radius = min(radius, 2.0)
        closed = (t.fill_closed and len(pts) >= 4
                  and np.hypot(*(s.points[0] - s.points[-1])) <= (t.close_px or max(2 * s.width, 1.0)))
        rep.strokes += 1
        if sens == "erase":
            m.stroke(view, pts.tolist(), radius=radius, erase=True)
            rep.erased += 1
            continue
        if closed:
            poly = shapely.make_valid(Polygon(pts))
            geom = shapely.union(poly, LineString(pts).buffer(radius))
            mask = m.raster.mask(poly) & m.raster.body[view]
            layers = {v: np.array(m.layers(v)) for v in VIEWS}
            layers[view][SENSATIONS.index(sens)] |= mask
            strokes_before = list(m.strokes)
            m.replace_layers(layers)
            m.strokes = strokes_before
            m.stroke(view, pts.tolist(), sens, radius)
            rep.filled += 1
        else:
            geom = LineString(pts).buffer(radius) if len(pts) > 1 else Point(pts[0]).buffer(radius)
            m.stroke(view, pts.tolist(), sens, radius)
            rep.lines += 1
        total_area += geom.area
        inside_area += shapely.intersection(geom, sil[view]).area
        alpha_max[sens] = max(alpha_max.get(sens, 0.0), s.alpha)
    rep.inside_share = inside_area / total_area if total_area > 0 else None
    if t.alpha_to == "intensity":
        for sens, a in alpha_max.items():
            m.set_intensity(sens, int(round(10 * a)))
    m.extra["imported_from"] = {"tool": "strokes", "id": drawing.id, "template": t.name,
                                "inside_share": None if rep.inside_share is None else round(rep.inside_share, 4)}
    return m, rep


def _snap(pts: np.ndarray, sil, snap: float) -> tuple[np.ndarray, int]:
    """Points outside the outline by at most `snap` moved onto it; the number moved."""
    out = pts.copy()
    inside = shapely.contains_xy(sil, pts[:, 0], pts[:, 1])
    boundary = sil.boundary
    k = 0
    for i in np.flatnonzero(~inside):
        p = Point(pts[i])
        if boundary.distance(p) <= snap:
            q = boundary.interpolate(boundary.project(p))
            out[i] = (q.x, q.y)
            k += 1
    return out, k


def import_strokes(src: str, template: str, output: str, overwrite: bool = False) -> ImportReport:
    from .. import fileformat

    if not str(output).endswith(".bodymap"):
        raise UsageError(f"{output}: the output name must end in .bodymap")
    if Path(output).exists() and not overwrite:
        raise UsageError(f"{output}: already exists; add --overwrite to replace it")
    t = load_template(template)
    drawing = read_drawing(src)
    if not drawing.strokes:
        raise UsageError(f"{src}: no strokes")
    m, rep = paint_drawing(drawing, t, out=str(output))
    if overwrite and Path(output).is_file():
        from ..visits import keep_previous

        keep_previous(Path(output))  # --overwrite keeps the map it replaces as name~N (ADR 0017, 0037)
    fileformat.save(m, output)
    return rep


# ---------------------------------------------------------------------------
# Export: a bodymap drawing as PainSketch JSON (for round trips and for other tools)


BODYMAP_COLOURS = {"aching": "#0072b2", "sharp": "#d55e00", "burning": "#e69f00", "pins_and_needles": "#cc79a7",
                   "numbness": "#009e73"}
ERASE_COLOUR = "#ffffff"


def painsketch_from_map(m: PainMap) -> dict[str, Any]:
    """The map's stroke log as PainSketch JSON in atlas-grid pixels (each stroke names its view).

    Read back with the template regions/stroke-templates/bodymap-atlas.yaml it paints the same pixels."""
    r = m.raster
    strokes = []
    for e in m.strokes:
        pts = [[(x - r.origin[0]) * r.scale, (y - r.origin[1]) * r.scale] for x, y in e["points"]]
        erase = e.get("op") == "erase"
        strokes.append({"lineWidth": 2 * e["radius"] * r.scale,
                        "lineColor": ERASE_COLOUR if erase else BODYMAP_COLOURS[e.get("sensation", "aching")],
                        "alpha": 1, "p": pts, "view": e["view"]})
    rows, cols = r.shape
    return {"id": m.meta.get("session_code") or "", "w": cols, "h": rows, "tpl": "bodymap-atlas", "s": strokes}
