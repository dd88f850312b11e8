"""Article records and streaming readers for JSONL, CSV/TSV, text files, folders, stdin and `datasets`.

Readers never hold a whole input in memory: they yield one :class:`Article` (or one :class:`BadRecord`
for a record that cannot be used, so that a batch run can report it and go on) at a time.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from newsdesk.errors import InputError

JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
TEXT_SUFFIXES = {".txt", ".md"}
FORMATS = ("jsonl", "csv", "tsv", "txt")

csv.field_size_limit(2**31 - 1)


@dataclass
class Article:
    """One article: a unique ``id``, its ``text``, an optional ``title`` and the record's other fields."""

    id: str
    text: str
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # where the record came from ("file:line"), for error messages

    @property
    def full_text(self) -> str:
        """Title and text together, as the models read them (the title is not repeated if the text starts with it)."""
        if self.title and not self.text.lstrip().startswith(self.title.strip()):
            return f"{self.title.strip()}\n\n{self.text}"
        return self.text


@dataclass
class BadRecord:
    """A record that could not be read; ``where`` names it (file and line, or id) and ``reason`` says why."""

    where: str
    reason: str
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "where": self.where, "error": self.reason}


@dataclass
class FieldMap:
    """Which record fields hold the text, the id and the title."""

    text: str = "text"
    id: str = "id"
    title: str = "title"


def _has_surrogates(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def record_to_article(record: Any, where: str, default_id: str, fields: FieldMap) -> Article | BadRecord:
    """Validate one parsed record (a mapping) and turn it into an Article, or a BadRecord saying what is wrong."""
    if not isinstance(record, dict):
        return BadRecord(where, f"expected an object with a {fields.text!r} field, got {type(record).__name__}")
    raw_id = record.get(fields.id)
    if raw_id is None or raw_id == "":
        rid = default_id
    elif isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool):
        rid = str(raw_id)
    else:
        return BadRecord(where, f"field {fields.id!r} must be a string or an integer, got {type(raw_id).__name__}")
    if fields.text not in record:
        present = ", ".join(sorted(map(str, record))[:8]) or "none"
        return BadRecord(
            where,
            f"no {fields.text!r} field (fields present: {present}); name the text column with --text-field",
            rid,
        )
    text = record[fields.text]
    if not isinstance(text, str):
        return BadRecord(where, f"field {fields.text!r} must be a string, got {type(text).__name__}", rid)
    if not text.strip():
        return BadRecord(where, f"field {fields.text!r} is empty", rid)
    title = record.get(fields.title)
    if title is not None and not isinstance(title, str):
        return BadRecord(where, f"field {fields.title!r} must be a string, got {type(title).__name__}", rid)
    for name, value in ((fields.text, text), (fields.title, title or ""), (fields.id, rid)):
        if _has_surrogates(value):
            return BadRecord(
                where, f"field {name!r} holds bytes that are not valid UTF-8; re-save the file as UTF-8", rid
            )
    meta = {k: v for k, v in record.items() if k not in (fields.text, fields.id, fields.title)}
    return Article(id=rid, text=text, title=title or None, meta=meta, source=where)


def _read_jsonl(stream: TextIO, name: str, fields: FieldMap) -> Iterator[Article | BadRecord]:
    for lineno, line in enumerate(stream, 1):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        if _has_surrogates(line):
            yield BadRecord(where, "line holds bytes that are not valid UTF-8; re-save the file as UTF-8")
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadRecord(where, f"malformed JSON ({exc.msg} at column {exc.colno}); fix or remove the line")
            continue
        yield record_to_article(record, where, f"{Path(name).name}:{lineno}", fields)


def _read_csv(stream: TextIO, name: str, fields: FieldMap, delimiter: str) -> Iterator[Article | BadRecord]:
    reader = csv.DictReader(stream, delimiter=delimiter)
    if reader.fieldnames is None:
        return
    if fields.text not in reader.fieldnames:
        cols = ", ".join(reader.fieldnames)
        raise InputError(f"{name}: no {fields.text!r} column (columns: {cols}); name the text column with --text-field")
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if None in row:
            yield BadRecord(
                where,
                f"row has {len(reader.fieldnames) + len(row[None])} cells, the header has "
                f"{len(reader.fieldnames)}; quote fields that hold the delimiter",
            )
            continue
        if any(v is None for v in row.values()):
            yield BadRecord(where, "row has fewer cells than the header; quote fields that hold the delimiter")
            continue
        yield record_to_article(row, where, f"{Path(name).name}:{reader.line_num}", fields)


