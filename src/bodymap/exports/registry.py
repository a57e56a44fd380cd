"""Registry scale: a partitioned Parquet dataset, and the folder exports and batch scoring on Dask.

- `export DIR --parquet -o OUT_DIR --partition-by visit_year`: a Hive-partitioned dataset
  (`OUT_DIR/visit_year=2024/part-0-0.parquet`, ...) with the export's columns, which DuckDB
  (`read_parquet('OUT_DIR/**/*.parquet', hive_partitioning = true)`), Spark, pandas and
  pyarrow.dataset read as one table. `visit_year` is the year of `visit_date` (null when no date);
  any other text, integer or yes/no export column can be the partition key too.
- `--dask ADDRESS` (a scheduler, `tcp://host:8786`) or `--dask local` (a LocalCluster on this
  machine): the file list becomes a Dask bag and each file goes through the SAME per-file
  function as the local run (`typed_row`, or `bodymap.batch.score_file` for scoring), so the rows
  and the bad files are the same. Dask is the optional `[dask]` extra and imported only here.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import BodymapError, FileWriteError, UsageError
from .common import Decoder

MISSING_DASK = ("--dask needs the dask package with its distributed scheduler, which is not installed; "
                "install it with: pip install 'bodymap[dask]'")
BATCH_ROWS = 512

_DECODER: Decoder | None = None


def _decoder() -> Decoder:
    global _DECODER
    if _DECODER is None:
        _DECODER = Decoder()
    return _DECODER


def typed_row(path: str, include_identifiers: bool = False) -> tuple[str, list | None, str | None]:
    """One file's export row (typed values in column order), or its error: the per-file function."""
    from .csvexport import MapRow, columns

    dec = _decoder()
    try:
        rec = dec.read(Path(path))
    except BodymapError as exc:
        return path, None, str(exc)
    r = MapRow(dec, rec)
    return path, [c.value(r) for c in columns(dec, include_identifiers)], None


# ---------------------------------------------------------------------------
# Dask


def dask_client(address: str):
    """A distributed Client for ADDRESS, or for a LocalCluster started here when ADDRESS is 'local'."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError(MISSING_DASK) from None
    if address == "local":
        cluster = LocalCluster(n_workers=min(os.cpu_count() or 1, 4), threads_per_worker=1, dashboard_address=None)
        return Client(cluster)
    try:
        return Client(address, timeout=15)
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--dask {address}: cannot reach the scheduler ({exc})") from None


def _close(client) -> None:
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


def map_on_dask(func, paths: list[str], address: str, *args) -> list:
    """func(path, *args) for every path, as a Dask bag, in the order of `paths`."""
    client = dask_client(address)  # first: a missing extra is one line (UsageError)
    try:
        import dask.bag as db
    except ImportError:
        _close(client)
        raise UsageError(MISSING_DASK) from None
    try:
        n = max(1, min(len(paths), 8 * max(1, len(client.scheduler_info().get("workers", {})))))
        return db.from_sequence(paths, npartitions=n).map(func, *args).compute()
    finally:
        _close(client)


def rows_on_dask(paths: list[Path], address: str, include_identifiers: bool = False,
                 stream=None) -> tuple[list[list], list[tuple[Path, str]]]:
    """Every file's row on Dask: (rows in file order, bad files with their reasons)."""
    out = map_on_dask(typed_row, [str(p) for p in paths], address, include_identifiers)
    rows = [vals for _, vals, err in out if err is None]
    bad = [(Path(p), err) for p, _, err in out if err is not None]
    stream = stream if stream is not None else sys.stderr
    stream.write(f"dask ({address}): {len(rows)} of {len(paths)} maps read" + (f", {len(bad)} bad" if bad else "")
                 + "\n")
    for p, why in bad:
        stream.write(f"bad file: {why if why.startswith(str(p)) else f'{p}: {why}'}\n")
    return rows, bad


def score_on_dask(paths: Iterable[str], address: str):
    """bodymap.batch.score_many on a Dask cluster: the same BatchResult per file, in order."""
    from ..batch import score_file

    return map_on_dask(score_file, [str(p) for p in paths], address)


# ---------------------------------------------------------------------------
# Writers from typed rows


def local_rows(records, decoder: Decoder, include_identifiers: bool = False) -> Iterator[list]:
    from .csvexport import MapRow, columns

    cols = columns(decoder, include_identifiers)
    for rec in records:
        r = MapRow(decoder, rec)
        yield [c.value(r) for c in cols]


