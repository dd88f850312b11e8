"""One loader for generative models — packaged default, local folder, hub id, GGUF file — and batched generation.

Encoder-decoder checkpoints (BART, PEGASUS, T5) are driven as seq2seq with their own input limit; decoder-only
models with a chat template are driven as chat models (a user message, generation prompt, left padding).
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.assets import is_hub_id
from newsdesk.errors import ModelLoadError
from newsdesk.runtime import batched, resolve_device, resolve_dtype

if TYPE_CHECKING:
    from newsdesk.models.lm.greedy import RowDone

log = logging.getLogger(__name__)
DEFAULT_NAME = "default"
DEFAULT_LABEL = "smollm2-135m-instruct"
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
    if name == DEFAULT_NAME:
        from newsdesk.assets import SMOLLM2_GGUF

        return ModelSource("gguf", str(SMOLLM2_GGUF.path()), DEFAULT_LABEL, SMOLLM2_GGUF.sha256)
    path = Path(name).expanduser()
    if name.lower().endswith(".gguf"):
        if not path.is_file():
            raise ModelLoadError(f"{name}: no such GGUF file")
        return ModelSource("gguf", str(path), path.name)
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise ModelLoadError(
                f"{name}: not a model folder (no config.json); pass a folder saved with save_pretrained, a hub id, "
                "a .gguf file, or one of: default, lead, extractive"
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
        f"unknown model {name!r}; use default, lead, extractive, a model folder, a .gguf file or a hub id "
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


@dataclass
class GenerationOptions:
    max_new_tokens: int = 96
    num_beams: int = 1
    do_sample: bool = False
    temperature: float = 1.0
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0

    @property
    def plain_greedy(self) -> bool:
        """Greedy search with no logits processing: what :func:`~newsdesk.models.lm.greedy.greedy_generate` does."""
        return (
            self.num_beams == 1
            and not self.do_sample
            and self.repetition_penalty == 1.0
            and not self.no_repeat_ngram_size
        )


def _encode_prompt(lm: LoadedModel, prompt: str, system: str | None) -> str:
    if lm.kind == "chat":
        messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": prompt}]
        return lm.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return prompt


def generate(
    lm: LoadedModel,
    prompts: list[str],
    options: GenerationOptions,
    *,
    batch_size: int = 16,
    system: str | None = None,
    max_input_tokens: int | None = None,
    new_token_limits: list[int] | None = None,
    row_done: RowDone | None = None,
) -> list[str]:
    """Generate one continuation per prompt (chat prompts get the model's chat template), in batches of
    ``batch_size`` grouped by length to limit padding. ``new_token_limits`` (one per prompt) lowers
    ``options.max_new_tokens`` for that prompt (for a whole batch, to its largest limit, where ``model.generate``
    runs: beams, sampling, penalties, seq2seq; plain greedy decoding of decoder models drops each row as it
    ends). Inputs longer than the window are cut at the left for decoders (keeping the instruction at the end) and
    at the right for seq2seq; callers split long texts first. ``row_done`` (rows numbered as ``prompts``) is told of
    each new token and may end a row early where decoding is plain greedy; where ``model.generate`` runs, it is
    told each row's tokens once, at the end."""
    import torch

    from newsdesk.models.lm.greedy import config_processes_logits, greedy_generate, stop_ids

    if not prompts:
        return []
    tok = lm.tokenizer
    texts = [_encode_prompt(lm, p, system) for p in prompts]
    limit = min(max_input_tokens or lm.window, lm.window)
    if lm.kind != "seq2seq":
        limit = max(16, limit - options.max_new_tokens)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[str] = [""] * len(texts)
    gen_kwargs: dict[str, Any] = {
        "max_new_tokens": options.max_new_tokens,
        "num_beams": options.num_beams,
        "do_sample": options.do_sample,
        "pad_token_id": tok.pad_token_id,
    }
    if options.do_sample:
        gen_kwargs["temperature"] = options.temperature
    else:
        # Greedy/beam decoding must not inherit sampling settings from a checkpoint's generation_config.
        gen_kwargs.update(temperature=None, top_p=None, top_k=None)
    if options.repetition_penalty != 1.0:
        gen_kwargs["repetition_penalty"] = options.repetition_penalty
    if options.no_repeat_ngram_size:
        gen_kwargs["no_repeat_ngram_size"] = options.no_repeat_ngram_size
    if lm.backend == "native":
        if not options.plain_greedy:
            raise ModelLoadError("the native runtime decodes greedily only; load the model with transformers")
        return _generate_native(lm, texts, order, limit, options.max_new_tokens, batch_size, new_token_limits, row_done)
    for idx in batched(order, batch_size):
        batch = [texts[i] for i in idx]
        if lm.kind == "seq2seq":
            tok.padding_side = "right"
            enc = tok(batch, return_tensors="pt", padding=True, truncation=True, max_length=limit)
        else:
            tok.padding_side = "left"
            tok.truncation_side = "left"
            enc = tok(
                batch,
                return_tensors="pt",
                padding=True,
                truncation=True,
                max_length=limit,
                add_special_tokens=lm.kind == "causal",  # a chat template already holds the special tokens
            )
        enc = {k: v.to(lm.device) for k, v in enc.items()}
        limits = _row_limits(idx, options.max_new_tokens, new_token_limits)
        if (
            lm.kind != "seq2seq"
            and options.plain_greedy
            and not config_processes_logits(getattr(lm.model, "generation_config", None))
        ):
            rows = greedy_generate(
                lm.model,
                enc["input_ids"],
                enc["attention_mask"],
                limits,
                stop_ids(lm.model, tok),
                _in_batch(row_done, idx),
            )
            for i, seq in zip(idx, tok.batch_decode(rows, skip_special_tokens=True), strict=True):
                out[i] = seq.strip()
            continue
        kwargs = dict(gen_kwargs, max_new_tokens=max(limits))
        with torch.inference_mode():
            generated = lm.model.generate(**enc, **kwargs)
        if lm.kind != "seq2seq":
            generated = generated[:, enc["input_ids"].shape[1] :]
        told = _in_batch(row_done, idx)
        if told is not None:
            _tell_ends(generated, lm, told)
        for i, seq in zip(idx, tok.batch_decode(generated, skip_special_tokens=True), strict=True):
            out[i] = seq.strip()
    return out


def _generate_native(
    lm: LoadedModel,
    texts: list[str],
    order: list[int],
    limit: int,
    max_new_tokens: int,
    batch_size: int,
    new_token_limits: list[int] | None,
    row_done: RowDone | None,
) -> list[str]:
    from newsdesk.models.lm.greedy import decode_greedily, stop_ids

    tok = lm.tokenizer
    eos = stop_ids(lm.model, tok)
    out: list[str] = [""] * len(texts)
    # Batches of equal size (111 prompts at 96: 56 + 55, not 96 + 15): a decoding step costs less per row the more
    # rows it carries.
    if order:
        batch_size = math.ceil(len(order) / math.ceil(len(order) / max(1, batch_size)))
    for idx in batched(order, batch_size):
        # Too long a prompt loses its start, keeping the instruction at the end (callers split long texts first).
        prompts = [tok.encode(texts[i], add_special_tokens=lm.kind == "causal")[-limit:] for i in idx]
        limits = _row_limits(idx, max_new_tokens, new_token_limits)
        logits, session = lm.model.start(prompts, max(limits))
        rows = decode_greedily(logits, session, limits, eos, _in_batch(row_done, idx), prompts)
        for i, seq in zip(idx, tok.batch_decode(rows, skip_special_tokens=True), strict=True):
            out[i] = seq.strip()
    return out


def _tell_ends(generated: Any, lm: LoadedModel, row_done: RowDone) -> None:
    """Tell ``row_done`` how each row of a ``model.generate`` output ended: generate cannot end a row early, but
    the caller still learns each row's tokens, e.g. to see that one was cut off by its new-token limit."""
    from newsdesk.models.lm.greedy import stop_ids

    ends = stop_ids(lm.model, lm.tokenizer) | {lm.tokenizer.pad_token_id}
    for row, seq in enumerate(generated.tolist()):
        if lm.kind == "seq2seq":
            seq = seq[1:]  # the decoder's start token
        stop = next((i for i, t in enumerate(seq) if t in ends), len(seq))
        row_done(row, seq[:stop], True)


def _in_batch(row_done: RowDone | None, idx: list[int]) -> RowDone | None:
    """``row_done`` for a batch of the prompts ``idx``: batch rows told as prompt numbers."""
    if row_done is None:
        return None
    return lambda row, tokens, ending: row_done(idx[row], tokens, ending)


def _row_limits(idx: list[int], max_new_tokens: int, new_token_limits: list[int] | None) -> list[int]:
    """New-token limit of each prompt in ``idx``: its own limit, if given, within ``max_new_tokens``."""
    if new_token_limits is None:
        return [max(1, max_new_tokens)] * len(idx)
    return [max(1, min(max_new_tokens, new_token_limits[i])) for i in idx]
