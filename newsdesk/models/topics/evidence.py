"""Evidence for a topic label: the passage of an article that scores highest for it.

Model-agnostic, so every backend gives it the same way: the article is cut into short passages (consecutive
sentences of one paragraph, from :func:`newsdesk.text.split_sentences`, packed up to ``max_sentences`` sentences
and ``max_words`` words, so that a passage carries some context), every passage of every article is scored in one
``predict_proba`` call, and for each label asked about the passage with the highest probability wins (the earliest
one on a tie). A passage is always an exact substring of the article: ``text[start:end]``.

This reads each article a second time, in pieces: on ``seeds/`` (37 articles, 361 passages) with the shipped default
``classify --evidence`` took 1.8–2.3× the time of ``classify`` (2.9–3.4 s → 5.2–7.6 s, one thread, a shared 2-core
machine). The embedding backend could instead reuse its window scores, but its windows (128 tokens) are not
passages and the tf-idf half of the default would still need the passages, so there is one code path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from newsdesk.text import count_words, split_sentences

MAX_SENTENCES = 3
MAX_WORDS = 60


@dataclass(frozen=True)
class Evidence:
    """The passage that scored highest for a label: its text, its probability for the label, and where it sits in
    the article (``article[start:end] == text``)."""

    text: str
    score: float
    start: int
    end: int

    def to_dict(self) -> dict[str, object]:
        return {"text": self.text, "score": self.score, "start": self.start, "end": self.end}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each sentence of :func:`~newsdesk.text.split_sentences` in ``text``, in order."""
    # split_sentences reads no-break spaces as spaces (same length), so its sentences are found in that copy.
    plain = text.replace("\u00a0", " ")
    spans: list[tuple[int, int]] = []
    pos = 0
    for sentence in split_sentences(text):
        start = plain.find(sentence, pos)
        if start < 0:  # not expected; a sentence that cannot be placed is left out rather than guessed
            continue
        pos = start + len(sentence)
        spans.append((start, pos))
    return spans


def passage_spans(text: str, max_sentences: int = MAX_SENTENCES, max_words: int = MAX_WORDS) -> list[tuple[int, int]]:
    """Consecutive sentences of one paragraph packed into passages of at most ``max_sentences`` sentences and
    ``max_words`` words (a longer single sentence stays whole); ``[start, end)`` in ``text``."""
    out: list[tuple[int, int]] = []
    cur: list[tuple[int, int]] = []
    words = 0
    for s, e in sentence_spans(text):
        n = count_words(text[s:e])
        new_paragraph = bool(cur) and "\n" in text[cur[-1][1] : s]
        if cur and (new_paragraph or len(cur) >= max_sentences or words + n > max_words):
            out.append((cur[0][0], cur[-1][1]))
            cur, words = [], 0
        cur.append((s, e))
        words += n
    if cur:
        out.append((cur[0][0], cur[-1][1]))
    return out


def best_passages(
    predict_proba: Callable[[list[str]], np.ndarray],
    label_names: Sequence[str],
    texts: Sequence[str],
    wanted: Sequence[Sequence[str]],
    *,
    max_sentences: int = MAX_SENTENCES,
    max_words: int = MAX_WORDS,
) -> list[dict[str, Evidence]]:
    """For each text, ``{label: Evidence}`` for the labels in its ``wanted`` list, in one ``predict_proba`` call
    over the passages of every text with a label asked about. A text without a sentence gets ``{}``."""
    index = {lab: j for j, lab in enumerate(label_names)}
    # Only texts with a label asked about are cut and scored.
    spans = [passage_spans(t, max_sentences, max_words) if labs else [] for t, labs in zip(texts, wanted, strict=True)]
    pieces = [t[s:e] for t, sp in zip(texts, spans, strict=True) for s, e in sp]
    proba = np.asarray(predict_proba(pieces), dtype=np.float64) if pieces else np.zeros((0, len(label_names)))
    out: list[dict[str, Evidence]] = []
    row = 0
    for t, sp, labs in zip(texts, spans, wanted, strict=True):
        block = proba[row : row + len(sp)]
        row += len(sp)
        found: dict[str, Evidence] = {}
        if sp:
            for lab in labs:
                col = block[:, index[lab]]
                best = int(np.argmax(col))  # the first of equal maxima: deterministic
                s, e = sp[best]
                found[lab] = Evidence(t[s:e], float(col[best]), s, e)
        out.append(found)
    return out
