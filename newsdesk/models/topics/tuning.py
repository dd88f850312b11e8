"""Held-out predictions for threshold tuning: a recent hold-out slice, or out-of-fold predictions on small data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from newsdesk.models.topics.thresholds import tune_thresholds
from newsdesk.models.topics.training_args import TrainingArgs

# fit(texts, Y) -> predict_proba(texts); a fresh model per call.
FitFn = Callable[[list[str], np.ndarray], Callable[[list[str]], np.ndarray]]


def stratified_folds(Y: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    """A fold number per row; each label's positives are dealt round-robin, rarest label first, so that every
    fold holds some positives of every label that has at least ``k``."""
    rng = np.random.default_rng(seed)
    n, n_labels = Y.shape
    order = rng.permutation(n)
    counts = Y.sum(0)
    rarity = np.argsort(counts, kind="stable")  # rarest label first
    rank_of_label = np.empty(n_labels, dtype=np.int64)
    rank_of_label[rarity] = np.arange(n_labels)
    key = np.full(n, n_labels, dtype=np.int64)  # rows without labels last
    for i in range(n):
        on = np.flatnonzero(Y[i])
        if on.size:
            key[i] = rank_of_label[on].min()
    order = order[np.argsort(key[order], kind="stable")]
    folds = np.empty(n, dtype=np.int64)
    folds[order] = np.arange(n) % k
    return folds


def held_out_thresholds(
    fit: FitFn, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs
) -> tuple[np.ndarray | None, str, int | None]:
    """Thresholds from out-of-fold predictions when the data is small (then the caller fits on everything),
    else ``None``: the caller holds out the last ``args.holdout`` share instead.

    Returns ``(thresholds, how, n_train)``: ``n_train`` is how many leading rows the final model may train on.
    """
    texts = list(texts)
    n = len(texts)
    if args.holdout == 0:
        return np.full(Y.shape[1], 0.5), "none (holdout=0): 0.5 for every label", n
    if n < args.cv_below:
        k = int(max(2, min(5, Y.sum(0).min(), (1 - Y).sum(0).min())))
        folds = stratified_folds(Y, k, args.seed)
        oof = np.zeros(Y.shape, dtype=np.float64)
        for f in range(k):
            tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
            predict = fit([texts[i] for i in tr], Y[tr])
            oof[te] = predict([texts[i] for i in te])
        return tune_thresholds(Y, oof), f"{k}-fold out-of-fold predictions on the training data", n
    cut = n - max(1, round(n * args.holdout))
    return None, f"held-out last {n - cut} rows ({args.holdout:.0%}) of the training data", cut
