"""The `bodymap` command. Exit statuses: bodymap.cli.status.ExitStatus."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Sequence

from .. import __version__
from ..errors import BodymapError, UsageError
from ..paths import no_such
from ..window_size import parse_window_size
from .status import ExitStatus


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        message = " ".join(message.split())
        if len(message) > 300:  # an argument can be megabytes long: quote the start only (issue 22)
            message = message[:300] + f"... ({len(message)} characters)"
        self.exit(ExitStatus.BAD_INPUT, f"bodymap: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bodymap", description="Body-map pain locator: paint where it hurts, see which patterns fit.")
    p.add_argument("--version", action="version", version=f"bodymap {__version__}")
    sub = p.add_subparsers(dest="cmd", parser_class=_Parser)

    sp = sub.add_parser("paint", help="open the painting window")
    sp.add_argument("file", nargs="?", help="a .bodymap file to open (created on save if missing)")
    sp.add_argument("--size", default=None, help="window size WxH (default 1280x800, made smaller to fit the screen)")
    sp.add_argument("--no-panel", action="store_true", help="hide the clinician panel")

    sa = sub.add_parser("atlas", help="check, list or draw the body atlas")
    asub = sa.add_subparsers(dest="atlas_cmd", parser_class=_Parser)
    ac = asub.add_parser("check", help="validate every atlas YAML file and print the figures")
    ac.add_argument("--root", help="folder holding atlas.yaml and dermatomes.yaml (default: regions/)")
    ar = asub.add_parser("regions", help="list the regions")
    ar.add_argument("--json", action="store_true")
    ad = asub.add_parser("render", help="draw the labelled views to a PNG")
    ad.add_argument("-o", "--output", required=True)
    ad.add_argument("--layer", choices=["regions", "dermatomes", "plain"], default="regions")
    ad.add_argument("--height", type=int, default=1400)

    sn = sub.add_parser("new", help="build a map from named regions")
    sn.add_argument("output")
    sn.add_argument("--paint", action="append", default=[], metavar="REGION[:FRACTION][=SENSATION]",
                    help="paint a region ('bodymap atlas regions'), FRACTION of it (default all), with SENSATION: "
                         "aching (the default; the matcher weighs it, so give the one the patient feels), sharp, "
                         "burning, pins_and_needles or numbness. Repeat for more regions")
    sn.add_argument("--intensity", type=int, help="overall pain 0-10")
    sn.add_argument("--answer", action="append", default=[], metavar="KEY=VALUE",
                    help="a question's answer: yes, no or unsure (age: whole years); the keys are listed when "
                         "one is unknown")
    sn.add_argument("--session-code")
    sn.add_argument("--overwrite", action="store_true",
                    help="replace OUT if it exists (the map it replaces is kept beside it as OUT~1, ~2, ...)")
    sn.add_argument("--patient-id", metavar="ID", help="the patient identifier, e.g. the record number (free text)")
    sn.add_argument("--visit-date", metavar="YYYY-MM-DD", help="the date of the visit")
    sn.add_argument("--recorded-by", metavar="NAME",
                    help="who recorded the map: a clinician's name, or 'patient at kiosk'")
    sn.add_argument("--note", metavar="TEXT", help="a free-text clinical note")

    ss = sub.add_parser("show", help="print a summary of a map")
    ss.add_argument("file")
    ss.add_argument("--json", action="store_true")

    sr = sub.add_parser("render", help="draw a map on the body to a PNG, headless")
    sr.add_argument("file")
    sr.add_argument("-o", "--output", required=True)
    sr.add_argument("--overlay", choices=["none", "regions", "dermatomes"], default="none")
    sr.add_argument("--height", type=int, default=1000)

    sm = sub.add_parser("match", help="which referral patterns a map is consistent with")
    sm.add_argument("path", help="a .bodymap file or a folder of them")
    sm.add_argument("--json", action="store_true")
    # issue 25: a clinic's fitted local prior, opt-in (also BODYMAP_LOCAL_PRIOR); --no-local-prior switches it off
    lp = sm.add_mutually_exclusive_group()
    lp.add_argument("--local-prior", metavar="FILE", default=None,
                    help="rank with the clinic's local prior fitted by 'bodymap lab validate --fit-prior'")
    lp.add_argument("--no-local-prior", action="store_true", help="ignore BODYMAP_LOCAL_PRIOR: the library's priors")
    sv = sub.add_parser("review", help="the clinician review window for a map or a folder of maps")
    sv.add_argument("path", help="a .bodymap file or a folder of them")
    sv.add_argument("--size", default=None, help="window size WxH (default 1400x900, made smaller to fit the screen)")
    for mod in _plugin_modules():
        mod.add_parsers(sub)
    return p


# Feature modules that add their own subcommands: each defines
# add_parsers(subparsers) and run(args) -> int, and handles the commands it added.
PLUGINS = ("bodymap.cli.kiosk", "bodymap.cli.exports", "bodymap.cli.doctor", "bodymap.cli.research")


def _plugin_modules():
    import importlib

    mods = []
    for name in PLUGINS:
        try:
            mods.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
    return mods


def main(argv: Sequence[str] | None = None) -> int:
    from .output import safe_output

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # no pygame banner in review, paint, render, kiosk
    try:
        with safe_output():  # every printed character through textsafe.terminal (ADR 0018)
            status = _main(argv)
        sys.stdout.flush()  # a reader that went away shows here, not as a warning at interpreter exit
        return status
    except BrokenPipeError:  # `bodymap ... | head`: the reader has all it wanted; stop quietly
        _detach_stdout()
        return ExitStatus.OK


def _detach_stdout() -> None:
    """Point stdout at /dev/null so that Python's own flush at exit does not complain about the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (tests capture it)
        pass


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()  # reads the command modules, which may read the data files
        args = parser.parse_args(argv)
        return _dispatch(args, parser)
    except BodymapError as exc:  # a bad argument or a broken data file (questions.yaml, atlas...): one line
        print(f"bodymap: {exc}", file=sys.stderr)
        return ExitStatus.BAD_INPUT
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        raise  # handled in main(): not a bad path
    except OSError as exc:  # an output or input path the system refused (permissions, /proc, full disk)
        import errno

        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        if not where and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            # every file bodymap writes names its path; what is left unnamed is the standard output
            # ("bodymap: No space left on device" said not where: ADR 0043)
            print("bodymap: standard output: cannot write (the disk is full)", file=sys.stderr)
            return ExitStatus.BAD_INPUT
        print(f"bodymap: {where}{exc.strerror or exc}", file=sys.stderr)
        return ExitStatus.BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - last resort: one line, never a traceback
        if os.environ.get("BODYMAP_DEBUG"):
            raise
        print(f"bodymap: internal error ({type(exc).__name__}: {exc}); set BODYMAP_DEBUG=1 for details",
              file=sys.stderr)
        return ExitStatus.INTERNAL


