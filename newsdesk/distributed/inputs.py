"""Inputs for the Ray engine: what the driver reads with newsdesk's own readers (local files, folders, stdin, a
``datasets`` dataset) and what Ray Data reads directly on the cluster (Parquet, and ``s3://``-style URIs)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from newsdesk.articles import Article
from newsdesk.batch import batched
from newsdesk.errors import InputError

if TYPE_CHECKING:
    import pyarrow as pa
    import ray.data

PATH_COLUMN = "path"  # the column Ray's readers add with include_paths=True; it names a bad row's file
DRIVER_COLUMNS = ("id", "text", "title", "where")


def is_direct(item: str | Path) -> bool:
    """Whether Ray Data reads ``item`` itself: a URI (``s3://``, ``gs://``, ...) or a local ``.parquet`` file or
    folder of Parquet files."""
    text = str(item)
    if "://" in text:
        return True
    path = Path(text)
    return path.suffix.lower() == ".parquet" or (path.is_dir() and any(path.glob("*.parquet")))


def split_inputs(items: Iterable[str | Path]) -> tuple[list[str | Path], list[str]]:
    """(inputs the driver reads, inputs Ray reads), each in the given order."""
    local: list[str | Path] = []
    direct: list[str] = []
    for item in items:
        if is_direct(item):
            direct.append(str(item))
        else:
            local.append(item)
    return local, direct


def _direct_format(item: str, fmt: str | None) -> str:
    suffix = Path(item.split("?", 1)[0]).suffix.lower()
    if suffix == ".parquet":
        return "parquet"
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix in (".csv", ".tsv"):
        return suffix[1:]
    if fmt in (None, "jsonl", "csv", "tsv"):
        return fmt or "parquet"
    raise InputError(f"{item}: Ray reads Parquet, JSONL, CSV or TSV; pass --format jsonl|csv|tsv for a folder")


def read_direct(ray: ModuleType, item: str, fmt: str | None = None) -> ray.data.Dataset:
    """A Ray Dataset over ``item``, each row with the file it came from in :data:`PATH_COLUMN`."""
    kind = _direct_format(item, fmt)
    if kind == "parquet":
        return ray.data.read_parquet(item, include_paths=True)
    if kind == "jsonl":
        return ray.data.read_json(item, lines=True, include_paths=True)
    import pyarrow.csv as pacsv

    parse = pacsv.ParseOptions(delimiter="," if kind == "csv" else "\t", newlines_in_values=True)
    return ray.data.read_csv(item, parse_options=parse, include_paths=True)


def staged(ds: ray.data.Dataset, id_column: str, done: Collection[str], rows_per_block: int) -> ray.data.Dataset:
    """``ds`` less the rows whose id is in ``done`` (``--resume``), read into Ray's object store in blocks of
    ``rows_per_block`` rows, in order.

    Read before the actors start: an actor pool that holds every CPU would leave none for the read tasks. Small
    blocks spread the work evenly over the actors, and a worker that dies costs one batch.
    """
    if done:
        ds = ds.map_batches(_drop_ids, batch_format="pyarrow", fn_kwargs={"column": id_column, "ids": sorted(done)})
    ds = ds.repartition(target_num_rows_per_block=rows_per_block)
    ordered(ds.context)
    return ds.materialize()


def _drop_ids(table: pa.Table, *, column: str, ids: list[str]) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    if column not in table.column_names:
        return table  # every row is reported as having no id
    done = pc.is_in(pc.cast(table[column], pa.string()), value_set=pa.array(ids, pa.string()))
    return table.filter(pc.invert(pc.fill_null(done, False)))


def ordered(ctx: object) -> None:
    """Rows come out in input order (as the local engine writes them), with no Ray Data progress bars or
    banners: newsdesk shows its own progress."""
    ctx.execution_options.preserve_order = True  # type: ignore[attr-defined]
    for name in ("enable_progress_bars", "enable_operator_progress_bars", "print_on_execution_start"):
        if hasattr(ctx, name):
            setattr(ctx, name, False)


def _tables(articles: Iterable[Article], rows_per_block: int) -> Iterator[object]:
    import pyarrow as pa

    schema = pa.schema([(name, pa.string()) for name in DRIVER_COLUMNS])
    for batch in batched(articles, rows_per_block):
        yield pa.table(
            [
                [a.id for a in batch],
                [a.text for a in batch],
                [a.title for a in batch],
                [a.source for a in batch],
            ],
            schema=schema,
        )


def from_articles(ray: ModuleType, articles: Iterable[Article], rows_per_block: int) -> ray.data.Dataset | None:
    """The driver's articles as a Ray Dataset (columns ``id``, ``text``, ``title``, ``where``) held in Ray's
    object store (spilled to disk when large), in blocks of ``rows_per_block`` rows, so that every batch the
    actors see is the batch the local engine would run; ``None`` when there are none."""
    refs = [ray.put(table) for table in _tables(articles, rows_per_block)]
    return ray.data.from_arrow_refs(refs) if refs else None
