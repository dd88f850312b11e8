"""newsdesk's own Llama decoder for greedy generation: the default summariser's fast path on a CPU.

Why not transformers here: importing its model classes takes about 8 s on a 2-core machine, more than the
model needs to rewrite an article's sentences, and the summariser's cold start has a 10 s budget. A Llama
forward pass is a handful of matrix products, so this module runs one with torch alone, from the same
safetensors folder transformers reads. It also shares the prompt prefix that every row of a batch has in common
(chat template, system message, instruction): that prefix is computed once, not once per row.

Only plain Llama checkpoints qualify (:func:`unsupported` says why a folder does not); everything else, and
every option other than greedy decoding, goes through transformers. Tests check that logits and greedy tokens
match transformers' ``LlamaForCausalLM``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
import torch.nn.functional as F

from newsdesk.models.lm.chat_tokenizer import copy_files
from newsdesk.models.lm.greedy import config_processes_logits

WEIGHTS = "model.safetensors"
MODEL_FILES = ("config.json", "generation_config.json", WEIGHTS)
# Cache columns added at a time when generation runs past the allocated length.
GROW = 32
# Prompts read together (after the shared prefix): sorted by length, so that little of the work is padding.
PREFILL_ROWS = 8
# Tokens a decoding pass may carry in all when it checks guesses (greedy.decode_greedily): up to about this many,
# a pass costs little more than a pass of one token per row, as reading the weights dominates.
DRAFT_TOKENS = 16


def _rows_for_mkl(rows: int) -> int:
    """The row count to pad a product's input to. MKL's sgemm on 2 AVX2 cores is much slower for some row counts
    than for slightly larger ones; measured over one decoding step's products of SmolLM2-135M (ms): 1: 66, 2-4:
    48-63 (3 is slow), 5: 59, 6-8: 74-90 (7 slow), 9-15: 92-166, 16: 96; the MLP's product at 497-511 rows cost 1.5-2x
    what it did at 504 (1.1-1.5x at 512). So: 4 rows for up to 4, multiples of 8 from 6."""
    if rows <= 4:
        return 4
    return rows if rows == 5 else -(-rows // 8) * 8


def _linear(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """``x @ weight.T`` computed as ``(weight @ x.T).T``: with MKL on 2 cores this order is up to 2x faster than
    F.linear for the products decoding and prefill make here (8-360 rows of 576-1536 columns; the 49152-row head
    1.6-2x), as it streams the weights once: e.g. the MLP's 3072x576 at 56 rows, 1.8 vs 3.3 ms. The rows are
    padded with zeros to a count MKL handles well (:func:`_rows_for_mkl`)."""
    rows = x.numel() // x.shape[-1]
    flat = x.reshape(rows, -1)
    padded = _rows_for_mkl(rows)
    if padded != rows:
        flat = torch.cat([flat, flat.new_zeros(padded - rows, flat.shape[1])])
    return torch.mm(weight, flat.t())[:, :rows].t().reshape(*x.shape[:-1], weight.shape[0])


def _attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Softmax attention of ``q`` [B, heads, T, d] over ``k``, ``v`` [B, kv heads, L, d], each kv head serving a
    group of consecutive heads; ``mask`` [B, 1, T, L] is True where a token may look. What SDPA computes, less
    its general path's overhead: about 6 % of a decoding step of 3-6 rows here."""
    b, heads, t, d = q.shape
    groups, length = heads // k.shape[1], k.shape[2]
    scores = torch.matmul(q.reshape(b, -1, groups * t, d), k.transpose(-1, -2)).mul_(d**-0.5)
    scores = scores.view(b, -1, groups, t, length).masked_fill_(~mask[:, :, None], float("-inf"))
    return torch.matmul(torch.softmax(scores, -1).view(b, -1, groups * t, length), v).view(b, heads, t, d)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _rope(config: dict[str, Any]) -> tuple[str, float]:
    params = config.get("rope_parameters") or config.get("rope_scaling") or {}
    kind = params.get("rope_type") or params.get("type") or "default"
    return kind, float(params.get("rope_theta") or config.get("rope_theta") or 10000.0)


def unsupported(folder: str | Path) -> str | None:
    """Why :class:`NativeLlama` cannot run this model folder as transformers would, or None if it can."""
    from newsdesk.models.lm import chat_tokenizer

    folder = Path(folder)
    config = _read_json(folder / "config.json")
    checks = {
        "not a Llama checkpoint": config.get("model_type") != "llama",
        "not a single model.safetensors file": not (folder / WEIGHTS).is_file(),
        "quantized weights": bool(config.get("quantization_config")),
        "activation other than SiLU": config.get("hidden_act", "silu") != "silu",
        "bias terms": bool(config.get("attention_bias") or config.get("mlp_bias")),
        "scaled RoPE": _rope(config)[0] != "default",
        "tensor-parallel pretraining layout": int(config.get("pretraining_tp") or 1) != 1,
        "its generation config changes the logits": config_processes_logits(
            SimpleNamespace(**_read_json(folder / "generation_config.json"))
        ),
    }
    for reason, failed in checks.items():
        if failed:
            return reason
    return chat_tokenizer.unsupported(folder)


