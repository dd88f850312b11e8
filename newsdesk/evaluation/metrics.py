"""Metric arithmetic: multi-label scores (precision/recall/F1 from scikit-learn), ROUGE, novelty, and the bootstrap.
No models here.

Everything works on plain arrays so that each number can be checked by hand. Rates are fractions (0–1);
the reports scale ROUGE to 0–100 for display, as papers do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from newsdesk.models.topics.scores import precision_recall_f1, scores_at_thresholds

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
ROUGE_SETTINGS = (
    "rouge-score {version} (Google's reimplementation of ROUGE-1.5.5), F1, use_stemmer=True; rougeLsum is "
    "computed over sentences split with newsdesk.text.split_sentences and joined with newlines "
    "(what papers report as ROUGE-L)"
)
DEFAULT_N_BOOT = 1000
DEFAULT_SEED = 0

# ---------------------------------------------------------------------------------------------- multi-label
# Per-label precision/recall/F1 are scikit-learn's, as everywhere in newsdesk: see newsdesk.models.topics.scores
# (an undefined value is NaN and averages leave it out).


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def counts(gold: np.ndarray, pred: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label (tp, fp, fn) of boolean ``(n, L)`` matrices, for the reports' tables."""
    gold, pred = np.asarray(gold, dtype=bool), np.asarray(pred, dtype=bool)
    return (gold & pred).sum(0), (~gold & pred).sum(0), (gold & ~pred).sum(0)


def macro_f1(f1: np.ndarray) -> np.ndarray:
    """Mean of the defined per-label F1 values (labels neither in the gold nor predicted are left out)."""
    f1 = np.asarray(f1, dtype=float)
    ok = ~np.isnan(f1)
    return _ratio(np.where(ok, f1, 0.0).sum(-1), ok.sum(-1))


def per_article_topic_scores(gold: np.ndarray, pred: np.ndarray) -> dict[str, np.ndarray]:
    """Per-article exact match, Hamming score (share of the L yes/no label decisions that are right) and
    Jaccard (|gold ∩ pred| / |gold ∪ pred|, 1 when both are empty); their means are the reported scores."""
    inter = (gold & pred).sum(1)
    union = (gold | pred).sum(1)
    L = max(gold.shape[1], 1)
    return {
        "exact_match": np.all(gold == pred, axis=1).astype(float),
        "hamming_score": 1.0 - (gold != pred).sum(1) / L,
        "jaccard": np.where(union > 0, inter / np.maximum(union, 1), 1.0),
    }


def _resampled_f1s(gold: np.ndarray, pred: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(micro-F1, macro-F1) of each resample, ``rows`` ``(B, m)`` holding the articles each one draws. All
    resamples are scored in one call each: resample b's labels are columns of their own (its m draws in the
    rows), and for micro-F1 all of its L·m decisions form one column."""
    g, p = gold[rows], pred[rows]  # (B, m, L)
    b, m, n_labels = g.shape
    _, _, per_label = precision_recall_f1(
        g.transpose(1, 0, 2).reshape(m, b * n_labels), p.transpose(1, 0, 2).reshape(m, b * n_labels)
    )
    _, _, micro = precision_recall_f1(
        g.transpose(1, 2, 0).reshape(m * n_labels, b), p.transpose(1, 2, 0).reshape(m * n_labels, b)
    )
    return micro, macro_f1(per_label.reshape(b, n_labels))


def topic_scores(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Headline multi-label scores for boolean ``(n, L)`` gold and predicted matrices."""
    micro, macro = _resampled_f1s(gold, pred, np.arange(len(gold))[None, :])
    out = {"micro_f1": float(micro[0]), "macro_f1": float(macro[0])}
    out.update(
        {k: float(v.mean()) if len(v) else float("nan") for k, v in per_article_topic_scores(gold, pred).items()}
    )
    return out


