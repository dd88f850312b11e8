"""Summary quality, faithfulness and speed, each next to its baselines measured in the same run.

    OMP_WAIT_POLICY=PASSIVE python bench/bench_summaries.py --data cnndm --limit 40
    OMP_WAIT_POLICY=PASSIVE python bench/bench_summaries.py --data cnndm --systems lead3,default,smollm2 --half report

``--half tune|report`` keeps the articles whose sha256(id) is even (tune: what rules and settings were chosen on) or
odd (report: looked at only to report), as every #16 figure does; the judged verdicts are in ``bench/judged/``.

Systems: ``lead3`` (first three sentences), ``extractive``, ``raw`` (SmolLM2-135M-Instruct asked for a 3-sentence
summary of the first 600 words, no guard: the plain use of the model), ``default`` (the shipped summariser: the
compressive one since #16), ``smollm2`` (SmolLM2 rewrites under the guard: the default before #16),
``smollm2-transformers`` (the same, run by transformers instead of newsdesk's native Llama runtime: the speed
baseline), ``coldstart`` (a new process: import, load with a warm cache, summarise one article; seconds until the
summary is ready and until the process has ended, and peak RSS, for both runtimes). Cold start alone:
``--limit 1 --systems lead3 --coldstart``.

Scorer: rouge-score with stemming, F1; rougeLsum over text split into sentences (newsdesk.text.split_sentences)
joined by newlines. "novel" = share of summary word bigrams absent from the article; "unsupported" = share of
summaries holding a name or number the article does not support (newsdesk.models.summaries.facts.unsupported_facts).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSDESK_SHARED") or REPO.parent / "shared")
RAW_PROMPT = "Summarize this news article in 3 sentences.\n\n{text}"
_TOKEN = re.compile(r"[a-z0-9]+")


def load_rows(name: str, limit: int) -> list[dict]:
    path = SHARED / "data" / "summaries" / f"{name}_dev.jsonl"
    if not path.is_file():
        sys.exit(f"reference data not found: {path} (set NEWSDESK_SHARED)")
    rows = [json.loads(line) for line in path.open()]
    return rows[:limit] if limit else rows


def novel_bigrams(summary: str, article: str) -> tuple[int, int]:
    toks = _TOKEN.findall(summary.lower())
    src = _TOKEN.findall(article.lower())
    src_bi = set(zip(src, src[1:], strict=False))
    bi = list(zip(toks, toks[1:], strict=False))
    return sum(1 for b in bi if b not in src_bi), len(bi)


def score(rows: list[dict], outputs: list[str]) -> dict[str, float]:
    from rouge_score import rouge_scorer

    from newsdesk.models.summaries.facts import unsupported_facts
    from newsdesk.text import count_words, split_sentences

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    totals = {"R1": 0.0, "R2": 0.0, "RLsum": 0.0}
    novel = bigrams = unsupported = words = 0
    for row, out in zip(rows, outputs, strict=True):
        ref = "\n".join(split_sentences(row["summary"]))
        hyp = "\n".join(split_sentences(out))
        s = scorer.score(ref, hyp)
        totals["R1"] += s["rouge1"].fmeasure
        totals["R2"] += s["rouge2"].fmeasure
        totals["RLsum"] += s["rougeLsum"].fmeasure
        n, b = novel_bigrams(out, row["text"])
        novel, bigrams = novel + n, bigrams + b
        unsupported += bool(unsupported_facts(out, row["text"]))
        words += count_words(out)
    n = len(rows)
    res = {k: round(100 * v / n, 1) for k, v in totals.items()}
    res["novel%"] = round(100 * novel / max(1, bigrams), 1)
    res["unsupported%"] = round(100 * unsupported / n, 1)
    res["words"] = round(words / n, 1)
    return res


def run_system(name: str, rows: list[dict], batch_size: int) -> tuple[list[str], float, dict]:
    from newsdesk.models.summaries.summarizer import Summarizer
    from newsdesk.text import truncate_words

    texts = [r["text"] for r in rows]
    extra: dict = {}
    if name == "lead3":
        summ = Summarizer("lead")
    elif name == "extractive":
        summ = Summarizer("extractive")
    elif name == "raw":
        summ = Summarizer("smollm2", strategy="abstract", guard=False, prompt=RAW_PROMPT, max_new_tokens=96)
        texts = [truncate_words(t, 600) for t in texts]
    elif name == "default":
        summ = Summarizer()
    elif name == "smollm2-transformers":
        summ = Summarizer("smollm2", runtime="transformers")
    else:
        summ = Summarizer(name)
    t0 = time.perf_counter()
    results = summ.summarize(texts, batch_size=batch_size, return_details=True)
    seconds = (time.perf_counter() - t0) / len(rows)
    guards = [r.guard for r in results if r.guard]
    if guards:
        keys = ("copied", "kept", "repaired", "regenerated", "replaced", "dropped")
        extra = {k: sum(g.get(k, 0) for g in guards) for k in keys}
    return [r.summary for r in results], seconds, extra


# Peak RSS from VmHWM, which starts afresh at exec: ru_maxrss would carry over the (larger) benchmark parent's.
# The child says when its summary is ready: the interpreter's exit after it (unloading torch) takes about 0.8 s
# more here, which a user waiting for the summary does not wait for.
COLD = """
import sys, time
from newsdesk import Summarizer
s = Summarizer("smollm2", runtime=sys.argv[1])
out = s.summarize(sys.stdin.read())
print(time.time())
print(next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) // 1024)
"""


def cold_start(article: str, runtime: str = "auto") -> tuple[float, float, int]:
    """A fresh process: start Python, import, load SmolLM2 (cache warm), summarise one article →
    (seconds from the parent starting it to the summary being ready, seconds until the process ended, peak MiB)."""
    cmd = [sys.executable, "-c", COLD, runtime]
    subprocess.run(cmd, input=article, text=True, capture_output=True, check=True)  # warm the file cache
    start, t0 = time.time(), time.perf_counter()
    proc = subprocess.run(cmd, input=article, text=True, capture_output=True, check=True)
    total = time.perf_counter() - t0
    ready, rss = proc.stdout.split()[-2:]
    return float(ready) - start, total, int(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default="cnndm", choices=["cnndm", "xsum"])
    ap.add_argument("--limit", type=int, default=0, help="first N rows (0: all)")
    ap.add_argument("--systems", default="lead3,default,smollm2")
    ap.add_argument("--half", default="all", choices=["all", "tune", "report"], help="sha256(id) even / odd rows")
    ap.add_argument("--batch-size", type=int, default=None, help="articles per call (default: the summariser's)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--coldstart", action="store_true", help="also time a new process to its first summary")
    ap.add_argument("--show", type=int, default=0, help="print the first N summaries of each system")
    ap.add_argument("--save", help="write every summary to this JSONL file")
    ap.add_argument("--write", action="store_true", help="append the table to bench/RESULTS.md")
    args = ap.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.batch_size is None:
        from newsdesk.models.summaries.summarizer import DEFAULT_BATCH_SIZE

        args.batch_size = DEFAULT_BATCH_SIZE
    rows = load_rows(args.data, args.limit)
    if args.half != "all":
        from bench_truth_check import half

        rows = [r for r in rows if half(r["id"]) == args.half]
    load = os.getloadavg()[0]
    lines = [
        f"{args.data}_dev ({args.half}), {len(rows)} articles, batch {args.batch_size}, "
        f"load average at start {load:.1f} on {os.cpu_count()} CPUs",
        "| system | R1 | R2 | RLsum | novel bigrams % | unsupported % | words | s/article | guard |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    saved = []
    for name in args.systems.split(","):
        outputs, seconds, extra = run_system(name, rows, args.batch_size)
        res = score(rows, outputs)
        guard = ", ".join(f"{k} {v}" for k, v in extra.items()) if extra else ""
        line = (
            f"| {name} | {res['R1']} | {res['R2']} | {res['RLsum']} | {res['novel%']} | {res['unsupported%']} | "
            f"{res['words']} | {seconds:.2f} | {guard} |"
        )
        print(line, flush=True)
        lines.append(line)
        for row, out in list(zip(rows, outputs, strict=True))[: args.show]:
            print(f"  [{row['id']}] {out}")
        saved += [{"system": name, "id": r["id"], "summary": o} for r, o in zip(rows, outputs, strict=True)]
    if args.coldstart:
        seconds, total, rss = cold_start(rows[0]["text"])
        base, base_total, base_rss = cold_start(rows[0]["text"], "transformers")
        lines.append(
            f"\ncold start (new process → first summary of row 1 ready, cache warm): {seconds:.1f} s (process ended at "
            f"{total:.1f} s), peak RSS {rss} MiB; baseline: the same through transformers (`runtime='transformers'`) "
            f"{base:.1f} s (ended at {base_total:.1f} s), peak RSS {base_rss} MiB (ratio {seconds / base:.2f})"
        )
        print(lines[-1])
    print("\n".join(lines[:3]))
    if args.save:
        Path(args.save).write_text("".join(json.dumps(s) + "\n" for s in saved))
    if args.write:
        write_results(lines, args)


def write_results(lines: list[str], args: argparse.Namespace) -> None:
    """Append under the summariser's own section of bench/RESULTS.md (other sections are left alone)."""
    path = REPO / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    header = "## Summaries (bench/bench_summaries.py)"
    cmd = "OMP_WAIT_POLICY=PASSIVE python bench/bench_summaries.py " + " ".join(sys.argv[1:])
    block = f"\n`{cmd}` ({time.strftime('%Y-%m-%d')})\n\n" + "\n".join(lines) + "\n"
    if header not in text:
        text = text.rstrip() + f"\n\n{header}\n"
        text += block
    else:
        start = text.index(header) + len(header)
        nxt = text.find("\n## ", start)
        end = len(text) if nxt == -1 else nxt
        text = text[:end].rstrip() + "\n" + block + text[end:]
    path.write_text(text)


if __name__ == "__main__":
    main()
