"""Topic classifier benchmark: whole articles, NYT/CAP dev, few-shot new labels, speed on full-length articles.

    python bench/bench_topics.py [--data-dir ../shared/data] [--model default] [--previous REV_OR_DIR]
                                 [--cache DIR] [--skip-frozen] [--write]

Prints each figure next to its baseline from the same run; with --write, replaces the "Topics" section of
bench/RESULTS.md. Whole articles (issue #18): the model against the shipped ``tfidf`` and the previous default
(``--previous``: a model folder, or a git revision whose ``newsdesk/data/models/topics-default`` is extracted) on
the tune and report halves (``sha256(id)`` even/odd) of allsides_dev.jsonl (partial-label F1) and
fulltext_dev.jsonl, on nyt_cap_dev.jsonl (2004) and the sample articles, with label rates by article length
(:mod:`newsdesk.training.articles_eval`). ``--cache DIR`` keeps the encoder's window features between runs (keyed
by sha256 of the adapter and of the texts). Few-shot labels are added from 32 examples (+256 negatives) and scored
on all of nyt_cap_dev.jsonl, beside frozen MiniLM + logistic regression on the same examples.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np

from newsdesk.models.topics.classifier import TopicClassifier
from newsdesk.models.topics.labels import binarize
from newsdesk.training.report import fmt, label_scores

LABELS = ["defence", "foreign_policy", "law"]
REPO = Path(__file__).resolve().parents[1]
SECTION = "## Topics (bench/bench_topics.py)"


def rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def macro(scores: dict) -> str:
    per = ", ".join(f"{k} {fmt(v['f1'])}" for k, v in scores["labels"].items())
    return f"macro-F1 {fmt(scores['macro_f1'])} ({per})"


def baseline_tfidf(train: list[dict], texts: list[str]) -> list[list[str]]:
    """The issue's baseline: TF-IDF 1–2-grams (sublinear) + balanced logistic regression, one-vs-rest, cut at 0.5."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)
    X = vec.fit_transform([r["text"] for r in train])
    Xd = vec.transform(texts)
    Y = binarize([r["labels_extended"] for r in train], LABELS)
    keep = np.column_stack(
        [LogisticRegression(class_weight="balanced", max_iter=2000).fit(X, Y[:, j]).predict(Xd) for j in range(3)]
    )
    return [[lab for lab, k in zip(LABELS, row, strict=True) if k] for row in keep]


def baseline_frozen(train: list[dict], texts: list[str]) -> list[list[str]]:
    """Frozen MiniLM (mean-pooled, normalised) + balanced logistic regression, cut at 0.5."""
    from newsdesk.models.topics.encoder import Encoder
    from newsdesk.models.topics.heads import fit_linear_heads

    enc = Encoder()

    def emb(t):
        return enc.embed_chunks(enc.chunk(t))

    Y = binarize([r["labels_extended"] for r in train], LABELS)
    heads = fit_linear_heads(emb([r["text"] for r in train]), Y, C=1.0)
    keep = heads.proba(emb(texts)) >= 0.5
    return [[lab for lab, k in zip(LABELS, row, strict=True) if k] for row in keep]


def frozen_doc(texts: list[str], cache: Path | None) -> np.ndarray:
    """Frozen all-MiniLM-L6-v2 (no adapter): 128-token windows, mean of the window embeddings per text."""
    from newsdesk.models.topics.encoder import Encoder
    from newsdesk.models.topics.pooling import mean_embeddings
    from newsdesk.training.articles import texts_key

    f = None if cache is None else cache / f"frozen_doc_{texts_key(texts)}.npy"
    if f is not None and f.is_file():
        return np.load(f)
    enc = Encoder(chunk_tokens=128, chunk_overlap=16)
    ch = enc.chunk(texts)
    e = mean_embeddings(enc.embed_chunks(ch), ch.owner, ch.n_texts).astype(np.float32)
    if f is not None:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(f, e)
    return e


