import json
import subprocess
import sys

import pytest

from newsdesk.errors import ModelLoadError
from newsdesk.models.summaries.summarizer import Summarizer

ARTICLE = (
    "The city council approved a new budget on Tuesday. The plan adds money for parks and schools. "
    "Critics said the spending was too high. The mayor will sign it next week. Residents can comment online."
)


def test_lead_takes_the_first_three_sentences():
    s = Summarizer("lead")
    assert s.summarize(ARTICLE) == (
        "The city council approved a new budget on Tuesday. The plan adds money for parks and schools. "
        "Critics said the spending was too high."
    )
    assert s.summarize([ARTICLE, "One sentence only."])[1] == "One sentence only."


def test_lead_respects_max_words_at_sentence_boundaries():
    s = Summarizer("lead")
    assert s.summarize(ARTICLE, max_words=18) == (
        "The city council approved a new budget on Tuesday. The plan adds money for parks and schools."
    )
    assert s.summarize(ARTICLE, max_words=3) == "The city council"


def test_details_and_streaming():
    s = Summarizer("lead", lead_k=1)
    (r,) = s.summarize([ARTICLE], return_details=True)
    d = r.to_dict()
    assert d["summary"] == "The city council approved a new budget on Tuesday."
    assert d["model"] == "lead" and d["words"] == 9 and "seconds" in d
    stream = s.summarize_stream(iter([ARTICLE] * 5), batch_size=2)
    assert [x.summary for x in stream] == [r.summary] * 5


def test_extractive_picks_central_sentences_in_order():
    text = (
        "Weather was mild. The budget for schools rose. Schools will get the budget money. "
        "A cat sat on a mat. The schools budget passed."
    )
    out = Summarizer("extractive", lead_k=2).summarize(text)
    assert "cat" not in out and "schools" in out.lower()
    sentences = out.split(". ")
    assert len(sentences) == 2


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelLoadError, match="no-such-model"):
        Summarizer(str(tmp_path / "no-such-model"))


@pytest.mark.parametrize(
    ("argv", "model"), [(["--model", "lead"], "lead"), (["--model", "compressive"], "compressive"), ([], "default")]
)
def test_cli_summarize_writes_what_the_summarizer_writes(tmp_path, argv, model):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a1", "text": ARTICLE}) + "\n")
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [sys.executable, "-m", "newsdesk", "summarize", str(src), *argv, "-o", str(out), "--quiet"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    rec = json.loads(out.read_text())
    assert rec["id"] == "a1" and rec["summary"] == Summarizer(model).summarize(ARTICLE)
    assert rec["model"] == ("compressive" if model == "default" else model)  # the CLI's default is compressive


def test_cli_threads_option_sets_torch_threads(tmp_path, monkeypatch):
    import torch

    from newsdesk.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a1", "text": ARTICLE}) + "\n")
    calls = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    out = tmp_path / "out.jsonl"
    assert main(["summarize", str(src), "--model", "lead", "-o", str(out), "--quiet", "--threads", "1"]) == 0
    assert calls == [1] and json.loads(out.read_text())["id"] == "a1"
    with pytest.raises(SystemExit):
        main(["summarize", str(src), "--model", "lead", "--threads", "0"])


@pytest.mark.parametrize(
    ("sentence", "compressed"),
    [
        (
            "The mayor, who took office in May, signed the plan on Friday, officials said.",
            "The mayor signed the plan on Friday.",
        ),
        # A thousands separator is no clause boundary: "..., which cost around £2," is not an aside.
        ("The dancers, which cost around £2,500 to hire, were made of car parts.", None),
        # "where" clauses run on into the main clause's own words.
        ("He pleaded not guilty in court, where a prosecutor said one of them, a girl, is pregnant.", None),
        # A quotation is not cut in the middle.
        ('The song, which starts as "Bye, Bye, Miss American Pie," is 44 years old.', None),
    ],
)
def test_compress_sentence_deletes_only_asides(sentence: str, compressed: str | None) -> None:
    from newsdesk.models.summaries.sentences import compress_sentence

    assert compress_sentence(sentence) == (compressed or sentence)


def test_key_sentences_add_the_first_turn_that_is_not_a_quotation() -> None:
    from newsdesk.models.summaries.sentences import select_key_sentences

    lead = "The council approved a new budget for the city on Tuesday. "
    lead += "The plan adds money for parks and schools across town. The mayor will sign it next week at city hall. "
    quoted = "But the opposition leader said: 'This budget will ruin us all.' "
    objection = "But the plan also raises legal issues, including whether the “emergency” clause is lawful. "
    assert select_key_sentences(lead + quoted + objection)[-1] == objection.strip()
    assert len(select_key_sentences(lead + quoted)) == 3


def test_an_unclosed_quotation_is_read_in_linear_time() -> None:
    """A long sentence with an opening quote and no closing one (common in scraped text) once made the speech
    check backtrack for minutes."""
    from newsdesk.models.summaries.sentences import select_key_sentences

    lead = "The council approved a new budget for the city on Tuesday. "
    lead += "The plan adds money for parks and schools across town. The mayor will sign it next week at city hall. "
    turn = 'But the mayor wrote "' + "the plan will not work for the people of this city " * 40 + "at all."
    assert select_key_sentences(lead + turn)[-1] == turn


def test_key_sentences_fill_a_word_budget() -> None:
    """With ``max_words`` short leads give more sentences and long ones fewer (never under two); ``k`` caps them
    all, an objection taking the last lead sentence's place."""
    from newsdesk.models.summaries.sentences import select_key_sentences

    short = [  # 11 words each
        "The council approved a new budget for the city on Tuesday.",
        "The plan adds money for parks and schools across the town.",
        "The mayor will sign it next week at a public ceremony.",
        "Residents can read every page of the plan on the website.",
        "Opposition members voted against it in a show of hands.",
        "Local businesses welcomed the lower fees for street market stalls.",
    ]
    long = [s[:-1] + ", after a debate that ran late into the night at city hall." for s in short]  # 23 words
    assert len(select_key_sentences(" ".join(short), 4, max_words=40)) == 3
    assert len(select_key_sentences(" ".join(short), 4, max_words=110)) == 4
    assert select_key_sentences(" ".join(long), 4, max_words=40) == long[:2]
    assert select_key_sentences(" ".join(short), 3) == short[:3]  # no budget: the first k
    objection = "But critics warn the plan breaks the city charter and may end up in court."
    chosen = select_key_sentences(" ".join([*short[:4], objection]), 4, max_words=110)
    assert chosen == [*short[:3], objection]
