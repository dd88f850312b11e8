"""``newsdesk classify | summarize | analyze``: batch inference over files of articles."""

from __future__ import annotations

import argparse
import functools
import sys

from newsdesk.batch import run_batches
from newsdesk.cli.common import (
    HelpFormatter,
    add_input_args,
    add_output_args,
    add_runtime_args,
    open_records,
    positive_int,
    show_progress,
)
from newsdesk.models.summarizer import DEFAULT_BATCH_SIZE
from newsdesk.pipelines import analyze_step, classify_step, summarize_step
from newsdesk.sinks import ErrorLog, RecordSink, default_errors_path

CLASSIFY_EXAMPLES = """\
examples:
  newsdesk classify seeds/ -o topics.jsonl
  newsdesk classify articles.csv --text-field body -o topics.csv --model my-model/
  newsdesk classify big.jsonl -o topics.jsonl --resume      continue an interrupted run

output: one JSON line per article: {"id", "labels": [...], "scores": {label: probability}}
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
        ("summarize", "an abstractive summary of each article", SUMMARIZE_EXAMPLES, DEFAULT_BATCH_SIZE),
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
                help="default (SmolLM2 + guard), lead, extractive, a model dir, a hub id or a .gguf file",
            )
        else:
            g.add_argument("--topic-model", default="default", help="classifier: as classify --model")
            g.add_argument("--summary-model", default="default", help="summariser: as summarize --model")
        if name != "classify":
            g.add_argument("--max-words", type=positive_int, default=None, help="summary length cap in words")
        add_runtime_args(p, batch)
        p.set_defaults(func=functools.partial(_run, name))


def _load_classifier(name: str, args: argparse.Namespace):
    from newsdesk.models.classifier import TopicClassifier

    return TopicClassifier.load(name, device=args.device, dtype=args.dtype)


def _load_summarizer(name: str, args: argparse.Namespace):
    from newsdesk.models.summarizer import Summarizer

    return Summarizer(model=name, device=args.device, dtype=args.dtype)


def _run(command: str, args: argparse.Namespace) -> int:
    records, total = open_records(args)
    errors_path = args.errors or default_errors_path(args.output)
    # Open the output first: a file that would be overwritten is refused before any model loads.
    with RecordSink(args.output, resume=args.resume, overwrite=args.overwrite) as sink:
        if command == "classify":
            step = functools.partial(classify_step, _load_classifier(args.model, args))
        elif command == "summarize":
            step = functools.partial(summarize_step, _load_summarizer(args.model, args), max_words=args.max_words)
        else:
            step = functools.partial(
                analyze_step,
                _load_classifier(args.topic_model, args),
                _load_summarizer(args.summary_model, args),
                max_words=args.max_words,
            )
        errors = ErrorLog(errors_path)
        try:
            stats = run_batches(
                records, step, sink, errors, batch_size=args.batch_size, progress=show_progress(args), total=total
            )
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
