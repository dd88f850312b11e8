"""Greedy decoding for decoder-only models that drops each sequence from the batch as soon as it ends.

``model.generate`` keeps computing every row of a batch until the longest one is done. Rewrites of news sentences
vary a lot in length (measured on CNN/DM: a third of the row-steps of a batch of 20 went to rows already finished),
so on a CPU, where a decoding step costs in proportion to the rows it carries, shrinking the batch (rows and their
key/value cache) saves that third. With a session that can check guesses (the native runtime's), a pass also
checks tokens copied from the prompt (:mod:`newsdesk.models.lm.prompt_lookup`). Tokens are the same as
``generate``'s greedy ones, up to float rounding.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch

from newsdesk.models.lm.prompt_lookup import MAX_NGRAM, draft

# Told of each new token of each live row: (row, its tokens so far, whether it ends anyway at this token) → True
# to end the row now. Lets a caller stop a row whose output it already knows it will cut or reject.
RowDone = Callable[[int, list[int], bool], bool]
# Most guesses fed per row in one pass (see decode_greedily).
MAX_DRAFT = 3


def _cache_kwarg(model: Any) -> str:
    # transformers 5 renames ``past_key_values`` to ``cache`` model by model; ask the model which it takes.
    params = inspect.signature(model.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def stop_ids(model: Any, tokenizer: Any) -> set[int]:
    """Every token id that ends a sequence for this model (its generation config's and its tokenizer's)."""
    ids: set[int] = set()
    for value in (getattr(model.generation_config, "eos_token_id", None), tokenizer.eos_token_id):
        if isinstance(value, int):
            ids.add(value)
        elif isinstance(value, Iterable):
            ids.update(int(v) for v in value)
    return ids


def config_processes_logits(generation_config: Any) -> bool:
    """Whether a checkpoint's own generation config asks ``generate`` to change the logits even when greedy
    (repetition penalty, banned n-grams or words, minimum lengths, suppressed or forced tokens): then
    :func:`greedy_generate`, which takes the plain argmax, would not give the same text."""
    if generation_config is None:
        return False
    penalty = getattr(generation_config, "repetition_penalty", None)
    if penalty not in (None, 1.0):
        return True
    names = (
        "no_repeat_ngram_size",
        "bad_words_ids",
        "min_length",
        "min_new_tokens",
        "suppress_tokens",
        "begin_suppress_tokens",
        "forced_bos_token_id",
        "forced_eos_token_id",
        "sequence_bias",
    )
    return any(getattr(generation_config, name, None) for name in names)


class _TransformersSession:
    """A transformers decoder's cache, advanced one token per row (see :class:`NativeSession`)."""

    def __init__(self, model: Any, cache: Any, key: str, mask: torch.Tensor, last: torch.Tensor) -> None:
        self.model, self.cache, self.key, self.mask, self.last = model, cache, key, mask, last

    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        self.last = self.last + 1
        self.mask = torch.cat([self.mask, self.mask.new_ones((self.mask.shape[0], 1))], dim=1)
        return self.model(
            input_ids=tokens[:, None],
            attention_mask=self.mask,
            position_ids=self.last[:, None],
            use_cache=True,
            **{self.key: self.cache},
        ).logits[:, -1]

    def keep(self, rows: torch.Tensor) -> None:
        self.cache.batch_select_indices(rows)
        self.mask, self.last = self.mask[rows], self.last[rows]


@torch.inference_mode()
def greedy_generate(
    model: Any,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor,
    max_new_tokens: Sequence[int],
    eos_ids: set[int],
    row_done: RowDone | None = None,
) -> list[list[int]]:
    """New token ids per row of a transformers decoder (left-padded ``input_ids``), each row stopping at an end
    token (not returned), at its own ``max_new_tokens`` or when ``row_done`` says so."""
    from transformers import DynamicCache

    cache = DynamicCache(config=model.config)
    key = _cache_kwarg(model)
    position = (attention_mask.long().cumsum(-1) - 1).masked_fill(attention_mask == 0, 0)
    logits = model(
        input_ids=input_ids,
        attention_mask=attention_mask,
        position_ids=position,
        use_cache=True,
        logits_to_keep=1,
        **{key: cache},
    ).logits[:, -1]
    session = _TransformersSession(model, cache, key, attention_mask, position[:, -1])
    return decode_greedily(logits, session, max_new_tokens, eos_ids, row_done)


