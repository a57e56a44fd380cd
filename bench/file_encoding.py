"""Compare ways of storing the painted layers of a .bodymap file: size and speed.

    .venv/bin/python bench/file_encoding.py [--repeat N] [--json]

For three maps (empty, typical clinic visit, heavy) it encodes the layers of both
views with each candidate, checks the round trip is lossless, and reports the
encoded size (as it would sit in the JSON file) and the median encode/decode time.
The numbers are quoted in docs/file-format.md.

Candidates:
  bitfield-bbox-zlib       the shipped format: the bitfield below, only inside the painted bounding box
  bitfield-u8-zlib-base64  one byte per pixel (bit i = sensation i), zlib level 6, base64 (the whole grid)
  packbits-base64          np.packbits of every layer, base64, no compression
  packbits-zlib-base64     np.packbits of every layer, zlib level 6, base64
  rle-json                 per layer, run lengths of the flattened mask as a JSON list
  png-pygame               the bitfield as an 8-bit greyscale PNG (pygame), base64
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402

from bodymap import fileformat as ff  # noqa: E402
from bodymap.atlas import VIEWS, load_atlas  # noqa: E402
from bodymap.painting import SENSATIONS, PainMap  # noqa: E402

WEIGHTS = (1 << np.arange(len(SENSATIONS), dtype=np.uint8))[:, None, None]


# -- candidates: encode(stack per view) -> JSON-ready object; decode(obj, shape) -> stack per view --------------


def bitfield(stack):
    return (stack.astype(np.uint8) * WEIGHTS).sum(axis=0, dtype=np.uint8)


def unbitfield(bits):
    return np.stack([((bits >> i) & 1).astype(bool) for i in range(len(SENSATIONS))])


def enc_bitfield_zlib(layers):
    return {v: base64.b64encode(zlib.compress(bitfield(layers[v]).tobytes(), 6)).decode("ascii") for v in VIEWS}


def dec_bitfield_zlib(obj, shape):
    return {v: unbitfield(np.frombuffer(zlib.decompress(base64.b64decode(obj[v])), np.uint8).reshape(shape))
            for v in VIEWS}


def enc_packbits(layers):
    return {v: base64.b64encode(np.packbits(layers[v]).tobytes()).decode("ascii") for v in VIEWS}


def dec_packbits(obj, shape):
    n = len(SENSATIONS) * shape[0] * shape[1]
    return {v: np.unpackbits(np.frombuffer(base64.b64decode(obj[v]), np.uint8), count=n).astype(bool)
            .reshape(len(SENSATIONS), *shape) for v in VIEWS}


def enc_packbits_zlib(layers):
    return {v: base64.b64encode(zlib.compress(np.packbits(layers[v]).tobytes(), 6)).decode("ascii") for v in VIEWS}


def dec_packbits_zlib(obj, shape):
    n = len(SENSATIONS) * shape[0] * shape[1]
    return {v: np.unpackbits(np.frombuffer(zlib.decompress(base64.b64decode(obj[v])), np.uint8), count=n)
            .astype(bool).reshape(len(SENSATIONS), *shape) for v in VIEWS}


def _runs(flat):
    """Run lengths, starting with a run of False (possibly 0)."""
    change = np.flatnonzero(np.diff(flat.astype(np.int8))) + 1
    edges = np.concatenate([[0], change, [flat.size]])
    runs = np.diff(edges).tolist()
    return runs if not flat[0] else [0] + runs


def _unruns(runs, size):
    out = np.zeros(size, bool)
    pos, val = 0, False
    for r in runs:
        if val:
            out[pos:pos + r] = True
        pos += r
        val = not val
    return out


def enc_rle(layers):
    return {v: [_runs(layers[v][i].ravel()) for i in range(len(SENSATIONS))] for v in VIEWS}


def dec_rle(obj, shape):
    size = shape[0] * shape[1]
    return {v: np.stack([_unruns(r, size).reshape(shape) for r in obj[v]]) for v in VIEWS}


def enc_png(layers):
    import pygame

    out = {}
    for v in VIEWS:
        bits = bitfield(layers[v])
        grey = pygame.Surface((bits.shape[1], bits.shape[0]), depth=8)
        grey.set_palette([(i, i, i) for i in range(256)])
        pygame.surfarray.pixels2d(grey)[:] = bits.T
        buf = io.BytesIO()
        pygame.image.save(grey, buf, "x.png")
        out[v] = base64.b64encode(buf.getvalue()).decode("ascii")
    return out


def dec_png(obj, shape):
    import pygame

    out = {}
    for v in VIEWS:
        surf = pygame.image.load(io.BytesIO(base64.b64decode(obj[v])), "x.png")
        bits = pygame.surfarray.array2d(surf).T.astype(np.uint8)
        out[v] = unbitfield(bits)
    return out


def enc_bitfield_bbox(layers):
    return {v: ff.encode_view(bitfield(layers[v])) for v in VIEWS}


def dec_bitfield_bbox(obj, shape):
    out = {}
    for v in VIEWS:
        r0, c0, sub = ff.decode_view(obj[v], shape[0], shape[1], v)
        bits = np.zeros(shape, np.uint8)
        bits[r0:r0 + sub.shape[0], c0:c0 + sub.shape[1]] = sub
        out[v] = unbitfield(bits)
    return out


CANDIDATES = {
    "bitfield-bbox-zlib (shipped)": (enc_bitfield_bbox, dec_bitfield_bbox),
    "bitfield-u8-zlib-base64": (enc_bitfield_zlib, dec_bitfield_zlib),
    "packbits-base64": (enc_packbits, dec_packbits),
    "packbits-zlib-base64": (enc_packbits_zlib, dec_packbits_zlib),
    "rle-json": (enc_rle, dec_rle),
    "png-pygame": (enc_png, dec_png),
}


# -- maps ------------------------------------------------------------------------------------------------------


def typical_map(atlas):
    """What a clinic visit produces: six regions painted in part, three strokes, one erase."""
    m = PainMap(atlas)
    m.paint_region("right_lower_back", 0.6, "aching")
    m.paint_region("right_buttock", 0.5, "aching")
    m.paint_region("right_posterior_thigh", 0.4, "sharp")
    m.paint_region("right_calf", 0.5, "sharp")
    m.paint_region("right_lateral_leg", 0.7, "burning")
    m.paint_region("right_dorsum_foot", 0.8, "pins_and_needles")
    m.stroke("back", [(0.2, 6.0), (0.35, 6.5), (0.3, 7.0)], "sharp", radius=0.08)
    m.stroke("front", [(-0.4, 6.0), (-0.45, 6.8)], "numbness", radius=0.06)
    m.stroke("back", [(-0.3, 3.0), (-0.2, 3.4)], "aching", radius=0.1)
    m.erase("back", [(0.25, 6.2), (0.3, 6.3)], radius=0.05)
    m.set_intensity(None, 7)
    m.answers.update({"numbness": True, "age": 47})
    return m


def heavy_map(atlas):
    """A worst case: the low back and both legs, every sensation, 40 scribbles (over half of the body)."""
    m = PainMap(atlas)
    rng = np.random.default_rng(7)
    for i, r in enumerate(x for x in atlas.regions if x.level in ("back", "buttock", "thigh", "leg", "foot")):
        m.paint_region(r.id, 0.9, SENSATIONS[i % len(SENSATIONS)])
    for k in range(40):
        view = VIEWS[k % 2]
        pts = np.column_stack([rng.uniform(-0.7, 0.7, 6), rng.uniform(2.5, 7.4, 6)])
        m.stroke(view, pts.tolist(), SENSATIONS[k % len(SENSATIONS)], radius=0.05)
    return m


def median_ms(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1000 * statistics.median(times)


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, numpy {np.__version__}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    atlas = load_atlas()
    maps = {"empty": PainMap(atlas), "typical": typical_map(atlas), "heavy": heavy_map(atlas)}
    rows = []
    for map_name, m in maps.items():
        layers = {v: np.array(m.layers(v)) for v in VIEWS}
        shape = m.raster.shape
        file_bytes = len(ff.dumps(m))
        painted = m.extent_percent()["total"]
        for name, (enc, dec) in CANDIDATES.items():
            obj = enc(layers)
            back = dec(json.loads(json.dumps(obj)), shape)
            assert all(np.array_equal(back[v], layers[v]) for v in VIEWS), f"{name} is not lossless"
            size = len(json.dumps(obj, separators=(",", ":")))
            text = json.dumps(obj, separators=(",", ":"))
            rows.append({
                "map": map_name, "painted_percent": round(painted, 1), "encoding": name, "bytes": size,
                "file_bytes_with_format": file_bytes if name == ff.LAYER_ENCODING else None,
                "encode_ms": round(median_ms(lambda: json.dumps(enc(layers), separators=(",", ":")), args.repeat), 2),
                "decode_ms": round(median_ms(lambda: dec(json.loads(text), shape), args.repeat), 2),
            })
    if args.json:
        print(json.dumps({"machine": machine(), "grid": list(maps["empty"].raster.shape), "results": rows}, indent=1))
        return 0
    print(f"machine: {machine()}")
    print(f"grid: {maps['empty'].raster.shape[0]} x {maps['empty'].raster.shape[1]} px per view, "
          f"{len(SENSATIONS)} sensations, 2 views; median of {args.repeat} runs\n")
    print("| map | painted | encoding | layer bytes | encode ms | decode ms |")
    print("|---|---|---|---:|---:|---:|")
    for r in rows:
        print(f"| {r['map']} | {r['painted_percent']}% | {r['encoding']} | {r['bytes']:,} | "
              f"{r['encode_ms']:.2f} | {r['decode_ms']:.2f} |")
    print("\nWhole .bodymap file in the shipped format (save = dumps + atomic write with fsync; "
          "load = read + parse + decode + checks):\n")
    print("| map | file bytes | save ms | load ms |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as d:
        for name, m in maps.items():
            path = Path(d) / f"{name}.bodymap"
            save = median_ms(lambda: ff.save(m, path), args.repeat)
            load = median_ms(lambda: ff.load(path, atlas=atlas), args.repeat)
            print(f"| {name} | {path.stat().st_size:,} | {save:.2f} | {load:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
