"""Per-label decision thresholds: tuned on held-out probabilities to maximise each label's F1."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from newsdesk.models.topics.scores import scores_at_thresholds

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
    # Cutting at each distinct score, highest first; the first best one wins.
    cuts = np.unique(p)[::-1]
    _, _, f1 = scores_at_thresholds(y, p, cuts)
    i = int(np.argmax(f1))
    t = cuts[i] if i + 1 == len(cuts) else (cuts[i] + cuts[i + 1]) / 2
    return float(np.clip(t, lo, hi))


def tune_thresholds(y_true: np.ndarray, proba: np.ndarray, *, lo: float = 0.02, hi: float = 0.98) -> np.ndarray:
    """One F1-maximising threshold per column of ``proba`` (``y_true`` is the 0/1 matrix of the same shape), each
    within ``[lo, hi]``."""
    y_true, proba = np.asarray(y_true), np.asarray(proba)
    return np.array([best_f1_threshold(y_true[:, j], proba[:, j], lo=lo, hi=hi) for j in range(proba.shape[1])])


def labels_from_proba(proba: np.ndarray, labels: Sequence[str], thresholds: np.ndarray) -> list[list[str]]:
    """The labels whose probability reaches their threshold, per row: zero, one or several."""
    keep = np.asarray(proba) >= np.asarray(thresholds)[None, :]
    return [[labels[j] for j in np.flatnonzero(row)] for row in keep]
