"""`newsdesk classify | summarize | analyze` end to end, with small stand-in models (the real ones have their
own tests): formats, stdin, CSV out, resume, bad records, exit codes, help."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from newsdesk.cli import main
from newsdesk.distributed import loaders


class FakeClassifier:
    """Scores 'war' → defence, 'court' → law; raises on 'POISON' and can be told to stop after n articles."""

    labels_ = ["defence", "law"]
    thresholds_ = np.array([0.5, 0.5])

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.seen = 0
        self.interrupt_after = interrupt_after

    def predict_proba(self, texts):
        rows = []
        for t in texts:
            if "POISON" in t:
                raise ValueError("tokenizer choked")
            self.seen += 1
            if self.interrupt_after is not None and self.seen > self.interrupt_after:
                raise KeyboardInterrupt
            rows.append([0.9 if "war" in t else 0.1, 0.8 if "court" in t else 0.2])
        return np.array(rows)

    def labels_from_proba(self, proba):
        return [[lab for lab, p, t in zip(self.labels_, row, self.thresholds_, strict=True) if p >= t] for row in proba]


@dataclass
class FakeResult:
    summary: str

    def to_dict(self):
        return {"summary": self.summary, "model": "fake"}


class FakeSummarizer:
    def summarize(self, texts, max_words=None, batch_size=8, return_details=False):
        out = [" ".join(t.split()[: max_words or 3]) for t in texts]
        return [FakeResult(s) for s in out] if return_details else out


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch):
    state = {"classifier": FakeClassifier()}
    monkeypatch.setattr(loaders, "load_classifier", lambda name, **options: state["classifier"])
    monkeypatch.setattr(loaders, "load_summarizer", lambda name, **options: FakeSummarizer())
    return state


def jsonl(p: Path) -> list[dict]:
    return [json.loads(line) for line in p.read_text().splitlines()]


def write_jsonl(p: Path, rows: list[dict]) -> Path:
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return p


ROWS = [
    {"id": "1", "text": "A war began."},
    {"id": "2", "text": "The court ruled on the war."},
    {"id": "3", "text": "Sunny weather."},
]


def test_classify_jsonl(tmp_path: Path, fakes) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    assert main(["classify", str(src), "-o", str(out), "--quiet"]) == 0
    recs = jsonl(out)
    assert [r["id"] for r in recs] == ["1", "2", "3"]
    assert recs[1] == {"id": "2", "labels": ["defence", "law"], "scores": {"defence": 0.9, "law": 0.8}}
    assert recs[2]["labels"] == []


def test_classify_csv_in_csv_out(tmp_path: Path, fakes) -> None:
    src = tmp_path / "in.csv"
    src.write_text('doc,body\na,"war, again"\nb,nothing\n')
    out = tmp_path / "out.csv"
    code = main(["classify", str(src), "--text-field", "body", "--id-field", "doc", "-o", str(out), "--quiet"])
    assert code == 0
    rows = list(csv.DictReader(out.open()))
    assert rows[0] == {"id": "a", "labels": "defence", "score_defence": "0.9", "score_law": "0.2"}


def test_folder_of_text_files(tmp_path: Path, fakes) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("court news")
    (tmp_path / "d" / "y.md").write_text("war news")
    out = tmp_path / "o.jsonl"
    assert main(["classify", str(tmp_path / "d"), "-o", str(out), "--quiet"]) == 0
    assert {r["id"]: r["labels"] for r in jsonl(out)} == {"x": ["law"], "y": ["defence"]}


def test_stdin_to_stdout(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, fakes) -> None:
    data = "".join(json.dumps(r) + "\n" for r in ROWS)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    assert main(["summarize", "-", "--quiet", "--max-words", "2"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines[0] == {"id": "1", "summary": "A war", "model": "fake"}


def test_analyze_combines_topics_and_summary(tmp_path: Path, fakes) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", ROWS[:1])
    out = tmp_path / "o.jsonl"
    assert main(["analyze", str(src), "-o", str(out), "--quiet"]) == 0
    (rec,) = jsonl(out)
    assert set(rec) >= {"id", "labels", "scores", "summary"} and rec["labels"] == ["defence"]


def test_bad_records_are_logged_and_exit_1(tmp_path: Path, fakes, capsys) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps(ROWS[0])
        + "\n{broken\n"
        + json.dumps({"id": "p", "text": "POISON"})
        + "\n"
        + json.dumps({"id": "e", "text": ""})
        + "\n"
        + json.dumps(ROWS[2])
        + "\n"
    )
    out = tmp_path / "o.jsonl"
    assert main(["classify", str(src), "-o", str(out)]) == 1
    assert [r["id"] for r in jsonl(out)] == ["1", "3"]
    errors = jsonl(tmp_path / "o.errors.jsonl")
    # Reader errors are logged as they are read; a model failure when its batch runs.
    assert [(e["where"], e["id"]) for e in errors] == [(f"{src}:2", None), (f"{src}:4", "e"), (f"{src}:3", "p")]
    assert "tokenizer choked" in next(e["error"] for e in errors if e["id"] == "p")
    assert "3 failed" in capsys.readouterr().err


def test_interrupted_run_resumes_without_duplicates(tmp_path: Path, fakes) -> None:
    rows = [{"id": str(i), "text": f"story {i}"} for i in range(10)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "o.jsonl"
    fakes["classifier"] = FakeClassifier(interrupt_after=4)
    assert main(["classify", str(src), "-o", str(out), "--quiet", "--batch-size", "2"]) == 130
    first = [r["id"] for r in jsonl(out)]
    assert first == ["0", "1", "2", "3"]
    assert main(["classify", str(src), "-o", str(out), "--quiet"]) == 2  # refuses to clobber
    fakes["classifier"] = FakeClassifier()
    assert main(["classify", str(src), "-o", str(out), "--quiet", "--resume"]) == 0
    assert [r["id"] for r in jsonl(out)] == [str(i) for i in range(10)]


def test_usage_errors_exit_2(tmp_path: Path, fakes, capsys) -> None:
    assert main(["classify", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert "missing.jsonl: no such file" in err and "Traceback" not in err
    assert not (tmp_path / "o.jsonl").exists()
    with pytest.raises(SystemExit) as exc:
        main(["classify", "--no-such-option"])
    assert exc.value.code == 2
    assert main(["classify", "-o", str(tmp_path / "o.jsonl")]) == 2


@pytest.mark.parametrize("argv", [[], ["classify"], ["summarize"], ["analyze"], ["train"], ["evaluate"]])
def test_every_help_shows_an_example(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    assert "example" in capsys.readouterr().out.lower()


def test_console_entry_point_runs_without_traceback(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "classify", str(tmp_path / "nope.csv")], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"newsdesk: error: {tmp_path / 'nope.csv'}: no such file or folder"


@pytest.mark.parametrize(("flag", "invariant"), [([], True), (["--no-batch-invariant"], False)])
@pytest.mark.parametrize("command", ["summarize", "analyze"])
def test_summaries_are_batch_invariant_unless_opted_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fakes, command: str, flag: list[str], invariant: bool
) -> None:
    seen: list[bool] = []

    def load(name, *, device, dtype, batch_invariant):
        seen.append(batch_invariant)
        return FakeSummarizer()

    monkeypatch.setattr(loaders, "load_summarizer", load)
    src = write_jsonl(tmp_path / "in.jsonl", ROWS)
    assert main([command, str(src), "-o", str(tmp_path / "out.jsonl"), "--quiet", *flag]) == 0
    assert seen == [invariant]
