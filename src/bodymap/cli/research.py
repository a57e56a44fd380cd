"""Subcommands for research at registry scale (issue 25): similar, confirm, lab validate, import-strokes;
and the group options of stats and heatmap (--by COLUMN, --groups FILE.csv).

bodymap.cli.commands imports this module (PLUGINS) and calls add_parsers() and run().
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UsageError
from ..paths import no_such

COMMANDS = ("similar", "confirm", "lab", "import-strokes")


# -- the group options of `stats` and `heatmap` --------------------------------------------------
def add_group_options(sp) -> None:
    sp.add_argument("--by", metavar="COLUMN",
                    help="compare groups: a CSV export column (recorded_by, top_pattern, generalised_pain, confirmed, "
                         "...), visit_year, age_band, or a column of --groups FILE.csv")
    sp.add_argument("--groups", metavar="FILE.csv", help="with --by: a CSV with a 'file' column and the --by column")
    sp.add_argument("--fdr", type=float, default=None, help="with --by: false-discovery rate (default 0.05)")


FDR_DEFAULT = 0.05


def check_group_options(args, tests: bool) -> None:
    """Refuse a group option that would be silently ignored (ADR 0043): `--fdr` or `--groups` without `--by`
    (plain `stats` ran and printed no test), `--fdr` where no test is run (`heatmap`: `tests` False).
    Fills in the default false-discovery rate."""
    if args.groups and not args.by:
        raise UsageError("--groups needs --by COLUMN (the column of the CSV that holds the group)")
    if args.fdr is not None:
        if not tests:
            raise UsageError("--fdr is for 'stats --by' (the per-region tests); a heat map runs no test")
        if not args.by:
            raise UsageError("--fdr needs --by COLUMN: it sets the false-discovery rate of the per-group tests, "
                             "and plain stats runs none")
        if not 0 < args.fdr < 1:
            raise UsageError(f"--fdr must be between 0 and 1, got {args.fdr}")
    else:
        args.fdr = FDR_DEFAULT


def _group_run(args, what: str, pixels: bool):
    from ..exports.common import Decoder, FolderRun, list_maps
    from ..exports.groups import GroupKey, accumulate_groups

    # the group options were checked by the command (check_group_options), before any work
    dec = Decoder()
    key = GroupKey(args.by, dec, args.groups)
    run = FolderRun(what, list_maps(args.folder), dec)
    return dec, run, accumulate_groups(run, dec, key, pixels=pixels)


def group_stats(args) -> int:
    from ..exports.groups import format_groups, summarize_groups

    dec, run, gr = _group_run(args, "stats --by", pixels=False)
    summary = summarize_groups(gr, dec, args.fdr)
    from ..exports.keys import Pseudonyms

    # research output, like `stats`: a bad file by its keyed hash (a file name is often built from the patient
    # identifier, MRN-004217_2026-03-14.bodymap); stderr names it for whoever runs the command
    keys = Pseudonyms()
    summary["bad_files"] = [keys.map_key(p.name) for p, _ in run.bad]
    print(json.dumps(summary, ensure_ascii=False) if args.json else format_groups(summary))
    return run.exit_status


def group_heatmap(args) -> int:
    from ..paths import check_output_file

    out = check_output_file(args.output, ".png")
    if not 300 <= args.height <= 8000:
        raise UsageError(f"--height must be between 300 and 8000 pixels, got {args.height}")
    if args.where:
        raise UsageError("--where and --by do not combine yet; filter with a side CSV (--groups) instead")
    dec, run, gr = _group_run(args, "heatmap --by", pixels=True)
    if not gr.groups:
        raise UsageError(f"--by {args.by}: no map has a value in this column")
    from ..render import picture as headless
    from ..render.groups import render_group_heatmaps

    rows, cols = gr.shape
    panels = [(f"{args.by} = {g.name}", {v: c.reshape(rows, cols) for v, c in g.pixels.items()}, g.n)
              for g in gr.ordered()]
    surf = render_group_heatmaps(dec.atlas, panels, gr.body, f"Pain profile by {args.by}: share of each group's maps "
                                 f"painting each spot, one colour scale", height=args.height)
    headless.save_png(surf, out)
    if gr.no_value:
        print(f"heatmap: {gr.no_value} maps have no {args.by} and are left out", file=sys.stderr)
    print(f"wrote {out}")
    return run.exit_status


# -- the registry options of `export` --------------------------------------------------------------
def add_registry_options(sp) -> None:
    sp.add_argument("--partition-by", metavar="COLUMN",
                    help="--parquet: write a Hive-partitioned dataset into the new folder -o, e.g. by visit_year")
    sp.add_argument("--dask", metavar="ADDRESS",
                    help="--csv/--parquet: read the maps on a Dask cluster (tcp://host:8786) or 'local' "
                         "(needs pip install 'bodymap[dask]')")


def registry_export(args) -> int:
    from ..exports.common import Decoder, FolderRun, atomic_text_writer, list_maps
    from ..exports import registry

    if args.partition_by and not args.parquet:
        raise UsageError("--partition-by is for --parquet")
    if args.fhir:
        raise UsageError("--dask is for --csv and --parquet (a folder)")
    p = Path(args.path)
    if not p.exists():
        raise UsageError(no_such(p, "file or folder"))
    ident = args.include_identifiers
    if args.parquet:
        from ..exports.parquetexport import require_pyarrow

        require_pyarrow()
        if args.partition_by:
            out = registry.check_partition_output(args.output)
        else:
            from ..paths import check_output_file

            if not args.output:
                raise UsageError("--parquet writes a file: give -o FILE.parquet")
            out = check_output_file(args.output, ".parquet")
    paths = list_maps(p) if p.is_dir() else [p]
    dec = Decoder()
    if args.dask:
        rows, bad = registry.rows_on_dask(paths, args.dask, ident)
        status = 2 if bad else 0
    else:
        run = FolderRun("export", paths, dec)
        rows = registry.local_rows(run, dec, ident)
        status = None
    if args.parquet and args.partition_by:
        registry.check_partition_output(str(out))
        if args.partition_by:
            registry.partition_key(dec, args.partition_by, ident)  # a bad column is refused before any work
        n = registry.write_partitioned(rows, dec, out, args.partition_by, ident)
        print(f"wrote {out}/ ({n} rows, partitioned by {args.partition_by})", file=sys.stderr)
    elif args.parquet:
        n = registry.write_parquet_rows(rows, dec, str(out), ident)
        print(f"wrote {out} ({n} rows)", file=sys.stderr)
    elif args.output:
        w = atomic_text_writer(Path(args.output))
        n = w.fill(lambda fh: registry.write_csv_rows(rows, dec, fh, ident))  # a full disk names the file
        print(f"wrote {args.output} ({n} rows)", file=sys.stderr)
    else:
        registry.write_csv_rows(rows, dec, sys.stdout, ident)
        sys.stdout.flush()
    return status if status is not None else run.exit_status


# -- new subcommands ------------------------------------------------------------------------------
def add_parsers(sub) -> None:
    s = sub.add_parser("similar", help="the maps of a folder most like one map (Jaccard and Ruzicka)")
    s.add_argument("file", help="the .bodymap to compare")
    s.add_argument("folder", help="a folder of .bodymap files")
    s.add_argument("-k", type=int, default=10, help="how many neighbours to list (default 10)")
    s.add_argument("-o", "--output", help="a PNG of the map and its nearest maps (by Jaccard)")
    s.add_argument("--json", action="store_true")

    c = sub.add_parser("confirm", help="record the diagnosis finally confirmed for a visit (never shown to patients)")
    c.add_argument("file", help="the .bodymap of the visit")
    c.add_argument("--diagnosis", help="a pattern id (root_L5, hip_joint, ...) or free text")
    c.add_argument("--how", choices=("imaging", "block", "surgery", "follow-up"), help="how it was confirmed")
    c.add_argument("--date", metavar="YYYY-MM-DD", help="when it was confirmed")
    c.add_argument("--clear", action="store_true", help="remove the confirmed diagnosis")

    lab = sub.add_parser("lab", help="the laboratory: the matcher on the clinic's own confirmed cases")
    lsub = lab.add_subparsers(dest="lab_cmd", parser_class=type(lab))
    v = lsub.add_parser("validate", help="top-1/top-3, bands, reliability and confusion on confirmed maps")
    v.add_argument("folder", nargs="?", help="a folder of .bodymap files (maps with a confirmed diagnosis are "
                                             "scored); without it, the package validation (bodymap.cli.lab)")
    v.add_argument("--json", action="store_true")
    v.add_argument("--reliability", metavar="PNG", help="write the reliability diagram here")
    v.add_argument("--fit-prior", metavar="FILE.json", help="fit the clinic's pattern prevalences (opt-in; "
                   "needs 30 confirmed cases) and write them with their provenance")
    v.add_argument("--fitted-by", metavar="NAME", default="", help="with --fit-prior: who fitted it")
    v.add_argument("--prior", metavar="FILE.json", help="also score with this local prior, beside the result without")

    from .lab import add_lab_parsers  # issue 19: `lab validate` without a folder, and `lab calibrate`

    add_lab_parsers(lsub, v)

    st = sub.add_parser("import-strokes", help="freehand drawings from another tool (PainSketch JSON, CSV) to .bodymap")
    st.add_argument("file", help="a PainSketch JSON file or a CSV of stroke points")
    st.add_argument("--template", required=True, help="the template YAML: landmarks, views, colours")
    st.add_argument("-o", "--output", required=True, help="the .bodymap to write")
    st.add_argument("--overwrite", action="store_true")


def run(args) -> int:
    if args.cmd == "similar":
        return _similar(args)
    if args.cmd == "confirm":
        return _confirm(args)
    if args.cmd == "lab":
        return _lab(args)
    if args.cmd == "import-strokes":
        return _import_strokes(args)
    raise UsageError(f"unknown command {args.cmd!r}")


def _similar(args) -> int:
    from ..exports.common import Decoder, FolderRun, list_maps
    from ..exports.similar import neighbours, top

    if not 1 <= args.k <= 1000:
        raise UsageError("-k must be between 1 and 1000")
    p = _one_map(args.file)
    out = None
    if args.output:
        from ..paths import check_output_file

        out = check_output_file(args.output, ".png")
    dec = Decoder()
    query = dec.read(p)
    run = FolderRun("similar", list_maps(args.folder), dec)
    items = neighbours(query, run, dec)
    by_j, by_r = top(items, "jaccard", args.k), top(items, "ruzicka", args.k)

    def js(n):
        return {"file": n.path.name, "jaccard": None if n.jaccard is None else round(n.jaccard, 6),
                "ruzicka": None if n.ruzicka is None else round(n.ruzicka, 6)}

    if args.json:
        print(json.dumps({"query": p.name, "maps_compared": len(items), "by_jaccard": [js(n) for n in by_j],
                          "by_ruzicka": [js(n) for n in by_r]}))
    elif not items:  # not two empty lists under their headings
        print(f"{p.name}: no other map in {args.folder} to compare it with")
    else:
        print(f"{p.name}: {len(items)} maps compared")
        for title, lst, key in (("by Jaccard (painted pixels)", by_j, "jaccard"),
                                ("by Ruzicka (region coverage)", by_r, "ruzicka")):
            print(f"\n{title}:")
            for k, n in enumerate(lst, 1):
                v = getattr(n, key)
                print(f"{k:>3}. {n.path.name:<40} {'-' if v is None else f'{v:.3f}'}")
    if out:
        from .. import fileformat
        from ..render import picture as headless
        from ..render.groups import tile

        shown = by_j[:min(args.k, 5)]
        surfs = [headless.render_map_png(fileformat.load(p), height=520)]
        caps = [f"this map: {p.name}"]
        for n in shown:
            surfs.append(headless.render_map_png(fileformat.load(n.path), height=520))
            caps.append(f"{n.path.name}: Jaccard {n.jaccard or 0:.2f}, Ruzicka {n.ruzicka or 0:.2f}")
        headless.save_png(tile(surfs, f"Maps most like {p.name} (by Jaccard of painted pixels)", caps), out,
                          0o600)  # the captions name files, whose names may hold an identifier
        print(f"wrote {out}", file=sys.stderr)
    return run.exit_status


def _one_map(path: str) -> Path:
    """The one map a command is about: a folder (`similar FOLDER FOLDER`) is named a folder, not "no such file"."""
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{p}: is a folder; give one .bodymap file")
    if not p.exists():
        raise UsageError(no_such(p))
    return p


def _confirm(args) -> int:
    from .. import fileformat
    from ..confirmed import validate_confirmed

    p = _one_map(args.file)
    m = fileformat.load(p)
    if args.clear:
        if args.diagnosis or args.how or args.date:
            raise UsageError("--clear takes no --diagnosis, --how or --date")
        m.confirmed = None
        fileformat.save(m, p)
        print(f"{p}: confirmed diagnosis removed")
        return 0
    if not args.diagnosis or not args.how:
        raise UsageError("give --diagnosis and --how (imaging, block, surgery or follow-up), or --clear")
    from datetime import date

    m.confirmed = validate_confirmed({"diagnosis": args.diagnosis, "how": args.how, "date": args.date},
                                     today=date.today())
    fileformat.save(m, p)
    from ..matcher import get_model

    ids = {pat.id for pat in get_model(m.atlas).lib.patterns} | {"none"}
    kind = "pattern" if m.confirmed["diagnosis"] in ids else "free text (no pattern id: not scored by lab validate)"
    print(f"{p}: confirmed {m.confirmed['diagnosis']} ({kind}) by {m.confirmed['how']}"
          + (f" on {m.confirmed['date']}" if m.confirmed["date"] else ""))
    return 0


def _lab(args) -> int:
    if getattr(args, "lab_cmd", None) != "validate" or args.folder is None:  # the package laboratory
        from .lab import run as run_lab

        return run_lab(args)
    from ..exports.common import list_maps
    from ..lab.local import fit_prior, format_report, read_prior, validate_folder

    paths = list_maps(args.folder)
    prior = read_prior(args.prior) if args.prior else None
    progress = _Progress("lab validate", len(paths))
    rep = validate_folder(paths, progress=progress.step)
    progress.done()
    rep_prior = validate_folder(paths, prior) if prior else None
    if args.json:
        doc = rep.to_json()
        if rep_prior:
            doc["with_local_prior"] = rep_prior.to_json()
        print(json.dumps(doc))
    else:
        print(format_report(rep))
        if rep_prior:
            print()
            print(format_report(rep_prior, "WITH THE LOCAL PRIOR: "))
    for f, why in rep.bad:
        print(f"bad file: {why if why.startswith(f) else f + ': ' + why}", file=sys.stderr)
    if args.reliability:
        from ..paths import check_output_file

        out = check_output_file(args.reliability, ".png")
        plot = _reliability_plot()
        panels = [("LOCAL CASES", rep.measure(), (70, 110, 200))]
        if rep_prior:
            panels.append(("WITH LOCAL PRIOR", rep_prior.measure(), (200, 120, 60)))
        plot.reliability_png(panels, Path(out))
        print(f"wrote {out}", file=sys.stderr)
    if args.fit_prior:
        from ..atomicio import write_atomic
        from ..matcher import get_model

        ids = [pat.id for pat in get_model().lib.patterns] + ["none"]
        doc = fit_prior(rep, ids, args.fitted_by, str(Path(args.folder)))
        write_atomic(Path(args.fit_prior), (json.dumps(doc, indent=1) + "\n").encode(), 0o644)
        print(f"wrote {args.fit_prior} (local prior from {rep.n} cases)", file=sys.stderr)
    return 2 if rep.bad else 0


def _reliability_plot():
    """The reliability diagram module, wherever the laboratory keeps it (it moves into bodymap.lab)."""
    import importlib

    for name in ("bodymap.lab.reliability_plot", "bodymap.reliability_plot"):
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise UsageError("the reliability plot module is missing")


class _Progress:
    def __init__(self, what: str, n: int):
        from ..exports.common import Progress

        self.p = Progress(what, n, sys.stderr)
        self.k = 0

    def step(self) -> None:
        self.k += 1
        self.p.update(self.k)

    def done(self) -> None:
        self.p.finish()


def _import_strokes(args) -> int:
    from ..exports.strokes import import_strokes

    rep = import_strokes(args.file, args.template, args.output, overwrite=args.overwrite)
    print(rep.line())
    return 0
