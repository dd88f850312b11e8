"""The shipped default model on real text: the seed article, a relevant passage deep in a long article, and the
project's labelled sample articles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from newsdesk.models.topics.classifier import TopicClassifier

REPO = Path(__file__).resolve().parents[1]

# Written for this test: a long, topic-free story, and a paragraph about a criminal trial.
GARDEN = (
    "The spring flower show opened on Saturday in the town park, where volunteers had spent weeks preparing the "
    "beds of tulips and daffodils. Visitors walked along the gravel paths, stopping to admire a display of rare "
    "orchids grown by a retired teacher who has entered the show for twenty years. Children painted flower pots at "
    "a long table near the bandstand, and a brass band played through the afternoon. The organisers said the "
    "weather had been kind, with sunshine after a week of rain, and that the tea tent sold out of scones by three "
    "o'clock. "
)
TRIAL = (
    "Meanwhile, at the county court, prosecutors charged a man with murder after a six-month police investigation. "
    "The judge refused bail and set a trial date; the defence lawyer said his client would plead not guilty, and "
    "detectives appealed for witnesses to come forward. "
)


@pytest.fixture(scope="module")
def default() -> TopicClassifier:
    return TopicClassifier.load("default")


def _seed_text(shared_dir: Path) -> str:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("no seed article in the shared folder")
    return seeds[0].read_text(encoding="utf-8")


@pytest.mark.slow
def test_seed_article_is_defence_and_law(default: TopicClassifier, shared_dir: Path) -> None:
    assert {"defence", "law"} <= set(default.predict([_seed_text(shared_dir)])[0])


@pytest.mark.slow
def test_seed_article_gets_all_three_labels(default: TopicClassifier, shared_dir: Path) -> None:
    assert sorted(default.predict([_seed_text(shared_dir)])[0]) == ["defence", "foreign_policy", "law"]


def test_headlines_keep_the_headline_models_decisions(default: TopicClassifier) -> None:
    """A text that fits in one encoder window is decided by the headline weights and thresholds (issue #18: the
    previous default's behaviour on NYT headlines), whatever the long-text thresholds are."""
    from newsdesk.models.topics.heads import logit

    ens = default.model_
    headlines = [
        "Pentagon Sends More Troops to the Gulf",
        "Jury Convicts Man in Subway Killing",
        "Treaty Talks With Russia Stall Over Missile Defense",
        "A Garden Show Opens in the Park",
    ]
    z = ens.member_proba(headlines)
    short = sum(w[None, :] * logit(p) for w, p in zip(ens.short_weights_, z, strict=True))
    want = short >= logit(np.asarray(default.info_["short_text_thresholds"]))[None, :]
    got = default.predict_proba(headlines) >= default.thresholds_[None, :]
    np.testing.assert_array_equal(got, want)
    assert ens.short_weights_[2].max() == 0 and ens.weights_[1].max() == 0  # each tf-idf member in its own regime


@pytest.mark.slow
def test_deep_passage_in_a_long_article_counts(default: TopicClassifier) -> None:
    law = default.labels_.index("law")
    filler = GARDEN * 6  # ~550 words: the trial paragraph lands beyond the first windows
    without, with_deep = default.predict_proba([filler + GARDEN, filler + TRIAL * 3 + GARDEN])[:, law]
    assert with_deep > without + 0.3
    assert "law" in default.predict([filler + TRIAL * 3 + GARDEN])[0]
    # ...while length alone does not make a topic-free article look like one.
    assert default.predict([GARDEN * 12]) == [[]]


@pytest.mark.slow
def test_sample_articles(default: TopicClassifier) -> None:
    path = REPO / "seeds" / "articles.jsonl"
    if not path.is_file():
        pytest.skip("seeds/articles.jsonl not written yet")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pred = default.predict([f"{r['title']}\n\n{r['text']}" for r in rows])
    exact = sum(sorted(p) == sorted(r["labels"]) for p, r in zip(pred, rows, strict=True))
    assert exact / len(rows) >= 0.6
