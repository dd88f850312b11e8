"""Scoring topic classifiers: per-label and averaged F1, exact match, Hamming score, co-occurrence,
threshold sweeps, bootstrap intervals, side-by-side comparison, the worst mistakes with the passage behind each,
and label rates by article length."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import newsdesk.evaluation.data as gold_data
from newsdesk.articles import Article
from newsdesk.errors import NewsdeskError
from newsdesk.evaluation.common import (
    Evaluation,
    MetricSpec,
    System,
    compare_systems,
    jsonable,
    named_systems,
    run_in_batches,
)
from newsdesk.evaluation.metrics import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    THRESHOLD_GRID,
    bootstrap,
    cooccurrence,
    counts,
    percentile_ci,
    threshold_sweep,
    topic_scores,
    topic_scores_weighted,
)
from newsdesk.models.topics.labels import binarize
from newsdesk.models.topics.scores import precision_recall_f1
from newsdesk.text import count_words

TOPIC_METRICS = [
    MetricSpec("macro_f1", "macro-F1", True, "f1", compare=True),
    MetricSpec("micro_f1", "micro-F1", True, "f1", compare=True),
    MetricSpec("exact_match", "exact match", True, "f1", compare=True),
    MetricSpec("hamming_score", "Hamming score", True, "f1", compare=True),
    MetricSpec("jaccard", "Jaccard", True, "f1"),
    MetricSpec("seconds_per_article", "s/article", False, "sec"),
]
SNIPPET_CHARS = 240
LENGTH_BINS = 4


def _snippet(article: Article) -> str:
    text = " ".join(article.full_text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rstrip() + "…"


def _load_classifier(name: str, device: str, dtype: str) -> Any:
    from newsdesk.models.topics.classifier import TopicClassifier

    return TopicClassifier.load(name, device=device, dtype=dtype)


def _model_thresholds(model: Any) -> dict[str, float]:
    th = getattr(model, "thresholds_", None)
    labels = list(getattr(model, "labels_", []))
    if th is None:
        return {}
    if isinstance(th, dict):
        return {str(k): float(v) for k, v in th.items()}
    th = np.broadcast_to(np.asarray(th, dtype=float), (len(labels),))
    return dict(zip(labels, th.tolist(), strict=True))


def _predict(
    system: System, articles: list[Article], *, batch_size: int, device: str, dtype: str, progress: bool
) -> dict[str, Any]:
    """Labels, scores, known labels, thresholds and timing of one system on ``articles`` (aligned by id)."""
    ids = [a.id for a in articles]
    if system.kind == "predictions":
        is_path = isinstance(system.spec, (str, Path))
        source = str(system.spec) if is_path else system.name
        records = gold_data.read_prediction_records(system.spec) if is_path else list(system.spec)
        aligned, extra = gold_data.match_by_id(records, ids, source)
        labels = [gold_data.prediction_labels(r, source) for r in aligned]
        scores = [gold_data.prediction_scores(r) for r in aligned]
        known: list[str] = []
        for s in scores:
            for k in s or {}:
                if k not in known:
                    known.append(k)
        notes = [f"{system.name}: {len(extra)} predicted id(s) not in the gold data were ignored"] if extra else []
        evidence = [r.get("evidence") if isinstance(r.get("evidence"), dict) else {} for r in aligned]
        return {
            "labels": labels,
            "scores": scores,
            "known": known,
            "thresholds": {},
            "seconds": None,
            "notes": notes,
            "evidence": evidence,
            "model": None,
        }

    from newsdesk.pipelines import classify_step

    model = system.spec
    if isinstance(model, str):
        model = _load_classifier(model, device, dtype)
    out, seconds = run_in_batches(
        lambda batch: classify_step(model, batch), articles, batch_size, desc=system.name, progress=progress
    )
    for rec, rid in zip(out, ids, strict=True):
        if str(rec.get("id")) != rid:
            raise NewsdeskError(f"{system.name}: output for id {rec.get('id')!r} where {rid!r} was expected")
    return {
        "labels": [list(r["labels"]) for r in out],
        "scores": [r.get("scores") for r in out],
        "known": list(getattr(model, "labels_", [])),
        "thresholds": _model_thresholds(model),
        "seconds": seconds,
        "notes": [],
        "evidence": None,
        "model": model,
    }


def _score_matrix(scores: list[dict[str, float] | None], labels: list[str]) -> np.ndarray | None:
    if not any(scores):
        return None
    out = np.full((len(scores), len(labels)), np.nan)
    for i, row in enumerate(scores):
        for j, lab in enumerate(labels):
            if row and lab in row:
                out[i, j] = row[lab]
    return out


def _worst_errors(
    articles: list[Article],
    gold_sets: list[list[str]],
    pred_sets: list[list[str]],
    gold: np.ndarray,
    pred: np.ndarray,
    scores: np.ndarray | None,
    labels: list[str],
    k: int,
) -> list[dict[str, Any]]:
    """The ``k`` most confident mistakes: false positives with the highest scores, false negatives with the
    lowest (without scores, in file order)."""
    rows = []
    for i, j in zip(*np.nonzero(gold != pred), strict=True):
        s = None if scores is None or np.isnan(scores[i, j]) else float(scores[i, j])
        fp = bool(pred[i, j])
        confidence = 0.5 if s is None else (s if fp else 1.0 - s)
        rows.append((-confidence, i, labels[j], "false positive" if fp else "false negative", s))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [
        {
            "id": articles[i].id,
            "label": lab,
            "error": kind,
            "score": s,
            "gold": gold_sets[i],
            "predicted": pred_sets[i],
            "text": _snippet(articles[i]),
        }
        for _, i, lab, kind, s in rows[:k]
    ]


def _add_evidence(errors: list[dict[str, Any]], articles: list[Article], run: dict[str, Any]) -> None:
    """Give each error the passage of its article that scored highest for its label (``None`` where unknown): from
    the model's ``explain`` (one call for all the errors), or from the ``evidence`` of a predictions file."""
    by_id = {a.id: (i, a) for i, a in enumerate(articles)}
    model = run.get("model")
    if model is not None and hasattr(model, "explain") and errors:
        known = set(getattr(model, "labels_", []))
        todo = [e for e in errors if e["label"] in known]
        found = model.explain([by_id[e["id"]][1].full_text for e in todo], [[e["label"]] for e in todo])
        for e, ev in zip(todo, found, strict=True):
            e["evidence"] = ev[e["label"]].text if e["label"] in ev else None
    elif run.get("evidence"):
        for e in errors:
            passage = run["evidence"][by_id[e["id"]][0]].get(e["label"])
            e["evidence"] = passage if isinstance(passage, str) else None
    for e in errors:
        e.setdefault("evidence", None)


