"""Scoring summarisers: ROUGE with bootstrap intervals, length and compression, how abstractive (novel bigrams),
how often the truth check flags a summary (and, secondary, unsupported names/numbers), speed; several systems side
by side on the same articles."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

import newsdesk.evaluation.data as gold_data
from newsdesk.articles import Article
from newsdesk.errors import NewsdeskError
from newsdesk.evaluation.common import (
    Evaluation,
    MetricSpec,
    System,
    compare_systems,
    jsonable,
    named_systems,
    run_in_batches,
)
from newsdesk.evaluation.metrics import (
    DEFAULT_N_BOOT,
    DEFAULT_SEED,
    ROUGE_SETTINGS,
    ROUGE_TYPES,
    bootstrap,
    novel_bigram_share,
    percentile_ci,
    rouge_f1,
    rouge_version,
    weighted_nanmean,
)
from newsdesk.models.summaries import faithcheck
from newsdesk.models.summaries.baselines import LeadSummarizer
from newsdesk.models.summaries.summarizer import DEFAULT_BATCH_SIZE

SUMMARY_METRICS = [
    MetricSpec("rouge1", "ROUGE-1", True, "rouge", compare=True),
    MetricSpec("rouge2", "ROUGE-2", True, "rouge", compare=True),
    MetricSpec("rougeLsum", "ROUGE-Lsum", True, "rouge", compare=True),
    MetricSpec("words", "words", None, "num"),
    MetricSpec("compression", "compression", None, "num"),
    MetricSpec("novel_bigrams", "novel bigrams", None, "pct"),
    MetricSpec("truth_flagged", "flagged by the truth check", False, "pct", compare=True),
    MetricSpec("unsupported", "unsupported names/numbers", False, "pct"),
    MetricSpec("seconds_per_article", "s/article", False, "sec"),
]
PER_ARTICLE_KEYS = [m.key for m in SUMMARY_METRICS if m.key != "seconds_per_article"]
_LEAD = re.compile(r"lead-?(\d+)$", re.IGNORECASE)
EXAMPLES_SHOWN = 3


def parse_baseline(name: str) -> int:
    m = _LEAD.match(name.strip())
    if not m or int(m.group(1)) < 1:
        raise NewsdeskError(f"unknown baseline {name!r}; use lead3 (first three sentences), lead1, … or none")
    return int(m.group(1))


def _load_summarizer(name: str, device: str, dtype: str) -> Any:
    from newsdesk.models.summaries.summarizer import Summarizer

    return Summarizer(model=name, device=device, dtype=dtype)


def _seconds_field(rec: dict[str, Any]) -> float | None:
    for key in ("seconds", "time_s", "elapsed_s"):
        v = rec.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return float(v)
    return None


def _summaries(
    system: System,
    articles: list[Article],
    *,
    max_words: int | None,
    batch_size: int,
    device: str,
    dtype: str,
    progress: bool,
) -> tuple[list[str], float | None, list[str]]:
    """One system's summaries in the order of ``articles``, the seconds it took (if known), and notes."""
    ids = [a.id for a in articles]
    if system.kind == "baseline":
        k = parse_baseline(system.spec)
        t0 = time.perf_counter()
        lead = LeadSummarizer(k)  # the summariser's own LEAD-k baseline (Summarizer("lead"))
        out = [lead.summarize_one(a.text) for a in articles]
        return out, time.perf_counter() - t0, []
    if system.kind == "predictions":
        is_path = isinstance(system.spec, (str, Path))
        source = str(system.spec) if is_path else system.name
        records = gold_data.read_prediction_records(system.spec) if is_path else list(system.spec)
        aligned, extra = gold_data.match_by_id(records, ids, source)
        secs = [_seconds_field(r) for r in aligned]
        notes = [f"{system.name}: {len(extra)} predicted id(s) not in the gold data were ignored"] if extra else []
        total = sum(secs) if secs and all(s is not None for s in secs) else None  # type: ignore[misc]
        return [gold_data.prediction_summary(r, source) for r in aligned], total, notes

    from newsdesk.pipelines import summarize_step

    model = system.spec
    if isinstance(model, str):
        model = _load_summarizer(model, device, dtype)
    out, seconds = run_in_batches(
        lambda batch: summarize_step(model, batch, max_words=max_words),
        articles,
        batch_size,
        desc=system.name,
        progress=progress,
    )
    for rec, rid in zip(out, ids, strict=True):
        if str(rec.get("id")) != rid:
            raise NewsdeskError(f"{system.name}: output for id {rec.get('id')!r} where {rid!r} was expected")
    return [str(r.get("summary") or "") for r in out], seconds, []


