"""Extractive baselines: ``lead`` (the first sentences) and ``extractive`` (the most central sentences)."""

from __future__ import annotations

import math
import re
from collections import Counter

from newsdesk.text import count_words, split_sentences, truncate_words

_TOKEN = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    str.split(
        """
        a an the and or but of in on at to for from by with as is are was were be been being it its this that these
        those he she they we you i his her their our your him them us who which what when where how not no so if
        than then there here has have had do does did will would can could should may might must said says say also
        into over after before about up out more most some any all one two
        """
    )
)


def _fit_words(sentences: list[str], max_words: int | None) -> list[str]:
    """Keep whole sentences while they fit in ``max_words``; the first one is cut if it alone is too long."""
    if max_words is None:
        return sentences
    out: list[str] = []
    used = 0
    for s in sentences:
        n = count_words(s)
        if used + n > max_words:
            if not out:
                out.append(truncate_words(s, max_words))
            break
        out.append(s)
        used += n
    return out


def content_sentences(text: str, min_words: int = 4) -> list[str]:
    """Sentences of ``text`` that read as prose: at least ``min_words`` words, not a bare caption or byline."""
    return [s for s in split_sentences(text) if count_words(s) >= min_words]


class LeadSummarizer:
    """The first ``k`` sentences (LEAD-k), within ``max_words`` if given."""

    name = "lead"

    def __init__(self, k: int = 3) -> None:
        self.k = k

    def summarize_one(self, text: str, max_words: int | None = None) -> str:
        return " ".join(_fit_words(split_sentences(text)[: self.k], max_words))


def _tokens(sentence: str) -> list[str]:
    return [t for t in _TOKEN.findall(sentence.lower()) if t not in _STOP and len(t) > 1]


def centrality_scores(sentences: list[str]) -> list[float]:
    """Each sentence's cosine similarity to the whole text (tf-idf over the text's own sentences), with a mild
    preference for earlier sentences, as news puts what matters first."""
    toks = [_tokens(s) for s in sentences]
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
            return " ".join(_fit_words(sentences, max_words))
        scores = centrality_scores(sentences)
        best = sorted(sorted(range(len(sentences)), key=lambda i: -scores[i])[: self.k])
        return " ".join(_fit_words([sentences[i] for i in best], max_words))


_FURNITURE = re.compile(
    r"\b(sign up|subscribe|newsletters?|click here|scroll down|read more|terms (and|of) (use|service)|"
    r"privacy policy|cookie|all rights reserved|follow us|email us|share this|advertisement|credit:|photo:|"
    r"image:|getty images|copyright)\b|©",
    re.IGNORECASE,
)
_ENDS_LIKE_PROSE = re.compile(r"[.!?…][\"'”’)\]]*$")


def prose_sentences(text: str, min_words: int = 6) -> list[str]:
    """The article's body sentences, in order: complete sentences of ``min_words`` or more words, without page
    furniture (bylines, headlines, photo credits, newsletter prompts) or near-repeats (a caption repeating the
    sentence that follows it)."""
    candidates = [
        s
        for s in split_sentences(text)
        if count_words(s) >= min_words and _ENDS_LIKE_PROSE.search(s) and not _FURNITURE.search(s)
    ]
    toks = [set(_tokens(s)) for s in candidates]
    keep = []
    for i, s in enumerate(candidates):
        covered = any(
            j != i and toks[i] and len(toks[i] & toks[j]) >= 0.8 * len(toks[i]) and len(toks[j]) > len(toks[i])
            for j in range(max(0, i - 3), min(len(candidates), i + 4))
        )
        duplicate = any(toks[i] == toks[j] for j in range(i))
        if not covered and not duplicate:
            keep.append(s)
    return keep or [s for s in split_sentences(text) if count_words(s) >= 3] or split_sentences(text)


def select_key_sentences(
    text: str, k: int = 3, *, position_weight: float = 0.15, redundancy: float = 0.5, pool: int = 25
) -> list[str]:
    """``k`` sentences that cover the article: its first body sentence, then greedily the sentences that are most
    central (tf-idf similarity to the whole text), earliest, and least redundant with those already chosen; returned
    in article order."""
    sentences = prose_sentences(text)[:pool]
    if len(sentences) <= k:
        return sentences
    toks = [set(_tokens(s)) for s in sentences]
    central = centrality_scores(sentences)
    top = max(central) or 1.0
    chosen = [0]
    while len(chosen) < k:
        best, best_score = None, float("-inf")
        for i in range(1, len(sentences)):
            if i in chosen:
                continue
            overlap = max(len(toks[i] & toks[j]) / (len(toks[i]) or 1) for j in chosen)
            score = central[i] / top - position_weight * i**0.5 - redundancy * overlap
            if score > best_score:
                best, best_score = i, score
        chosen.append(best)
    return [sentences[i] for i in sorted(chosen)]