def length_bins(words: Sequence[int], k: int = LENGTH_BINS) -> list[np.ndarray]:
    """Article indices in ``k`` groups of (nearly) equal size by word count, shortest first (quartiles by rank;
    ties keep file order); fewer groups when there are fewer articles."""
    order = np.argsort(np.asarray(words), kind="stable")
    return [b for b in np.array_split(order, min(k, len(order))) if len(b)] if len(order) else []


def rates_by_length(matrix: np.ndarray, bins: list[np.ndarray], labels: list[str]) -> dict[str, list[float]]:
    """Share of the articles of each length group that carry each label (``matrix``: articles × labels)."""
    return {lab: [float(matrix[b, j].mean()) for b in bins] for j, lab in enumerate(labels)}


def evaluate_topics(
    records: Any,
    models: Iterable[Any] | dict[str, Any] | None = ("default",),
    *,
    predictions: Iterable[Any] | dict[str, Any] | None = None,
    labels_field: str = "labels",
    labels: Sequence[str] | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    top_errors: int = 10,
    evidence: bool = True,
    batch_size: int = 32,
    device: str = "auto",
    dtype: str = "auto",
    progress: bool = False,
    data_name: str | None = None,
) -> Evaluation:
    """Score topic classifiers on records with gold labels.

    ``records``: a path (JSONL/CSV/folder) or an iterable of :class:`~newsdesk.articles.Article` / dicts, each with
    a list of label names in ``labels_field`` (records without one are skipped and reported). ``models``: names
    for ``TopicClassifier.load`` (``"default"``, ``"tfidf"``, a folder) or classifier objects; ``predictions``:
    ``newsdesk classify`` output files (or record lists) scored instead of running a model, matched by id.
    ``labels`` restricts the scored labels (default: every gold label and every label a system knows).
    ``evidence``: give each of the worst errors the passage that scored highest for its label (the model's
    ``explain``, or the ``evidence`` of a predictions file). Label rates are also reported by article length (word
    quartiles), so that a topic that long articles drown or inflate shows.

    Returns an :class:`~newsdesk.evaluation.common.Evaluation`: ``.table()``, ``.to_dict()``, ``.write_report(dir)``.
    """
    articles, gold_sets, skipped = gold_data.gold_topics(records, labels_field)
    if not articles:
        raise NewsdeskError(
            f"no records with gold labels in field {labels_field!r}; name the field with --labels-field"
            + (f" ({'; '.join(skipped.messages(labels_field))})" if skipped.bad or skipped.no_gold else "")
        )
    systems = named_systems(models, predictions)
    runs = {}
    for system in systems:
        if progress:
            print(f"newsdesk evaluate: scoring {system.name} on {len(articles)} articles", file=sys.stderr)
        runs[system.name] = _predict(
            system, articles, batch_size=batch_size, device=device, dtype=dtype, progress=progress
        )

    notes: list[str] = skipped.messages(labels_field)
    if labels:
        label_names = list(dict.fromkeys(labels))
    else:
        label_names = []
        for run in runs.values():
            label_names += [lab for lab in run["known"] if lab not in label_names]
        label_names += sorted({lab for labs in gold_sets for lab in labs} - set(label_names))
        for run in runs.values():
            label_names += sorted({lab for labs in run["labels"] for lab in labs} - set(label_names))
    gold = binarize(gold_sets, label_names).astype(bool)
    support = gold.sum(0)
    absent = [lab for lab, s in zip(label_names, support, strict=True) if s == 0]
    if absent:
        notes.append(
            f"no gold examples of {', '.join(absent)}: their recall/F1 are undefined and left out of macro-F1 "
            "unless predicted (use --labels to score only some labels)"
        )

    n = len(articles)
    words = [count_words(a.full_text) for a in articles]
    bins = length_bins(words)
    system_rows = []
    preds = {}
    for system in systems:
        run = runs[system.name]
        notes += run["notes"]
        pred = binarize(run["labels"], label_names).astype(bool)
        preds[system.name] = pred
        known = run["known"] or label_names
        unknown = [lab for lab in label_names if lab not in known and support[label_names.index(lab)] > 0]
        if unknown and system.kind == "model":
            notes.append(f"{system.name} does not know label(s) {', '.join(unknown)}: they count as never predicted")
        tp, fp, fn = counts(gold, pred)
        p, r, f1 = precision_recall_f1(gold, pred)
        metrics = topic_scores(gold, pred)
        metrics["seconds_per_article"] = None if run["seconds"] is None else run["seconds"] / n
        scores = _score_matrix(run["scores"], label_names)
        errors = _worst_errors(articles, gold_sets, run["labels"], gold, pred, scores, label_names, top_errors)
        if evidence:
            _add_evidence(errors, articles, run)
        sweeps = {}
        if scores is not None:
            for j, lab in enumerate(label_names):
                col = scores[:, j]
                if support[j] == 0 or np.isnan(col).all():
                    continue
                sw = threshold_sweep(gold[:, j], np.nan_to_num(col, nan=0.0))
                best = int(np.nanargmax(np.nan_to_num(sw["f1"], nan=-1)))
                sweeps[lab] = {
                    "f1": sw["f1"],
                    "precision": sw["precision"],
                    "recall": sw["recall"],
                    "best_threshold": float(sw["threshold"][best]),
                    "best_f1": float(sw["f1"][best]),
                    "threshold": run["thresholds"].get(lab),
                    "f1_at_threshold": float(f1[j]),
                }
        system_rows.append(
            {
                "name": system.name,
                "kind": system.kind,
                "source": str(system.spec) if isinstance(system.spec, (str, Path)) else system.name,
                "metrics": metrics,
                "per_label": {
                    lab: {
                        "precision": p[j],
                        "recall": r[j],
                        "f1": f1[j],
                        "support": int(support[j]),
                        "predicted": int(pred[:, j].sum()),
                        "tp": int(tp[j]),
                        "fp": int(fp[j]),
                        "fn": int(fn[j]),
                    }
                    for j, lab in enumerate(label_names)
                },
                "cooccurrence": cooccurrence(gold, pred),
                "threshold_sweep": sweeps,
                "thresholds": run["thresholds"],
                "worst_errors": errors,
                "rates_by_length": rates_by_length(pred, bins, label_names),
            }
        )

    names = [s.name for s in systems]
    boot_keys = [m.key for m in TOPIC_METRICS if m.key != "seconds_per_article"]

    def stat(w: np.ndarray) -> np.ndarray:
        out = np.zeros((w.shape[0], len(names), len(TOPIC_METRICS)))
        for s, name in enumerate(names):
            vals = topic_scores_weighted(gold, preds[name], w)
            for m, key in enumerate(boot_keys):
                out[:, s, m] = vals[key]
        return out

    boot = bootstrap(stat, n, n_boot=n_boot, seed=seed) if n_boot > 0 else np.zeros((0, len(names), 0))
    for s, row in enumerate(system_rows):
        row["ci"] = {key: list(percentile_ci(boot[:, s, m])) for m, key in enumerate(boot_keys)} if n_boot else {}
    comparisons = compare_systems(names, {r["name"]: r["metrics"] for r in system_rows}, boot, TOPIC_METRICS)
    if n < 30:
        notes.append(f"only {n} articles: intervals are wide, read differences with care")

    result = {
        "kind": "topics",
        "data": data_name or (str(records) if isinstance(records, (str, Path)) else None),
        "n_articles": n,
        "labels": label_names,
        "gold_field": labels_field,
        "support": support,
        "n_without_labels": int((~gold.any(1)).sum()),
        "length_bins": [
            {
                "name": f"Q{q + 1}",
                "n": len(b),
                "min_words": min(words[i] for i in b),
                "max_words": max(words[i] for i in b),
            }
            for q, b in enumerate(bins)
        ],
        "gold_rates_by_length": rates_by_length(gold, bins, label_names),
        "metrics": [m.to_dict() for m in TOPIC_METRICS],
        "systems": system_rows,
        "comparisons": comparisons,
        "threshold_grid": THRESHOLD_GRID,
        "settings": {
            "bootstrap": {"resamples": n_boot, "seed": seed, "interval": "95 % percentile", "paired": True},
            "scorer": "per-label precision, recall and F1 = 2TP/(2TP+FP+FN) from scikit-learn "
            "(precision_recall_fscore_support, zero_division=NaN: undefined values are left out of averages); "
            "macro-F1 = mean over labels with gold or predicted examples; micro-F1 pools the counts; exact match = "
            "all labels right; Hamming score = share of label decisions right; Jaccard = |gold∩pred|/|gold∪pred| "
            "per article (1 when both empty)",
            "threshold_sweep": "F1 if the label were predicted when score ≥ t; the best t is tuned on this data, "
            "so its F1 is optimistic",
        },
        "skipped": skipped.to_dict(),
        "notes": notes,
    }
    return Evaluation(jsonable(result))
