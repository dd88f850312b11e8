"""The batch runner: stream of articles → batches → a step function → records, with progress, resume and
per-record errors.

A step is a plain callable ``step(articles: list[Article]) -> list[dict]`` returning one record (holding
``"id"``) per article, in order (see :mod:`newsdesk.pipelines`), so the same step can run under another
engine (Ray Data ``map_batches``, Spark) when one machine is not enough.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from newsdesk.articles import Article, BadRecord
from newsdesk.runtime import batched
from newsdesk.sinks import ErrorLog, RecordSink

Step = Callable[[list[Article]], list[dict]]


@dataclass
class RunStats:
    """What a batch run did."""

    written: int = 0
    skipped_done: int = 0
    failed: int = 0
    seconds: float = 0.0
    errors: list[BadRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failed == 0


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_step_safely(step: Step, batch: list[Article]) -> tuple[list[dict], list[BadRecord]]:
    """Run ``step`` on a batch; if it fails, run each article alone so one bad article fails alone.

    When every article of the batch fails the same way on its own, the fault is not in the data (a broken
    model, out of memory), so the error is raised instead of being logged once per record.
    """
    try:
        records = step(batch)
        if len(records) != len(batch):
            raise RuntimeError(f"step returned {len(records)} records for {len(batch)} articles")
        return records, []
    except Exception as batch_exc:
        if len(batch) == 1:
            return [], [BadRecord(batch[0].source or batch[0].id, _reason(batch_exc), batch[0].id)]
        good: list[dict] = []
        bad: list[BadRecord] = []
        reasons = set()
        for article in batch:
            try:
                good.extend(step([article]))
            except Exception as exc:
                reasons.add(_reason(exc))
                bad.append(BadRecord(article.source or article.id, _reason(exc), article.id))
        if not good and len(reasons) == 1:
            raise batch_exc
        return good, bad


class RunRecorder:
    """Writes what a run produces and counts it: records to the sink, bad records to the error log, with a
    progress bar. :func:`run_batches` and the Ray engine (:mod:`newsdesk.distributed`) both report through it."""

    def __init__(self, sink: RecordSink, errors: ErrorLog, *, progress: bool = False, total: int | None = None):
        from tqdm.auto import tqdm

        self.sink = sink
        self.errors = errors
        self.stats = RunStats()
        self._start = time.perf_counter()
        self.bar = tqdm(
            total=total, unit="article", file=sys.stderr, disable=not progress, dynamic_ncols=True, desc="newsdesk"
        )

    def write(self, record: dict) -> None:
        self.sink.write(record)
        self.stats.written += 1
        self.bar.update(1)

    def fail(self, bad: BadRecord) -> None:
        self.stats.failed += 1
        self.stats.errors.append(bad)
        self.errors.write(bad)
        self.bar.update(1)

    def pending(self, records: Iterable[Article | BadRecord]) -> Iterator[Article]:
        """The articles still to run: bad records are logged, ids already in the sink skipped (resume)."""
        for rec in records:
            if isinstance(rec, BadRecord):
                self.fail(rec)
            elif rec.id in self.sink.done_ids:
                self.stats.skipped_done += 1
                self.bar.update(1)
            else:
                yield rec

    def close(self) -> RunStats:
        self.bar.close()
        self.stats.seconds = time.perf_counter() - self._start
        return self.stats


def run_batches(
    records: Iterable[Article | BadRecord],
    step: Step,
    sink: RecordSink,
    errors: ErrorLog,
    *,
    batch_size: int = 8,
    progress: bool = False,
    total: int | None = None,
) -> RunStats:
    """Feed ``records`` through ``step`` in batches, writing each result to ``sink`` as soon as its batch is
    done. Ids already in ``sink.done_ids`` are skipped (resume); bad records go to ``errors``."""
    run = RunRecorder(sink, errors, progress=progress, total=total)
    try:
        for batch in batched(run.pending(records), batch_size):
            good, bad = run_step_safely(step, batch)
            for record in good:
                run.write(record)
            for b in bad:
                run.fail(b)
            run.bar.set_postfix(failed=run.stats.failed, refresh=False)
    finally:
        run.close()
    return run.stats
