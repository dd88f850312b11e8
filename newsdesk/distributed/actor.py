"""The Ray Data actor: loads a step's models once, then turns batches of rows into batches of records."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsdesk.articles import Article, BadRecord, FieldMap, record_to_article
from newsdesk.batch import run_step_safely
from newsdesk.distributed.steps import StepSpec

if TYPE_CHECKING:
    import pyarrow as pa

OUTPUTS = ("columns", "json")
ERROR, WHERE, RECORD = "error", "where", "record"


@dataclass(frozen=True)
class Columns:
    """Which input columns hold the text, id and title, and (optionally) where a row came from."""

    text: str = "text"
    id: str = "id"
    title: str = "title"
    where: str | None = None


class StepActor:
    """``map_batches`` callable class. Each input row gives one output row: the step's record, or for a row the
    step cannot use (no text, no id, the model fails on it) the id with ``error`` (the reason) and ``where``.

    ``output="columns"``: the record's fields as columns, plus ``error`` and ``where`` (null for good rows).
    ``output="json"``: ``id``, ``record`` (the record as JSON, exactly as the local engine writes it),
    ``error`` and ``where`` — what the CLI's driver reads.
    """

    def __init__(self, spec: StepSpec, *, threads: int = 1, columns: Columns = Columns(), output: str = "columns"):
        self.threads = threads
        self.columns = columns
        self.fields = FieldMap(text=columns.text, id=columns.id, title=columns.title)
        self.output = output
        self._load_error: Exception | None = None
        try:
            self.step = spec.build()
        except Exception as exc:  # told at the first batch: a failed actor start is pages of Ray retries
            self._load_error = exc
        self._pin_threads()

    def _pin_threads(self) -> None:
        """Torch uses the CPUs Ray gave this actor (its ``num_cpus``). Checked per batch, since a model may import
        torch only when it first runs; a model without torch (tf-idf, lead) never imports it."""
        torch = sys.modules.get("torch")
        if torch is not None and torch.get_num_threads() != self.threads:
            torch.set_num_threads(self.threads)

    def _article(self, row: dict[str, Any], index: int) -> Article | BadRecord:
        c = self.columns
        rid = row.get(c.id)
        where = str(row.get(c.where) or "") if c.where else ""
        if rid is None or rid == "":
            return BadRecord(
                where or f"row {index} of a batch",
                f"no {c.id!r} field; every record needs an id (name the field with --id-field / id_column)",
            )
        return record_to_article(row, where or f"id {rid}", str(rid), self.fields)

    def __call__(self, batch: pa.Table) -> pa.Table:
        if self._load_error is not None:
            raise self._load_error
        self._pin_threads()
        read = [self._article(row, i) for i, row in enumerate(batch.to_pylist())]
        bad = [r for r in read if isinstance(r, BadRecord)]
        articles = [r for r in read if isinstance(r, Article)]
        good, failed = run_step_safely(self.step, articles) if articles else ([], [])
        bad += failed
        if self.output == "json":
            return _json_table(good, bad)
        return _columns_table(good, bad)


def _json_table(good: list[dict[str, Any]], bad: list[BadRecord]) -> pa.Table:
    import pyarrow as pa

    return pa.table(
        {
            "id": pa.array([r["id"] for r in good] + [b.id for b in bad], pa.string()),
            RECORD: pa.array([json.dumps(r, ensure_ascii=False) for r in good] + [None] * len(bad), pa.string()),
            ERROR: pa.array([None] * len(good) + [b.reason for b in bad], pa.string()),
            WHERE: pa.array([None] * len(good) + [b.where for b in bad], pa.string()),
        }
    )


def _columns_table(good: list[dict[str, Any]], bad: list[BadRecord]) -> pa.Table:
    import pyarrow as pa

    rows = good + [{"id": b.id} for b in bad]
    keys = list(dict.fromkeys(k for r in rows for k in r)) or ["id"]
    data: dict[str, Any] = {k: [r.get(k) for r in rows] for k in keys}
    data["id"] = pa.array(data["id"], pa.string())
    data[ERROR] = pa.array([None] * len(good) + [b.reason for b in bad], pa.string())
    data[WHERE] = pa.array([None] * len(good) + [b.where for b in bad], pa.string())
    return pa.table(data)
