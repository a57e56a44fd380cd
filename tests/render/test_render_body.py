"""render/body.py, the one drawing of the body: the patient's right and left on both views.

On the front view the patient's right is on the viewer's left; on the back view on the viewer's right.
Each test draws on both views and looks at the pixels on each side of the body's midline.
"""
from __future__ import annotations

import numpy as np
import pygame
import pytest

from bodymap.atlas import VIEWS, viewer_sign
from bodymap.compare import compare
from bodymap.painting import PainMap
from bodymap.render import body, layout_views
from bodymap.render.palette import MUTED, ZONE_RGB
from bodymap.render.text import font
from drive import display_fixture

SIZE = (900, 700)
display = display_fixture(SIZE)


@pytest.fixture(scope="module")
def lays(atlas):
    return layout_views(atlas, pygame.Rect(20, 20, SIZE[0] - 40, SIZE[1] - 40), gap=24, title_h=40)


def px(surface: pygame.Surface) -> np.ndarray:
    return pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(int)


def midline_x(lay) -> float:
    return float(lay.to_screen(0.0, 0.0)[0])


def one_region(atlas, view: str, side: str):
    """The largest region of `side` on `view` below the waist (a clear mass on one side of the midline)."""
    rs = [r for r in atlas.regions_in(view) if r.side == side and r.geometry.centroid.y > 4.5]
    return max(rs, key=lambda r: r.geometry.area)


def ink_mask(a: np.ndarray, colour) -> np.ndarray:
    return (np.abs(a - np.array(colour)).max(axis=2) <= 40)


def crop(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


@pytest.mark.parametrize("view", VIEWS)
def test_the_zone_is_shaded_on_the_patients_own_side(atlas, lays, view):
    lay = lays[view]
    for side in ("right", "left"):
        r = one_region(atlas, view, side)
        s = pygame.Surface(SIZE)
        s.fill((255, 255, 255))
        body.draw_under(s, atlas, lay, zone={r.id: 1.0})
        plain = pygame.Surface(SIZE)
        plain.fill((255, 255, 255))
        body.draw_under(plain, atlas, lay)
        changed = (px(s) != px(plain)).any(axis=2)
        ys, xs = np.nonzero(changed)
        assert len(xs) > 200, f"{view} {side}: no zone drawn"
        sign = np.sign(xs - midline_x(lay))
        assert (sign == viewer_sign(view, side)).mean() > 0.95, f"{view}: the {side} zone is on the wrong side"
        # the shading is the zone's purple mixed into the skin: bluer than the skin it covers
        a, b = px(s)[changed], px(plain)[changed]
        assert ((a - b)[:, 2] - (a - b)[:, 0]).mean() > 0 and ZONE_RGB[2] > ZONE_RGB[0]


@pytest.mark.parametrize("view", VIEWS)
def test_the_side_markers_say_R_on_the_patients_right(lays, view):
    lay = lays[view]
    s = pygame.Surface(SIZE)
    s.fill((255, 255, 255))
    body.draw_side_markers(s, {view: lay}, size=30)
    ink = ink_mask(px(s), MUTED)
    mid = int(round(lay.left + lay.width / 2))
    viewer_left, viewer_right = ink.copy(), ink.copy()
    viewer_left[:, mid:] = False
    viewer_right[:, :mid] = False
    sz = max(14, min(30, int(lay.width * 0.16)))
    glyph = {c: crop(ink_mask(px(font(sz).render(c, True, MUTED, (255, 255, 255))), MUTED)) for c in "RL"}
    assert glyph["R"].shape != glyph["L"].shape or (glyph["R"] != glyph["L"]).any()
    right_side = viewer_left if viewer_sign(view, "right") < 0 else viewer_right
    left_side = viewer_right if right_side is viewer_left else viewer_left
    assert np.array_equal(crop(right_side), glyph["R"]), f"{view}: 'R' is not on the patient's right"
    assert np.array_equal(crop(left_side), glyph["L"]), f"{view}: 'L' is not on the patient's left"


@pytest.mark.parametrize("view", VIEWS)
def test_the_difference_overlay_shows_new_paint_on_its_own_side(atlas, lays, view):
    lay = lays[view]
    r = one_region(atlas, view, "right")
    before, after = PainMap(atlas), PainMap(atlas)
    after.paint_region(r.id)
    comp = compare(before, after)
    surf = body.diff_surface(comp, view, lay, atlas.raster(after.scale), period=8)
    a = pygame.surfarray.pixels_alpha(surf).T.copy()
    ys, xs = np.nonzero(a)
    assert len(xs) > 200
    sign = np.sign(xs + lay.left - midline_x(lay))
    assert (sign == viewer_sign(view, "right")).mean() > 0.95, f"{view}: new paint drawn on the wrong side"
    colours = {tuple(c) for c in px(surf)[a > 0]}
    assert colours <= body.diff_colours("new"), "only the colours of 'new' are drawn"


def test_no_import_cycle_between_view_labels_and_body():
    """render.view uses render.labels, render.body uses render.view: neither is imported back (issue 19)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "src" / "bodymap" / "render"

    def imports(name: str) -> set[str]:
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        out = set()
        for node in ast.walk(tree):  # function-level imports count too
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                out |= {node.module} if node.module else {a.name for a in node.names}
        return out

    assert "labels" in imports("view") and "view" in imports("body")
    assert not {"view", "body"} & imports("labels")
    assert "body" not in imports("view")
