"""newsdesk's own BERT encoder body for inference: the topic models' MiniLM without importing transformers.

Why not transformers here: every process that classifies pays for importing it before the first article is read,
about 1.9 s of the 3.8 s a default topic model takes to load in a new process (2-core CPU with native bf16;
``import transformers`` with its BERT classes, and peft for the adapter). Each Ray actor, each CLI run and each
test pays it again. A BERT forward pass is a few matrix products, so this module runs one with torch alone, from
the same safetensors folder transformers reads, with the same parameter names and the same operations in the same
order as transformers' ``BertModel`` with SDPA attention (a boolean key mask, ``None`` when no row is padded), so
the hidden states are bit-identical in float32 and bfloat16 (``tests/test_classifier_encoders.py`` checks it).

Only plain BERT checkpoints qualify (:func:`unsupported` says why a folder does not); training, other
architectures and classification heads go through transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

WEIGHTS = "model.safetensors"
TOKENIZER = "tokenizer.json"


@dataclass
class BertConfig:
    """The fields of a BERT ``config.json`` that the forward pass uses."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0

    @classmethod
    def from_dict(cls, config: dict) -> BertConfig:
        return cls(**{f.name: config[f.name] for f in fields(cls) if f.name in config})


def unsupported(folder: str | Path) -> str | None:
    """Why ``folder`` cannot run on :class:`Bert` (``None`` when it can): not a local folder with safetensors weights
    and a fast tokenizer, or a BERT variant this module does not implement."""
    path = Path(folder)
    for name in ("config.json", WEIGHTS, TOKENIZER):
        if not (path / name).is_file():
            return f"no {name}"
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    checks = {
        "model_type": ("bert",),
        "hidden_act": ("gelu",),
        "position_embedding_type": ("absolute",),
        "is_decoder": (False,),
        "add_cross_attention": (False,),
    }
    for key, allowed in checks.items():
        value = config.get(key, allowed[0])
        if value not in allowed:
            return f"{key}={value!r}"
    return None


class Embeddings(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=c.pad_token_id)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        # input_ids (B, S) -> (B, S, H); one segment (token type 0), positions from 0
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None]  # (1, S)
        h = self.word_embeddings(input_ids) + self.token_type_embeddings(torch.zeros_like(input_ids))
        h = h + self.position_embeddings(positions)
        return self.LayerNorm(h)


class SelfAttention(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.heads = c.num_attention_heads
        self.head_size = c.hidden_size // c.num_attention_heads
        self.query = nn.Linear(c.hidden_size, c.hidden_size)
        self.key = nn.Linear(c.hidden_size, c.hidden_size)
        self.value = nn.Linear(c.hidden_size, c.hidden_size)

    def forward(self, h: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        B, S, _ = h.shape
        q, k, v = (
            proj(h).view(B, S, self.heads, self.head_size).transpose(1, 2)
            for proj in (self.query, self.key, self.value)
        )
        # q, k, v (B, heads, S, head_size); mask (B, 1, S, S) bool, True = attend
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.0, scale=self.head_size**-0.5)
        return out.transpose(1, 2).contiguous().reshape(B, S, -1).contiguous()  # (B, S, H)


class Residual(nn.Module):
    """``LayerNorm(dense(x) + input)``: BERT's output projections (``attention.output`` and ``output``)."""

    def __init__(self, n_in: int, c: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(n_in, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.self = SelfAttention(c)
        self.output = Residual(c.hidden_size, c)

    def forward(self, h: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        return self.output(self.self(h, mask), h)


class Intermediate(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(h))  # (B, S, intermediate)


class Layer(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = Residual(c.intermediate_size, c)

    def forward(self, h: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        a = self.attention(h, mask)
        return self.output(self.intermediate(a), a)


class Stack(nn.Module):
    def __init__(self, c: BertConfig) -> None:
        super().__init__()
        self.layer = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))


@dataclass
class BertOutput:
    last_hidden_state: torch.Tensor  # (B, S, H)


class Bert(nn.Module):
    """BERT's body (no pooler), called as transformers' ``BertModel``: ``model(input_ids=, attention_mask=)``
    returns an object with ``last_hidden_state``. Parameter names are transformers', so its state dicts, adapters
    and :func:`newsdesk.models.topics.encoder.truncate_layers` apply unchanged."""

    def __init__(self, config: BertConfig) -> None:
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config)
        self.encoder = Stack(config)

    @property
    def dtype(self) -> torch.dtype:
        return self.embeddings.word_embeddings.weight.dtype

    @classmethod
    def from_folder(cls, folder: str | Path) -> Bert:
        """The float32 model of a folder that :func:`unsupported` accepts."""
        from safetensors.torch import load_file

        path = Path(folder)
        config = BertConfig.from_dict(json.loads((path / "config.json").read_text(encoding="utf-8")))
        model = cls(config)  # on the CPU: building on torch's meta device would import torch._dynamo (0.9 s)
        state = {k.removeprefix("bert."): v for k, v in load_file(path / WEIGHTS).items()}
        keep = model.state_dict().keys()
        model.load_state_dict({k: v for k, v in state.items() if k in keep}, strict=True, assign=True)
        return model.eval()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> BertOutput:
        h = self.embeddings(input_ids)
        mask = None
        if attention_mask is not None and not bool(attention_mask.all()):
            B, S = attention_mask.shape
            mask = attention_mask.bool()[:, None, None, :].expand(B, 1, S, S).contiguous()  # (B, 1, S, S)
        for layer in self.encoder.layer:
            h = layer(h, mask)
        return BertOutput(h)


class WordPieces:
    """A folder's ``tokenizer.json`` run by the tokenizers library, called as :class:`Encoder` calls transformers'
    fast tokenizer: ``tokenizer(texts, add_special_tokens=...)["input_ids"]``, never truncated or padded."""

    def __init__(self, folder: str | Path) -> None:
        from tokenizers import Tokenizer

        path = Path(folder)
        self.backend = Tokenizer.from_file(str(path / TOKENIZER))
        self.backend.no_truncation()
        self.backend.no_padding()
        pad = "[PAD]"
        for name in ("tokenizer_config.json", "special_tokens_map.json"):
            if (path / name).is_file():
                value = json.loads((path / name).read_text(encoding="utf-8")).get("pad_token", pad)
                pad = value.get("content", pad) if isinstance(value, dict) else value
        self.pad_token_id = self.backend.token_to_id(pad)
        self.model_max_length = 1 << 30

    def __call__(self, texts: str | list[str], add_special_tokens: bool = True) -> dict[str, list]:
        rows = self.backend.encode_batch(
            [texts] if isinstance(texts, str) else list(texts), add_special_tokens=add_special_tokens
        )
        ids = [row.ids for row in rows]
        return {"input_ids": ids[0] if isinstance(texts, str) else ids}
