"""Figures for the evaluation reports, drawn from a result dict (``Evaluation.to_dict()``) as PNG bytes.

Uses matplotlib's object API with the Agg canvas (no pyplot, no display, no global state).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

MAX_THRESHOLD_PANELS = 12
MAX_ANNOTATED_LABELS = 15
DPI = 110


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _colors(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(n)]


def _nan(x: Any) -> float:
    return float("nan") if x is None else float(x)


def per_label_f1(d: dict[str, Any]) -> bytes:
    labels = d["labels"]
    systems = d["systems"]
    fig = _figure(max(5.0, 1.1 * len(labels) * max(1, len(systems)) ** 0.5 + 2), 3.6)
    ax = fig.add_subplot()
    x = np.arange(len(labels) + 1)
    width = 0.8 / max(1, len(systems))
    for k, (s, color) in enumerate(zip(systems, _colors(len(systems)), strict=True)):
        vals = [_nan(s["per_label"][lab]["f1"]) for lab in labels] + [_nan(s["metrics"]["macro_f1"])]
        pos = x - 0.4 + width * (k + 0.5)
        bars = ax.bar(pos, np.nan_to_num(vals), width, label=s["name"], color=color)
        if len(labels) * len(systems) <= 40:
            ax.bar_label(bars, labels=["–" if np.isnan(v) else f"{v:.2f}" for v in vals], fontsize=7, padding=1)
    ax.set_xticks(
        x, [*labels, "macro"], rotation=30 if len(labels) > 6 else 0, ha="right" if len(labels) > 6 else "center"
    )
    ax.axvline(len(labels) - 0.5, color="#999", lw=0.8, ls=":")
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("F1")
    ax.set_title("F1 per label")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def cooccurrence(d: dict[str, Any]) -> bytes:
    labels = [*d["labels"], "(none)"]
    systems = d["systems"]
    side = 1.2 + 0.45 * len(labels)
    fig = _figure(min(max(side * len(systems), 4.5), 16), side + 0.3)
    axes = fig.subplots(1, len(systems), squeeze=False)[0]
    for ax, s in zip(axes, systems, strict=True):
        m = np.asarray(s["cooccurrence"], dtype=float)
        rows = m.sum(1, keepdims=True)
        share = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
        ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
        if len(labels) <= MAX_ANNOTATED_LABELS + 1:
            for i in range(m.shape[0]):
                for j in range(m.shape[1]):
                    if m[i, j]:
                        ax.text(
                            j,
                            i,
                            int(m[i, j]),
                            ha="center",
                            va="center",
                            fontsize=8,
                            color="white" if share[i, j] > 0.6 else "black",
                        )
        ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(s["name"], fontsize=10)
    fig.suptitle("Gold (rows) vs predicted (columns)", fontsize=10)
    return _png(fig)


def threshold_curves(d: dict[str, Any]) -> bytes | None:
    systems = [s for s in d["systems"] if s["threshold_sweep"]]
    if not systems:
        return None
    labels = [lab for lab in d["labels"] if any(lab in s["threshold_sweep"] for s in systems)]
    labels = labels[:MAX_THRESHOLD_PANELS]
    cols = min(3, len(labels))
    rows = -(-len(labels) // cols)
    fig = _figure(3.3 * cols + 1.5, 2.6 * rows)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    grid = np.asarray(d["threshold_grid"], dtype=float)
    colors = {s["name"]: c for s, c in zip(d["systems"], _colors(len(d["systems"])), strict=True)}
    for ax, lab in zip(axes, labels, strict=False):
        for s in systems:
            sw = s["threshold_sweep"].get(lab)
            if not sw:
                continue
            c = colors[s["name"]]
            ax.plot(grid, [_nan(v) for v in sw["f1"]], color=c, lw=1.6, label=s["name"])
            ax.plot([sw["best_threshold"]], [sw["best_f1"]], "o", color=c, ms=4)
            if sw.get("threshold") is not None:
                ax.axvline(sw["threshold"], color=c, ls="--", lw=0.9)
        ax.set_title(lab, fontsize=10)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("threshold", fontsize=8)
        ax.set_ylabel("F1", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[len(labels) :]:
        ax.set_visible(False)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside right upper", fontsize=8, frameon=False)
    fig.suptitle(
        "F1 against the decision threshold (dashed: the model's threshold; dot: best on this data)", fontsize=10
    )
    return _png(fig)


def rouge_distributions(d: dict[str, Any]) -> bytes:
    systems = d["systems"]
    keys = [("rouge1", "ROUGE-1"), ("rouge2", "ROUGE-2"), ("rougeLsum", "ROUGE-Lsum")]
    fig = _figure(3.2 * len(keys) + 0.4 * len(systems), 3.2)
    axes = fig.subplots(1, len(keys), sharey=True)
    colors = _colors(len(systems))
    for ax, (key, title) in zip(axes, keys, strict=True):
        data = [[100 * _nan(r[key]) for r in s["per_article"]] for s in systems]
        bp = ax.boxplot(
            data,
            showmeans=True,
            patch_artist=True,
            widths=0.6,
            meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black", "ms": 4},
        )
        for patch, c in zip(bp["boxes"], colors, strict=True):
            patch.set_facecolor(c)
            patch.set_alpha(0.55)
        ax.set_xticks(range(1, len(systems) + 1), [s["name"] for s in systems], rotation=30, ha="right", fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_ylabel("F1 × 100 per article (◇ mean)")
    return _png(fig)


def length_distributions(d: dict[str, Any]) -> bytes:
    systems = d["systems"]
    series = [(s["name"], [_nan(r["words"]) for r in s["per_article"]]) for s in systems]
    series.append(("reference", [_nan(v) for v in d["reference"]["per_article_words"]]))
    fig = _figure(2.5 + 0.7 * len(series), 3.4)
    ax = fig.add_subplot()
    colors = [*_colors(len(systems)), (0.3, 0.3, 0.3, 1.0)]
    bp = ax.boxplot(
        [[v for v in vals if not np.isnan(v)] for _, vals in series],
        patch_artist=True,
        widths=0.6,
        showmeans=True,
        meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "black", "ms": 4},
    )
    for patch, c in zip(bp["boxes"], colors, strict=True):
        patch.set_facecolor(c)
        patch.set_alpha(0.55)
    ax.set_xticks(range(1, len(series) + 1), [n for n, _ in series], rotation=30, ha="right", fontsize=8)
    ax.set_ylabel("words (◇ mean)")
    ax.set_title("Summary lengths", fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def make_plots(d: dict[str, Any]) -> dict[str, tuple[str, bytes]]:
    """``{file stem: (caption, png bytes)}`` for a topics or summaries result dict."""
    out: dict[str, tuple[str, bytes]] = {}
    if d["kind"] == "topics":
        out["per_label_f1"] = ("F1 per label, and macro-F1", per_label_f1(d))
        out["cooccurrence"] = (
            "Gold vs predicted labels: articles with gold label (row) given label (column); colour = share of the row",
            cooccurrence(d),
        )
        curves = threshold_curves(d)
        if curves is not None:
            out["threshold_curves"] = ("F1 against the decision threshold", curves)
    else:
        out["rouge"] = ("ROUGE per article", rouge_distributions(d))
        out["lengths"] = ("Summary lengths", length_distributions(d))
    return out
