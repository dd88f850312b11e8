"""``map_step``: a batch step over a ``ray.data.Dataset``, for use in a Ray pipeline of your own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsdesk.distributed.actor import OUTPUTS, Columns, StepActor
from newsdesk.distributed.loaders import DEFAULT_BATCH_SIZE
from newsdesk.distributed.ray_runtime import require_ray
from newsdesk.distributed.steps import ModelSpec, StepSpec
from newsdesk.errors import NewsdeskError

if TYPE_CHECKING:
    import ray.data


def default_workers(threads: int) -> int:
    """One actor per ``threads`` CPUs of the cluster Ray is connected to (at least one)."""
    ray = require_ray()
    cpus = float(ray.cluster_resources().get("CPU", 1))
    return max(1, int(cpus // threads))


def map_step(
    ds: ray.data.Dataset,
    step: str | StepSpec = "classify",
    *,
    classifier: ModelSpec = "default",
    summarizer: ModelSpec = "default",
    max_words: int | None = None,
    evidence: bool = False,
    text_column: str = "text",
    id_column: str = "id",
    title_column: str = "title",
    where_column: str | None = None,
    workers: int | None = None,
    threads: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    device: str = "auto",
    dtype: str = "auto",
    output: str = "columns",
    max_restarts: int | None = None,
    num_gpus: float = 0,
    runtime_env: dict[str, Any] | None = None,
) -> ray.data.Dataset:
    """Map ``step`` (``classify``, ``summarize``, ``analyze``, or a :class:`StepSpec`) over ``ds``.

    ``ds`` needs a text column and an id column (``title_column`` is used when present). The result has one row
    per input row, with the step's record fields as columns (``id``, ``labels``, ``scores``, ``summary``, and with
    ``evidence`` a struct of each label's passage, ...)
    and ``error``/``where``, null except for a row the step could not use (no text or id, or the model failed on
    it), whose ``error`` says why. ``output="json"`` gives each record as one JSON string (column ``record``)
    instead. Lazy, like any ``map_batches``.

    The work runs on ``workers`` actors, each reserving ``threads`` CPUs (and ``num_gpus``), using that many
    torch threads, and loading its models once; ``batch_size`` rows go to the model at a time. The default pool
    grows from one actor to the cluster's CPUs ÷ ``threads`` as work queues up, leaving CPUs to read a lazy
    ``ds``; a fixed ``workers`` that takes every CPU needs ``ds`` materialised first. A task runs a whole block,
    so blocks of about ``batch_size`` rows (``ds.repartition(target_num_rows_per_block=...)``) spread the work
    evenly. A worker process that dies is restarted and its batch run again (Ray Data's
    default: without limit; ``max_restarts=N`` caps both). Models are found by name on each worker, so install
    newsdesk and its model packages on every node (or pass them in ``runtime_env={"pip": [...]}``);
    ``classifier``/``summarizer`` may also be a function of no arguments that returns a model.
    """
    ray = require_ray()
    if isinstance(step, StepSpec):
        spec = step
    else:
        spec = StepSpec(step, classifier, summarizer, max_words, device, dtype, evidence=evidence)
    if output not in OUTPUTS:
        raise NewsdeskError(f"unknown output {output!r}; use one of {', '.join(OUTPUTS)}")
    for name, value in (("workers", workers), ("threads", threads), ("batch_size", batch_size)):
        if value is not None and value < 1:
            raise NewsdeskError(f"{name} must be at least 1, got {value}")
    if workers is None:
        pool = ray.data.ActorPoolStrategy(min_size=1, max_size=default_workers(threads))
    else:
        pool = ray.data.ActorPoolStrategy(size=workers)
    remote_args: dict[str, Any] = {}
    if max_restarts is not None:  # Ray Data restarts actors and retries their tasks without limit by default
        remote_args = {"max_restarts": max_restarts, "max_task_retries": max_restarts}
    return ds.map_batches(
        StepActor,
        fn_constructor_kwargs={
            "spec": spec,
            "threads": threads,
            "columns": Columns(text_column, id_column, title_column, where_column),
            "output": output,
        },
        batch_size=batch_size,
        batch_format="pyarrow",
        compute=pool,
        num_cpus=threads,
        num_gpus=num_gpus,
        runtime_env=runtime_env,
        **remote_args,
    )