def _dispatch(args, parser) -> int:
    cmd = args.cmd or "paint"
    if cmd == "paint":
        return _paint(getattr(args, "file", None), getattr(args, "size", "1280x800"), getattr(args, "no_panel", False))
    if cmd == "atlas":
        return _atlas(args, parser)
    if cmd == "new":
        return _new(args)
    if cmd == "show":
        return _show(args)
    if cmd == "render":
        return _render(args)
    if cmd == "match":
        from .match import match_command

        return match_command(args.path, as_json=args.json, local_prior=args.local_prior,
                             no_local_prior=args.no_local_prior)
    if cmd == "review":
        p = Path(args.path)
        if not p.exists():
            raise UsageError(no_such(p, "file or folder"))
        size = parse_window_size(args.size, example="1400x900") if args.size is not None else None
        from ..ui.review import run_review

        return run_review(p, size)
    for mod in _plugin_modules():
        if cmd in getattr(mod, "COMMANDS", ()):
            return mod.run(args)
    parser.print_help()
    return ExitStatus.BAD_INPUT


def _paint(file: str | None, size: str, no_panel: bool) -> int:
    wh = parse_window_size(size) if size is not None else None
    if file is not None:
        check_paint_file(file)
    _clean_leftovers(Path(file).parent if file is not None and str(Path(file).parent) else None)
    from ..ui.paint import run_paint_app

    return run_paint_app(file, wh, show_panel=not no_panel)


def _clean_leftovers(folder: Path | None) -> None:
    """At the painting window's start: remove the temp files a killed save left (each a whole map, never valid
    data) in the folder it saves to: the file's folder, else the maps folder if it exists (issue 22)."""
    from ..atomicio import clean_temp_files
    from ..paths import default_maps_dir

    try:
        target = folder if folder is not None else default_maps_dir(create=False)
    except BodymapError:
        return
    if target.is_dir():
        clean_temp_files(target)


def check_paint_file(file: str) -> Path:
    """Refuse, before any window opens, a name the painting window could never open or save to."""
    p = Path(file)
    if p.is_dir():
        raise UsageError(f"{p}: is a folder; give a .bodymap file to paint (bodymap review {p} opens a folder)")
    if p.suffix.lower() != ".bodymap":
        raise UsageError(f"{p}: not a .bodymap file; maps are saved with names ending in .bodymap")
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{p}: folder {folder} does not exist")
    return p


