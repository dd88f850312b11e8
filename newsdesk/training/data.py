"""Reading labelled training files: texts plus one list of label names per record."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.articles import BadRecord, read_articles
from newsdesk.errors import NewsdeskError
from newsdesk.models.topics.labels import parse_labels


@dataclass
class LabelledData:
    """Texts (title + text, as the models read them), their label lists, and their ids."""

    texts: list[str] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    source: str = ""

    def __len__(self) -> int:
        return len(self.texts)

    def label_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for labs in self.labels:
            for lab in labs:
                counts[lab] = counts.get(lab, 0) + 1
        return dict(sorted(counts.items()))


def read_labelled(
    path: str | Path,
    *,
    labels_field: str = "labels",
    text_field: str = "text",
    title_field: str = "title",
    id_field: str = "id",
    format: str | None = None,
) -> LabelledData:
    """Read a JSONL/CSV/TSV file (or folder) of labelled records; any unusable record is an error naming it."""
    data = LabelledData(source=str(path))
    for rec in read_articles(path, text_field=text_field, id_field=id_field, title_field=title_field, format=format):
        if isinstance(rec, BadRecord):
            raise NewsdeskError(f"{rec.where}: {rec.reason}")
        if labels_field not in rec.meta:
            present = ", ".join(sorted([text_field, *rec.meta])[:8])
            raise NewsdeskError(
                f"{rec.source}: no {labels_field!r} field (fields: {present}); name the labels with --labels-field"
            )
        data.texts.append(rec.full_text)
        data.labels.append(parse_labels(rec.meta[labels_field], rec.source, labels_field))
        data.ids.append(rec.id)
    if not data.texts:
        raise NewsdeskError(f"{path}: no records")
    return data
