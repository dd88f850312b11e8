"""Metric arithmetic against hand-computed cases: F1 and friends, ROUGE, novelty, the bootstrap."""

from __future__ import annotations

import numpy as np
import pytest

from newsdesk.evaluation import metrics as m
from newsdesk.evaluation.common import MetricSpec, compare_systems
from newsdesk.models.topics.labels import binarize
from newsdesk.models.topics.scores import precision_recall_f1

LABELS = ["a", "b", "c"]
# Hand-built case. Label a: TP 2 (rows 0, 1), FP 1 (row 2), FN 1 (row 3).
# Label b: TP 1 (row 0), FN 2 (rows 1, 4), no FP.  Label c: neither in the gold nor predicted.
GOLD = [["a", "b"], ["a", "b"], [], ["a"], ["b"]]
PRED = [["a", "b"], ["a"], ["a"], [], []]


def matrices():
    return binarize(GOLD, LABELS).astype(bool), binarize(PRED, LABELS).astype(bool)


def test_per_label_precision_recall_f1_by_hand():
    gold, pred = matrices()
    tp, fp, fn = m.counts(gold, pred)
    assert tp.tolist() == [2, 1, 0] and fp.tolist() == [1, 0, 0] and fn.tolist() == [1, 2, 0]
    p, r, f1 = precision_recall_f1(gold, pred)
    assert p[0] == pytest.approx(2 / 3) and r[0] == pytest.approx(2 / 3) and f1[0] == pytest.approx(2 / 3)
    assert p[1] == pytest.approx(1.0) and r[1] == pytest.approx(1 / 3) and f1[1] == pytest.approx(0.5)
    # c: never in the gold and never predicted: undefined, not 0 and not 1.
    assert np.isnan(p[2]) and np.isnan(r[2]) and np.isnan(f1[2])


def test_headline_topic_scores_by_hand():
    gold, pred = matrices()
    s = m.topic_scores(gold, pred)
    assert s["macro_f1"] == pytest.approx((2 / 3 + 0.5) / 2)  # c left out
    assert s["micro_f1"] == pytest.approx(2 * 3 / (2 * 3 + 1 + 3))  # TP 3, FP 1, FN 3 → 0.6
    assert s["exact_match"] == pytest.approx(1 / 5)  # only row 0
    # Wrong decisions per row (of 3): 0, 1, 1, 1, 1 → Hamming score = 1 - 4/15.
    assert s["hamming_score"] == pytest.approx(1 - 4 / 15)
    # Jaccard per row: 1, 1/2, 0 (gold empty, pred a), 0, 0.
    assert s["jaccard"] == pytest.approx((1 + 0.5) / 5)


def test_matches_scikit_learn_where_defined():
    from sklearn.metrics import f1_score, hamming_loss

    rng = np.random.default_rng(3)
    gold = rng.random((200, 4)) < 0.3
    pred = rng.random((200, 4)) < 0.3
    s = m.topic_scores(gold, pred)
    assert s["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro"))
    assert s["micro_f1"] == pytest.approx(f1_score(gold, pred, average="micro"))
    assert s["hamming_score"] == pytest.approx(1 - hamming_loss(gold, pred))


def test_label_predicted_but_absent_from_gold_scores_zero():
    gold = binarize([["a"], ["a"]], ["a", "b"])
    pred = binarize([["a", "b"], ["a"]], ["a", "b"])
    _, _, f1 = precision_recall_f1(gold, pred)
    assert f1.tolist() == [1.0, 0.0]
    assert m.topic_scores(gold.astype(bool), pred.astype(bool))["macro_f1"] == pytest.approx(0.5)


def test_cooccurrence_counts_with_none_row_and_column():
    gold, pred = matrices()
    c = m.cooccurrence(gold, pred)  # rows: gold a, b, c, none; columns: predicted a, b, c, none
    expected = np.array(
        [
            [2, 1, 0, 1],  # gold a (rows 0,1,3): a predicted in 0,1; b in 0; nothing in 3
            [2, 1, 0, 1],  # gold b (rows 0,1,4)
            [0, 0, 0, 0],
            [1, 0, 0, 0],  # no gold label (row 2), predicted a
        ]
    )
    assert c.tolist() == expected.tolist()