def frozen_few_shot(texts: list[str], y: np.ndarray, dev_emb: np.ndarray, cache: Path | None) -> np.ndarray:
    """Frozen MiniLM + balanced logistic regression (C=4) on the few-shot examples; threshold from 5-fold
    out-of-fold predictions, as ``add_labels`` tunes its own. Returns the dev predictions (bool)."""
    from newsdesk.models.topics.heads import fit_linear_heads
    from newsdesk.models.topics.thresholds import tune_thresholds
    from newsdesk.models.topics.tuning import stratified_folds

    X, Y = frozen_doc(texts, cache), y[:, None].astype(int)
    folds = stratified_folds(Y, 5, 0)
    oof = np.zeros(Y.shape)
    for f in range(5):
        oof[folds == f] = fit_linear_heads(X[folds != f], Y[folds != f], C=4.0).proba(X[folds == f])
    t = tune_thresholds(Y, oof)[0]
    return fit_linear_heads(X, Y, C=4.0).proba(dev_emb)[:, 0] >= t


def few_shot_features(
    models: dict, train: list[dict], dev: list[dict], cache: Path | None, say, draws: int = 1
) -> None:
    """A label made of a CAP major code, learnt from 32 examples (+256 negatives) by ``add_labels`` on each model
    and by frozen MiniLM + LR; F1 of that label on the whole dev file (its natural prevalence)."""
    from newsdesk.training.articles_eval import model_proba

    dev_texts = [r["text"] for r in dev]
    dev_emb = frozen_doc(dev_texts, cache)
    header = " | ".join(models)
    say(f"| label (dev positives) | draw | {header} | frozen MiniLM + LR |")
    say("|---|---|" + "---|" * (len(models) + 1))
    for code, name in ((3, "health"), (6, "education"), (7, "environment")):
        truth = [[name] if r["source_label"] == code else [] for r in dev]
        n_pos = sum(1 for t in truth if t)
        for seed in range(draws):
            rng = np.random.default_rng(seed)
            pos = [r for r in train if r["source_label"] == code]
            neg = [r for r in train if r["source_label"] != code]
            picked = [pos[i] for i in rng.choice(len(pos), 32, replace=False)] + [
                neg[i] for i in rng.choice(len(neg), 256, replace=False)
            ]
            texts = [r["text"] for r in picked]
            labels = [[name] if r["source_label"] == code else [] for r in picked]
            cells = []
            for path in models.values():
                clf = TopicClassifier.load(path).add_labels(texts, labels)
                pred = clf.labels_from_proba(model_proba(clf, dev_texts, cache))
                s = label_scores(truth, pred, [name])["labels"][name]
                cells.append(f"{fmt(s['f1'])} (P {fmt(s['precision'], '.2f')} R {fmt(s['recall'], '.2f')})")
            keep = frozen_few_shot(texts, np.array([bool(lab) for lab in labels]), dev_emb, cache)
            s = label_scores(truth, [[name] if k else [] for k in keep], [name])["labels"][name]
            cells.append(f"{fmt(s['f1'])} (P {fmt(s['precision'], '.2f')} R {fmt(s['recall'], '.2f')})")
            say(f"| {name} ({n_pos}) | {seed} | " + " | ".join(cells) + " |")


def previous_default(rev_or_dir: str) -> str:
    """A model folder, or the default topic model of git revision ``rev`` extracted to a temporary folder."""
    import subprocess
    import tempfile

    if Path(rev_or_dir).is_dir():
        return rev_or_dir
    out = Path(tempfile.mkdtemp(prefix="newsdesk-previous-default-"))
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", rev_or_dir, "newsdesk/data/models/topics-default"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return str(out / "newsdesk" / "data" / "models" / "topics-default")


