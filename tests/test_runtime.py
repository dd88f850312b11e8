"""The ``auto`` device and dtype choice, checked on any machine by faking the CPU's flags."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from newsdesk import runtime
from newsdesk.errors import NewsdeskError

CPU = torch.device("cpu")


@pytest.mark.parametrize(
    ("flags", "native"),
    [
        ("fpu sse2 avx2 fma avx512f avx512_bf16 avx512_vnni", True),
        ("fpu sse2 avx2 amx_bf16 amx_tile", True),
        ("fpu sse2 avx2 fma avx512f avx512_vnni", False),
        ("fpu sse2 avx2 fma", False),
    ],
)
def test_native_bf16_read_from_the_cpu_flags(tmp_path: Path, flags: str, native: bool) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {flags}\n")
    assert runtime.cpu_native_bf16(str(info)) is native


def test_no_cpuinfo_means_no_native_bf16(tmp_path: Path) -> None:
    assert runtime.cpu_native_bf16(str(tmp_path / "missing")) is False


@pytest.mark.parametrize(("native", "expected"), [(True, torch.bfloat16), (False, torch.float32)])
def test_auto_dtype_on_cpu_follows_native_bf16(monkeypatch: pytest.MonkeyPatch, native: bool, expected) -> None:
    monkeypatch.setattr(runtime, "cpu_native_bf16", lambda: native)
    assert runtime.resolve_dtype("auto", CPU) == expected
    assert runtime.resolve_dtype(None, CPU) == expected


@pytest.mark.parametrize("native", [True, False])
def test_explicit_dtype_and_cpu_default_win_over_the_flags(monkeypatch: pytest.MonkeyPatch, native: bool) -> None:
    monkeypatch.setattr(runtime, "cpu_native_bf16", lambda: native)
    assert runtime.resolve_dtype("float32", CPU) == torch.float32
    assert runtime.resolve_dtype("bfloat16", CPU) == torch.bfloat16
    assert runtime.resolve_dtype("auto", CPU, cpu_default="float32") == torch.float32


def test_unknown_dtype_names_the_valid_ones() -> None:
    with pytest.raises(NewsdeskError, match="unknown dtype 'fp8'.*float32"):
        runtime.resolve_dtype("fp8", CPU)
