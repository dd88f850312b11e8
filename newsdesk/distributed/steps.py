"""What a worker runs: a step of :mod:`newsdesk.pipelines` and the models it needs, described so that it can be
sent to another process and built there (each Ray actor loads its models once)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from newsdesk.batch import Step
from newsdesk.distributed import loaders
from newsdesk.errors import NewsdeskError
from newsdesk.pipelines import analyze_step, classify_step, summarize_step

STEPS = ("classify", "summarize", "analyze")

#: A model by name (as the CLI's ``--model``) or a function of no arguments that returns one; a function is
#: pickled and called in each worker, so it can build a model the names cannot.
ModelSpec = str | Callable[[], Any]


@dataclass(frozen=True)
class StepSpec:
    """A batch step by name with its models: ``classify`` uses ``classifier``, ``summarize`` ``summarizer``,
    ``analyze`` both; ``evidence`` adds each label's passage to classify and analyze records."""

    name: str = "classify"
    classifier: ModelSpec = "default"
    summarizer: ModelSpec = "default"
    max_words: int | None = None
    device: str = "auto"
    dtype: str = "auto"
    batch_invariant: bool = True
    evidence: bool = False

    def __post_init__(self) -> None:
        if self.name not in STEPS:
            raise NewsdeskError(f"unknown step {self.name!r}; use one of {', '.join(STEPS)}")

    def _model(self, spec: ModelSpec, load: Callable[..., Any], **options: Any) -> Any:
        return spec() if callable(spec) else load(spec, device=self.device, dtype=self.dtype, **options)

    def build(self) -> Step:
        """Load the models and bind them to the step: ``step(articles) -> records``."""
        if self.name == "classify":
            classifier = self._model(self.classifier, loaders.load_classifier)
            return functools.partial(classify_step, classifier, evidence=self.evidence)
        summarizer = self._model(self.summarizer, loaders.load_summarizer, batch_invariant=self.batch_invariant)
        if self.name == "summarize":
            return functools.partial(summarize_step, summarizer, max_words=self.max_words)
        classifier = self._model(self.classifier, loaders.load_classifier)
        return functools.partial(analyze_step, classifier, summarizer, max_words=self.max_words, evidence=self.evidence)
