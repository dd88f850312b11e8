"""``newsdesk evaluate topics | summaries``: score models (or prediction files) against gold data, side by side."""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path
from typing import Any

from newsdesk.articles import FORMATS, check_inputs, read_articles, read_dataset
from newsdesk.cli.common import HelpFormatter, add_runtime_args, positive_int
from newsdesk.errors import NewsdeskError
from newsdesk.models.summaries.summarizer import DEFAULT_BATCH_SIZE

TOPICS_EXAMPLES = """\
examples:
  newsdesk evaluate topics --model tfidf --report report/             the sample articles in seeds/
  newsdesk evaluate topics --data labelled.jsonl --model default --model tfidf --model my-model/
  newsdesk evaluate topics --data dev.csv --labels-field topics --json scores.json
  newsdesk evaluate topics --data dev.jsonl --predictions topics.jsonl   score a `newsdesk classify` output
  newsdesk evaluate topics --dataset ORG/NAME --split test --labels-field labels --limit 500   (online)

gold labels: a JSON list of label names per record (in CSV: names separated by ';'); records without
the field are skipped and counted. Predictions are matched to the gold by id.
"""
SUMMARIES_EXAMPLES = """\
examples:
  newsdesk evaluate summaries --model lead --report report/           the sample articles in seeds/
  newsdesk evaluate summaries --data dev.jsonl --model default --model extractive --report report/
  newsdesk evaluate summaries --data dev.jsonl --predictions summaries.jsonl --baseline none
  newsdesk evaluate summaries --dataset EdinburghNLP/xsum --split test --text-field document \\
      --limit 200 --model default --model extractive                      (online)

ROUGE is rouge-score's (stemmed F1; ROUGE-Lsum over one sentence per line, what papers call ROUGE-L).
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score topic models or summarisers on labelled articles, with an HTML report",
        description="Score topic classifiers or summarisers on articles with gold labels / reference summaries; "
        "several models side by side, with bootstrap confidence intervals.",
        epilog="examples:\n  newsdesk evaluate topics --model tfidf --report report/\n"
        "  newsdesk evaluate summaries --model lead --report report/\n",
        formatter_class=HelpFormatter,
    )
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    t = what.add_parser(
        "topics",
        help="per-label precision/recall/F1, averages, thresholds, worst errors",
        description="Multi-label topic scores: per-label precision/recall/F1, micro/macro averages, exact match, "
        "Hamming score, gold-vs-predicted co-occurrence, F1-vs-threshold curves, worst mistakes.",
        epilog=TOPICS_EXAMPLES,
        formatter_class=HelpFormatter,
    )
    s = what.add_parser(
        "summaries",
        help="ROUGE, length, novelty, unsupported facts, speed",
        description="Summary scores: ROUGE-1/2/Lsum with bootstrap intervals, length and compression, novel "
        "bigrams, unsupported names/numbers, seconds per article.",
        epilog=SUMMARIES_EXAMPLES,
        formatter_class=HelpFormatter,
    )
    for q, kind in ((t, "topics"), (s, "summaries")):
        _add_data_args(q)
        g = q.add_argument_group("what to score")
        if kind == "topics":
            g.add_argument("--labels-field", default="labels", help="field/column with the gold label list")
            g.add_argument("--labels", metavar="L1,L2", help="score only these labels (default: every label seen)")
            g.add_argument(
                "--model",
                action="append",
                metavar="M",
                help="classifier: default, tfidf, a model dir (repeat to compare; default: default)",
            )
        else:
            g.add_argument("--summary-field", default="summary", help="field/column with the reference summary")
            g.add_argument(
                "--model",
                action="append",
                metavar="M",
                help="summariser: default, lead, extractive, compressive, a model dir, a hub id or a .gguf "
                "(repeat to compare; default: default)",
            )
            g.add_argument(
                "--baseline",
                action="append",
                metavar="B",
                help="computed baselines: lead3 (first 3 sentences), lead1, …, or none (default: lead3)",
            )
            g.add_argument("--max-words", type=positive_int, default=None, help="summary length cap passed to models")
        g.add_argument(
            "--predictions",
            action="append",
            metavar="FILE",
            help=f"score a `newsdesk {'classify' if kind == 'topics' else 'summarize'}` output (JSONL/CSV) instead "
            "of running a model; matched by id (repeatable)",
        )
        o = q.add_argument_group("output")
        o.add_argument("--report", metavar="DIR", help="write report.html (plots embedded), report.md and results.json")
        o.add_argument("--json", metavar="FILE", help="write the full results as JSON (- for stdout)")
        o.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples (0: none)")
        o.add_argument("--seed", type=int, default=0, help="bootstrap seed")
        if kind == "topics":
            o.add_argument("--show-errors", type=int, default=10, metavar="K", help="worst mistakes listed per model")
        o.add_argument("--quiet", action="store_true", help="no progress messages")
        add_runtime_args(q, 32 if kind == "topics" else DEFAULT_BATCH_SIZE)
        q.set_defaults(func=_run_topics if kind == "topics" else _run_summaries)


def _add_data_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("gold data")
    g.add_argument(
        "--data",
        nargs="+",
        action="extend",
        metavar="PATH",
        help="JSONL, CSV/TSV files or folders of them (default: ./seeds, the sample articles)",
    )
    g.add_argument("--dataset", metavar="NAME_OR_PATH", help="a `datasets` dataset instead: hub name (online) or local")
    g.add_argument("--split", help="split of --dataset (default: test for a hub name, train for a local file)")
    g.add_argument("--dataset-config", metavar="NAME", help="configuration of --dataset (e.g. 3.0.0 for cnn_dailymail)")
    g.add_argument("--format", choices=FORMATS, help="input format when it cannot be told from the file name")
    g.add_argument("--text-field", default="text", help="field/column holding the article text")
    g.add_argument("--id-field", default="id", help="field/column holding the id")
    g.add_argument("--title-field", default="title", help="field/column holding the title (optional)")
    g.add_argument("--limit", type=positive_int, metavar="N", help="score only the first N records (quick runs)")


def default_data() -> Path:
    """``./seeds``, else the seeds folder of a source checkout; a clear error when neither exists."""
    here = Path("seeds")
    if here.is_dir():
        return here
    import newsdesk

    checkout = Path(newsdesk.__file__).resolve().parents[1] / "seeds"
    if checkout.is_dir() and any(checkout.iterdir()):
        return checkout
    raise NewsdeskError("no --data given and no seeds/ folder here; pass --data FILE (JSONL/CSV with gold fields)")


def _records(args: argparse.Namespace) -> tuple[Any, str]:
    """The gold records (a list, read once) and a name for the report."""
    fields = {"text_field": args.text_field, "id_field": args.id_field, "title_field": args.title_field}
    if args.dataset:
        if args.data:
            raise NewsdeskError("give either --data or --dataset, not both")
        split = args.split or ("train" if Path(args.dataset).exists() else "test")
        stream, name = (
            read_dataset(args.dataset, split, config=args.dataset_config, **fields),
            f"{args.dataset} [{split}]",
        )
    else:
        inputs = args.data or [default_data()]
        if not args.data and not args.quiet:
            print(f"newsdesk evaluate: no --data given; using {inputs[0]}", file=sys.stderr)
        check_inputs(inputs)
        stream, name = read_articles(inputs, format=args.format, **fields), ", ".join(map(str, inputs))
    if args.limit:
        return list(itertools.islice(stream, args.limit)), f"{name}, first {args.limit}"
    return list(stream), name


def _finish(result: Any, args: argparse.Namespace) -> int:
    if args.json == "-":
        print(result.to_json())
    else:
        print(result.table())
        if args.json:
            result.to_json(args.json)
            print(f"\nresults written to {args.json}")
    if args.report:
        path = result.write_report(args.report)
        print(f"report written to {path}", file=sys.stderr if args.json == "-" else sys.stdout)
    return 0


def _common(args: argparse.Namespace) -> dict[str, Any]:
    if args.bootstrap < 0:
        raise NewsdeskError(f"--bootstrap must be 0 or more, got {args.bootstrap}")
    return {
        "n_boot": args.bootstrap,
        "seed": args.seed,
        "batch_size": args.batch_size,
        "device": args.device,
        "dtype": args.dtype,
        "progress": not args.quiet,
    }


def _run_topics(args: argparse.Namespace) -> int:
    from newsdesk.evaluation import evaluate_topics

    records, name = _records(args)
    models = args.model or ([] if args.predictions else ["default"])
    labels = [x.strip() for x in args.labels.split(",") if x.strip()] if args.labels else None
    result = evaluate_topics(
        records,
        models,
        predictions=args.predictions,
        labels_field=args.labels_field,
        labels=labels,
        top_errors=args.show_errors,
        data_name=name,
        **_common(args),
    )
    return _finish(result, args)


def _run_summaries(args: argparse.Namespace) -> int:
    from newsdesk.evaluation import evaluate_summaries

    records, name = _records(args)
    models = args.model or ([] if args.predictions else ["default"])
    result = evaluate_summaries(
        records,
        models,
        predictions=args.predictions,
        baselines=args.baseline or ["lead3"],
        summary_field=args.summary_field,
        max_words=args.max_words,
        data_name=name,
        **_common(args),
    )
    return _finish(result, args)
