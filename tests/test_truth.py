"""The truth check (faithcheck) and the deletion-only compressive summariser (issue #16)."""

import json
import re
import subprocess
import sys

import pytest

from newsdesk.models.summaries import faithcheck
from newsdesk.models.summaries.compressive import CompressiveSummarizer, compress, lead_sentences
from newsdesk.models.summaries.summarizer import Summarizer
from newsdesk.text import count_words

ARTICLE = (
    "Police arrested John Smith after he attacked a neighbour in Leeds on Friday. "
    "Smith, 42, was not charged with assault, officers said. "
    "The neighbour, a retired teacher, was treated in hospital for minor injuries. "
    "Officers said the investigation may take several weeks, according to a statement."
)


def kinds(summary: str) -> set[str]:
    return {f.kind for f in faithcheck.check(summary, ARTICLE)}


# ---------------------------------------------------------------------------------------------- the check


def test_a_role_swap_is_flagged():
    summary = "A neighbour attacked John Smith in Leeds."
    assert "order" in kinds(summary)
    assert faithcheck.flagged(summary, ARTICLE)


def test_a_dropped_or_added_negation_is_flagged():
    assert "polarity" in kinds("Smith was charged with assault.")
    assert "polarity" in kinds("Police did not arrest John Smith after he attacked a neighbour.")
    assert faithcheck.flagged("John Smith was charged with assault.", ARTICLE)  # spliced from two sentences


def test_an_invented_adjective_is_flagged():
    summary = "The neighbour, a violent teacher, was treated in hospital."
    flags = faithcheck.check(summary, ARTICLE)
    assert [(f.kind, f.span) for f in flags if f.kind == "word"] == [("word", "violent")]
    assert faithcheck.flagged(summary, ARTICLE)


def test_an_unsupported_name_or_number_is_flagged():
    assert "name/number" in kinds("Smith, 43, was not charged with assault.")


def test_a_copied_sentence_and_a_deletion_only_compression_are_not_flagged():
    assert (
        faithcheck.check("Officers said the investigation may take several weeks, according to a statement.", ARTICLE)
        == []
    )
    assert not faithcheck.flagged("Smith was not charged with assault, officers said.", ARTICLE)
    summary = CompressiveSummarizer().summarize_one(ARTICLE)
    assert summary and not faithcheck.flagged(summary, ARTICLE), faithcheck.check(summary, ARTICLE)


def test_a_deletion_that_drops_a_hedge_is_flagged():
    assert "polarity" in kinds("Officers said the investigation will take several weeks.") | kinds(
        "Officers said the investigation take several weeks."
    )


def test_the_measured_rates_are_stored_with_their_provenance():
    assert faithcheck.CATCH_RATE == 37 / 41
    assert faithcheck.FALSE_ALARM_RATE == 16 / 34
    assert "judged_dev" in faithcheck.MEASURED_ON and "report half" in faithcheck.MEASURED_ON


# ---------------------------------------------------------------------------------------------- compressive

STORIES = [
    ARTICLE,
    "The minister, who did not attend the meeting, said on Monday that the plan may fail. "
    "Critics (including two former judges) said the law was rushed through parliament last week. "
    "The bill - which could cost millions - will be debated again in the spring by the full chamber.",
    "Sasha was spotted listening to earbuds as she and her parents went to Great Falls Park in Virginia on Sunday. "
    "'Where we going? Destination unknown,' tweeted Wall Street Journal reporter Byron Tau. "
    "The family spent about two hours walking the trails, a White House official said on Monday.",
]
_WORDS = re.compile(r"\w+")


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(w in it for w in short)


@pytest.mark.parametrize("text", STORIES)
def test_the_compressive_summariser_only_deletes(text):
    summary = CompressiveSummarizer().summarize_one(text)
    assert summary
    assert _is_subsequence(_WORDS.findall(summary.lower()), _WORDS.findall(text.lower())), summary


def test_compression_deletes_asides_but_never_a_negation_or_hedge():
    assert compress("The neighbour, who lives nearby, was treated in hospital for minor injuries.") == (
        "The neighbour was treated in hospital for minor injuries."
    )
    kept = compress("The neighbour, who did not see the attack, was treated in hospital for minor injuries.")
    assert "who did not see the attack" in kept
    assert "(allegedly)" in compress("The man (allegedly) stole a car from the garage in the town centre.")
    assert "(pictured)" not in compress("The man (pictured) stole a car from the garage in the town centre.")
    for sentence in STORIES[1].split(". "):
        out = compress(sentence).lower()
        for word in ("not", "may", "could"):
            assert (f" {word} " in out) == (f" {word} " in sentence.lower()), (sentence, out)


