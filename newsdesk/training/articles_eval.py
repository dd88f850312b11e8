"""Scoring topic models side by side on whole articles (issue #18): the dev sets' tune and report halves
(AllSides with partial labels), NYT 2004, the project's sample articles, the seed article and label rates by
article length; and the whole-article default's model card. Used by :mod:`newsdesk.training.articles` and
``bench/bench_topics.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.errors import NewsdeskError
from newsdesk.models.topics.heads import logit
from newsdesk.training.articles import (
    LABELS,
    RECIPE,
    dev_set,
    ensemble_features,
    length_aware_default,
    set_scores,
    set_short_thresholds,
    train_article_tfidf,
    tune_on_parts,
)
from newsdesk.training.report import fmt

REPO = Path(__file__).resolve().parents[2]


def model_proba(clf: Any, texts: list[str], cache: Path | None, say: Callable[[str], None] = print) -> np.ndarray:
    """``clf.predict_proba(texts)``; an ensemble's encoder features come from ``cache`` when there."""
    ens = clf.model_
    if hasattr(ens, "proba_from_features") and hasattr(ens, "members_"):
        return np.asarray(ens.proba_from_features(ensemble_features(ens, texts, cache, say)), dtype=np.float64)
    return clf.predict_proba(texts)


def short_mask(clf: Any, texts: list[str], cache: Path | None) -> np.ndarray | None:
    ens = clf.model_
    if getattr(ens, "short_weights_", None) is None:
        return None
    X = ensemble_features(ens, texts, cache)
    k = ens._counter()
    return ens.is_short(ens.members_[k].windows_per_text(X.parts[k]))