def write_csv_rows(rows: Iterable[list], decoder: Decoder, out, include_identifiers: bool = False) -> int:
    import csv

    from .csvexport import columns, csv_cell

    cols = columns(decoder, include_identifiers)
    w = csv.writer(out, lineterminator="\n")
    w.writerow([c.name for c in cols])
    n = 0
    for vals in rows:
        w.writerow([csv_cell(c, v) for c, v in zip(cols, vals)])
        n += 1
    return n


def write_parquet_rows(rows: Iterable[list], decoder: Decoder, output: str, include_identifiers: bool = False) -> int:
    from ..atomicio import write_atomic_via
    from .parquetexport import _value, require_pyarrow, schema
    from .csvexport import columns

    pa, pq = require_pyarrow()
    cols = columns(decoder, include_identifiers)
    sch = schema(decoder, include_identifiers)
    n = 0

    def write(tmp: str) -> None:
        nonlocal n
        with pq.ParquetWriter(tmp, sch) as writer:
            for chunk in _chunks(rows):
                data = [[_value(c, r[k]) for r in chunk] for k, c in enumerate(cols)]
                writer.write_batch(pa.record_batch([pa.array(v, type=f.type) for v, f in zip(data, sch)], schema=sch))
                n += len(chunk)

    write_atomic_via(output, write, 0o644)
    return n


def _chunks(rows: Iterable[list]) -> Iterator[list[list]]:
    buf: list[list] = []
    for r in rows:
        buf.append(r)
        if len(buf) >= BATCH_ROWS:
            yield buf
            buf = []
    if buf:
        yield buf


def check_partition_output(output: str | None) -> Path:
    if not output:
        raise UsageError("--partition-by writes a folder: give -o FOLDER")
    out = Path(output)
    if out.exists():
        raise UsageError(f"{out}: already exists; a partitioned dataset is written to a new folder")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"{out}: folder {parent} does not exist")
    return out


def partition_key(decoder: Decoder, name: str, include_identifiers: bool = False) -> tuple[str, Any]:
    """(partition column name, function of a typed row giving its value)."""
    from .csvexport import columns

    cols = columns(decoder, include_identifiers)
    idx = {c.name: k for k, c in enumerate(cols)}
    if name == "visit_year":
        k = idx["visit_date"]
        return name, lambda row: int(row[k][:4]) if row[k] else None
    if name not in idx or cols[idx[name]].kind == "float" or name.startswith("cov_"):
        raise UsageError(f"--partition-by {name}: use visit_year or a text, integer or yes/no export column "
                         f"(recorded_by, top_pattern, generalised_pain, ...)")
    if name in ("patient_id", "note"):
        raise UsageError(f"--partition-by {name}: would write identifiers into folder names; not allowed")
    k = idx[name]
    return name, lambda row: row[k]


def write_partitioned(rows: Iterable[list], decoder: Decoder, output: Path, by: str,
                      include_identifiers: bool = False) -> int:
    """A Hive-partitioned Parquet dataset in a new folder `output`, written beside it and moved into place."""
    from .parquetexport import _value, require_pyarrow, schema
    from .csvexport import columns

    pa, pq = require_pyarrow()
    cols = columns(decoder, include_identifiers)
    sch = schema(decoder, include_identifiers)
    name, key = partition_key(decoder, by, include_identifiers)
    if name == "visit_year":
        sch = sch.append(pa.field("visit_year", pa.int32()))
    try:  # a read-only or full folder: one line naming the folder typed, never the hidden temp folder's name
        tmp = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent if str(output.parent) else "."))
    except OSError as exc:
        raise FileWriteError(f"{output}: cannot write ({exc.strerror or exc})") from None
    n = 0
    try:
        for b, chunk in enumerate(_chunks(rows)):
            data = [[_value(c, r[k]) for r in chunk] for k, c in enumerate(cols)]
            if name == "visit_year":
                data.append([key(r) for r in chunk])
            table = pa.Table.from_arrays([pa.array(v, type=f.type) for v, f in zip(data, sch)], schema=sch)
            pq.write_to_dataset(table, str(tmp), partition_cols=[name], basename_template=f"part-{b}-{{i}}.parquet")
            n += len(chunk)
        if n == 0:
            raise UsageError("no maps to write")
        os.replace(tmp, output)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise FileWriteError(f"{output}: cannot write ({exc.strerror or exc})") from None
        raise
    return n
