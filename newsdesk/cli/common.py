"""Options shared by the subcommands, and the glue that runs a batch step over the inputs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from newsdesk.articles import FORMATS, Article, BadRecord, count_records, read_articles, read_dataset
from newsdesk.errors import NewsdeskError
from newsdesk.runtime import DEVICES, DTYPES


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Keeps the examples' layout and shows defaults, except empty ones ("default: None")."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def add_input_args(p: argparse.ArgumentParser, *, required: bool = True) -> None:
    g = p.add_argument_group("input")
    g.add_argument(
        "inputs",
        nargs="*",
        metavar="INPUT",
        help="JSONL, CSV/TSV, .txt/.md files, folders of them, or - for stdin; with --engine ray also Parquet files "
        "and URIs (s3://...)",
    )
    g.add_argument(
        "--dataset",
        metavar="NAME_OR_PATH",
        help="read a `datasets` dataset instead: hub name (online) or local file/folder",
    )
    g.add_argument("--split", default="train", help="split of --dataset")
    g.add_argument("--dataset-config", metavar="NAME", help="configuration of --dataset (e.g. 3.0.0 for cnn_dailymail)")
    g.add_argument(
        "--format",
        choices=FORMATS,
        help="input format when it cannot be told from the file name (stdin defaults to jsonl)",
    )
    g.add_argument("--text-field", default="text", help="field/column holding the article text")
    g.add_argument("--id-field", default="id", help="field/column holding the id (made up when absent)")
    g.add_argument("--title-field", default="title", help="field/column holding the title (optional)")
    p.set_defaults(_inputs_required=required)


def add_output_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("output")
    g.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        default="-",
        help="OUT.jsonl, OUT.csv for CSV, OUT.parquet for Parquet; - is JSONL on stdout",
    )
    g.add_argument("--resume", action="store_true", help="skip ids already in OUT and append the rest")
    g.add_argument("--overwrite", action="store_true", help="replace OUT if it exists")
    g.add_argument(
        "--errors", metavar="FILE", help="where bad records go (default OUT.errors.jsonl; stderr when OUT is stdout)"
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.add_argument("--progress", action="store_true", help="show the progress bar even when stderr is not a terminal")


def add_runtime_args(p: argparse.ArgumentParser, batch_size: int, *, threads_note: str = "") -> None:
    g = p.add_argument_group("runtime")
    g.add_argument("--batch-size", type=positive_int, default=batch_size, help="articles per model call")
    g.add_argument("--device", choices=DEVICES, default="auto", help="where models run")
    g.add_argument(
        "--dtype",
        choices=DTYPES,
        default="auto",
        help="precision (auto: bf16 where natively supported, else fp32)",
    )
    g.add_argument(
        "--threads",
        type=positive_int,
        default=None,
        help="CPU threads for the models (default: one per core; on a machine busy with other work, 1 is "
        "steadier and often faster)" + (f"; {threads_note}" if threads_note else ""),
    )


ENGINES = ("local", "ray")


def add_engine_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("engine")
    g.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="local: this process; ray: a pool of Ray workers, each loading the model once (pip install "
        "'newsdesk[ray]'), which also reads Parquet files and s3://-style URIs directly",
    )
    g.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="with --engine ray: join the cluster at ADDR (auto, HOST:6379, ray://HOST:10001); default: start a "
        "local Ray instance on this machine",
    )
    g.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="with --engine ray: number of workers (actors) (default: the cluster's CPUs / --threads)",
    )


def positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def open_records(args: argparse.Namespace) -> tuple[Iterator[Article | BadRecord], int | None]:
    """The articles named by the input options, and their count when it is cheap to know."""
    if args.dataset:
        if args.inputs:
            raise NewsdeskError("give either INPUT files or --dataset, not both")
        return read_dataset(
            args.dataset,
            args.split,
            config=args.dataset_config,
            text_field=args.text_field,
            id_field=args.id_field,
            title_field=args.title_field,
        ), None
    if not args.inputs:
        if getattr(args, "_inputs_required", True):
            raise NewsdeskError("no input: name files or folders, - for stdin, or --dataset")
        return iter(()), 0
    for item in args.inputs:
        if str(item).lower().endswith(".parquet") or "://" in str(item):
            raise NewsdeskError(f"{item}: Parquet files and URIs are read by --engine ray (or --dataset FILE.parquet)")
    records = read_articles(
        args.inputs,
        text_field=args.text_field,
        id_field=args.id_field,
        title_field=args.title_field,
        format=args.format,
    )
    # Validate paths now (read_articles is lazy) so a typo is a usage error before any model loads.
    from newsdesk.articles import check_inputs

    check_inputs(args.inputs)
    return records, count_records(args.inputs, args.format)


def show_progress(args: argparse.Namespace) -> bool:
    if args.quiet:
        return False
    return args.progress or sys.stderr.isatty()