@torch.inference_mode()
def decode_greedily(
    logits: torch.Tensor,
    session: Any,
    max_new_tokens: Sequence[int],
    eos_ids: set[int],
    row_done: RowDone | None = None,
    sources: Sequence[Sequence[int]] | None = None,
) -> list[list[int]]:
    """Greedy decoding from the first next-token ``logits`` [B, vocab]: ``session.step(tokens)`` appends one
    token per live row and returns the next logits; ``session.keep(rows)`` drops the rows that ended (at an end
    token, at their limit, or when ``row_done`` says so).

    Given ``sources`` (token ids per row to copy guesses from: its prompt) and a session that can check several
    tokens per row in one pass (``verify`` and ``commit``, with a ``draft_tokens`` budget of tokens per pass),
    each pass also feeds guesses copied from the row's source (:mod:`newsdesk.models.lm.prompt_lookup`) and keeps
    those the model picks itself: the same tokens in fewer passes."""
    n = logits.shape[0]
    limits = [int(x) for x in max_new_tokens]
    out: list[list[int]] = [[] for _ in range(n)]
    rows = list(range(n))  # original row of each live batch position
    budget = int(getattr(session, "draft_tokens", 0)) if sources is not None else 0
    new_tokens = [[t] for t in logits.argmax(-1).tolist()]  # per live position: tokens the model chose
    while True:
        done = [_take(r, tokens, out, limits, eos_ids, row_done) for r, tokens in zip(rows, new_tokens, strict=True)]
        if all(done):
            return out
        if any(done):
            keep = [i for i, d in enumerate(done) if not d]
            session.keep(torch.tensor(keep, dtype=torch.long, device=logits.device))
            rows = [rows[i] for i in keep]
            new_tokens = [new_tokens[i] for i in keep]
        last = [tokens[-1] for tokens in new_tokens]
        k = min(MAX_DRAFT, budget // len(rows) - 1) if budget else 0
        drafts = [draft([*sources[r][-MAX_NGRAM:], *out[r]], sources[r], k) for r in rows] if k > 0 and sources else []
        if not any(drafts):
            step = session.step(torch.tensor(last, dtype=torch.long, device=logits.device))
            new_tokens = [[t] for t in step.argmax(-1).tolist()]
            continue
        width = 1 + max(len(d) for d in drafts)
        fed = torch.zeros(len(rows), width, dtype=torch.long)
        for i, (t, d) in enumerate(zip(last, drafts, strict=True)):
            fed[i, : 1 + len(d)] = torch.tensor([t, *d])
        counts = torch.tensor([1 + len(d) for d in drafts])
        picks = session.verify(fed.to(logits.device), counts).argmax(-1).tolist()  # [rows][width]
        kept = []
        new_tokens = []
        for d, pick in zip(drafts, picks, strict=True):
            agree = 0
            while agree < len(d) and d[agree] == pick[agree]:
                agree += 1
            kept.append(1 + agree)  # the fed token and the guesses the model agrees with
            new_tokens.append(pick[: agree + 1])  # those guesses and the model's own next token
        session.commit(torch.tensor(kept))


def _take(
    row: int,
    tokens: list[int],
    out: list[list[int]],
    limits: list[int],
    eos_ids: set[int],
    row_done: RowDone | None,
) -> bool:
    """Append the model's next ``tokens`` to ``row`` one at a time, as plain decoding would; True once the row
    ends (the rest of ``tokens`` is then dropped)."""
    for token in tokens:
        ended = token in eos_ids
        if not ended:
            out[row].append(token)
        done = ended or len(out[row]) >= limits[row]
        if row_done is not None and row_done(row, out[row], done):
            done = True
        if done:
            return True
    return False
