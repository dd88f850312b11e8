"""Draft tokens copied from the prompt, for speculative greedy decoding ("prompt lookup").

A rewrite of a news sentence copies much of that sentence: names, numbers, whole phrases. When the last tokens
written also occur in the prompt, the tokens that followed them there are a cheap guess at what comes next. The
decoder feeds the guesses with the token it is sure of and keeps those the model itself would have chosen
(:func:`newsdesk.models.lm.greedy.decode_greedily`), so the output is exactly the plain greedy one; only the number
of forward passes changes. On a CPU a pass of a few rows costs about as much for 2-3 tokens per row as for one
(reading the weights dominates), so each kept guess saves most of a pass.
"""

from __future__ import annotations

from collections.abc import Sequence

# Longest run of last tokens looked up in the prompt; the longest one found there gives the draft.
MAX_NGRAM = 3


def draft(context: Sequence[int], prompt: Sequence[int], k: int, max_ngram: int = MAX_NGRAM) -> list[int]:
    """Up to ``k`` tokens that followed the latest occurrence in ``prompt`` of the longest run (≤ ``max_ngram``)
    of ``context``'s last tokens; empty if none occurs, or if ``k`` < 1."""
    if k < 1:
        return []
    for n in range(min(max_ngram, len(context)), 0, -1):
        tail = list(context[-n:])
        for i in range(len(prompt) - n - 1, -1, -1):  # latest first: it is nearest to what is being copied
            if list(prompt[i : i + n]) == tail:
                return list(prompt[i + n : i + n + k])
    return []
