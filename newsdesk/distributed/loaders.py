"""Models by name, for the CLI and for Ray actors: the one place that the CLI's batch commands and newsdesk's
distributed code reach into ``newsdesk.models``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.models.summaries.summarizer import DEFAULT_BATCH_SIZE

if TYPE_CHECKING:
    from newsdesk.models.summaries.summarizer import Summarizer
    from newsdesk.models.topics.classifier import TopicClassifier

__all__ = ["DEFAULT_BATCH_SIZE", "load_classifier", "load_summarizer"]


def load_classifier(name: str, *, device: str = "auto", dtype: str = "auto") -> TopicClassifier:
    """``default``, ``tfidf``, a model folder or a hub id (see ``TopicClassifier.load``)."""
    from newsdesk.models.topics.classifier import TopicClassifier

    return TopicClassifier.load(name, device=device, dtype=dtype)


def load_summarizer(
    name: str, *, device: str = "auto", dtype: str = "auto", batch_invariant: bool = True
) -> Summarizer:
    """``default``, ``lead``, ``extractive``, ``compressive``, a model folder, a hub id or a ``.gguf`` file."""
    from newsdesk.models.summaries.summarizer import Summarizer

    return Summarizer(model=name, device=device, dtype=dtype, batch_invariant=batch_invariant)
