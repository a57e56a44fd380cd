"""Dermatome labels and the smooth outline, as the windows and the pictures draw them.

Every dermatome part (one root on one side of one view) must get its label at every
window and picture size: L5 against S1 is the question the overlay is there for. The
labels drawn are recorded by wrapping `draw_dermatomes`, and each is checked against the
atlas (right root, patient's side), the view's rectangle, the other labels, and the
pixels of the surface it was drawn on.
"""
from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pygame
import pytest
import shapely

from bodymap import fileformat, render
from bodymap.atlas import VIEWS, load_atlas, viewer_sign
from bodymap.painting import PainMap
from bodymap.render import picture, view
from bodymap.ui.paint import PaintScreen
from bodymap.ui.review import ReviewScreen

from fakes import FakeRanking  # noqa: E402


@pytest.fixture(scope="module", autouse=True)
def display():
    pygame.display.init()
    pygame.font.init()
    pygame.display.set_mode((1400, 900))
    yield


@pytest.fixture(scope="module")
def atlas():
    return load_atlas()


class NoMatcher:
    def match(self, pain_map):
        return FakeRanking([], [], [])

    def pattern_zone(self, atlas, pattern_id, side):
        return {}


@pytest.fixture
def drawn(monkeypatch):
    """Every call of draw_dermatomes that drew labels: (layout, labels, pixels of the surface after drawing)."""
    calls = []
    original = view.draw_dermatomes

    def recording(surface, atlas, lay, *args, **kw):
        labels = original(surface, atlas, lay, *args, **kw)
        if labels:
            calls.append((lay, labels, pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(int)))
        return labels

    monkeypatch.setattr(view, "draw_dermatomes", recording)
    monkeypatch.setattr(render, "draw_dermatomes", recording)
    return calls


def expected_parts(atlas, v: str) -> set[tuple[str, str]]:
    return {(d.root, d.side) for d in atlas.dermatomes if not d.core[v].is_empty}


def check_labels(atlas, calls) -> None:
    seen_views = set()
    for lay, labels, px in calls:
        seen_views.add(lay.view)
        got = [(lab.root, lab.side) for lab in labels]
        assert sorted(got) == sorted(expected_parts(atlas, lay.view)), f"{lay.view}: labels {got}"
        for root in ("L5", "S1"):
            if lay.view == "front" or root == "S1":
                assert {(root, "left"), (root, "right")} <= set(got), f"{root} missing on {lay.view}"
        for i, lab in enumerate(labels):
            assert lab.view == lay.view
            assert lay.rect.contains(lab.rect), f"{lab.text} {lab.side} {lab.rect} outside the view {lay.rect}"
            for other in labels[i + 1:]:
                assert not lab.rect.colliderect(other.rect), f"{lab.text} {lab.side} covers {other.text} {other.side}"
            # the label points at its own part: the text sits on it, or its leader starts on it
            point = lab.leader[0] if lab.leader else lab.rect.center
            ax, ay = lay.to_atlas(*point)
            d = next(d for d in atlas.dermatomes if d.root == lab.root and d.side == lab.side)
            assert d.core[lay.view].buffer(0.02).contains(shapely.points(ax, ay)), f"{lab.text} {lab.side}"
            # and on the patient's own side of the midline, in both views
            assert viewer_sign(lay.view, lab.side) * ax > 0, f"{lab.text} {lab.side} drawn on the other side"
            # it was drawn: text-coloured pixels inside its box
            box = px[lab.rect.top:lab.rect.bottom, lab.rect.left:lab.rect.right]
            ink = (np.abs(box - np.array(render.TEXT)).max(axis=2) <= 12).sum()
            assert ink >= 4, f"{lab.text} {lab.side}: nothing drawn at {lab.rect}"
    assert seen_views == set(VIEWS)


def click(screen, bid):
    pos = screen.button_center(bid)
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1, touch=False))
    screen.handle_event(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1, touch=False))


@pytest.mark.parametrize("size", [(1280, 800), (800, 600), (1400, 900)])
def test_painting_window_labels_every_dermatome_on_both_sides(atlas, tmp_path, drawn, size):
    s = PaintScreen(size, atlas=atlas, folder=tmp_path, matcher=NoMatcher(), now=lambda: datetime(2024, 3, 5))
    click(s, "dermatomes")
    s.screenshot()
    check_labels(atlas, drawn)


