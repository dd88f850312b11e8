"""The topic classifier's backends, one module each, and the registry that names them.

:class:`~newsdesk.models.topics.classifier.TopicClassifier` builds and loads its backend here, by name. Backend
modules are imported only when their backend is used, so that a tf-idf model never loads torch. The ensemble is
given its members, built or loaded here too, rather than looking them up itself.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from newsdesk.errors import NewsdeskError

BACKENDS = {
    "embedding": ("newsdesk.models.topics.backends.embedding", "EmbeddingTopics"),
    "tfidf": ("newsdesk.models.topics.backends.tfidf", "TfidfTopics"),
    "transformer": ("newsdesk.models.topics.backends.transformer", "TransformerTopics"),
    "zero-shot": ("newsdesk.models.topics.backends.zeroshot", "ZeroShotTopics"),
    "ensemble": ("newsdesk.models.topics.backends.ensemble", "EnsembleTopics"),
}


def backend_class(kind: str) -> type:
    """The class of the backend called ``kind``."""
    if kind not in BACKENDS:
        raise NewsdeskError(f"unknown backend {kind!r}; use one of {', '.join(BACKENDS)}")
    module, name = BACKENDS[kind]
    return getattr(importlib.import_module(module), name)


def new_backend(kind: str, **kwargs: Any) -> Any:
    """A fresh, untrained backend. An ensemble's members (``members``: their kinds) are built from the same
    arguments."""
    cls = backend_class(kind)
    if kind == "ensemble":
        members = kwargs.pop("members", cls.DEFAULT_MEMBERS)
        own = {k: kwargs.pop(k) for k in ("weights", "new_label_weights") if k in kwargs}
        return cls([new_backend(member, **kwargs) for member in members], **own)
    return cls(**kwargs)


def load_backend(kind: str, path: Path, config: dict[str, Any], **kwargs: Any) -> Any:
    """The backend ``kind`` saved in the folder ``path`` with its ``config`` (what its ``save`` returned)."""
    cls = backend_class(kind)
    if kind == "ensemble":
        specs = cls.member_specs(path, config, kwargs.get("labels"))
        members = [load_backend(member, path / folder, sub, **kwargs) for member, folder, sub in specs]
        return cls.from_members(members, config)
    return cls.load(path, config, **kwargs)