@dataclass(frozen=True)
class LlamaConfig:
    """What :class:`NativeLlama` reads of a Llama checkpoint's ``config.json`` (:meth:`from_dict`)."""

    vocab_size: int
    hidden_size: int  # H
    intermediate_size: int  # F, the MLP's width
    n_layers: int
    n_heads: int  # nh
    n_kv_heads: int  # nkv: each key/value head serves nh / nkv query heads
    head_dim: int  # hd
    rms_norm_eps: float = 1e-6
    rope_theta: float = 10000.0
    max_position_embeddings: int | None = None

    @classmethod
    def from_dict(cls, cfg: dict[str, Any]) -> LlamaConfig:
        n_heads = int(cfg["num_attention_heads"])
        max_positions = cfg.get("max_position_embeddings")
        return cls(
            vocab_size=int(cfg["vocab_size"]),
            hidden_size=int(cfg["hidden_size"]),
            intermediate_size=int(cfg["intermediate_size"]),
            n_layers=int(cfg["num_hidden_layers"]),
            n_heads=n_heads,
            n_kv_heads=int(cfg.get("num_key_value_heads") or n_heads),
            head_dim=int(cfg.get("head_dim") or cfg["hidden_size"] // n_heads),
            rms_norm_eps=float(cfg.get("rms_norm_eps", 1e-6)),
            rope_theta=_rope(cfg)[1],
            max_position_embeddings=int(max_positions) if max_positions else None,
        )


@dataclass
class LlamaLayer:
    """One decoder layer's weights, as ``F.linear`` takes them (out × in). The query, key and value projections are
    stacked into one product, and so are the MLP's gate and up projections."""

    input_norm: torch.Tensor  # (H,)
    qkv: torch.Tensor  # ((nh + 2 nkv) hd, H)
    o: torch.Tensor  # (H, nh hd)
    post_norm: torch.Tensor  # (H,)
    gate_up: torch.Tensor  # (2 F, H)
    down: torch.Tensor  # (H, F)

    def check(self, c: LlamaConfig, i: int) -> None:
        """Raise ``ValueError`` unless every weight has the shape the config says."""
        h, hd = c.hidden_size, c.head_dim
        want = {
            "input_norm": (h,),
            "qkv": ((c.n_heads + 2 * c.n_kv_heads) * hd, h),
            "o": (h, c.n_heads * hd),
            "post_norm": (h,),
            "gate_up": (2 * c.intermediate_size, h),
            "down": (h, c.intermediate_size),
        }
        for name, shape in want.items():
            got = tuple(getattr(self, name).shape)
            if got != shape:
                raise ValueError(f"layer {i} {name}: shape {got}, the config says {shape}")


class NativeLlama:
    """A Llama causal LM loaded from a safetensors folder, for batched greedy decoding (:meth:`start`)."""

    def __init__(self, folder: str | Path, dtype: torch.dtype = torch.float32) -> None:
        from safetensors import safe_open

        self.folder = Path(folder)
        cfg = _read_json(self.folder / "config.json")
        self.config = LlamaConfig.from_dict(cfg)
        generation = _read_json(self.folder / "generation_config.json")
        for key in ("bos_token_id", "eos_token_id", "pad_token_id"):  # as transformers fills them in
            generation.setdefault(key, cfg.get(key))
        self.generation_config = SimpleNamespace(**generation)
        self.dtype = dtype
        c = self.config
        self.inv_freq = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2, dtype=torch.int64).float() / c.head_dim))
        with safe_open(str(self.folder / WEIGHTS), "pt") as f:
            names = set(f.keys())

            def get(name: str) -> torch.Tensor:
                return f.get_tensor(name).to(dtype)

            self.embed = get("model.embed_tokens.weight")  # (vocab, H)
            self.norm = get("model.norm.weight")  # (H,)
            self.head = get("lm_head.weight") if "lm_head.weight" in names else self.embed  # (vocab, H)
            self.layers: list[LlamaLayer] = []
            for i in range(c.n_layers):
                p = f"model.layers.{i}."
                layer = LlamaLayer(
                    input_norm=get(p + "input_layernorm.weight"),
                    qkv=torch.cat([get(p + f"self_attn.{x}_proj.weight") for x in "qkv"]),
                    o=get(p + "self_attn.o_proj.weight"),
                    post_norm=get(p + "post_attention_layernorm.weight"),
                    gate_up=torch.cat([get(p + "mlp.gate_proj.weight"), get(p + "mlp.up_proj.weight")]),
                    down=get(p + "mlp.down_proj.weight"),
                )
                layer.check(c, i)
                self.layers.append(layer)
        shape = (c.vocab_size, c.hidden_size)
        if tuple(self.embed.shape) != shape or tuple(self.head.shape) != shape:
            got = f"{tuple(self.embed.shape)} / {tuple(self.head.shape)}"
            raise ValueError(f"embedding / head shapes {got}: the config says {shape}")

    def save_pretrained(self, folder: str | Path) -> None:
        """Copy the model files (config, generation config, weights) to ``folder``."""
        copy_files(self.folder, folder, MODEL_FILES)

    # -- forward ----------------------------------------------------------------------------------------------
    def _norm(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.config.rms_norm_eps)
        return weight * h.to(x.dtype)

    def _cos_sin(self, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        freqs = positions[..., None].float() * self.inv_freq
        emb = torch.cat([freqs, freqs], dim=-1)
        return emb.cos().to(self.dtype)[:, None], emb.sin().to(self.dtype)[:, None]

    @staticmethod
    def _rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        half = x.shape[-1] // 2
        return x * cos + torch.cat([-x[..., half:], x[..., :half]], dim=-1) * sin

    def forward(
        self,
        ids: torch.Tensor,
        positions: torch.Tensor,
        mask: torch.Tensor,
        kv: torch.Tensor,
        start: int,
        every: bool = False,
    ) -> torch.Tensor:
        """Run ``ids`` [B, T] (at ``positions``) into cache columns ``start:start+T`` of ``kv``
        [layers, 2, B, kv heads, columns, head dim]; ``mask`` [B, 1, T, start+T] says which cached columns each
        token sees. Returns the last column's logits [B, vocab], or with ``every`` each column's [B, T, vocab]."""
        b, t = ids.shape
        end = start + t
        nh, nkv, hd = self.config.n_heads, self.config.n_kv_heads, self.config.head_dim
        h = self.embed[ids]  # (B, T, H)
        cos, sin = self._cos_sin(positions)
        for i, layer in enumerate(self.layers):
            q, k, v = _linear(self._norm(h, layer.input_norm), layer.qkv).split([nh * hd, nkv * hd, nkv * hd], dim=-1)
            q = self._rotate(q.view(b, t, nh, hd).transpose(1, 2), cos, sin)  # (B, nh, T, hd)
            kv[i, 0, :, :, start:end] = self._rotate(k.view(b, t, nkv, hd).transpose(1, 2), cos, sin)
            kv[i, 1, :, :, start:end] = v.view(b, t, nkv, hd).transpose(1, 2)  # (B, nkv, T, hd)
            attn = _attention(q, kv[i, 0, :, :, :end], kv[i, 1, :, :, :end], mask)  # (B, nh, T, hd)
            h = h + _linear(attn.transpose(1, 2).reshape(b, t, nh * hd), layer.o)
            gate, up = _linear(self._norm(h, layer.post_norm), layer.gate_up).chunk(2, dim=-1)  # (B, T, F) each
            h = h + _linear(F.silu(gate) * up, layer.down)
        return _linear(self._norm(h if every else h[:, -1], self.norm), self.head).float()

    def _new_cache(self, rows: int, columns: int) -> torch.Tensor:
        c = self.config
        return torch.zeros(c.n_layers, 2, rows, c.n_kv_heads, columns, c.head_dim, dtype=self.dtype)

    @torch.inference_mode()
    def start(self, prompts: list[list[int]], max_new_tokens: int = GROW) -> tuple[torch.Tensor, NativeSession]:
        """Read the prompts (token ids, any lengths) and return the next-token logits [B, vocab] and the session
        that continues them; its cache holds ``max_new_tokens`` more tokens (and grows if asked for more). The
        prompts' common prefix is computed once and shared by every row; the rest is read in groups of rows of
        similar length, so that short prompts are not padded to the longest."""
        b = len(prompts)
        shortest = min(len(p) for p in prompts)
        shared = 0
        if b > 1:
            while shared < shortest - 1 and all(p[shared] == prompts[0][shared] for p in prompts):
                shared += 1
        lengths = [len(p) - shared for p in prompts]
        width = max(lengths)
        kv = self._new_cache(b, shared + width + max_new_tokens)
        prefix_kv = self._new_cache(1, shared)
        if shared:
            causal = torch.ones(shared, shared, dtype=torch.bool).tril()[None, None]
            self.forward(torch.tensor([prompts[0][:shared]]), torch.arange(shared)[None], causal, prefix_kv, 0)
            kv[:, :, :, :, :shared] = prefix_kv
        valid = torch.zeros(b, shared + width, dtype=torch.bool)
        valid[:, :shared] = True
        logits: list[torch.Tensor] = [torch.empty(0)] * b
        by_length = sorted(range(b), key=lengths.__getitem__)
        for g in range(0, b, PREFILL_ROWS):
            rows = by_length[g : g + PREFILL_ROWS]
            w = max(lengths[r] for r in rows)
            ids = torch.zeros(len(rows), w, dtype=torch.long)
            own_valid = torch.ones(len(rows), shared + w, dtype=torch.bool)
            for i, r in enumerate(rows):  # left padding: every row's last token is in the last column
                ids[i, w - lengths[r] :] = torch.tensor(prompts[r][shared:])
                own_valid[i, shared : shared + w - lengths[r]] = False
            positions = (shared + own_valid[:, shared:].long().cumsum(-1) - 1).clamp(min=0)
            causal = torch.ones(w, shared + w, dtype=torch.bool).tril(shared)
            itself = torch.zeros(w, shared + w, dtype=torch.bool)
            itself[:, shared:] = torch.eye(w, dtype=torch.bool)  # a padding position sees itself: no empty softmax
            group_kv = self._new_cache(len(rows), shared + w)
            group_kv[:, :, :, :, :shared] = prefix_kv
            out = self.forward(ids, positions, (own_valid[:, None, None, :] & causal) | itself, group_kv, shared)
            for i, r in enumerate(rows):
                logits[r] = out[i]
            # Into the batch's cache, right-aligned with the longest prompt.
            kv[:, :, rows, :, shared + width - w : shared + width] = group_kv[:, :, :, :, shared:]
            valid[rows, shared + width - w :] = own_valid[:, shared:]
        last = torch.tensor([shared + n - 1 for n in lengths])
        return torch.stack(logits), NativeSession(self, kv, valid, last)


class NativeSession:
    """The key/value cache of a batch being decoded by :class:`NativeLlama`: one token per row per :meth:`step`,
    or several to check at once (:meth:`verify`, :meth:`commit`)."""

    draft_tokens = DRAFT_TOKENS

    def __init__(self, model: NativeLlama, kv: torch.Tensor, valid: torch.Tensor, last: torch.Tensor) -> None:
        self.model = model
        self.kv = kv
        self.valid = valid
        self.last = last
        self._fed = 0

    def _grow(self, columns: int) -> None:
        """Make room for ``columns`` more cache columns."""
        used = self.valid.shape[1]
        if used + columns > self.kv.shape[4]:
            grown = self.model._new_cache(self.kv.shape[2], used + max(columns, GROW))
            grown[:, :, :, :, :used] = self.kv[:, :, :, :, :used]
            self.kv = grown

    @torch.inference_mode()
    def step(self, tokens: torch.Tensor) -> torch.Tensor:
        """Append one token per row; the logits [B, vocab] of the token after it."""
        self._grow(1)
        column = self.valid.shape[1]
        self.valid = torch.cat([self.valid, self.valid.new_ones(self.valid.shape[0], 1)], dim=1)
        self.last = self.last + 1
        mask = self.valid[:, None, None, :]
        return self.model.forward(tokens[:, None], self.last[:, None], mask, self.kv, column)

    @torch.inference_mode()
    def verify(self, tokens: torch.Tensor, counts: torch.Tensor) -> torch.Tensor:
        """Append ``tokens`` [B, T], of which row r's first ``counts[r]`` are real and the rest padding; the
        logits [B, T, vocab] after each of them. Then :meth:`commit` says how many each row keeps."""
        b, t = tokens.shape
        self._grow(t)
        column = self.valid.shape[1]
        real = torch.arange(t)[None] < counts[:, None]
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        mask = torch.cat(
            [self.valid[:, None, None, :].expand(b, 1, t, column), (causal[None] & real[:, None, :])[:, None]], dim=-1
        )
        positions = self.last[:, None] + 1 + torch.arange(t)[None]
        self.valid = torch.cat([self.valid, real], dim=1)
        self._fed = t
        return self.model.forward(tokens, positions, mask, self.kv, column, every=True)

    def commit(self, kept: torch.Tensor) -> None:
        """Keep the first ``kept[r]`` tokens of row r's last :meth:`verify`; the others leave the cache (their
        columns stay, masked, so that every row keeps one column layout)."""
        t = self._fed
        self.valid[:, -t:] &= torch.arange(t)[None] < kept[:, None]
        self.last = self.last + kept

    def keep(self, rows: torch.Tensor) -> None:
        """Drop every row not in ``rows`` (ascending; their cache goes with them). Rows move down in place, so
        the cache never needs a second copy of itself."""
        for i, r in enumerate(rows.tolist()):
            if i != r:
                self.kv[:, :, i] = self.kv[:, :, r]
        self.kv = self.kv[:, :, : len(rows)]
        self.valid = self.valid[rows]
        self.last = self.last[rows]