def test_threshold_sweep_by_hand():
    gold = np.array([1, 1, 0, 0])
    scores = np.array([0.9, 0.4, 0.6, 0.1])
    sw = m.threshold_sweep(gold, scores, np.array([0.05, 0.5, 0.95]))
    # t=0.05: all predicted: TP 2, FP 2 → F1 = 4/6. t=0.5: {0.9, 0.6}: TP 1 FP 1 FN 1 → 0.5. t=0.95: none → 0.
    assert sw["f1"].tolist() == pytest.approx([4 / 6, 0.5, 0.0])
    assert np.isnan(sw["precision"][2])


def test_rouge_by_hand():
    # Unigrams: 5 of 6 shared ("the" twice, cat, on, mat). Bigrams: "the cat", "on the", "the mat" = 3 of 5.
    # Longest common subsequence: "the cat on the mat" = 5 of 6.
    r = m.rouge_f1(["the cat lay on the mat"], ["the cat sat on the mat"])[0]
    assert r.tolist() == pytest.approx([5 / 6, 3 / 5, 5 / 6])


def test_rougelsum_works_sentence_by_sentence():
    ref = "Ships sailed north. Planes landed late."
    pred = "Planes landed late. Ships sailed north."
    r = m.rouge_f1([pred], [ref])[0]
    # Summary-level LCS: each reference sentence is fully covered by some predicted sentence → 1.0, where a plain
    # LCS over the whole text would find only 3 of 6 tokens in order.
    assert r[2] == pytest.approx(1.0)
    assert r[1] == pytest.approx(4 / 5)  # the bigram "north planes" / "late ships" differs
    assert m.for_rougelsum(ref) == "Ships sailed north.\nPlanes landed late."


def test_rouge_uses_the_stemmer():
    assert m.rouge_f1(["troops running"], ["troop runs"])[0][0] == pytest.approx(1.0)


def test_novel_bigram_share_by_hand():
    article = "The army moved north on Monday."
    assert m.novel_bigram_share("the army moved north", article) == 0.0
    # bigrams: (army, moved) seen; (moved, south) and (south, today) novel → 2/3.
    assert m.novel_bigram_share("Army moved south today", article) == pytest.approx(2 / 3)
    assert np.isnan(m.novel_bigram_share("Army", article))


def test_bootstrap_weights_are_the_seeded_draws():
    rng = np.random.default_rng(7)
    w = m.bootstrap_weights(5, 3, rng)
    idx = np.random.default_rng(7).integers(0, 5, size=(3, 5))
    for b in range(3):
        assert w[b].tolist() == np.bincount(idx[b], minlength=5).tolist()
    assert w.sum(1).tolist() == [5, 5, 5]


def test_bootstrap_of_a_mean_equals_an_explicit_loop_and_a_known_value():
    x = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0])
    vals = m.bootstrap(lambda w: w @ x / w.sum(1), len(x), n_boot=500, seed=11)
    rng = np.random.default_rng(11)
    loop = [x[rng.integers(0, len(x), size=len(x))].mean() for _ in range(500)]
    assert vals.tolist() == pytest.approx(loop)
    # Same draws whatever the block size.
    chunked = m.bootstrap(lambda w: w @ x / w.sum(1), len(x), n_boot=500, seed=11, chunk=7)
    assert chunked.tolist() == pytest.approx(vals.tolist())
    lo, hi = m.percentile_ci(vals)
    # Known for this seed: a mean of 8 values moves in steps of 1/8; 5/8 ± about 3/8.
    assert (lo, hi) == pytest.approx((2 / 8, 7 / 8))


def test_bootstrap_of_a_constant_is_that_constant():
    vals = m.bootstrap(lambda w: w @ np.full(10, 0.4) / w.sum(1), 10, n_boot=100, seed=0)
    assert m.percentile_ci(vals) == pytest.approx((0.4, 0.4))