def _atlas(args, parser) -> int:
    from ..atlas import load_atlas

    if args.atlas_cmd == "check":
        from ..atlas_check import check_atlas
        from ..paths import regions_dir

        root = Path(args.root) if args.root else regions_dir()
        if not root.is_dir():
            raise UsageError(f"{root}: no such folder")
        rep = check_atlas(root)
        for line in rep.lines:
            print(line)
        if rep.problems:
            for p in rep.problems:
                print(f"problem: {p}", file=sys.stderr)
            return ExitStatus.BAD_INPUT
        print("atlas ok")
        return ExitStatus.OK
    if args.atlas_cmd not in ("regions", "render"):  # `bodymap atlas` alone printed its help and exited 0
        raise UsageError("atlas needs a command: check, regions or render (see 'bodymap atlas --help')")
    atlas = load_atlas()
    if args.atlas_cmd == "regions":
        total = {v: atlas.silhouette(v).area for v in ("front", "back")}
        items = [{"id": r.id, "view": r.view, "side": r.side, "name": r.name,
                  "area_percent": round(100 * r.area / total[r.view], 4)} for r in atlas.regions]
        if args.json:
            print(json.dumps({"regions": items}, indent=1))
        else:
            for it in items:
                print(f"{it['id']:<32} {it['view']:<6} {it['side']:<8} {it['area_percent']:6.2f}%  {it['name']}")
        return ExitStatus.OK
    if args.atlas_cmd == "render":
        from ..render import picture as headless

        headless.check_png_path(args.output)
        surf = headless.render_atlas_png(atlas, args.layer, args.height)
        headless.save_png(surf, args.output)
        print(f"wrote {args.output}")
        return ExitStatus.OK
    return ExitStatus.BAD_INPUT  # not reached: every other command was refused above


def parse_paint_spec(spec: str) -> tuple[str, float, str]:
    """REGION[:FRACTION][=SENSATION] -> (region, fraction, sensation)."""
    sensation = "aching"
    if "=" in spec:
        spec, sensation = spec.split("=", 1)
    fraction = 1.0
    if ":" in spec:
        spec, frac = spec.split(":", 1)
        try:
            fraction = float(frac)
        except ValueError:
            raise UsageError(f"--paint: fraction {frac!r} is not a number") from None
    return spec.strip(), fraction, sensation.strip()


def _new(args) -> int:
    from .. import fileformat
    from ..painting import PainMap, parse_answer

    if not args.output.endswith(".bodymap"):
        raise UsageError(f"{args.output}: the output name must end in .bodymap")
    from ..paths import windows_device_name

    if windows_device_name(Path(args.output).name):  # NUL.bodymap on a Windows PC: the map is thrown away
        raise UsageError(f"{args.output}: {Path(args.output).name.split('.')[0]} is a device on Windows, never a "
                         "file: give another name")
    if Path(args.output).exists() and not args.overwrite:
        raise UsageError(f"{args.output}: already exists; add --overwrite to replace it")
    m = PainMap()
    # the visit fields first: a bad date is refused before any painting work
    from datetime import date

    from ..visits import check_typed_visit_date

    check_typed_visit_date(args.visit_date, date.today())
    m.visit.update({"patient_id": args.patient_id, "visit_date": args.visit_date,
                    "recorded_by": args.recorded_by, "note": args.note})
    for spec in args.paint:
        region, fraction, sensation = parse_paint_spec(spec)
        try:
            m.paint_region(region, fraction, sensation)
        except UsageError as exc:  # "fraction must be ..." named no argument: say which --paint it was
            msg = str(exc)
            raise UsageError(msg if msg.startswith("unknown") else f"--paint {spec}: {msg}") from None
    if args.intensity is not None:
        m.set_intensity(None, args.intensity)
    for a in args.answer:
        if "=" not in a:
            raise UsageError(f"--answer {a!r}: use KEY=VALUE, for example numbness=yes")
        k, v = a.split("=", 1)
        m.answers[k.strip()] = parse_answer(k.strip(), v)
    if args.session_code:
        m.meta["session_code"] = args.session_code
    kept = None
    if args.overwrite and Path(args.output).is_file():
        from ..visits import keep_previous

        kept = keep_previous(Path(args.output))  # --overwrite keeps the map it replaces, as a save does (ADR 0017)
    fileformat.save(m, args.output, new=not args.overwrite)  # of two racing `new` runs, one is told "exists"
    print(f"wrote {args.output}" + (f" (the map it replaced is kept as {kept})" if kept else ""))
    counted = set(m.painted_regions())
    for spec in args.paint:
        region = parse_paint_spec(spec)[0]
        if region not in counted:  # `show` would say "regions: none" with no hint why
            print(f"note: {region}: too little of it is painted to count as painted (a speck); paint more of it",
                  file=sys.stderr)
    return ExitStatus.OK


