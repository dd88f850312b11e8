"""`newsdesk train` end to end on small generated files, then `newsdesk classify --model DIR`; bad training files."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from newsdesk.cli import main
from newsdesk.models.topics.classifier import MODEL_FILE, TopicClassifier
from newsdesk.models.topics.labels import parse_labels
from newsdesk.training.data import read_labelled

VOCAB = {
    "sport": ["match", "goal", "team", "league", "coach", "season", "striker"],
    "science": ["study", "researchers", "cells", "planet", "telescope", "physics", "experiment"],
}
FILLER = ["the", "a", "on", "in", "said", "today", "people", "city", "new", "week"]


def rows(n: int, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        labs = sorted(rng.sample(list(VOCAB), rng.choice([0, 1, 1, 2])))
        words = [rng.choice(FILLER) for _ in range(5)] + [w for lab in labs for w in rng.sample(VOCAB[lab], 3)]
        rng.shuffle(words)
        out.append({"id": f"r{i}", "title": f"Story {i}", "body": " ".join(words), "topics": labs})
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_train_then_classify(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = write_jsonl(tmp_path / "train.jsonl", rows(120))
    dev = write_jsonl(tmp_path / "dev.jsonl", rows(40, seed=9))
    out = tmp_path / "model"
    code = main(
        [
            "train",
            "--data",
            str(data),
            "--labels-field",
            "topics",
            "--text-field",
            "body",
            "--base",
            "tfidf",
            "--dev",
            str(dev),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "macro F1" in err and (out / MODEL_FILE).is_file()
    articles = write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "x", "body": "the striker scored a goal for the team"}, {"id": "y", "body": "weather today"}],
    )
    assert (
        main(
            [
                "classify",
                str(articles),
                "--text-field",
                "body",
                "--model",
                str(out),
                "-o",
                str(tmp_path / "o.jsonl"),
                "--quiet",
            ]
        )
        == 0
    )
    got = {r["id"]: r for r in map(json.loads, (tmp_path / "o.jsonl").read_text().splitlines())}
    assert got["x"]["labels"] == ["sport"] and got["y"]["labels"] == []
    assert set(got["x"]["scores"]) == {"science", "sport"}
    # The same folder from Python; and --out refuses to overwrite a model without --overwrite.
    assert TopicClassifier.load(out).labels_ == ["science", "sport"]
    assert (
        main(
            [
                "train",
                "--data",
                str(data),
                "--labels-field",
                "topics",
                "--text-field",
                "body",
                "--base",
                "tfidf",
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "already holds a model" in capsys.readouterr().err


def test_train_adds_labels_to_a_model(tmp_path: Path) -> None:
    base = tmp_path / "base"
    data = rows(120)
    only_sport = [{**r, "topics": [x for x in r["topics"] if x == "sport"]} for r in data]
    write_jsonl(tmp_path / "sport.jsonl", only_sport)
    assert (
        main(
            [
                "train",
                "--data",
                str(tmp_path / "sport.jsonl"),
                "--labels-field",
                "topics",
                "--text-field",
                "body",
                "--base",
                "tfidf",
                "--out",
                str(base),
                "--quiet",
            ]
        )
        == 0
    )
    only_science = [{**r, "topics": [x for x in r["topics"] if x == "science"]} for r in data]
    write_jsonl(tmp_path / "science.jsonl", only_science)
    assert (
        main(
            [
                "train",
                "--data",
                str(tmp_path / "science.jsonl"),
                "--labels-field",
                "topics",
                "--text-field",
                "body",
                "--base",
                str(base),
                "--out",
                str(tmp_path / "both"),
                "--quiet",
            ]
        )
        == 0
    )
    clf = TopicClassifier.load(tmp_path / "both")
    assert clf.labels_ == ["sport", "science"]
    assert clf.predict(["researchers at the telescope study the planet", "the coach and the striker"]) == [
        ["science"],
        ["sport"],
    ]


def test_csv_labels(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "labels"])
        w.writerow(["1", "a goal", "sport"])
        w.writerow(["2", "a goal and a study", "sport;science"])
        w.writerow(["3", "nothing", ""])
    data = read_labelled(path)
    assert data.labels == [["sport"], ["sport", "science"], []]
    assert parse_labels('["a", "b"]', "x", "labels") == ["a", "b"]


@pytest.mark.parametrize(
    ("records", "args", "match"),
    [
        ([{"id": "1", "text": "x"}], [], "no 'labels' field"),
        ([{"id": "1", "text": "x", "labels": 3}], [], "must be a list of label names"),
        ([{"id": "1", "text": "x", "labels": [1]}], [], "must be a list of label names"),
        ([{"id": str(i), "text": f"t {i}", "labels": ["a"] if i == 0 else []} for i in range(10)], [], "too few"),
        ([{"id": "1", "text": "x", "labels": ["a"]}], ["--base", "nonsense"], "--base 'nonsense'"),
        ([{"id": "1", "labels": ["a"]}], [], "no 'text' field"),
    ],
)
def test_bad_training_files(tmp_path: Path, capsys, records, args, match) -> None:
    data = write_jsonl(tmp_path / "bad.jsonl", records)
    assert main(["train", "--data", str(data), "--base", "tfidf", "--out", str(tmp_path / "m"), *args]) == 2
    err = capsys.readouterr().err
    assert "newsdesk: error:" in err and match in err and "Traceback" not in err


def test_help_has_examples(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "examples:" in capsys.readouterr().out
