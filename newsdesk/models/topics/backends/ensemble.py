"""Several backends averaged per label in logit space (the shipped default: LoRA-tuned MiniLM + tf-idf).

Each member is saved in its own sub-folder; ``weights[m][j]`` is member ``m``'s weight for label ``j``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelLoadError
from newsdesk.models.topics.heads import logit, sigmoid
from newsdesk.models.topics.training_args import TrainingArgs

DEFAULT_MEMBERS = ("embedding", "tfidf")


class EnsembleTopics:
    """Members' probabilities averaged per label in logit space; the members are given, built or loaded by the
    registry (:func:`newsdesk.models.topics.backends.new_backend`)."""

    kind = "ensemble"
    DEFAULT_MEMBERS = DEFAULT_MEMBERS

    def __init__(
        self,
        members: Sequence[Any],
        *,
        weights: Sequence[float] | None = None,
        new_label_weights: Sequence[float] | None = None,
    ) -> None:
        self.members_ = list(members)
        self.member_kinds = [m.kind for m in self.members_]
        w = np.asarray(weights if weights is not None else [1.0] * len(self.member_kinds), dtype=np.float64)
        self.base_weights = w / w.sum()
        nw = np.asarray(new_label_weights if new_label_weights is not None else self.base_weights, dtype=np.float64)
        self.new_label_weights = nw / nw.sum()
        self.weights_: np.ndarray | None = None  # (members, labels)

    def fit(self, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs) -> EnsembleTopics:
        for m in self.members_:
            m.fit(texts, Y, args)
        self.weights_ = np.repeat(self.base_weights[:, None], Y.shape[1], axis=1)
        return self

    def _combine(self, probas: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
        z = sum(w[None, :] * logit(p) for w, p in zip(weights, probas, strict=True))
        return sigmoid(z)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self._combine([m.predict_proba(texts) for m in self.members_], self.weights_)

    def member_proba(self, texts: Sequence[str]) -> list[np.ndarray]:
        return [m.predict_proba(texts) for m in self.members_]

    # ---- adding labels: each member learns a head on its own features --------------------------------------
    def features(self, texts: Sequence[str]) -> _Stack:
        return _Stack([m.features(texts) for m in self.members_])

    def fit_heads(self, X: _Stack, Y: np.ndarray, args: TrainingArgs) -> list[Any]:
        return [m.fit_heads(x, Y, args) for m, x in zip(self.members_, X.parts, strict=True)]

    def heads_proba(self, X: _Stack, heads: list[Any]) -> np.ndarray:
        probas = [m.heads_proba(x, h) for m, x, h in zip(self.members_, X.parts, heads, strict=True)]
        return self._combine(probas, np.repeat(self.new_label_weights[:, None], probas[0].shape[1], axis=1))

    def append_heads(self, heads: list[Any], names: Sequence[str]) -> None:
        for m, h in zip(self.members_, heads, strict=True):
            m.append_heads(h, names)
        new = np.repeat(self.new_label_weights[:, None], len(names), axis=1)
        self.weights_ = np.concatenate([self.weights_, new], axis=1)

    # ---- persistence --------------------------------------------------------------------------------------
    def save(self, path: Path) -> dict[str, Any]:
        configs = []
        for i, (kind, m) in enumerate(zip(self.member_kinds, self.members_, strict=True)):
            sub = path / f"member{i}_{kind}"
            sub.mkdir(exist_ok=True)
            configs.append({"kind": kind, "dir": sub.name, "config": m.save(sub)})
        return {
            "members": configs,
            "weights": self.weights_.round(6).tolist(),
            "new_label_weights": self.new_label_weights.tolist(),
        }

    @staticmethod
    def member_specs(path: Path, config: dict[str, Any], labels: Sequence[str] | None) -> list[tuple[str, str, dict]]:
        """``(kind, sub-folder, config)`` of each saved member, after checking the saved weights fit them."""
        try:
            specs = [(s["kind"], s["dir"], s.get("config") or {}) for s in config["members"]]
            weights = np.asarray(config["weights"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelLoadError(f"{path}: the ensemble's config is incomplete ({exc}); re-save the model") from None
        if weights.shape != (len(specs), len(labels if labels is not None else weights[0])):
            raise ModelLoadError(f"{path}: ensemble weights do not match the members and labels; re-save the model")
        return specs

    @classmethod
    def from_members(cls, members: Sequence[Any], config: dict[str, Any]) -> EnsembleTopics:
        """The saved ensemble, around its loaded ``members``."""
        weights = np.asarray(config["weights"], dtype=np.float64)
        self = cls(members, weights=weights.mean(1))
        self.weights_ = weights
        nw = np.asarray(config.get("new_label_weights", self.base_weights), dtype=np.float64)
        self.new_label_weights = nw / nw.sum()
        return self


class _Stack:
    """Per-member features of the same texts, indexable by text positions together."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def __getitem__(self, rows: np.ndarray) -> _Stack:
        return _Stack([p[rows] for p in self.parts])
