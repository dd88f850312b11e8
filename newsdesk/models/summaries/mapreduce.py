"""Long articles: split on paragraph and sentence boundaries into parts that fit a model's window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from newsdesk.text import split_sentences


@dataclass
class Parts:
    """``parts`` to summarise (at most ``max_parts``); ``total`` is how many the whole text needed, so
    ``capped`` says the end of the text was left out."""

    parts: list[str]
    total: int

    @property
    def capped(self) -> bool:
        return self.total > len(self.parts)


def split_into_parts(
    text: str, max_tokens: int, count_tokens: Callable[[str], int], *, max_parts: int | None = None
) -> Parts:
    """Pack whole paragraphs — or, when a paragraph is too long, whole sentences — into parts of at most
    ``max_tokens`` tokens. A single sentence longer than that becomes a part of its own (the model's tokenizer
    cuts it, and nothing else is lost)."""
    units: list[str] = []
    for para in (p.strip() for p in text.split("\n")):
        if not para:
            continue
        if count_tokens(para) <= max_tokens:
            units.append(para)
        else:
            units.extend(split_sentences(para))
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for unit in units:
        n = count_tokens(unit) + 1
        if current and used + n > max_tokens:
            parts.append("\n".join(current))
            current, used = [], 0
        current.append(unit)
        used += n
    if current:
        parts.append("\n".join(current))
    total = len(parts)
    if max_parts is not None and total > max_parts:
        parts = parts[:max_parts]
    return Parts(parts, total)
