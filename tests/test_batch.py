"""The batch runner and the sinks: whole lines, resume, per-record failures."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from newsdesk.articles import Article, BadRecord
from newsdesk.batch import run_batches, run_step_safely
from newsdesk.errors import NewsdeskError
from newsdesk.sinks import ErrorLog, RecordSink, default_errors_path


def arts(n: int, prefix: str = "a") -> list[Article]:
    return [Article(id=f"{prefix}{i}", text=f"text {i}", source=f"f:{i}") for i in range(n)]


def upper_step(batch: list[Article]) -> list[dict]:
    for a in batch:
        if "BOOM" in a.text:
            raise ValueError("cannot digest BOOM")
    return [{"id": a.id, "out": a.text.upper()} for a in batch]


def read_jsonl(p: Path) -> list[dict]:
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip()]


def test_writes_every_record_in_order(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    with RecordSink(out) as sink:
        stats = run_batches(arts(7), upper_step, sink, ErrorLog(None), batch_size=3)
    assert stats.written == 7 and stats.ok
    assert [r["id"] for r in read_jsonl(out)] == [f"a{i}" for i in range(7)]


def test_one_failing_article_fails_alone(tmp_path: Path) -> None:
    items = arts(5)
    items[2] = Article(id="bad", text="BOOM", source="f:2")
    out, err = tmp_path / "o.jsonl", tmp_path / "o.errors.jsonl"
    log = ErrorLog(err)
    with RecordSink(out) as sink:
        stats = run_batches(items, upper_step, sink, log, batch_size=5)
    log.close()
    assert stats.written == 4 and stats.failed == 1
    (e,) = read_jsonl(err)
    assert e["id"] == "bad" and e["where"] == "f:2" and "cannot digest BOOM" in e["error"]


def test_bad_records_from_the_reader_are_logged(tmp_path: Path) -> None:
    err = tmp_path / "e.jsonl"
    log = ErrorLog(err)
    records = [arts(1)[0], BadRecord("f:9", "malformed JSON"), arts(1, "b")[0]]
    with RecordSink(tmp_path / "o.jsonl") as sink:
        stats = run_batches(records, upper_step, sink, log)
    log.close()
    assert stats.written == 2 and stats.failed == 1
    assert read_jsonl(err)[0] == {"id": None, "where": "f:9", "error": "malformed JSON"}


def test_a_systematic_failure_is_raised_not_logged_per_record(tmp_path: Path) -> None:
    def broken(batch):
        raise RuntimeError("model is broken")

    with RecordSink(tmp_path / "o.jsonl") as sink, pytest.raises(RuntimeError, match="model is broken"):
        run_batches(arts(4), broken, sink, ErrorLog(None), batch_size=4)


def test_existing_output_needs_resume_or_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    out.write_text('{"id": "a0"}\n')
    with pytest.raises(NewsdeskError, match="--resume"):
        RecordSink(out)
    with RecordSink(out, overwrite=True) as sink:
        assert not sink.done_ids
    assert out.read_text() == ""


def test_resume_after_a_crash_mid_line(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    # A run died after two whole lines and half of a third.
    out.write_text('{"id": "a0", "out": "TEXT 0"}\n{"id": "a1", "out": "TEXT 1"}\n{"id": "a2", "ou')
    with RecordSink(out, resume=True) as sink:
        assert sink.done_ids == {"a0", "a1"}
        stats = run_batches(arts(5), upper_step, sink, ErrorLog(None), batch_size=2)
    assert stats.skipped_done == 2 and stats.written == 3
    ids = [r["id"] for r in read_jsonl(out)]
    assert ids == ["a0", "a1", "a2", "a3", "a4"]  # no duplicate, none lost


def test_resume_refuses_a_foreign_file(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    out.write_text("not json\n")
    with pytest.raises(NewsdeskError, match="not a newsdesk output line"):
        RecordSink(out, resume=True)


def test_csv_output_and_resume(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"

    def step(batch):
        return [{"id": a.id, "labels": ["x", "y"], "scores": {"x": 0.9, "y": 0.25}} for a in batch]

    with RecordSink(out) as sink:
        run_batches(arts(2), step, sink, ErrorLog(None))
    with RecordSink(out, resume=True) as sink:
        assert sink.done_ids == {"a0", "a1"}
        run_batches(arts(3), step, sink, ErrorLog(None))
    rows = list(csv.DictReader(out.open()))
    assert [r["id"] for r in rows] == ["a0", "a1", "a2"]
    assert rows[0] == {"id": "a0", "labels": "x;y", "score_x": "0.9", "score_y": "0.25"}


def test_stale_error_log_is_replaced(tmp_path: Path) -> None:
    err = default_errors_path(tmp_path / "o.jsonl")
    assert err == tmp_path / "o.errors.jsonl"
    err.write_text('{"old": true}\n')
    ErrorLog(err).close()
    assert not err.exists()


def test_run_step_safely_checks_record_count() -> None:
    good, bad = run_step_safely(lambda b: [], arts(1))
    assert not good and "step returned 0 records" in bad[0].reason
