"""Zero-shot topics: each label is a name or a description, scored by embedding similarity to the text.

No training data is needed: ``proba = sigmoid(scale · (similarity − center))`` with defaults that suit
all-MiniLM-L6-v2 cosine similarities. Given labelled data, ``fit`` calibrates ``scale`` and ``center`` per label
(a one-feature logistic regression), and the classifier tunes thresholds as for any backend. Long texts: the
similarity of each window is pooled with a soft maximum (log-mean-exp), like the other encoder backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelLoadError
from newsdesk.models.topics.encoder import PACKAGED, Encoder, describe_source
from newsdesk.models.topics.heads import sigmoid
from newsdesk.models.topics.pooling import pool_logits
from newsdesk.models.topics.training_args import TrainingArgs

# Cosine similarities of MiniLM between a news text and a matching short description sit around 0.3–0.5,
# unrelated pairs around 0–0.15.
DEFAULT_CENTER = 0.25
DEFAULT_SCALE = 20.0
SOFTMAX_TEMPERATURE = 0.05  # in similarity units: pooled windows score near their best one


class ZeroShotTopics:
    kind = "zero-shot"

    def __init__(
        self,
        *,
        labels: Sequence[str] = (),
        label_descriptions: dict[str, str] | None = None,
        base: str | None = None,
        chunk_tokens: int = 256,
        chunk_overlap: int = 32,
        device: str = "auto",
        dtype: str = "auto",
        batch_size: int = 32,
    ) -> None:
        self.labels = list(labels)
        descriptions = label_descriptions or {}
        self.descriptions = [descriptions.get(lab) or lab.replace("_", " ") for lab in self.labels]
        self.base = base
        self.center = np.full(len(self.labels), DEFAULT_CENTER)
        self.scale = np.full(len(self.labels), DEFAULT_SCALE)
        self._enc_kwargs = dict(
            device=device, dtype=dtype, chunk_tokens=chunk_tokens, chunk_overlap=chunk_overlap, batch_size=batch_size
        )
        self.encoder_: Encoder | None = None
        self.label_emb_: np.ndarray | None = None

    def _ready(self) -> Encoder:
        if self.encoder_ is None:
            self.encoder_ = Encoder(self.base, native=True, **self._enc_kwargs)
            chunks = self.encoder_.chunk(self.descriptions)
            from newsdesk.models.topics.pooling import mean_embeddings

            self.label_emb_ = mean_embeddings(self.encoder_.embed_chunks(chunks), chunks.owner, chunks.n_texts)
        return self.encoder_

    def similarities(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, L)`` cosine similarity of each text to each label, soft-maximised over the text's windows."""
        enc = self._ready()
        chunks = enc.chunk(texts)
        sims = enc.embed_chunks(chunks) @ self.label_emb_.T
        return pool_logits(sims, chunks.owner, chunks.n_texts, "lme", SOFTMAX_TEMPERATURE)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return sigmoid(self.scale[None, :] * (self.similarities(texts) - self.center[None, :]))

    def default_thresholds(self) -> np.ndarray:
        return np.full(len(self.labels), 0.5)

    def fit(self, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs) -> ZeroShotTopics:
        """Calibrate each label's similarity → probability mapping on labelled texts."""
        from sklearn.linear_model import LogisticRegression

        S = self.similarities(texts)
        for j in range(len(self.labels)):
            y = Y[:, j]
            if y.min() == y.max():
                continue
            lr = LogisticRegression(C=100.0, class_weight="balanced").fit(S[:, j : j + 1], y)
            a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
            if a > 0:  # a similarity that does not rise with the label is no signal: keep the defaults
                self.scale[j], self.center[j] = a, -b / a
        return self

    def save(self, path: Path) -> dict[str, Any]:
        return {
            "encoder": describe_source(self.base),
            "descriptions": self.descriptions,
            "center": [float(x) for x in self.center],
            "scale": [float(x) for x in self.scale],
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
    ) -> ZeroShotTopics:
        source = (config.get("encoder") or {}).get("source", PACKAGED)
        descriptions = config.get("descriptions") or list(labels)
        if len(descriptions) != len(labels):
            raise ModelLoadError(f"{path}: {len(descriptions)} descriptions for {len(labels)} labels; re-save it")
        self = cls(
            labels=labels,
            label_descriptions=dict(zip(labels, descriptions, strict=True)),
            base=None if source == PACKAGED else source,
            chunk_tokens=chunk_tokens,
            chunk_overlap=chunk_overlap,
            device=device,
            dtype=dtype,
        )
        self.center = np.asarray(config.get("center", self.center), dtype=np.float64)
        self.scale = np.asarray(config.get("scale", self.scale), dtype=np.float64)
        return self
