"""`newsdesk.evaluation` and `newsdesk evaluate` with small stand-in models: records matched by id, gold
validation, side-by-side comparison, and the reports (the metric arithmetic is in test_metrics.py)."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from newsdesk.errors import InputError, NewsdeskError
from newsdesk.evaluation import evaluate_summaries, evaluate_topics, summaries, topics

# ------------------------------------------------------------------------------------------------ stand-ins


class KeywordClassifier:
    """'war' → defence, 'court' → law (0.9 / 0.1 scores, threshold 0.5)."""

    labels_ = ["defence", "law"]
    thresholds_ = np.array([0.5, 0.5])

    def __init__(self, name: str = "keywords", miss_law: bool = False) -> None:
        self.name = name
        self.miss_law = miss_law

    def predict_proba(self, texts):
        return np.array(
            [[0.9 if "war" in t else 0.1, 0.2 if self.miss_law or "court" not in t else 0.8] for t in texts]
        )

    def labels_from_proba(self, proba):
        return [[lab for lab, p, t in zip(self.labels_, row, self.thresholds_, strict=True) if p >= t] for row in proba]


@dataclass
class Result:
    summary: str

    def to_dict(self):
        return {"summary": self.summary, "model": "first-words", "seconds": 0.01}


class FirstWords:
    name = "first-words"

    def __init__(self, k: int = 4) -> None:
        self.k = k

    def summarize(self, texts, max_words=None, batch_size=8, return_details=False):
        out = [" ".join(t.split()[: self.k]) for t in texts]
        return [Result(s) for s in out] if return_details else out


TOPIC_ROWS = [
    {"id": "t1", "title": "War in the north", "text": "The war went on.", "labels": ["defence"]},
    {"id": "t2", "text": "The court heard the war case.", "labels": ["defence", "law"]},
    {"id": "t3", "text": "A court ruling on taxes.", "labels": ["law"]},
    {"id": "t4", "text": "Sunny weather all week.", "labels": []},
    {"id": "t5", "text": "Troops crossed the border.", "labels": ["defence"]},  # missed by the keywords
    {"id": "t6", "text": "A war of words in the court of opinion.", "labels": []},  # two false positives
]
# Hand-computed for KeywordClassifier on TOPIC_ROWS (title + text are read):
#   defence: TP t1 t2, FN t5, FP t6 → P 2/3, R 2/3, F1 2/3;  law: TP t2 t3, FP t6 → P 2/3, R 1, F1 0.8
MACRO = (2 / 3 + 0.8) / 2
MICRO = 2 * 4 / (2 * 4 + 2 + 1)

ARTICLE = (
    "Officials in Lisbon said on Tuesday that 40 ships had left port. The fleet will sail for six days. "
    "Fishermen welcomed the news. Prices fell."
)
SUMMARY_ROWS = [
    {"id": f"s{i}", "text": ARTICLE, "summary": "Officials in Lisbon said on Tuesday that 40 ships had left port."}
    for i in range(6)
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ topics


def test_topic_scores_from_a_model_match_the_hand_computation():
    res = evaluate_topics(TOPIC_ROWS, [KeywordClassifier()], n_boot=200)
    d = res.to_dict()
    assert d["labels"] == ["defence", "law"] and d["support"] == [3, 2] and d["n_articles"] == 6
    assert res.metric("keywords", "macro_f1") == pytest.approx(MACRO)
    assert res.metric("keywords", "micro_f1") == pytest.approx(MICRO)
    assert res.metric("keywords", "exact_match") == pytest.approx(4 / 6)  # t1 t2 t3, and t4 (nothing, rightly)
    per = d["systems"][0]["per_label"]
    assert per["law"]["precision"] == pytest.approx(2 / 3) and per["law"]["recall"] == 1.0
    lo, hi = d["systems"][0]["ci"]["macro_f1"]
    assert lo <= MACRO <= hi and hi - lo > 0.05
    # The most confident mistakes come first: t5 missed defence with score 0.1, t6 false positives with 0.9.
    errors = d["systems"][0]["worst_errors"]
    assert {(e["id"], e["label"], e["error"]) for e in errors} == {
        ("t5", "defence", "false negative"),
        ("t6", "defence", "false positive"),
        ("t6", "law", "false positive"),
    }
    assert [(e["id"], e["label"], e["score"]) for e in errors] == [("t5", "defence", 0.1), ("t6", "defence", 0.9),
                                                                  ("t6", "law", 0.8)]  # fmt: skip
    # Threshold sweep: a threshold above 0.1 and up to 0.9 gives the same F1 as the model's own.
    sw = d["systems"][0]["threshold_sweep"]["law"]
    assert sw["threshold"] == 0.5 and sw["best_f1"] == pytest.approx(0.8)
    assert json.loads(json.dumps(d)) == d  # JSON-safe


def test_side_by_side_names_the_best_and_compares_on_the_same_records():
    rows = TOPIC_ROWS * 5
    rows = [{**r, "id": f"{r['id']}-{k}"} for k, r in enumerate(rows)]
    res = evaluate_topics(
        rows, {"full": KeywordClassifier(), "no-law": KeywordClassifier(miss_law=True)}, n_boot=300, seed=1
    )
    c = res.to_dict()["comparisons"]["macro_f1"]
    assert c["best"] == "full"
    assert c["vs"][0]["system"] == "no-law" and c["vs"][0]["significant"]
    assert "macro-F1: best full" in res.table()


def test_predictions_file_is_matched_by_id_whatever_its_order(tmp_path):
    preds = [
        {"id": r["id"], "labels": lab, "scores": {"defence": float("defence" in lab), "law": float("law" in lab)}}
        for r, lab in zip(TOPIC_ROWS, [["defence"], ["defence", "law"], ["law"], [], [], ["law"]], strict=True)
    ]
    path = write_jsonl(tmp_path / "pred.jsonl", preds[::-1] + [{"id": "extra", "labels": []}])
    res = evaluate_topics(TOPIC_ROWS, None, predictions=[path], n_boot=0)
    # defence: TP 2, FN 1 → F1 0.8; law: TP 2, FP 1 → 0.8
    assert res.metric("pred", "macro_f1") == pytest.approx(0.8)
    assert any("1 predicted id(s) not in the gold" in n for n in res.to_dict()["notes"])


def test_missing_and_duplicate_prediction_ids_fail_loudly(tmp_path):
    preds = [{"id": r["id"], "labels": []} for r in TOPIC_ROWS]
    with pytest.raises(NewsdeskError, match=r"no prediction for 2 of 6 gold id\(s\): 't5', 't6'"):
        evaluate_topics(TOPIC_ROWS, None, predictions=[write_jsonl(tmp_path / "a.jsonl", preds[:4])], n_boot=0)
    with pytest.raises(NewsdeskError, match=r"duplicate id\(s\) 't2'"):
        evaluate_topics(TOPIC_ROWS, None, predictions=[write_jsonl(tmp_path / "b.jsonl", [*preds, preds[1]])])
    with pytest.raises(NewsdeskError, match="duplicate id 't1'"):
        evaluate_topics([*TOPIC_ROWS, TOPIC_ROWS[0]], [KeywordClassifier()])


def test_gold_labels_are_validated_and_records_without_them_are_skipped():
    rows = [*TOPIC_ROWS, {"id": "u1", "text": "No gold here."}]
    res = evaluate_topics(rows, [KeywordClassifier()], n_boot=0)
    assert res.to_dict()["n_articles"] == 6
    assert res.to_dict()["skipped"]["no_gold"] == ["u1"]
    assert any("without a 'labels' value skipped: 'u1'" in n for n in res.to_dict()["notes"])
    with pytest.raises(InputError, match="must be a list of label names"):
        evaluate_topics([{"id": "x", "text": "t", "labels": [1, 2]}], [KeywordClassifier()])
    with pytest.raises(InputError, match="must be a list of label names"):
        evaluate_topics([{"id": "x", "text": "t", "labels": {"a": 1}}], [KeywordClassifier()])
    with pytest.raises(NewsdeskError, match="no records with gold labels in field 'topics'"):
        evaluate_topics(TOPIC_ROWS, [KeywordClassifier()], labels_field="topics")


def test_gold_files_with_repeated_ids_fail_and_unreadable_lines_are_reported(tmp_path):
    path = write_jsonl(tmp_path / "gold.jsonl", [*TOPIC_ROWS, {**TOPIC_ROWS[2], "text": "Another."}])
    with pytest.raises(NewsdeskError, match=r"duplicate id\(s\) 't3' in the gold data \(first at .*gold.jsonl:7\)"):
        evaluate_topics(path, [KeywordClassifier()])
    path.write_text(path.read_text().rsplit("\n", 2)[0] + "\n{broken\n")
    res = evaluate_topics(path, [KeywordClassifier()], n_boot=0)
    assert res.to_dict()["n_articles"] == 6
    assert any("1 unreadable record(s) skipped" in n and "malformed JSON" in n for n in res.to_dict()["notes"])


def test_csv_gold_labels_are_split_on_semicolons(tmp_path):
    path = tmp_path / "gold.csv"
    path.write_text("id,text,labels\na,The war.,defence\nb,The court and the war.,defence;law\nc,Rain.,\n")
    res = evaluate_topics(path, [KeywordClassifier()], n_boot=0)
    assert res.metric("keywords", "macro_f1") == pytest.approx(1.0)


def test_unknown_gold_labels_are_scored_and_flagged_and_labels_can_be_restricted():
    rows = [*TOPIC_ROWS, {"id": "h", "text": "Hospital news.", "labels": ["health"]}]
    res = evaluate_topics(rows, [KeywordClassifier()], n_boot=0)
    d = res.to_dict()
    assert d["labels"] == ["defence", "law", "health"]
    assert d["systems"][0]["per_label"]["health"]["f1"] == 0.0
    assert any("does not know label(s) health" in n for n in d["notes"])
    only = evaluate_topics(rows, [KeywordClassifier()], labels=["law"], n_boot=0)
    assert only.to_dict()["labels"] == ["law"] and only.metric("keywords", "macro_f1") == pytest.approx(0.8)


def test_models_are_loaded_by_name(monkeypatch):
    seen = []

    def load(name, device, dtype):
        seen.append((name, device, dtype))
        return KeywordClassifier()

    monkeypatch.setattr(topics, "_load_classifier", load)
    res = evaluate_topics(TOPIC_ROWS, ["tfidf"], n_boot=0, device="cpu")
    assert seen == [("tfidf", "cpu", "auto")] and res.systems == ["tfidf"]
    assert res.metric("tfidf", "seconds_per_article") >= 0


# ------------------------------------------------------------------------------------------------ summaries


def test_summary_scores_baseline_model_and_reference():
    res = evaluate_summaries(SUMMARY_ROWS, [FirstWords()], n_boot=200)
    d = res.to_dict()
    assert res.systems == ["lead3", "first-words"]
    # LEAD-1 would equal the reference (12 words); LEAD-3 holds it plus 7 + 4 words that are not in it:
    # recall 1, precision 12/23 → F1 = 24/35. The article has 25 words.
    lead = d["systems"][0]["metrics"]
    assert lead["rouge1"] == pytest.approx(24 / 35)
    assert lead["novel_bigrams"] == 0.0 and lead["unsupported"] == 0.0
    assert lead["words"] == 23 and lead["compression"] == pytest.approx(25 / 23)
    first = d["systems"][1]["metrics"]
    assert first["words"] == 4 and first["seconds_per_article"] > 0
    # "Officials in Lisbon said": 4 of 12 reference unigrams, all of the summary's → F1 = 2·1·(1/3)/(4/3).
    assert first["rouge1"] == pytest.approx(0.5)
    assert d["comparisons"]["rougeLsum"]["best"] == "lead3"
    assert d["reference"]["words"] == 12
    assert "rouge-score" in d["settings"]["scorer"] and "use_stemmer=True" in d["settings"]["scorer"]


def test_lead1_baseline_matches_a_reference_made_of_the_first_sentence():
    res = evaluate_summaries(SUMMARY_ROWS, None, baselines=["lead1"], n_boot=50)
    m = res.to_dict()["systems"][0]["metrics"]
    assert (m["rouge1"], m["rouge2"], m["rougeLsum"]) == (1.0, 1.0, 1.0)


def test_unsupported_facts_and_novel_bigrams_are_counted(tmp_path):
    preds = [{"id": r["id"], "summary": "Officials in Madrid said 90 ships left."} for r in SUMMARY_ROWS]
    preds[0]["summary"] = "Officials in Lisbon said 40 ships left."
    path = write_jsonl(tmp_path / "made-up.jsonl", preds)
    res = evaluate_summaries(SUMMARY_ROWS, None, predictions=[path], baselines=["none"], n_boot=0)
    d = res.to_dict()["systems"][0]
    assert d["metrics"]["unsupported"] == pytest.approx(5 / 6)
    assert "Madrid" in d["per_article"][1]["facts"] and "90" in d["per_article"][1]["facts"]
    assert d["per_article"][0]["facts"] == []
    # "Officials in Lisbon said 40 ships left": novel bigrams (said, 40) and (ships, left) of 6.
    assert d["per_article"][0]["novel_bigrams"] == pytest.approx(2 / 6)


def test_summary_gold_and_baseline_validation():
    with pytest.raises(NewsdeskError, match="unknown baseline 'first3'"):
        evaluate_summaries(SUMMARY_ROWS, None, baselines=["first3"])
    with pytest.raises(NewsdeskError, match="nothing to evaluate"):
        evaluate_summaries(SUMMARY_ROWS, None, baselines=["none"])
    with pytest.raises(InputError, match="'summary' must be a string"):
        evaluate_summaries([{"id": "a", "text": "x", "summary": 3}], None)
    rows = [*SUMMARY_ROWS, {"id": "nosum", "text": "Text."}]
    res = evaluate_summaries(rows, None, n_boot=0)
    assert res.to_dict()["skipped"]["no_gold"] == ["nosum"]


def test_summarizers_are_loaded_by_name(monkeypatch):
    monkeypatch.setattr(summaries, "_load_summarizer", lambda name, device, dtype: FirstWords(2))
    res = evaluate_summaries(SUMMARY_ROWS, ["lead"], baselines=["none"], n_boot=0)
    assert res.systems == ["lead"] and res.metric("lead", "words") == 2


# ------------------------------------------------------------------------------------------------ reports


def _png_count(html: str) -> int:
    return len(re.findall(r'<img [^>]*src="data:image/png;base64,', html))


def test_topic_report_holds_the_figures_and_the_plots(tmp_path):
    res = evaluate_topics(TOPIC_ROWS, {"a": KeywordClassifier(), "b": KeywordClassifier(miss_law=True)}, n_boot=100)
    html_path = res.write_report(tmp_path / "rep")
    html = html_path.read_text(encoding="utf-8")
    assert f"{MACRO:.3f}" in html and re.search(r"<td class=[\"']best[\"']>", html)
    assert _png_count(html) == 3  # per-label F1, co-occurrence, threshold curves
    b64 = re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(b64)[:8] == b"\x89PNG\r\n\x1a\n"
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    assert f"**{MACRO:.3f}" in md and "](plots/per_label_f1.png)" in md
    assert (tmp_path / "rep" / "plots" / "cooccurrence.png").stat().st_size > 1000
    assert json.loads((tmp_path / "rep" / "results.json").read_text())["kind"] == "topics"


def test_html_report_comes_from_the_packaged_template_and_escapes_what_it_shows():
    from importlib.resources import files

    assert (files("newsdesk.evaluation") / "templates" / "report.html.j2").is_file()
    res = evaluate_topics(TOPIC_ROWS, {"<b>x</b> & co": KeywordClassifier()}, n_boot=0)
    page = res.to_html()
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert "&lt;b&gt;x&lt;/b&gt; &amp; co" in page and "<b>x</b> &" not in page


def test_summary_report_names_the_scorer_and_embeds_plots(tmp_path):
    res = evaluate_summaries(SUMMARY_ROWS, [FirstWords()], n_boot=100)
    html = res.write_report(tmp_path).read_text(encoding="utf-8")
    assert "rouge-score" in html and "rougeLsum" in html
    lead_r1 = res.metric("lead3", "rouge1")
    assert f"{100 * lead_r1:.1f}" in html
    assert _png_count(html) == 2  # ROUGE and length distributions
    assert "Officials in Lisbon" in html  # the examples section


# ------------------------------------------------------------------------------------------------ CLI


def cli_main(argv: list[str]) -> int:
    """The ``newsdesk`` entry point (a CLI that fails to import fails the test, it is not worked around)."""
    from newsdesk.cli import main

    return main(argv)


def test_cli_topics_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(topics, "_load_classifier", lambda name, device, dtype: KeywordClassifier(name))
    data = write_jsonl(tmp_path / "gold.jsonl", TOPIC_ROWS)
    rc = cli_main(
        ["evaluate", "topics", "--data", str(data), "--model", "tfidf", "--model", "other", "--bootstrap", "100",
         "--report", str(tmp_path / "rep"), "--json", str(tmp_path / "r.json"), "--quiet"]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0
    assert f"{MACRO:.3f}" in out and "per label" in out
    assert json.loads((tmp_path / "r.json").read_text())["systems"][1]["name"] == "other"
    assert _png_count((tmp_path / "rep" / "report.html").read_text()) == 3


def test_cli_summaries_with_predictions_and_json_on_stdout(tmp_path, capsys):
    data = write_jsonl(tmp_path / "gold.jsonl", SUMMARY_ROWS)
    pred = write_jsonl(tmp_path / "mine.jsonl", [{"id": r["id"], "summary": "Prices fell."} for r in SUMMARY_ROWS])
    rc = cli_main(["evaluate", "summaries", "--data", str(data), "--predictions", str(pred), "--json", "-", "--quiet"])
    assert rc == 0
    d = json.loads(capsys.readouterr().out)
    assert [s["name"] for s in d["systems"]] == ["lead3", "mine"]
    rc = cli_main(["evaluate", "summaries", "--data", str(data), "--predictions", str(pred), "--json", "-", "--quiet",
                   "--limit", "2", "--baseline", "none"])  # fmt: skip
    d = json.loads(capsys.readouterr().out)
    assert rc == 0 and d["n_articles"] == 2 and d["data"].endswith("first 2")


def test_cli_errors_are_one_line(tmp_path, capsys):
    data = write_jsonl(tmp_path / "gold.jsonl", SUMMARY_ROWS)
    pred = write_jsonl(tmp_path / "p.jsonl", [{"id": "s0", "summary": "x"}])
    rc = cli_main(["evaluate", "summaries", "--data", str(data), "--predictions", str(pred), "--quiet"])
    captured = capsys.readouterr()
    assert rc == 2 and "no prediction for 5 of 6 gold id(s)" in captured.err + captured.out


def test_cli_defaults_to_seeds_folder_in_cwd(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "seeds").mkdir()
    write_jsonl(tmp_path / "seeds" / "articles.jsonl", SUMMARY_ROWS)
    rc = cli_main(["evaluate", "summaries", "--baseline", "lead1", "--predictions", str(tmp_path / "seeds" /
                   "articles.jsonl"), "--bootstrap", "0"])  # fmt: skip
    captured = capsys.readouterr()
    assert rc == 0 and "using seeds" in captured.err
    assert "lead1" in captured.out


def test_cli_reads_a_datasets_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(topics, "_load_classifier", lambda name, device, dtype: KeywordClassifier(name))
    data = write_jsonl(tmp_path / "gold.jsonl", TOPIC_ROWS)
    rc = cli_main(["evaluate", "topics", "--dataset", str(data), "--model", "kw", "--json", "-", "--quiet"])
    d = json.loads(capsys.readouterr().out)
    assert rc == 0 and d["data"].endswith("gold.jsonl [train]")
    assert d["systems"][0]["metrics"]["macro_f1"] == pytest.approx(MACRO)


# ------------------------------------------------------------------------------------------------ real models

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("what", "model", "key", "fmt", "plots"),
    [("topics", "tfidf", "macro_f1", "{:.3f}", 3), ("summaries", "lead", "rougeLsum", "{:.1f}", 2)],
)
def test_fast_real_models_on_the_seeds_write_the_report(what, model, key, fmt, plots, tmp_path, monkeypatch, capsys):
    """`newsdesk evaluate topics|summaries` with no --data scores the repo's seeds/ offline and writes the report."""
    if not (REPO / "seeds" / "articles.jsonl").is_file():
        pytest.skip("seeds/articles.jsonl not written yet")
    monkeypatch.chdir(REPO)
    out = tmp_path / "report"
    rc = cli_main(["evaluate", what, "--model", model, "--bootstrap", "200", "--report", str(out), "--quiet"])
    assert rc == 0, capsys.readouterr()
    d = json.loads((out / "results.json").read_text())
    assert d["n_articles"] >= 30 and d["data"] == "seeds"
    value = d["systems"][-1]["metrics"][key]
    assert 0.2 < value <= 1.0
    shown = fmt.format(value if what == "topics" else 100 * value)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert shown in html and shown in capsys.readouterr().out
    assert _png_count(html) == plots
