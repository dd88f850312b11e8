"""``newsdesk classify | summarize | analyze``: batch inference over files of articles."""

from __future__ import annotations

import argparse
import functools
import sys

from newsdesk.batch import run_batches
from newsdesk.cli.common import (
    HelpFormatter,
    add_engine_args,
    add_input_args,
    add_output_args,
    add_runtime_args,
    open_records,
    positive_int,
    show_progress,
)
from newsdesk.distributed.loaders import DEFAULT_BATCH_SIZE
from newsdesk.distributed.steps import StepSpec
from newsdesk.errors import NewsdeskError
from newsdesk.sinks import ErrorLog, RecordSink, default_errors_path

CLASSIFY_EXAMPLES = """\
examples:
  newsdesk classify seeds/ -o topics.jsonl
  newsdesk classify articles.csv --text-field body -o topics.csv --model my-model/
  newsdesk classify big.jsonl -o topics.jsonl --resume      continue an interrupted run
  newsdesk classify seeds/ -o topics.parquet --engine ray    on a pool of Ray workers (pip install 'newsdesk[ray]')
  newsdesk classify s3://bucket/articles/ -o topics.jsonl --engine ray --ray-address auto --workers 16
  newsdesk classify seeds/ --evidence                       also the passage behind each label

output: one JSON line per article: {"id", "labels": [...], "scores": {label: probability}}
  with --evidence also "evidence": {label: passage} (CSV: one evidence_<label> column per label)
"""
SUMMARIZE_EXAMPLES = """\
examples:
  newsdesk summarize seeds/ -o summaries.jsonl
  newsdesk summarize story.txt --max-words 60
  newsdesk summarize articles.jsonl --model lead -o lead3.jsonl    fast extractive baseline
  newsdesk summarize articles.jsonl --model facebook/bart-large-cnn -o bart.jsonl   (online)

output: one JSON line per article: {"id", "summary", ...what the summariser reports}
"""
ANALYZE_EXAMPLES = """\
examples:
  newsdesk analyze seeds/ -o seeds.analysis.jsonl
  newsdesk analyze - < articles.jsonl > analysis.jsonl

output: one JSON line per article: {"id", "labels", "scores", "summary", ...}
"""


def add_parsers(sub: argparse._SubParsersAction) -> None:
    for name, helptext, examples, batch in (
        ("classify", "multi-label topics for each article", CLASSIFY_EXAMPLES, 32),
        ("summarize", "a summary of each article", SUMMARIZE_EXAMPLES, DEFAULT_BATCH_SIZE),
        ("analyze", "topics and summary of each article in one pass", ANALYZE_EXAMPLES, DEFAULT_BATCH_SIZE),
    ):
        p = sub.add_parser(name, help=helptext, description=helptext, epilog=examples, formatter_class=HelpFormatter)
        add_input_args(p)
        add_output_args(p)
        g = p.add_argument_group("model")
        if name == "classify":
            g.add_argument("--model", default="default", help="default, tfidf, a model dir, or a hub id")
        elif name == "summarize":
            g.add_argument(
                "--model",
                default="default",
                help="default (compressive: the article's own words), smollm2 (abstractive rewrites + guard), lead, "
                "extractive, a model dir, a hub id or a .gguf file",
            )
        else:
            g.add_argument("--topic-model", default="default", help="classifier: as classify --model")
            g.add_argument("--summary-model", default="default", help="summariser: as summarize --model")
        if name != "summarize":
            g.add_argument(
                "--evidence",
                action="store_true",
                help='add "evidence": {label: the passage of the article that scored highest for it} for each '
                "label it carries (about as much time again; --engine local only)",
            )
        if name != "classify":
            g.add_argument("--max-words", type=positive_int, default=None, help="summary length cap in words")
            g.add_argument(
                "--batch-invariant",
                action=argparse.BooleanOptionalAction,
                default=True,
                help="generate each article on its own, so its summary never depends on the rest of the job "
                "(--batch-size, job size, --resume); --no-batch-invariant decodes a batch together: faster "
                "(2.7x in bench/RESULTS.md), but a summary can change with its neighbours",
            )
        add_runtime_args(p, batch, threads_note="with --engine ray: threads (and CPUs reserved) per worker, default 1")
        add_engine_args(p)
        p.set_defaults(func=functools.partial(_run, name))


def _spec(command: str, args: argparse.Namespace) -> StepSpec:
    """The step and its models as the options name them: what both engines build and run."""
    return StepSpec(
        command,
        classifier=args.model if command == "classify" else getattr(args, "topic_model", "default"),
        summarizer=args.model if command == "summarize" else getattr(args, "summary_model", "default"),
        max_words=getattr(args, "max_words", None),
        device=args.device,
        dtype=args.dtype,
        batch_invariant=getattr(args, "batch_invariant", True),
        evidence=getattr(args, "evidence", False),
    )


def _run(command: str, args: argparse.Namespace) -> int:
    direct: list[str] = []
    if args.engine == "local" and (args.ray_address or args.workers):
        raise NewsdeskError("--ray-address and --workers go with --engine ray")
    if args.engine == "ray":
        from newsdesk.distributed.inputs import split_inputs
        from newsdesk.distributed.ray_runtime import require_ray

        require_ray()  # a missing Ray is a usage error before anything is read or written
        args.inputs, direct = split_inputs(args.inputs)
        if direct and args.dataset:
            raise NewsdeskError("give either INPUT files or --dataset, not both")
    records, total = open_records(args) if args.inputs or args.dataset or not direct else (iter(()), 0)
    if direct:
        total = None
    errors_path = args.errors or default_errors_path(args.output)
    # Open the output first: a file that would be overwritten is refused before any model loads.
    with RecordSink(args.output, resume=args.resume, overwrite=args.overwrite) as sink:
        step = _spec(command, args).build() if args.engine == "local" else None
        errors = ErrorLog(errors_path)
        try:
            if step is not None:
                stats = run_batches(
                    records, step, sink, errors, batch_size=args.batch_size, progress=show_progress(args), total=total
                )
            else:
                stats = _run_ray(command, args, records, sink, errors, direct, total)
        finally:
            errors.close()
    where = "" if sink.path is None else f" to {sink.path}"
    parts = [f"{stats.written} written{where}"]
    if stats.skipped_done:
        parts.append(f"{stats.skipped_done} already done")
    if stats.failed:
        parts.append(f"{stats.failed} failed (see {errors_path or 'the messages above'})")
    if not args.quiet:
        print(f"newsdesk {command}: " + ", ".join(parts) + f" in {stats.seconds:.1f}s", file=sys.stderr)
    return 1 if stats.failed else 0


def _run_ray(command, args, records, sink, errors, direct, total):
    from newsdesk.articles import FieldMap
    from newsdesk.distributed import run_job

    return run_job(
        _spec(command, args),
        records,
        sink,
        errors,
        direct_inputs=direct,
        direct_format=args.format,
        fields=FieldMap(text=args.text_field, id=args.id_field, title=args.title_field),
        address=args.ray_address,
        workers=args.workers,
        threads=args.threads or 1,
        batch_size=args.batch_size,
        progress=show_progress(args),
        total=total,
    )
