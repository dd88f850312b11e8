"""Readers: every input format, field mapping, made-up ids, and each kind of bad record."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from newsdesk.articles import Article, BadRecord, count_records, read_articles, read_dataset
from newsdesk.errors import InputError


def _split(records):
    good = [r for r in records if isinstance(r, Article)]
    bad = [r for r in records if isinstance(r, BadRecord)]
    return good, bad


def test_jsonl_fields_ids_and_title(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text(
        json.dumps({"id": 7, "title": "T", "text": "Body one.", "extra": 1})
        + "\n\n"
        + json.dumps({"text": "Body two."})
        + "\n",
        encoding="utf-8",
    )
    good, bad = _split(list(read_articles(p)))
    assert not bad
    assert [a.id for a in good] == ["7", "a.jsonl:3"]
    assert good[0].title == "T" and good[0].meta == {"extra": 1}
    assert good[0].full_text.startswith("T\n\nBody one.")
    assert good[0].source == f"{p}:1"


def test_field_mapping(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text(json.dumps({"doc": "x1", "body": "Words here.", "headline": "H"}) + "\n")
    (a,) = read_articles(p, text_field="body", id_field="doc", title_field="headline")
    assert (a.id, a.text, a.title) == ("x1", "Words here.", "H")


def test_csv_and_tsv_with_multiline_quoted_field(tmp_path: Path) -> None:
    c = tmp_path / "a.csv"
    c.write_text('id,text\nr1,"line one\nline two, with comma"\nr2,plain\n', encoding="utf-8")
    t = tmp_path / "b.tsv"
    t.write_text("id\ttext\nt1\ttab separated\n", encoding="utf-8")
    good, bad = _split(list(read_articles([c, t])))
    assert not bad
    assert [a.id for a in good] == ["r1", "r2", "t1"]
    assert good[0].text == "line one\nline two, with comma"


def test_csv_without_text_column_is_an_input_error(tmp_path: Path) -> None:
    c = tmp_path / "a.csv"
    c.write_text("id,body\n1,x\n")
    with pytest.raises(InputError, match="--text-field"):
        list(read_articles(c))


def test_txt_file_and_folder(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "one.txt").write_text("First article.")
    (tmp_path / "d" / "sub" / "two.md").write_text("# Second\n\nBody.")
    (tmp_path / "d" / "more.jsonl").write_text(json.dumps({"id": "j", "text": "Third."}) + "\n")
    (tmp_path / "d" / "ignored.bin").write_bytes(b"\x00")
    (tmp_path / "d" / ".hidden.txt").write_text("not read")
    good, bad = _split(list(read_articles(tmp_path / "d")))
    assert not bad
    assert sorted(a.id for a in good) == ["j", "one", "two"]


def test_stdin_jsonl_and_txt(monkeypatch: pytest.MonkeyPatch) -> None:
    data = json.dumps({"id": "s", "text": "From stdin."}) + "\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data.encode())))
    (a,) = read_articles("-")
    assert a.id == "s"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Plain text story.")))
    (a,) = read_articles("-", format="txt")
    assert (a.id, a.text) == ("stdin", "Plain text story.")


def test_each_kind_of_bad_record_and_the_good_ones_still_come(tmp_path: Path) -> None:
    p = tmp_path / "mixed.jsonl"
    lines = [
        json.dumps({"id": "ok1", "text": "Good."}).encode(),
        b'{"id": "broken", "text": ',
        json.dumps({"id": "notext"}).encode(),
        json.dumps({"id": "empty", "text": "   "}).encode(),
        json.dumps({"id": "wrongtype", "text": 42}).encode(),
        json.dumps({"id": "badtitle", "text": "x", "title": ["a"]}).encode(),
        b'{"id": "latin1", "text": "caf\xe9"}',
        json.dumps(["not", "an", "object"]).encode(),
        json.dumps({"id": "ok1", "text": "Duplicate id."}).encode(),
        json.dumps({"id": "ok2", "text": "Also good."}).encode(),
    ]
    p.write_bytes(b"\n".join(lines) + b"\n")
    good, bad = _split(list(read_articles(p)))
    assert [a.id for a in good] == ["ok1", "ok2"]
    reasons = [b.reason for b in bad]
    assert len(bad) == 8
    assert "malformed JSON" in reasons[0] and bad[0].where == f"{p}:2"
    assert "no 'text' field" in reasons[1] and bad[1].id == "notext"
    assert "is empty" in reasons[2]
    assert "must be a string, got int" in reasons[3]
    assert "'title' must be a string" in reasons[4]
    assert "not valid UTF-8" in reasons[5]
    assert "expected an object" in reasons[6]
    assert "duplicate id 'ok1'" in reasons[7] and f"{p}:1" in reasons[7]


def test_undecodable_csv_row_does_not_stop_the_file(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_bytes(b"id,text\n1,good\n2,bad \xff byte\n3,also good\n")
    good, bad = _split(list(read_articles(p)))
    assert [a.id for a in good] == ["1", "3"]
    assert bad[0].id == "2" and "UTF-8" in bad[0].reason


def test_undecodable_txt_file(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_bytes(b"\xff\xfe\xfa broken")
    ((rec),) = read_articles(p)
    assert isinstance(rec, BadRecord) and "UTF-8" in rec.reason


def test_missing_input_and_unknown_type(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_articles(tmp_path / "nope.jsonl"))
    (tmp_path / "a.xml").write_text("<a/>")
    with pytest.raises(InputError, match="unknown file type"):
        list(read_articles(tmp_path / "a.xml"))


def test_reading_is_lazy(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": f"t{i}"}) + "\n" for i in range(1000)))
    stream = read_articles(p)
    first = next(stream)
    assert first.id == "0"  # one record read without consuming the rest


def test_count_records(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "a"}\n\n{"text": "b"}\n')
    (tmp_path / "b.csv").write_text('id,text\n1,"x\ny"\n2,z\n')
    (tmp_path / "c.txt").write_text("t")
    assert count_records([tmp_path]) == 5
    assert count_records(["-"]) is None


def test_read_dataset_local_file(tmp_path: Path) -> None:
    p = tmp_path / "d.jsonl"
    p.write_text(json.dumps({"id": "d1", "text": "A."}) + "\n" + json.dumps({"id": "d2", "text": ""}) + "\n")
    good, bad = _split(list(read_dataset(str(p), "train")))
    assert [a.id for a in good] == ["d1"] and bad[0].id == "d2"


def test_read_dataset_saved_to_disk(tmp_path: Path) -> None:
    import datasets

    datasets.Dataset.from_dict({"id": ["x", "y"], "body": ["One.", "Two."]}).save_to_disk(str(tmp_path / "ds"))
    good, _ = _split(list(read_dataset(str(tmp_path / "ds"), text_field="body")))
    assert [a.text for a in good] == ["One.", "Two."]
