"""TF-IDF + one logistic regression per label: fast, tiny, a strong baseline.

Saved without pickle: the vocabulary as a JSON list (index order), ``idf``/``coef``/``intercept`` as safetensors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import ModelLoadError, NewsdeskError
from newsdesk.models.topics.heads import LinearHeads, fit_linear_heads
from newsdesk.models.topics.spelling import SPELLINGS, us_spelling
from newsdesk.models.topics.training_args import TrainingArgs

VOCAB_FILE = "tfidf_vocab.json"
WEIGHTS_FILE = "tfidf.safetensors"


class TfidfTopics:
    """Word 1–2-gram TF-IDF (sublinear tf, l2 norm) and an L2 logistic regression per label (balanced classes).

    Long texts need no chunking here: the whole text is one bag of words, and sublinear tf with the l2 norm keeps
    a long article's vector on the scale of a short one's.

    ``spelling="us"`` maps British spellings onto US ones before counting (``defence`` → ``defense``; see
    :mod:`newsdesk.models.topics.spelling`), so that a model learnt from US text weighs a British article's words
    too; ``"as-is"`` (the default) only lower-cases. Saved with the model.
    """

    kind = "tfidf"

    def __init__(
        self,
        *,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 2,
        max_features: int | None = 150_000,
        spelling: str = "as-is",
    ) -> None:
        if spelling not in SPELLINGS:
            raise NewsdeskError(f"unknown spelling {spelling!r}; use one of {', '.join(SPELLINGS)}")
        self.spelling = spelling
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.max_features = max_features
        self.vectorizer_ = None
        self.heads_: LinearHeads | None = None

    def _new_vectorizer(self, vocabulary: dict[str, int] | None = None, min_df: int | None = None):
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            ngram_range=self.ngram_range,
            sublinear_tf=True,
            min_df=1 if vocabulary is not None else (min_df or self.min_df),
            max_features=None if vocabulary is not None else self.max_features,
            vocabulary=vocabulary,
            dtype=np.float32,
            preprocessor=us_spelling if self.spelling == "us" else None,
        )

    def fit(self, texts: Sequence[str], Y: np.ndarray, args: TrainingArgs) -> TfidfTopics:
        texts = list(texts)
        # min_df=2 would empty or starve the vocabulary of a few-shot data set.
        vec = self._new_vectorizer(min_df=1 if len(texts) < 500 else None)
        X = vec.fit_transform(texts)
        self.vectorizer_ = vec
        self.heads_ = fit_linear_heads(X, Y, C=args.C)
        return self

    # Fixed features + linear heads: what adding labels and cross-validated thresholds work on.
    def features(self, texts: Sequence[str]):
        return self.vectorizer_.transform(list(texts))

    def fit_heads(self, X, Y: np.ndarray, args: TrainingArgs) -> LinearHeads:
        return fit_linear_heads(X, Y, C=args.C)

    def heads_proba(self, X, heads: LinearHeads) -> np.ndarray:
        return heads.proba(X)

    def append_heads(self, heads: LinearHeads, names: Sequence[str]) -> None:
        self.heads_ = self.heads_.concat(heads)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.heads_.proba(self.features(texts))

    def save(self, path: Path) -> dict[str, Any]:
        from safetensors.numpy import save_file

        vocab = self.vectorizer_.vocabulary_
        terms = [""] * len(vocab)
        for term, i in vocab.items():
            terms[i] = term
        (path / VOCAB_FILE).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
        save_file({"idf": self.vectorizer_.idf_.astype(np.float32), **self.heads_.tensors()}, str(path / WEIGHTS_FILE))
        config = {"ngram_range": list(self.ngram_range), "min_df": self.min_df, "max_features": self.max_features}
        if self.spelling != "as-is":  # models saved before the option read as-is
            config["spelling"] = self.spelling
        return config

    @classmethod
    def load(cls, path: Path, config: dict[str, Any]) -> TfidfTopics:
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        self = cls(
            ngram_range=tuple(config.get("ngram_range", (1, 2))),
            min_df=config.get("min_df", 2),
            max_features=config.get("max_features"),
            spelling=config.get("spelling", "as-is"),
        )
        try:
            terms = json.loads((path / VOCAB_FILE).read_text(encoding="utf-8"))
            tensors = load_file(str(path / WEIGHTS_FILE))
            idf = tensors["idf"]
            heads = LinearHeads.from_tensors(tensors)
        except (OSError, ValueError, KeyError, SafetensorError) as exc:
            raise ModelLoadError(
                f"{path}: the tf-idf weights cannot be read ({exc}); retrain or re-copy the model"
            ) from None
        if not isinstance(terms, list) or not (len(terms) == idf.shape[0] == heads.coef.shape[1]):
            raise ModelLoadError(f"{path}: the tf-idf files do not match each other; retrain or re-copy the model")
        vec = self._new_vectorizer({t: i for i, t in enumerate(terms)})
        vec.idf_ = idf
        self.vectorizer_, self.heads_ = vec, heads
        return self
