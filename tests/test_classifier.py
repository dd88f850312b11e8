"""TopicClassifier with the tf-idf backend: fit/predict/save/load, thresholds, adding labels, bad input, load errors,
and the shipped models."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from newsdesk.errors import ModelLoadError, NewsdeskError
from newsdesk.models.topics.classifier import MODEL_FILE, TopicClassifier
from newsdesk.models.topics.thresholds import best_f1_threshold, labels_from_proba, tune_thresholds
from newsdesk.models.topics.training_args import TrainingArgs
from newsdesk.models.topics.tuning import stratified_folds

WORDS = {
    "defence": ["troops", "army", "missile", "pentagon", "soldiers", "navy", "brigade", "tanks"],
    "foreign_policy": ["embassy", "diplomats", "treaty", "minister", "summit", "sanctions", "envoy", "ambassador"],
    "law": ["court", "judge", "police", "trial", "prison", "jury", "verdict", "prosecutor"],
    "economy": ["inflation", "market", "shares", "bank", "economy", "jobs", "prices", "growth"],
}
NEUTRAL = ["the", "a", "today", "city", "people", "said", "new", "year", "weather", "music", "film", "school", "garden"]


def make_data(n: int, labels=("defence", "foreign_policy", "law"), seed: int = 0):
    """Texts whose words come from their labels' vocabularies plus filler; 0–2 labels each."""
    rng = random.Random(seed)
    texts, lists = [], []
    for _ in range(n):
        k = rng.choice([0, 1, 1, 2])
        labs = sorted(rng.sample(list(labels), k))
        words = [rng.choice(NEUTRAL) for _ in range(6)]
        for lab in labs:
            words += rng.sample(WORDS[lab], 3)
        rng.shuffle(words)
        texts.append(" ".join(words))
        lists.append(labs)
    return texts, lists


@pytest.fixture(scope="module")
def fitted() -> TopicClassifier:
    texts, labels = make_data(300)
    return TopicClassifier("tfidf").fit(texts, labels)


def test_fit_predict_multi_label(fitted: TopicClassifier) -> None:
    assert fitted.labels_ == ["defence", "foreign_policy", "law"]
    assert fitted.thresholds_.shape == (3,)
    pred = fitted.predict(["troops and tanks near the embassy, said the envoy", "weather and music", "jury verdict"])
    assert pred == [["defence", "foreign_policy"], [], ["law"]]
    proba = fitted.predict_proba(["jury verdict"])
    assert proba.shape == (1, 3) and np.all((proba >= 0) & (proba <= 1))
    assert fitted.predict_proba([]).shape == (0, 3)


def test_save_load_round_trip(fitted: TopicClassifier, tmp_path: Path) -> None:
    texts, _ = make_data(50, seed=1)
    fitted.save(tmp_path / "m")
    files = sorted(p.name for p in (tmp_path / "m").iterdir())
    assert files == [MODEL_FILE, "tfidf.safetensors", "tfidf_vocab.json"]  # no pickle anywhere
    back = TopicClassifier.load(tmp_path / "m")
    np.testing.assert_allclose(back.predict_proba(texts), fitted.predict_proba(texts), rtol=1e-5)
    np.testing.assert_array_equal(back.thresholds_, np.round(fitted.thresholds_, 6))
    assert back.labels_ == fitted.labels_


def test_thresholds_decide_labels(fitted: TopicClassifier) -> None:
    proba = np.array([[0.30, 0.60, 0.90]])
    assert labels_from_proba(proba, ["a", "b", "c"], np.array([0.5, 0.5, 0.5])) == [["b", "c"]]
    assert labels_from_proba(proba, ["a", "b", "c"], np.array([0.2, 0.7, 0.95])) == [["a"]]
    clf = TopicClassifier.__new__(TopicClassifier)
    clf.labels_, clf.thresholds_ = ["a", "b", "c"], np.array([0.2, 0.7, 0.95])
    assert clf.labels_from_proba(proba) == [["a"]]


def test_best_f1_threshold_separates_classes() -> None:
    y = np.array([0, 0, 0, 1, 1, 0, 1])
    p = np.array([0.1, 0.2, 0.3, 0.35, 0.6, 0.25, 0.9])
    t = best_f1_threshold(y, p)
    assert 0.3 < t <= 0.35  # halfway between the highest negative and the lowest positive
    assert best_f1_threshold(np.zeros(4), np.linspace(0, 1, 4)) == 0.5
    th = tune_thresholds(np.c_[y, 1 - y], np.c_[p, 1 - p])
    assert th.shape == (2,) and 0.3 < th[0] <= 0.35


