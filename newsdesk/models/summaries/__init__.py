"""Summaries of news articles.

- :mod:`~newsdesk.models.summaries.summarizer`: :class:`Summarizer`, the one API over every summariser,
  and :class:`SummaryResult`;
- :mod:`~newsdesk.models.summaries.engine`: summarising with a generative model (the default's rewrite strategy,
  and whole-article abstracts in parts: :mod:`~newsdesk.models.summaries.mapreduce`);
- :mod:`~newsdesk.models.summaries.guard` and :mod:`~newsdesk.models.summaries.facts`: the faithfulness guard and
  the fact checks it (and the evaluation) use;
- :mod:`~newsdesk.models.summaries.baselines`: the ``lead`` and ``extractive`` baselines, and the sentence choice
  the rewrite strategy starts from.

Generative models come from :mod:`newsdesk.models.lm`.
"""

from __future__ import annotations

from newsdesk.models.summaries.summarizer import Summarizer, SummaryResult

__all__ = ["Summarizer", "SummaryResult"]
