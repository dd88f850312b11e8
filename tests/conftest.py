"""Shared fixtures: where the read-only reference data lives (skip cleanly when it is absent), an isolated cache,
and the tiny models the tests build (tests/tiny_models.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def shared_root() -> Path:
    """``$NEWSDESK_SHARED`` or the ``shared/`` folder beside the repository."""
    return Path(os.environ.get("NEWSDESK_SHARED") or REPO.parent / "shared")


@pytest.fixture
def shared_dir() -> Path:
    """The reference data folder (``data/topics``, ``data/summaries``, ``seeds``); skips the test when absent."""
    root = shared_root()
    if not (root / "data").is_dir():
        pytest.skip(f"reference data not found at {root} (set NEWSDESK_SHARED)")
    return root


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test session writes its caches under a temp dir, never the user's ~/.cache — unless a test
    needs the warm cache of the real default models (NEWSDESK_TEST_CACHE points there)."""
    monkeypatch.setenv(
        "NEWSDESK_CACHE", os.environ.get("NEWSDESK_TEST_CACHE") or str(tmp_path_factory.getbasetemp() / "cache")
    )
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


# ---- tiny models (tests/tiny_models.py), built once per session ------------------------------------------------
@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random BERT folder (the topic backends' encoder)."""
    from tiny_models import tiny_bert

    return tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def llama_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer random Llama chat model folder (the summariser's generative path)."""
    from tiny_models import tiny_llama

    return tiny_llama(tmp_path_factory.mktemp("llama"))


@pytest.fixture(scope="session")
def bart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1-layer random BART folder with a 128-token window (seq2seq)."""
    from tiny_models import tiny_bart

    return tiny_bart(tmp_path_factory.mktemp("bart"))
