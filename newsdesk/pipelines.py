"""Batch steps: plain functions of (model, list of articles) → one output record per article.

These are what the CLI runs through :func:`newsdesk.batch.run_batches`, and what a distributed engine would
map over batches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsdesk.articles import Article
    from newsdesk.models.summaries.summarizer import Summarizer
    from newsdesk.models.topics.classifier import TopicClassifier


def classify_step(
    classifier: TopicClassifier, articles: list[Article], *, evidence: bool = False
) -> list[dict[str, Any]]:
    """``{"id", "labels", "scores"}`` per article; ``scores`` holds every label's probability. With ``evidence``,
    also ``"evidence": {label: passage}`` for each label the article carries: the passage of the article that
    scored highest for it (:meth:`TopicClassifier.explain`)."""
    texts = [a.full_text for a in articles]
    proba = classifier.predict_proba(texts)
    labels = classifier.labels_from_proba(proba)
    records = [
        {
            "id": a.id,
            "labels": labs,
            "scores": {name: round(float(p), 4) for name, p in zip(classifier.labels_, row, strict=True)},
        }
        for a, labs, row in zip(articles, labels, proba, strict=True)
    ]
    if evidence:
        for rec, found in zip(records, classifier.explain(texts, labels), strict=True):
            rec["evidence"] = {lab: ev.text for lab, ev in found.items()}
    return records


def summarize_step(
    summarizer: Summarizer, articles: list[Article], *, max_words: int | None = None
) -> list[dict[str, Any]]:
    """``{"id", "summary", ...}`` per article, plus what the summariser reports (model, guard actions, timing)."""
    results = summarizer.summarize(
        [a.text for a in articles], max_words=max_words, batch_size=len(articles), return_details=True
    )
    return [{"id": a.id, **r.to_dict()} for a, r in zip(articles, results, strict=True)]


def analyze_step(
    classifier: TopicClassifier,
    summarizer: Summarizer,
    articles: list[Article],
    *,
    max_words: int | None = None,
    evidence: bool = False,
) -> list[dict[str, Any]]:
    """Topics (with ``evidence``, as :func:`classify_step`) and summary in one record per article."""
    topics = classify_step(classifier, articles, evidence=evidence)
    summaries = summarize_step(summarizer, articles, max_words=max_words)
    return [{**t, **s} for t, s in zip(topics, summaries, strict=True)]