def _read_text_file(path: Path, fields: FieldMap) -> Iterator[Article | BadRecord]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield BadRecord(str(path), f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8", path.stem)
        return
    yield record_to_article({fields.id: path.stem, fields.text: text}, str(path), path.stem, fields)


def _open_text(path: Path) -> TextIO:
    # surrogateescape keeps an undecodable byte from ending the whole stream; the record that holds it is
    # reported on its own.
    return open(path, encoding="utf-8-sig", errors="surrogateescape", newline="")


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return suffix[1:]
    if suffix in TEXT_SUFFIXES:
        return "txt"
    raise InputError(
        f"{path}: unknown file type {suffix or '(none)'!r}; use .jsonl, .csv, .tsv, .txt or .md, or pass --format"
    )


def _iter_folder(folder: Path) -> list[Path]:
    known = JSONL_SUFFIXES | set(CSV_SUFFIXES) | TEXT_SUFFIXES
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file()
        and p.suffix.lower() in known
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _read_path(path: Path, fields: FieldMap, fmt: str | None) -> Iterator[Article | BadRecord]:
    kind = _format_of(path, fmt)
    if kind == "txt":
        yield from _read_text_file(path, fields)
        return
    with _open_text(path) as stream:
        if kind == "jsonl":
            yield from _read_jsonl(stream, str(path), fields)
        else:
            yield from _read_csv(stream, str(path), fields, "," if kind == "csv" else "\t")


def _read_stdin(fields: FieldMap, fmt: str | None) -> Iterator[Article | BadRecord]:
    kind = fmt or "jsonl"
    stream = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", errors="surrogateescape", newline="")
    if kind == "jsonl":
        yield from _read_jsonl(stream, "<stdin>", fields)
    elif kind in ("csv", "tsv"):
        yield from _read_csv(stream, "<stdin>", fields, "," if kind == "csv" else "\t")
    else:
        yield record_to_article({fields.id: "stdin", fields.text: stream.read()}, "<stdin>", "stdin", fields)


def check_inputs(inputs: Iterable[str | Path]) -> list[str | Path]:
    """Fail early, with one message, on inputs that do not exist."""
    items = list(inputs)
    for item in items:
        if str(item) != "-" and not Path(item).exists():
            raise InputError(f"{item}: no such file or folder")
    return items


def read_articles(
    inputs: str | Path | Iterable[str | Path],
    *,
    text_field: str = "text",
    id_field: str = "id",
    title_field: str = "title",
    format: str | None = None,
    skip_bad: bool = False,
) -> Iterator[Article | BadRecord]:
    """Stream articles from files, folders or ``"-"`` (stdin), in order.

    Yields :class:`Article` for each usable record and :class:`BadRecord` for each that is not (or skips those
    when ``skip_bad`` is true). Ids missing from a record are made up from the file name and line number; a
    repeated id is a bad record, since ids key the output.
    """
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    fields = FieldMap(text=text_field, id=id_field, title=title_field)
    seen: dict[str, str] = {}
    for item in check_inputs(inputs):
        if str(item) == "-":
            stream = _read_stdin(fields, format)
        elif Path(item).is_dir():
            stream = (rec for p in _iter_folder(Path(item)) for rec in _read_path(p, fields, None))
        else:
            stream = _read_path(Path(item), fields, format)
        yield from _dedupe(stream, seen, skip_bad)


def read_dataset(
    name_or_path: str,
    split: str = "train",
    *,
    config: str | None = None,
    text_field: str = "text",
    id_field: str = "id",
    title_field: str = "title",
    skip_bad: bool = False,
) -> Iterator[Article | BadRecord]:
    """Stream articles from a `datasets` dataset: a hub name (online; ``config`` names its configuration,
    e.g. ``"3.0.0"`` for ``cnn_dailymail``), a local data file, or a folder written by ``save_to_disk``."""
    import datasets

    path = Path(name_or_path)
    try:
        if path.is_dir() and ((path / "dataset_dict.json").exists() or (path / "state.json").exists()):
            ds = datasets.load_from_disk(str(path))
            if isinstance(ds, datasets.DatasetDict):
                ds = ds[split]
        elif path.is_file():
            builder = {
                "jsonl": "json",
                "json": "json",
                "ndjson": "json",
                "csv": "csv",
                "tsv": "csv",
                "parquet": "parquet",
                "txt": "text",
            }.get(path.suffix.lower().lstrip("."), "json")
            kwargs = {"delimiter": "\t"} if path.suffix.lower() == ".tsv" else {}
            ds = datasets.load_dataset(builder, data_files=str(path), split=split, streaming=True, **kwargs)
        else:
            ds = datasets.load_dataset(name_or_path, config, split=split, streaming=True)
    except (FileNotFoundError, ValueError, ConnectionError, OSError) as exc:
        raise InputError(f"dataset {name_or_path!r} split {split!r} cannot be loaded: {exc}") from None
    fields = FieldMap(text=text_field, id=id_field, title=title_field)
    label = f"{name_or_path}[{split}]"
    stream = (
        record_to_article(dict(row), f"{label}:{i}", f"{Path(name_or_path).name}:{i}", fields)
        for i, row in enumerate(ds, 1)
    )
    yield from _dedupe(stream, {}, skip_bad)


def _dedupe(
    stream: Iterable[Article | BadRecord], seen: dict[str, str], skip_bad: bool
) -> Iterator[Article | BadRecord]:
    for rec in stream:
        if isinstance(rec, Article):
            first = seen.get(rec.id)
            if first is not None:
                rec = BadRecord(
                    rec.source or f"id {rec.id}",
                    f"duplicate id {rec.id!r} (first seen at {first}); give each record a unique id",
                    rec.id,
                )
            else:
                seen[rec.id] = rec.source or rec.id
        if isinstance(rec, BadRecord) and skip_bad:
            continue
        yield rec


def iter_good(records: Iterable[Article | BadRecord]) -> Iterator[Article]:
    """Only the usable articles of a reader's stream."""
    return (r for r in records if isinstance(r, Article))


def count_records(inputs: Iterable[str | Path], format: str | None = None) -> int | None:
    """A quick count of the records in ``inputs`` for a progress bar's total; ``None`` for stdin."""
    total = 0
    for item in inputs:
        if str(item) == "-":
            return None
        path = Path(item)
        paths = _iter_folder(path) if path.is_dir() else [path]
        for p in paths:
            try:
                kind = _format_of(p, None if path.is_dir() else format)
            except InputError:
                return None
            if kind == "txt":
                total += 1
            elif kind == "jsonl":
                with open(p, "rb") as f:
                    total += sum(1 for line in f if line.strip())
            else:
                with _open_text(p) as f:
                    total += sum(1 for _ in csv.reader(f, delimiter="," if kind == "csv" else "\t")) - 1
    return total
