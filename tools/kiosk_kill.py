"""Kill the kiosk after "finish" while the spool cannot be written; check every finished map comes back.

    python tools/kiosk_kill.py [KILLS] [SEED]

Each round starts a child process running the headless kiosk flow
(`bodymap.kiosk.flow.Kiosk`) on folders whose spool cannot be created (its
parent is a regular file, which stops root too). The child finishes session
after session and prints each session code once `finish` has returned, that is
once the patient has been shown the code. After a random delay the parent sends
SIGKILL: the kill lands after some finishes and, often, in the middle of the
next one. The parent then starts the kiosk again on the same folders (a
restart) and checks, for every code the child printed, that the finished map is
back (queued from the recovery folder, or in the spool) and loads with that
session code. At the end the spool is made writable and one retry must move
every recovered map into the spool.

`kill_rounds()` returns the figures that docs/reliability.md reports:
`maps_finished` codes printed, `maps_recovered` of them back with their code,
`maps_lost`, `unreadable`, `reached_spool_after_fix`; and, for where the kills
landed, `kept_before_code_shown` (inside a finish, after the unsent copy was
written) and `drafts_to_recovery` (in the middle of the next session).
"""
from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = "child"


def _config(folder: Path):
    from bodymap.kiosk.config import KioskConfig

    return KioskConfig(spool_dir=folder / "blocker" / "spool", drafts_dir=folder / "drafts",
                       recovery_dir=folder / "recovery", autosave_interval_s=1)


def child(folder: Path) -> None:
    """The kiosk process: finish sessions forever, printing each code after `finish` returned."""
    import bodymap
    from bodymap.kiosk.flow import Kiosk

    atlas = bodymap.load_atlas()
    t = [1000.0]
    k = Kiosk(_config(folder), atlas, clock=lambda: t[0])
    print("ready", flush=True)
    regions = ["right_calf", "left_shin", "right_buttock", "left_heel", "right_shin"]
    i = 0
    while True:
        s = k.start()
        s.pain_map.paint_region(regions[i % len(regions)], 0.5, "burning")
        t[0] += 1.5
        k.tick()  # the draft is autosaved: finish must not lose the map by deleting it
        k.to_questions()
        while k.screen == "question":
            key, kind = k.current_question
            k.answer({"scale": 5, "number": 50, "decade": "50s", "redflags": "none"}.get(kind, False))
        if k.screen == "review":
            k.confirm()
        print(f"finished {s.code}", flush=True)
        k.done()
        i += 1


def kill_rounds(kills: int, seed: int = 1, workdir: Path | None = None) -> dict:
    """Run `kills` rounds; returns counts (all codes shown to patients must be recovered)."""
    import bodymap
    from bodymap.kiosk.flow import Kiosk

    atlas = bodymap.load_atlas()
    rnd = random.Random(seed)
    stats = {"kills": 0, "maps_finished": 0, "maps_recovered": 0, "maps_lost": 0, "unreadable": 0,
             "reached_spool_after_fix": 0, "kept_before_code_shown": 0, "drafts_to_recovery": 0}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        for r in range(kills):
            folder = Path(tmp) / f"round{r}"
            folder.mkdir()
            (folder / "blocker").write_text("a regular file where the spool's parent folder should be")
            p = subprocess.Popen([sys.executable, __file__, CHILD, str(folder)], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True)
            assert p.stdout.readline().strip() == "ready", "the kiosk child did not start"
            codes: list[str] = []
            wanted = rnd.randint(1, 3)  # finished sessions before the kill window opens
            while len(codes) < wanted:
                line = p.stdout.readline()
                assert line.startswith("finished "), f"unexpected child output {line!r}"
                codes.append(line.split()[1])
            time.sleep(rnd.uniform(0.0, 0.3))  # often lands inside the next finish
            p.send_signal(signal.SIGKILL)
            p.wait()
            codes += [ln.split()[1] for ln in p.stdout.read().splitlines() if ln.startswith("finished ")]
            p.stdout.close()
            stats["kills"] += 1
            stats["maps_finished"] += len(codes)

            k = Kiosk(_config(folder), atlas)  # the restart; the spool is still unwritable
            assert k.screen == "welcome" and k.session is None
            queued = {pend.code: pend for pend in k.spool.pending}
            # killed inside a finish, after the copy was written but before the code was printed
            stats["kept_before_code_shown"] += len(set(queued) - set(codes))
            stats["drafts_to_recovery"] += len(k.recovered)  # killed in the middle of the next session
            for code in codes:
                pend = queued.get(code)
                if pend is None or pend.journal is None:
                    stats["maps_lost"] += 1
                    continue
                try:
                    m = bodymap.load(pend.journal, atlas=atlas)
                except bodymap.BodymapError:
                    stats["unreadable"] += 1
                    continue
                if m.meta.get("session_code") == code:
                    stats["maps_recovered"] += 1
                else:
                    stats["maps_lost"] += 1
            (folder / "blocker").unlink()  # staff fix the folder
            k.tick(k.clock() + k.config.save_retry_s + 1)
            in_spool = {f.stem for f in (folder / "blocker" / "spool").glob("*.bodymap")}
            stats["reached_spool_after_fix"] += len(in_spool & set(codes))
    return stats


def main(argv: list[str]) -> int:
    if argv[:1] == [CHILD]:
        child(Path(argv[1]))
        return 0
    kills = int(argv[0]) if argv else 100
    seed = int(argv[1]) if len(argv) > 1 else 1
    started = time.time()
    stats = kill_rounds(kills, seed)
    stats["seconds"] = round(time.time() - started, 1)
    print(json.dumps(stats))
    return 0 if stats["maps_lost"] == 0 and stats["unreadable"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
