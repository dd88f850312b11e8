"""Rebuild the models shipped in ``newsdesk/data/models`` from the reference data (fixed seeds).

    python -m newsdesk.training.shipped tfidf    [--data-dir ../shared/data] [--out DIR]
    python -m newsdesk.training.shipped headline [--data-dir ../shared/data] [--out build/topics-headline]
    python -m newsdesk.training.shipped default  [--data-dir ../shared/data] [--out DIR] [--headline DIR] [--cache DIR]

``tfidf`` and ``headline`` (the default before issue #18: MiniLM + LoRA and tf-idf, one-line NYT texts) train on
``topics/nyt_cap_train.jsonl`` (target ``labels_extended``) minus its last year (2003), tune the per-label thresholds
on that last year, and report ``topics/nyt_cap_dev.jsonl`` (2004) as a clean test. ``default`` keeps the headline
model (``--headline DIR``, built there when empty) for texts that fit in one encoder window and adds a tf-idf member
learnt from NYT and AllSides articles for longer ones (:mod:`newsdesk.training.articles`). Each writes MODEL_CARD.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.assets import file_sha256
from newsdesk.models.topics.classifier import MODEL_FILE, TopicClassifier, shipped_dir
from newsdesk.models.topics.training_args import TrainingArgs
from newsdesk.training.data import LabelledData
from newsdesk.training.model_card import write_model_card
from newsdesk.training.report import fmt, label_scores

LABELS = ["defence", "foreign_policy", "law"]
DEFAULT_NOTES = {
    "How long articles are read (and why)": (
        "Window size and pooling were chosen on full-length text, not on the one-line training data: 64-, 128- and "
        "256-token windows × mean / log-mean-exp / max pooling, compared on label rates of the 200 CNN/DM and XSum "
        "dev articles (no topic labels: rates and spot checks) and F1 on the project's 37 labelled sample articles "
        "(`python bench/bench_topics.py --pooling-study`, table in bench/RESULTS.md). Mean pooling drowns a topic "
        "that fills part of an article (samples F1 0.83–0.88); 256-token windows were no better than 128 and cost "
        "more attention; 64-token ones cost more windows and tagged more XSum stories. Max pooling at 128 tokens "
        "scored highest on the samples (0.93 vs 0.90) "
        "but its false positives grow with article length, and on the MiniLM member alone its extra labels were "
        "mostly wrong in spot checks (a golfer → law, a zoo accident → defence). 128-token windows with "
        "log-mean-exp at τ=0.5 are the trade-off; nothing is cut: every token is in a window."
    ),
    "Known misses": (
        "- The seed article (the president directs the military against Latin American drug cartels) gets defence "
        "and law but not foreign_policy (score 0.05): CAP coders file US counter-drug action abroad mostly under "
        "Law and Crime (1203; e.g. 25 of the 46 training stories about Colombia are law-only), so the model has "
        "not learnt to call it foreign policy. tests/test_classifier_default.py keeps this as a strict xfail.\n"
        "- CAP files other countries' domestic news under International Affairs, so British politics and "
        "foreign human-interest stories often get foreign_policy (XSum: 24% of articles).\n"
        "- Macro-F1 on 2004 is 0.814, short of the 0.82 target; law (152 test rows) is the weak label. Tried, with "
        "every choice made on the 2003 slice (stage-1 models; thresholds and weights cross-fitted in 5 folds): tf-idf "
        "C 1–16, unbalanced classes, 1–3-grams, min_df 1, char_wb 2–5-grams (instead of, beside or as a third member "
        "to the word n-grams), member weights (global or per label), a logistic regression on the members' logits. "
        "On 2003 none beats this recipe by more than the slice's noise (about ±0.005 macro-F1), and the one 2003 ranks "
        "first (char 2–5-grams instead of words, 0.856 vs 0.850) scores 0.807 on 2004. A logistic regression over "
        "both members' logits for all three labels, first on 2003 by average precision, scores 0.827 on 2004, but "
        "its cross-label terms, learnt on one-line texts, do not carry to whole articles: the seed article loses "
        "law (0.40) and the sample articles' law F1 falls from 0.90 to 0.77, so it is not shipped. The training seed "
        "alone moves 2004 by as much as the gap: this recipe with seed 1 instead of 0 scores 0.820 (2003 cross-fitted "
        "0.844 against 0.850, so 2003 prefers seed 0), and averaging the two seeds' MiniLM members scores 0.811.\n"
        "- Joining two training texts under both labels (so that windows mixing two topics score both) lifts the "
        "seed article's foreign_policy to 0.47–0.52, but makes whole articles get far more labels (CNN/DM "
        "foreign_policy 25–44% instead of 10%) and costs 2004 0.03: not shipped (bench/RESULTS.md)."
    ),
}
TARGET = "labels_extended"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def load_nyt(data_dir: Path) -> tuple[LabelledData, LabelledData, LabelledData]:
    """(train: all years but the last, tune: the last year of the train file, test: the dev file)."""

    def rows(name: str) -> list[dict[str, Any]]:
        with open(data_dir / "topics" / name, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def as_data(rs: list[dict[str, Any]], source: str) -> LabelledData:
        return LabelledData([r["text"] for r in rs], [list(r[TARGET]) for r in rs], [r["id"] for r in rs], source)

    train = rows("nyt_cap_train.jsonl")
    last = max(r["year"] for r in train)
    return (
        as_data([r for r in train if r["year"] < last], f"nyt_cap_train.jsonl (years < {last})"),
        as_data([r for r in train if r["year"] == last], f"nyt_cap_train.jsonl (year {last})"),
        as_data(rows("nyt_cap_dev.jsonl"), "nyt_cap_dev.jsonl"),
    )


def full_article_behaviour(clf: TopicClassifier, data_dir: Path) -> tuple[str, dict[str, Any]]:
    """Label rates on the 200 full-length CNN/DM + XSum dev articles and the seed article's labels and scores."""
    lines, stats = [], {}
    for name in ("cnndm_dev.jsonl", "xsum_dev.jsonl"):
        path = data_dir / "summaries" / name
        if not path.is_file():
            continue
        texts = [json.loads(line)["text"] for line in open(path, encoding="utf-8") if line.strip()]
        t0 = time.perf_counter()
        proba = clf.predict_proba(texts)
        secs = time.perf_counter() - t0
        pred = clf.labels_from_proba(proba)
        rates = {lab: float(np.mean([lab in p for p in pred])) for lab in clf.labels_}
        none = float(np.mean([not p for p in pred]))
        words = float(np.mean([len(t.split()) for t in texts]))
        stats[name] = {"rates": rates, "none": none, "words": words, "seconds": secs}
        lines.append(
            f"- `{name}` ({len(texts)} articles, {words:.0f} words on average): "
            + ", ".join(f"{lab} {r:.0%}" for lab, r in rates.items())
            + f", no label {none:.0%}"
        )
    samples = REPO / "seeds" / "articles.jsonl"
    if samples.is_file():
        recs = [json.loads(line) for line in samples.read_text(encoding="utf-8").splitlines() if line.strip()]
        pred = clf.predict([f"{r['title']}\n\n{r['text']}" for r in recs])
        sc = label_scores([r["labels"] for r in recs], pred, clf.labels_)
        exact = np.mean([sorted(p) == sorted(r["labels"]) for p, r in zip(pred, recs, strict=True)])
        stats["seeds/articles.jsonl"] = sc
        lines.append(
            f"- the project's labelled sample articles `seeds/articles.jsonl` ({len(recs)} articles, "
            f"{np.mean([len(r['text'].split()) for r in recs]):.0f} words on average): {macro_line(sc)}; "
            f"exact label set {exact:.0%}"
        )
    seeds = sorted((data_dir.parent / "seeds").glob("*.txt"))
    for seed in seeds:
        text = seed.read_text(encoding="utf-8")
        proba = clf.predict_proba([text])
        scores = ", ".join(f"{lab} {p:.2f}" for lab, p in zip(clf.labels_, proba[0], strict=True))
        lines.append(
            f"- seed article `{seed.name}` ({len(text.split())} words): labels "
            f"{clf.labels_from_proba(proba)[0]} (scores {scores})"
        )
    return "\n".join(lines), stats