def test_tuned_thresholds_beat_default_on_shifted_scores() -> None:
    # A model whose scores are all too low: 0.5 finds nothing, the tuned cut-off recovers the positives.
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    p = np.clip(0.1 + 0.2 * y + rng.normal(0, 0.03, 400), 0, 1)
    t = best_f1_threshold(y, p)
    assert ((p >= 0.5) == y).mean() < 0.6
    assert ((p >= t) == y).mean() > 0.95


def test_stratified_folds_spread_rare_labels() -> None:
    Y = np.zeros((40, 2), dtype=int)
    Y[:5, 0] = 1
    Y[5:25, 1] = 1
    folds = stratified_folds(Y, 5, seed=3)
    for f in range(5):
        assert Y[folds == f, 0].sum() == 1


def test_add_labels_keeps_old_ones(fitted: TopicClassifier, tmp_path: Path) -> None:
    texts, _ = make_data(60, seed=5)
    before = fitted.predict_proba(texts)
    clf = TopicClassifier.load(fitted.save(tmp_path / "base"))
    new_texts, new_labels = make_data(40, labels=("economy", "law"), seed=6)
    new_labels = [[x for x in labs if x == "economy"] for labs in new_labels]
    clf.add_labels(new_texts, new_labels)
    assert clf.labels_ == ["defence", "foreign_policy", "law", "economy"]
    np.testing.assert_allclose(clf.predict_proba(texts)[:, :3], before, rtol=1e-5)
    assert "economy" in clf.predict(["inflation and prices hit the market"])[0]
    back = TopicClassifier.load(clf.save(tmp_path / "extended"))
    assert back.labels_ == clf.labels_
    with pytest.raises(NewsdeskError, match="no new labels"):
        clf.add_labels(new_texts, [["law"]] * len(new_texts))


@pytest.mark.parametrize(
    ("labels", "match"),
    [
        ([["law"], "defence"], "must be a list"),
        ([["law"], [3]], "non-empty string"),
        ([["law"]], "one list"),
        ([[], []], "no labels at all"),
    ],
)
def test_bad_labels_are_clear_errors(labels, match) -> None:
    with pytest.raises(NewsdeskError, match=match):
        TopicClassifier("tfidf").fit(["a war", "a court"], labels)


def test_too_few_examples() -> None:
    texts, labels = make_data(30)
    labels[0] = ["rare"]
    with pytest.raises(NewsdeskError, match="too few examples.*rare"):
        TopicClassifier("tfidf").fit(texts, labels)


def test_unfitted_and_unknown_backend() -> None:
    with pytest.raises(NewsdeskError, match="not trained"):
        TopicClassifier("tfidf").predict(["x"])
    with pytest.raises(NewsdeskError, match="unknown backend"):
        TopicClassifier("svm").fit(*make_data(30))


def test_load_missing_and_corrupt(tmp_path: Path, fitted: TopicClassifier) -> None:
    with pytest.raises(ModelLoadError, match="no model"):
        TopicClassifier.load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="not a newsdesk model folder"):
        TopicClassifier.load(tmp_path / "empty")
    d = fitted.save(tmp_path / "m")
    (d / MODEL_FILE).write_text("{not json")
    with pytest.raises(ModelLoadError, match="corrupt"):
        TopicClassifier.load(d)
    d = fitted.save(tmp_path / "m2")
    (d / "tfidf.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelLoadError, match="cannot be read"):
        TopicClassifier.load(d)
    cfg = json.loads((d / MODEL_FILE).read_text())
    cfg["thresholds"] = [0.5]
    (d / MODEL_FILE).write_text(json.dumps(cfg))
    with pytest.raises(ModelLoadError, match="corrupt"):
        TopicClassifier.load(d)


def test_small_data_uses_out_of_fold_thresholds() -> None:
    texts, labels = make_data(80)
    clf = TopicClassifier("tfidf", args=TrainingArgs(seed=1)).fit(texts, labels)
    assert "out-of-fold" in clf.info_["thresholds_tuned_on"]
    assert clf.info_["trained_on"] == 80


def test_shipped_tfidf_model() -> None:
    clf = TopicClassifier.load("tfidf")
    assert clf.labels_ == ["defence", "foreign_policy", "law"]
    pred = clf.predict(
        [
            "Pentagon sends more troops and warships as the army prepares for war",
            "Jury convicts man of murder after a two-week trial; judge sets sentencing",
            "Recipes for a summer picnic",
        ]
    )
    assert "defence" in pred[0] and pred[1] == ["law"] and pred[2] == []


# ---- options are checked --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("backend", "options", "unknown", "valid"),
    [
        ("tfidf", {"ngram_rang": (1, 3)}, "ngram_rang", "max_features, min_df, ngram_range"),
        ("tfidf", {"pooling": "max"}, "pooling", "max_features, min_df, ngram_range"),
        ("embedding", {"poolng": "max"}, "poolng", "encoder_layers, pool_temperature, pooling, quantize"),
        ("ensemble", {"member": ["tfidf"]}, "member", "members"),
        ("ensemble", {"members": ["tfidf"], "pooling": "max"}, "pooling", "max_features, members, min_df"),
    ],
)
def test_an_unknown_backend_option_is_an_error_that_lists_the_valid_ones(backend, options, unknown, valid):
    with pytest.raises(NewsdeskError, match="unknown option") as err:
        TopicClassifier(backend, backend_options=options)
    assert valid in str(err.value) and f"{unknown!r} for the {backend} backend" in str(err.value)


