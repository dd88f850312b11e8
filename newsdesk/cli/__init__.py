"""The ``newsdesk`` command line: argument parsing and wiring only; the work is done by the library."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from newsdesk._version import __version__
from newsdesk.cli import evaluate, run, train
from newsdesk.cli.common import HelpFormatter
from newsdesk.errors import NewsdeskError

EXAMPLES = """\
examples:
  newsdesk analyze seeds/ -o seeds.analysis.jsonl          topics + summary for every sample article
  newsdesk classify articles.jsonl -o topics.csv           one CSV row per article
  cat story.txt | newsdesk summarize - --format txt        summary of one article from stdin
  newsdesk train --data labelled.jsonl --out my-model      fine-tune the classifier on your labels
  newsdesk evaluate topics --data seeds/ --report report/  per-label precision/recall/F1, as HTML
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsdesk",
        description="Read news articles: multi-label topics (defence, foreign_policy, law, or your own labels) "
        "and faithful abstractive summaries.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"newsdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    run.add_parsers(sub)
    train.add_parser(sub)
    evaluate.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``newsdesk`` console script; returns the exit code (0 ok, 1 some records failed,
    2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Library loading bars ("Loading weights") would interleave with newsdesk's own progress on stderr.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    if getattr(args, "threads", None) and getattr(args, "engine", "local") == "local":  # Ray actors set their own
        import torch

        torch.set_num_threads(args.threads)
    try:
        return int(args.func(args) or 0)
    except NewsdeskError as exc:
        print(f"newsdesk: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsdesk: interrupted; what was written so far is kept (use --resume to go on)", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