def build(
    which: str,
    data_dir: Path,
    out: Path,
    *,
    refit: bool = True,
    stage1: Path | None = None,
    final: Path | None = None,
    say=print,
) -> TopicClassifier:
    """Stage 1: train on the years before the last, tune thresholds on the last year. Stage 2 (``refit``): train
    the same configuration on all years and keep stage 1's thresholds. The dev file (2004) scores both, unseen.

    ``stage1``/``final``: a folder to save that stage's model to, or to load it from when it already holds one
    (skips that training; the rest — thresholds, scores, card — is computed the same way).
    """
    train, tune, test = load_nyt(data_dir)

    def make() -> tuple[TopicClassifier, str]:
        if which == "tfidf":
            return TopicClassifier("tfidf", labels=LABELS, args=TrainingArgs(C=4.0, seed=0)), (
                "Word 1–2-gram TF-IDF (sublinear tf, min_df 2) and one L2 logistic regression per label (C=4, "
                'balanced class weights). Tiny and fast: `TopicClassifier.load("tfidf")` / `newsdesk classify '
                "--model tfidf`."
            )
        if which == "headline":
            from newsdesk.training.default_recipe import default_classifier

            return default_classifier(LABELS)
        raise SystemExit(f"unknown model {which!r}; use tfidf or headline")

    clf1, summary = make()
    t0 = time.perf_counter()
    if stage1 is not None and (stage1 / MODEL_FILE).is_file():
        clf1 = TopicClassifier.load(stage1)
        say(f"stage 1: reusing {stage1}")
    else:
        clf1.fit(train.texts, train.labels, tune_texts=tune.texts, tune_labels=tune.labels)
        clf1.info_["thresholds_tuned_on"] = f"{tune.source}, {len(tune)} rows (held out from training)"
        clf1.info_["training_data"] = train.source
        say(f"stage 1 trained in {time.perf_counter() - t0:.0f}s; thresholds {np.round(clf1.thresholds_, 3).tolist()}")
        if stage1 is not None:
            clf1.save(stage1)
    stage1_scores = label_scores(test.labels, clf1.predict(test.texts), LABELS)
    tune_scores = label_scores(tune.labels, clf1.predict(tune.texts), LABELS)
    say(f"stage 1 test (2004) {macro_line(stage1_scores)}")
    scores = {
        f"Test: nyt_cap_dev.jsonl (2004) — stage 1 (trained on {train.source}); clean": stage1_scores,
        f"Tuning slice: {tune.source}, stage 1 (thresholds tuned here: optimistic)": tune_scores,
    }
    if refit:
        if final is not None and (final / MODEL_FILE).is_file():
            clf = TopicClassifier.load(final)
            say(f"final: reusing {final}")
        else:
            clf, _ = make()
            clf.fit(train.texts + tune.texts, train.labels + tune.labels, args=clf.args.replace(holdout=0.0))
            if final is not None:
                clf.save(final)
        clf.thresholds_ = clf1.thresholds_.copy()
        clf.info_["thresholds_tuned_on"] = (
            f"{tune.source}, {len(tune)} rows, with the stage-1 model trained on {train.source}; this model is "
            "the same configuration retrained on all years (1996–2003) and keeps those thresholds"
        )
        clf.info_["training_data"] = "nyt_cap_train.jsonl (all years)"
        final_scores = label_scores(test.labels, clf.predict(test.texts), LABELS)
        say(f"final (refit on all years) test (2004) {macro_line(final_scores)}")
        scores = {
            "Test: nyt_cap_dev.jsonl (2004), labels_extended — the shipped model; clean (never used to train or "
            "tune)": final_scores,
            **scores,
        }
    else:
        clf, final_scores = clf1, stage1_scores
    clf.info_["dev_scores"] = {**final_scores, "data": test.source, "thresholds_tuned_on_this_data": False}
    clf.save(out)
    behaviour, _ = full_article_behaviour(clf, data_dir)
    say(behaviour)
    topics = data_dir / "topics"
    write_model_card(
        out,
        clf,
        title=f"newsdesk topic model `{which}`",
        summary=summary,
        recipe=f"python -m newsdesk.training.shipped {which} --data-dir ../shared/data --out {_shown(out)}"
        + ("" if refit else " --no-refit"),
        data=[
            {
                "name": "nyt_cap_train.jsonl",
                "sha256": file_sha256(topics / "nyt_cap_train.jsonl"),
                "use": f"stage 1: training (years < 2003, {len(train)} rows), threshold tuning (2003, {len(tune)} "
                "rows)" + ("; shipped model: training on all rows" if refit else ""),
            },
            {
                "name": "nyt_cap_dev.jsonl",
                "sha256": file_sha256(topics / "nyt_cap_dev.jsonl"),
                "use": f"test only (2004, {len(test)} rows)",
            },
        ],
        scores=scores,
        sections={
            "Training data": (
                "New York Times front-page stories 1996–2004 hand-coded with Comparative Agendas Project major "
                "topics (Amber E. Boydstun, *Making the News*, 2013; CAP codebook). Text = headline + the coder's "
                "one-line description. `labels_extended` maps CAP 16 → defence, 19 → foreign_policy, 12 → law, plus "
                "cross-labels from subtopics (1602/1605/1606/1619 → foreign_policy, 1620 → law). Research use; cite "
                "Boydstun and CAP."
            ),
            "Full-length articles": (
                "Training texts are one-line; users send whole articles. Behaviour on full-length news (no labels "
                "exist for these, so rates and spot checks only):\n\n" + behaviour
            ),
            **(DEFAULT_NOTES if which == "headline" else {}),
            "Limits": (
                "US front-page news of 1996–2004: later topics and vocabulary (and non-US outlets) are out of "
                "distribution. CAP is single-topic; `labels_extended` adds only the listed cross-labels, so an "
                "article that is law *and* foreign policy in other ways counts as one of them in the test data."
            ),
        },
    )
    return clf