def test_a_time_phrase_inside_a_name_is_kept():
    assert compress("The memo was seen by The Mail on Sunday and passed to ministers.").endswith(
        "by The Mail on Sunday and passed to ministers."
    )
    assert compress("The minister resigned on Sunday after the vote in parliament.") == (
        "The minister resigned after the vote in parliament."
    )


def test_a_quotation_is_not_split_at_its_inner_full_stop():
    sentences = lead_sentences(STORIES[2])
    assert not any(s.startswith("Destination unknown") for s in sentences)
    assert any(s.startswith("'Where we going? Destination unknown,' tweeted") for s in sentences)


@pytest.mark.parametrize("max_words", [3, 8, 15, 30, 75])
def test_the_compressive_summariser_respects_max_words(max_words):
    for text in STORIES:
        summary = CompressiveSummarizer().summarize_one(text, max_words)
        assert 0 < count_words(summary) <= max_words, summary


def test_compressive_through_summarizer_and_save(tmp_path):
    s = Summarizer("compressive")
    (r,) = s.summarize([ARTICLE], return_details=True)
    assert r.model == "compressive" and r.strategy == "compressive"
    assert r.summary == CompressiveSummarizer().summarize_one(ARTICLE)
    assert count_words(s.summarize(ARTICLE, max_words=10)) <= 10
    folder = s.save(tmp_path / "compressive")
    assert json.loads((folder / "newsdesk-summarizer.json").read_text())["baseline"] == "compressive"
    assert Summarizer(str(folder)).summarize(ARTICLE) == r.summary


def test_cli_summarize_with_compressive(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a1", "text": ARTICLE}) + "\n")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "summarize", str(src), "--model", "compressive", "-o", str(out), "--quiet"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    rec = json.loads(out.read_text())
    assert rec["id"] == "a1" and rec["model"] == "compressive"
    assert rec["summary"] == CompressiveSummarizer().summarize_one(ARTICLE)


# ---------------------------------------------------------------------------------------------- evaluation


def test_the_evaluation_reports_the_truth_check_flag_rate(tmp_path):
    from newsdesk.evaluation.summaries import evaluate_summaries

    rows = [
        {"id": "a", "text": ARTICLE, "summary": "John Smith was arrested in Leeds."},
        {"id": "b", "text": STORIES[1], "summary": "A minister said the plan may fail."},
    ]
    preds = [
        {"id": "a", "summary": "A neighbour attacked John Smith in Leeds."},  # flagged (order)
        {"id": "b", "summary": "Critics said the law was rushed through parliament last week."},  # a deletion
    ]
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in preds))
    res = evaluate_summaries(rows, ["compressive"], predictions=[path], baselines=["lead3"], n_boot=20)
    d = res.to_dict()
    by_name = {s["name"]: s for s in d["systems"]}
    assert by_name["preds"]["metrics"]["truth_flagged"] == 0.5
    assert by_name["preds"]["per_article"][0]["truth_flags"] and not by_name["preds"]["per_article"][1]["truth_flags"]
    assert by_name["compressive"]["metrics"]["truth_flagged"] == 0.0
    assert d["truth_check"]["catch_rate"] == faithcheck.CATCH_RATE
    titles = [m["title"] for m in d["metrics"]]
    assert (
        "flagged by the truth check" in titles and "unsupported names/numbers" in titles and "unsupported" not in titles
    )
    table = res.table()
    assert "flagged by the truth check" in table and "50.0 %" in table and "90.2 %" in table and "47.1 %" in table
    res.write_report(tmp_path / "rep")
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    html = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    saved = json.loads((tmp_path / "rep" / "results.json").read_text(encoding="utf-8"))
    for page in (md, html):
        assert "flagged by the truth check" in page and "90.2 %" in page and "47.1 %" in page
    assert "order: A neighbour attacked John Smith" in html
    assert (
        saved["systems"][1]["metrics"]["truth_flagged"] == 0.0 and saved["truth_check"]["false_alarm_rate"] == 16 / 34
    )
