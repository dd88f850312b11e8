"""MODEL_CARD.md for a trained classifier: labels, thresholds, data (name + sha256), metrics, behaviour notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newsdesk.models.topics.classifier import TopicClassifier
from newsdesk.training.report import fmt


def _scores_table(scores: dict[str, Any]) -> str:
    rows = ["| label | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for lab, s in scores["labels"].items():
        rows.append(f"| {lab} | {fmt(s['precision'])} | {fmt(s['recall'])} | {fmt(s['f1'])} | {s['support']} |")
    rows.append(f"| **macro** | | | **{fmt(scores['macro_f1'])}** | |")
    return "\n".join(rows)


def write_model_card(
    path: Path,
    clf: TopicClassifier,
    *,
    title: str,
    summary: str,
    recipe: str,
    data: list[dict[str, str]],
    sections: dict[str, str] | None = None,
    scores: dict[str, dict[str, Any]] | None = None,
) -> Path:
    """Write ``path/MODEL_CARD.md``; ``data`` rows hold ``name``, ``sha256`` and ``use``; ``scores`` maps a caption
    to :func:`newsdesk.training.report.label_scores` output."""
    lines = [f"# {title}", "", summary, "", "## Labels and thresholds", ""]
    lines += ["| label | threshold |", "|---|---|"]
    lines += [f"| {lab} | {t:.3f} |" for lab, t in zip(clf.labels_, clf.thresholds_, strict=True)]
    lines += ["", f"Thresholds tuned on: {clf.info_.get('thresholds_tuned_on', 'unknown')}.", ""]
    lines += ["## Data", "", "| file | sha256 | used for |", "|---|---|---|"]
    lines += [f"| {d['name']} | `{d['sha256']}` | {d['use']} |" for d in data]
    lines += ["", "## Rebuild", "", "```bash", recipe, "```", ""]
    for caption, s in (scores or {}).items():
        lines += [f"## {caption}", "", _scores_table(s), ""]
    for heading, body in (sections or {}).items():
        lines += [f"## {heading}", "", body.strip(), ""]
    out = path / "MODEL_CARD.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    return out
