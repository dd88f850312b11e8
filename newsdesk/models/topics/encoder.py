"""A sentence encoder body (all-MiniLM-L6-v2 by default) that reads texts of any length.

Text longer than the window is cut into overlapping windows of ``chunk_tokens`` tokens (special tokens
included); every token lands in at least one window, and each window is mean-pooled and L2-normalised as
sentence-transformers does. What to do with several windows of one text is the caller's choice.

``layers=N`` keeps only the first N transformer layers of a BERT-like body (a faster, shallower encoder) and
``quantize="int8"`` runs its linear layers in dynamic int8 on CPU (see :mod:`newsdesk.models.topics.quantize`).
``native=True`` (inference) runs a plain BERT folder on :mod:`newsdesk.models.topics.bert`, without transformers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from newsdesk.errors import ModelLoadError, NewsdeskError
from newsdesk.models.topics import bert
from newsdesk.models.topics.windows import chunk_ids
from newsdesk.runtime import batched, resolve_device, resolve_dtype

PACKAGED = "packaged:all-MiniLM-L6-v2"


@dataclass
class Chunks:
    """Windows of token ids (special tokens included) and, for each, the index of its text."""

    ids: list[list[int]]
    owner: np.ndarray
    n_texts: int


def describe_source(source: str | Path | None) -> dict[str, Any]:
    """How a saved model names its encoder: the pinned package (with sha256), a folder, or a hub id."""
    if source is None or str(source) == PACKAGED:
        from newsdesk.assets import MINILM

        return {"source": PACKAGED, "distribution": MINILM.distribution, "sha256": MINILM.sha256}
    return {"source": str(source)}


def resolve_source(source: str | Path | None) -> str:
    if source is None or str(source) == PACKAGED:
        from newsdesk.assets import minilm_dir

        return str(minilm_dir())
    return str(source)


def truncate_layers(model: Any, layers: int, name: str = "the encoder") -> None:
    """Keep the first ``layers`` transformer layers of a BERT-like ``model`` (its body or a model with a head)."""
    body = getattr(model, "base_model", model)
    stack = getattr(getattr(body, "encoder", None), "layer", None)
    if not isinstance(stack, torch.nn.ModuleList):
        raise NewsdeskError(f"encoder_layers needs a BERT-like encoder (encoder.layer); {name!r} is not one")
    if isinstance(layers, bool) or not isinstance(layers, int) or not 1 <= layers <= len(stack):
        raise NewsdeskError(f"encoder_layers must be between 1 and {len(stack)} for {name!r}, got {layers!r}")
    body.encoder.layer = stack[:layers]
    body.config.num_hidden_layers = layers


def _transformers_model(path: str, head: str, trust_remote_code: bool, model_kwargs: dict | None) -> tuple[Any, Any]:
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    auto = transformers.AutoModelForSequenceClassification if head == "classification" else transformers.AutoModel
    return tokenizer, auto.from_pretrained(path, trust_remote_code=trust_remote_code, **(model_kwargs or {}))


class Encoder:
    """Tokenizer + transformer body with window chunking and mean pooling."""

    def __init__(
        self,
        source: str | Path | None = None,
        *,
        device: str = "auto",
        dtype: str = "auto",
        chunk_tokens: int = 256,
        chunk_overlap: int = 32,
        batch_size: int = 32,
        adapter: dict[str, torch.Tensor] | None = None,
        trust_remote_code: bool = False,
        head: str = "none",
        model_kwargs: dict[str, Any] | None = None,
        layers: int | None = None,
        quantize: str = "none",
        native: bool = False,
    ) -> None:
        self.source = None if source is None else str(source)
        path = resolve_source(source)
        self.device = resolve_device(device)
        self.dtype = resolve_dtype(dtype, self.device)
        plain = head == "none" and not trust_remote_code and not model_kwargs
        self.native = native and plain and bert.unsupported(path) is None
        try:
            if self.native:
                self.tokenizer: Any = bert.WordPieces(path)
                model = bert.Bert.from_folder(path)
            else:
                self.tokenizer, model = _transformers_model(path, head, trust_remote_code, model_kwargs)
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"encoder {path!r} cannot be loaded: {exc}") from None
        if layers is not None:
            truncate_layers(model, layers, path)
        if adapter:
            from newsdesk.models.topics.adapters import apply_lora_state

            try:
                apply_lora_state(model, adapter)
            except (ValueError, KeyError, AttributeError) as exc:
                raise ModelLoadError(f"the saved adapter does not fit encoder {path!r}: {exc}") from None
        if quantize != "none" and self.device.type == "cpu":
            self.dtype = torch.float32  # int8 layers quantise float32 weights: never round them through bf16 first
        self.model = model.to(self.device, self.dtype).eval()
        self.quantized = "none"
        self.quantize(quantize)
        self.tokenizer.model_max_length = 1 << 30  # we chunk ourselves; silence the length warning
        max_pos = int(getattr(model.config, "max_position_embeddings", 512) or 512)
        self.prefix, self.suffix = self._special_tokens()
        self.chunk_tokens = min(chunk_tokens, max_pos)
        self.window = self.chunk_tokens - len(self.prefix) - len(self.suffix)
        if self.window < 8:
            raise NewsdeskError(f"chunk_tokens={chunk_tokens} leaves no room for text in a window")
        self.overlap = min(chunk_overlap, self.window // 2)
        self.batch_size = batch_size
        self.pad_id = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0

    def quantize(self, how: str) -> None:
        """Quantise the body for inference (``"int8"``: dynamic int8 linear layers, CPU only); ``"none"``: no-op.

        Call it after training: a quantised body cannot be tuned further.
        """
        from newsdesk.models.topics.quantize import check_quantize, quantize_linear

        if check_quantize(how) != "none" and self.quantized == "none":
            model = quantize_linear(self.model, how, self.device)
            if model is not self.model:
                self.model, self.dtype, self.quantized = model, torch.float32, how

    def _special_tokens(self) -> tuple[list[int], list[int]]:
        plain = self.tokenizer("hello", add_special_tokens=False)["input_ids"]
        full = self.tokenizer("hello")["input_ids"]
        for i in range(len(full) - len(plain) + 1):
            if full[i : i + len(plain)] == plain:
                return full[:i], full[i + len(plain) :]
        return [], []

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)

    @property
    def bert_like(self) -> bool:
        m = self.model
        return hasattr(m, "embeddings") and hasattr(getattr(m, "encoder", None), "layer")

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]

    def chunk(self, texts: Sequence[str], *, max_tokens: int | None = None) -> Chunks:
        """Overlapping windows over each text; with ``max_tokens`` (training), one window cut to that length."""
        ids = self.tokenize(texts)
        if max_tokens is not None:
            keep = max(1, max_tokens - len(self.prefix) - len(self.suffix))
            return Chunks([self.prefix + x[:keep] + self.suffix for x in ids], np.arange(len(ids)), len(ids))
        pieces, owner = chunk_ids(ids, self.window, self.overlap)
        return Chunks([self.prefix + p + self.suffix for p in pieces], np.asarray(owner), len(ids))

    def pad(self, batch: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(x) for x in batch)
        ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for i, x in enumerate(batch):
            ids[i, : len(x)] = torch.tensor(x, dtype=torch.long)
            mask[i, : len(x)] = 1
        return ids.to(self.device), mask.to(self.device)

    def batches(self, chunks: Chunks) -> list[np.ndarray]:
        """Chunk indices grouped into batches of similar length (little padding)."""
        order = np.argsort([-len(x) for x in chunks.ids], kind="stable")
        return [np.asarray(idx) for idx in batched(order, self.batch_size)]

    @staticmethod
    def pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Mean over real tokens, then L2-normalised (sentence-transformers' all-MiniLM-L6-v2 recipe)."""
        m = mask.unsqueeze(-1).to(hidden.dtype)
        mean = (hidden * m).sum(1) / m.sum(1).clamp(min=1)
        return torch.nn.functional.normalize(mean.float(), dim=-1)

    @torch.inference_mode()
    def embed_chunks(self, chunks: Chunks) -> np.ndarray:
        """``(n_chunks, hidden)`` float32 unit vectors, in the order of ``chunks.ids``."""
        out = np.zeros((len(chunks.ids), self.hidden_size), dtype=np.float32)
        for idx in self.batches(chunks):
            ids, mask = self.pad([chunks.ids[i] for i in idx])
            hidden = self.model(input_ids=ids, attention_mask=mask).last_hidden_state
            out[idx] = self.pool(hidden, mask).cpu().numpy()
        return out

    @torch.inference_mode()
    def logits_chunks(self, chunks: Chunks) -> np.ndarray:
        """``(n_chunks, n_labels)`` logits of a sequence-classification model (``head="classification"``)."""
        out = None
        for idx in self.batches(chunks):
            ids, mask = self.pad([chunks.ids[i] for i in idx])
            logits = self.model(input_ids=ids, attention_mask=mask).logits.float().cpu().numpy()
            if out is None:
                out = np.zeros((len(chunks.ids), logits.shape[1]), dtype=np.float32)
            out[idx] = logits
        return out

    @torch.inference_mode()
    def bare_forward(self, chunks: Chunks) -> None:
        """The encoder's forward passes alone over the same padded batches (the speed benchmark's baseline)."""
        for idx in self.batches(chunks):
            ids, mask = self.pad([chunks.ids[i] for i in idx])
            self.model(input_ids=ids, attention_mask=mask)

    # ---- split forward (BERT-like bodies): frozen lower layers computed once, upper layers trained -------------
    def extended_mask(self, mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min

    def lower(self, ids: torch.Tensor, mask: torch.Tensor, upto: int) -> torch.Tensor:
        """Hidden states after the embeddings and the first ``upto`` layers."""
        h = self.model.embeddings(input_ids=ids)
        ext = self.extended_mask(mask, h.dtype)
        for layer in self.model.encoder.layer[:upto]:
            h = layer(h, ext)
        return h

    def upper(self, h: torch.Tensor, mask: torch.Tensor, start: int) -> torch.Tensor:
        ext = self.extended_mask(mask, h.dtype)
        for layer in self.model.encoder.layer[start:]:
            h = layer(h, ext)
        return h
