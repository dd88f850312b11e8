"""How models run: device and dtype choice, shared by every torch-backed model, and batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from newsdesk.errors import NewsdeskError

if TYPE_CHECKING:
    import torch

T = TypeVar("T")
DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "bfloat16", "float16")


def resolve_device(device: str | None = "auto") -> torch.device:
    """``auto`` → CUDA if available, else MPS, else CPU; a device that is asked for but absent is an error."""
    import torch

    device = device or "auto"
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise NewsdeskError(f"--device {device}: no CUDA GPU is available here; use --device cpu or auto")
    try:
        return torch.device(device)
    except RuntimeError:
        raise NewsdeskError(f"unknown device {device!r}; use one of {', '.join(DEVICES)}") from None


def cpu_native_bf16(cpuinfo: str = "/proc/cpuinfo") -> bool:
    """Whether the CPU computes bf16 natively (AVX512-BF16 or AMX). Without those instructions bf16 matrix
    products are emulated and run several times slower than float32."""
    try:
        with open(cpuinfo) as f:
            flags = next((line for line in f if line.startswith("flags")), "")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_dtype(dtype: str | None, device: torch.device, *, cpu_default: str | None = None) -> torch.dtype:
    """``auto`` → on CPU ``cpu_default`` if given, else bf16 where the CPU runs it natively and fp32 elsewhere;
    bf16 on CUDA with bf16 support; else fp16 on GPUs."""
    import torch

    dtype = dtype or "auto"
    if dtype not in DTYPES:
        raise NewsdeskError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
    if dtype == "auto":
        if device.type == "cpu":
            dtype = cpu_default or ("bfloat16" if cpu_native_bf16() else "float32")
        elif device.type == "cuda":
            dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        else:
            dtype = "float16"
    return getattr(torch, dtype)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of ``size`` consecutive items (the last one may be shorter), taken from ``items`` as they are needed:
    the one batching loop of newsdesk (runs over articles, model calls, training steps)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, got {size}")
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch
