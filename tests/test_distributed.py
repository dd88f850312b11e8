"""`--engine ray` and `newsdesk.distributed` on a real local Ray instance (two CPUs): the same records as the local
engine, bad records reported, resume, a worker killed mid-run, Parquet in and out, and a clear error without Ray."""

from __future__ import annotations

import functools
import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from newsdesk.articles import read_articles
from newsdesk.batch import run_batches
from newsdesk.cli import main
from newsdesk.distributed import StepSpec, map_step, run_job
from newsdesk.distributed.loaders import load_classifier
from newsdesk.pipelines import classify_step
from newsdesk.sinks import ErrorLog, RecordSink, spool_path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="module")
def ray_local(tmp_path_factory: pytest.TempPathFactory):
    """One Ray instance for the module, with the workers' caches in a temp dir and nothing fetched online."""
    ray = pytest.importorskip("ray")
    env = {
        "NEWSDESK_CACHE": os.environ.get("NEWSDESK_TEST_CACHE") or str(tmp_path_factory.mktemp("ray-cache")),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        logging_level=logging.WARNING,
        runtime_env={"env_vars": env},
    )
    # The fake models below are defined here; the workers cannot import this file, so they get them by value.
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield ray
    ray.shutdown()


class FakeClassifier:
    """'war' → defence, 'court' → law; fails on 'POISON'."""

    labels_ = ["defence", "law"]
    thresholds_ = np.array([0.5, 0.5])

    def predict_proba(self, texts):
        if any("POISON" in t for t in texts):
            raise ValueError("tokenizer choked")
        return np.array([[0.9 if "war" in t else 0.1, 0.8 if "court" in t else 0.2] for t in texts])

    def labels_from_proba(self, proba):
        return [[lab for lab, p, t in zip(self.labels_, row, self.thresholds_, strict=True) if p >= t] for row in proba]


class KillsItsWorkerOnce:
    """The tf-idf model, except that the first worker to call it kills its own process (SIGKILL: no cleanup,
    no exception), as an out-of-memory kill or a lost node would."""

    def __init__(self, marker: str) -> None:
        self.model = load_classifier("tfidf")
        self.marker = marker
        self.labels_ = self.model.labels_

    def predict_proba(self, texts):
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return self.model.predict_proba(texts)
        os.kill(os.getpid(), signal.SIGKILL)

    def labels_from_proba(self, proba):
        return self.model.labels_from_proba(proba)


def lines(p: Path) -> list[dict]:
    return [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


def without_timing(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def run_cli(*argv: str) -> int:
    return main([*argv, "--quiet"])


@pytest.mark.parametrize("model", ["tfidf", pytest.param("default", marks=pytest.mark.slow)])
def test_classify_on_ray_writes_what_the_local_engine_writes(ray_local, tmp_path: Path, model: str) -> None:
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    assert run_cli("classify", str(SEEDS), "-o", str(local), "--model", model) == 0
    argv = ["classify", str(SEEDS), "-o", str(on_ray), "--model", model, "--engine", "ray", "--workers", "2"]
    assert run_cli(*argv) == 0
    # Byte for byte: the same labels, the same scores, in the same order (several batches over two workers).
    assert on_ray.read_bytes() == local.read_bytes()
    assert len(lines(on_ray)) == 37


def test_analyze_on_ray_matches_the_local_engine(ray_local, tmp_path: Path) -> None:
    local, on_ray = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    argv = ["analyze", str(SEEDS), "--topic-model", "tfidf", "--summary-model", "lead", "--batch-size", "8"]
    argv += ["--evidence"]
    assert run_cli(*argv, "-o", str(local)) == 0
    assert run_cli(*argv, "-o", str(on_ray), "--engine", "ray") == 0
    expected = without_timing(lines(local))
    assert without_timing(lines(on_ray)) == expected and len(expected) == 37
    assert all(r["summary"] and "labels" in r for r in expected)
    assert all(set(r["evidence"]) == set(r["labels"]) for r in expected) and any(r["labels"] for r in expected)


def test_bad_records_go_to_the_errors_file_and_the_rest_is_written(ray_local, tmp_path: Path) -> None:
    good = [{"id": str(i), "text": f"story {i} about the war" if i % 2 else f"story {i}"} for i in range(7)]
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            [
                json.dumps(good[0]),
                "{broken",
                json.dumps({"id": "empty", "text": " "}),
                *map(json.dumps, good[1:4]),
                json.dumps({"id": "p", "text": "POISON"}),
                *map(json.dumps, good[4:6]),
                json.dumps({"id": "1", "text": "the same id again"}),
                json.dumps(good[6]),
            ]
        )
        + "\n"
    )

    def run(engine: str) -> tuple[Path, Path]:
        out, errors = tmp_path / f"{engine}.jsonl", tmp_path / f"{engine}.errors.jsonl"
        log = ErrorLog(errors)
        with RecordSink(out) as sink:
            if engine == "local":
                step = functools.partial(classify_step, FakeClassifier())
                stats = run_batches(read_articles(src), step, sink, log, batch_size=2)
            else:
                spec = StepSpec("classify", classifier=FakeClassifier)
                stats = run_job(spec, read_articles(src), sink, log, workers=2, batch_size=2)
        log.close()
        assert stats.written == 7 and stats.failed == 4
        return out, errors

    (local, local_errors), (on_ray, ray_errors) = run("local"), run("ray")
    assert on_ray.read_bytes() == local.read_bytes()
    assert [r["id"] for r in lines(on_ray)] == [g["id"] for g in good]
    errors = lines(ray_errors)
    # The same errors; on Ray every reader error comes first, since the driver reads the inputs before the workers run.
    assert sorted(errors, key=str) == sorted(lines(local_errors), key=str)
    assert [(e["where"], e["id"]) for e in errors] == [
        (f"{src}:2", None),
        (f"{src}:3", "empty"),
        (f"{src}:10", "1"),
        (f"{src}:7", "p"),
    ]
    assert "duplicate id" in errors[2]["error"] and errors[3]["error"] == "ValueError: tokenizer choked"


