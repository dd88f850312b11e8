"""``--engine ray``: the CLI's batch run on Ray, writing through the same sinks as the local engine."""

from __future__ import annotations

import json
import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from newsdesk.articles import Article, BadRecord, FieldMap
from newsdesk.batch import RunRecorder, RunStats
from newsdesk.distributed.actor import ERROR, RECORD, WHERE, Columns
from newsdesk.distributed.api import default_workers, map_step
from newsdesk.distributed.inputs import PATH_COLUMN, from_articles, ordered, read_direct, staged
from newsdesk.distributed.loaders import DEFAULT_BATCH_SIZE
from newsdesk.distributed.ray_runtime import connected, quiet_ray_data
from newsdesk.distributed.steps import StepSpec
from newsdesk.errors import NewsdeskError
from newsdesk.sinks import ErrorLog, RecordSink

if TYPE_CHECKING:
    import ray.data


def run_job(
    spec: StepSpec,
    records: Iterable[Article | BadRecord],
    sink: RecordSink,
    errors: ErrorLog,
    *,
    direct_inputs: Sequence[str] = (),
    direct_format: str | None = None,
    fields: FieldMap | None = None,
    address: str | None = None,
    workers: int | None = None,
    threads: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    max_restarts: int | None = None,
    progress: bool = False,
    total: int | None = None,
) -> RunStats:
    """Run ``spec`` on Ray over ``records`` (read by the driver, as the local engine reads them) and then over
    each of ``direct_inputs`` (read by Ray: Parquet, URIs), writing to ``sink`` and ``errors`` from this process.

    Bad records, resume (ids in ``sink.done_ids`` are skipped) and the output order are as with
    :func:`newsdesk.batch.run_batches`; a record Ray hands back twice would be refused as a duplicate id.
    """
    fields = fields or FieldMap()
    resumed = frozenset(sink.done_ids)  # not what this run writes: an id met twice in it is a duplicate
    run = RunRecorder(sink, errors, progress=progress, total=total)
    try:
        with connected(address) as ray, warnings.catch_warnings():
            quiet_ray_data()
            # Ray's hint for inputs of fewer blocks than workers (a small file) is not the user's to act on.
            warnings.filterwarnings("ignore", "The minimum number of concurrent actors", UserWarning)
            # Every input is read into the object store before any actor starts: a pool that holds every CPU would
            # leave none for read tasks.
            sources = []
            ds = from_articles(ray, run.pending(records), batch_size)
            if ds is not None:
                sources.append((ds, Columns(where="where")))
            for item in direct_inputs:
                ds = staged(read_direct(ray, item, direct_format), fields.id, resumed, batch_size)
                sources.append((ds, Columns(fields.text, fields.id, fields.title, PATH_COLUMN)))
            options = {
                "workers": workers or default_workers(threads),
                "threads": threads,
                "batch_size": batch_size,
                "max_restarts": max_restarts,
            }
            for ds, columns in sources:
                _drain(_map_columns(ds, spec, columns, options), run)
    finally:
        run.close()
    return run.stats


def _map_columns(ds: ray.data.Dataset, spec: StepSpec, columns: Columns, options: dict) -> ray.data.Dataset:
    return map_step(
        ds,
        spec,
        text_column=columns.text,
        id_column=columns.id,
        title_column=columns.title,
        where_column=columns.where,
        output="json",
        **options,
    )


def _drain(out: ray.data.Dataset, run: RunRecorder) -> None:
    """Write ``out``'s rows, in input order, as each block arrives."""
    import ray.exceptions

    ordered(out.context)
    data_log = logging.getLogger("ray.data")
    level = data_log.level
    data_log.setLevel(logging.CRITICAL)  # a failure is told once, below, not as Ray Data's stack traces
    try:
        for batch in out.iter_batches(batch_size=None, batch_format="pyarrow"):
            for row in batch.to_pylist():
                rid = row["id"]
                if row[ERROR] is not None:
                    run.fail(BadRecord(row[WHERE] or f"id {rid}", row[ERROR], rid))
                elif rid in run.sink.done_ids:
                    run.fail(BadRecord(f"id {rid}", f"duplicate id {rid!r}; give each record a unique id", rid))
                else:
                    run.write(json.loads(row[RECORD]))
    except ray.exceptions.RayError as exc:
        cause = root_cause(str(exc))
        if cause.startswith(f"{NewsdeskError.__module__}."):  # the user's to fix, told as the local engine tells it
            raise NewsdeskError(cause.split(": ", 1)[1]) from None
        raise NewsdeskError(f"the Ray job failed: {cause}; what was written is kept") from None
    finally:
        data_log.setLevel(level)


_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt)): (.+)$")


def root_cause(text: str) -> str:
    """``Type: message`` of the first exception in a (chained) traceback: what a worker raised, under the
    errors Ray wraps it in."""
    for line in text.splitlines():
        m = _EXCEPTION_LINE.match(line.strip())
        if m:
            return f"{m.group(1)}: {m.group(2)}"
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"
