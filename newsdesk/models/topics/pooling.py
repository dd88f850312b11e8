"""Turning per-window scores or embeddings of one text into one score per label.

A long article is several windows, of which maybe one is about a label. ``mean`` drowns that window among the
others and ``max`` lets any single window decide (false positives grow with length). ``lme`` (log-mean-exp of the
windows' logits with temperature τ) sits between them: a text made of one relevant window among ``n`` scores
``τ·log(n)`` below that window, a text relevant throughout scores like one of its windows — whatever its length.
"""

from __future__ import annotations

import numpy as np

POOLINGS = ("lme", "mean", "max", "mean-emb")


def segment_starts(owner: np.ndarray, n: int) -> np.ndarray:
    """Index of each text's first window (``owner`` is sorted and every text has at least one window)."""
    starts = np.searchsorted(owner, np.arange(n))
    if n and (len(owner) == 0 or np.any(owner[starts.clip(max=len(owner) - 1)] != np.arange(n))):
        raise ValueError("every text needs at least one window, in order")
    return starts


def pool_logits(z: np.ndarray, owner: np.ndarray, n: int, how: str = "lme", temperature: float = 1.0) -> np.ndarray:
    """``(n_windows, L)`` logits → ``(n, L)``."""
    starts = segment_starts(owner, n)
    counts = np.diff(np.r_[starts, len(owner)])[:, None]
    if how == "max":
        return np.maximum.reduceat(z, starts, axis=0)
    if how == "mean":
        return np.add.reduceat(z, starts, axis=0) / counts
    if how == "lme":
        zt = z / temperature
        m = np.maximum.reduceat(zt, starts, axis=0)
        s = np.add.reduceat(np.exp(zt - m[owner]), starts, axis=0)
        return temperature * (m + np.log(s / counts))
    raise ValueError(f"unknown pooling {how!r}; use one of {', '.join(POOLINGS)}")


def mean_embeddings(emb: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per-text mean of its windows' unit vectors, re-normalised."""
    starts = segment_starts(owner, n)
    s = np.add.reduceat(emb, starts, axis=0)
    return s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-12)
