"""newsdesk: multi-label topics and faithful abstractive summaries for news articles."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Before torch loads: OpenMP threads that spin while waiting made a 2-thread matmul ~30x slower whenever
# another process held a core (measured on a 2-core machine). A user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from newsdesk.articles import Article, BadRecord, read_articles, read_dataset  # noqa: E402
from newsdesk.errors import InputError, ModelLoadError, NewsdeskError  # noqa: E402

if TYPE_CHECKING:
    from newsdesk.models.classifier import TopicClassifier
    from newsdesk.models.summarizer import Summarizer

__all__ = [
    "Article",
    "BadRecord",
    "InputError",
    "ModelLoadError",
    "NewsdeskError",
    "Summarizer",
    "TopicClassifier",
    "read_articles",
    "read_dataset",
]


def __getattr__(name: str) -> Any:
    # The models pull in torch/transformers; import them only when they are asked for, so the CLI starts fast.
    if name == "TopicClassifier":
        from newsdesk.models.classifier import TopicClassifier

        return TopicClassifier
    if name == "Summarizer":
        from newsdesk.models.summarizer import Summarizer

        return Summarizer
    raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")