def test_each_ensemble_member_gets_the_options_it_takes():
    texts, labels = make_data(60)
    clf = TopicClassifier(
        "ensemble", backend_options={"members": ["tfidf"], "ngram_range": (1, 1), "weights": [1.0]}
    ).fit(texts, labels, args=TrainingArgs(holdout=0))
    assert clf.model_.members_[0].ngram_range == (1, 1)


def test_backends_take_no_stray_keywords():
    from newsdesk.models.topics.backends.tfidf import TfidfTopics

    with pytest.raises(TypeError):
        TfidfTopics(ngram=(1, 2))


def test_training_args_from_dict_rejects_unknown_keys_unless_told_to_ignore_them():
    with pytest.raises(NewsdeskError, match="unknown training option.*epoch\\b.*the training options are epochs"):
        TrainingArgs.from_dict({"epoch": 2})
    assert TrainingArgs.from_dict({"epochs": 2, "old_option": 1}, ignore_extra=True).epochs == 2
    assert TrainingArgs.from_dict(TrainingArgs(seed=3).to_dict()) == TrainingArgs(seed=3)
    with pytest.raises(NewsdeskError, match="lora_rnk"):
        TrainingArgs().replace(lora_rnk=4)


# ---- British spellings (issue #18: "defence" articles missed the weight a US-trained model gave "defense") ---------
def test_us_spelling_rewrites_british_words_only() -> None:
    from newsdesk.models.topics.spelling import us_spelling

    got = us_spelling("Ministry of Defence: Labour organisations recognised the armoured programme, 5 per cent.")
    assert got == "ministry of defense: labor organizations recognized the armored program, 5 percent."
    # US words, and words whose -ise/-our form is also a US word, are left alone (only lower-cased)
    same = "Defense tour four advise emphasis realist exercise promise glamour"
    assert us_spelling(same) == same.lower()


def test_tfidf_spelling_us_carries_a_us_weight_to_a_british_article(tmp_path: Path) -> None:
    rng = random.Random(0)
    texts, labels = [], []
    for i in range(120):
        defence = i % 2 == 0
        words = [rng.choice(NEUTRAL) for _ in range(6)] + (["defense", "budget"] if defence else ["garden", "show"])
        texts.append(" ".join(words))
        labels.append(["defence"] if defence else [])
    british = ["the defence review was published today"]
    args = TrainingArgs(holdout=0)
    plain = TopicClassifier("tfidf", labels=["defence"]).fit(texts, labels, args=args)
    us = TopicClassifier("tfidf", labels=["defence"], backend_options={"spelling": "us"}).fit(texts, labels, args=args)
    assert us.predict_proba(british)[0, 0] > plain.predict_proba(british)[0, 0] + 0.1
    back = TopicClassifier.load(us.save(tmp_path / "us"))
    assert json.loads((tmp_path / "us" / MODEL_FILE).read_text())["backend_config"]["spelling"] == "us"
    np.testing.assert_array_equal(back.predict_proba(british), us.predict_proba(british))
    with pytest.raises(NewsdeskError, match="unknown spelling"):
        TopicClassifier("tfidf", backend_options={"spelling": "uk"}).fit(texts, labels, args=args)
