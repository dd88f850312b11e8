"""The shipped topic model in float32 and in bfloat16: its thresholds were tuned in float32, so check that bf16
(``--dtype auto`` on CPUs with native bf16) scores the same on the dev sets.

    python bench/bench_topic_dtypes.py [--data-dir ../shared/data] [--model default]

Sets: NYT/CAP 2004 (``nyt_cap_dev.jsonl``, labels_extended: headline + description) and 200 whole CNN/DM and
XSum articles (``fulltext_dev.jsonl``). Prints macro-F1 per dtype, how many articles' labels differ between the
two, the largest score difference, and seconds per pass (bf16 is emulated, slowly, on CPUs without it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from bench_topics import LABELS, REPO, macro, rows

from newsdesk.models.topics.classifier import TopicClassifier
from newsdesk.training.report import label_scores

SETS = {"NYT/CAP 2004": ("nyt_cap_dev.jsonl", "labels_extended"), "fulltext_dev": ("fulltext_dev.jsonl", "labels")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--model", default="default")
    args = ap.parse_args(argv)
    topics = args.data_dir / "topics"
    if not topics.is_dir():
        print(f"reference data not found at {topics}: nothing to measure")
        return 0
    flags = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    native = [f for f in ("avx512_bf16", "amx_bf16") if f in flags]
    print(f"CPU: {'native bf16 (' + ', '.join(native) + ')' if native else 'no native bf16'}; model {args.model}")
    models = {dtype: TopicClassifier.load(args.model, device="cpu", dtype=dtype) for dtype in ("float32", "bfloat16")}
    for name, (file, field) in SETS.items():
        data = rows(topics / file)
        texts, truth = [r["text"] for r in data], [r[field] for r in data]
        proba, labels = {}, {}
        for dtype, clf in models.items():
            t0 = time.perf_counter()
            proba[dtype] = clf.predict_proba(texts)
            secs = time.perf_counter() - t0
            labels[dtype] = clf.labels_from_proba(proba[dtype])
            print(f"{name:13} {dtype:8} {macro(label_scores(truth, labels[dtype], LABELS))}  [{secs:.1f} s]")
        changed = sum(a != b for a, b in zip(labels["float32"], labels["bfloat16"], strict=True))
        gap = float(np.abs(proba["float32"] - proba["bfloat16"]).max())
        print(f"{name:13} labels differ on {changed} of {len(texts)} texts; largest score difference {gap:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
