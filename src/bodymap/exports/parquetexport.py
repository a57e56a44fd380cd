"""`bodymap export DIR --parquet -o maps.parquet`: the CSV's columns, typed, for pandas, R and DuckDB.

One row per map with exactly the columns of the CSV export (csvexport.columns), the
per-region coverage `cov_<region>` included. Types instead of text: floats for extents,
coverage and probability, 32-bit integers for intensities and age, booleans for yes/no
answers, and null for "not given". Text is written as it is (no spreadsheet apostrophe).

pyarrow is an optional extra (`pip install 'bodymap[parquet]'`), imported only here.
Maps are streamed in record batches, so memory does not grow with the folder; the file
is written beside its target and moved into place only when complete.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterable

from ..atomicio import umask_mode, write_atomic_via
from ..errors import UsageError
from .common import Decoder, FolderRun, MapRecord, list_maps
from .csvexport import Column, MapRow, columns

BATCH_ROWS = 512
MISSING_PYARROW = ("--parquet needs the pyarrow package, which is not installed; "
                   "install it with: pip install 'bodymap[parquet]' (or use --csv)")


def require_pyarrow():
    """(pyarrow, pyarrow.parquet), or a UsageError saying how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(MISSING_PYARROW) from None
    return pyarrow, pq


def schema(decoder: Decoder, include_identifiers: bool = False):
    pa, _ = require_pyarrow()
    types = {"text": pa.string(), "float": pa.float64(), "int": pa.int32(), "bool": pa.bool_()}
    fields = [pa.field(c.name, types[c.kind]) for c in columns(decoder, include_identifiers)]
    meta = {"bodymap.atlas": decoder.atlas.id, "bodymap.columns": "docs/exports.md"}
    return pa.schema(fields, metadata=meta)


def _value(col: Column, v):
    if v is None:
        return None
    if col.kind == "float":
        return float(v)
    if col.kind == "int":
        return int(v)
    if col.kind == "bool":
        return bool(v)
    return str(v)


def write_parquet(records: Iterable[MapRecord], decoder: Decoder, output: str | os.PathLike, *,
                  include_identifiers: bool = False) -> int:
    """Write one row per record to `output` (atomically); returns the number of rows."""
    pa, pq = require_pyarrow()
    cols = columns(decoder, include_identifiers)
    sch = schema(decoder, include_identifiers)
    n = 0

    def write(tmp: str) -> None:
        nonlocal n
        with pq.ParquetWriter(tmp, sch) as writer:
            buf: list[list] = [[] for _ in cols]

            def flush():
                if buf[0]:
                    writer.write_batch(pa.record_batch([pa.array(vals, type=f.type) for vals, f in zip(buf, sch)],
                                                       schema=sch))
                    for vals in buf:
                        vals.clear()

            for rec in records:
                r = MapRow(decoder, rec)
                for vals, c in zip(buf, cols):
                    vals.append(_value(c, c.value(r)))
                n += 1
                if len(buf[0]) >= BATCH_ROWS:
                    flush()
            flush()

    # the one atomic writer (bodymap.atomicio); 0600 with identifiers, else as the umask allows (ADR 0018)
    write_atomic_via(output, write, 0o600 if include_identifiers else umask_mode())
    return n


def export_parquet(source: Path, output: str | None, stream=None, *, include_identifiers: bool = False) -> int:
    """`bodymap export SOURCE --parquet -o OUTPUT`: a folder (or one file) to Parquet; returns the exit status."""
    from ..paths import check_output_file

    stream = stream if stream is not None else sys.stderr
    if not output:
        raise UsageError("--parquet writes a file: give -o FILE.parquet")
    out = check_output_file(output, ".parquet")
    require_pyarrow()
    source = Path(source)
    if not source.exists():
        raise UsageError(f"{source}: no such file or folder")
    paths = list_maps(source) if source.is_dir() else [source]
    dec = Decoder()
    run = FolderRun("export --parquet", paths, dec, stream=stream)
    write_parquet(run, dec, out, include_identifiers=include_identifiers)
    print(f"wrote {out} ({run.ok} rows)", file=stream)
    return run.exit_status
