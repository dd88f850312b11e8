"""Extractive baselines: ``lead`` (the first sentences) and ``extractive`` (the most central sentences)."""

from __future__ import annotations

import numpy as np

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
    """Each sentence's cosine similarity to the whole text, in tf-idf over the text's own sentences (scikit-learn's
    ``TfidfVectorizer``: raw counts of content words, smoothed idf, no normalisation; the text is the sum of its
    sentences), with a mild preference for earlier sentences, as news puts what matters first."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    vectorizer = TfidfVectorizer(tokenizer=content_words, lowercase=False, token_pattern=None, norm=None)
    try:
        X = vectorizer.fit_transform(sentences)
    except ValueError:  # not one content word in the text
        return [0.0] * len(sentences)
    similarity = cosine_similarity(X, np.asarray(X.sum(axis=0)))[:, 0]
    return [float(s) * (1.0 / (1.0 + 0.1 * i)) for i, s in enumerate(similarity)]


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
