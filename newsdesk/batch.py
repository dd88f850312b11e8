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


def batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
    from tqdm.auto import tqdm

    stats = RunStats()
    start = time.perf_counter()
    bar = tqdm(total=total, unit="article", file=sys.stderr, disable=not progress, dynamic_ncols=True, desc="newsdesk")

    def fail(bad: BadRecord) -> None:
        stats.failed += 1
        stats.errors.append(bad)
        errors.write(bad)
        bar.update(1)

    def todo() -> Iterator[Article]:
        for rec in records:
            if isinstance(rec, BadRecord):
                fail(rec)
            elif rec.id in sink.done_ids:
                stats.skipped_done += 1
                bar.update(1)
            else:
                yield rec

    try:
        for batch in batched(todo(), batch_size):
            good, bad = run_step_safely(step, batch)
            for record in good:
                sink.write(record)
                stats.written += 1
            bar.update(len(good))
            for b in bad:
                fail(b)
            bar.set_postfix(failed=stats.failed, refresh=False)
    finally:
        bar.close()
        stats.seconds = time.perf_counter() - start
    return stats
