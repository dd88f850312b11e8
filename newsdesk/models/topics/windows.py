"""Splitting long token sequences into overlapping windows that together cover every token."""

from __future__ import annotations

from collections.abc import Sequence


def token_windows(n: int, window: int, overlap: int = 0) -> list[tuple[int, int]]:
    """``[start, end)`` windows of at most ``window`` tokens over ``n`` tokens, each overlapping the previous one by
    at least ``overlap`` tokens; their union is ``range(n)``.

    The last window is moved back to end at ``n`` (taking a longer overlap) rather than left as a short tail, so
    every window but a single one of a short text holds ``window`` tokens of context. ``n == 0`` gives one
    empty window, so that every text yields at least one chunk.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if not 0 <= overlap < window:
        raise ValueError(f"overlap must be in [0, window), got {overlap}")
    if n <= window:
        return [(0, n)]
    step = window - overlap
    starts = list(range(0, n - window, step))
    starts.append(n - window)
    return [(s, s + window) for s in starts]


def chunk_ids(
    ids_per_text: Sequence[Sequence[int]], window: int, overlap: int = 0
) -> tuple[list[list[int]], list[int]]:
    """Cut each text's token ids into windows; returns the chunks and, for each chunk, the index of its text."""
    chunks: list[list[int]] = []
    owner: list[int] = []
    for i, ids in enumerate(ids_per_text):
        for s, e in token_windows(len(ids), window, overlap):
            chunks.append(list(ids[s:e]))
            owner.append(i)
    return chunks, owner
