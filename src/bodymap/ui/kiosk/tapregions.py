"""The kiosk's optional "tap the parts that hurt" mode (issue 24), for clinics that prefer
CHOIR-style input to colouring.

Chosen in the kiosk config (`tap_regions: true`; default false, docs/kiosk.md). A tap on
the body fills the whole region under the finger with the chosen sensation; a tap on a
region already filled with it (or with "Rub out" chosen) clears it. One tap is one action,
so a typical session stays within the same action budget as colouring. The atlas regions
are the same as the painting window's Regions tool (ui/paint/regions.py).
"""
from __future__ import annotations

from ... import render
from ...render.palette import REGION_LINE_OVER_PAINT

FULL_SHARE = 0.99  # as the painting window's Regions tool


def draw_region_lines(app, surface, lay, view: str) -> None:
    """The region boundaries of one view, so a patient sees the parts a tap fills."""
    for r in app.atlas.regions_in(view):
        render.draw_geometry(surface, lay, r.geometry, line=REGION_LINE_OVER_PAINT, width=1)


def region_under(app, view: str, pos) -> str | None:
    """The region id under a screen position of the paint screen's `view`, or None off the body."""
    paint = app.scenes.scenes["paint"]
    m = app.pain_map
    if m is None:
        return None
    x, y = paint.layouts()[view].to_atlas(pos[0], pos[1])
    raster = m.raster
    c, r = raster.to_px(x, y)
    r, c = int(r), int(c)
    lab = raster.labels[view]
    if not (0 <= r < lab.shape[0] and 0 <= c < lab.shape[1]) or lab[r, c] < 0:
        return None
    return app.atlas.regions[int(lab[r, c])].id


def tap_region(app, view: str, pos) -> str | None:
    """Fill (or clear) the region under a tap; returns its id, or None when the tap missed the body."""
    rid = region_under(app, view, pos)
    if rid is None:
        return None
    m = app.pain_map
    if app.eraser or m.region_coverage(app.sensation).get(rid, 0.0) >= FULL_SHARE:
        m.clear_region(rid)
    else:
        m.paint_region(rid, 1.0, app.sensation)
    app.scenes.scenes["paint"].refresh_paint()
    return rid
