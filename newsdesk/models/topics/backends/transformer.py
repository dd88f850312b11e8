"""Full fine-tuning of any ``AutoModelForSequenceClassification`` checkpoint as a multi-label classifier.

Saved as a transformers checkpoint (safetensors) in ``checkpoint/`` inside the model folder. Long texts are read
in overlapping windows whose logits are pooled like the other encoder backends (see
:mod:`newsdesk.models.topics.pooling`).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelLoadError, NewsdeskError
from newsdesk.models.topics.encoder import Encoder
from newsdesk.models.topics.heads import sigmoid
from newsdesk.models.topics.pooling import pool_logits
from newsdesk.models.topics.training_args import TrainingArgs
from newsdesk.runtime import batched, resolve_dtype

log = logging.getLogger(__name__)
CHECKPOINT_DIR = "checkpoint"
FULL_FINETUNE_LR = 5e-5


class TransformerTopics:
    kind = "transformer"

    def __init__(
        self,
        *,
        labels: Sequence[str] = (),
        base: str | None = None,
        chunk_tokens: int = 256,
        chunk_overlap: int = 32,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 32,
        pooling: str = "lme",
        trust_remote_code: bool = False,
    ) -> None:
        self.labels = list(labels)
        self.base = base
        self.pooling = pooling
        self.multi_label = True
        self.trust_remote_code = trust_remote_code
        self._enc_kwargs = dict(
            device=device, dtype=dtype, chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap, batch_size=batch_size
        )
        self.encoder_: Encoder | None = None
        self.trained_state_: dict[str, Any] | None = None  # float32 weights, kept when predicting in another dtype

    def _load(self, source: str, *, dtype: str | None = None, new_head: bool = False) -> Encoder:
        kwargs: dict[str, Any] = {}
        if new_head:
            kwargs = {
                "num_labels": len(self.labels),
                "problem_type": "multi_label_classification",
                "id2label": dict(enumerate(self.labels)),
                "label2id": {lab: i for i, lab in enumerate(self.labels)},
                "ignore_mismatched_sizes": True,
            }
        enc_kwargs = {**self._enc_kwargs, **({"dtype": dtype} if dtype else {})}
        return Encoder(
            source, head="classification", model_kwargs=kwargs, trust_remote_code=self.trust_remote_code, **enc_kwargs
        )

    def fit(self, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs) -> TransformerTopics:
        import torch

        if not self.base:
            raise NewsdeskError("the transformer backend needs base=<checkpoint folder or hub id> to fine-tune")
        threads = torch.get_num_threads()
        if args.threads:
            torch.set_num_threads(args.threads)
        try:
            self._train(texts, Y, args)
        finally:
            torch.set_num_threads(threads)
        return self

    def _train(self, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs) -> None:
        import torch

        torch.manual_seed(args.seed)
        rng = np.random.default_rng(args.seed)
        enc = self._load(self.base, dtype="float32", new_head=True)
        model = enc.model
        chunks = enc.chunk(texts, max_tokens=args.max_length)
        opt = torch.optim.AdamW(
            model.parameters(), lr=args.learning_rate or FULL_FINETUNE_LR, weight_decay=args.weight_decay
        )
        total = math.ceil(len(texts) / args.batch_size) * args.epochs
        sched = args.lr_scheduler(opt, total)
        targets = torch.tensor(Y, dtype=torch.float32)
        model.train()
        step, t0 = 0, time.perf_counter()
        for epoch in range(args.epochs):
            order = rng.permutation(len(texts))
            for idx in map(np.asarray, batched(order, args.batch_size)):
                ids, mask = enc.pad([chunks.ids[i] for i in idx])
                out = model(input_ids=ids, attention_mask=mask, labels=targets[idx].to(enc.device))
                out.loss.backward()
                opt.step()
                sched.step()
                opt.zero_grad(set_to_none=True)
                step += 1
                if step % args.log_every == 0:
                    log.info(
                        "epoch %d step %d/%d loss %.4f (%.1fs)",
                        epoch + 1,
                        step,
                        total,
                        float(out.loss),
                        time.perf_counter() - t0,
                    )
        model.eval()
        # Predict in the dtype a loaded copy gets; save the float32 weights training made, not a cast of them.
        enc.dtype = resolve_dtype(self._enc_kwargs["dtype"], enc.device)
        if enc.dtype != torch.float32:
            self.trained_state_ = {k: v.detach().clone() for k, v in model.state_dict().items()}
        enc.model = model.to(enc.device, enc.dtype)
        self.encoder_ = enc

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        chunks = self.encoder_.chunk(texts)
        z = pool_logits(self.encoder_.logits_chunks(chunks), chunks.owner, chunks.n_texts, self.pooling)
        if self.multi_label:
            return sigmoid(z)
        e = np.exp(z - z.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    def save(self, path: Path) -> dict[str, Any]:
        target = path / CHECKPOINT_DIR
        self.encoder_.model.save_pretrained(target, state_dict=self.trained_state_)
        self.encoder_.tokenizer.save_pretrained(target)
        return {
            "checkpoint": CHECKPOINT_DIR,
            "base": self.base,
            "pooling": self.pooling,
            "multi_label": self.multi_label,
        }

    @classmethod
    def load(
        cls,
        path: Path,
        config: dict[str, Any],
        *,
        labels: Sequence[str],
        chunk_tokens: int = 256,
        chunk_overlap: int = 32,
        device: str = "auto",
        dtype: str = "auto",
    ) -> TransformerTopics:
        target = path / config.get("checkpoint", CHECKPOINT_DIR)
        if not (target / "config.json").is_file():
            raise ModelLoadError(f"{target} holds no checkpoint (config.json); retrain or re-copy the model")
        self = cls(
            labels=labels,
            base=config.get("base"),
            pooling=config.get("pooling", "lme"),
            chunk_tokens=chunk_tokens,
            chunk_overlap=chunk_overlap,
            device=device,
            dtype=dtype,
        )
        self.multi_label = bool(config.get("multi_label", True))
        self.encoder_ = self._load(str(target))
        n_out = int(self.encoder_.model.config.num_labels)
        if n_out != len(self.labels):
            raise ModelLoadError(f"{target}: the checkpoint has {n_out} outputs for {len(self.labels)} labels")
        return self

    @classmethod
    def from_checkpoint(cls, name: str, *, device: str = "auto", dtype: str = "auto") -> TransformerTopics:
        """A sequence-classification checkpoint used as is: labels from its ``id2label``; a single-label model
        gets softmax probabilities."""
        self = cls(base=name, device=device, dtype=dtype)
        self.encoder_ = self._load(name)
        cfg = self.encoder_.model.config
        id2label = getattr(cfg, "id2label", None) or {}
        self.labels = [str(id2label.get(i, f"LABEL_{i}")) for i in range(int(cfg.num_labels))]
        self.multi_label = getattr(cfg, "problem_type", None) == "multi_label_classification"
        return self
