"""A hand-written LoRA adapter for ``nn.Linear`` layers: train small low-rank deltas, save them, merge them."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn

# The linear layers of a BERT-style encoder layer that get an adapter.
BERT_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


class LoRALinear(nn.Module):
    """``base(x) + scale * x Aᵀ Bᵀ``; ``B`` starts at zero, so training starts from the base model exactly."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float = 0.0) -> None:
        super().__init__()
        self.base = base
        self.rank = rank
        self.scale = alpha / rank
        self.A = nn.Parameter(torch.empty(rank, base.in_features))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.A, a=math.sqrt(5))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (self.dropout(x) @ self.A.T @ self.B.T) * self.scale

    def delta(self) -> torch.Tensor:
        return (self.B @ self.A) * self.scale


def _get(root: nn.Module, dotted: str) -> tuple[nn.Module, str]:
    parent_path, _, leaf = dotted.rpartition(".")
    return (root.get_submodule(parent_path) if parent_path else root), leaf


def add_lora(
    model: nn.Module, names: Iterable[str], rank: int, alpha: float, dropout: float = 0.0
) -> dict[str, LoRALinear]:
    """Wrap each named ``nn.Linear`` of ``model`` in a :class:`LoRALinear`; returns them by name."""
    wrapped = {}
    for name in names:
        parent, leaf = _get(model, name)
        base = getattr(parent, leaf)
        if not isinstance(base, nn.Linear):
            raise TypeError(f"{name} is a {type(base).__name__}, not nn.Linear")
        lora = LoRALinear(base, rank, alpha, dropout)
        setattr(parent, leaf, lora)
        wrapped[name] = lora
    return wrapped


@torch.no_grad()
def merge_lora(model: nn.Module, wrapped: dict[str, LoRALinear]) -> dict[str, torch.Tensor]:
    """Fold each adapter into its base weight and put the plain ``nn.Linear`` back (no cost at inference).

    Returns the adapter tensors (``{name}.lora_A`` / ``{name}.lora_B`` and the scale) for saving.
    """
    state: dict[str, torch.Tensor] = {}
    for name, lora in wrapped.items():
        lora.base.weight += lora.delta().to(lora.base.weight.dtype)
        parent, leaf = _get(model, name)
        setattr(parent, leaf, lora.base)
        state[f"{name}.lora_A"] = lora.A.detach().float().contiguous()
        state[f"{name}.lora_B"] = (lora.B.detach().float() * lora.scale).contiguous()  # scale folded into B
    return state


@torch.no_grad()
def apply_lora_state(model: nn.Module, state: dict[str, torch.Tensor]) -> int:
    """Add saved adapters (from :func:`merge_lora`) to ``model``'s weights; returns how many layers changed."""
    names = sorted({k.rsplit(".lora_", 1)[0] for k in state})
    for name in names:
        parent, leaf = _get(model, name)
        linear = getattr(parent, leaf)
        A, B = state[f"{name}.lora_A"], state[f"{name}.lora_B"]
        if not isinstance(linear, nn.Linear) or tuple((B @ A).shape) != tuple(linear.weight.shape):
            raise ValueError(f"adapter for {name} does not fit the encoder")
        linear.weight += (B @ A).to(linear.weight.dtype)
    return len(names)