def _describe(summaries: list[str], articles: list[Article]) -> dict[str, Any]:
    """Per-article length, compression, novel-bigram share, truth-check flags and unsupported facts of
    ``summaries``."""
    from newsdesk.models.summaries.facts import unsupported_facts
    from newsdesk.text import count_words

    words = np.array([count_words(s) for s in summaries], dtype=float)
    art_words = np.array([count_words(a.text) for a in articles], dtype=float)
    facts = [unsupported_facts(s, a.text) if s.strip() else [] for s, a in zip(summaries, articles, strict=True)]
    flags = [
        [f for f in faithcheck.check(s, a.text) if f.kind in faithcheck.MAJOR_KINDS] if s.strip() else []
        for s, a in zip(summaries, articles, strict=True)
    ]
    return {
        "words": words,
        "compression": np.divide(art_words, words, out=np.full_like(words, np.nan), where=words > 0),
        "novel_bigrams": np.array([novel_bigram_share(s, a.text) for s, a in zip(summaries, articles, strict=True)]),
        "truth_flagged": np.array([bool(f) for f in flags], dtype=float),
        "unsupported": np.array([bool(f) for f in facts], dtype=float),
        "facts": facts,
        "truth_flags": [[f"{f.kind}: {f.span}" for f in fl] for fl in flags],
    }


