"""A model folder's tokenizer and chat template, read with ``tokenizers`` and ``jinja2`` alone.

It gives the part of a transformers tokenizer that generation needs (encode, decode, chat template, special
tokens) without importing transformers, whose import costs several seconds on a small CPU. The texts and token
ids are the same as ``AutoTokenizer``'s for the folders :func:`unsupported` accepts (tests compare them).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "special_tokens_map.json")


def _token_text(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) else None


def _chat_template(folder: Path, config: dict[str, Any]) -> str | None:
    jinja = folder / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    template = config.get("chat_template")
    if isinstance(template, list):  # named templates: transformers uses the one called "default"
        named = {t.get("name"): t.get("template") for t in template if isinstance(t, dict)}
        template = named.get("default")
    return template if isinstance(template, str) else None


def unsupported(folder: Path) -> str | None:
    """Why :class:`ChatTokenizer` cannot stand in for this folder's transformers tokenizer, or None if it can."""
    if not (folder / "tokenizer.json").is_file():
        return "no tokenizer.json"
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no readable tokenizer_config.json"
    if config.get("auto_map"):
        return "custom tokenizer code"
    if config.get("clean_up_tokenization_spaces"):
        return "decoding cleans up spaces"
    return None


class ChatTokenizer:
    """Encode, decode and apply the chat template of a tokenizer folder (``tokenizer.json`` + config)."""

    def __init__(self, folder: str | Path) -> None:
        from tokenizers import Tokenizer

        self.folder = Path(folder)
        self.config: dict[str, Any] = json.loads((self.folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        self._tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.no_truncation()
        self.chat_template = _chat_template(self.folder, self.config)
        self.special_tokens = {
            name: text
            for name in ("bos_token", "eos_token", "pad_token", "unk_token")
            if (text := _token_text(self.config.get(name))) is not None
        }
        self.eos_token_id = self._id("eos_token")
        self.pad_token_id = self._id("pad_token")
        if self.pad_token_id is None:
            self.pad_token_id = self.eos_token_id
        self.model_max_length = self.config.get("model_max_length")
        self._template: Any = None

    def _id(self, name: str) -> int | None:
        text = self.special_tokens.get(name)
        return self._tok.token_to_id(text) if text is not None else None

    def __len__(self) -> int:
        return self._tok.get_vocab_size(with_added_tokens=True)

    def encode(self, text: str, add_special_tokens: bool = False) -> list[int]:
        return self._tok.encode(text, add_special_tokens=add_special_tokens).ids

    def __call__(self, text: str, add_special_tokens: bool = True, verbose: bool = True) -> dict[str, list[int]]:
        """``{"input_ids": [...]}`` for one text, like a transformers tokenizer (used to count tokens; ``verbose``
        is accepted as transformers' is, and there is nothing to warn about)."""
        return {"input_ids": self.encode(text, add_special_tokens)}

    def batch_decode(self, rows: Sequence[Sequence[int]], skip_special_tokens: bool = True) -> list[str]:
        return self._tok.decode_batch([list(r) for r in rows], skip_special_tokens=skip_special_tokens)

    def apply_chat_template(
        self, messages: list[dict[str, str]], add_generation_prompt: bool = True, tokenize: bool = False
    ) -> str:
        """The prompt text for ``messages``, rendered as transformers renders chat templates."""
        if tokenize:
            raise ValueError("ChatTokenizer.apply_chat_template renders text only (tokenize=False)")
        if self.chat_template is None:
            raise ValueError(f"{self.folder}: this tokenizer has no chat template")
        if self._template is None:
            self._template = _compile(self.chat_template)
        return self._template.render(
            messages=messages, add_generation_prompt=add_generation_prompt, **self.special_tokens
        )

    def save_pretrained(self, folder: str | Path) -> None:
        """Copy the tokenizer files to ``folder``."""
        copy_files(self.folder, folder, TOKENIZER_FILES)


def copy_files(source: Path, folder: str | Path, names: tuple[str, ...]) -> None:
    """Copy the files ``names`` that ``source`` has into ``folder`` (created if needed)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        if (source / name).is_file():
            shutil.copyfile(source / name, out / name)


def _compile(template: str) -> Any:
    # The same sandboxed environment and helpers transformers renders chat templates with.
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message: str) -> None:
        raise ValueError(message)

    def tojson(x: Any, ensure_ascii: bool = False, indent: int | None = None, separators: Any = None) -> str:
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template)
