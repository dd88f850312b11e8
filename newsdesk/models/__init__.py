"""newsdesk's models, one sub-package per job:

- :mod:`newsdesk.models.topics`: the topic classifier (:class:`TopicClassifier`), its backends and their parts;
- :mod:`newsdesk.models.summaries`: the summariser (:class:`Summarizer`), its strategies, the faithfulness guard and
  the baselines;
- :mod:`newsdesk.models.lm`: generative language models: loading, generation, newsdesk's own Llama decoder.

``topics`` and ``summaries`` never import each other; ``lm`` imports neither. The names below are imported when
first asked for, so that importing one job does not load the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsdesk.models.summaries.summarizer import Summarizer, SummaryResult
    from newsdesk.models.topics.classifier import TopicClassifier
    from newsdesk.models.topics.training_args import TrainingArgs

__all__ = ["Summarizer", "SummaryResult", "TopicClassifier", "TrainingArgs"]


def __getattr__(name: str) -> Any:
    if name in ("TopicClassifier", "TrainingArgs"):
        from newsdesk.models import topics

        return getattr(topics, name)
    if name in ("Summarizer", "SummaryResult"):
        from newsdesk.models import summaries

        return getattr(summaries, name)
    raise AttributeError(f"module 'newsdesk.models' has no attribute {name!r}")
