"""Subcommands for clinician exports and research: report, export, heatmap, stats, import-regions.

bodymap.cli.commands imports this module if it exists and calls add_parsers() and run().
Bad input raises a BodymapError (one line on stderr, exit 2). Folder runs keep going
past bad files, name each of them at the end and exit 2, but still write their output.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import UsageError
from ..paths import no_such
from .status import ExitStatus

COMMANDS = ("report", "export", "heatmap", "stats", "import-regions")


def add_parsers(subparsers) -> None:
    sp = subparsers.add_parser("report", help="one-page PDF summary of a map for the chart")
    sp.add_argument("file", help="a .bodymap file")
    sp.add_argument("-o", "--output", required=True, help="the PDF to write (ends in .pdf)")

    se = subparsers.add_parser("export", help="export a map as FHIR R4 JSON, or a folder of maps as CSV or Parquet")
    se.add_argument("path", help="a .bodymap file (--fhir) or a folder of them (--csv, --parquet)")
    fmt = se.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--fhir", action="store_true", help="HL7 FHIR R4 Bundle (one file)")
    fmt.add_argument("--csv", action="store_true", help="one row per map (a folder, or one file)")
    fmt.add_argument("--parquet", action="store_true",
                     help="the CSV's columns, typed, as Parquet (needs -o and pyarrow: pip install 'bodymap[parquet]')")
    se.add_argument("-o", "--output", help="file to write (default, or '-': standard output; required for --parquet)")
    se.add_argument("--include-identifiers", action="store_true",
                    help="--csv/--parquet: add the patient_id and note columns and the file names (they can "
                         "identify a patient); without it, maps and patients are named by keyed hashes "
                         "(the key: BODYMAP_EXPORT_KEY or export-key in the user's bodymap settings)")
    _registry_options(se)  # issue 25: --partition-by, --dask

    sh = subparsers.add_parser("heatmap", help="frequency map: share of maps painting each spot, as a PNG")
    sh.add_argument("folder", help="a folder of .bodymap files")
    sh.add_argument("-o", "--output", required=True, help="the PNG to write")
    sh.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                    help="pattern=ID (top hypothesis), side=left|right|bilateral, sensation=NAME (count that layer); "
                         "repeat a key for OR")
    sh.add_argument("--height", type=int, default=1000, help="picture height in pixels (default 1000)")
    _group_options(sh)  # issue 25: --by COLUMN, --groups FILE.csv

    ss = subparsers.add_parser("stats", help="region frequencies, co-occurrence and extent over a folder of maps")
    ss.add_argument("folder", help="a folder of .bodymap files")
    ss.add_argument("--json", action="store_true")
    ss.add_argument("--pairs", type=int, default=20, help="how many region pairs to list (default 20)")
    _group_options(ss)  # issue 25: --by COLUMN, --groups FILE.csv, --fdr

    si = subparsers.add_parser("import-regions", help="CHOIR codes or checkbox-map names (CSV) to .bodymap files")
    si.add_argument("csv", help="CSV with columns patient_id, regions (;-separated region ids, CHOIR codes or names), "
                                "optional sensation, choir_female and answers")
    si.add_argument("outdir", help="folder to write <patient_id>.bodymap into (created if missing)")
    si.add_argument("--overwrite", action="store_true",
                    help="replace files that already exist (each kept beside it as name.bodymap~N)")
    si.add_argument("--choir-numbering", choices=("male", "female", "auto"), default=None,
                    help="which CHOIR drawing numbered the three-digit codes 112-117 (default auto: decided from the "
                         "rows, said how; mixed evidence stops and asks for this flag). A per-row choir_female "
                         "column overrides it")
    si.add_argument("--choir-female", action="store_true",
                    help="the same as --choir-numbering female")
    si.add_argument("--choir-undecided", choices=("male", "female", "skip"), default=None,
                    help="with --choir-numbering auto: how to read the rows whose codes 112-117 do not tell the two "
                         "drawings apart (default: the file's numbering; a mixed file stops and asks for this flag)")


def _registry_options(sp) -> None:
    from .research import add_registry_options

    add_registry_options(sp)


def _group_options(sp) -> None:
    from .research import add_group_options

    add_group_options(sp)


def run(args) -> int:
    cmd = args.cmd
    if cmd == "report":
        return _report(args)
    if cmd == "export":
        return _export(args)
    if cmd == "heatmap":
        return _heatmap(args)
    if cmd == "stats":
        return _stats(args)
    if cmd == "import-regions":
        return _import(args)
    raise UsageError(f"unknown command {cmd!r}")


def _existing_file(path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise UsageError(no_such(p))
    if p.is_dir():
        raise UsageError(f"{p}: is a folder; give a .bodymap file")
    return p


def _report(args) -> int:
    from ..exports.report import load_for_report, write_report

    m, head = load_for_report(_existing_file(args.file))
    out = write_report(m, args.output, head)
    print(f"wrote {out}")
    return ExitStatus.OK


def _export(args) -> int:
    p = Path(args.path)
    if args.output == "-":  # as every Unix tool reads it: standard output (it wrote a file named "-": ADR 0043)
        if getattr(args, "parquet", False):
            raise UsageError("--parquet writes a file: give -o FILE.parquet (Parquet is not sent to standard output)")
        args.output = None
    if args.fhir:
        if args.include_identifiers:
            raise UsageError("--include-identifiers is for --csv and --parquet; a FHIR Bundle is for the patient's "
                             "record and always carries the patient identifier and note the map holds")
        if p.is_dir():
            raise UsageError(f"{p}: --fhir exports one map; give a .bodymap file (use --csv for a folder)")
        from ..fileformat import load
        from ..exports.fhir import bundle_for, dumps

        text = dumps(bundle_for(load(_existing_file(args.path))))
        if args.output:
            _write_text(Path(args.output), text)
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return ExitStatus.OK
    if getattr(args, "partition_by", None) or getattr(args, "dask", None):  # issue 25: registry scale
        from .research import registry_export

        return registry_export(args)
    if getattr(args, "parquet", False):
        from ..exports.parquetexport import export_parquet

        return export_parquet(p, args.output, include_identifiers=args.include_identifiers)
    return _export_csv(p, args.output, args.include_identifiers)


def _write_text(path: Path, text: str) -> None:
    from ..exports.common import atomic_text_writer

    w = atomic_text_writer(path, identifiers=True)  # a FHIR Bundle is for the patient's record: 0600
    w.fill(lambda fh: fh.write(text))  # a full disk names the file


def _export_csv(p: Path, output: str | None, include_identifiers: bool = False) -> int:
    from ..exports.common import Decoder, FolderRun, atomic_text_writer, list_maps
    from ..exports.csvexport import write_csv

    if not p.exists():
        raise UsageError(no_such(p, "file or folder"))
    paths = list_maps(p) if p.is_dir() else [p]
    dec = Decoder()
    run = FolderRun("export --csv", paths, dec)
    if output:
        w = atomic_text_writer(Path(output), identifiers=include_identifiers)
        w.fill(lambda fh: write_csv(run, dec, fh, include_identifiers=include_identifiers))  # a full disk names it
        print(f"wrote {output} ({run.ok} rows)", file=sys.stderr)
    else:
        write_csv(run, dec, sys.stdout, include_identifiers=include_identifiers)
        sys.stdout.flush()
    return ExitStatus(run.exit_status)  # 2 when a file was bad


def _heatmap(args) -> int:
    from .research import check_group_options

    check_group_options(args, tests=False)  # --fdr/--groups without --by were silently ignored (ADR 0043)
    if getattr(args, "by", None):  # issue 25: side-by-side heat maps per group
        from .research import group_heatmap

        return group_heatmap(args)
    from ..exports.common import Decoder, FolderRun, list_maps
    from ..exports.research import accumulate_heatmap, parse_where

    from ..paths import check_output_file

    out = check_output_file(args.output, ".png")
    if not 300 <= args.height <= 8000:
        raise UsageError(f"--height must be between 300 and 8000 pixels, got {args.height}")
    dec = Decoder()
    where = parse_where(args.where, [p.id for p in dec.model.lib.patterns])
    paths = list_maps(args.folder)
    run = FolderRun("heatmap", paths, dec)
    hm = accumulate_heatmap(run, dec, where)
    from ..render import picture as headless
    from ..render.heatmap import render_heatmap

    kept = (f"{hm.n_maps} of {hm.n_read} maps kept ({', '.join(where.describe())})" if where.needs_ranking
            else f"{hm.n_maps} maps" + (f" ({', '.join(where.describe())})" if where.describe() else ""))
    lines = [kept, f"largest share {100 * hm.max_share:.0f}%"]
    title = "Pain frequency map" + (": " + where.sensations[0].replace("_", " ") if len(where.sensations) == 1 else "")
    surf = render_heatmap(dec.atlas, hm, title, lines, height=args.height)
    headless.save_png(surf, out)
    if hm.n_maps == 0:
        print("heatmap: no map passed the --where filters; the picture shows 0% everywhere", file=sys.stderr)
    print(f"wrote {out}")
    return ExitStatus(run.exit_status)  # 2 when a file was bad


def _stats(args) -> int:
    from .research import check_group_options

    check_group_options(args, tests=True)  # --fdr/--groups without --by were silently ignored (ADR 0043)
    if getattr(args, "by", None):  # issue 25: per-group frequencies and tests
        from .research import group_stats

        return group_stats(args)
    from ..exports.common import Decoder, FolderRun, list_maps
    from ..exports.research import accumulate_stats, format_stats, summarize_stats

    if not 0 <= args.pairs <= 10000:
        raise UsageError("--pairs must be between 0 and 10000")
    dec = Decoder()
    run = FolderRun("stats", list_maps(args.folder), dec)
    from ..exports.groups import SegmentPairs

    seg = SegmentPairs(run, dec)  # issue 25: maps imported from codes pair by CHOIR segment, not by region
    st = accumulate_stats(seg, dec)
    summary = summarize_stats(st, dec, top_pairs=args.pairs)
    summary["pairs_over"] = "regions"
    if seg.n and seg.all_imported:
        summary["pairs"], summary["pairs_over"] = seg.pairs(args.pairs), "choir_segments"
    from ..exports.keys import Pseudonyms

    # research output: bad files by their pseudonymous key (a file name can be built from the identifier);
    # stderr names them for whoever runs the command
    keys = Pseudonyms()
    summary["bad_files"] = [keys.map_key(p.name) for p, _ in run.bad]
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(format_stats(summary))
    return ExitStatus(run.exit_status)  # 2 when a file was bad


def _import(args) -> int:
    from ..exports.importer import import_regions

    numbering = getattr(args, "choir_numbering", None)
    if getattr(args, "choir_female", False):
        if numbering not in (None, "female"):
            raise UsageError(f"--choir-female and --choir-numbering {numbering} disagree; give one of them")
        numbering = "female"
    written, problems = import_regions(args.csv, args.outdir, overwrite=args.overwrite,
                                       choir_numbering=numbering or "auto",
                                       choir_undecided=getattr(args, "choir_undecided", None))
    for p in problems:
        print(f"import-regions: skipped {p}", file=sys.stderr)
    print(f"wrote {written} .bodymap file{'s' if written != 1 else ''} into {args.outdir}"
          + (f"; {len(problems)} row{'s' if len(problems) != 1 else ''} skipped" if problems else ""))
    return ExitStatus.BAD_INPUT if problems else ExitStatus.OK
