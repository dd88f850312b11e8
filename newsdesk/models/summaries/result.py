"""What a summariser returns per article: the summary and what produced it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SummaryResult:
    """One summary and what produced it.

    ``guard`` counts what the faithfulness guard did with the generated sentences (``kept``, ``repaired``,
    ``regenerated``, ``replaced``, ``dropped``) and lists the ``unsupported`` names/numbers it found; ``parts`` is
    how many pieces a long article was summarised in; ``capped`` is true when the article was longer than the
    summariser reads (``max_parts``) and its end was not used — ``words_read`` says how much was.
    """

    summary: str
    model: str
    words: int
    seconds: float
    strategy: str = "extractive"
    guard: dict[str, Any] | None = None
    parts: int = 1
    capped: bool = False
    words_read: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``summary`` first, then the metadata (keys with no value are left out)."""
        d = asdict(self)
        extra = d.pop("extra")
        d["seconds"] = round(d["seconds"], 3)
        out = {k: v for k, v in d.items() if v is not None}
        out.update(extra)
        return out
