"""Multi-label targets: label cells of a record parsed, lists of label names checked, and encoded as 0/1 matrices."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import numpy as np

from newsdesk.errors import InputError, NewsdeskError

MIN_POSITIVES = 2  # fewer and neither a head nor a threshold can be learnt
MIN_NEGATIVES = 2
_SPLIT = re.compile(r"[;|,]")


def parse_labels(value: object, where: str, labels_field: str) -> list[str]:
    """A list of names as is; a string as a JSON list or names split on ``;``, ``|`` or ``,`` (CSV cells)."""
    if isinstance(value, str):
        s = value.strip()
        if s.startswith("["):
            try:
                value = json.loads(s)
            except json.JSONDecodeError:
                raise NewsdeskError(f"{where}: field {labels_field!r} holds malformed JSON {s[:60]!r}") from None
        else:
            return [p.strip() for p in _SPLIT.split(s) if p.strip()]
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            if not isinstance(v, str) or not v.strip():
                raise InputError(
                    f"{where}: field {labels_field!r} must be a list of label names (strings), found {v!r:.40}"
                )
            out.append(v.strip())
        return out
    raise InputError(
        f'{where}: field {labels_field!r} must be a list of label names or a string like "a;b", '
        f"got {type(value).__name__} {value!r:.40}"
    )


def check_label_lists(labels: Sequence[object], n_texts: int) -> list[list[str]]:
    """Each entry must be a list of strings (possibly empty); one entry per text."""
    if isinstance(labels, (str, bytes)):
        raise NewsdeskError("labels must be a list with one list of label names per text, got a string")
    labels = list(labels)
    if len(labels) != n_texts:
        raise NewsdeskError(f"got {n_texts} texts but {len(labels)} label lists; give one list (maybe empty) per text")
    out: list[list[str]] = []
    for i, labs in enumerate(labels):
        if isinstance(labs, str) or not isinstance(labs, (list, tuple, set, frozenset)):
            raise NewsdeskError(
                f"labels of text {i} must be a list of label names, got {type(labs).__name__} {labs!r:.60}"
            )
        clean = []
        for lab in labs:
            if not isinstance(lab, str) or not lab.strip():
                raise NewsdeskError(f"labels of text {i}: each label must be a non-empty string, got {lab!r:.60}")
            clean.append(lab.strip())
        out.append(sorted(set(clean)))
    return out


def binarize(label_lists: Sequence[Sequence[str]], labels: Sequence[str]) -> np.ndarray:
    """(n, L) 0/1 matrix; names not in ``labels`` are ignored."""
    index = {lab: j for j, lab in enumerate(labels)}
    Y = np.zeros((len(label_lists), len(labels)), dtype=np.int64)
    for i, labs in enumerate(label_lists):
        for lab in labs:
            j = index.get(lab)
            if j is not None:
                Y[i, j] = 1
    return Y


def check_counts(Y: np.ndarray, labels: Sequence[str], *, what: str = "the training data") -> None:
    """Every label needs a few positive and a few negative examples."""
    pos = Y.sum(0)
    neg = Y.shape[0] - pos
    few = [f"{lab} ({int(p)})" for lab, p in zip(labels, pos, strict=True) if p < MIN_POSITIVES]
    if few:
        raise NewsdeskError(
            f"too few examples in {what} for label(s) {', '.join(few)}: each label needs at least "
            f"{MIN_POSITIVES} texts that carry it (8 or more work far better)"
        )
    all_pos = [lab for lab, n in zip(labels, neg, strict=True) if n < MIN_NEGATIVES]
    if all_pos:
        raise NewsdeskError(
            f"label(s) {', '.join(all_pos)} are on (almost) every text of {what}; add examples without them "
            "so the model can learn what they are not"
        )
