"""GGUF files → a safetensors model folder, converted once and cached by the file's sha256.

transformers can read GGUF, but parsing the metadata and de-quantising every tensor takes 20–40 s on a small CPU
and needs ``accelerate``. Converting once to a plain safetensors folder under :func:`newsdesk.assets.cache_dir`
makes later loads take a second or two. The cache entry is written to a temporary folder and renamed into place,
so an interrupted conversion never leaves a half-written model behind.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from newsdesk.assets import cache_dir, file_sha256
from newsdesk.errors import ModelLoadError

CACHE_VERSION = 1
_MARKER = "newsdesk-gguf.json"
log = logging.getLogger(__name__)


def cache_path(sha256: str) -> Path:
    """Where the converted model of the GGUF file with this sha256 lives."""
    return cache_dir() / "gguf" / f"{sha256[:32]}-v{CACHE_VERSION}"


def is_converted(folder: Path) -> bool:
    return (folder / _MARKER).is_file() and (folder / "model.safetensors").is_file()


def cached_model_dir(gguf_path: str | Path, sha256: str | None = None) -> Path:
    """The safetensors folder for ``gguf_path``, converting it first if this file was never converted.

    ``sha256`` may be passed when it is already known (a packaged file checked at install), saving the hash.
    """
    path = Path(gguf_path)
    if not path.is_file():
        raise ModelLoadError(f"{path}: no such GGUF file")
    digest = sha256 or file_sha256(path)
    target = cache_path(digest)
    if is_converted(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        convert_gguf(path, tmp)
        (tmp / _MARKER).write_text(json.dumps({"source": str(path), "sha256": digest, "version": CACHE_VERSION}))
        try:
            os.rename(tmp, target)
        except OSError:
            # Another process finished the same conversion first: use its copy.
            if not is_converted(target):
                shutil.rmtree(target, ignore_errors=True)
                os.rename(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


@contextlib.contextmanager
def _one_gguf_parse() -> Iterator[None]:
    """Config, tokenizer and tensors are each read by transformers with a fresh ``GGUFReader``; parsing the
    metadata (tens of thousands of token strings) is the slow part, so parse each file once while converting."""
    import gguf

    original = gguf.GGUFReader
    readers: dict[str, object] = {}

    def reader(path, *args, **kwargs):
        key = str(Path(path).resolve())
        if key not in readers:
            readers[key] = original(path, *args, **kwargs)
        return readers[key]

    gguf.GGUFReader = reader
    try:
        yield
    finally:
        gguf.GGUFReader = original


def convert_gguf(gguf_path: Path, out_dir: Path) -> None:
    """Write config, tokenizer and de-quantised bf16 weights of ``gguf_path`` into ``out_dir``."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from transformers.modeling_gguf_pytorch_utils import load_gguf_checkpoint

    log.info("converting %s to safetensors (once; later loads use the cache)", gguf_path)
    parent, name = str(gguf_path.parent), gguf_path.name
    try:
        with _one_gguf_parse():
            config = AutoConfig.from_pretrained(parent, gguf_file=name)
            tokenizer = AutoTokenizer.from_pretrained(parent, gguf_file=name)
            with torch.device("meta"):
                skeleton = AutoModelForCausalLM.from_config(config)
            tensors = load_gguf_checkpoint(
                str(gguf_path), return_tensors=True, model_to_load=skeleton, torch_dtype=torch.bfloat16
            )["tensors"]
    except (ValueError, KeyError, OSError, RuntimeError, IndexError, TypeError) as exc:
        raise ModelLoadError(
            f"{gguf_path}: cannot read this GGUF file ({str(exc).splitlines()[0][:200]}); it may be corrupt or of an "
            "architecture transformers cannot load"
        ) from None
    expected = set(skeleton.state_dict())
    missing = expected - set(tensors) - ({"lm_head.weight"} if config.tie_word_embeddings else set())
    if missing:
        raise ModelLoadError(f"{gguf_path}: the GGUF file lacks {len(missing)} weights (e.g. {sorted(missing)[0]})")
    save_file(
        {k: v.to(torch.bfloat16).contiguous() for k, v in tensors.items() if k in expected},
        str(out_dir / "model.safetensors"),
        metadata={"format": "pt"},
    )
    config.dtype = torch.bfloat16
    config.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
