"""Scoring classifiers and summarisers on labelled samples, side by side, and the reports.

>>> from newsdesk.evaluation import evaluate_topics
>>> result = evaluate_topics("seeds/", models=["tfidf"])        # doctest: +SKIP
>>> print(result.table()); result.write_report("report/")       # doctest: +SKIP
"""

from __future__ import annotations

from newsdesk.evaluation.common import Evaluation
from newsdesk.evaluation.summaries import evaluate_summaries
from newsdesk.evaluation.topics import evaluate_topics

__all__ = ["Evaluation", "evaluate_summaries", "evaluate_topics"]
