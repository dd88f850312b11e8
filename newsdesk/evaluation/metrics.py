"""Metric arithmetic: multi-label precision/recall/F1, ROUGE, novelty, and the bootstrap. No models here.

Everything works on plain arrays so that each number can be checked by hand. Rates are fractions (0–1);
the reports scale ROUGE to 0–100 for display, as papers do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np

ROUGE_TYPES = ("rouge1", "rouge2", "rougeLsum")
ROUGE_SETTINGS = (
    "rouge-score {version} (Google's reimplementation of ROUGE-1.5.5), F1, use_stemmer=True; rougeLsum is "
    "computed over sentences split with newsdesk.text.split_sentences and joined with newlines "
    "(what papers report as ROUGE-L)"
)
DEFAULT_N_BOOT = 1000
DEFAULT_SEED = 0

# ---------------------------------------------------------------------------------------------- multi-label


def label_matrix(label_sets: Sequence[Iterable[str]], labels: Sequence[str]) -> np.ndarray:
    """``(n, L)`` boolean matrix: row i marks which of ``labels`` article i carries (other labels are ignored)."""
    index = {name: j for j, name in enumerate(labels)}
    out = np.zeros((len(label_sets), len(labels)), dtype=bool)
    for i, labs in enumerate(label_sets):
        for name in labs:
            j = index.get(name)
            if j is not None:
                out[i, j] = True
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 from counts. Undefined values (0/0) are NaN: precision of a label never
    predicted, recall of a label with no gold examples, F1 of a label neither in the gold nor predicted.
    A label with gold examples that is never predicted gets F1 = 0."""
    tp, fp, fn = (np.asarray(x, dtype=float) for x in (tp, fp, fn))
    return _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(2 * tp, 2 * tp + fp + fn)


def counts(gold: np.ndarray, pred: np.ndarray, weights: np.ndarray | None = None) -> tuple[np.ndarray, ...]:
    """Per-label (tp, fp, fn); with ``weights`` of shape ``(B, n)`` (bootstrap resample counts) each is ``(B, L)``."""
    g = gold.astype(float)
    p = pred.astype(float)
    tp_i, fp_i, fn_i = g * p, (1 - g) * p, g * (1 - p)
    if weights is None:
        return tp_i.sum(0), fp_i.sum(0), fn_i.sum(0)
    return weights @ tp_i, weights @ fp_i, weights @ fn_i


def _nanmean(x: np.ndarray, axis: int = -1) -> np.ndarray:
    ok = ~np.isnan(x)
    total = np.where(ok, x, 0.0).sum(axis)
    return _ratio(total, ok.sum(axis))


def macro_f1(f1: np.ndarray) -> np.ndarray:
    """Mean of the defined per-label F1 values (labels neither in the gold nor predicted are left out)."""
    return _nanmean(np.asarray(f1, dtype=float), axis=-1)


def micro_f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    tp, fp, fn = (np.asarray(x, dtype=float).sum(-1) for x in (tp, fp, fn))
    return _ratio(2 * tp, 2 * tp + fp + fn)


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


def topic_scores(gold: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Headline multi-label scores for boolean ``(n, L)`` gold and predicted matrices."""
    tp, fp, fn = counts(gold, pred)
    _, _, f1 = prf(tp, fp, fn)
    out = {"micro_f1": float(micro_f1(tp, fp, fn)), "macro_f1": float(macro_f1(f1))}
    out.update(
        {k: float(v.mean()) if len(v) else float("nan") for k, v in per_article_topic_scores(gold, pred).items()}
    )
    return out


def topic_scores_weighted(gold: np.ndarray, pred: np.ndarray, weights: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`topic_scores` for each row of bootstrap ``weights`` ``(B, n)``; each value is a ``(B,)`` array."""
    tp, fp, fn = counts(gold, pred, weights)
    _, _, f1 = prf(tp, fp, fn)
    out = {"micro_f1": micro_f1(tp, fp, fn), "macro_f1": macro_f1(f1)}
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
    pred = scores[None, :] >= thresholds[:, None]
    g = gold.astype(bool)[None, :]
    tp = (pred & g).sum(1)
    fp = (pred & ~g).sum(1)
    fn = (~pred & g).sum(1)
    p, r, f = prf(tp, fp, fn)
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