def _show(args) -> int:
    from .. import fileformat

    from ..painting import VISIT_FIELDS
    from ..times import local_time

    m = fileformat.load(args.file)
    s = m.summary()
    if args.json:
        from ..triage import assess

        t = assess(m, rank=False)
        times = {k: local_time(m.meta.get(k), missing=None) for k in ("created", "modified")}
        print(json.dumps({"red_flags": [f.to_json() for f in t.red_flags],
                          "not_asked_at_kiosk": list(t.not_asked_at_kiosk),  # ADR 0042
                          "risk_factors": [x.to_json() for x in t.risk_factors], "prompts": t.prompts, "summary": s,
                          "answers": dict(m.answers), "intensity": m.intensity, "meta": m.meta,
                          "visit": {k: getattr(m.visit, k) for k in VISIT_FIELDS}, "local_times": times,
                          **_research_json(m)}))
        return ExitStatus.OK
    for note in m.meta.get("notes", []):
        print(f"note: {note}", file=sys.stderr)
    from ..triage import assess

    t = assess(m, rank=False)
    for f in t.red_flags:
        print(f"RED FLAG:    {f.text}")
    if t.not_asked_line:  # ADR 0042: right under the red flags
        print(f"not asked:   {t.not_asked_line}")
    for x in t.risk_factors:
        print(f"risk factor: {x.prompt}")
    v = m.visit
    print(f"file:        {args.file}")
    print(f"patient:     {v.patient_id or '-'}   visit {v.visit_date or '-'}   recorded by {v.recorded_by or '-'}")
    print(f"session:     {m.meta.get('session_code') or '-'}   created {local_time(m.meta.get('created'))}   "
          f"saved {local_time(m.meta.get('modified'))}")
    print(f"extent:      {s['extent_percent']:.1f}% of body (front {s['extent_by_view']['front']:.1f}%, "
          f"back {s['extent_by_view']['back']:.1f}%)")
    from ..painting import SENSATION_WORDS  # the report's words: "pins and needles (tingling)", never the raw id

    print(f"sensations:  {', '.join(SENSATION_WORDS.get(x, x) for x in s['sensations']) or 'none painted'}")
    cov = s["region_coverage"]
    names = [f"{m.atlas.region(r).name} ({100 * cov[r]:.0f}%)" for r in s["regions"]]
    print(f"regions:     {', '.join(names) if names else 'none'}")
    print(f"reaches:     {s['most_distal'] or '-'}; both sides painted: {'yes' if s['both_sides'] else 'no'}")
    _show_research(m)
    inten = ", ".join(f"{k.replace('_', ' ')} {v}/10" for k, v in m.intensity.items()) or "-"
    print(f"intensity:   {inten}")
    ans = ", ".join(f"{k}={'yes' if v is True else 'no' if v is False else v}" for k, v in m.answers.items()) or "-"
    print(f"answers:     {ans}")
    if v.note:
        lines = v.note.splitlines() or [""]
        print(f"note:        {lines[0]}")
        for line in lines[1:]:
            print(f"             {line}")
    return ExitStatus.OK


# -- issue 25: the standard indices and the confirmed diagnosis in `bodymap show` --
def _research_json(m) -> dict:
    from ..indices import indices_for_map

    return {"indices": indices_for_map(m).to_json(), "confirmed": getattr(m, "confirmed", None)}


def _show_research(m) -> None:
    from ..indices import indices_for_map

    print(f"indices:     {indices_for_map(m).line()}")
    c = getattr(m, "confirmed", None)
    if c:
        print(f"confirmed:   {c['diagnosis']} (by {c['how']}{', ' + c['date'] if c.get('date') else ''})")


def _render(args) -> int:
    from .. import fileformat
    from ..render import picture as headless

    headless.check_png_path(args.output)
    m = fileformat.load(args.file)
    surf = headless.render_map_png(m, overlay=args.overlay, height=args.height)
    headless.save_png(surf, args.output)
    print(f"wrote {args.output}")
    return ExitStatus.OK


if __name__ == "__main__":
    raise SystemExit(main())
