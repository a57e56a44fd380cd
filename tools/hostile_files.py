"""The worst .bodymap file of each kind that the size and count caps allow (issue 22, ADR 0018).

Each file sits just inside one cap of `bodymap.fileformat` (or just past the cap
that refuses it after parsing), so its reading cost is the most that kind of file
can cost. `measure(path, reader)` reads one in a fresh process and reports the peak
resident memory and the wall time of that process (imports and atlas included).

Used by tests/test_hostile.py (the property test: every reader stays under the
memory bound on each file) and by `make bench` (`hostile_peak_rss_mb`).

    python tools/hostile_files.py            # writes them to a temp folder, prints a table
"""
from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
READERS = ("load", "decode", "batch")


def _base_doc(atlas) -> dict:
    from bodymap import fileformat as ff
    from bodymap.painting import PainMap

    m = PainMap(atlas)
    m.paint_region("right_lower_back", 0.6, "aching")
    m.answers["bladder_bowel"] = True
    return json.loads(ff.dumps(m))


def _strokes_blob(raw: bytes) -> dict:
    return {"encoding": "json-zlib-base64", "data": base64.b64encode(zlib.compress(raw, 9)).decode("ascii")}


def worst_docs(atlas) -> dict[str, bytes]:
    """name -> file bytes."""
    from bodymap import fileformat as ff

    base = _base_doc(atlas)
    out: dict[str, bytes] = {}

    def put(name, doc):
        out[name] = json.dumps(doc, separators=(",", ":")).encode("utf-8")

    # 1. the stroke log: as many points as the counts allow, inflated to the byte cap's order
    n_pts = ff.MAX_STROKE_CONTAINERS - 1000  # a point is one list; each stroke adds two
    per = 1000
    strokes = [{"op": "stroke", "view": "front", "points": [[0.1234, 0.5678]] * min(per, n_pts - i),
                "radius": 0.05, "sensation": "aching"} for i in range(0, n_pts, per)]
    raw = json.dumps(strokes, separators=(",", ":")).encode()
    d = json.loads(json.dumps(base))
    d["strokes"] = _strokes_blob(raw)
    put("stroke log at the count cap", d)
    # 1b. the stroke log of tiny objects that cost 1.8 GB before the counts (now refused before parsing)
    d = json.loads(json.dumps(base))
    d["strokes"] = _strokes_blob(b"[" + b",".join([b"{}"] * 5_000_000) + b"]")
    put("stroke log of 5 M tiny objects", d)
    # 2. a top-level list of tiny lists, at the container cap (kept unread: refused by the value budget)
    d = json.loads(json.dumps(base))
    d["zz_future"] = [[]] * (ff.MAX_CONTAINERS - 100)
    put("unknown key: 400 k empty lists", d)
    # 3. short strings at the comma cap
    d = json.loads(json.dumps(base))
    d["zz_future"] = ["ab"] * (ff.MAX_SEPARATORS - 200)
    put("unknown key: 1 M short strings", d)
    # 4. one text field of the whole 16 MB
    d = json.loads(json.dumps(base))
    d["session_code"] = "A" * (ff.MAX_FILE_BYTES - 20_000)
    put("16 MB session code", d)
    # 5. red flags: the most allowed, each with the longest texts
    d = json.loads(json.dumps(base))
    d["red_flags"] = [{"id": f"f{i}", "text": "T" * 500, "urgency": "emergency", "because": ["B" * 500] * 20}
                      for i in range(ff.MAX_RED_FLAGS)]
    put("100 red flags, longest texts", d)
    d = json.loads(json.dumps(base))
    d["red_flags"] = [{"id": "x"}] * (ff.MAX_CONTAINERS - 100)
    put("400 k red flags (refused)", d)
    # 6. the largest grid, every pixel painted, on a known scale
    rows, cols = 2236, 2236
    bits = np.full((rows, cols), 0x1F, dtype=np.uint8)
    d = json.loads(json.dumps(base))
    d["layers"]["shape"] = [rows, cols]
    for v in ("front", "back"):
        d["layers"][v] = {"bbox": [0, rows, 0, cols],
                          "data": base64.b64encode(zlib.compress(bits.tobytes(), 9)).decode("ascii")}
    put("5 M-pixel layers, all painted", d)
    # 7. deep nesting
    d = json.loads(json.dumps(base))
    raw = json.dumps(d, separators=(",", ":")).encode()
    out["nested 100 k deep"] = raw[:-1] + b',"zz":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    return out


def write_worst(folder: Path, atlas=None) -> dict[str, Path]:
    from bodymap.atlas import load_atlas

    atlas = atlas or load_atlas()
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for i, (name, raw) in enumerate(worst_docs(atlas).items()):
        p = folder / f"worst-{i}.bodymap"
        p.write_bytes(raw)
        paths[name] = p
    return paths


_CHILD = r"""
import sys, time
from pathlib import Path
path, reader = sys.argv[1], sys.argv[2]
from bodymap.atlas import load_atlas
from bodymap import fileformat as ff
atlas = load_atlas()
if reader == "batch":
    from bodymap.matcher import get_model
    model = get_model(atlas)
elif reader == "decode":
    from bodymap.exports.common import Decoder
    dec = Decoder(atlas)
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024  # MB
# the high-water mark is reset (Linux clear_refs 5): a forked-then-exec'ed child inherits its parent's
# ru_maxrss, and the atlas build's own peak must not hide the read's
with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")
base = status("VmRSS")
t = time.perf_counter()
try:
    if reader == "load":
        ff.load(path, atlas=atlas)
    elif reader == "decode":
        dec.read(Path(path))
    else:
        from bodymap.batch import features_from_bytes
        features_from_bytes(ff.read_bytes(Path(path)), model, path)
    verdict = "accepted"
except ff.FileFormatError as exc:
    verdict = "refused: " + str(exc).split(": ", 1)[-1][:70]
dt = time.perf_counter() - t
print(status("VmHWM"), base, dt, verdict, sep="\t")
"""


def measure(path: Path, reader: str = "load") -> dict:
    """Read `path` with `reader` in a fresh process: the process's peak RSS while reading (MB, VmHWM after a
    reset, so the atlas and imports count only as far as they stay resident), its RSS before reading, the
    read's seconds, and the verdict. Linux only (/proc)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
           "SDL_VIDEODRIVER": "dummy"}
    res = subprocess.run([sys.executable, "-c", _CHILD, str(path), reader], capture_output=True, text=True,
                         env=env, timeout=600)
    if res.returncode != 0:
        return {"peak_mb": None, "base_mb": None, "seconds": None, "verdict": f"crashed: {res.stderr[-300:]}"}
    peak, base, dt, verdict = res.stdout.strip().split("\t", 3)
    return {"peak_mb": float(peak), "base_mb": float(base), "seconds": float(dt), "verdict": verdict}


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        paths = write_worst(Path(d))
        print(f"{'file':<34} {'bytes':>10} {'reader':<7} {'peak MB':>8} {'base MB':>8} {'s':>6}  verdict")
        for name, p in paths.items():
            for reader in READERS:
                r = measure(p, reader)
                print(f"{name:<34} {p.stat().st_size:>10} {reader:<7} {r['peak_mb'] or 0:>8.0f} "
                      f"{r['base_mb'] or 0:>8.0f} {r['seconds'] or 0:>6.2f}  {r['verdict']}")


if __name__ == "__main__":
    main()
