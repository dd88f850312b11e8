"""The project's own labelled sample set, ``seeds/articles.jsonl``: format, label coverage and faithful summaries.

The labelling rules are in ``docs/labelling-guide.md``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newsdesk.articles import Article, read_articles

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ARTICLES = SEEDS / "articles.jsonl"
LABELS = ("defence", "foreign_policy", "law")
FIELDS: dict[str, type] = {"id": str, "title": str, "text": str, "labels": list, "summary": str}
MIN_PER_COMBINATION: dict[tuple[str, ...], int] = {
    (): 6,
    ("defence",): 4,
    ("foreign_policy",): 4,
    ("law",): 4,
    ("defence", "foreign_policy"): 3,
    ("defence", "law"): 3,
    ("foreign_policy", "law"): 3,
    ("defence", "foreign_policy", "law"): 3,
}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")  # 1,200 / 3.5 / 2019
NAME = re.compile(r"[A-Z][A-Za-z]+")
SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"']?[A-Z0-9])")
LONGEST_COPIED_RUN = 11  # words; a summary sharing a longer run with its article is copying, not abstracting


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    lines = ARTICLES.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "blank line in articles.jsonl"
    parsed = [json.loads(line) for line in lines]
    assert all(isinstance(rec, dict) for rec in parsed)
    return parsed


def _sentences(text: str) -> list[str]:
    return [s for s in SENTENCE_BREAK.split(text.strip()) if s]


def _missing_facts(summary: str, article: str) -> set[str]:
    """Numbers, and capitalised words not opening a sentence, that the summary uses but the article lacks."""
    article_numbers = set(NUMBER.findall(article))
    missing = {n for n in NUMBER.findall(summary) if n not in article_numbers}
    for sentence in _sentences(summary):
        opening = len(sentence) - len(sentence.lstrip("\"'"))
        for match in NAME.finditer(sentence):
            word = match.group()
            if match.start() > opening and not re.search(rf"\b{re.escape(word)}\b", article):
                missing.add(word)
    return missing


def _longest_shared_run(summary: str, article: str) -> int:
    """Length in words of the longest word sequence the summary copies from the article (case-insensitive)."""
    words = summary.lower().split()
    haystack = " " + " ".join(article.lower().split()) + " "
    longest = 0
    for start in range(len(words)):
        end = start + longest + 1
        while end <= len(words) and f" {' '.join(words[start:end])} " in haystack:
            longest = end - start
            end += 1
    return longest


def test_fact_check_helpers_catch_planted_errors() -> None:
    article = "The court fined Mark Cole 4,000 in 2019.\n\nJudge Ann Reyes agreed with the 3.5 per cent figure."
    assert _missing_facts("Mark Cole was fined 4,000 in 2019. Judge Ann Reyes cited 3.5 per cent.", article) == set()
    assert _missing_facts("Mark Cole was fined 5,000 in 2019. Judge Ann Price cited 3.5 per cent.", article) == {
        "5,000",
        "Price",
    }
    assert _missing_facts("Fined in 2018, he appealed.", article) == {"2018"}
    assert _longest_shared_run("the court fined mark cole a lot", article) == 5


def test_records_have_exactly_the_expected_fields(records: list[dict[str, Any]]) -> None:
    assert len(records) >= 32
    for rec in records:
        assert set(rec) == set(FIELDS), rec.get("id")
        for name, kind in FIELDS.items():
            assert isinstance(rec[name], kind), (rec["id"], name)
        assert all(isinstance(label, str) for label in rec["labels"]), rec["id"]
        for name in ("id", "title", "text", "summary"):
            assert rec[name].strip() == rec[name] and rec[name], (rec["id"], name)


def test_ids_are_unique_and_well_formed(records: list[dict[str, Any]]) -> None:
    ids = [rec["id"] for rec in records]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"seed-\d{3}", i) for i in ids), ids


def test_article_lengths(records: list[dict[str, Any]]) -> None:
    counts = {rec["id"]: len(rec["text"].split()) for rec in records}
    assert all(150 <= n <= 600 for n in counts.values()), counts
    assert sum(n >= 450 for n in counts.values()) >= 5, "several articles should be long (450-600 words)"
    assert max(counts.values()) - min(counts.values()) >= 250, "lengths should vary"


def test_article_layout(records: list[dict[str, Any]]) -> None:
    for rec in records:
        paragraphs = rec["text"].split("\n\n")
        assert len(paragraphs) >= 3, rec["id"]
        assert all(p.strip() == p and p and "\n" not in p for p in paragraphs), rec["id"]
        assert not rec["text"].startswith(rec["title"]), f"{rec['id']}: title repeated in text"


def test_labels_come_from_the_scheme(records: list[dict[str, Any]]) -> None:
    for rec in records:
        assert set(rec["labels"]) <= set(LABELS), rec["id"]
        assert rec["labels"] == sorted(set(rec["labels"]), key=LABELS.index), f"{rec['id']}: duplicate or unordered"


def test_every_label_combination_is_covered(records: list[dict[str, Any]]) -> None:
    counts = Counter(tuple(rec["labels"]) for rec in records)
    short = {combo: counts[combo] for combo, need in MIN_PER_COMBINATION.items() if counts[combo] < need}
    assert not short, f"too few articles for {short}"


def test_summaries_have_the_reference_shape(records: list[dict[str, Any]]) -> None:
    for rec in records:
        summary = rec["summary"]
        assert 35 <= len(summary.split()) <= 70, rec["id"]
        assert 2 <= len(_sentences(summary)) <= 3, rec["id"]


def test_summary_names_and_numbers_appear_in_the_article(records: list[dict[str, Any]]) -> None:
    missing = {rec["id"]: _missing_facts(rec["summary"], rec["text"]) for rec in records}
    assert not {k: v for k, v in missing.items() if v}


def test_summaries_are_abstractive(records: list[dict[str, Any]]) -> None:
    for rec in records:
        for sentence in _sentences(rec["summary"]):
            assert sentence not in rec["text"], f"{rec['id']}: summary sentence copied from the article"
        assert _longest_shared_run(rec["summary"], rec["text"]) <= LONGEST_COPIED_RUN, rec["id"]


def test_seeds_folder_holds_only_article_files() -> None:
    # The CLI reads the whole folder as input, so anything else there would be read as an article.
    others = [p.name for p in SEEDS.iterdir() if not p.name.startswith(".") and p.suffix != ".jsonl"]
    assert not others


def test_project_reader_reads_every_seed(records: list[dict[str, Any]]) -> None:
    read = list(read_articles(ARTICLES))
    assert all(isinstance(a, Article) for a in read)
    assert [a.id for a in read] == [rec["id"] for rec in records]
    assert all(a.title and set(a.meta) == {"labels", "summary"} for a in read)
