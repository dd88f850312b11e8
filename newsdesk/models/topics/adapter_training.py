"""Fine-tuning an encoder body with LoRA (peft's layers: :mod:`newsdesk.models.topics.adapters`) and a multi-label
linear head (the ``embedding`` backend's training).

The layers below the adapted ones are frozen, so their output is computed once per text and cached; each epoch
then runs only the adapted top layers, forward and backward. Training texts are cut to ``args.max_length``
tokens (prediction is never cut: it reads long texts in windows).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from newsdesk.models.topics.adapters import BERT_TARGETS, add_lora, lora_parameters, merge_lora
from newsdesk.models.topics.encoder import Encoder
from newsdesk.models.topics.training_args import TrainingArgs
from newsdesk.runtime import batched

log = logging.getLogger(__name__)
LORA_LR = 1e-3


def _bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Random batches of similar-length texts: shuffle, sort within groups of 50 batches, shuffle the batches."""
    order = rng.permutation(len(lengths))
    group = batch_size * 50
    batches = []
    for part in map(np.asarray, batched(order, group)):
        part = part[np.argsort(lengths[part], kind="stable")]
        batches += [np.asarray(b) for b in batched(part, batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def train_adapter(
    enc: Encoder,
    texts: Sequence[str],
    Y: np.ndarray,
    args: TrainingArgs,
    say: Callable[[str], None] = log.info,
) -> tuple[dict[str, torch.Tensor], np.ndarray, np.ndarray, dict[str, float]]:
    """Train LoRA on the top ``args.lora_layers`` layers plus a linear head; the adapter is merged into ``enc``.

    Returns ``(adapter tensors, head coef (L, H), head intercept (L,), stats)``.
    """
    threads = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        return _train(enc, texts, Y, args, say)
    finally:
        torch.set_num_threads(threads)


def _train(
    enc: Encoder, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs, say: Callable[[str], None]
) -> tuple[dict[str, torch.Tensor], np.ndarray, np.ndarray, dict[str, float]]:
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model = enc.model.float()
    n_layers = len(model.encoder.layer)
    start = max(0, n_layers - args.lora_layers)
    chunks = enc.chunk(texts, max_tokens=args.max_length)
    lengths = np.array([len(x) for x in chunks.ids])
    full = np.array([len(x) for x in enc.tokenize(texts)]) + len(enc.prefix) + len(enc.suffix)
    n_cut = int((full > args.max_length).sum())
    if n_cut:
        say(f"{n_cut} of {len(texts)} training texts are longer than max_length={args.max_length} tokens and were cut")

    # Frozen lower layers, once.
    t0 = time.perf_counter()
    model.eval()
    cache: list[torch.Tensor] = [None] * len(texts)  # type: ignore[list-item]
    with torch.inference_mode():
        for idx in enc.batches(chunks):
            ids, mask = enc.pad([chunks.ids[i] for i in idx])
            h = enc.lower(ids, mask, start)
            for row, i in enumerate(idx):
                cache[i] = h[row, : lengths[i]].to(torch.bfloat16).clone()
    say(f"cached layers 0-{start - 1} for {len(texts)} texts in {time.perf_counter() - t0:.0f}s")

    names = [f"encoder.layer.{i}.{t}" for i in range(start, n_layers) for t in BERT_TARGETS]
    lora = add_lora(model, names, args.lora_rank, args.lora_alpha, dropout=0.05)  # peft layers, in place
    lora_params = lora_parameters(lora, names)
    n_labels, hidden = Y.shape[1], enc.hidden_size
    head = nn.Linear(hidden, n_labels)
    prior = np.clip(Y.mean(0), 1e-3, 1 - 1e-3)
    with torch.no_grad():
        head.weight.normal_(0, 0.02)
        head.bias.copy_(torch.tensor(np.log(prior / (1 - prior)), dtype=torch.float32))
    opt = torch.optim.AdamW(
        [
            {"params": lora_params, "lr": args.learning_rate or LORA_LR, "weight_decay": args.weight_decay},
            {"params": head.parameters(), "lr": args.head_learning_rate, "weight_decay": 0.0},
        ]
    )
    steps_per_epoch = math.ceil(len(texts) / args.batch_size)
    total = steps_per_epoch * args.epochs
    sched = args.lr_scheduler(opt, total)
    targets = torch.tensor(Y, dtype=torch.float32)
    for layer in model.encoder.layer[start:]:
        layer.train()
    step, t0, running, since = 0, time.perf_counter(), 0.0, 0
    for epoch in range(args.epochs):
        for idx in _bucketed_batches(lengths, args.batch_size, rng):
            width = int(lengths[idx].max())
            h = torch.zeros(len(idx), width, hidden)
            mask = torch.zeros(len(idx), width, dtype=torch.long)
            for row, i in enumerate(idx):
                h[row, : lengths[i]] = cache[i].float()
                mask[row, : lengths[i]] = 1
            h, mask = h.to(enc.device), mask.to(enc.device)
            out = enc.upper(h, mask, start)
            logits = head(Encoder.pool(out, mask))
            loss = nn.functional.binary_cross_entropy_with_logits(logits, targets[idx].to(enc.device))
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            running += loss.item()
            since += 1
            if step % args.log_every == 0 or step == total:
                secs = time.perf_counter() - t0
                say(
                    f"epoch {epoch + 1}/{args.epochs} step {step}/{total} loss {running / since:.4f} "
                    f"({secs / step:.2f}s/step, {secs / step * (total - step) / 60:.1f} min left)"
                )
                running, since = 0.0, 0
    model.eval()
    state = merge_lora(lora, names)
    stats = {"train_seconds": round(time.perf_counter() - t0, 1), "steps": step, "texts_cut": n_cut}
    enc.model = model.to(enc.device, enc.dtype)
    coef = head.weight.detach().cpu().numpy().astype(np.float32)
    intercept = head.bias.detach().cpu().numpy().astype(np.float32)
    return state, coef, intercept, stats
