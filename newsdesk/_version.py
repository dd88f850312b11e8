"""newsdesk's version, read from the installed package's metadata: ``pyproject.toml`` is the one place it is
written, and no module needs the package facade (``newsdesk/__init__.py``) to know it."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsdesk")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
