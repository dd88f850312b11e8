"""Training hyper-parameters, kept apart from the model's own parameters (as SetFit does)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from newsdesk.errors import NewsdeskError


@dataclass
class TrainingArgs:
    """How to train a :class:`~newsdesk.models.topics.classifier.TopicClassifier`; each backend uses what applies to it.

    ``holdout`` is the share of the training data (its *last* rows, so a file in time order holds out its most
    recent part) kept aside to tune the per-label thresholds when no separate tuning set is given; small data
    sets (< ``cv_below`` rows) use out-of-fold predictions instead, so that no example is wasted.
    """

    epochs: int = 3
    learning_rate: float | None = None  # body: None → 1e-3 for a LoRA adapter, 5e-5 for full fine-tuning
    head_learning_rate: float = 3e-3
    batch_size: int = 32
    max_length: int = 64  # tokens per training text; longer training texts are truncated (inference chunks)
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    seed: int = 0
    holdout: float = 0.1
    cv_below: int = 2000
    C: float = 4.0  # inverse L2 strength of the linear heads (tf-idf, frozen embeddings)
    lora_rank: int = 16
    lora_alpha: float = 32.0
    lora_layers: int = 2  # adapt the top N encoder layers (the lower ones are cached once); 0: frozen body
    threads: int | None = None  # torch CPU threads during training (None: torch's default)
    log_every: int = 100

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "max_length"):
            if getattr(self, name) < 1:
                raise NewsdeskError(f"training option {name} must be at least 1, got {getattr(self, name)}")
        if not 0.0 <= self.holdout < 0.9:
            raise NewsdeskError(f"holdout must be in [0, 0.9), got {self.holdout}")
        if (self.learning_rate is not None and self.learning_rate <= 0) or self.head_learning_rate <= 0:
            raise NewsdeskError("learning rates must be positive")

    def lr_scheduler(self, optimizer: Any, total_steps: int) -> Any:
        """The learning-rate schedule of every trained body: a linear warm-up over the first ``warmup_ratio`` of
        ``total_steps`` (from 1/warmup of each group's rate to all of it), then a linear decay that reaches 0 at
        ``total_steps`` — torch's ``LinearLR`` twice, one after the other."""
        from torch.optim.lr_scheduler import LinearLR, SequentialLR

        warmup = max(1, int(total_steps * self.warmup_ratio))
        rise = LinearLR(optimizer, start_factor=1 / warmup, end_factor=1.0, total_iters=warmup - 1)
        fall = LinearLR(optimizer, start_factor=1.0, end_factor=0.0, total_iters=max(0, total_steps - warmup))
        return SequentialLR(optimizer, [rise, fall], milestones=[warmup])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any], *, ignore_extra: bool = False) -> TrainingArgs:
        """Training arguments from a dict (as :meth:`to_dict` writes it). A key that is no training option is an
        error naming the valid ones, unless ``ignore_extra`` (then it is left out), as SetFit's
        ``TrainingArguments.from_dict`` does."""
        known = [f.name for f in fields(cls)]
        extra = sorted(k for k in d if k not in known)
        if extra and not ignore_extra:
            raise NewsdeskError(
                f"unknown training option(s) {', '.join(extra)}; the training options are {', '.join(known)}"
            )
        return cls(**{k: v for k, v in d.items() if k in known})

    def replace(self, **changes: Any) -> TrainingArgs:
        return TrainingArgs.from_dict({**self.to_dict(), **{k: v for k, v in changes.items() if v is not None}})
