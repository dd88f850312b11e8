"""Per-label precision/recall/F1 of a trained classifier, for training reports and model cards."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsdesk.models.topics.labels import binarize


def label_scores(true: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], labels: Sequence[str]) -> dict[str, Any]:
    """``{"labels": {name: {precision, recall, f1, support}}, "macro_f1": ...}`` over ``labels``."""
    Yt, Yp = binarize(true, labels).astype(bool), binarize(pred, labels).astype(bool)
    tp = (Yt & Yp).sum(0)
    out: dict[str, Any] = {"labels": {}}
    f1s = []
    for j, lab in enumerate(labels):
        p = tp[j] / Yp[:, j].sum() if Yp[:, j].any() else 0.0
        r = tp[j] / Yt[:, j].sum() if Yt[:, j].any() else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        out["labels"][lab] = {
            "precision": round(float(p), 4),
            "recall": round(float(r), 4),
            "f1": round(float(f1), 4),
            "support": int(Yt[:, j].sum()),
        }
    out["macro_f1"] = round(float(np.mean(f1s)), 4) if f1s else 0.0
    return out


def format_scores(scores: dict[str, Any]) -> str:
    """A small aligned table."""
    rows = [f"{'label':<20} {'prec':>6} {'recall':>6} {'F1':>6} {'support':>8}"]
    for lab, s in scores["labels"].items():
        rows.append(f"{lab:<20} {s['precision']:>6.3f} {s['recall']:>6.3f} {s['f1']:>6.3f} {s['support']:>8}")
    rows.append(f"{'macro F1':<20} {'':>6} {'':>6} {scores['macro_f1']:>6.3f}")
    return "\n".join(rows)
