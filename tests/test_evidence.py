"""Evidence for topic labels (#18): TopicClassifier.explain gives, per label, the passage of the article that scored
highest for it (an exact substring); `classify --evidence` writes it (JSONL, CSV); the evaluation report shows it
beside the worst errors and gives label rates by article length."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from test_classifier import make_data
from tiny_models import FILLER

from newsdesk.cli import main
from newsdesk.distributed import loaders
from newsdesk.errors import NewsdeskError
from newsdesk.evaluation import evaluate_topics
from newsdesk.evaluation.topics import length_bins
from newsdesk.models.topics.classifier import TopicClassifier
from newsdesk.models.topics.evidence import best_passages, passage_spans
from newsdesk.models.topics.training_args import TrainingArgs

DEFENCE = "The army sent troops and tanks, and the navy moved a missile brigade."
LAW = "A jury heard the judge, and the prosecutor asked the court for a verdict."
ARTICLE = "\n\n".join(
    [
        "Today the city said the weather was new.",
        "People went to school, and the music played in the garden all year.",
        DEFENCE,
        "A film about the garden was new this year, people said.",
        LAW,
        "The weather today was a new thing for the city.",
    ]
)


@pytest.fixture(scope="module")
def tfidf() -> TopicClassifier:
    texts, labels = make_data(300)
    return TopicClassifier("tfidf").fit(texts, labels)


# ---- passages ---------------------------------------------------------------------------------------------------
def test_passages_are_exact_substrings_packed_within_paragraphs() -> None:
    text = "One two. Three four. Five six. Seven eight.\nNine ten.\u00a0Eleven twelve."
    spans = passage_spans(text, max_sentences=3)
    assert [text[s:e] for s, e in spans] == [
        "One two. Three four. Five six.",
        "Seven eight.",
        "Nine ten.\u00a0Eleven twelve.",  # the no-break space is the article's own
    ]
    long = " ".join(f"Sentence number {i} has five words." for i in range(6))
    assert [long[s:e].count(".") for s, e in passage_spans(long, max_words=12)] == [2, 2, 2]
    assert passage_spans("") == [] and passage_spans("   \n ") == []


def test_ties_go_to_the_first_passage() -> None:
    flat = lambda texts: np.full((len(texts), 1), 0.5)  # noqa: E731
    (found,) = best_passages(flat, ["x"], ["First one.\nSecond one."], [["x"]])
    assert found["x"].text == "First one." and found["x"].start == 0


# ---- explain ----------------------------------------------------------------------------------------------------
def test_explain_gives_the_passage_that_mentions_the_topic(tfidf: TopicClassifier) -> None:
    assert tfidf.predict([ARTICLE]) == [["defence", "law"]]
    (found,) = tfidf.explain([ARTICLE])
    assert set(found) == {"defence", "law"}  # the labels the article carries
    for ev in found.values():
        assert ARTICLE[ev.start : ev.end] == ev.text  # a real passage, never made up
    assert found["defence"].text == DEFENCE and found["law"].text == LAW
    assert found["law"].score == pytest.approx(tfidf.predict_proba([LAW])[0, tfidf.labels_.index("law")])
    # Every label when asked, or one list per text; empty and label-less texts give nothing.
    every = tfidf.explain([ARTICLE, "Sunny weather."], labels=tfidf.labels_)
    assert set(every[0]) == set(tfidf.labels_) and every[0]["law"].text == LAW
    assert tfidf.explain([ARTICLE, "", ARTICLE], [["law"], ["law"], []]) == [{"law": found["law"]}, {}, {}]
    with pytest.raises(NewsdeskError, match="unknown label"):
        tfidf.explain([ARTICLE], labels=["sports"])


def test_explain_with_an_encoder_backend(tiny_bert: Path) -> None:
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    texts, labels = [], []
    for i in range(60):
        lab = ["defence", "law"][i % 2] if i % 3 else None
        words = list(rng.choice(FILLER, 4)) + (
            {"defence": ["troops", "army", "navy"], "law": ["court", "judge", "jury"]}[lab] if lab else []
        )
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append([lab] if lab else [])
    args = TrainingArgs(epochs=8, batch_size=8, lora_layers=2, learning_rate=5e-3, head_learning_rate=5e-2, holdout=0)
    clf = TopicClassifier("embedding", base=str(tiny_bert), chunk_tokens=16, chunk_overlap=4, device="cpu")
    clf.fit(texts, labels, args=args)
    article = (
        "the city said today.\nthe army sent troops and the navy.\npeople said the music was new.\n"
        "the judge and the jury at the court."
    )
    (found,) = clf.explain([article], labels=clf.labels_)
    passages = [article[s:e] for s, e in passage_spans(article)]
    proba = clf.predict_proba(passages)
    for j, lab in enumerate(clf.labels_):
        ev = found[lab]
        assert article[ev.start : ev.end] == ev.text
        assert ev.score == pytest.approx(proba[:, j].max())  # the highest-scoring passage
    assert "army" in found["defence"].text and "court" in found["law"].text


# ---- classify --evidence ----------------------------------------------------------------------------------------
ROWS = [{"id": "a", "text": ARTICLE}, {"id": "b", "text": "Sunny weather in the garden."}]


@pytest.fixture
def with_tfidf(monkeypatch: pytest.MonkeyPatch, tfidf: TopicClassifier) -> None:
    monkeypatch.setattr(loaders, "load_classifier", lambda name, **options: tfidf)


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_classify_evidence_jsonl_and_csv(tmp_path: Path, with_tfidf: None) -> None:
    src = _write(tmp_path / "in.jsonl", ROWS)
    out = tmp_path / "out.jsonl"
    assert main(["classify", str(src), "-o", str(out), "--evidence", "--quiet"]) == 0
    a, b = [json.loads(line) for line in out.read_text().splitlines()]
    assert a["labels"] == ["defence", "law"] and a["evidence"] == {"defence": DEFENCE, "law": LAW}
    assert b["labels"] == [] and b["evidence"] == {}
    plain = tmp_path / "plain.jsonl"
    assert main(["classify", str(src), "-o", str(plain), "--quiet"]) == 0
    assert [{k: v for k, v in r.items() if k != "evidence"} for r in (a, b)] == [
        json.loads(line) for line in plain.read_text().splitlines()
    ]  # the same labels and scores, with or without evidence
    out_csv = tmp_path / "out.csv"
    assert main(["classify", str(src), "-o", str(out_csv), "--evidence", "--quiet"]) == 0
    rows = list(csv.DictReader(out_csv.open()))
    assert [c for c in rows[0] if c.startswith("evidence_")] == [
        "evidence_defence",
        "evidence_foreign_policy",
        "evidence_law",
    ]
    assert (rows[0]["evidence_defence"], rows[0]["evidence_law"], rows[0]["evidence_foreign_policy"]) == (
        DEFENCE,
        LAW,
        "",
    )
    assert rows[1]["evidence_law"] == ""


def test_analyze_evidence(tmp_path: Path, with_tfidf: None) -> None:
    src = _write(tmp_path / "in.jsonl", ROWS[:1])
    out = tmp_path / "o.jsonl"
    assert main(["analyze", str(src), "-o", str(out), "--summary-model", "lead", "--evidence", "--quiet"]) == 0
    assert json.loads(out.read_text())["evidence"]["law"] == LAW


# ---- evaluation -------------------------------------------------------------------------------------------------
def test_report_shows_the_evidence_beside_an_error(tmp_path: Path, tfidf: TopicClassifier) -> None:
    # The article is about defence and law, but the gold says only defence: law is a false positive.
    rows = [
        {"id": "x", "text": ARTICLE, "labels": ["defence"]},
        {"id": "y", "text": "The weather was new today.", "labels": []},
    ]
    res = evaluate_topics(rows, {"tfidf": tfidf}, n_boot=0)
    (err,) = res.to_dict()["systems"][0]["worst_errors"]
    assert (err["id"], err["label"], err["error"], err["evidence"]) == ("x", "law", "false positive", LAW)
    page = res.write_report(tmp_path / "r").read_text()
    row = next(r for r in re.findall(r"<tr>.*?</tr>", page, re.S) if "false positive" in r)
    assert "<td>x</td>" in row and html.escape(LAW) in row
    assert LAW in (tmp_path / "r" / "report.md").read_text()
    # A predictions file's own evidence is shown when there is no model to ask.
    preds = [
        {"id": "x", "labels": ["defence", "law"], "evidence": {"law": "from the file"}},
        {"id": "y", "labels": []},
    ]
    d = evaluate_topics(rows, None, predictions={"file": preds}, n_boot=0).to_dict()
    assert d["systems"][0]["worst_errors"][0]["evidence"] == "from the file"


def test_label_rates_by_article_length() -> None:
    # Eight articles of 1..8 words (listed out of order): quartiles by rank are {1,2}, {3,4}, {5,6}, {7,8} words.
    lengths = [5, 1, 8, 3, 2, 7, 4, 6]
    gold = {1: ["law"], 2: [], 3: ["law"], 4: ["law"], 5: [], 6: [], 7: ["law"], 8: ["law"]}
    # The "system" says law on every article of 5 words or more: it inflates with length.
    rows = [{"id": f"a{n}", "text": " ".join(["word"] * n), "labels": gold[n]} for n in lengths]
    preds = [{"id": f"a{n}", "labels": ["law"] if n >= 5 else []} for n in lengths]
    d = evaluate_topics(rows, None, predictions={"long": preds}, n_boot=0).to_dict()
    assert [(b["name"], b["min_words"], b["max_words"], b["n"]) for b in d["length_bins"]] == [
        ("Q1", 1, 2, 2),
        ("Q2", 3, 4, 2),
        ("Q3", 5, 6, 2),
        ("Q4", 7, 8, 2),
    ]
    assert d["gold_rates_by_length"]["law"] == [0.5, 1.0, 0.0, 1.0]
    assert d["systems"][0]["rates_by_length"]["law"] == [0.0, 0.0, 1.0, 1.0]
    assert [len(b) for b in length_bins([3, 1, 2])] == [1, 1, 1] and length_bins([]) == []
    table = evaluate_topics(rows, None, predictions={"long": preds}, n_boot=0).table()
    assert "label rates by article length" in table and "Q4 (7–8 words, n=2)" in table