def whole_articles(a, say) -> str | None:
    from newsdesk.training.articles_eval import evaluate, length_table, set_table, with_predictions

    prev = previous_default(a.previous) if a.previous else None
    models = {a.model: TopicClassifier.load(a.model), "tfidf": TopicClassifier.load("tfidf")}
    if prev is not None:
        models[f"previous default ({a.previous})"] = TopicClassifier.load(prev)
    t0 = time.perf_counter()
    res = with_predictions(evaluate(models, a.data_dir, a.cache, say), models)
    names = list(models)
    say("### Whole articles and NYT 2004: macro-F1 (defence/foreign_policy/law F1), same run")
    say("")
    say(
        "Halves by sha256(id): tune = even (the default's long-text thresholds were chosen there), report = odd "
        "(never used to choose). allsides_dev: partial labels (label X scored on its positives and the [] rows)."
    )
    say("")
    say(set_table(res, names))
    say("")
    for seed, per in res["seed_articles"].items():
        say(f"- seed article `{seed}`: " + "; ".join(f"{m} {labs} {sc}" for m, (labs, sc) in per.items()))
    say("")
    say("### Label rates by article length: predicted / gold rate per label, macro-F1 (word quartiles)")
    say("")
    say(length_table(res, [n for n in names if n != "tfidf"]))
    say(f"\n({time.perf_counter() - t0:.0f}s)")
    return prev


def few_shot(model: str, train: list[dict], dev: list[dict], code: int, name: str, k: int, negatives: int, seed: int):
    """Add a label made of CAP major code ``code`` from ``k`` examples (+ ``negatives`` others) to ``model``, and
    to a fresh tf-idf model as the baseline; F1 of that label on the whole dev file (its natural prevalence)."""
    rng = np.random.default_rng(seed)
    pos = [r for r in train if r["source_label"] == code]
    neg = [r for r in train if r["source_label"] != code]
    picked = [pos[i] for i in rng.choice(len(pos), k, replace=False)] + [
        neg[i] for i in rng.choice(len(neg), negatives, replace=False)
    ]
    texts = [r["text"] for r in picked]
    labels = [[name] if r["source_label"] == code else [] for r in picked]
    dev_texts = [r["text"] for r in dev]
    truth = [[name] if r["source_label"] == code else [] for r in dev]
    clf = TopicClassifier.load(model).add_labels(texts, labels)
    ours = label_scores(truth, clf.predict(dev_texts), [name])["labels"][name]
    base = TopicClassifier("tfidf").fit(texts, labels)
    theirs = label_scores(truth, base.predict(dev_texts), [name])["labels"][name]
    return ours, theirs, sum(1 for t in truth if t)


def find_encoder(clf: TopicClassifier):
    model = clf.model_
    for m in getattr(model, "members_", [model]):
        if getattr(m, "encoder_", None) is not None:
            return m.encoder_
    return None


def speed(clf: TopicClassifier, texts: list[str], repeats: int = 2) -> dict:
    clf.predict_proba(texts[:4])  # warm-up
    enc = find_encoder(clf)
    best_model, best_bare = float("inf"), float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        clf.predict_proba(texts)
        best_model = min(best_model, time.perf_counter() - t0)
        if enc is not None:
            chunks = enc.chunk(texts)
            t0 = time.perf_counter()
            enc.bare_forward(chunks)
            best_bare = min(best_bare, time.perf_counter() - t0)
    out = {"articles": len(texts), "seconds": best_model, "per_second": len(texts) / best_model}
    if enc is not None:
        out |= {"chunks": len(enc.chunk(texts).ids), "bare_seconds": best_bare, "ratio": best_model / best_bare}
        out["body"] = (
            f"{enc.model.config.num_hidden_layers}-layer encoder, {getattr(enc, 'quantized', 'none')} quantisation"
        )
    return out


