"""The whole-article default topic model (issue #18): the headline model's members plus a tf-idf member learnt from
NYT/CAP and AllSides articles, combined by length.

    python -m newsdesk.training.shipped default --data-dir ../shared/data [--headline DIR] [--cache DIR]

The builder itself, :func:`newsdesk.training.articles_eval.build_default`, writes the model card too.

Recipe (each choice is the research's, ``/work/scratch/topics`` at the time; see the model card):

1. The **headline model** (``python -m newsdesk.training.shipped headline``: the previous default, MiniLM + LoRA and
   a tf-idf member trained on NYT/CAP one-line texts) is reused unchanged, from ``--headline DIR`` or built there.
2. An **article tf-idf member**: word 1–2-grams (sublinear tf, min_df 2, 150,000 features, British spellings mapped
   to US ones) fitted on the text of ``nyt_cap_train.jsonl`` and ``allsides_train.jsonl``; one L2 logistic
   regression per label (liblinear, C=16) on NYT rows (``labels_extended``, with CAP's counter-drug-abroad rows
   remapped to the labelling guide: :func:`remap_cap`) and AllSides rows (partial labels: label X trains on its
   positives and the ``[]`` rows); per label, NYT rows carry 70 % of the loss weight and AllSides 30 %, and the
   classes are balanced on those weighted totals.
3. A **length-aware ensemble** (:mod:`newsdesk.models.topics.backends.ensemble`): texts that fit in one 128-token
   encoder window keep the headline model's weights (½ MiniLM + ½ headline tf-idf) and thresholds (as a logit
   shift); longer texts use 0.2 MiniLM + 0.8 article tf-idf and thresholds tuned per label on the *tune* halves
   (``sha256(id)`` even) of ``allsides_dev.jsonl`` (partial-label F1) and ``fulltext_dev.jsonl`` (equal weight).
   The *report* halves (odd) and ``nyt_cap_dev.jsonl`` (2004) are never used to choose anything.

The helpers here (data, halves, partial-label scores, cached encoder features) are shared with
``bench/bench_topics.py``.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from newsdesk.models.topics.heads import LinearHeads, logit
from newsdesk.training.report import label_scores

LABELS = ["defence", "foreign_policy", "law"]
RECIPE = {
    "tfidf": {"ngram_range": [1, 2], "min_df": 2, "max_features": 150_000, "spelling": "us"},
    "C": 16.0,
    "nyt_share": 0.7,  # per label, the NYT rows' share of the loss weight (AllSides: the rest)
    "minilm_weight": 0.2,  # long texts: [MiniLM, headline tf-idf, article tf-idf] = [0.2, 0, 0.8]
    "short_max_windows": 1,
}
# Dev sets: (file, label field, partial labels?, halves?)
DEV_SETS = {
    "allsides_dev": ("allsides_dev.jsonl", "labels", True, True),
    "fulltext_dev": ("fulltext_dev.jsonl", "labels", False, True),
    "nyt_cap_dev": ("nyt_cap_dev.jsonl", "labels_extended", False, False),
}


# ---- data ---------------------------------------------------------------------------------------------------------
def read_rows(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def half(id_: str) -> str:
    """``"tune"`` when sha256(id) is even, ``"report"`` when odd: the fixed split of the dev sets."""
    return "tune" if int(hashlib.sha256(id_.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "report"


# CAP files US counter-drug action abroad under 12 Law & Crime (subtopic 1203). The labelling guide
# (docs/labelling-guide.md) calls counter-drug operations and aid abroad foreign policy too, and defence when armed
# forces act: only CAP-1203 rows naming a foreign country (or "foreign", "international") are touched.
FOREIGN_DRUG = re.compile(
    r"\b(colombi\w*|columbi\w*|mexic\w*|panama\w*|peru\w*|bolivi\w*|venezuel\w*|ecuador\w*|honduras|guatemal\w*|"
    r"haiti\w*|caribbean|latin americ\w*|south americ\w*|central americ\w*|afghan\w*|pakistan\w*|burm\w*|"
    r"myanmar|cuba\w*|nicaragu\w*|noriega|cartel\w*|andes|andean|brazil\w*|foreign|abroad|international)\b",
    re.I,
)
MILITARY = re.compile(r"\b(military|army|armed forces|troops|soldiers|navy|pentagon|marines?|air force)\b", re.I)


def remap_cap(row: dict[str, Any]) -> list[str]:
    """A NYT/CAP row's ``labels_extended``, with counter-drug action abroad also foreign_policy (+ defence when the
    military acts), as the labelling guide defines them."""
    labs = list(row["labels_extended"])
    if row.get("source_subtopic") == 1203 and FOREIGN_DRUG.search(row["text"]):
        if "foreign_policy" not in labs:
            labs.append("foreign_policy")
        if MILITARY.search(row["text"]) and "defence" not in labs:
            labs.append("defence")
    return [lab for lab in LABELS if lab in labs]


def dev_set(data_dir: Path, name: str) -> dict[str, Any]:
    """``{"ids", "texts", "labels", "half" (array of "tune"/"report"), "partial"}`` of a dev set (text field only,
    as the research scored them)."""
    file, field, partial, halves = DEV_SETS[name]
    rows = read_rows(data_dir / "topics" / file)
    return {
        "name": name,
        "file": file,
        "ids": [r["id"] for r in rows],
        "texts": [r["text"] for r in rows],
        "labels": [list(r[field]) for r in rows],
        "half": np.array([half(r["id"]) if halves else "report" for r in rows]),
        "partial": partial,
    }


# ---- scores -------------------------------------------------------------------------------------------------------
def known_rows(label_lists: Sequence[Sequence[str]], label: str, partial: bool) -> np.ndarray:
    """Rows on which ``label`` is scored: all, or with partial labels its positives and the ``[]`` rows."""
    if not partial:
        return np.ones(len(label_lists), dtype=bool)
    return np.array([label in labs or not labs for labs in label_lists])


def set_scores(
    label_lists: Sequence[Sequence[str]], pred: Sequence[Sequence[str]], *, partial: bool, labels=LABELS
) -> dict[str, Any]:
    """:func:`~newsdesk.training.report.label_scores`, or with ``partial`` each label scored on its own rows
    (:func:`known_rows`; ``../shared/data/README.md``); macro-F1 is the mean of the labels' F1."""
    if not partial:
        return label_scores(label_lists, pred, labels)
    out: dict[str, Any] = {"labels": {}}
    for lab in labels:
        rows = np.flatnonzero(known_rows(label_lists, lab, True))
        s = label_scores([label_lists[i] for i in rows], [pred[i] for i in rows], [lab])["labels"][lab]
        out["labels"][lab] = s | {"scored_rows": len(rows)}
    f1 = [s["f1"] for s in out["labels"].values() if s["f1"] is not None]
    out["macro_f1"] = round(float(np.mean(f1)), 4) if f1 else None
    return out