def macro_line(scores: dict[str, Any]) -> str:
    per = ", ".join(f"{k} {fmt(v['f1'])}" for k, v in scores["labels"].items())
    return f"macro-F1 {fmt(scores['macro_f1'])} ({per})"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("which", choices=["tfidf", "headline", "default"])
    p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA, help="the shared data folder (topics/, summaries/)")
    p.add_argument(
        "--out", type=Path, default=None, help="default: the shipped folder in the package (headline: build/...)"
    )
    p.add_argument(
        "--headline",
        type=Path,
        default=REPO / "build" / "topics-headline",
        help="default: the headline model to keep for short texts (built here first when the folder is empty)",
    )
    p.add_argument("--cache", type=Path, default=None, help="default: keep the encoder's window features here")
    p.add_argument("--no-refit", action="store_true", help="ship stage 1 (trained without the last year)")
    p.add_argument("--stage1", type=Path, default=None, help="folder to save stage 1 to, or reuse it from")
    p.add_argument("--final", type=Path, default=None, help="folder to save the refit model to, or reuse it from")
    a = p.parse_args(argv)
    if not (a.data_dir / "topics" / "nyt_cap_train.jsonl").is_file():
        print(f"no topics/nyt_cap_train.jsonl under {a.data_dir}; pass --data-dir", file=sys.stderr)
        return 2
    if a.which == "default":
        from newsdesk.training.articles_eval import build_default

        if not (a.headline / MODEL_FILE).is_file():
            print(f"no headline model in {a.headline}: building it (the previous default's recipe, ~40 min)")
            build("headline", a.data_dir, a.headline)
        build_default(a.data_dir, a.out or shipped_dir("default"), headline_dir=a.headline, cache=a.cache)
        return 0
    out = a.out or (REPO / "build" / "topics-headline" if a.which == "headline" else shipped_dir(a.which))
    build(a.which, a.data_dir, out, refit=not a.no_refit, stage1=a.stage1, final=a.final)
    return 0


if __name__ == "__main__":
    sys.exit(main())
