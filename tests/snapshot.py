"""Pixel snapshots: one comparison rule for every picture test (rows, cols, rgb; small tolerance)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pygame
import pytest

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
LEVELS = 30  # a pixel "differs" when a channel moves by more than this
MAX_SHARE = 0.01  # and at most this share of pixels may differ


def pixels(surface: pygame.Surface) -> np.ndarray:
    """(rows, cols, 3) ints: surfarray is (width, height, 3), so transpose it."""
    return pygame.surfarray.array3d(surface).transpose(1, 0, 2).astype(int)


def share_differing(a: np.ndarray, b: np.ndarray) -> float:
    assert a.shape == b.shape, f"picture size changed: {a.shape} vs {b.shape}"
    return float((np.abs(a - b).max(axis=2) > LEVELS).mean())


def compare_snapshot(surface: pygame.Surface, name: str, update: bool) -> None:
    """Compare with tests/snapshots/<name>; with --update-snapshots write it first (then look at it)."""
    ref = SNAPSHOTS / name
    if update:
        SNAPSHOTS.mkdir(exist_ok=True)
        pygame.image.save(surface, str(ref))
    if not ref.exists():
        pytest.fail(f"no reference picture {ref}; run pytest with --update-snapshots once and look at it")
    differ = share_differing(pixels(pygame.image.load(str(ref))), pixels(surface))
    assert differ <= MAX_SHARE, (f"{100 * differ:.2f}% of pixels differ from {ref.name}; if the change is intended, "
                                 "run pytest --update-snapshots and look at the new picture")
