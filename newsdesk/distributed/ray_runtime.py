"""Importing Ray (an optional extra) and joining or starting a Ray instance."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

from newsdesk.errors import NewsdeskError

RAY_MISSING = "--engine ray needs Ray: pip install 'newsdesk[ray]'"


class RayMissingError(NewsdeskError):
    """Ray is not installed."""


def require_ray() -> ModuleType:
    """The ``ray`` module, with Ray Data loaded; a one-line :class:`RayMissingError` when it is not installed."""
    try:
        import ray
        import ray.data  # noqa: F401  (the extra is ray[data]: pandas, pyarrow, fsspec)
    except ImportError:
        raise RayMissingError(RAY_MISSING) from None
    return ray


@contextmanager
def connected(address: str | None = None) -> Iterator[ModuleType]:
    """Ray, initialised: the running instance if this process already has one, the cluster at ``address``
    (``auto``, ``HOST:PORT`` or ``ray://HOST:10001``) if given, else a new local instance on this machine's CPUs.
    An instance started here is shut down on exit."""
    ray = require_ray()
    if ray.is_initialized():
        yield ray
        return
    try:
        ray.init(
            address=address,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
            configure_logging=True,
        )
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise NewsdeskError(f"cannot join {where}: {first}") from None
    try:
        yield ray
    finally:
        ray.shutdown()


def quiet_ray_data() -> None:
    """Ray Data logs warnings and errors only (newsdesk reports a failed job itself)."""
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    logging.getLogger("ray.data._internal.progress").setLevel(logging.ERROR)  # "Progress bars disabled. ..."
