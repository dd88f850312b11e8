"""Topics: multi-label classification of news articles.

- :mod:`~newsdesk.models.topics.classifier`: :class:`TopicClassifier`, the one API over every backend;
- :mod:`~newsdesk.models.topics.backends`: the backends (``embedding``, ``tfidf``, ``transformer``, ``zero-shot``,
  ``ensemble``) and the registry that names them;
- the backends' parts: :mod:`~newsdesk.models.topics.encoder` (a sentence encoder reading texts of any length),
  :mod:`~newsdesk.models.topics.windows` and :mod:`~newsdesk.models.topics.pooling` (long texts in windows, window
  scores pooled per text), :mod:`~newsdesk.models.topics.heads` (linear heads),
  :mod:`~newsdesk.models.topics.adapters` and :mod:`~newsdesk.models.topics.adapter_training` (LoRA),
  :mod:`~newsdesk.models.topics.quantize` (int8);
- targets and decisions: :mod:`~newsdesk.models.topics.labels`, :mod:`~newsdesk.models.topics.thresholds`,
  :mod:`~newsdesk.models.topics.tuning`; :mod:`~newsdesk.models.topics.training_args`.
"""

from __future__ import annotations

from newsdesk.models.topics.classifier import TopicClassifier
from newsdesk.models.topics.training_args import TrainingArgs

__all__ = ["TopicClassifier", "TrainingArgs"]
