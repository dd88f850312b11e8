"""Reports from a result dict (``Evaluation.to_dict()``): a terminal table, Markdown, and a self-contained HTML
page with the plots embedded."""

from __future__ import annotations

import base64
import datetime as _dt
import json
import re
from pathlib import Path
from typing import Any

from newsdesk._version import __version__

MD_ERRORS = 5

# ---------------------------------------------------------------------------------------------- formatting


def fmt(value: Any, kind: str) -> str:
    """One value as shown in the tables (ROUGE ×100, shares as %)."""
    if value is None:
        return "–"
    v = float(value)
    if kind == "rouge":
        return f"{100 * v:.1f}"
    if kind == "pct":
        return f"{100 * v:.1f} %"
    if kind == "num":
        return f"{v:.1f}"
    if kind == "sec":
        return "<0.001" if 0 < v < 0.0005 else (f"{v:.3f}" if v < 1 else f"{v:.2f}")
    return f"{v:.3f}"


def fmt_ci(ci: list | None, kind: str) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    lo, hi = fmt(ci[0], kind).replace(" %", ""), fmt(ci[1], kind)
    return f"{lo}–{hi}"


def fmt_diff(value: float, kind: str) -> str:
    s = fmt(abs(value), kind)
    return ("+" if value >= 0 else "−") + s


def _lead(v: dict[str, Any], kind: str) -> str:
    """``+2.1 (95 % CI +0.4 to +3.9)``."""
    lo, hi = v["ci"]
    ci = f" (95 % CI {fmt_diff(lo, kind)} to {fmt_diff(hi, kind)})" if lo is not None else ""
    return fmt_diff(v["lead"], kind) + ci


def _title(d: dict[str, Any]) -> str:
    what = "Topic classification" if d["kind"] == "topics" else "Summarisation"
    return f"{what} — {d.get('data') or 'records'}"


def _subtitle(d: dict[str, Any]) -> str:
    parts = [f"{d['n_articles']} articles"]
    if d["kind"] == "topics":
        parts.append(f"{len(d['labels'])} labels (gold field {d['gold_field']!r})")
    else:
        parts.append(f"reference field {d['gold_field']!r}")
    b = d["settings"]["bootstrap"]
    if b["resamples"]:
        parts.append(f"95 % bootstrap intervals from {b['resamples']} paired resamples (seed {b['seed']})")
    return ", ".join(parts)


def truth_check_line(d: dict[str, Any]) -> str | None:
    """Summaries: what "flagged by the truth check" means and how far to trust it (its measured rates)."""
    t = d.get("truth_check")
    if d["kind"] != "summaries" or not t:
        return None
    return (
        f"Flagged by the truth check: share of summaries the rule-based check (newsdesk.models.summaries.faithcheck) "
        f"flags as a likely major error. On judged summaries it flags {fmt(t['catch_rate'], 'pct')} of those judged "
        f"major and {fmt(t['false_alarm_rate'], 'pct')} of those judged faithful ({t['measured_on']}): a flag is a "
        "reason to read the summary, not a verdict. Unsupported names/numbers: one of its tests, on its own"
    )


def _is_best(d: dict[str, Any], key: str, system: str) -> bool:
    c = d["comparisons"].get(key)
    return bool(c) and len(d["systems"]) > 1 and system in c.get("tied", [c["best"]])


def _headline_columns(d: dict[str, Any]) -> list[dict[str, Any]]:
    # Columns whose values are all missing (e.g. no timing for prediction files only) are left out.
    return [m for m in d["metrics"] if any(s["metrics"].get(m["key"]) is not None for s in d["systems"])]


def comparison_lines(d: dict[str, Any]) -> list[str]:
    """One sentence per compared metric: the best system, and whether its lead exceeds the bootstrap noise."""
    lines = []
    specs = {m["key"]: m for m in d["metrics"]}
    for key, c in d["comparisons"].items():
        spec = specs[key]
        if not spec["compared"]:
            continue
        if not c["vs"]:
            continue
        parts = []
        for v in c["vs"]:
            verdict = "clear" if v["significant"] else "within noise"
            parts.append(f"vs {v['system']} {_lead(v, spec['format'])}: {verdict}")
        better = "lowest" if spec["higher_is_better"] is False else "best"
        lines.append(f"{spec['title']}: {better} {c['best']} {fmt(c['value'], spec['format'])}; " + "; ".join(parts))
    return lines


