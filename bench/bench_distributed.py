"""The Ray engine against the local one: articles/s of `newsdesk classify` on the same 300 full-length articles.

    python bench/bench_distributed.py [--data ../shared/data/topics/allsides_dev.jsonl] [--n 300] [--model default]
                                      [--repeat 3]

Runs, one after another in this one run, each as its own `newsdesk classify` process timed from start to exit (so
Python start-up, model loading and, for Ray, starting the local Ray instance and its workers are all included):
the local engine (default threads), Ray with its defaults, Ray `--workers 1 --threads 1` and Ray `--workers 2
--threads 1`. Prints articles/s, checks that every run wrote the local engine's bytes, and gives the two ratios
against their targets: Ray defaults ≥ 0.8× the local engine on one machine; 2 one-thread workers ≥ 1.6× one. Each
run's CPU seconds (the CLI, Ray and its workers) over its wall time show how many cores it got: on a machine shared
with other jobs, Ray's workers (which Ray runs at nice 15) may get fewer than they ask for. The articles are copied
to a temporary folder, never into the repository. ``--repeat N`` runs the four configurations N times, interleaved
(so that a slow spell of the machine falls on all of them), prints each round's ratios and gives the median ratios:
on a 2-core machine one round's 2/1-worker ratio varied between 1.48 and 1.69 (2026-11-30).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NEWSDESK_SHARED") or REPO.parent / "shared") / "data" / "topics" / "allsides_dev.jsonl"
RUNS = [
    ("local engine", []),
    ("ray, defaults", ["--engine", "ray"]),
    ("ray, --workers 1 --threads 1", ["--engine", "ray", "--workers", "1", "--threads", "1"]),
    ("ray, --workers 2 --threads 1", ["--engine", "ray", "--workers", "2", "--threads", "1"]),
]


def cpu_kind() -> str:
    try:
        flags = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return "unknown"
    kinds = sorted({f for f in ("avx512_bf16", "amx_bf16") if f in flags})
    return " + ".join(kinds) or "no native bf16"


class TreeCPU:
    """CPU seconds of a process and all its descendants (the CLI, and Ray's raylet and workers under it), from
    /proc, sampled twice a second while it runs (a process's last half second may be missed)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.seen: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        parent: dict[int, int] = {}
        times: dict[int, float] = {}
        tick = os.sysconf("SC_CLK_TCK")
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)] = int(fields[1])
            times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
        for pid, cpu in times.items():
            p, depth = pid, 0
            while p not in (0, 1, self.root) and depth < 32:
                p, depth = parent.get(p, 0), depth + 1
            if p == self.root:
                self.seen[pid] = max(self.seen.get(pid, 0.0), cpu)

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return sum(self.seen.values())


def timed_run(src: Path, out: Path, model: str, extra: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `newsdesk classify` process tree, from start to exit."""
    argv = [sys.executable, "-m", "newsdesk", "classify", str(src), "-o", str(out), "--model", model]
    start = time.perf_counter()
    proc = subprocess.Popen([*argv, "--overwrite", "--quiet", *extra], stderr=subprocess.PIPE, text=True)
    cpu = TreeCPU(proc.pid)
    _, err = proc.communicate()
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv + extra)} failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, cpu.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=DATA, help="JSONL of articles (id, title, text)")
    p.add_argument("--n", type=int, default=300, help="articles, from the start of --data")
    p.add_argument("--model", default="default", help="topic model")
    p.add_argument("--repeat", type=int, default=1, help="rounds of the four runs, interleaved; medians reported")
    args = p.parse_args(argv)
    if not args.data.is_file():
        print(f"bench_distributed: {args.data} not found; skipped (set NEWSDESK_SHARED)", file=sys.stderr)
        return 0
    with open(args.data, encoding="utf-8") as f:
        rows = [json.loads(line) for line, _ in zip(f, range(args.n), strict=False)]
    words = sum(len(r["text"].split()) for r in rows)
    print(f"# {len(rows)} articles of {args.data.name} ({words / len(rows):.0f} words on average), model {args.model}")
    print(f"# CPU: {os.cpu_count()} cores, {cpu_kind()}; load average before: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        src = Path(tmp) / "articles.jsonl"
        src.write_text("".join(json.dumps({k: r.get(k) for k in ("id", "title", "text")}) + "\n" for r in rows))
        reference: bytes | None = None
        rounds: list[tuple[float, float]] = []
        for round_ in range(1, args.repeat + 1):
            rates: dict[str, float] = {}
            for name, extra in RUNS:
                out = Path(tmp) / "out.jsonl"
                seconds, cpu = timed_run(src, out, args.model, extra)
                same = reference is None or out.read_bytes() == reference
                reference = reference or out.read_bytes()
                rates[name] = len(rows) / seconds
                print(
                    f"{name:30s} {seconds:6.1f} s {rates[name]:6.2f} articles/s | CPU {cpu:6.1f} s, "
                    f"{cpu / seconds:4.2f} cores busy | output as local: {same}"
                )
            ratio_default = rates["ray, defaults"] / rates["local engine"]
            ratio_scale = rates["ray, --workers 2 --threads 1"] / rates["ray, --workers 1 --threads 1"]
            rounds.append((ratio_default, ratio_scale))
            if args.repeat > 1:
                print(f"# round {round_}: defaults / local {ratio_default:.2f}x, 2 / 1 workers {ratio_scale:.2f}x")
    print(f"# load average after: {os.getloadavg()[0]:.2f}")
    ratio_default = statistics.median(r[0] for r in rounds)
    ratio_scale = statistics.median(r[1] for r in rounds)
    what = f"median of {len(rounds)} rounds" if len(rounds) > 1 else "one round"
    print(
        f"ray defaults / local engine ({what}):           {ratio_default:.2f}x (target >= 0.8: {ratio_default >= 0.8})"
    )
    print(f"ray 2 workers / 1 worker, one thread ({what}):  {ratio_scale:.2f}x (target >= 1.6: {ratio_scale >= 1.6})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
