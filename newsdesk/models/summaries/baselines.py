"""Extractive baselines: ``lead`` (the first sentences) and ``extractive`` (the most central sentences)."""

from __future__ import annotations

import math
from collections import Counter

from newsdesk.models.summaries.sentences import content_sentences, content_words, fit_words
from newsdesk.text import split_sentences


class LeadSummarizer:
    """The first ``k`` sentences (LEAD-k), within ``max_words`` if given."""

    name = "lead"

    def __init__(self, k: int = 3) -> None:
        self.k = k

    def summarize_one(self, text: str, max_words: int | None = None) -> str:
        return " ".join(fit_words(split_sentences(text)[: self.k], max_words))


def centrality_scores(sentences: list[str]) -> list[float]:
    """Each sentence's cosine similarity to the whole text (tf-idf over the text's own sentences), with a mild
    preference for earlier sentences, as news puts what matters first."""
    toks = [content_words(s) for s in sentences]
    df = Counter(t for ts in toks for t in set(ts))
    n = len(sentences)
    idf = {t: math.log((1 + n) / (1 + c)) + 1 for t, c in df.items()}
    centroid: Counter[str] = Counter()
    for ts in toks:
        centroid.update(ts)
    cnorm = math.sqrt(sum((c * idf[t]) ** 2 for t, c in centroid.items())) or 1.0
    scores = []
    for i, ts in enumerate(toks):
        tf = Counter(ts)
        dot = sum(c * idf[t] * centroid[t] * idf[t] for t, c in tf.items())
        norm = math.sqrt(sum((c * idf[t]) ** 2 for t, c in tf.items())) or 1.0
        scores.append(dot / (norm * cnorm) * (1.0 / (1.0 + 0.1 * i)))
    return scores


class CentralSummarizer:
    """The ``k`` sentences closest to the text as a whole (tf-idf centroid), in their original order."""

    name = "extractive"

    def __init__(self, k: int = 3) -> None:
        self.k = k

    def summarize_one(self, text: str, max_words: int | None = None) -> str:
        sentences = content_sentences(text) or split_sentences(text)
        if len(sentences) <= self.k:
            return " ".join(fit_words(sentences, max_words))
        scores = centrality_scores(sentences)
        best = sorted(sorted(range(len(sentences)), key=lambda i: -scores[i])[: self.k])
        return " ".join(fit_words([sentences[i] for i in best], max_words))
