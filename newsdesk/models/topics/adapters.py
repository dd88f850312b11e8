"""LoRA adapters on the linear layers of a BERT-like encoder, built, trained and merged with peft.

newsdesk saves an adapter as its low-rank factors, one pair per adapted layer, in its own key naming:
``{layer}.lora_A`` (rank × in) and ``{layer}.lora_B`` (out × rank) with the LoRA scale (alpha / rank) already
folded into B — the format of the shipped default's ``adapter.safetensors``. Loading adds them straight into the
encoder's weights, ``W += B @ A``: the arithmetic of peft's merge at the scale of 1 that the saved factors imply
(bit-identical, ``tests/test_classifier_encoders.py`` checks it). Inference then runs the plain encoder, and loading
a model imports neither peft nor transformers (about 2 s of a new process).

Measured when peft replaced newsdesk's hand-written LoRA (peft 0.21.2, torch 2.13, 2-core CPU):

- loading: the shipped default's adapter merged by peft gives bit-identical encoder weights in float32 and in
  bfloat16 (``W + B @ A`` in float32, the same operations), so ``classify`` writes the same file (checked on
  ``seeds/`` with ``--dtype float32`` and ``auto``; ``tests/test_identical_outputs.py`` keeps checking it);
- training: with the same seed, peft's layers give bit-identical adapter factors, heads and merged weights, as
  :func:`add_lora` draws A in the old order (a 3-layer test BERT, 3 epochs; and all-MiniLM-L6-v2's top 2 layers
  on 640 NYT/CAP texts, 1 epoch), at the same speed (those 20 steps: 5.6-6.1 s hand-written, 6.0-6.5 s peft, one
  thread, two runs each on a loaded machine);
- cost: importing peft adds about 0.8 s to a ``classify`` cold start (15.9 vs 15.1 s, three alternating runs of
  ``newsdesk classify seeds/`` on a machine with a load of 8); the import alone is 4 s there, but most of what peft
  imports, transformers has already loaded by then.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

# The linear layers of a BERT-style encoder layer that get an adapter, in the order the layer holds them.
BERT_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
ADAPTER = "default"  # peft's name for the one adapter


def _lora_model(model: nn.Module, names: Sequence[str], rank: int, alpha: float, dropout: float) -> Any:
    """``model`` with peft LoRA layers on the ``nn.Linear`` modules ``names`` (changed in place; peft's
    ``LoraModel`` around it). peft's own initialisation is skipped: callers set the factors."""
    from peft import LoraConfig, LoraModel

    for name in names:
        layer = model.get_submodule(name)
        if not isinstance(layer, nn.Linear):
            raise ValueError(f"{name} is a {type(layer).__name__}, not nn.Linear")
    config = LoraConfig(
        r=rank,
        lora_alpha=alpha,
        lora_dropout=dropout,
        target_modules=list(names),
        bias="none",
        init_lora_weights=False,
    )
    with torch.random.fork_rng(devices=[]):  # building peft's layers draws numbers that are then overwritten
        return LoraModel(model, config, ADAPTER)


def _layers(lora: Any, names: Sequence[str]) -> list[Any]:
    return [lora.model.get_submodule(name) for name in names]


def add_lora(model: nn.Module, names: Sequence[str], rank: int, alpha: float, dropout: float = 0.0) -> Any:
    """Trainable LoRA layers on the named ``nn.Linear`` modules of ``model`` (in place); returns peft's
    ``LoraModel``. As in the original LoRA (and peft's default): A is drawn Kaiming-uniform, B starts at zero, so
    training starts from the base model exactly. A is drawn layer by layer in ``names`` order from torch's
    generator, so that a training seed gives the adapter it gave before newsdesk used peft."""
    lora = _lora_model(model, names, rank, alpha, dropout)
    with torch.no_grad():
        for layer in _layers(lora, names):
            nn.init.kaiming_uniform_(layer.lora_A[ADAPTER].weight, a=math.sqrt(5))
            nn.init.zeros_(layer.lora_B[ADAPTER].weight)
    for p in model.parameters():
        p.requires_grad_(False)
    for p in lora_parameters(lora, names):
        p.requires_grad_(True)
    return lora


def lora_parameters(lora: Any, names: Sequence[str]) -> list[nn.Parameter]:
    """The adapter's trainable factors, A then B of each layer, in ``names`` order."""
    return [w for layer in _layers(lora, names) for w in (layer.lora_A[ADAPTER].weight, layer.lora_B[ADAPTER].weight)]


@torch.no_grad()
def merge_lora(lora: Any, names: Sequence[str]) -> dict[str, torch.Tensor]:
    """Fold the adapter into the base weights and put the plain ``nn.Linear`` layers back (peft's
    ``merge_and_unload``: no cost at inference). Returns the factors to save, in newsdesk's key naming (the scale
    folded into B)."""
    state: dict[str, torch.Tensor] = {}
    for name, layer in zip(names, _layers(lora, names), strict=True):
        scale = layer.scaling[ADAPTER]
        state[f"{name}.lora_A"] = layer.lora_A[ADAPTER].weight.detach().float().contiguous()
        state[f"{name}.lora_B"] = (layer.lora_B[ADAPTER].weight.detach().float() * scale).contiguous()
    lora.merge_and_unload()
    return state


@torch.no_grad()
def apply_lora_state(model: nn.Module, state: dict[str, torch.Tensor]) -> int:
    """Merge saved factors (from :func:`merge_lora`) into ``model``'s weights; returns how many layers changed.
    Raises ``ValueError`` when they do not fit the model."""
    names = sorted({k.rsplit(".lora_", 1)[0] for k in state})
    ranks = set()
    for name in names:
        A, B = state.get(f"{name}.lora_A"), state.get(f"{name}.lora_B")
        if A is None or B is None or A.ndim != 2 or B.ndim != 2 or B.shape[1] != A.shape[0]:
            raise ValueError(f"adapter for {name} is incomplete or malformed")
        ranks.add(int(A.shape[0]))
    if len(ranks) > 1:
        raise ValueError(f"adapter layers have different ranks {sorted(ranks)}")
    for name in names:
        try:
            layer = model.get_submodule(name)
        except AttributeError:
            raise ValueError(f"the encoder has no layer {name}") from None
        A, B = state[f"{name}.lora_A"], state[f"{name}.lora_B"]
        if not isinstance(layer, nn.Linear) or (B.shape[0], A.shape[1]) != tuple(layer.weight.shape):
            raise ValueError(f"adapter for {name} does not fit the encoder")
    for name in names:
        # peft's merge (LoRA Linear.merge with the scale of 1 that the saved factors imply): W += B @ A.
        weight = model.get_submodule(name).weight
        weight += state[f"{name}.lora_B"].to(weight.dtype) @ state[f"{name}.lora_A"].to(weight.dtype)
    return len(names)
