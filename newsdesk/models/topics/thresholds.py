"""Per-label decision thresholds: tuned on held-out probabilities to maximise each label's F1."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DEFAULT_THRESHOLD = 0.5


def best_f1_threshold(y: np.ndarray, p: np.ndarray, *, lo: float = 0.02, hi: float = 0.98) -> float:
    """The cut-off on ``p`` that maximises F1 of ``p >= t`` against the 0/1 vector ``y``.

    The cut-off is placed halfway between the lowest kept score and the highest dropped one, so that it does
    not sit on a training score; without any positive (or any negative) it stays at 0.5.
    """
    y = np.asarray(y, dtype=bool)
    p = np.asarray(p, dtype=np.float64)
    if y.all() or not y.any():
        return DEFAULT_THRESHOLD
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    tp = np.cumsum(ys)
    k = np.arange(1, len(ps) + 1)
    f1 = 2 * tp / (k + ys.sum())
    # Only cut between distinct scores: keep the last index of each run of ties.
    last_of_tie = np.r_[ps[1:] != ps[:-1], True]
    f1 = np.where(last_of_tie, f1, -1.0)
    i = int(np.argmax(f1))
    t = ps[i] if i + 1 == len(ps) else (ps[i] + ps[i + 1]) / 2
    return float(np.clip(t, lo, hi))


def tune_thresholds(y_true: np.ndarray, proba: np.ndarray, **kwargs: float) -> np.ndarray:
    """One F1-maximising threshold per column of ``proba`` (``y_true`` is the 0/1 matrix of the same shape)."""
    y_true, proba = np.asarray(y_true), np.asarray(proba)
    return np.array([best_f1_threshold(y_true[:, j], proba[:, j], **kwargs) for j in range(proba.shape[1])])


def labels_from_proba(proba: np.ndarray, labels: Sequence[str], thresholds: np.ndarray) -> list[list[str]]:
    """The labels whose probability reaches their threshold, per row: zero, one or several."""
    keep = np.asarray(proba) >= np.asarray(thresholds)[None, :]
    return [[labels[j] for j in np.flatnonzero(row)] for row in keep]


def f1_per_label(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """F1 of each column (0 where a label has neither true nor predicted positives)."""
    y_true, y_pred = np.asarray(y_true, bool), np.asarray(y_pred, bool)
    tp = (y_true & y_pred).sum(0)
    denom = y_true.sum(0) + y_pred.sum(0)
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
