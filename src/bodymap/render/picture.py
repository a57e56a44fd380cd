"""Headless pictures: the atlas and painted maps to PNG, exactly as the window draws them."""
from __future__ import annotations

import io
import os
from pathlib import Path

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np
import pygame

from ..atlas import VIEWS, Atlas
from ..atomicio import umask_mode, write_atomic
from ..errors import FileWriteError, UsageError
from ..painting import SENSATIONS, PainMap
from ..paths import check_output_file
from . import view as render
from .body import at_least_height, draw_side_markers, rgba_surface  # noqa: F401 (rgba_surface: re-exported)
from .palette import OVERLAP_BAND, PAINT_ALPHA, PATTERN_PERIOD, SENSATION_STYLE

def pattern_mask(pattern: str, shape: tuple[int, int], period: int = PATTERN_PERIOD,
                 origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Where the texture is 'ink' (True) in a (rows, cols) grid.

    `origin` (row, col) is where the grid starts in a larger picture, so that a
    sub-rectangle gets exactly the texture the whole picture has there.
    """
    r0, c0 = int(origin[0]), int(origin[1])
    yy, xx = np.mgrid[r0:r0 + shape[0], c0:c0 + shape[1]]
    if pattern == "solid":
        return np.ones(shape, dtype=bool)
    if pattern == "diagonal":
        return ((xx + yy) % period) < period // 2
    if pattern == "crosshatch":
        return (((xx + yy) % period) < 2) | (((xx - yy) % period) < 2)
    if pattern == "dots":
        return ((xx % period) < 3) & ((yy % period) < 3)
    if pattern == "horizontal":
        return (yy % period) < period // 2
    raise ValueError(pattern)


def paint_rgba(pain_map: PainMap, view: str, period: int = PATTERN_PERIOD,
               window: tuple[int, int, int, int] | None = None) -> np.ndarray:
    """(rows, cols, 4) uint8 picture of the painted layers at mask resolution.

    `window` = (r0, r1, c0, c1) in mask pixels (as `PainMap.extend_stroke` returns
    it) computes only that rectangle: the result is (r1 - r0, c1 - c0, 4) and equals
    the same slice of the whole picture.
    """
    layers = pain_map.layers(view)
    if window is None:
        return compose_rgba(layers, period=period)
    rows, cols = pain_map.raster.shape
    r0, r1, c0, c1 = (int(v) for v in window)
    r0, r1 = max(r0, 0), min(r1, rows)
    c0, c1 = max(c0, 0), min(c1, cols)
    r1, c1 = max(r1, r0), max(c1, c0)
    return compose_rgba(layers[:, r0:r1, c0:c1], origin=(r0, c0), period=period)


def compose_rgba(layers: np.ndarray, origin: tuple[int, int] = (0, 0), period: int = PATTERN_PERIOD) -> np.ndarray:
    """(rows, cols, 4) uint8 picture of (sensations, rows, cols) boolean layers.

    The textures are laid out as if the grid started at `origin` (row, col) of a
    larger picture. The window uses this on layers sampled at screen resolution.
    """
    n_sens, rows, cols = layers.shape
    out = np.zeros((rows, cols, 4), dtype=np.uint8)
    present = layers.astype(bool)
    count = present.sum(axis=0)
    if not count.any():
        return out
    # Where several sensations overlap, the area is shared out in diagonal bands
    # (OVERLAP_BAND texture periods wide), each band drawn wholly as one of them, so
    # every sensation keeps both its colour and its texture (none hides another).
    r0, c0 = int(origin[0]), int(origin[1])
    yy, xx = np.mgrid[r0:r0 + rows, c0:c0 + cols]
    band = ((xx + yy) // (OVERLAP_BAND * period)) % np.maximum(count, 1)
    order = np.cumsum(present, axis=0) - 1  # per pixel: 0 for the first sensation present, 1 for the next...
    for i, s in enumerate(SENSATIONS[:n_sens]):
        owner = present[i] & (order[i] == band)
        if not owner.any():
            continue
        style = SENSATION_STYLE[s]
        ink = owner & pattern_mask(style["pattern"], (rows, cols), period, origin)
        if style["pattern"] == "solid":
            ink[:] = False  # no lines: all fill
        out[owner, :3] = style["fill"]
        out[ink, :3] = style["colour"]
        out[owner, 3] = PAINT_ALPHA
    return out


def swatch_rgba(sensation: str, width: int, height: int, period: int = PATTERN_PERIOD) -> np.ndarray:
    """(height, width, 4) picture of a box painted all over with one sensation, exactly as paint looks."""
    layers = np.zeros((len(SENSATIONS), height, width), dtype=bool)
    layers[SENSATIONS.index(sensation)] = True
    return compose_rgba(layers, period=period)


def draw_paint(surface: pygame.Surface, pain_map: PainMap, lay: render.ViewLayout) -> None:
    rgba = paint_rgba(pain_map, lay.view)
    s = rgba_surface(rgba)
    s = pygame.transform.scale(s, (lay.width, lay.height))
    surface.blit(s, (int(lay.left), int(lay.top)))


def draw_legend(surface: pygame.Surface, topleft: tuple[int, int], size: int = 20, only=None) -> int:
    """Swatch + word per sensation; returns the height used."""
    x, y = topleft
    for s in SENSATIONS:
        if only is not None and s not in only:
            continue
        style = SENSATION_STYLE[s]
        sw = rgba_surface(swatch_rgba(s, size * 2, size, max(4, size // 4)))
        surface.blit(sw, (x, y))
        pygame.draw.rect(surface, render.OUTLINE, (x, y, size * 2, size), 1)
        t = render.font(size).render(style["label"], True, render.TEXT)
        surface.blit(t, (x + size * 2 + 8, y + (size - t.get_height()) // 2))
        y += size + 8
    return y - topleft[1]


def render_atlas(atlas: Atlas, layer: str = "regions", height: int = 1400) -> pygame.Surface:
    """The labelled front and back views as one picture (for `bodymap atlas render`)."""
    if layer not in ("regions", "dermatomes", "plain"):
        raise ValueError("layer must be regions, dermatomes or plain")
    x0, y0, x1, y1 = atlas.bounds
    title_h = 56
    view_h = height - title_h - 20
    scale = view_h / (y1 - y0)
    width = int(2 * (x1 - x0) * scale + 16 + 40)
    surf = pygame.Surface((width, height))
    surf.fill(render.BACKGROUND)
    layouts = render.layout_views(atlas, pygame.Rect(20, 10, width - 40, height - 20), title_h=title_h)
    for view, lay in layouts.items():
        render.draw_body(surf, atlas, lay, regions=(layer == "regions"), outline_width=render.picture_outline_width(lay))
        if layer == "regions":
            render.draw_region_labels(surf, atlas, lay, size=max(11, int(lay.scale * 0.14)))
        elif layer == "dermatomes":
            render.draw_dermatomes(surf, atlas, lay, labels=False)
            # the outline again, over the tinted zones (as the windows and the map pictures draw it), then the names
            render.draw_smooth_line(surf, lay, atlas.silhouette(view), render.OUTLINE, render.picture_outline_width(lay))
            render.draw_dermatomes(surf, atlas, lay, size=max(12, int(lay.scale * 0.16)), fills=False, lines=False)
    render.draw_view_titles(surf, layouts, size=30)
    draw_side_markers(surf, layouts, size=26)
    return surf


def render_atlas_png(atlas: Atlas, layer: str = "regions", height: int = 1400) -> pygame.Surface:
    if not 200 <= height <= 8000:
        raise UsageError(f"--height must be between 200 and 8000 pixels, got {height}")
    _init()
    return at_least_height(height, lambda h: render_atlas(atlas, layer, h))


def render_map_png(pain_map: PainMap, overlay: str = "none", height: int = 1000) -> pygame.Surface:
    """The painting on both views, with a legend, as the window shows it."""
    if not 200 <= height <= 8000:
        raise UsageError(f"--height must be between 200 and 8000 pixels, got {height}")
    _init()
    return at_least_height(height, lambda h: _map_picture(pain_map, overlay, h))


def _map_picture(pain_map: PainMap, overlay: str, height: int) -> pygame.Surface:
    atlas = pain_map.atlas
    x0, y0, x1, y1 = atlas.bounds
    title_h = 50
    scale = (height - title_h - 20) / (y1 - y0)
    legend_w = 240
    width = int(2 * (x1 - x0) * scale + 16 + 40 + legend_w)
    surf = pygame.Surface((width, height))
    surf.fill(render.BACKGROUND)
    layouts = render.layout_views(atlas, pygame.Rect(20, 10, width - 40 - legend_w, height - 20), title_h=title_h)
    for view, lay in layouts.items():
        render.draw_body(surf, atlas, lay, regions=(overlay == "regions"), outline_width=render.picture_outline_width(lay))
        draw_paint(surf, pain_map, lay)
        if overlay == "dermatomes":
            render.draw_dermatomes(surf, atlas, lay, alpha=70, labels=False)
        render.draw_smooth_line(surf, lay, atlas.silhouette(view), render.OUTLINE, render.picture_outline_width(lay))
        if overlay == "dermatomes":  # the names last, over the outline
            render.draw_dermatomes(surf, atlas, lay, size=max(14, int(lay.scale * 0.15)), fills=False, lines=False)
    render.draw_view_titles(surf, layouts, size=28)
    draw_side_markers(surf, layouts, size=24)
    lx = width - legend_w
    draw_legend(surf, (lx, 80), size=20)
    ext = pain_map.extent_percent()["total"]
    t = render.font(22).render(f"Extent {ext:.1f}% of body", True, render.TEXT)
    surf.blit(t, (lx, 80 + 6 * 28))
    return surf


def check_png_path(output: str | os.PathLike) -> Path:
    """Refuse a bad output path before any drawing work."""
    return check_output_file(output, ".png")


def png_bytes(surface: pygame.Surface) -> bytes:
    """The surface as PNG bytes, in memory: pygame reports no write error on a full disk, so the bytes are
    made first and written by bodymap.atomicio, which does (ADR 0018)."""
    buf = io.BytesIO()
    try:
        pygame.image.save(surface, buf, "picture.png")
    except pygame.error as exc:
        raise FileWriteError(f"cannot encode the picture ({exc})") from None
    data = buf.getvalue()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise FileWriteError("cannot encode the picture (no PNG data came out)")
    return data


def save_png(surface: pygame.Surface, output: str | os.PathLike, mode: int | None = None) -> Path:
    """Write the surface to `output` as a PNG: encoded to bytes, then the temp file, fsync and rename of
    bodymap.atomicio (a full disk is an error, and the old picture is kept). The file's mode follows the
    umask, like the exports (a picture that names patients or files passes 0o600)."""
    check_png_path(output)
    return write_atomic(output, png_bytes(surface), umask_mode() if mode is None else mode)


def _init() -> None:
    if not pygame.font.get_init():
        pygame.font.init()


__all__ = ["render_atlas_png", "render_map_png", "save_png", "paint_rgba", "SENSATION_STYLE", "VIEWS"]