def _length_rows(d: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Topics: the share of articles carrying each label, gold and per system, in each word-count quartile."""
    bins = d.get("length_bins") or []
    header = ["label", "rate of"] + [f"{b['name']} ({b['min_words']}–{b['max_words']} words, n={b['n']})" for b in bins]
    rows = []
    for lab in d["labels"]:
        rows.append([lab, "gold"] + [fmt(v, "pct") for v in d["gold_rates_by_length"][lab]])
        for s in d["systems"]:
            rows.append([lab, s["name"]] + [fmt(v, "pct") for v in s["rates_by_length"][lab]])
    return header, rows


def _length_view(d: dict[str, Any]) -> dict[str, Any] | None:
    if not d.get("length_bins"):
        return None
    header, rows = _length_rows(d)
    return {"header": header, "rows": rows}


LENGTH_NOTE = (
    "Share of articles carrying each label, by article length (quartiles of word count): a system whose rate falls "
    "(drowned) or rises (inflated) with length where the gold rate does not reads long articles badly"
)

# ---------------------------------------------------------------------------------------------- terminal


def _text_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True)))
    out = [line, "-" * len(line)]
    for r in rows:
        out.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        )
    return "\n".join(out)


def _headline_rows(d: dict[str, Any], *, ci_for: set[str], mark: str) -> tuple[list[str], list[list[str]]]:
    cols = _headline_columns(d)
    header = ["system"] + [m["title"] for m in cols]
    rows = []
    for s in d["systems"]:
        row = [s["name"]]
        for m in cols:
            cell = fmt(s["metrics"].get(m["key"]), m["format"])
            if m["key"] in ci_for and s.get("ci", {}).get(m["key"]):
                cell += f" ({fmt_ci(s['ci'][m['key']], m['format'])})"
            if _is_best(d, m["key"], s["name"]):
                cell = mark.format(cell)
            row.append(cell)
        rows.append(row)
    if d["kind"] == "summaries":
        ref = d["reference"]
        rows.append(["(reference)"] + [fmt(ref.get(m["key"]), m["format"]) if m["key"] in ref else "" for m in cols])
    return header, rows


def render_text(d: dict[str, Any]) -> str:
    """Headline table, per-label table (topics), the comparisons and notes, for a terminal."""
    ci_for = {"macro_f1"} if d["kind"] == "topics" else {"rouge1", "rouge2", "rougeLsum"}
    header, rows = _headline_rows(d, ci_for=ci_for, mark="{}*")
    out = [_title(d), _subtitle(d), "", _text_table(header, rows)]
    if len(d["systems"]) > 1:
        out.append("* best; (…) 95 % bootstrap interval")
    if d["kind"] == "topics":
        out += ["", "per label: precision / recall / F1 (support)"]
        lrows = []
        for lab, sup in zip(d["labels"], d["support"], strict=True):
            row = [lab]
            for s in d["systems"]:
                p = s["per_label"][lab]
                row.append(f"{fmt(p['precision'], 'f1')} / {fmt(p['recall'], 'f1')} / {fmt(p['f1'], 'f1')}")
            row.append(str(sup))
            lrows.append(row)
        out.append(_text_table(["label", *[s["name"] for s in d["systems"]], "support"], lrows))
        if d.get("length_bins"):
            out += ["", "label rates by article length (word-count quartiles)", _text_table(*_length_rows(d))]
    else:
        out += ["", "scorer: " + d["settings"]["scorer"]]
        truth = truth_check_line(d)
        if truth:
            out += [truth + "."]
    lines = comparison_lines(d)
    if lines:
        out += ["", "differences (paired bootstrap, 95 %):", *("  " + line for line in lines)]
    if d["notes"]:
        out += ["", *("note: " + n for n in d["notes"])]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- markdown


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def esc(c: str) -> str:
        return c.replace("|", "\\|").replace("\n", " ")

    def numeric(col: int) -> bool:
        return col > 0 and all(re.match(r"^(–|[<+−-]?\d)", r[col]) for r in rows if col < len(r))

    align = ["---:" if numeric(i) else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(d: dict[str, Any], plot_files: dict[str, str] | None = None) -> str:
    """A Markdown summary: headline table (best in bold), comparisons, per-label table or examples, settings."""
    ci_for = {"macro_f1"} if d["kind"] == "topics" else {"rouge1", "rouge2", "rougeLsum"}
    header, rows = _headline_rows(d, ci_for=ci_for, mark="**{}**")
    out = [f"# {_title(d)}", "", _subtitle(d) + ".", "", _md_table(header, rows), ""]
    if len(d["systems"]) > 1:
        out += ["Best per metric in **bold**; (…) is the 95 % bootstrap interval.", ""]
    if d["kind"] == "summaries":
        out += [f"Scorer: {d['settings']['scorer']}.", ""]
        truth = truth_check_line(d)
        if truth:
            out += [truth + ".", ""]
    lines = comparison_lines(d)
    if lines:
        out += ["## Are the differences real?", "", *(f"- {line}" for line in lines), ""]
    if d["kind"] == "topics":
        out += ["## Per label", ""]
        lrows = []
        for lab, sup in zip(d["labels"], d["support"], strict=True):
            for s in d["systems"]:
                p = s["per_label"][lab]
                lrows.append(
                    [
                        lab,
                        s["name"],
                        fmt(p["precision"], "f1"),
                        fmt(p["recall"], "f1"),
                        fmt(p["f1"], "f1"),
                        str(sup),
                        str(p["predicted"]),
                    ]
                )
        out += [_md_table(["label", "system", "precision", "recall", "F1", "support", "predicted"], lrows), ""]
        sweep_rows = [
            [
                lab,
                s["name"],
                fmt(sw.get("threshold"), "f1"),
                fmt(sw["f1_at_threshold"], "f1"),
                fmt(sw["best_threshold"], "f1"),
                fmt(sw["best_f1"], "f1"),
            ]
            for s in d["systems"]
            for lab, sw in s["threshold_sweep"].items()
        ]
        if sweep_rows:
            out += [
                "## Thresholds",
                "",
                d["settings"]["threshold_sweep"] + ".",
                "",
                _md_table(["label", "system", "threshold", "F1", "best threshold", "F1 there"], sweep_rows),
                "",
            ]
    if d["kind"] == "topics":
        if d.get("length_bins"):
            out += ["## Label rates by article length", "", LENGTH_NOTE + ".", "", _md_table(*_length_rows(d)), ""]
        for s in d["systems"]:
            errs = s["worst_errors"][:MD_ERRORS]
            if errs:
                rows = [
                    [
                        e["id"],
                        e["error"],
                        e["label"],
                        fmt(e["score"], "f1"),
                        ", ".join(e["gold"]) or "–",
                        e.get("evidence") or "–",
                        e["text"],
                    ]
                    for e in errs
                ]
                out += [f"## Most confident mistakes — {s['name']}", ""]
                out += [
                    _md_table(["id", "error", "label", "score", "gold", "evidence for the label", "text"], rows),
                    "",
                ]
    if plot_files:
        out += ["## Plots", ""]
        out += [f"![{caption}]({path})" for caption, path in plot_files.items()]
        out.append("")
    if d["notes"]:
        out += ["## Notes", "", *(f"- {n}" for n in d["notes"]), ""]
    out += ["## Settings", "", "```json", json.dumps(d["settings"], indent=1, ensure_ascii=False), "```", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- HTML
# The page is the jinja2 template templates/report.html.j2 (shipped with the package); this part only prepares
# what it shows, already formatted. The template escapes everything.

TEMPLATES = Path(__file__).resolve().parent / "templates"
HTML_TEMPLATE = "report.html.j2"


def _headline_view(d: dict[str, Any]) -> dict[str, Any]:
    cols = _headline_columns(d)
    rows = []
    for s in d["systems"]:
        cells = []
        for m in cols:
            ci = fmt_ci(s.get("ci", {}).get(m["key"]), m["format"]) if m["compared"] else ""
            cells.append(
                {
                    "value": fmt(s["metrics"].get(m["key"]), m["format"]),
                    "ci": ci,
                    "best": _is_best(d, m["key"], s["name"]),
                }
            )
        rows.append({"name": s["name"], "kind": s["kind"], "cells": cells})
    reference = None
    if d["kind"] == "summaries":
        ref = d["reference"]
        reference = [fmt(ref.get(m["key"]), m["format"]) if m["key"] in ref else "" for m in cols]
    return {"columns": [m["title"] for m in cols], "rows": rows, "reference": reference}


def _comparisons_view(d: dict[str, Any]) -> list[dict[str, Any]]:
    specs = {m["key"]: m for m in d["metrics"]}
    out = []
    for key, c in d["comparisons"].items():
        spec = specs[key]
        if not spec["compared"] or not c["vs"]:
            continue
        out.append(
            {
                "title": spec["title"],
                "word": "lowest" if spec["higher_is_better"] is False else "best",
                "best": c["best"],
                "value": fmt(c["value"], spec["format"]),
                "vs": [
                    {"system": v["system"], "lead": _lead(v, spec["format"]), "significant": v["significant"]}
                    for v in c["vs"]
                ],
            }
        )
    return out


def _topics_view(d: dict[str, Any]) -> dict[str, Any]:
    header = ["label", "support"]
    for s in d["systems"]:
        header += [f"{s['name']} P", "R", "F1"]
    labels = []
    for j, lab in enumerate(d["labels"]):
        f1s = [s["per_label"][lab]["f1"] for s in d["systems"]]
        top = max((f for f in f1s if f is not None), default=None)
        systems = []
        for s in d["systems"]:
            p = s["per_label"][lab]
            systems.append(
                {
                    "precision": fmt(p["precision"], "f1"),
                    "recall": fmt(p["recall"], "f1"),
                    "f1": fmt(p["f1"], "f1"),
                    "best": len(d["systems"]) > 1 and p["f1"] is not None and p["f1"] == top,
                }
            )
        labels.append({"label": lab, "support": d["support"][j], "systems": systems})
    sweeps = [
        {
            "label": lab,
            "system": s["name"],
            "threshold": fmt(sw.get("threshold"), "f1"),
            "f1": fmt(sw["f1_at_threshold"], "f1"),
            "best_threshold": fmt(sw["best_threshold"], "f1"),
            "best_f1": fmt(sw["best_f1"], "f1"),
        }
        for s in d["systems"]
        for lab, sw in s["threshold_sweep"].items()
    ]
    errors = [
        {
            "system": s["name"],
            "rows": [
                {
                    "id": e["id"],
                    "error": e["error"],
                    "label": e["label"],
                    "score": fmt(e["score"], "f1"),
                    "gold": ", ".join(e["gold"]) or "–",
                    "predicted": ", ".join(e["predicted"]) or "–",
                    "evidence": e.get("evidence") or "–",
                    "text": e["text"],
                }
                for e in s["worst_errors"]
            ],
        }
        for s in d["systems"]
        if s["worst_errors"]
    ]
    return {
        "header": header,
        "labels": labels,
        "sweeps": sweeps,
        "sweep_note": d["settings"]["threshold_sweep"],
        "errors": errors,
        "length": _length_view(d),
        "length_note": LENGTH_NOTE,
    }


def _summaries_view(d: dict[str, Any]) -> dict[str, Any]:
    by_id = {s["name"]: {r["id"]: r for r in s["per_article"]} for s in d["systems"]}
    examples = []
    for ex in d["examples"]:
        rows = []
        for s in d["systems"]:
            r = by_id[s["name"]][ex["id"]]
            rows.append(
                {
                    "system": s["name"],
                    "summary": r["summary"],
                    "rouge": fmt(r["rougeLsum"], "rouge"),
                    "facts": ", ".join(r["facts"]) or "–",
                    "flags": "; ".join(r.get("truth_flags") or []) or "–",
                }
            )
        title = f" — {ex['title']}" if ex.get("title") else ""
        examples.append({"heading": f"{ex['id']}{title}", "reference": ex["reference"], "rows": rows})
    facts = [
        {"system": s["name"], "id": r["id"], "facts": ", ".join(r["facts"]), "summary": r["summary"]}
        for s in d["systems"]
        for r in s["per_article"]
        if r["facts"]
    ]
    return {"examples": examples, "facts": facts[:30]}


def render_html(d: dict[str, Any], plots: dict[str, tuple[str, bytes]] | None = None) -> str:
    """A self-contained HTML page: headline table first (best highlighted), comparisons, plots (base64 PNG),
    details, notes and the exact scoring settings."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    if plots is None:
        from newsdesk.evaluation.plots import make_plots

        plots = make_plots(d)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    return env.get_template(HTML_TEMPLATE).render(
        title=_title(d),
        subtitle=_subtitle(d),
        kind=d["kind"],
        headline=_headline_view(d),
        several=len(d["systems"]) > 1,
        scorer=d["settings"]["scorer"],
        truth_check=truth_check_line(d),
        notes=d["notes"],
        comparisons=_comparisons_view(d),
        plots=[
            {"caption": caption, "png_base64": base64.b64encode(png).decode("ascii")} for caption, png in plots.values()
        ],
        topics=_topics_view(d) if d["kind"] == "topics" else None,
        summaries=_summaries_view(d) if d["kind"] == "summaries" else None,
        settings_json=json.dumps(d["settings"], indent=1, ensure_ascii=False),
        version=__version__,
        stamp=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )


def write_report(d: dict[str, Any], folder: str | Path) -> Path:
    """Write ``report.html``, ``report.md``, ``results.json`` and ``plots/*.png`` into ``folder``."""
    from newsdesk.evaluation.plots import make_plots

    folder = Path(folder)
    (folder / "plots").mkdir(parents=True, exist_ok=True)
    plots = make_plots(d)
    files = {}
    for stem, (caption, png) in plots.items():
        (folder / "plots" / f"{stem}.png").write_bytes(png)
        files[caption] = f"plots/{stem}.png"
    (folder / "report.html").write_text(render_html(d, plots), encoding="utf-8")
    (folder / "report.md").write_text(render_markdown(d, files), encoding="utf-8")
    (folder / "results.json").write_text(json.dumps(d, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return folder / "report.html"
