"""Gold records and prediction files: reading, validating, and matching them by id."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.articles import Article, BadRecord, FieldMap, read_articles, record_to_article
from newsdesk.errors import InputError, NewsdeskError
from newsdesk.models.topics.labels import parse_labels as parse_label_cell

MAX_IDS_SHOWN = 5


def _ids(ids: Iterable[str]) -> str:
    ids = list(ids)
    shown = ", ".join(repr(i) for i in ids[:MAX_IDS_SHOWN])
    return shown + (f" and {len(ids) - MAX_IDS_SHOWN} more" if len(ids) > MAX_IDS_SHOWN else "")


@dataclass
class Skipped:
    """Records left out of a scored run, and why (one line per reason)."""

    bad: list[BadRecord] = field(default_factory=list)
    no_gold: list[str] = field(default_factory=list)

    def messages(self, gold_field: str) -> list[str]:
        out = []
        if self.bad:
            first = self.bad[0]
            out.append(f"{len(self.bad)} unreadable record(s) skipped, e.g. {first.where}: {first.reason}")
        if self.no_gold:
            out.append(f"{len(self.no_gold)} record(s) without a {gold_field!r} value skipped: {_ids(self.no_gold)}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"unreadable": [b.to_dict() for b in self.bad], "no_gold": self.no_gold}


def as_articles(records: Any) -> list[Article | BadRecord]:
    """Articles from a path (or list of paths), or from an iterable of Articles / dicts / BadRecords."""
    if isinstance(records, (str, Path)):
        return list(read_articles(records))
    items = list(records)
    if items and all(isinstance(r, (str, Path)) for r in items):
        return list(read_articles(items))
    out: list[Article | BadRecord] = []
    seen: set[str] = set()
    for i, rec in enumerate(items, 1):
        if isinstance(rec, dict):
            rec = record_to_article(rec, f"record {i}", str(i), FieldMap())
        elif not isinstance(rec, (Article, BadRecord)):
            raise NewsdeskError(f"record {i}: expected an Article or a dict, got {type(rec).__name__}")
        if isinstance(rec, Article):
            if rec.id in seen:
                raise NewsdeskError(f"duplicate id {rec.id!r} in the gold records; give each record a unique id")
            seen.add(rec.id)
        out.append(rec)
    return out


def parse_labels(value: Any, where: str, field_name: str) -> list[str] | None:
    """Gold labels as a list of strings, parsed as for training; ``None`` when the record has none (it is then
    skipped). Anything else is an error that names the record."""
    if value is None:
        return None
    return list(dict.fromkeys(parse_label_cell(value, where, field_name)))


def parse_summary(value: Any, where: str, field_name: str) -> str | None:
    """Gold summary text (a list of highlight sentences is joined one per line); ``None`` when absent/empty."""
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "\n".join(v.strip() for v in value if v.strip())
    if not isinstance(value, str):
        raise InputError(f"{where}: {field_name!r} must be a string, got {type(value).__name__}")
    return value.strip() or None


def _check_no_duplicates(bad: list[BadRecord]) -> None:
    dupes = [b for b in bad if b.id is not None and b.reason.startswith("duplicate id")]
    if dupes:
        raise NewsdeskError(
            f"duplicate id(s) {_ids(b.id for b in dupes)} in the gold data (first at {dupes[0].where}); "
            "predictions are matched by id, so each record needs a unique id"
        )


def _with_gold(records: Any, field: str, parse: Callable[[Any, str, str], Any]) -> tuple[list[Article], list, Skipped]:
    """The articles whose ``field`` parses to a gold value, those values, and what was skipped."""
    arts, gold, skipped = [], [], Skipped()
    for rec in as_articles(records):
        if isinstance(rec, BadRecord):
            skipped.bad.append(rec)
            continue
        value = parse(rec.meta.get(field), rec.source or f"id {rec.id}", field)
        if value is None:
            skipped.no_gold.append(rec.id)
            continue
        arts.append(rec)
        gold.append(value)
    _check_no_duplicates(skipped.bad)
    return arts, gold, skipped


def gold_topics(records: Any, labels_field: str) -> tuple[list[Article], list[list[str]], Skipped]:
    """The articles that carry gold labels, their label lists, and what was skipped."""
    return _with_gold(records, labels_field, parse_labels)


def gold_summaries(records: Any, summary_field: str) -> tuple[list[Article], list[str], Skipped]:
    """The articles that carry a reference summary, the references, and what was skipped."""
    return _with_gold(records, summary_field, parse_summary)


def read_prediction_records(path: str | Path) -> list[dict[str, Any]]:
    """Records of a ``newsdesk classify/summarize/analyze`` output file (JSONL, or CSV as those write it)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such predictions file")
    out: list[dict[str, Any]] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        if path.suffix.lower() in (".csv", ".tsv"):
            for row in csv.DictReader(f, delimiter="\t" if path.suffix.lower() == ".tsv" else ","):
                rec: dict[str, Any] = {k: v for k, v in row.items() if not k.startswith("score_")}
                scores = {k[6:]: float(v) for k, v in row.items() if k.startswith("score_") and v not in ("", None)}
                if scores:
                    rec["scores"] = scores
                out.append(rec)
            return out
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{lineno}: malformed JSON ({exc.msg}); fix or remove the line") from None
            if not isinstance(rec, dict):
                raise InputError(f"{path}:{lineno}: expected a JSON object, got {type(rec).__name__}")
            out.append(rec)
    return out


def match_by_id(
    predictions: list[dict[str, Any]], ids: list[str], source: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """Predictions in the order of ``ids``; fails on predictions without an id, on duplicate ids and on gold
    ids with no prediction. Returns the aligned records and the ids predicted but not in the gold."""
    by_id: dict[str, dict[str, Any]] = {}
    dupes: list[str] = []
    for i, rec in enumerate(predictions, 1):
        rid = rec.get("id")
        if rid is None or rid == "":
            raise NewsdeskError(f"{source}: record {i} has no 'id'; predictions are matched to the gold by id")
        rid = str(rid)
        if rid in by_id:
            dupes.append(rid)
        by_id[rid] = rec
    if dupes:
        raise NewsdeskError(f"{source}: duplicate id(s) {_ids(dupes)}; each article must be predicted once")
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise NewsdeskError(
            f"{source}: no prediction for {len(missing)} of {len(ids)} gold id(s): {_ids(missing)}; "
            "predict the same file you evaluate on (ids must match)"
        )
    wanted = set(ids)
    extra = [i for i in by_id if i not in wanted]
    return [by_id[i] for i in ids], extra


def prediction_labels(rec: dict[str, Any], source: str) -> list[str]:
    rid = rec.get("id")
    if "labels" not in rec:
        raise NewsdeskError(f"{source}: id {rid!r} has no 'labels' field; is this a `newsdesk classify` output?")
    labs = parse_labels(rec["labels"], f"{source}: id {rid!r}", "labels")
    return labs or []


def prediction_scores(rec: dict[str, Any]) -> dict[str, float] | None:
    scores = rec.get("scores")
    if not isinstance(scores, dict):
        return None
    try:
        return {str(k): float(v) for k, v in scores.items()}
    except (TypeError, ValueError):
        return None


def prediction_summary(rec: dict[str, Any], source: str) -> str:
    rid = rec.get("id")
    value = rec.get("summary")
    if not isinstance(value, str):
        raise NewsdeskError(f"{source}: id {rid!r} has no 'summary' string; is this a `newsdesk summarize` output?")
    return value