def stock_speed(enc, texts: list[str], repeats: int = 2) -> dict | None:
    """Bare forward speed of the full fp32 body that a shallower or quantised model's encoder was made from."""
    from newsdesk.models.topics.encoder import Encoder

    if enc is None:
        return None
    full = Encoder(enc.source, chunk_tokens=enc.chunk_tokens, chunk_overlap=enc.overlap, batch_size=enc.batch_size)
    n_full = full.model.config.num_hidden_layers
    if enc.model.config.num_hidden_layers == n_full and getattr(enc, "quantized", "none") == "none":
        return None
    chunks = full.chunk(texts)
    full.bare_forward(full.chunk(texts[:4]))
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        full.bare_forward(chunks)
        best = min(best, time.perf_counter() - t0)
    return {"per_second": len(texts) / best, "body": f"{n_full}-layer encoder, fp32"}


def pooling_study(clf: TopicClassifier, data_dir: Path, say) -> None:
    """How window size and pooling change full-article behaviour: label rates on CNN/DM and XSum dev articles
    (no topic labels exist for them) and F1 on the project's labelled sample articles (seeds/articles.jsonl)."""
    from newsdesk.models.topics.heads import logit, sigmoid
    from newsdesk.models.topics.pooling import pool_logits

    ens = clf.model_
    emb = ens.members_[0] if hasattr(ens, "members_") else ens
    arts = [r["text"] for n in ("cnndm_dev", "xsum_dev") for r in rows(data_dir / "summaries" / f"{n}.jsonl")]
    samples = rows(REPO / "seeds" / "articles.jsonl")
    texts = arts + [f"{r['title']}\n\n{r['text']}" for r in samples]
    truth = [r["labels"] for r in samples]
    other = None
    if hasattr(ens, "members_"):
        other = [m.predict_proba(texts) for m in ens.members_[1:]]
    say("| windows (tokens/overlap) | pooling | CNN/DM rates d/fp/law | XSum rates d/fp/law | samples macro-F1 |")
    say("|---|---|---|---|---|")
    enc = emb.encoder_
    saved = (enc.chunk_tokens, enc.window, enc.overlap)
    for tokens, overlap in ((64, 8), (128, 16), (256, 32)):
        enc.chunk_tokens, enc.window, enc.overlap = tokens, tokens - 2, overlap
        chunks = enc.chunk(texts)
        z = emb.heads_.decision(enc.embed_chunks(chunks))
        for how, tau in (("mean", 1.0), ("lme", 0.5), ("lme", 1.0), ("max", 1.0)):
            p = sigmoid(pool_logits(z, chunks.owner, chunks.n_texts, how, tau))
            if other is not None:
                w = ens.weights_
                p = sigmoid(
                    w[0][None, :] * logit(p) + sum(wm[None, :] * logit(q) for wm, q in zip(w[1:], other, strict=True))
                )
            pred = clf.labels_from_proba(p)
            rate = lambda part: "/".join(f"{np.mean([lab in x for x in part]):.2f}" for lab in clf.labels_)  # noqa: E731
            f1 = label_scores(truth, pred[len(arts) :], clf.labels_)["macro_f1"]
            name = how if how != "lme" else f"lme τ={tau}"
            say(f"| {tokens}/{overlap} | {name} | {rate(pred[:100])} | {rate(pred[100:200])} | {f1:.3f} |")
    enc.chunk_tokens, enc.window, enc.overlap = saved


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("NEWSDESK_SHARED", REPO.parent / "shared")) / "data"
    )
    p.add_argument("--model", default="default")
    p.add_argument("--previous", default=None, help="the previous default: a model folder or a git revision")
    p.add_argument("--cache", type=Path, default=None, help="keep encoder window features here between runs")
    p.add_argument("--skip-articles", action="store_true", help="skip the whole-article sets (issue #18)")
    p.add_argument("--skip-frozen", action="store_true", help="skip the frozen-MiniLM baseline (slow on 2 cores)")
    p.add_argument("--skip-few-shot", action="store_true")
    p.add_argument("--pooling-study", action="store_true", help="compare window sizes and poolings on long articles")
    p.add_argument("--write", action="store_true", help="write the results into bench/RESULTS.md")
    a = p.parse_args(argv)
    topics = a.data_dir / "topics"
    if not (topics / "nyt_cap_train.jsonl").is_file():
        print(f"no reference data under {a.data_dir}; pass --data-dir", file=sys.stderr)
        return 2
    import torch

    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    train, dev = rows(topics / "nyt_cap_train.jsonl"), rows(topics / "nyt_cap_dev.jsonl")
    dev_texts, truth = [r["text"] for r in dev], [r["labels_extended"] for r in dev]
    say(f"machine: {os.cpu_count()} CPUs, torch threads {torch.get_num_threads()}; model {a.model!r}")
    say("")
    clf = TopicClassifier.load(a.model)
    tfidf = TopicClassifier.load("tfidf")
    prev = None
    if not a.skip_articles:
        prev = whole_articles(a, say)
        say("")
    say("### Baselines on nyt_cap_dev.jsonl (2004, 2606 rows), labels_extended")
    say("")
    base = label_scores(truth, baseline_tfidf(train, dev_texts), LABELS)
    say(f"- baseline TF-IDF + LR (balanced, cut at 0.5, same run): {macro(base)}")
    if not a.skip_frozen:
        frozen = label_scores(truth, baseline_frozen(train, dev_texts), LABELS)
        say(f"- baseline frozen MiniLM + LR (same run): {macro(frozen)}")
    if not a.skip_few_shot:
        say("")
        say("### Few-shot: a new label from 32 examples (+256 negatives) added to the model; F1 on all of nyt_cap_dev")
        say("")
        fs_models = {a.model: a.model, **({"previous default": prev} if prev else {})}
        few_shot_features(fs_models, train, dev, a.cache, say)
    say("")
    say("### Speed: cnndm_dev.jsonl full articles")
    say("")
    arts = [r["text"] for r in rows(a.data_dir / "summaries" / "cnndm_dev.jsonl")]
    words = np.mean([len(t.split()) for t in arts])
    s = speed(clf, arts)
    line = f"- {a.model}: {s['per_second']:.1f} articles/s ({s['articles']} articles, {words:.0f} words avg"
    if "ratio" in s:
        line += (
            f", {s['chunks']} windows, {s['body']}); bare encoder forward over the same windows "
            f"{s['articles'] / s['bare_seconds']:.1f} articles/s; model/bare time ratio {s['ratio']:.2f}"
        )
    say(line + ")")
    stock = stock_speed(find_encoder(clf), arts)
    if stock is not None:
        say(
            f"- the stock encoder it was cut from ({stock['body']}), bare forward over the same windows: "
            f"{stock['per_second']:.1f} articles/s; {a.model} is {s['per_second'] / stock['per_second']:.1f}× that"
        )
    st = speed(tfidf, arts)
    say(f"- tfidf: {st['per_second']:.0f} articles/s")
    if a.pooling_study:
        say("")
        say("### Long articles: window size and pooling (the default's members and thresholds, only these varied)")
        say("")
        pooling_study(clf, a.data_dir, say)
    seeds = sorted((a.data_dir.parent / "seeds").glob("*.txt"))
    if seeds:
        say("")
        say("### Seed article")
        say("")
        for seed in seeds:
            pr = clf.predict_proba([seed.read_text(encoding="utf-8")])
            sc = ", ".join(f"{lab} {x:.2f}" for lab, x in zip(clf.labels_, pr[0], strict=True))
            say(f"- {seed.name}: {clf.labels_from_proba(pr)[0]} ({sc})")
    if a.write:
        cmd = "python bench/bench_topics.py " + " ".join(argv if argv is not None else sys.argv[1:])
        body = f"{SECTION}\n\nCommand: `{cmd.strip()}`\n\n" + "\n".join(out) + "\n"
        path = REPO / "bench" / "RESULTS.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
        pattern = re.compile(re.escape(SECTION) + r".*?(?=\n## |\Z)", re.S)
        text = (
            pattern.sub(lambda _: body.rstrip("\n"), text)
            if pattern.search(text)
            else text.rstrip("\n") + "\n\n" + body
        )
        path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