def topic_scores_weighted(gold: np.ndarray, pred: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`topic_scores` for each row of bootstrap ``weights`` ``(B, n)`` (how often each article is drawn; every
    resample draws as many); each value is a ``(B,)`` array."""
    counts_ = np.asarray(weights).astype(np.int64)
    if not np.array_equal(counts_, weights) or len(set(counts_.sum(1).tolist())) > 1:
        raise ValueError("bootstrap weights must be draw counts, the same number of draws in every resample")
    rows = np.stack([np.repeat(np.arange(gold.shape[0]), c) for c in counts_]) if len(counts_) else np.zeros((0, 0))
    micro, macro = _resampled_f1s(gold, pred, rows.astype(np.int64))
    out = {"micro_f1": micro, "macro_f1": macro}
    n = weights.sum(1)
    for k, v in per_article_topic_scores(gold, pred).items():
        out[k] = (weights @ v) / n
    return out


def cooccurrence(gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """``(L+1, L+1)`` counts: cell (i, j) = articles with gold label i that were given label j; the last row and
    column stand for "no label" (articles with no gold label / with no predicted label)."""
    g = np.hstack([gold, ~gold.any(1, keepdims=True)]).astype(int)
    p = np.hstack([pred, ~pred.any(1, keepdims=True)]).astype(int)
    return g.T @ p


THRESHOLD_GRID = np.round(np.linspace(0.02, 0.98, 49), 2)


def threshold_sweep(
    gold: np.ndarray, scores: np.ndarray, thresholds: np.ndarray = THRESHOLD_GRID
) -> dict[str, np.ndarray]:
    """Precision, recall and F1 of one label at each threshold (predicted when score >= threshold)."""
    p, r, f = scores_at_thresholds(gold, scores, thresholds)
    return {"threshold": thresholds, "precision": p, "recall": r, "f1": f}


# ---------------------------------------------------------------------------------------------- bootstrap


def bootstrap_weights(n: int, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_boot, n)`` resample counts: row b says how often each article is drawn in resample b (n draws with
    replacement). Drawn as ``rng.integers(0, n, size=(n_boot, n))``."""
    idx = rng.integers(0, n, size=(n_boot, n))
    flat = (idx + np.arange(n_boot)[:, None] * n).ravel()
    return np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n).astype(float)


def bootstrap(
    stat: Callable[[np.ndarray], np.ndarray],
    n: int,
    *,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    chunk: int | None = None,
) -> np.ndarray:
    """Values of ``stat(weights)`` over ``n_boot`` resamples of ``n`` articles, stacked along axis 0.

    ``stat`` receives a ``(b, n)`` block of resample counts and returns an array with ``b`` rows. Blocks keep
    memory bounded on large sets; the draws depend only on ``seed``, ``n`` and ``n_boot``, so every statistic
    computed from one call (e.g. several systems at once) is paired.
    """
    if n == 0:
        raise ValueError("cannot bootstrap an empty sample")
    rng = np.random.default_rng(seed)
    chunk = chunk or max(1, min(n_boot, 2_000_000 // max(n, 1)))
    parts = []
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        parts.append(np.asarray(stat(bootstrap_weights(n, b, rng))))
        done += b
    return np.concatenate(parts, axis=0)


def percentile_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap values (NaN resamples are left out)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    a = (1 - level) / 2 * 100
    lo, hi = np.percentile(v, [a, 100 - a])
    return float(lo), float(hi)


def weighted_nanmean(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean of each column of ``x`` ``(n, m)`` under each row of ``weights`` ``(B, n)``, ignoring NaNs → ``(B, m)``."""
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    return _ratio(weights @ np.where(ok, x, 0.0), weights @ ok.astype(float))


# ---------------------------------------------------------------------------------------------- summaries


_WORD = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """Lowercased alphanumeric tokens, as rouge-score tokenises (without stemming)."""
    return _WORD.findall(text.lower())


def novel_bigram_share(summary: str, article: str) -> float:
    """Share of the summary's bigrams (counted with repeats) that never occur in the article: 0 for a purely
    extractive summary, high for an abstractive one. NaN for a summary of fewer than two tokens."""
    s = tokens(summary)
    if len(s) < 2:
        return float("nan")
    a = tokens(article)
    source = set(zip(a, a[1:], strict=False))
    grams = list(zip(s, s[1:], strict=False))
    return sum(g not in source for g in grams) / len(grams)


def _split_sentences(text: str) -> list[str]:
    from newsdesk.text import split_sentences

    return split_sentences(text)


def for_rougelsum(text: str, split: Callable[[str], list[str]] | None = None) -> str:
    """Text with one sentence per line, as rougeLsum expects."""
    return "\n".join(s.strip() for s in (split or _split_sentences)(text) if s.strip())


def rouge_scorer():
    """The one scorer every report uses (see :data:`ROUGE_SETTINGS`)."""
    from rouge_score import rouge_scorer as rs

    return rs.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)


def rouge_f1(
    predictions: Sequence[str], references: Sequence[str], split: Callable[[str], list[str]] | None = None
) -> np.ndarray:
    """``(n, 3)`` ROUGE-1 / ROUGE-2 / ROUGE-Lsum F1 (0–1) of each prediction against its reference."""
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
    scorer = rouge_scorer()
    out = np.zeros((len(predictions), len(ROUGE_TYPES)))
    for i, (pred, ref) in enumerate(zip(predictions, references, strict=True)):
        s = scorer.score(for_rougelsum(ref, split), for_rougelsum(pred, split))
        out[i] = [s[t].fmeasure for t in ROUGE_TYPES]
    return out


def rouge_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rouge-score")
    except PackageNotFoundError:
        return "?"