def _f1_curve(y: np.ndarray, z: np.ndarray, grid: np.ndarray) -> np.ndarray:
    order = np.argsort(-z)
    zs, ys = z[order], y[order]
    tp = np.cumsum(ys)
    npos = ys.sum()
    out = np.zeros(len(grid))
    for g, t in enumerate(grid):
        k = int(np.searchsorted(-zs, -t, side="right"))  # how many scores are >= t
        tpk = tp[k - 1] if k else 0
        out[g] = 2 * tpk / (k + npos) if (k + npos) else 0.0
    return out


def tune_on_parts(parts: list[tuple[Sequence[Sequence[str]], np.ndarray, bool]], labels=LABELS) -> np.ndarray:
    """Per label, the logit threshold that maximises the mean F1 over ``parts`` (``(label lists, logits (n, L),
    partial)``), on a grid of 481 points in [-6, 6]; a tie takes the middle of the best plateau."""
    grid = np.linspace(-6, 6, 481)
    th = []
    for j, lab in enumerate(labels):
        total = np.zeros(len(grid))
        for lists, z, partial in parts:
            m = known_rows(lists, lab, partial)
            y = np.array([lab in labs for labs in lists])[m]
            if y.any():
                total += _f1_curve(y, z[m, j], grid)
        best = np.flatnonzero(total >= total.max() - 1e-12)
        th.append(float(grid[best[len(best) // 2]]))
    return np.array(th)


# ---- cached encoder features (the costly part of scoring thousands of articles on a CPU) -------------------------
def texts_key(texts: Sequence[str]) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def member_key(member: Any) -> str:
    """What an embedding member's window embeddings depend on: its adapter, window settings and dtype."""
    h = hashlib.sha256()
    for k, v in sorted((member.adapter_ or {}).items()):
        h.update(k.encode())
        h.update(np.ascontiguousarray(v, dtype=np.float32).tobytes())
    enc = member.encoder_
    h.update(f"{enc.source}|{enc.window}|{enc.overlap}|{enc.dtype}|{member.encoder_layers}|{member.quantize}".encode())
    return h.hexdigest()[:16]


def ensemble_features(ens: Any, texts: Sequence[str], cache: Path | None, say: Callable[[str], None] = print):
    """``ens.features(texts)``, with each embedding member's window embeddings read from (or written to) ``cache``
    (``windows_<member>_<texts>.npz``, keyed by sha256 of the adapter and of the texts)."""
    from newsdesk.models.topics.backends.embedding import WindowFeatures
    from newsdesk.models.topics.backends.ensemble import MemberFeatures

    texts = list(texts)
    parts = []
    for m in ens.members_:
        if cache is None or not hasattr(m, "windows_per_text"):
            parts.append(m.features(texts))
            continue
        f = Path(cache) / f"windows_{member_key(m)}_{texts_key(texts)}.npz"
        if f.is_file():
            z = np.load(f)
            parts.append(WindowFeatures(z["emb"], z["owner"], len(texts)))
            continue
        t0 = time.perf_counter()
        X = m.features(texts)
        say(f"  encoded {len(texts)} texts ({len(X.owner)} windows) in {time.perf_counter() - t0:.0f}s")
        Path(cache).mkdir(parents=True, exist_ok=True)
        np.savez(f, emb=X.emb.astype(np.float32), owner=X.owner)
        parts.append(X)
    return MemberFeatures(parts)


# ---- the article tf-idf member ------------------------------------------------------------------------------------
def fit_masked_heads(
    Xs: Sequence[Any],
    label_lists: Sequence[Sequence[Sequence[str]]],
    partial: Sequence[bool],
    shares: Sequence[float],
    *,
    C: float,
    labels=LABELS,
) -> LinearHeads:
    """One L2 logistic regression per label over several sources: a source with ``partial`` labels trains label X
    on its positives and ``[]`` rows only; per label each source carries its ``share`` of the loss weight, and the
    classes are balanced on the weighted totals (liblinear: deterministic)."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    coefs, intercepts = [], []
    for lab in labels:
        parts, ys, ws = [], [], []
        for X, lists, part, share in zip(Xs, label_lists, partial, shares, strict=True):
            y = np.array([lab in labs for labs in lists])
            m = known_rows(lists, lab, part)
            parts.append(X[m])
            ys.append(y[m])
            ws.append(np.full(int(m.sum()), share / m.sum()))
        X = sp.vstack(parts).tocsr()
        y, w = np.concatenate(ys), np.concatenate(ws)
        w = np.where(y, w * 0.5 / w[y].sum(), w * 0.5 / w[~y].sum())
        w = w * len(y) / w.sum()
        lr = LogisticRegression(C=C, solver="liblinear", max_iter=2000, random_state=0).fit(X, y, sample_weight=w)
        coefs.append(lr.coef_[0].astype(np.float32))
        intercepts.append(np.float32(lr.intercept_[0]))
    return LinearHeads(np.vstack(coefs), np.asarray(intercepts, dtype=np.float32))


def train_article_tfidf(data_dir: Path, recipe: dict[str, Any] = RECIPE, say: Callable[[str], None] = print):
    from newsdesk.models.topics.backends.tfidf import TfidfTopics

    nyt = read_rows(data_dir / "topics" / "nyt_cap_train.jsonl")
    als = read_rows(data_dir / "topics" / "allsides_train.jsonl")
    cfg = recipe["tfidf"]
    member = TfidfTopics(
        ngram_range=tuple(cfg["ngram_range"]),
        min_df=cfg["min_df"],
        max_features=cfg["max_features"],
        spelling=cfg["spelling"],
    )
    t0 = time.perf_counter()
    vec = member._new_vectorizer()
    vec.fit([r["text"] for r in nyt] + [r["text"] for r in als])
    # Rebuilt from its vocabulary and idf, exactly as a saved copy loads (the fitted one differs only in float sums).
    member.vectorizer_ = member._new_vectorizer(vec.vocabulary_)
    member.vectorizer_.idf_ = vec.idf_.astype(np.float32)
    Xn = member.vectorizer_.transform([r["text"] for r in nyt])
    Xa = member.vectorizer_.transform([r["text"] for r in als])
    say(f"article tf-idf: {len(vec.vocabulary_)} features in {time.perf_counter() - t0:.0f}s")
    remapped = [remap_cap(r) for r in nyt]
    n_remapped = sum(sorted(a) != sorted(r["labels_extended"]) for a, r in zip(remapped, nyt, strict=True))
    t0 = time.perf_counter()
    member.heads_ = fit_masked_heads(
        [Xn, Xa],
        [remapped, [r["labels"] for r in als]],
        [False, True],
        [recipe["nyt_share"], 1 - recipe["nyt_share"]],
        C=recipe["C"],
    )
    say(f"article tf-idf heads in {time.perf_counter() - t0:.0f}s ({n_remapped} NYT rows remapped)")
    return member, {"nyt_rows": len(nyt), "allsides_rows": len(als), "nyt_remapped": n_remapped}


def length_aware_default(headline: Any, article_tfidf: Any, recipe: dict[str, Any] = RECIPE) -> Any:
    """The new ensemble around the headline classifier's members and the article tf-idf member; the short-text
    shift is set once the thresholds are known (:func:`set_short_thresholds`)."""
    from newsdesk.models.topics.backends.ensemble import EnsembleTopics

    old = headline.model_
    members = [*old.members_, article_tfidf]
    a = recipe["minilm_weight"]
    n = len(headline.labels_)
    short = np.vstack([old.weights_, np.zeros((1, n))])
    ens = EnsembleTopics(
        members,
        weights=[a, 0.0, 1 - a],
        new_label_weights=[0.5, 0.0, 0.5],
        short_weights=short,
        short_logit_shift=np.zeros(n),
        short_max_windows=recipe["short_max_windows"],
    )
    ens.weights_ = np.repeat(np.array([a, 0.0, 1 - a])[:, None], n, axis=1)
    ens._expand_short(n)
    return ens


def set_short_thresholds(ens: Any, long_thresholds: np.ndarray, short_thresholds: np.ndarray) -> None:
    """Short texts decided by ``short_thresholds`` while the classifier holds ``long_thresholds``."""
    ens.short_logit_shift_ = logit(np.asarray(long_thresholds)) - logit(np.asarray(short_thresholds))