def evaluate(
    models: dict[str, Any], data_dir: Path, cache: Path | None, say: Callable[[str], None] = print
) -> dict[str, Any]:
    """Per set (and half), per model: scores; plus each set's probabilities, labels and texts for the rest."""
    out: dict[str, Any] = {"sets": {}, "proba": {}, "data": {}}
    for name in ("allsides_dev", "fulltext_dev", "nyt_cap_dev"):
        d = dev_set(data_dir, name)
        out["data"][name] = d
        halves = ["tune", "report"] if name != "nyt_cap_dev" else ["report"]
        out["proba"][name] = {}
        out["sets"][name] = {h: {} for h in halves}
        for m, clf in models.items():
            p = model_proba(clf, d["texts"], cache, say)
            out["proba"][name][m] = p
            pred = clf.labels_from_proba(p)
            for h in halves:
                rows = np.flatnonzero(d["half"] == h)
                out["sets"][name][h][m] = set_scores(
                    [d["labels"][i] for i in rows], [pred[i] for i in rows], partial=d["partial"]
                )
    samples = REPO / "seeds" / "articles.jsonl"
    if samples.is_file():
        recs = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts = [f"{r['title']}\n\n{r['text']}" for r in recs]
        out["sets"]["seeds/articles.jsonl"] = {"all": {}}
        for m, clf in models.items():
            pred = clf.labels_from_proba(model_proba(clf, texts, None, say))
            sc = set_scores([r["labels"] for r in recs], pred, partial=False)
            sc["exact"] = float(np.mean([sorted(p) == sorted(r["labels"]) for p, r in zip(pred, recs, strict=True)]))
            out["sets"]["seeds/articles.jsonl"]["all"][m] = sc
    out["seed_articles"] = {}
    for seed in sorted((data_dir.parent / "seeds").glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        out["seed_articles"][seed.name] = {}
        for m, clf in models.items():
            p = model_proba(clf, [text], None, say)
            out["seed_articles"][seed.name][m] = (clf.labels_from_proba(p)[0], p[0].round(3).tolist())
    return out


def set_table(res: dict[str, Any], models: list[str]) -> str:
    """Markdown: one row per set and half, macro-F1 (defence/foreign_policy/law F1) per model."""
    lines = ["| set | half | " + " | ".join(models) + " |", "|---|---|" + "---|" * len(models)]
    for name, halves in res["sets"].items():
        for h, per_model in halves.items():
            cells = []
            for m in models:
                s = per_model[m]
                per = "/".join(fmt(v["f1"], ".2f") for v in s["labels"].values())
                extra = f", exact set {s['exact']:.0%}" if "exact" in s else ""
                cells.append(f"{fmt(s['macro_f1'])} ({per}{extra})")
            lines.append(f"| {name} | {h} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def length_table(res: dict[str, Any], models: list[str]) -> str:
    """Label rates by article length (word quartiles): predicted rate / gold rate per label, and macro-F1."""
    lines = [
        "| set, word quartile | " + " | ".join(f"{m}: defence / foreign / law, macro-F1" for m in models) + " |",
        "|---|" + "---|" * len(models),
    ]
    for name in ("allsides_dev", "fulltext_dev"):
        d = res["data"][name]
        words = np.array([len(t.split()) for t in d["texts"]])
        edges = np.quantile(words, [0.25, 0.5, 0.75])
        q = np.searchsorted(edges, words, side="right")
        for b in range(4):
            rows = np.flatnonzero(q == b)
            gold = [d["labels"][i] for i in rows]
            cells = []
            for m in models:
                clf_pred = res["pred"][name][m]
                pred = [clf_pred[i] for i in rows]
                rates = " ".join(
                    f"{np.mean([lab in p for p in pred]):.2f}/{np.mean([lab in g for g in gold]):.2f}" for lab in LABELS
                )
                f1 = set_scores(gold, pred, partial=d["partial"])["macro_f1"]
                cells.append(f"{rates}, {fmt(f1)}")
            lo, hi = words[rows].min(), words[rows].max()
            lines.append(f"| {name} Q{b + 1} {lo}–{hi} w ({len(rows)}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def with_predictions(res: dict[str, Any], models: dict[str, Any]) -> dict[str, Any]:
    res["pred"] = {
        name: {m: models[m].labels_from_proba(p) for m, p in per.items()} for name, per in res["proba"].items()
    }
    return res


def write_default_card(
    out: Path,
    clf: Any,
    headline: Any,
    data_dir: Path,
    files: dict[str, str],
    feats: Any,
    cache: Path | None,
    counts: dict[str, int],
    say: Callable[[str], None] = print,
) -> Path:
    """MODEL_CARD.md of the whole-article default, every figure beside the previous default's (same run)."""
    from newsdesk.models.topics.classifier import TopicClassifier
    from newsdesk.training.model_card import write_model_card

    models = {"default (this model)": clf, "previous default (headline model)": headline}
    models["tfidf"] = TopicClassifier.load("tfidf")
    res = with_predictions(evaluate(models, data_dir, cache, say), models)
    names = list(models)
    table = set_table(res, names)
    say(table)
    seeds = "\n".join(
        f"- `{seed}`: " + "; ".join(f"{m} {labs} (scores {sc})" for m, (labs, sc) in per.items())
        for seed, per in res["seed_articles"].items()
    )
    say(seeds)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "MODEL_CARD.md")
    short_t = [round(float(t), 3) for t in headline.thresholds_]
    r = RECIPE
    summary = (
        "Topics for whole articles and for headlines, by length. Three members, combined per label in logit space: "
        "(1) all-MiniLM-L6-v2 with a LoRA adapter and a head per label and (2) a word 1–2-gram tf-idf model, both "
        "learnt from NYT/CAP headlines and kept unchanged from the previous default (the *headline model*); (3) an "
        f"*article tf-idf* member: word 1–2-grams (sublinear, min_df {r['tfidf']['min_df']}, "
        f"{r['tfidf']['max_features']:,} features, British spellings mapped to US), one logistic regression per "
        f"label (C={r['C']:g}) on {counts['nyt_rows']:,} NYT/CAP rows and {counts['allsides_rows']:,} AllSides "
        f"articles (NYT {r['nyt_share']:.0%} of each label's loss weight; AllSides labels are partial, so label X "
        "trains on its positives and the `[]` rows; CAP counter-drug action abroad remapped to foreign_policy, and "
        f"defence when the military acts: {counts['nyt_remapped']} rows). A text that fits in one 128-token encoder "
        "window (a headline, a short paragraph) is scored exactly as by the previous default (weights ½ MiniLM + ½ "
        f"headline tf-idf, thresholds {short_t}, applied as a logit shift so the thresholds below decide); a longer "
        f"text by {r['minilm_weight']:g} MiniLM + {1 - r['minilm_weight']:g} article tf-idf with the thresholds "
        "below. One MiniLM pass per window, as before; the tf-idf members add about 1–2 % to it. "
        f"Size {size / 1e6:.1f} MB (safetensors + JSON, no pickle); the encoder comes from the pinned package."
    )
    scores = {
        "Test: nyt_cap_dev.jsonl (2004) — this model (one-line texts: the previous default's labels)": res["sets"][
            "nyt_cap_dev"
        ]["report"][names[0]],
        "Report half of allsides_dev.jsonl (partial-label F1) — this model": res["sets"]["allsides_dev"]["report"][
            names[0]
        ],
        "Report half of fulltext_dev.jsonl — this model": res["sets"]["fulltext_dev"]["report"][names[0]],
    }
    sections = {
        "Same-run comparison (macro-F1; per label defence/foreign_policy/law)": (
            "Every figure beside the previous default (the headline model, still reachable as the `headline` recipe) "
            "and the shipped `tfidf`, scored in the same run (encoder dtype `auto`). Halves: `sha256(id)` even = "
            "*tune* (chose the long-text thresholds: optimistic), odd = *report* (never used to choose anything). "
            "allsides_dev is scored with partial labels (label X on its positives and the `[]` rows), the rest as "
            "multi-label sets.\n\n" + table
        ),
        "Seed article": seeds,
        "Label rates by article length": (
            "Predicted rate / gold rate per label and macro-F1, per word quartile (AllSides gold is partial, so its "
            "gold rate is a lower bound).\n\n" + length_table(res, names[:2])
        ),
        "Known misses": (
            "The project's sample articles (`seeds/articles.jsonl`, invented, British-spelled) lose defence against "
            "the previous default (see the table): a veterans' clinic, a defence-budget analysis, an air-force flight "
            "school and an alliance-ministers story score 0.16–0.48 against a 0.52 threshold, because the article "
            "tf-idf member scores them 0.10–0.46 (MiniLM 0.43–0.89). Mapping British spellings to US ones "
            '(`spelling="us"`) was meant to fix this and does not: the research candidate without it scored the same '
            '0.837 (defence 0.78); the member\'s weights lean on other words ("budget" weighs -5.3 for defence). Not '
            "tuned away on these 37 samples or on the report halves."
        ),
        "Training and tuning data": (
            "NYT front-page stories 1996–2003 hand-coded with Comparative Agendas Project topics (Boydstun, *Making "
            "the News*, 2013; text = headline + one-line description; `labels_extended`); AllSides articles "
            "2012–2018 (`allsides_train.jsonl`, single-topic partial labels); thresholds for long texts tuned on the "
            "tune halves of allsides_dev.jsonl (2019) and fulltext_dev.jsonl (CNN/DM and XSum articles labelled "
            "with `docs/labelling-guide.md`). The guide, not CAP, defines the labels: where CAP's coding disagrees "
            "(counter-drug military operations abroad), the training labels were remapped as above."
        ),
        "Limits": (
            "The report halves are small (fulltext: 103 articles, 6 defence and 11 foreign_policy positives; one "
            "article moves a label's F1 by about 0.05). AllSides 2019 is not 2020: a tf-idf model trained on "
            "AllSides alone loses about 0.09 from 2019 to 2020, so expect less on newer articles. One-line texts "
            "(headlines, bill titles) get the previous default's labels and its limits (NYT 2005–06 0.777). "
            "Evidence passages (`explain`) are one to three sentences, so they are scored as short texts, with the "
            "headline weights."
        ),
    }
    data = [
        {"name": "nyt_cap_train.jsonl", "sha256": files["nyt_cap_train.jsonl"], "use": "training (all rows)"},
        {"name": "allsides_train.jsonl", "sha256": files["allsides_train.jsonl"], "use": "training (all rows)"},
        {
            "name": "allsides_dev.jsonl",
            "sha256": files["allsides_dev.jsonl"],
            "use": "thresholds: tune half (sha256(id) even); report half: scores only",
        },
        {
            "name": "fulltext_dev.jsonl",
            "sha256": files["fulltext_dev.jsonl"],
            "use": "thresholds: tune half (sha256(id) even); report half: scores only",
        },
        {"name": "nyt_cap_dev.jsonl", "sha256": files["nyt_cap_dev.jsonl"], "use": "test only (2004)"},
    ]
    return write_model_card(
        out,
        clf,
        title="newsdesk topic model `default`",
        summary=summary,
        recipe=(
            "python -m newsdesk.training.shipped default --data-dir ../shared/data "
            "--out newsdesk/data/models/topics-default --headline build/topics-headline\n"
            "# --headline: the previous default, rebuilt there first when the folder is empty "
            "(`python -m newsdesk.training.shipped headline`, ~40 min); --cache DIR keeps the encoder's window "
            "features between runs"
        ),
        data=data,
        scores=scores,
        sections=sections,
    )


def build_default(
    data_dir: Path,
    out: Path,
    *,
    headline_dir: Path,
    cache: Path | None = None,
    say: Callable[[str], None] = print,
) -> Any:
    """Build the whole-article default into ``out`` (model + MODEL_CARD.md); see the module doc."""
    from newsdesk.assets import file_sha256
    from newsdesk.models.topics.classifier import MODEL_FILE, TopicClassifier
    from newsdesk.training.default_recipe import CHUNK_OVERLAP, CHUNK_TOKENS

    if not (headline_dir / MODEL_FILE).is_file():
        raise NewsdeskError(
            f"no headline model in {headline_dir}; build it: python -m newsdesk.training.shipped headline"
        )
    headline = TopicClassifier.load(headline_dir)
    article, counts = train_article_tfidf(data_dir, say=say)
    ens = length_aware_default(headline, article)
    clf = TopicClassifier("ensemble", labels=LABELS, chunk_tokens=CHUNK_TOKENS, chunk_overlap=CHUNK_OVERLAP)
    clf.model_, clf.labels_ = ens, list(LABELS)

    # Thresholds for long texts: the tune halves, on the texts the long weights decide.
    feats, parts = {}, []
    for name in ("allsides_dev", "fulltext_dev"):
        d = dev_set(data_dir, name)
        X = ensemble_features(ens, d["texts"], cache, say)
        feats[name] = (d, X)
        k = ens._counter()
        long = ~ens.is_short(ens.members_[k].windows_per_text(X.parts[k]))
        z = logit(ens.proba_from_features(X))
        rows = np.flatnonzero((d["half"] == "tune") & long)
        parts.append(([d["labels"][i] for i in rows], z[rows], d["partial"]))
        say(f"{name}: {len(d['texts'])} texts, {int((~long).sum())} fit in one window; tuning on {len(rows)}")
    th = 1.0 / (1.0 + np.exp(-tune_on_parts(parts)))
    set_short_thresholds(ens, th, headline.thresholds_)
    clf.thresholds_ = th
    clf.info_ = {
        "recipe": RECIPE,
        "members": [
            "headline model's MiniLM+LoRA member (unchanged)",
            "headline model's tf-idf member (unchanged)",
            "article tf-idf member",
        ],
        "trained_on": counts,
        "thresholds_tuned_on": (
            "texts longer than one encoder window: the tune halves (sha256(id) even) of allsides_dev.jsonl "
            "(partial-label F1) and fulltext_dev.jsonl, equal weight; texts that fit in one window keep the headline "
            f"model's thresholds {[round(float(t), 6) for t in headline.thresholds_]} (as the ensemble's logit shift)"
        ),
        "short_text_thresholds": [round(float(t), 6) for t in headline.thresholds_],
        "headline_info": headline.info_,
    }
    clf.save(out)
    say(f"thresholds (long texts) {np.round(th, 3).tolist()}; saved to {out}")
    files = {
        f: file_sha256(data_dir / "topics" / f)
        for f in ("nyt_cap_train.jsonl", "allsides_train.jsonl", "allsides_dev.jsonl", "fulltext_dev.jsonl")
    }
    files["nyt_cap_dev.jsonl"] = file_sha256(data_dir / "topics" / "nyt_cap_dev.jsonl")
    write_default_card(out, clf, headline, data_dir, files, feats, cache, counts, say=say)
    return clf
