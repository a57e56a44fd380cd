"""Draw the pictures of docs/research.md from a synthetic demo folder (run: make research-docs).

The folder is made here, in a temporary directory: 80 maps in two study arms with a planted
difference (arm A paints the right calf far more often), a few confirmed diagnoses, and a foreign
freehand drawing. Nothing here is patient data.

    SDL_VIDEODRIVER=dummy python tools/research_docs.py [OUTDIR]   # default: docs/images/
"""
from __future__ import annotations

import json
import math
import os
import random
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")


def main(outdir: str = "docs/images") -> None:
    from bodymap import fileformat
    from bodymap.atlas import load_atlas
    from bodymap.cli import main as cli
    from bodymap.indices import load_index_defs
    from bodymap.matcher import match
    from bodymap.painting import PainMap
    from bodymap.render import picture
    from bodymap.render.groups import render_index_areas, tile

    out = Path(outdir)
    atlas = load_atlas()
    defs = load_index_defs()
    wpi = render_index_areas(atlas, defs.wpi_areas, "ACR 2016 widespread pain index: 19 areas")
    mbm = render_index_areas(atlas, defs.mbm_areas, "Michigan Body Map: 35 areas (jaw: part of the face)")
    picture.save_png(tile([wpi, mbm], "Which bodymap regions make each index area (regions/indices.yaml)"),
                     out / "research-index-areas.png")

    tmp = Path(tempfile.mkdtemp(prefix="bodymap-research-"))
    maps = tmp / "maps"
    maps.mkdir()
    rng = random.Random(25)
    regions = ("right_lower_back", "left_lower_back", "right_buttock", "right_posterior_thigh", "right_calf",
               "left_calf", "right_lateral_leg", "left_buttock", "right_back_of_shoulder", "left_back_of_neck")
    for i in range(80):
        arm = "A" if i % 2 == 0 else "B"
        m = PainMap(atlas)
        m.visit.update({"recorded_by": f"arm {arm}", "visit_date": f"{2024 + i % 3}-0{1 + i % 9}-15"})
        for r in regions:
            p = 0.3
            if r == "right_calf":
                p = 0.85 if arm == "A" else 0.2
            if rng.random() < p:
                m.paint_region(r, 1.0)
        m.answers["age"] = 25 + (i * 7) % 55
        if i < 40 and m.painted_regions():
            ranked = [h.id for h in match(m, top_n=6).hypotheses]
            truth = ranked[0] if rng.random() < 0.55 else ranked[min(len(ranked) - 1, rng.randint(1, 5))]
            m.confirmed = {"diagnosis": truth, "how": rng.choice(["imaging", "block", "follow-up"]),
                           "date": "2026-04-01"}
        fileformat.save(m, maps / f"visit-{i:03d}.bodymap")
    cli(["heatmap", str(maps), "--by", "recorded_by", "-o", str(out / "research-groups.png"), "--height", "640"])
    cli(["similar", str(maps / "visit-000.bodymap"), str(maps), "-k", "3", "-o", str(out / "research-similar.png")])
    cli(["lab", "validate", str(maps), "--reliability", str(out / "research-reliability.png")])

    # a foreign drawing: 50 px per head height, turned 4 degrees, a loop on the low back and a line down the leg
    ang, s, t = math.radians(4), 50.0, (210.0, 40.0)

    def fx(x, y):
        return [s * (math.cos(ang) * x - math.sin(ang) * y) + t[0], s * (math.sin(ang) * x + math.cos(ang) * y) + t[1]]

    lms = [fx(x, y) + [x, y] for x, y in [(0, 0), (1, 0.5), (-1, 3), (0.4, 7.5), (-0.6, 5)]]
    tpl = tmp / "other-tool.yaml"
    tpl.write_text("schema: bodymap.stroke-template/1\nname: other tool\nfit: similarity\nsnap: 0.15\n"
                   f"views:\n  back:\n    landmarks: {json.dumps(lms)}\n"
                   "colours:\n  '#ff0000': sharp\n  '#0000ff': pins_and_needles\n")
    loop = [fx(x, y) for x, y in [(-0.05, 3.3), (0.6, 3.25), (0.65, 3.75), (0.0, 3.85), (-0.05, 3.3)]]
    leg = [fx(0.5 + 0.02 * math.sin(k), 4.3 + 0.15 * k) for k in range(14)]
    note = [fx(2.6 + 0.1 * k, 1.0) for k in range(4)]  # a handwritten mark in the margin: outside the body
    from shapely.geometry import Point

    sil = atlas.silhouette("back")
    edge = []  # traced 0.06 head heights outside the outer edge of the left thigh (back view: x < 0)
    for k in range(16):
        y = 4.5 + 0.05 * k
        x = -0.45
        while sil.contains(Point(x - 0.005, y)):
            x -= 0.005
        edge.append(fx(x - 0.06, y))
    doc = {"id": "lbp-07", "w": 420, "h": 820, "tpl": "lbp", "view": "back",
           "s": [{"lineWidth": 4, "lineColor": "#ff0000", "alpha": 1, "p": loop},
                 {"lineWidth": 6, "lineColor": "#0000ff", "alpha": 1, "p": leg},
                 {"lineWidth": 3, "lineColor": "#ff0000", "alpha": 1, "p": note},
                 {"lineWidth": 5, "lineColor": "#0000ff", "alpha": 1, "p": edge}]}
    (tmp / "lbp-07.json").write_text(json.dumps(doc))
    from bodymap.exports.strokes import import_strokes

    rep = import_strokes(str(tmp / "lbp-07.json"), str(tpl), str(tmp / "lbp-07.bodymap"))
    print(rep.line())
    caption = (f"lbp-07 from another tool: {rep.filled} filled loop, {rep.lines} lines; "
               f"{100 * rep.inside_share:.0f}% of the paint inside the body; {rep.snapped} points snapped")
    picture.save_png(tile([picture.render_map_png(fileformat.load(tmp / "lbp-07.bodymap"), height=700)], caption),
                     out / "research-import-strokes.png")
    print(f"demo folder: {maps}")


if __name__ == "__main__":
    main(*sys.argv[1:])
