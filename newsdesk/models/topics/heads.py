"""One logistic-regression head per label over fixed features (sparse tf-idf or dense embeddings)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LinearHeads:
    """``proba = sigmoid(X @ coef.T + intercept)``; one row of ``coef`` per label."""

    coef: np.ndarray  # (L, D) float32
    intercept: np.ndarray  # (L,) float32

    def decision(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef.T) + self.intercept[None, :]

    def proba(self, X) -> np.ndarray:
        return sigmoid(self.decision(X))

    def concat(self, other: LinearHeads) -> LinearHeads:
        return LinearHeads(np.vstack([self.coef, other.coef]), np.concatenate([self.intercept, other.intercept]))

    def tensors(self, prefix: str = "") -> dict[str, np.ndarray]:
        return {f"{prefix}coef": self.coef.astype(np.float32), f"{prefix}intercept": self.intercept.astype(np.float32)}

    @classmethod
    def from_tensors(cls, tensors: dict[str, np.ndarray], prefix: str = "") -> LinearHeads:
        coef, intercept = tensors[f"{prefix}coef"], tensors[f"{prefix}intercept"]
        if coef.ndim != 2 or intercept.shape != (coef.shape[0],):
            raise ValueError(f"head shapes {coef.shape} and {intercept.shape} do not fit together")
        return cls(coef.astype(np.float32), intercept.astype(np.float32))


def fit_linear_heads(X, Y: np.ndarray, *, C: float = 4.0) -> LinearHeads:
    """An L2 logistic regression per column of ``Y`` with balanced class weights (liblinear: deterministic).

    A column without both classes (possible in a cross-validation fold of a tiny data set) gets a constant head.
    """
    from sklearn.linear_model import LogisticRegression

    coefs, intercepts = [], []
    for j in range(Y.shape[1]):
        y = np.asarray(Y[:, j])
        if y.min() == y.max():
            coefs.append(np.zeros(X.shape[1], dtype=np.float32))
            intercepts.append(np.float32(8.0 if y.min() else -8.0))
            continue
        lr = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000)
        lr.fit(X, y)
        coefs.append(lr.coef_[0].astype(np.float32))
        intercepts.append(np.float32(lr.intercept_[0]))
    return LinearHeads(np.vstack(coefs), np.asarray(intercepts, dtype=np.float32))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-7, 1 - 1e-7)
    return np.log(p) - np.log1p(-p)
