"""The topic classifier's backends, one module each, and the registry that names them.

:class:`~newsdesk.models.topics.classifier.TopicClassifier` builds and loads its backend here, by name. Backend
modules are imported only when their backend is used, so that a tf-idf model never loads torch. The ensemble is
given its members, built or loaded here too, rather than looking them up itself.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping, Sequence
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


# What the classifier gives every backend it builds or loads; each backend takes those its constructor (or ``load``)
# names. Every other keyword of a constructor is an option of that backend (``backend_options``).
COMMON = ("labels", "label_descriptions", "base", "chunk_tokens", "chunk_overlap", "device", "dtype", "batch_size")
# The ensemble's own options; it also takes its members' options and hands each member those it knows.
ENSEMBLE_OPTIONS = (
    "members",
    "weights",
    "new_label_weights",
    "short_weights",
    "short_logit_shift",
    "short_max_windows",
)


def _keywords(fn: Any) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in inspect.signature(fn).parameters.values() if p.kind in kinds]


def _accepted(fn: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    names = set(_keywords(fn))
    return {k: v for k, v in kwargs.items() if k in names}


def backend_options(kind: str, members: Sequence[str] | None = None) -> list[str]:
    """The options (``backend_options`` keys) the backend ``kind`` takes; an ensemble's include its ``members'``
    (by default its default members)."""
    cls = backend_class(kind)
    if kind == "ensemble":
        own = list(ENSEMBLE_OPTIONS)
        for member in members or cls.DEFAULT_MEMBERS:
            own += [o for o in backend_options(member) if o not in own]
        return sorted(own)
    return sorted(k for k in _keywords(cls.__init__) if k not in COMMON and k != "self")


def check_options(kind: str, options: Mapping[str, Any]) -> None:
    """Raise a :class:`NewsdeskError` naming the valid options when ``options`` holds a key ``kind`` does not take."""
    members = options.get("members") if kind == "ensemble" else None
    if members is not None:
        if isinstance(members, str) or not all(isinstance(m, str) for m in members):
            raise NewsdeskError(f"the ensemble's members must be a list of backend names, got {members!r}")
        if "ensemble" in members:
            raise NewsdeskError("an ensemble's members cannot be ensembles")
    valid = backend_options(kind, members)
    unknown = sorted(k for k in options if k not in valid)
    if unknown:
        raise NewsdeskError(
            f"unknown option(s) {', '.join(map(repr, unknown))} for the {kind} backend; "
            f"valid options: {', '.join(valid) or 'none'}"
        )


def new_backend(kind: str, options: Mapping[str, Any] | None = None, **common: Any) -> Any:
    """A fresh, untrained backend ``kind`` with its ``options`` (checked: see :func:`check_options`) and the
    classifier's ``common`` arguments (:data:`COMMON`) that it takes. An ensemble's members (``members``: their
    kinds) are built here too, each with the options it knows."""
    options = dict(options or {})
    check_options(kind, options)
    cls = backend_class(kind)
    if kind == "ensemble":
        members = options.pop("members", cls.DEFAULT_MEMBERS)
        own = {k: options.pop(k) for k in ENSEMBLE_OPTIONS if k in options}
        built = [
            new_backend(m, {k: v for k, v in options.items() if k in backend_options(m)}, **common) for m in members
        ]
        return cls(built, **own)
    return cls(**_accepted(cls.__init__, common), **options)


def load_backend(kind: str, path: Path, config: dict[str, Any], **common: Any) -> Any:
    """The backend ``kind`` saved in the folder ``path`` with its ``config`` (what its ``save`` returned), given the
    classifier's ``common`` arguments that its ``load`` takes."""
    cls = backend_class(kind)
    if kind == "ensemble":
        specs = cls.member_specs(path, config, common.get("labels"))
        members = [load_backend(member, path / folder, sub, **common) for member, folder, sub in specs]
        return cls.from_members(members, config)
    return cls.load(path, config, **_accepted(cls.load, common))
