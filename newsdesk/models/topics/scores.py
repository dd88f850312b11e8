"""Per-label precision, recall and F1: scikit-learn's ``precision_recall_fscore_support``, the one implementation
newsdesk uses — in evaluation reports, in training reports and model cards, and to tune thresholds.

Undefined values: ``ZERO_DIVISION = np.nan``. A value that would divide zero by zero is NaN — the precision of a
label never predicted, the recall of a label with no gold examples, the F1 of a label neither in the gold nor
predicted — not 0 (which would punish a model for a label the data does not test) and not 1. Averages leave NaN
out: macro-F1 is the mean over the labels whose F1 is defined. A label with gold examples that is never predicted
has F1 0 (2·TP / (2·TP + FP + FN) is defined). Reports print NaN as "–" and write it to JSON as null.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

ZERO_DIVISION = np.nan
# Thresholds scored per call of :func:`scores_at_thresholds` (each is a column of an (n, k) matrix).
_THRESHOLD_BLOCK = 256


def precision_recall_f1(
    gold: np.ndarray, pred: np.ndarray, *, sample_weight: np.ndarray | None = None, average: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 of each column of the 0/1 (or boolean) ``(n, L)`` matrices ``gold`` and ``pred``
    (``average=None``), or pooled over the columns (``"micro"``) or averaged (``"macro"``, NaN left out).
    ``sample_weight`` weighs the rows (bootstrap resample counts)."""
    from sklearn.metrics import precision_recall_fscore_support

    gold = np.asarray(gold, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    if gold.ndim == 1:
        gold, pred = gold[:, None], pred[:, None]
    if gold.shape != pred.shape:
        raise ValueError(f"gold {gold.shape} and predictions {pred.shape} differ in shape")
    if gold.shape[1] == 0:
        empty = np.zeros(0) if average is None else np.array(np.nan)
        return empty, empty, empty
    if gold.shape[1] == 1:
        # One column reads as a binary target to scikit-learn: score the positive class alone.
        args: tuple = (gold[:, 0].astype(np.int8), pred[:, 0].astype(np.int8))
        kwargs: dict = {"labels": [1], "average": None if average in (None, "macro", "micro") else average}
    else:
        args, kwargs = (gold, pred), {"average": average}
    p, r, f, _ = precision_recall_fscore_support(
        *args, sample_weight=sample_weight, zero_division=ZERO_DIVISION, **kwargs
    )
    out = tuple(np.asarray(x, dtype=np.float64) for x in (p, r, f))
    if gold.shape[1] == 1 and average is not None:
        out = tuple(x[0] for x in out)
    return out  # type: ignore[return-value]


def scores_at_thresholds(
    gold: np.ndarray, scores: np.ndarray, thresholds: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and F1 of one label predicted when ``scores >= t``, for each ``t`` of ``thresholds``: each
    threshold is scored as a column of its own, in blocks, by :func:`precision_recall_f1`."""
    gold = np.asarray(gold, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    parts = []
    for start in range(0, len(thresholds), _THRESHOLD_BLOCK):
        block = thresholds[start : start + _THRESHOLD_BLOCK]
        pred = scores[:, None] >= block[None, :]
        parts.append(precision_recall_f1(np.repeat(gold[:, None], len(block), axis=1), pred))
    if not parts:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    p, r, f = (np.concatenate([part[i] for part in parts]) for i in range(3))
    return p, r, f
