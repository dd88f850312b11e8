"""Output files for batch runs: JSONL, CSV or Parquet, written a whole line at a time, resumable, with an error log."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from newsdesk.articles import BadRecord
from newsdesk.errors import NewsdeskError


def _truncate_partial_tail(path: Path) -> None:
    """Cut off a last line left half-written by a crash, so that appending starts on a fresh line."""
    size = path.stat().st_size
    if size == 0:
        return
    with open(path, "rb+") as f:
        f.seek(size - 1)
        if f.read(1) == b"\n":
            return
        # Walk back to the last newline; everything after it is the broken line.
        pos, chunk = size, 1 << 16
        while pos > 0:
            start = max(0, pos - chunk)
            f.seek(start)
            data = f.read(pos - start)
            nl = data.rfind(b"\n")
            if nl >= 0:
                f.truncate(start + nl + 1)
                return
            pos = start
        f.truncate(0)


def _csv_cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float):
        return f"{value:.6g}"
    return "" if value is None else str(value)


def flatten_for_csv(record: dict[str, Any]) -> dict[str, str]:
    """One CSV row per record: label lists joined with ';', each score in its own ``score_<label>`` column, and
    evidence in an ``evidence_<label>`` column for every label scored (empty where the article lacks the label, so
    that every row has the same columns)."""
    row: dict[str, str] = {}
    for key, value in record.items():
        if key == "scores" and isinstance(value, dict):
            for label, p in value.items():
                row[f"score_{label}"] = _csv_cell(p)
        elif key == "evidence" and isinstance(value, dict):
            scored = record.get("scores") if isinstance(record.get("scores"), dict) else {}
            for label in dict.fromkeys([*scored, *value]):
                row[f"evidence_{label}"] = _csv_cell(value.get(label))
        else:
            row[key] = _csv_cell(value)
    return row


class RecordSink:
    """Writes result records to ``path`` (``.csv`` → CSV, ``.parquet`` → Parquet, otherwise JSONL; ``None`` or
    ``"-"`` → stdout).

    With ``resume=True`` the ids already in the file are read into :attr:`done_ids` and new records are
    appended; without it an existing file is an error unless ``overwrite=True``.

    Parquet cannot be appended to, so its records go a whole line at a time to a JSONL spool beside it
    (``OUT.parquet.part.jsonl``), turned into ``OUT.parquet`` on :meth:`close`; a crash leaves the spool, which
    ``resume`` continues.
    """

    def __init__(self, path: str | Path | None, *, resume: bool = False, overwrite: bool = False) -> None:
        self.path = None if path in (None, "-") else Path(path)
        self.is_csv = self.path is not None and self.path.suffix.lower() == ".csv"
        self.is_parquet = self.path is not None and self.path.suffix.lower() == ".parquet"
        self.done_ids: set[str] = set()
        self._columns: list[str] | None = None
        self._stream: TextIO
        if self.path is None:
            self._stream = sys.stdout
            return
        self._file = spool_path(self.path) if self.is_parquet else self.path
        exists = any(p.exists() and p.stat().st_size > 0 for p in {self.path, self._file})
        if exists and not (resume or overwrite):
            raise NewsdeskError(
                f"{self.path} already exists; pass --resume to continue it or --overwrite to replace it"
            )
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        if exists and resume:
            if self.is_parquet and not self._file.exists():
                _parquet_to_jsonl(self.path, self._file)
            _truncate_partial_tail(self._file)
            self._load_done_ids()
            mode = "a"
        else:
            mode = "w"
        self._stream = open(self._file, mode, encoding="utf-8", newline="")

    def _load_done_ids(self) -> None:
        with open(self._file, encoding="utf-8", errors="replace", newline="") as f:
            if self.is_csv:
                reader = csv.DictReader(f)
                self._columns = list(reader.fieldnames or []) or None
                for row in reader:
                    if row.get("id"):
                        self.done_ids.add(row["id"])
                return
            for lineno, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    self.done_ids.add(str(json.loads(line)["id"]))
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise NewsdeskError(
                        f"{self._file}:{lineno} is not a newsdesk output line, so --resume cannot "
                        f"tell which articles are done; write to a new file instead"
                    ) from None

    def write(self, record: dict[str, Any]) -> None:
        """Write one record as one whole line (or CSV row) and flush it."""
        if self.is_csv:
            row = flatten_for_csv(record)
            buf = io.StringIO()
            if self._columns is None:
                self._columns = list(row)
                csv.writer(buf).writerow(self._columns)
            csv.writer(buf).writerow([row.get(c, "") for c in self._columns])
            line = buf.getvalue()
        else:
            line = json.dumps(record, ensure_ascii=False) + "\n"
        self._stream.write(line)
        self._stream.flush()
        self.done_ids.add(str(record["id"]))

    def close(self) -> None:
        if self._stream is sys.stdout:
            self._stream.flush()
            return
        if self._stream.closed:
            return
        self._stream.close()
        if self.is_parquet:
            assert self.path is not None
            _jsonl_to_parquet(self._file, self.path)
            os.remove(self._file)

    def __enter__(self) -> RecordSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def spool_path(parquet: Path) -> Path:
    """Where the records of ``OUT.parquet`` are spooled as JSONL until it is written."""
    return parquet.with_name(parquet.name + ".part.jsonl")


def _chunks(path: Path, size: int = 10_000) -> Iterator[list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
            if len(rows) >= size:
                yield rows
                rows = []
    if rows:
        yield rows


def _jsonl_to_parquet(src: Path, dest: Path) -> None:
    """One Parquet file from a JSONL file, a chunk at a time: the first pass settles the column types over all
    chunks (an empty list in one, strings in another), the second writes; ``dest`` is replaced atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schemas = []
    for rows in _chunks(src):
        keys = list(dict.fromkeys(k for r in rows for k in r))
        schemas.append(pa.Table.from_pydict({k: [r.get(k) for r in rows] for k in keys}).schema)
    schema = pa.unify_schemas(schemas, promote_options="permissive") if schemas else pa.schema([("id", pa.string())])
    tmp = dest.with_name(dest.name + ".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for rows in _chunks(src):
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    os.replace(tmp, dest)


def _parquet_to_jsonl(src: Path, dest: Path) -> None:
    """The records of a finished Parquet output back as JSONL lines, to resume it."""
    import pyarrow.parquet as pq

    try:
        batches = pq.ParquetFile(src).iter_batches()
        with open(dest, "w", encoding="utf-8") as f:
            for batch in batches:
                f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in batch.to_pylist())
    except Exception as exc:  # pyarrow raises several kinds for a file that is not Parquet
        dest.unlink(missing_ok=True)
        raise NewsdeskError(f"{src} cannot be read as Parquet ({exc}), so --resume cannot continue it") from None


def default_errors_path(out: str | Path | None) -> Path | None:
    """``OUT.errors.jsonl`` beside the output file; ``None`` (stderr) when writing to stdout."""
    if out in (None, "-"):
        return None
    out = Path(out)
    return out.with_name(out.stem + ".errors.jsonl")


class ErrorLog:
    """Bad records of this run, one JSON line each, to a file (made only when there is one) or to stderr."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path in (None, "-") else Path(path)
        self.count = 0
        self._stream: TextIO | None = None
        if self.path is not None and self.path.exists():
            # A stale log from an earlier run: its records are read again in this one, so they are re-reported.
            os.remove(self.path)

    def write(self, bad: BadRecord) -> None:
        self.count += 1
        if self.path is None:
            ident = f" (id {bad.id})" if bad.id else ""
            print(f"newsdesk: skipped {bad.where}{ident}: {bad.reason}", file=sys.stderr)
            return
        if self._stream is None:
            self._stream = open(self.path, "w", encoding="utf-8")
        self._stream.write(json.dumps(bad.to_dict(), ensure_ascii=False) + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close()
