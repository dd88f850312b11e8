"""Re-measure the truth check (newsdesk.models.summaries.faithcheck) on the judged summaries of judged_dev.

    python bench/bench_truth_check.py            # reads $NEWSDESK_SHARED/data/summaries (default ../shared)

``judged_dev.jsonl`` holds 200 summaries of the default summariser, each judged by reading (``JUDGING.md``:
faithful / minor / major). The summaries are split into a tune half (sha256(id) even) and a report half (odd); the
check's rules were tuned on the tune half only. Prints, per half and dataset, the share of judged-major summaries
the check flags (catch rate) and of judged-faithful ones (false alarms), and the LEAD-3 summaries of the same
articles flagged, then compares the report half with the constants stored in faithcheck (``CATCH_RATE``,
``FALSE_ALARM_RATE``). Exits 0 without measuring when the data is absent (it is not shipped with newsdesk).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSDESK_SHARED") or REPO.parent / "shared")
DATA = SHARED / "data" / "summaries"
DATASETS = ("cnndm_dev", "xsum_dev")


def half(doc_id: str) -> str:
    """``tune`` when sha256(id) is even, else ``report``."""
    return "tune" if int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % 2 == 0 else "report"


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _share(hits: int, n: int) -> str:
    return f"{hits}/{n} ({100 * hits / n:.0f} %)" if n else "0/0"


def main() -> int:
    paths = [DATA / "judged_dev.jsonl", *(DATA / f"{d}.jsonl" for d in DATASETS)]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"skipped: judged data not found ({', '.join(missing)}); set NEWSDESK_SHARED")
        return 0
    from newsdesk.models.summaries import faithcheck
    from newsdesk.models.summaries.baselines import LeadSummarizer

    articles = {r["id"]: r["text"] for d in DATASETS for r in _jsonl(DATA / f"{d}.jsonl")}
    judged = _jsonl(DATA / "judged_dev.jsonl")
    lead = LeadSummarizer(3)
    # (dataset, half) -> verdict -> [flagged, total]
    counts: dict[tuple[str, str], dict[str, list[int]]] = {}
    for r in judged:
        text = articles[r["id"]]
        for key in ((r["dataset"], half(r["id"])), ("all", half(r["id"]))):
            c = counts.setdefault(key, {})
            for verdict, summary in ((r["verdict"], r["summary"]), ("LEAD-3", lead.summarize_one(text))):
                hit = c.setdefault(verdict, [0, 0])
                hit[0] += faithcheck.flagged(summary, text)
                hit[1] += 1
    print("| dataset | half | major caught | faithful flagged | minor flagged | LEAD-3 flagged |")
    print("|---|---|---|---|---|---|")
    for ds in (*DATASETS, "all"):
        for h in ("tune", "report"):
            c = counts.get((ds, h), {})
            cells = [_share(*c.get(v, [0, 0])) for v in ("major", "faithful", "minor", "LEAD-3")]
            print(f"| {ds} | {h} | " + " | ".join(cells) + " |")
    report = counts[("all", "report")]
    catch = report["major"][0] / report["major"][1]
    false_alarms = report["faithful"][0] / report["faithful"][1]
    same = abs(catch - faithcheck.CATCH_RATE) < 1e-9 and abs(false_alarms - faithcheck.FALSE_ALARM_RATE) < 1e-9
    verdict = "same" if same else "DIFFERENT: update them"
    print(
        f"\nreport half: catch {catch:.3f}, false alarms {false_alarms:.3f}; stored in faithcheck: "
        f"{faithcheck.CATCH_RATE:.3f}, {faithcheck.FALSE_ALARM_RATE:.3f} ({verdict})"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
