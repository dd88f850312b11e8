"""Does an article's summary depend on the rest of its batch, and what does independence cost?

    OMP_WAIT_POLICY=PASSIVE python bench/bench_batch_invariance.py --limit 32 --dtype auto

In one process, with one loaded default summariser, on the first ``--limit`` CNN/DM dev articles:

* each mode (``batch_invariant`` on: each article generated on its own; off: a batch's articles decoded
  together) summarises all of them in one call of ``--limit`` articles, timed, twice (the modes interleaved, so
  a machine that slows down mid-run slows both);
* the first 8 articles are summarised again, alone and as a batch of 8, and compared with the long run.

Prints s/article for each mode, the ratio, and how many of the 8 summaries differ from the long run's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from bench_summaries import load_rows  # noqa: E402


def cpu_kind() -> str:
    flags = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    native = [f for f in ("avx512_bf16", "amx_bf16") if f in flags]
    return "native bf16 (" + ", ".join(native) + ")" if native else "no native bf16 (AVX2-class)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=32)
    ap.add_argument("--dtype", default="auto")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    from newsdesk import Summarizer

    texts = [r["text"] for r in load_rows("cnndm", args.limit)]
    s = Summarizer(dtype=args.dtype)
    print(f"CPU: {cpu_kind()}; dtype {args.dtype} -> {s._engine.lm.model.dtype}")
    s.summarize(texts[:2], batch_size=2)  # warm-up

    long_run: dict[bool, list[str]] = {}
    seconds: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(args.repeats):
        for invariant in (True, False):
            s.batch_invariant = invariant
            t0 = time.perf_counter()
            out = s.summarize(texts, batch_size=len(texts))
            seconds[invariant].append((time.perf_counter() - t0) / len(texts))
            if invariant in long_run and long_run[invariant] != out:
                print(f"  note: batch_invariant={invariant}: an identical rerun differs")
            long_run[invariant] = out

    print(f"\n{len(texts)} articles in one call, s/article (runs: {args.repeats}):")
    for invariant in (True, False):
        runs = ", ".join(f"{x:.2f}" for x in seconds[invariant])
        print(f"  batch_invariant={invariant!s:5}  {min(seconds[invariant]):.2f}  ({runs})")
    ratio = min(seconds[True]) / min(seconds[False])
    print(f"  invariant / batched: {ratio:.2f}x the time per article")

    head = texts[:8]
    print("\nThe first 8 articles again; summaries that differ from the long run's:")
    for invariant in (True, False):
        s.batch_invariant = invariant
        alone = [s.summarize(t) for t in head]
        batch8 = s.summarize(head, batch_size=8)
        ref = long_run[invariant][:8]
        d_alone = sum(a != b for a, b in zip(alone, ref, strict=True))
        d_8 = sum(a != b for a, b in zip(batch8, ref, strict=True))
        print(f"  batch_invariant={invariant!s:5}  alone: {d_alone}/8   in a batch of 8: {d_8}/8")


if __name__ == "__main__":
    main()
