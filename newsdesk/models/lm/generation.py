"""Batched generation from a loaded model (:mod:`newsdesk.models.lm.loading`).

Chat models get their chat template (a user message, generation prompt, left padding); seq2seq models read their
input as is. Plain greedy decoding of decoder models drops each row as it ends (:mod:`newsdesk.models.lm.greedy`),
and a caller may end a row early through a "row finished?" callable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsdesk.errors import ModelLoadError
from newsdesk.runtime import batched

if TYPE_CHECKING:
    from newsdesk.models.lm.greedy import RowDone
    from newsdesk.models.lm.loading import LoadedModel


@dataclass
class GenerationOptions:
    max_new_tokens: int = 96
    num_beams: int = 1
    do_sample: bool = False
    temperature: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0

    @property
    def plain_greedy(self) -> bool:
        """Greedy search with no logits processing: what :func:`~newsdesk.models.lm.greedy.greedy_generate` does."""
        return (
            self.num_beams == 1
            and not self.do_sample
            and self.repetition_penalty == 1.0
            and not self.no_repeat_ngram_size
        )


def _encode_prompt(lm: LoadedModel, prompt: str, system: str | None) -> str:
    if lm.kind == "chat":
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        return lm.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return prompt


def generate(
    lm: LoadedModel,
    prompts: list[str],
    options: GenerationOptions,
    *,
    batch_size: int = 16,
    system: str | None = None,
    max_input_tokens: int | None = None,
    new_token_limits: list[int] | None = None,
    row_done: RowDone | None = None,
) -> list[str]:
    """Generate one continuation per prompt (chat prompts get the model's chat template), in batches of
    ``batch_size`` grouped by length to limit padding. ``new_token_limits`` (one per prompt) lowers
    ``options.max_new_tokens`` for that prompt (for a whole batch, to its largest limit, where ``model.generate``
    runs: beams, sampling, penalties, seq2seq; plain greedy decoding of decoder models drops each row as it
    ends). Inputs longer than the window are cut at the left for decoders (keeping the instruction at the end) and
    at the right for seq2seq; callers split long texts first. ``row_done`` (rows numbered as ``prompts``) is told of
    each new token and may end a row early where decoding is plain greedy; where ``model.generate`` runs, it is
    told each row's tokens once, at the end."""
    import torch

    from newsdesk.models.lm.greedy import config_processes_logits, greedy_generate, stop_ids

    if not prompts:
        return []
    tok = lm.tokenizer
    texts = [_encode_prompt(lm, p, system) for p in prompts]
    limit = min(max_input_tokens or lm.window, lm.window)
    if lm.kind != "seq2seq":
        limit = max(16, limit - options.max_new_tokens)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[str] = [""] * len(texts)
    gen_kwargs: dict[str, Any] = {
        "max_new_tokens": options.max_new_tokens,
        "num_beams": options.num_beams,
        "do_sample": options.do_sample,
        "pad_token_id": tok.pad_token_id,
    }
    if options.do_sample:
        gen_kwargs["temperature"] = options.temperature
    else:
        # Greedy/beam decoding must not inherit sampling settings from a checkpoint's generation_config.
        gen_kwargs.update(temperature=None, top_p=None, top_k=None)
    if options.repetition_penalty != 1.0:
        gen_kwargs["repetition_penalty"] = options.repetition_penalty
    if options.no_repeat_ngram_size:
        gen_kwargs["no_repeat_ngram_size"] = options.no_repeat_ngram_size
    if lm.backend == "native":
        if not options.plain_greedy:
            raise ModelLoadError("the native runtime decodes greedily only; load the model with transformers")
        return _generate_native(lm, texts, order, limit, options.max_new_tokens, batch_size, new_token_limits, row_done)
    for idx in batched(order, batch_size):
        batch = [texts[i] for i in idx]
        if lm.kind == "seq2seq":
            tok.padding_side = "right"
            enc = tok(batch, return_tensors="pt", padding=True, truncation=True, max_length=limit)
        else:
            tok.padding_side = "left"
            tok.truncation_side = "left"
            enc = tok(
                batch,
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=limit,
                add_special_tokens=lm.kind == "causal",  # a chat template already holds the special tokens
            )
        enc = {k: v.to(lm.device) for k, v in enc.items()}
        limits = _row_limits(idx, options.max_new_tokens, new_token_limits)
        if (
            lm.kind != "seq2seq"
            and options.plain_greedy
            and not config_processes_logits(getattr(lm.model, "generation_config", None))
        ):
            rows = greedy_generate(
                lm.model,
                enc["input_ids"],
                enc["attention_mask"],
                limits,
                stop_ids(lm.model, tok),
                _in_batch(row_done, idx),
            )
            for i, seq in zip(idx, tok.batch_decode(rows, skip_special_tokens=True), strict=True):
                out[i] = seq.strip()
            continue
        kwargs = dict(gen_kwargs, max_new_tokens=max(limits))
        with torch.inference_mode():
            generated = lm.model.generate(**enc, **kwargs)
        if lm.kind != "seq2seq":
            generated = generated[:, enc["input_ids"].shape[1] :]
        told = _in_batch(row_done, idx)
        if told is not None:
            _tell_ends(generated, lm, told)
        for i, seq in zip(idx, tok.batch_decode(generated, skip_special_tokens=True), strict=True):
            out[i] = seq.strip()
    return out


def _generate_native(
    lm: LoadedModel,
    texts: list[str],
    order: list[int],
    limit: int,
    max_new_tokens: int,
    batch_size: int,
    new_token_limits: list[int] | None,
    row_done: RowDone | None,
) -> list[str]:
    from newsdesk.models.lm.greedy import decode_greedily, stop_ids

    tok = lm.tokenizer
    eos = stop_ids(lm.model, tok)
    out: list[str] = [""] * len(texts)
    # Batches of equal size (111 prompts at 96: 56 + 55, not 96 + 15): a decoding step costs less per row the more
    # rows it carries.
    if order:
        batch_size = math.ceil(len(order) / math.ceil(len(order) / max(1, batch_size)))
    for idx in batched(order, batch_size):
        # Too long a prompt loses its start, keeping the instruction at the end (callers split long texts first).
        prompts = [tok.encode(texts[i], add_special_tokens=lm.kind == "causal")[-limit:] for i in idx]
        limits = _row_limits(idx, max_new_tokens, new_token_limits)
        logits, session = lm.model.start(prompts, max(limits))
        rows = decode_greedily(logits, session, limits, eos, _in_batch(row_done, idx), prompts)
        for i, seq in zip(idx, tok.batch_decode(rows, skip_special_tokens=True), strict=True):
            out[i] = seq.strip()
    return out


def _tell_ends(generated: Any, lm: LoadedModel, row_done: RowDone) -> None:
    """Tell ``row_done`` how each row of a ``model.generate`` output ended: generate cannot end a row early, but
    the caller still learns each row's tokens, e.g. to see that one was cut off by its new-token limit."""
    from newsdesk.models.lm.greedy import stop_ids

    ends = stop_ids(lm.model, lm.tokenizer) | {lm.tokenizer.pad_token_id}
    for row, seq in enumerate(generated.tolist()):
        if lm.kind == "seq2seq":
            seq = seq[1:]  # the decoder's start token
        stop = next((i for i, t in enumerate(seq) if t in ends), len(seq))
        row_done(row, seq[:stop], True)


def _in_batch(row_done: RowDone | None, idx: list[int]) -> RowDone | None:
    """``row_done`` for a batch of the prompts ``idx``: batch rows told as prompt numbers."""
    if row_done is None:
        return None
    return lambda row, tokens, ending: row_done(idx[row], tokens, ending)


def _row_limits(idx: list[int], max_new_tokens: int, new_token_limits: list[int] | None) -> list[int]:
    """New-token limit of each prompt in ``idx``: its own limit, if given, within ``max_new_tokens``."""
    if new_token_limits is None:
        return [max(1, max_new_tokens)] * len(idx)
    return [max(1, min(max_new_tokens, new_token_limits[i])) for i in idx]
