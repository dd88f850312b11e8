"""Device and dtype choice, shared by every torch-backed model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsdesk.errors import NewsdeskError

if TYPE_CHECKING:
    import torch

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


def resolve_dtype(dtype: str | None, device: torch.device, *, cpu_default: str = "bfloat16") -> torch.dtype:
    """``auto`` → ``cpu_default`` on CPU (bf16 is 2–3× faster than fp32 on recent CPUs), bf16 on CUDA with
    bf16 support, else fp16 on GPUs."""
    import torch

    dtype = dtype or "auto"
    if dtype not in DTYPES:
        raise NewsdeskError(f"unknown dtype {dtype!r}; use one of {', '.join(DTYPES)}")
    if dtype == "auto":
        if device.type == "cpu":
            dtype = cpu_default
        elif device.type == "cuda":
            dtype = "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
        else:
            dtype = "float16"
    return getattr(torch, dtype)