def test_map_step_turns_a_failing_article_into_an_error_row(ray_local) -> None:
    rows = [
        {"id": "1", "text": "A war began."},
        {"id": "2", "text": "POISON in the court"},
        {"id": "3", "text": "The court ruled on the war."},
        {"id": "4", "text": ""},
        {"id": "5", "text": "Sunny weather."},
    ]
    ds = ray_local.data.from_items(rows)
    out = map_step(ds, "classify", classifier=FakeClassifier, workers=2, batch_size=2)
    got = {r["id"]: r for r in out.take_all()}
    assert set(got) == {"1", "2", "3", "4", "5"}
    assert got["3"]["labels"] == ["defence", "law"] and got["3"]["scores"] == {"defence": 0.9, "law": 0.8}
    assert got["5"]["labels"] == [] and got["5"]["error"] is None
    assert "tokenizer choked" in got["2"]["error"] and got["2"]["labels"] is None
    assert "'text' is empty" in got["4"]["error"]


def test_resume_on_ray_skips_the_ids_already_written(ray_local, tmp_path: Path, capsys) -> None:
    argv = ["summarize", str(SEEDS), "--model", "lead", "--max-words", "40"]
    full = tmp_path / "full.jsonl"
    assert run_cli(*argv, "-o", str(full)) == 0
    head = full.read_text().splitlines(keepends=True)
    out = tmp_path / "out.jsonl"
    out.write_text("".join(head[:10]) + head[10][:25])  # ten whole lines and one cut by a crash
    assert main([*argv, "-o", str(out), "--engine", "ray", "--resume"]) == 0
    assert "27 written" in capsys.readouterr().err
    assert out.read_text().splitlines(keepends=True)[:10] == head[:10]
    assert without_timing(lines(out)) == without_timing(lines(full))


def test_a_worker_killed_mid_run_loses_nothing_and_repeats_nothing(ray_local, tmp_path: Path) -> None:
    expected = tmp_path / "local.jsonl"
    assert run_cli("classify", str(SEEDS), "-o", str(expected), "--model", "tfidf") == 0
    marker = tmp_path / "killed"
    out, errors = tmp_path / "ray.jsonl", tmp_path / "ray.errors.jsonl"
    log = ErrorLog(errors)
    with RecordSink(out) as sink:
        spec = StepSpec("classify", classifier=lambda: KillsItsWorkerOnce(str(marker)))
        stats = run_job(spec, read_articles(SEEDS), sink, log, workers=2, batch_size=4)
    log.close()
    assert marker.exists()  # a worker did die
    assert stats.written == 37 and stats.failed == 0 and not errors.exists()
    assert out.read_bytes() == expected.read_bytes()


def test_parquet_in_and_out_on_ray_with_resume(ray_local, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    expected = tmp_path / "local.jsonl"
    assert run_cli("classify", str(SEEDS), "-o", str(expected), "--model", "tfidf") == 0
    want = lines(expected)
    rows = [json.loads(line) for line in (SEEDS / "articles.jsonl").read_text().splitlines()]
    table = pa.Table.from_pylist([{k: r.get(k) for k in ("id", "title", "text")} for r in rows])
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(table.slice(0, 20), first)
    pq.write_table(table.slice(19), second)  # its first row repeats the last id of a.parquet
    out = tmp_path / "topics.parquet"
    pq.write_table(pa.Table.from_pylist(want[:5]), out)  # an earlier run wrote five
    argv = [str(first), str(second), "-o", str(out), "--model", "tfidf", "--engine", "ray", "--batch-size", "8"]
    assert run_cli("classify", *argv, "--resume") == 1
    assert pq.read_table(out).to_pylist() == want and not spool_path(out).exists()
    (dup,) = lines(tmp_path / "topics.errors.jsonl")
    assert dup["id"] == rows[19]["id"] and "duplicate id" in dup["error"]


def test_parquet_output_of_the_local_engine_resumes(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    expected = tmp_path / "all.jsonl"
    assert run_cli("classify", str(SEEDS), "-o", str(expected), "--model", "tfidf") == 0
    first = tmp_path / "first.jsonl"
    first.write_text("".join((SEEDS / "articles.jsonl").read_text().splitlines(keepends=True)[:5]))
    out = tmp_path / "topics.parquet"
    assert run_cli("classify", str(first), "-o", str(out), "--model", "tfidf") == 0
    assert pq.read_table(out).num_rows == 5
    assert run_cli("classify", str(SEEDS), "-o", str(out), "--model", "tfidf") == 2  # never clobbered silently
    assert run_cli("classify", str(SEEDS), "-o", str(out), "--model", "tfidf", "--resume") == 0
    assert pq.read_table(out).to_pylist() == lines(expected)


def test_without_ray_the_ray_engine_is_a_one_line_usage_error(monkeypatch, tmp_path: Path, capsys) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as if it were not installed
    out = tmp_path / "o.jsonl"
    assert main(["classify", str(SEEDS), "-o", str(out), "--engine", "ray"]) == 2
    assert capsys.readouterr().err == "newsdesk: error: --engine ray needs Ray: pip install 'newsdesk[ray]'\n"
    assert not out.exists()
    # The local engine, the CLI and the package itself never import Ray.
    code = "import sys, newsdesk.cli, newsdesk.distributed; assert 'ray' not in sys.modules, 'ray imported'"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0
