"""Several backends averaged per label in logit space (the shipped default: LoRA-tuned MiniLM + tf-idf).

Each member is saved in its own sub-folder; ``weights[m][j]`` is member ``m``'s weight for label ``j``.

**Length-aware weights** (optional; the shipped default uses them): texts that fit in ``short_max_windows``
encoder windows (by default one: a headline, a title, a short paragraph) are combined with their own weights,
``short_weights[m][j]``, and their combined logit is moved by ``short_logit_shift[j]`` before the sigmoid. The
classifier has one threshold per label, so a shift of ``logit(t_long) - logit(t_short)`` makes the model's
threshold ``t_long`` decide a short text exactly as a threshold ``t_short`` would decide its unshifted score:
short texts get their own thresholds without a second threshold table. The window count comes from the encoder
member's own windows (:meth:`~newsdesk.models.topics.backends.embedding.EmbeddingTopics.windows_per_text`), so
routing costs no extra pass; a member whose weights are zero for every label of a regime is not run on that
regime's texts. Without ``short_weights`` every text uses ``weights``, as before. Everything is saved in
``newsdesk_model.json`` (JSON numbers, no pickle).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelLoadError, NewsdeskError
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
        short_weights: Sequence[float] | Sequence[Sequence[float]] | None = None,
        short_logit_shift: Sequence[float] | None = None,
        short_max_windows: int = 1,
    ) -> None:
        self.members_ = list(members)
        self.member_kinds = [m.kind for m in self.members_]
        w = np.asarray(weights if weights is not None else [1.0] * len(self.member_kinds), dtype=np.float64)
        self.base_weights = w / w.sum()
        nw = np.asarray(new_label_weights if new_label_weights is not None else self.base_weights, dtype=np.float64)
        self.new_label_weights = nw / nw.sum()
        self.weights_: np.ndarray | None = None  # (members, labels)
        if short_max_windows < 1:
            raise NewsdeskError(f"short_max_windows must be at least 1, got {short_max_windows}")
        self.short_max_windows = int(short_max_windows)
        # As given (a weight per member, or per member and label); fit() or from_members() expands it to labels.
        self._short_given = None if short_weights is None else np.asarray(short_weights, dtype=np.float64)
        self._shift_given = None if short_logit_shift is None else np.asarray(short_logit_shift, dtype=np.float64)
        if self._short_given is not None:
            if self._short_given.shape[0] != len(self.members_) or self._short_given.ndim not in (1, 2):
                raise NewsdeskError(
                    f"short_weights needs one weight (or one row of per-label weights) per member: "
                    f"{len(self.members_)} members, got shape {self._short_given.shape}"
                )
            if not any(hasattr(m, "windows_per_text") for m in self.members_):
                raise NewsdeskError(
                    "short_weights needs a member that reads texts in encoder windows (embedding) to count them"
                )
        elif short_logit_shift is not None:
            raise NewsdeskError("short_logit_shift needs short_weights")
        self.short_weights_: np.ndarray | None = None  # (members, labels), or None: no length routing
        self.short_logit_shift_: np.ndarray | None = None  # (labels,)

    def fit(self, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs) -> EnsembleTopics:
        for m in self.members_:
            m.fit(texts, Y, args)
        self.weights_ = np.repeat(self.base_weights[:, None], Y.shape[1], axis=1)
        self._expand_short(Y.shape[1])
        return self

    def _expand_short(self, n_labels: int) -> None:
        """Per-label short-text weights and shift from what the constructor was given."""
        if self._short_given is None:
            self.short_weights_ = self.short_logit_shift_ = None
            return
        w = self._short_given
        if w.ndim == 1:
            w = np.repeat((w / w.sum())[:, None], n_labels, axis=1)
        if w.shape != (len(self.members_), n_labels):
            raise NewsdeskError(f"short_weights has shape {w.shape}; expected ({len(self.members_)}, {n_labels})")
        shift = np.zeros(n_labels) if self._shift_given is None else self._shift_given
        if shift.shape != (n_labels,):
            raise NewsdeskError(f"short_logit_shift needs one value per label ({n_labels}), got {shift.shape}")
        self.short_weights_, self.short_logit_shift_ = w.astype(np.float64), shift.astype(np.float64)

    def _combine(self, probas: list[np.ndarray], weights: np.ndarray) -> np.ndarray:
        z = sum(w[None, :] * logit(p) for w, p in zip(weights, probas, strict=True))
        return sigmoid(z)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.short_weights_ is None:
            return self._combine([m.predict_proba(texts) for m in self.members_], self.weights_)
        texts = list(texts)

        def member_proba(i: int, rows: np.ndarray, known: Any) -> np.ndarray:
            m = self.members_[i]
            if known is not None:
                return m.heads_proba(known if len(rows) == len(texts) else known[rows], m.heads_)
            return m.predict_proba([texts[r] for r in rows])

        counter = self._counter()
        return self._routed(self.members_[counter].features(texts), member_proba)

    def proba_from_features(self, X: MemberFeatures) -> np.ndarray:
        """The ensemble's probabilities from its members' features (:meth:`features` of the same texts); the same
        as :meth:`predict_proba` of those texts, length-aware when ``short_weights`` is set."""
        if self.short_weights_ is None:
            heads = [m.heads_proba(x, m.heads_) for m, x in zip(self.members_, X.parts, strict=True)]
            return self._combine(heads, self.weights_)
        k = self._counter()
        n = len(self.members_[k].windows_per_text(X.parts[k]))

        def member_proba(i: int, rows: np.ndarray, known: Any) -> np.ndarray:
            x = X.parts[i]
            return self.members_[i].heads_proba(x if len(rows) == n else x[rows], self.members_[i].heads_)

        return self._routed(X.parts[k], member_proba)

    def _counter(self) -> int:
        """The member that counts a text's encoder windows."""
        return next(i for i, m in enumerate(self.members_) if hasattr(m, "windows_per_text"))

    def is_short(self, windows: np.ndarray) -> np.ndarray:
        """Which texts, given their encoder window counts, take the short-text weights."""
        return np.asarray(windows) <= self.short_max_windows

    def _routed(self, counted: Any, member_proba: Any) -> np.ndarray:
        """Length-aware combination. ``counted``: the window-counting member's features of all texts;
        ``member_proba(i, rows, known)``: member ``i``'s probabilities for the texts at ``rows`` (``known``: that
        member's features of all texts when already computed, else ``None``)."""
        k = self._counter()
        short = self.is_short(self.members_[k].windows_per_text(counted))
        z = np.zeros((len(short), self.weights_.shape[1]))
        for i, (w_long, w_short) in enumerate(zip(self.weights_, self.short_weights_, strict=True)):
            rows = np.flatnonzero(np.where(short, np.any(w_short != 0), np.any(w_long != 0)))
            if len(rows) == 0:  # a member weighted zero for every label of the texts at hand is not run
                continue
            zm = logit(member_proba(i, rows, counted if i == k else None))
            z[rows] += np.where(short[rows, None], w_short[None, :], w_long[None, :]) * zm
        z[short] += self.short_logit_shift_[None, :]
        return sigmoid(z)

    def member_proba(self, texts: Sequence[str]) -> list[np.ndarray]:
        return [m.predict_proba(texts) for m in self.members_]

    # ---- adding labels: each member learns a head on its own features --------------------------------------
    def features(self, texts: Sequence[str]) -> MemberFeatures:
        return MemberFeatures([m.features(texts) for m in self.members_])

    def fit_heads(self, X: MemberFeatures, Y: np.ndarray, args: TrainingArgs) -> list[Any]:
        return [m.fit_heads(x, Y, args) for m, x in zip(self.members_, X.parts, strict=True)]

    def heads_proba(self, X: MemberFeatures, heads: list[Any]) -> np.ndarray:
        probas = [m.heads_proba(x, h) for m, x, h in zip(self.members_, X.parts, heads, strict=True)]
        return self._combine(probas, np.repeat(self.new_label_weights[:, None], probas[0].shape[1], axis=1))

    def append_heads(self, heads: list[Any], names: Sequence[str]) -> None:
        for m, h in zip(self.members_, heads, strict=True):
            m.append_heads(h, names)
        new = np.repeat(self.new_label_weights[:, None], len(names), axis=1)
        self.weights_ = np.concatenate([self.weights_, new], axis=1)
        if self.short_weights_ is not None:  # a new label is weighted the same whatever the length, unshifted
            self.short_weights_ = np.concatenate([self.short_weights_, new], axis=1)
            self.short_logit_shift_ = np.concatenate([self.short_logit_shift_, np.zeros(len(names))])

    # ---- persistence --------------------------------------------------------------------------------------
    def save(self, path: Path) -> dict[str, Any]:
        configs = []
        for i, (kind, m) in enumerate(zip(self.member_kinds, self.members_, strict=True)):
            sub = path / f"member{i}_{kind}"
            sub.mkdir(exist_ok=True)
            configs.append({"kind": kind, "dir": sub.name, "config": m.save(sub)})
        out = {
            "members": configs,
            "weights": self.weights_.round(6).tolist(),
            "new_label_weights": self.new_label_weights.tolist(),
        }
        if self.short_weights_ is not None:
            out["short_texts"] = {
                "max_windows": self.short_max_windows,
                "weights": self.short_weights_.round(6).tolist(),
                "logit_shift": self.short_logit_shift_.round(6).tolist(),
            }
        return out

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
        short = config.get("short_texts")
        if short is not None:
            try:
                sw = np.asarray(short["weights"], dtype=np.float64)
                shift = np.asarray(short["logit_shift"], dtype=np.float64)
                ok = sw.shape == weights.shape and shift.shape == (weights.shape[1],) and int(short["max_windows"]) >= 1
            except (KeyError, TypeError, ValueError):
                ok = False
            if not ok:
                raise ModelLoadError(f"{path}: the ensemble's short_texts settings do not fit its weights; re-save it")
        return specs

    @classmethod
    def from_members(cls, members: Sequence[Any], config: dict[str, Any]) -> EnsembleTopics:
        """The saved ensemble, around its loaded ``members``."""
        weights = np.asarray(config["weights"], dtype=np.float64)
        short = config.get("short_texts")
        self = cls(
            members,
            weights=weights.mean(1),
            short_weights=None if short is None else short["weights"],
            short_logit_shift=None if short is None else short["logit_shift"],
            short_max_windows=1 if short is None else int(short["max_windows"]),
        )
        self.weights_ = weights
        self._expand_short(weights.shape[1])
        nw = np.asarray(config.get("new_label_weights", self.base_weights), dtype=np.float64)
        self.new_label_weights = nw / nw.sum()
        return self


class MemberFeatures:
    """Per-member features of the same texts, indexable by text positions together."""

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts

    def __getitem__(self, rows: np.ndarray) -> MemberFeatures:
        return MemberFeatures([p[rows] for p in self.parts])