def test_percentile_ci_and_weighted_nanmean():
    assert m.percentile_ci(np.arange(101.0)) == pytest.approx((2.5, 97.5))
    x = np.array([[1.0, np.nan], [3.0, 2.0]])
    w = np.array([[1.0, 1.0], [2.0, 0.0]])
    # Row 0 of w: both articles once; column 1 ignores the NaN. Row 1: article 0 twice, article 1 never → column 1
    # has no value at all.
    np.testing.assert_allclose(m.weighted_nanmean(x, w), [[2.0, 2.0], [1.0, np.nan]])


def test_paired_comparison_flags_a_real_lead_and_not_noise():
    rng = np.random.default_rng(0)
    n = 200
    base = rng.random(n)
    systems = {"good": base + 0.2, "same": base + rng.normal(0, 0.01, n), "ref": base}
    names = list(systems)
    X = np.stack([systems[k] for k in names], axis=1)  # (n, S)
    boot = m.bootstrap(lambda w: (w @ X / w.sum(1, keepdims=True))[:, :, None], n, n_boot=300, seed=0)
    point = {k: {"score": float(v.mean())} for k, v in systems.items()}
    spec = MetricSpec("score", "score", True, compare=True)
    c = compare_systems(names, point, boot, [spec])["score"]
    assert c["best"] == "good"
    vs = {v["system"]: v for v in c["vs"]}
    assert vs["same"]["significant"] and vs["ref"]["significant"]
    assert vs["ref"]["lead"] == pytest.approx(0.2)
    # Between two systems that differ only by noise the lead is not clear.
    c2 = compare_systems(["same", "ref"], point, boot[:, 1:], [spec])["score"]
    assert not c2["vs"][0]["significant"]


def test_lower_is_better_leads_are_positive():
    point = {"x": {"u": 0.1}, "y": {"u": 0.3}}
    boot = np.tile(np.array([[[0.1], [0.3]]]), (50, 1, 1))
    c = compare_systems(["x", "y"], point, boot, [MetricSpec("u", "u", False, compare=True)])["u"]
    assert c["best"] == "x" and c["vs"][0]["lead"] == pytest.approx(0.2) and c["vs"][0]["significant"]


def test_all_equal_has_no_best():
    point = {"x": {"u": 0.0}, "y": {"u": 0.0}}
    assert compare_systems(["x", "y"], point, np.zeros((5, 2, 1)), [MetricSpec("u", "u", False)]) == {}


def test_one_f1_for_evaluation_training_reports_and_thresholds():
    """Evaluation, training reports (model cards) and threshold tuning share scikit-learn's scores, with undefined
    values left out of macro-F1 alike."""
    from newsdesk.models.topics.thresholds import best_f1_threshold
    from newsdesk.training.report import label_scores

    report = label_scores(GOLD, PRED, LABELS)
    s = m.topic_scores(*matrices())
    assert report["macro_f1"] == pytest.approx(s["macro_f1"], abs=5e-5)
    assert report["labels"]["c"] == {"precision": None, "recall": None, "f1": None, "support": 0}
    assert report["labels"]["b"]["f1"] == 0.5
    # Tuning picks the cut with the best F1 as scored by the same function.
    rng = np.random.default_rng(5)
    y, p = rng.random(60) < 0.3, np.round(rng.random(60), 2)
    t = best_f1_threshold(y, p)
    f1_at = {c: precision_recall_f1(y, p >= c)[2][0] for c in np.unique(p)}
    assert precision_recall_f1(y, p >= t)[2][0] == pytest.approx(max(f1_at.values()))


def test_bootstrap_scores_equal_the_scores_of_the_resampled_articles():
    gold, pred = matrices()
    w = np.array([[2.0, 0.0, 1.0, 1.0, 1.0], [0.0, 3.0, 0.0, 1.0, 1.0]])
    weighted = m.topic_scores_weighted(gold, pred, w)
    for b in range(len(w)):
        rows = np.repeat(np.arange(len(GOLD)), w[b].astype(int))
        plain = m.topic_scores(gold[rows], pred[rows])
        for key in ("macro_f1", "micro_f1", "exact_match", "hamming_score", "jaccard"):
            assert weighted[key][b] == pytest.approx(plain[key]), key
