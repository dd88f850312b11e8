"""Recipe: train a classifier on a labelled file (fresh, or new labels on top of an existing model), save it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.assets import is_hub_id
from newsdesk.errors import NewsdeskError
from newsdesk.models.topics.classifier import MODEL_FILE, SHIPPED, TopicClassifier
from newsdesk.models.topics.training_args import TrainingArgs
from newsdesk.training.data import LabelledData, read_labelled
from newsdesk.training.report import label_scores

log = logging.getLogger(__name__)

FRESH_BACKENDS = ("embedding", "tfidf")


@dataclass
class TrainResult:
    """The trained classifier, where it was saved, and what was measured."""

    classifier: TopicClassifier
    out: Path | None
    mode: str  # "fresh <backend>", "added labels to <base>", "fine-tuned <checkpoint>"
    dev_scores: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


def base_mode(base: str) -> str:
    """``fresh`` (train a new model of that backend), ``extend`` (add labels to a newsdesk model) or
    ``finetune`` (full fine-tuning of a sequence-classification checkpoint)."""
    if base in FRESH_BACKENDS:
        return "fresh"
    if base == "default" or base in SHIPPED:
        return "extend"
    path = Path(base).expanduser()
    if path.is_dir():
        if (path / MODEL_FILE).is_file():
            return "extend"
        if (path / "config.json").is_file():
            return "finetune"
        raise NewsdeskError(
            f"--base {base}: the folder is neither a newsdesk model ({MODEL_FILE}) nor a transformers checkpoint "
            "(config.json)"
        )
    if is_hub_id(base):
        return "finetune"
    raise NewsdeskError(
        f"--base {base!r}: use embedding, tfidf, default, a model folder, or a hub id of a sequence-classification "
        "checkpoint"
    )


def restrict(data: LabelledData, keep: Sequence[str] | None) -> LabelledData:
    if not keep:
        return data
    wanted = set(keep)
    missing = wanted - set(data.label_counts())
    if missing:
        raise NewsdeskError(f"--labels: {', '.join(sorted(missing))} never occur in {data.source}")
    return LabelledData(data.texts, [[x for x in labs if x in wanted] for labs in data.labels], data.ids, data.source)


def train(
    data: str | Path | LabelledData,
    *,
    out: str | Path | None = None,
    base: str = "embedding",
    labels_field: str = "labels",
    text_field: str = "text",
    title_field: str = "title",
    labels: Sequence[str] | None = None,
    dev: str | Path | LabelledData | None = None,
    tune_on_dev: bool = False,
    args: TrainingArgs | None = None,
    device: str = "auto",
    dtype: str = "auto",
    say: Callable[[str], None] = log.info,
) -> TrainResult:
    """Train on ``data`` and save to ``out``.

    ``base``: ``embedding`` or ``tfidf`` trains a fresh model of that backend on the data's labels; ``default``
    or a newsdesk model folder keeps that model's labels and adds the data's new ones; a transformers checkpoint
    folder or hub id is fully fine-tuned (transformer backend). With ``dev``, the result is scored on it (and its
    thresholds tuned on it if ``tune_on_dev``; the scores are then optimistic).
    """
    args = args or TrainingArgs()
    if not isinstance(data, LabelledData):
        data = read_labelled(data, labels_field=labels_field, text_field=text_field, title_field=title_field)
    data = restrict(data, labels)
    if dev is not None and not isinstance(dev, LabelledData):
        dev = read_labelled(dev, labels_field=labels_field, text_field=text_field, title_field=title_field)
    say(f"training data: {len(data)} texts from {data.source}; label counts {data.label_counts()}")
    mode = base_mode(base)
    tune = {"tune_texts": dev.texts, "tune_labels": dev.labels} if (dev is not None and tune_on_dev) else {}
    notes = []
    if mode == "fresh":
        clf = TopicClassifier(base, labels=labels, args=args, device=device, dtype=dtype)
        clf.fit(data.texts, data.labels, args=args, **tune)
        what = f"fresh {base} model"
    elif mode == "extend":
        clf = TopicClassifier.load(base, device=device, dtype=dtype)
        known = [lab for lab in data.label_counts() if lab in clf.labels_]
        if known:
            notes.append(
                f"labels {', '.join(known)} are already in {base}: kept as they were (their examples still serve "
                "as negatives for the new labels)"
            )
        clf.add_labels(data.texts, data.labels, args=args)
        what = f"added {', '.join(clf.info_['added_labels'][-1]['labels'])} to {base}"
    else:
        clf = TopicClassifier("transformer", base=base, labels=labels, args=args, device=device, dtype=dtype)
        clf.fit(data.texts, data.labels, args=args, **tune)
        what = f"fine-tuned {base}"
    say(f"{what}: labels {clf.labels_}, thresholds {[round(float(t), 3) for t in clf.thresholds_]}")
    scores = None
    if dev is not None:
        scores = label_scores(dev.labels, clf.predict(dev.texts), clf.labels_)
        scores["data"] = dev.source
        scores["thresholds_tuned_on_this_data"] = bool(tune)
        clf.info_["dev_scores"] = scores
    clf.info_["training_data"] = data.source
    if out is not None:
        out = clf.save(out)
        say(f"saved to {out}")
    return TrainResult(clf, Path(out) if out else None, what, scores, notes)