def test_review_window_labels_every_dermatome_on_both_sides(atlas, tmp_path, drawn):
    m = PainMap(atlas)
    m.paint_region("right_lateral_leg")
    fileformat.save(m, tmp_path / "a.bodymap")
    s = ReviewScreen(tmp_path, (1400, 900), atlas=atlas, matcher=NoMatcher(), tz=timezone.utc)
    click(s, "list:0")
    click(s, "dermatomes")
    s.screenshot()
    check_labels(atlas, drawn)


@pytest.mark.parametrize("height", [500, 1000])
def test_map_picture_labels_every_dermatome_on_both_sides(atlas, drawn, height):
    m = PainMap(atlas)
    m.paint_region("left_calf")
    picture.render_map_png(m, overlay="dermatomes", height=height)
    check_labels(atlas, drawn)


@pytest.mark.parametrize("height", [600, 1400])
def test_atlas_picture_labels_every_dermatome_on_both_sides(atlas, drawn, height):
    picture.render_atlas_png(atlas, "dermatomes", height)
    check_labels(atlas, drawn)


def test_a_crowded_label_moves_out_on_a_leader_line_instead_of_vanishing(atlas):
    """With every spot inside the thin back bands taken, the labels still all appear, on leader lines."""
    lay = render.layout_views(atlas, pygame.Rect(0, 0, 800, 600))["back"]
    parts = expected_parts(atlas, "back")
    # block the whole trunk at the T10-T12 level
    x0, y0 = (int(v) for v in lay.to_screen(-0.75, 2.35))
    x1, y1 = (int(v) for v in lay.to_screen(0.75, 2.95))
    block = pygame.Rect(x0, y0, x1 - x0, y1 - y0)
    labels = render.place_dermatome_labels(atlas, lay, 16, avoid=(block,))
    assert {(lab.root, lab.side) for lab in labels} == parts
    for lab in labels:
        assert not lab.rect.colliderect(block)
        if lab.root in ("T10", "T11", "T12"):
            assert lab.leader is not None


# ---------------------------------------------------------------------------
# the one smooth outline


@pytest.mark.parametrize("view_name", VIEWS)
def test_thick_lines_are_antialiased_with_the_set_width(atlas, view_name):
    """The outline's coverage adds up to its width times its length, and its edge pixels are partly covered."""
    lay = render.layout_views(atlas, pygame.Rect(0, 0, 1000, 800))[view_name]
    sil = atlas.silhouette(view_name)
    for width in (2.0, 3.5):
        xs, ys, cov = render.smooth_line_coverage(lay, sil, width)
        length_px = sil.exterior.length * lay.scale
        assert cov.sum() == pytest.approx(width * length_px, rel=0.05)
        partial = ((cov > 0.05) & (cov < 0.95)).mean()
        assert partial > 0.2, "a plain (jagged) line has no partly covered pixels"


def test_window_review_and_picture_draw_the_outline_with_the_smooth_renderer(atlas, tmp_path, monkeypatch):
    """The painting window, the review window and the PNG/PDF picture all outline the body through
    draw_smooth_line, for both views."""
    seen = []
    original = view.draw_smooth_line

    def recording(surface, lay, geom, colour, width=2.0):
        if geom is atlas.silhouette(lay.view):
            seen.append((who, lay.view))
        return original(surface, lay, geom, colour, width)

    monkeypatch.setattr(view, "draw_smooth_line", recording)
    monkeypatch.setattr(render, "draw_smooth_line", recording)
    who = "window"
    PaintScreen((1280, 800), atlas=atlas, folder=tmp_path, matcher=NoMatcher()).screenshot()
    m = PainMap(atlas)
    m.paint_region("right_calf")
    fileformat.save(m, tmp_path / "a.bodymap")
    who = "review"
    s = ReviewScreen(tmp_path, (1400, 900), atlas=atlas, matcher=NoMatcher(), tz=timezone.utc)
    click(s, "list:0")
    s.screenshot()
    who = "picture"
    picture.render_map_png(m, height=600)
    assert {(w, v) for w in ("window", "review", "picture") for v in VIEWS} <= set(seen)