def evaluate_summaries(
    records: Any,
    models: Iterable[Any] | dict[str, Any] | None = ("default",),
    *,
    predictions: Iterable[Any] | dict[str, Any] | None = None,
    baselines: Iterable[str] = ("lead3",),
    summary_field: str = "summary",
    max_words: int | None = None,
    n_boot: int = DEFAULT_N_BOOT,
    seed: int = DEFAULT_SEED,
    batch_size: int = DEFAULT_BATCH_SIZE,
    device: str = "auto",
    dtype: str = "auto",
    progress: bool = False,
    data_name: str | None = None,
) -> Evaluation:
    """Score summarisers against reference summaries.

    ``records``: a path or an iterable of Articles / dicts with a reference in ``summary_field`` (records
    without one are skipped and reported). ``models``: names for ``Summarizer(model=...)`` (``"default"``,
    ``"lead"``, ``"extractive"``, a folder, a hub id, a ``.gguf``) or summariser objects; ``predictions``:
    ``newsdesk summarize`` outputs scored instead of running a model, matched by id; ``baselines``: ``"lead3"``
    etc., computed here. Every system is scored on the same articles and the same bootstrap resamples.
    """
    articles, refs, skipped = gold_data.gold_summaries(records, summary_field)
    if not articles:
        raise NewsdeskError(
            f"no records with a reference summary in field {summary_field!r}; name the field with --summary-field"
            + (f" ({'; '.join(skipped.messages(summary_field))})" if skipped.bad or skipped.no_gold else "")
        )
    baselines = [b for b in baselines if b and b.lower() != "none"]
    for b in baselines:
        parse_baseline(b)
    systems = [System(b.lower(), "baseline", b) for b in dict.fromkeys(baselines)]
    if models or predictions:
        systems += [s for s in named_systems(models, predictions) if s.name not in {b.name for b in systems}]
    if not systems:
        raise NewsdeskError("nothing to evaluate: name a --model, a --predictions file or a --baseline")

    n = len(articles)
    notes: list[str] = skipped.messages(summary_field)
    rows = []
    per_article = {}
    for system in systems:
        if progress:
            print(f"newsdesk evaluate: scoring {system.name} on {n} articles", file=sys.stderr)
        texts, seconds, more = _summaries(
            system,
            articles,
            max_words=max_words,
            batch_size=batch_size,
            device=device,
            dtype=dtype,
            progress=progress,
        )
        notes += more
        rouge = rouge_f1(texts, refs)
        desc = _describe(texts, articles)
        values = {t: rouge[:, i] for i, t in enumerate(ROUGE_TYPES)} | {k: desc[k] for k in PER_ARTICLE_KEYS[3:]}
        per_article[system.name] = np.column_stack([values[k] for k in PER_ARTICLE_KEYS])
        metrics = {k: float(np.nanmean(v)) if np.isfinite(v).any() else None for k, v in values.items()}
        metrics["seconds_per_article"] = None if seconds is None else seconds / n
        empty = sum(not t.strip() for t in texts)
        if empty:
            notes.append(f"{system.name}: {empty} empty summar{'y' if empty == 1 else 'ies'} (scored 0)")
        rows.append(
            {
                "name": system.name,
                "kind": system.kind,
                "source": str(system.spec),
                "metrics": metrics,
                "per_article": [
                    {
                        "id": a.id,
                        "summary": t,
                        **{k: values[k][i] for k in PER_ARTICLE_KEYS},
                        "facts": desc["facts"][i],
                        "truth_flags": desc["truth_flags"][i],
                    }
                    for i, (a, t) in enumerate(zip(articles, texts, strict=True))
                ],
            }
        )

    names = [s.name for s in systems]

    def stat(w: np.ndarray) -> np.ndarray:
        out = np.full((w.shape[0], len(names), len(SUMMARY_METRICS)), np.nan)
        for s, name in enumerate(names):
            out[:, s, : len(PER_ARTICLE_KEYS)] = weighted_nanmean(per_article[name], w)
        return out

    boot = bootstrap(stat, n, n_boot=n_boot, seed=seed) if n_boot > 0 else np.zeros((0, len(names), 0))
    for s, row in enumerate(rows):
        row["ci"] = {k: list(percentile_ci(boot[:, s, m])) for m, k in enumerate(PER_ARTICLE_KEYS)} if n_boot else {}
    comparisons = compare_systems(names, {r["name"]: r["metrics"] for r in rows}, boot, SUMMARY_METRICS)

    ref_desc = _describe(refs, articles)
    reference = {
        k: float(np.nanmean(ref_desc[k])) if np.isfinite(ref_desc[k]).any() else None for k in PER_ARTICLE_KEYS[3:]
    }
    reference["per_article_words"] = ref_desc["words"]
    if n < 30:
        notes.append(f"only {n} articles: intervals are wide, read differences with care")
    result = {
        "kind": "summaries",
        "data": data_name or (str(records) if isinstance(records, (str, Path)) else None),
        "n_articles": n,
        "gold_field": summary_field,
        "metrics": [m.to_dict() for m in SUMMARY_METRICS],
        "systems": rows,
        "reference": reference,
        "examples": [
            {"id": a.id, "title": a.title, "reference": refs[i]} for i, a in enumerate(articles[:EXAMPLES_SHOWN])
        ],
        "comparisons": comparisons,
        "truth_check": {
            "catch_rate": faithcheck.CATCH_RATE,
            "false_alarm_rate": faithcheck.FALSE_ALARM_RATE,
            "measured_on": faithcheck.MEASURED_ON,
        },
        "settings": {
            "scorer": ROUGE_SETTINGS.format(version=rouge_version()),
            "bootstrap": {"resamples": n_boot, "seed": seed, "interval": "95 % percentile", "paired": True},
            "max_words": max_words,
            "words": "newsdesk.text.count_words; compression = article words ÷ summary words",
            "novel_bigrams": "share of the summary's lowercased word bigrams that never occur in the article",
            "truth_flagged": "share of summaries that the truth check flags (newsdesk.models.summaries.faithcheck."
            "flagged: an unsupported name or number, a word the article never uses, a negation or hedge added or "
            "dropped, words of one sentence reversed or of two spliced, a garbled sentence); measured on judged "
            f"summaries it flags {faithcheck.CATCH_RATE:.0%} of those with a major error and "
            f"{faithcheck.FALSE_ALARM_RATE:.0%} of faithful ones ({faithcheck.MEASURED_ON})",
            "unsupported": "share of summaries with a name or number the article does not support "
            "(newsdesk.models.summaries.facts.unsupported_facts, the guard's check, applied to every system's output; "
            "one of the truth check's tests)",
            "seconds": "model time per article, loading excluded",
        },
        "skipped": skipped.to_dict(),
        "notes": notes,
    }
    return Evaluation(jsonable(result))
