"""What topic and summary evaluations share: systems to score, timing, paired comparisons, the result object."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import NewsdeskError
from newsdesk.evaluation.metrics import percentile_ci
from newsdesk.runtime import batched


@dataclass
class MetricSpec:
    """How one headline metric is named, compared and shown."""

    key: str
    title: str
    higher_is_better: bool | None  # None: descriptive only (no "best", no comparison)
    fmt: str = "f1"  # "f1" 0.000, "rouge" ×100 0.0, "pct" 0.0 %, "num" 0.0, "sec" 0.00
    compare: bool = False  # paired-bootstrap comparison against the best system

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "higher_is_better": self.higher_is_better,
            "format": self.fmt,
            "compared": self.compare,
        }


@dataclass
class System:
    """One thing being scored: a model name or object, a prediction file, or a baseline."""

    name: str
    kind: str  # "model", "predictions", "baseline"
    spec: Any = None  # model name/path or object; predictions path or record list


def named_systems(
    models: Iterable[Any] | dict[str, Any] | None, predictions: Iterable[Any] | dict[str, Any] | None
) -> list[System]:
    """Systems from ``models`` (names, objects, or a name → object dict) and ``predictions`` (paths, or a
    name → path/records dict); names are made unique."""
    out: list[System] = []

    def add(name: str, kind: str, spec: Any) -> None:
        if any(s.name == name for s in out) and kind == "predictions" and isinstance(spec, (str, Path)):
            name = Path(spec).name  # p.jsonl and p.csv
        base, k = name, 2
        while any(s.name == name for s in out):
            name, k = f"{base} ({k})", k + 1
        out.append(System(name, kind, spec))

    for kind, items in (("model", models), ("predictions", predictions)):
        if not items:
            continue
        pairs = items.items() if isinstance(items, dict) else ((None, s) for s in items)
        for name, spec in pairs:
            if name is None:
                if isinstance(spec, (str, Path)):
                    name = Path(spec).stem if kind == "predictions" else str(spec).rstrip("/")
                else:
                    name = getattr(spec, "name", None) or type(spec).__name__
            add(str(name), kind, spec)
    if not out:
        raise NewsdeskError("nothing to evaluate: name at least one --model or --predictions file")
    return out


def run_in_batches(
    step: Callable[[list[Any]], list[dict[str, Any]]],
    items: Sequence[Any],
    batch_size: int,
    *,
    desc: str = "",
    progress: bool = False,
) -> tuple[list[dict[str, Any]], float]:
    """``step`` over ``items`` in batches; the outputs in order and the seconds spent inside ``step``."""
    out: list[dict[str, Any]] = []
    seconds = 0.0
    bar = None
    if progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(items), desc=desc, unit="article", file=sys.stderr, leave=False)
    for batch in batched(items, batch_size):
        t0 = time.perf_counter()
        res = step(batch)
        seconds += time.perf_counter() - t0
        if len(res) != len(batch):
            raise NewsdeskError(f"{desc}: got {len(res)} results for {len(batch)} articles")
        out.extend(res)
        if bar is not None:
            bar.update(len(batch))
    if bar is not None:
        bar.close()
    return out, seconds


def compare_systems(
    names: list[str],
    point: dict[str, dict[str, float]],
    boot: np.ndarray,
    specs: list[MetricSpec],
    level: float = 0.95,
) -> dict[str, Any]:
    """Best system per metric, and for each other system the paired-bootstrap interval of the best one's lead
    (best − other, sign-flipped where lower is better, so that a positive lead always favours the best).

    ``boot`` is ``(B, S, M)``: metric m of system s in resample b, every system scored on the same resamples,
    so the differences are paired. A lead "exceeds the noise" when its interval lies above 0. Systems tied
    with the best are listed in ``tied``; a metric on which all systems are equal has no entry.
    """
    out: dict[str, Any] = {}
    for m, spec in enumerate(specs):
        if spec.higher_is_better is None:
            continue
        vals = {n: point[n].get(spec.key, float("nan")) for n in names}
        finite = {n: v for n, v in vals.items() if v is not None and np.isfinite(v)}
        if len(finite) < 2:
            continue  # nothing to compare against
        sign = 1.0 if spec.higher_is_better else -1.0
        best = max(finite, key=lambda n: sign * finite[n])
        tied = [n for n in finite if np.isclose(finite[n], finite[best], rtol=0, atol=1e-12)]
        if len(finite) > 1 and len(tied) == len(finite):
            continue  # all equal: nothing is best
        # "lead" is oriented so that a positive value always favours the best system.
        entry: dict[str, Any] = {"best": best, "tied": tied, "value": finite[best], "vs": []}
        if spec.compare and boot.size:
            b = names.index(best)
            for s, other in enumerate(names):
                if other == best or other not in finite:
                    continue
                diff = sign * (boot[:, b, m] - boot[:, s, m])
                lo, hi = percentile_ci(diff, level)
                lead = sign * (finite[best] - finite[other])
                clear = bool(np.isfinite(lo) and lo > 0)
                entry["vs"].append({"system": other, "lead": lead, "ci": [lo, hi], "significant": clear})
        out[spec.key] = entry
    return out


def jsonable(obj: Any) -> Any:
    """Numpy values and NaN made JSON-safe (NaN → null)."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return jsonable(obj.tolist())
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return f if np.isfinite(f) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


@dataclass
class Evaluation:
    """Result of ``evaluate_topics`` / ``evaluate_summaries``: everything in :meth:`to_dict`, plus renderers."""

    data: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.data["kind"]

    @property
    def systems(self) -> list[str]:
        return [s["name"] for s in self.data["systems"]]

    def metric(self, system: str, key: str) -> float | None:
        """A headline value, e.g. ``result.metric("tfidf", "macro_f1")``."""
        for s in self.data["systems"]:
            if s["name"] == system:
                return s["metrics"].get(key)
        raise KeyError(system)

    def to_dict(self) -> dict[str, Any]:
        """Machine-readable results (JSON-safe: NaN is ``None``)."""
        return self.data

    def to_json(self, path: str | Path | None = None) -> str:
        text = json.dumps(self.data, ensure_ascii=False, indent=1)
        if path is not None and str(path) != "-":
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    def table(self) -> str:
        """The headline table as plain text, for a terminal."""
        from newsdesk.evaluation.report import render_text

        return render_text(self.data)

    def to_markdown(self) -> str:
        from newsdesk.evaluation.report import render_markdown

        return render_markdown(self.data)

    def to_html(self) -> str:
        from newsdesk.evaluation.report import render_html

        return render_html(self.data)

    def write_report(self, folder: str | Path) -> Path:
        """``report.html`` (self-contained, plots embedded), ``report.md``, ``results.json`` and the plots as PNG
        files in ``folder``; returns the HTML path."""
        from newsdesk.evaluation.report import write_report

        return write_report(self.data, folder)

    def __str__(self) -> str:
        return self.table()
