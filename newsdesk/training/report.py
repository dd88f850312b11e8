"""Per-label precision/recall/F1 of a trained classifier, for training reports and model cards.

The scores are scikit-learn's (:mod:`newsdesk.models.topics.scores`): an undefined value — the precision of a label
never predicted, the F1 of a label neither in the data nor predicted — is ``None`` here and "–" in tables, and
macro-F1 is the mean over the labels whose F1 is defined.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from newsdesk.models.topics.labels import binarize
from newsdesk.models.topics.scores import precision_recall_f1


def _rounded(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def label_scores(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> dict[str, Any]:
    """``{"labels": {name: {precision, recall, f1, support}}, "macro_f1": ...}`` over ``labels``."""
    Yt, Yp = binarize(true, labels), binarize(pred, labels)
    p, r, f1 = precision_recall_f1(Yt, Yp)
    _, _, macro = precision_recall_f1(Yt, Yp, average="macro")
    out: dict[str, Any] = {"labels": {}}
    for j, lab in enumerate(labels):
        out["labels"][lab] = {
            "precision": _rounded(p[j]),
            "recall": _rounded(r[j]),
            "f1": _rounded(f1[j]),
            "support": int(Yt[:, j].sum()),
        }
    out["macro_f1"] = _rounded(float(macro))
    return out


def fmt(value: float | None, spec: str = ".3f") -> str:
    """A score as tables show it: "–" when undefined."""
    return "–" if value is None else format(value, spec)


def format_scores(scores: dict[str, Any]) -> str:
    """A small aligned table."""
    rows = [f"{'label':<20} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>8}"]
    for lab, s in scores["labels"].items():
        rows.append(f"{lab:<20} {fmt(s['precision']):>6} {fmt(s['recall']):>6} {fmt(s['f1']):>6} {s['support']:>8}")
    rows.append(f"{'macro F1':<20} {'':>6} {'':>6} {fmt(scores['macro_f1']):>6}")
    return "\n".join(rows)
