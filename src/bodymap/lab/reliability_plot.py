"""Reliability diagrams as a PNG, drawn with numpy and zlib only (the core stays headless).

Each panel is (title, measure, colour); a measure has `bins` [(lo, mean confidence,
accuracy, count)], `ece`, `top1` and `n` (bodymap.calibration.Measure).
"""
from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from ..atomicio import write_atomic


_GLYPHS = {  # 3x5 pixel glyphs, rows top to bottom
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001010010010",
    "8": "111101111101111", "9": "111101111001111", ".": "000000000000010", " ": "000000000000000",
    "=": "000111000111000", "A": "010101111101101", "C": "111100100100111", "D": "110101101101110",
    "E": "111100111100111", "F": "111100111100100", "H": "101101111101101", "I": "111010010010111",
    "L": "100100100100111", "N": "101111111111101", "O": "111101101101111", "R": "110101110101101",
    "S": "111100111001111", "T": "111010010010010", "U": "101101101101111", "Y": "101101010010010",
    "P": "111101111100100", "W": "101101111111101", "K": "101101110101101", "M": "101111111101101",
    "G": "111100101101111", "B": "110101110101110", ",": "000000000010100", "-": "000000111000000",
    "(": "010100100100010", ")": "010001001001010", "/": "001001010100100", ":": "000010000010000",
}


def _text(img: np.ndarray, x: int, y: int, s: str, colour, scale: int = 2) -> None:
    for ch in s.upper():
        g = _GLYPHS.get(ch, _GLYPHS[" "])
        for k, bit in enumerate(g):
            if bit == "1":
                r, c = divmod(k, 3)
                img[y + r * scale:y + (r + 1) * scale, x + c * scale:x + (c + 1) * scale] = colour
        x += 4 * scale


def _png(img: np.ndarray) -> bytes:
    h, w, _ = img.shape
    raw = b"".join(b"\x00" + img[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def reliability_png(panels: list[tuple[str, Any, tuple[int, int, int]]], path: Path) -> None:
    """Side-by-side reliability diagrams: bars are the accuracy in each confidence bin (width 0.1),
    the dark tick on each bar is the bin's mean confidence, the grey diagonal is perfect calibration,
    and the strip under each plot shows how many drawings fall in each bin."""
    size, ml, mt, gap = 300, 50, 46, 40
    W = ml + len(panels) * (size + gap) + 10
    H = mt + size + 90
    img = np.full((H, W, 3), 255, dtype=np.uint8)
    ink, grid = (30, 30, 30), (200, 200, 200)
    for k, (title, m, colour) in enumerate(panels):
        x0, y0 = ml + k * (size + gap), mt
        for t in (0.25, 0.5, 0.75):  # grid lines
            img[y0 + int(size * (1 - t)), x0:x0 + size] = grid
            img[y0:y0 + size, x0 + int(size * t)] = grid
        for i in range(size):  # the diagonal: perfect calibration
            img[y0 + size - 1 - i, x0 + i:x0 + i + 2] = (150, 150, 150)
        nmax = max((c for *_, c in m.bins), default=1)
        for lo, conf, acc, count in m.bins:
            bx0, bx1 = x0 + int(size * lo) + 2, x0 + int(size * (lo + 0.1)) - 2
            top = y0 + int(size * (1 - acc))
            img[top:y0 + size, bx0:bx1] = colour
            cy = y0 + int(size * (1 - conf))  # mean confidence
            img[max(cy - 1, y0):cy + 2, bx0 - 2:bx1 + 2] = ink
            hh = int(24 * count / nmax)  # counts strip
            img[y0 + size + 30 - hh:y0 + size + 30, bx0:bx1] = (120, 120, 120)
        img[y0, x0:x0 + size] = ink  # frame
        img[y0 + size, x0:x0 + size + 1] = ink
        img[y0:y0 + size, x0] = ink
        img[y0:y0 + size, x0 + size] = ink
        _text(img, x0, 8, title, ink)
        t1 = getattr(m, "top1_strict", float("nan"))  # the event the bars count (docs/adr/0036)
        _text(img, x0, 24, f"ECE {m.ece:.3f}  TOP-1 {100 * (m.top1 if t1 != t1 else t1):.0f}  N {m.n}", ink)
        for t, lab in ((0, "0"), (0.5, ".5"), (1, "1")):
            _text(img, x0 + int(size * t) - 4, y0 + size + 36, lab, ink)
            _text(img, x0 - 22, y0 + int(size * (1 - t)) - 5, lab, ink)
        _text(img, x0 + 70, y0 + size + 54, "CONFIDENCE (TOP-1)", ink)
    _text(img, 4, mt + size // 2 - 40, "ACC", ink)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, _png(img), mode=0o644)
