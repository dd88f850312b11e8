"""Reports from a result dict (``Evaluation.to_dict()``): a terminal table, Markdown, and a self-contained HTML
page with the plots embedded."""

from __future__ import annotations

import base64
import datetime as _dt
import html
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
    else:
        out += ["", "scorer: " + d["settings"]["scorer"]]
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
        for s in d["systems"]:
            errs = s["worst_errors"][:MD_ERRORS]
            if errs:
                rows = [
                    [e["id"], e["error"], e["label"], fmt(e["score"], "f1"), ", ".join(e["gold"]) or "–", e["text"]]
                    for e in errs
                ]
                out += [f"## Most confident mistakes — {s['name']}", ""]
                out += [_md_table(["id", "error", "label", "score", "gold", "text"], rows), ""]
    if plot_files:
        out += ["## Plots", ""]
        out += [f"![{caption}]({path})" for caption, path in plot_files.items()]
        out.append("")
    if d["notes"]:
        out += ["## Notes", "", *(f"- {n}" for n in d["notes"]), ""]
    out += ["## Settings", "", "```json", json.dumps(d["settings"], indent=1, ensure_ascii=False), "```", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------- HTML

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;max-width:1180px;
margin:2em auto;padding:0 1.2em}
h1{font-size:1.6em;margin-bottom:.1em}
h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.sub{color:#59636e;margin-top:0}
table{border-collapse:collapse;margin:.6em 0;font-variant-numeric:tabular-nums}
th,td{padding:.35em .7em;border-bottom:1px solid #e5e7eb;text-align:right;vertical-align:top}
th{background:#f6f8fa;font-weight:600} td:first-child,th:first-child{text-align:left}
td.best{background:#dafbe1;font-weight:700} td.text{text-align:left;max-width:520px;font-size:.9em}
.ci{display:block;color:#6e7781;font-size:.78em;font-weight:400}
.headline td{font-size:1.08em} tr.ref td{color:#6e7781;font-style:italic}
.yes{color:#1a7f37;font-weight:600} .no{color:#9a6700}
figure{margin:1.2em 0} figure img{max-width:100%;border:1px solid #eee} figcaption{color:#59636e;font-size:.9em}
.note{background:#fff8c5;padding:.5em .8em;border-radius:6px;margin:.4em 0}
.scorer{background:#f6f8fa;padding:.6em .9em;border-radius:6px;font-size:.92em}
code{background:#f6f8fa;padding:0 .25em;border-radius:4px}
"""


def _e(x: Any) -> str:
    return html.escape(str(x))


def _html_table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(rows_cell for rows_cell in r) + "</tr>" for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _headline_html(d: dict[str, Any]) -> str:
    cols = _headline_columns(d)
    rows = []
    for s in d["systems"]:
        cells = [f"<td><b>{_e(s['name'])}</b><span class='ci'>{_e(s['kind'])}</span></td>"]
        for m in cols:
            value = fmt(s["metrics"].get(m["key"]), m["format"])
            ci = fmt_ci(s.get("ci", {}).get(m["key"]), m["format"]) if m["compared"] else ""
            best = _is_best(d, m["key"], s["name"])
            cells.append(
                f"<td class='{'best' if best else ''}'>{_e(value)}"
                + (f"<span class='ci'>{_e(ci)}</span>" if ci else "")
                + "</td>"
            )
        rows.append(cells)
    if d["kind"] == "summaries":
        ref = d["reference"]
        rows.append(
            ["<td>reference<span class='ci'>gold summaries</span></td>"]
            + [f"<td>{_e(fmt(ref.get(m['key']), m['format'])) if m['key'] in ref else ''}</td>" for m in cols]
        )
    table = _html_table(["system", *[m["title"] for m in cols]], rows, "headline")
    if d["kind"] == "summaries":
        table = table.replace("<tr><td>reference", "<tr class='ref'><td>reference")
    return table


def _comparisons_html(d: dict[str, Any]) -> str:
    specs = {m["key"]: m for m in d["metrics"]}
    items = []
    for key, c in d["comparisons"].items():
        spec = specs[key]
        if not spec["compared"] or not c["vs"]:
            continue
        parts = []
        for v in c["vs"]:
            verdict = (
                "<span class='yes'>clear difference</span>"
                if v["significant"]
                else "<span class='no'>within noise</span>"
            )
            parts.append(f"vs {_e(v['system'])}: {_e(_lead(v, spec['format']))} — {verdict}")
        word = "lowest" if spec["higher_is_better"] is False else "best"
        items.append(
            f"<li><b>{_e(spec['title'])}</b>: {word} <b>{_e(c['best'])}</b> "
            f"({_e(fmt(c['value'], spec['format']))}); " + "; ".join(parts) + "</li>"
        )
    if not items:
        return ""
    return (
        "<h2>Are the differences real?</h2><p class='sub'>Paired bootstrap of the difference between the best "
        "system and each other one, on the same resamples of the articles.</p><ul>" + "".join(items) + "</ul>"
    )


def _figure_html(caption: str, png: bytes) -> str:
    b64 = base64.b64encode(png).decode("ascii")
    img = f'<img alt="{_e(caption)}" src="data:image/png;base64,{b64}">'
    return f"<figure>{img}<figcaption>{_e(caption)}</figcaption></figure>"


def _topics_detail_html(d: dict[str, Any]) -> str:
    out = ["<h2>Per label</h2>"]
    header = ["label", "support"]
    for s in d["systems"]:
        header += [f"{s['name']} P", "R", "F1"]
    rows = []
    for j, lab in enumerate(d["labels"]):
        cells = [f"<td>{_e(lab)}</td>", f"<td>{d['support'][j]}</td>"]
        f1s = [s["per_label"][lab]["f1"] for s in d["systems"]]
        top = max((f for f in f1s if f is not None), default=None)
        for s in d["systems"]:
            p = s["per_label"][lab]
            best = len(d["systems"]) > 1 and p["f1"] is not None and p["f1"] == top
            cells += [
                f"<td>{fmt(p['precision'], 'f1')}</td>",
                f"<td>{fmt(p['recall'], 'f1')}</td>",
                f"<td class='{'best' if best else ''}'>{fmt(p['f1'], 'f1')}</td>",
            ]
        rows.append(cells)
    out.append(_html_table(header, rows))
    sweep_rows = [
        [
            f"<td>{_e(lab)}</td>",
            f"<td>{_e(s['name'])}</td>",
            f"<td>{fmt(sw.get('threshold'), 'f1')}</td>",
            f"<td>{fmt(sw['f1_at_threshold'], 'f1')}</td>",
            f"<td>{fmt(sw['best_threshold'], 'f1')}</td>",
            f"<td>{fmt(sw['best_f1'], 'f1')}</td>",
        ]
        for s in d["systems"]
        for lab, sw in s["threshold_sweep"].items()
    ]
    if sweep_rows:
        out.append(f"<h2>Thresholds</h2><p class='sub'>{_e(d['settings']['threshold_sweep'])}.</p>")
        out.append(_html_table(["label", "system", "threshold", "F1", "best threshold", "F1 there"], sweep_rows))
    for s in d["systems"]:
        errs = s["worst_errors"]
        if not errs:
            continue
        out.append(f"<h2>Most confident mistakes — {_e(s['name'])}</h2>")
        rows = [
            [
                f"<td>{_e(e['id'])}</td>",
                f"<td>{_e(e['error'])}</td>",
                f"<td>{_e(e['label'])}</td>",
                f"<td>{fmt(e['score'], 'f1')}</td>",
                f"<td class='text'>{_e(', '.join(e['gold']) or '–')}</td>",
                f"<td class='text'>{_e(', '.join(e['predicted']) or '–')}</td>",
                f"<td class='text'>{_e(e['text'])}</td>",
            ]
            for e in errs
        ]
        out.append(_html_table(["id", "error", "label", "score", "gold", "predicted", "text"], rows))
    return "".join(out)


def _summaries_detail_html(d: dict[str, Any]) -> str:
    out = []
    by_id = {s["name"]: {r["id"]: r for r in s["per_article"]} for s in d["systems"]}
    if d["examples"]:
        out.append("<h2>Examples</h2>")
        for ex in d["examples"]:
            rows = [["<td>reference</td>", f"<td class='text'>{_e(ex['reference'])}</td>", "<td></td>", "<td></td>"]]
            for s in d["systems"]:
                r = by_id[s["name"]][ex["id"]]
                facts = ", ".join(r["facts"]) or "–"
                rows.append(
                    [
                        f"<td>{_e(s['name'])}</td>",
                        f"<td class='text'>{_e(r['summary'])}</td>",
                        f"<td>{fmt(r['rougeLsum'], 'rouge')}</td>",
                        f"<td class='text'>{_e(facts)}</td>",
                    ]
                )
            title = f" — {ex['title']}" if ex.get("title") else ""
            out.append(f"<h3>{_e(ex['id'])}{_e(title)}</h3>")
            out.append(_html_table(["", "summary", "R-Lsum", "unsupported"], rows))
    fact_rows = []
    for s in d["systems"]:
        for r in s["per_article"]:
            if r["facts"]:
                fact_rows.append(
                    [
                        f"<td>{_e(s['name'])}</td>",
                        f"<td>{_e(r['id'])}</td>",
                        f"<td class='text'>{_e(', '.join(r['facts']))}</td>",
                        f"<td class='text'>{_e(r['summary'])}</td>",
                    ]
                )
    if fact_rows:
        out.append(
            "<h2>Unsupported names and numbers</h2><p class='sub'>Found in the summary, not supported by the "
            "article (newsdesk.models.summaries.facts.unsupported_facts). First 30.</p>"
        )
        out.append(_html_table(["system", "id", "unsupported", "summary"], fact_rows[:30]))
    return "".join(out)


def render_html(d: dict[str, Any], plots: dict[str, tuple[str, bytes]] | None = None) -> str:
    """A self-contained HTML page: headline table first (best highlighted), comparisons, plots (base64 PNG),
    details, notes and the exact scoring settings."""
    if plots is None:
        from newsdesk.evaluation.plots import make_plots

        plots = make_plots(d)
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{_e(_title(d))}</title><style>{CSS}</style></head><body>",
        f"<h1>{_e(_title(d))}</h1><p class='sub'>{_e(_subtitle(d))}</p>",
        _headline_html(d),
    ]
    if len(d["systems"]) > 1:
        parts.append("<p class='sub'>Best per metric highlighted; small print: 95 % bootstrap interval.</p>")
    if d["kind"] == "summaries":
        parts.append(f"<p class='scorer'><b>Scorer:</b> {_e(d['settings']['scorer'])}.</p>")
    else:
        parts.append(f"<p class='scorer'><b>Scores:</b> {_e(d['settings']['scorer'])}.</p>")
    parts += [f"<div class='note'>{_e(n)}</div>" for n in d["notes"]]
    parts.append(_comparisons_html(d))
    if plots:
        parts.append("<h2>Plots</h2>" + "".join(_figure_html(caption, png) for caption, png in plots.values()))
    parts.append(_topics_detail_html(d) if d["kind"] == "topics" else _summaries_detail_html(d))
    parts.append("<h2>Settings</h2><pre>" + _e(json.dumps(d["settings"], indent=1, ensure_ascii=False)) + "</pre>")
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    parts.append(f"<p class='sub'>newsdesk {__version__}, {stamp}. Full results: results.json.</p></body></html>")
    return "".join(parts)


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
