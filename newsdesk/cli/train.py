"""``newsdesk train``: fit a topic classifier on a labelled file and save it for ``newsdesk classify --model``."""

from __future__ import annotations

import argparse
import sys

from newsdesk.cli.common import HelpFormatter, positive_int
from newsdesk.runtime import DEVICES, DTYPES

EXAMPLES = """\
examples:
  newsdesk train --data labelled.jsonl --out my-model                       new model on your labels (MiniLM)
  newsdesk train --data labelled.csv --labels-field topics --base tfidf --out my-tfidf     fast tf-idf model
  newsdesk train --data economy.jsonl --base default --out my-default       add your labels to the default's 3
  newsdesk train --data train.jsonl --dev dev.jsonl --labels-field labels_extended --out m   score on a dev file
  newsdesk train --data train.jsonl --base prajjwal1/bert-tiny --out m --epochs 3     fine-tune a checkpoint
  newsdesk classify articles.jsonl --model my-model -o topics.jsonl          then use it

--base: embedding | tfidf   a fresh model of that kind on the labels in --data
        default | DIR       keep that newsdesk model's labels, add the new labels found in --data
        DIR | ORG/NAME      a transformers checkpoint folder or hub id: full fine-tuning

data: JSONL, CSV or TSV; the labels field holds a list of names (JSONL) or names split by ; or | (CSV),
an empty list/cell for an article with none of the labels. Give each label at least 8 examples, and
give texts without it too (they are its negatives).
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a topic classifier on labelled articles",
        description="Train a multi-label topic classifier on a labelled file and save it to a folder that "
        "`newsdesk classify --model DIR` and `TopicClassifier.load(DIR)` read. Per-label thresholds are tuned on "
        "held-out data and saved with the model.",
        epilog=EXAMPLES,
        formatter_class=HelpFormatter,
    )
    g = p.add_argument_group("data")
    g.add_argument("--data", required=True, metavar="FILE", help="labelled training file (JSONL, CSV, TSV)")
    g.add_argument("--labels-field", default="labels", help="field holding each record's label list")
    g.add_argument("--text-field", default="text", help="field holding the text")
    g.add_argument("--title-field", default="title", help="field holding the title (optional; read with the text)")
    g.add_argument("--labels", metavar="A,B", help="learn only these labels (comma-separated); default: all found")
    g.add_argument("--dev", metavar="FILE", help="labelled file to score the model on (same fields)")
    g.add_argument(
        "--tune-on-dev", action="store_true", help="tune thresholds on --dev (its scores are then optimistic)"
    )
    g = p.add_argument_group("model")
    g.add_argument("--out", required=True, metavar="DIR", help="folder to write the model to")
    g.add_argument("--base", default="embedding", help="what to start from (see below)")
    g.add_argument("--overwrite", action="store_true", help="write into --out even if it holds a model")
    g = p.add_argument_group("training")
    g.add_argument("--epochs", type=positive_int, default=None, help="passes over the data (default 3)")
    g.add_argument("--learning-rate", type=float, default=None, help="body/adapter learning rate")
    g.add_argument("--batch-size", type=positive_int, default=None, help="texts per training step (default 32)")
    g.add_argument("--max-length", type=positive_int, default=None, help="tokens per training text (default 64)")
    g.add_argument("--holdout", type=float, default=None, help="share of data held out to tune thresholds")
    g.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
    g.add_argument("--device", choices=DEVICES, default="auto", help="where to train")
    g.add_argument("--dtype", choices=DTYPES, default="auto", help="precision at prediction time")
    g.add_argument("--quiet", action="store_true", help="only errors")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from newsdesk.errors import NewsdeskError
    from newsdesk.models.topics.classifier import MODEL_FILE
    from newsdesk.models.topics.training_args import TrainingArgs
    from newsdesk.training.fit import train
    from newsdesk.training.report import format_scores

    out = Path(args.out)
    if (out / MODEL_FILE).exists() and not args.overwrite:
        raise NewsdeskError(f"{out} already holds a model; choose another --out or pass --overwrite")
    targs = TrainingArgs().replace(
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        max_length=args.max_length,
        holdout=args.holdout,
        seed=args.seed,
    )

    def say(msg: str) -> None:
        if not args.quiet:
            print(f"newsdesk train: {msg}", file=sys.stderr)

    result = train(
        args.data,
        out=out,
        base=args.base,
        labels_field=args.labels_field,
        text_field=args.text_field,
        title_field=args.title_field,
        labels=[x.strip() for x in args.labels.split(",") if x.strip()] if args.labels else None,
        dev=args.dev,
        tune_on_dev=args.tune_on_dev,
        args=targs,
        device=args.device,
        dtype=args.dtype,
        say=say,
    )
    for note in result.notes:
        say(f"note: {note}")
    if result.dev_scores is not None and not args.quiet:
        tuned = " (thresholds tuned on it: optimistic)" if args.tune_on_dev else ""
        print(f"scores on {args.dev}{tuned}:\n{format_scores(result.dev_scores)}", file=sys.stderr)
    return 0
