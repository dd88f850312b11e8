"""newsdesk: multi-label topics and faithful abstractive summaries for news articles."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

# Before torch loads: OpenMP threads that spin while waiting made a 2-thread matmul ~30x slower whenever
# another process held a core (measured on a 2-core machine). A user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from newsdesk._version import __version__  # noqa: E402
from newsdesk.articles import Article, BadRecord, read_articles, read_dataset  # noqa: E402
from newsdesk.errors import InputError, ModelLoadError, NewsdeskError  # noqa: E402

if TYPE_CHECKING:
    from newsdesk.models.summaries.summarizer import Summarizer, SummaryResult
    from newsdesk.models.topics.classifier import TopicClassifier
    from newsdesk.models.topics.training_args import TrainingArgs

__all__ = [
    "__version__",
    "Article",
    "BadRecord",
    "InputError",
    "ModelLoadError",
    "NewsdeskError",
    "Summarizer",
    "SummaryResult",
    "TopicClassifier",
    "TrainingArgs",
    "read_articles",
    "read_dataset",
]


def __getattr__(name: str) -> Any:
    # The models pull in torch/transformers; import them only when they are asked for, so the CLI starts fast.
    if name in ("TopicClassifier", "TrainingArgs"):
        from newsdesk.models import topics

        return getattr(topics, name)
    if name in ("Summarizer", "SummaryResult"):
        from newsdesk.models import summaries

        return getattr(summaries, name)
    raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")
