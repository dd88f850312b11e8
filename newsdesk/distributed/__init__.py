"""Run the batch steps on a Ray cluster: Ray Data ``map_batches`` over a pool of actors that each load the model
once.

- :func:`map_step` maps a step (``classify``, ``summarize``, ``analyze``) over a ``ray.data.Dataset`` with a text
  column and returns a ``ray.data.Dataset`` of the record columns, to compose with a Ray pipeline of your own.
- :func:`run_job` is what ``newsdesk classify|summarize|analyze --engine ray`` runs: the same inputs and outputs
  as the local engine, written by the driver so that ``--resume`` and "every record exactly once" hold.

Ray is optional (``pip install 'newsdesk[ray]'``) and imported only when one of these runs.
"""

from __future__ import annotations

from newsdesk.distributed.api import map_step
from newsdesk.distributed.engine import run_job
from newsdesk.distributed.ray_runtime import RAY_MISSING, RayMissingError
from newsdesk.distributed.steps import ModelSpec, StepSpec

__all__ = ["RAY_MISSING", "ModelSpec", "RayMissingError", "StepSpec", "map_step", "run_job"]
