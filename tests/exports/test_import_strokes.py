"""bodymap import-strokes: a bodymap drawing round-trips exactly; a foreign drawing comes in registered,
with loops filled, lines at their width, near points snapped and its inside share stated."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point

from bodymap import fileformat
from bodymap.atlas import load_atlas
from bodymap.cli import main
from bodymap.exports.strokes import (fit_transform, load_template, painsketch_drawing, painsketch_from_map,
                                     paint_drawing)
from bodymap.paths import regions_dir
from bodymap.painting import PainMap

BODYMAP_TEMPLATE = regions_dir() / "stroke-templates" / "bodymap-atlas.yaml"


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


def test_a_bodymap_drawing_round_trips_exactly(atlas, tmp_path, capsys):
    m = PainMap(atlas)
    m.stroke("front", [(-0.5, 4.5), (-0.55, 5.2), (-0.6, 6.0)], "burning", 0.12)  # patient's right thigh
    m.stroke("back", [(0.3, 3.5), (0.5, 3.6), (0.4, 3.9), (0.3, 3.5)], "aching", 0.09)  # ends where it began
    m.stroke("back", [(0.35, 3.6), (0.45, 3.7)], radius=0.05, erase=True)
    m.stroke("front", [(-1.2, 3.0), (-1.6, 3.3)], "numbness", 0.2)  # runs off the body
    m.stroke("back", [(-0.4, 6.2), (-0.42, 6.9)], "pins_and_needles", 0.07)
    src = tmp_path / "drawing.json"
    src.write_text(json.dumps(painsketch_from_map(m)))
    out = tmp_path / "back.bodymap"
    assert main(["import-strokes", str(src), "--template", str(BODYMAP_TEMPLATE), "-o", str(out)]) == 0
    assert "5 strokes (0 filled loops, 4 lines, 1 erased)" in capsys.readouterr().out
    m2 = fileformat.load(out)
    for v in ("front", "back"):
        assert np.array_equal(m.layers(v), m2.layers(v)), v
    assert m2.painted_regions() == m.painted_regions()


# A foreign tool: 50 px per head height, the figure shifted and turned 4 degrees, y down.
ANGLE = math.radians(4)
S = 50.0
T = np.array([210.0, 40.0])


def to_foreign(x: float, y: float) -> list[float]:
    c, s = math.cos(ANGLE), math.sin(ANGLE)
    return [S * (c * x - s * y) + T[0], S * (s * x + c * y) + T[1]]


def foreign_template(tmp_path: Path, snap: float = 0.15) -> Path:
    pts = [(0, 0), (1, 0.5), (-1, 3), (0.4, 7.5), (-0.6, 5)]  # atlas points picked as landmarks
    lms = [to_foreign(x, y) + [x, y] for x, y in pts]
    t = tmp_path / "other.yaml"
    t.write_text("schema: bodymap.stroke-template/1\nname: other tool\nfit: similarity\n"
                 f"snap: {snap}\nviews:\n  back:\n    landmarks: {json.dumps(lms)}\n"
                 "colours:\n  '#ff0000': sharp\n  '#0000ff': numbness\nalpha_to: intensity\n")
    return t


def test_the_fit_recovers_a_known_transform():
    src = np.array([to_foreign(x, y) for x, y in [(0, 0), (1, 0.5), (-1, 3)]])
    dst = np.array([(0, 0), (1, 0.5), (-1, 3)], float)
    tr = fit_transform(src, dst, "similarity")
    assert tr.scale == pytest.approx(1 / S) and tr.residual < 1e-9
    for kind in ("affine", "thin-plate"):
        assert np.allclose(fit_transform(src, dst, kind)(src), dst, atol=1e-9)


def test_a_foreign_drawing_fills_loops_draws_lines_and_states_its_inside_share(atlas, tmp_path, capsys):
    sil = atlas.silhouette("back")
    # 1. a closed loop drawn around the lower back (filled), sharp; 2. a line down the middle of the
    # right calf (drawn at its width), numbness; 3. the same line far outside the body, in the margin
    loop = [to_foreign(x, y) for x, y in [(-0.5, 3.3), (0.5, 3.3), (0.5, 3.8), (-0.5, 3.8), (-0.5, 3.3)]]
    calf = [to_foreign(0.45, y) for y in (5.4, 5.7, 6.0)]
    margin = [to_foreign(3.0, y) for y in (5.4, 5.7, 6.0)]
    doc = {"id": "p7", "w": 400, "h": 800, "tpl": "lbp", "view": "back",
           "s": [{"lineWidth": 4, "lineColor": "#FF0000", "alpha": 0.7, "p": loop},
                 {"lineWidth": 6, "lineColor": "#0000ff", "alpha": 0.4, "p": calf},
                 {"lineWidth": 6, "lineColor": "#0000ff", "alpha": 0.4, "p": margin}]}
    src = tmp_path / "p7.json"
    src.write_text(json.dumps(doc))
    out = tmp_path / "p7.bodymap"
    assert main(["import-strokes", str(src), "--template", str(foreign_template(tmp_path)), "-o", str(out)]) == 0
    line = capsys.readouterr().out
    assert "3 strokes (1 filled loops, 2 lines, 0 erased)" in line
    m = fileformat.load(out)
    r = m.raster
    sharp, numb = m.layers("back")[1], m.layers("back")[4]  # SENSATIONS order
    col, row = (int(v) for v in r.to_px(0.0, 3.55))
    assert sharp[row, col]  # the middle of the loop is painted though no line passed there
    col, row = (int(v) for v in r.to_px(0.45, 5.7))
    assert numb[row, col]
    col, row = (int(v) for v in r.to_px(0.45 + 0.15, 5.7))  # 0.15 from a 6 px (0.06 head height) line
    assert not numb[row, col]
    assert "right_calf" in m.painted_regions() and "left_calf" not in m.painted_regions()  # back view: right is x > 0
    # inside share: the loop and the calf line inside, the margin line (as long as the calf line) outside
    loop_area = 1.0 * 0.5
    share = float(line.split("; ")[1].split("%")[0]) / 100
    assert 0.6 < share < 0.95
    assert json.loads(out.read_bytes())["imported_from"]["inside_share"] == pytest.approx(share, abs=1e-3)
    assert m.intensity == {"sharp": 7, "numbness": 4}  # alpha_to: intensity
    assert sil.contains(Point(0.0, 3.55)) and loop_area > 0


def test_points_just_outside_the_outline_snap_to_it(atlas, tmp_path, capsys):
    sil = atlas.silhouette("back")
    # trace 0.08 head heights outside the outer edge of the right thigh (back view: patient's right is x > 0)
    edge = []
    for y in (4.6, 4.9, 5.2):
        x = 0.45  # inside the right thigh; walk out to its outer edge (the hand hangs further out)
        assert sil.contains(Point(x, y))
        while sil.contains(Point(x + 0.005, y)):
            x += 0.005
        edge.append((x + 0.08, y))
    doc = {"id": "e", "view": "back", "s": [{"lineWidth": 2, "lineColor": "#0000ff", "alpha": 1,
                                              "p": [to_foreign(x, y) for x, y in edge]}]}
    src = tmp_path / "edge.json"
    src.write_text(json.dumps(doc))
    for snap, expect_paint in ((0.15, True), (0.0, False)):
        out = tmp_path / f"edge{snap}.bodymap"
        t = foreign_template(tmp_path, snap)
        assert main(["import-strokes", str(src), "--template", str(t), "-o", str(out)]) == 0
        text = capsys.readouterr().out
        m = fileformat.load(out)
        assert (not m.is_empty) == expect_paint
        if expect_paint:  # on the patient's right thigh's outer edge, nowhere else
            assert set(m.region_coverage()) <= {"right_posterolateral_thigh", "right_posterior_thigh"}
        assert (f"{len(edge)} of {len(edge)} points snapped" in text) == expect_paint


def test_a_csv_of_points_paints_as_the_json_does(atlas, tmp_path):
    t = load_template(str(foreign_template(tmp_path)))
    calf = [to_foreign(0.45, y) for y in (5.4, 5.7, 6.0)]
    js = painsketch_drawing({"view": "back", "s": [{"lineWidth": 6, "lineColor": "#0000ff", "p": calf}]}, "j")
    csv_path = tmp_path / "pts.csv"
    csv_path.write_text("stroke,x,y,width,color\n" + "".join(f"1,{x},{y},6,#0000ff\n" for x, y in calf))
    from bodymap.exports.strokes import read_drawing

    a, _ = paint_drawing(js, t, atlas)
    b, _ = paint_drawing(read_drawing(str(csv_path)), t, atlas)
    assert np.array_equal(a.layers("back"), b.layers("back")) and not a.is_empty


@pytest.mark.parametrize("content, words", [("{not json", "not valid JSON"), ('{"s": [{"p": "x"}]}', "'p' list"),
                                            ("a,b\n1,2\n", "stroke, x, y")])
def test_bad_input_is_one_line(tmp_path, capsys, content, words):
    src = tmp_path / "bad.json"
    src.write_text(content)
    assert main(["import-strokes", str(src), "--template", str(BODYMAP_TEMPLATE),
                 "-o", str(tmp_path / "o.bodymap")]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not (tmp_path / "o.bodymap").exists()


@pytest.mark.parametrize("template, words", [
    ("schema: bodymap.stroke-template/1\nviews:\n  back:\n    landmarks: [[1, 2, x, 4]]\n", "must be numbers"),
    ("schema: bodymap.stroke-template/1\nviews:\n  side:\n    landmarks: []\n", "use front or back"),
    ("schema: bodymap.stroke-template/1\nviews:\n  back:\n    landmarks: [[0, 0, 0, 0]]\n", "at least 2"),
    ("schema: other\n", "not a stroke template")])
def test_a_bad_template_is_one_line(tmp_path, capsys, template, words):
    t = tmp_path / "t.yaml"
    t.write_text(template)
    src = tmp_path / "d.json"
    src.write_text(json.dumps({"view": "back", "s": [{"p": [[1, 2]]}]}))
    assert main(["import-strokes", str(src), "--template", str(t), "-o", str(tmp_path / "o.bodymap")]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
