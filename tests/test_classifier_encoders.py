"""Encoder-based backends on a tiny random BERT built in a temp dir (no downloads): embedding (LoRA and frozen),
transformer, zero-shot, ensemble; window chunking of long texts; pooling."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from tiny_models import FILLER, TOPIC_WORDS

from newsdesk.models.topics.classifier import MODEL_FILE, TopicClassifier
from newsdesk.models.topics.encoder import Encoder
from newsdesk.models.topics.pooling import pool_logits
from newsdesk.models.topics.training_args import TrainingArgs
from newsdesk.models.topics.windows import chunk_ids, token_windows


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny models gain nothing from two threads, and on a busy machine their many small ops stall on thread
    hand-offs (a 2-thread run here took minutes instead of seconds)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_data(n: int, labels=("defence", "law"), seed: int = 0):
    rng = random.Random(seed)
    texts, lists = [], []
    for i in range(n):
        labs = [labels[i % len(labels)]] if i % 3 else []
        words = [rng.choice(FILLER) for _ in range(4)] + [w for lab in labs for w in rng.sample(TOPIC_WORDS[lab], 3)]
        rng.shuffle(words)
        texts.append(" ".join(words))
        lists.append(labs)
    return texts, lists


# holdout=0: thresholds stay at 0.5, so each fit trains once (the tf-idf tests cover threshold tuning).
FAST = TrainingArgs(
    epochs=8, batch_size=8, lora_layers=2, learning_rate=5e-3, head_learning_rate=5e-2, holdout=0, log_every=1000
)


# ---- chunking ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("n", "window", "overlap"), [(0, 8, 2), (5, 8, 2), (8, 8, 2), (9, 8, 2), (100, 8, 3), (37, 10, 0)]
)
def test_windows_cover_every_token(n: int, window: int, overlap: int) -> None:
    wins = token_windows(n, window, overlap)
    covered = set()
    for s, e in wins:
        assert 0 <= s < e <= n or (n == 0 and s == e == 0)
        assert e - s == min(window, n)
        covered |= set(range(s, e))
    assert covered == set(range(n))
    for (_, e1), (s2, _) in zip(wins, wins[1:], strict=False):
        assert s2 <= e1 and e1 - s2 >= overlap  # no gap; consecutive windows overlap by at least `overlap`


def test_chunk_ids_keeps_order_and_owner() -> None:
    chunks, owner = chunk_ids([list(range(20)), [7], []], window=8, overlap=2)
    assert owner == [0, 0, 0, 1, 2]
    assert [t for c in chunks[:3] for t in c][:8] == list(range(8)) and chunks[2][-1] == 19


def test_encoder_chunks_long_text_without_dropping(tiny_bert: Path) -> None:
    enc = Encoder(tiny_bert, chunk_tokens=12, chunk_overlap=3, device="cpu")
    words = [FILLER[i % len(FILLER)] for i in range(50)]
    chunks = enc.chunk([" ".join(words), "court"])
    assert chunks.owner.tolist().count(0) > 1 and chunks.owner.tolist().count(1) == 1
    cls, sep = enc.prefix, enc.suffix
    assert all(c[: len(cls)] == cls and c[-len(sep) :] == sep and len(c) <= 12 for c in chunks.ids)
    body = enc.tokenize([" ".join(words)])[0]
    inner = [c[len(cls) : -len(sep)] for c, o in zip(chunks.ids, chunks.owner, strict=True) if o == 0]
    wins = token_windows(len(body), enc.window, enc.overlap)
    assert inner == [body[s:e] for s, e in wins]  # each window is a slice of the text, in order
    assert set().union(*(range(s, e) for s, e in wins)) == set(range(len(body)))  # and together they cover it all


def test_pooling_between_mean_and_max() -> None:
    z = np.array([[4.0], [-4.0], [-4.0], [-4.0], [2.0]])
    owner = np.array([0, 0, 0, 0, 1])
    lme = pool_logits(z, owner, 2, "lme")[:, 0]
    mean, mx = pool_logits(z, owner, 2, "mean")[:, 0], pool_logits(z, owner, 2, "max")[:, 0]
    assert mean[0] < lme[0] < mx[0]
    assert lme[0] == pytest.approx(4.0 - np.log(4), abs=0.01)  # one relevant window of four: log(4) below it
    assert lme[1] == mean[1] == mx[1] == 2.0  # one window: no change
    same = pool_logits(np.full((6, 1), 1.5), np.zeros(6, int), 1, "lme")  # length alone does not inflate
    assert same[0, 0] == pytest.approx(1.5)


# ---- embedding backend ------------------------------------------------------------------------------------------
# Round trips run in both dtypes on every machine (bf16 is emulated, slowly, where the CPU lacks it: tiny models
# keep that cheap), so a dtype that differs between fit and load fails here, not on a user's machine.
DTYPES = ["float32", pytest.param("bfloat16", marks=pytest.mark.bf16)]


@pytest.fixture(scope="module", params=DTYPES)
def dtype(request: pytest.FixtureRequest) -> str:
    return request.param


def fit_tiny(backend: str, tiny_bert: Path, dtype: str, texts, labels, **backend_options) -> TopicClassifier:
    """``backend`` on the tiny BERT with 16-token windows, fitted on ``texts``."""
    return TopicClassifier(
        backend,
        base=str(tiny_bert),
        chunk_tokens=16,
        chunk_overlap=4,
        device="cpu",
        dtype=dtype,
        backend_options=backend_options,
    ).fit(texts, labels, args=FAST)


def fit_embedding(tiny_bert: Path, dtype: str, **backend_options) -> TopicClassifier:
    return fit_tiny("embedding", tiny_bert, dtype, *make_data(60), **backend_options)


@pytest.fixture(scope="module")
def emb_model(tiny_bert: Path, dtype: str) -> TopicClassifier:
    return fit_embedding(tiny_bert, dtype)


def test_embedding_lora_fit_predict_save_load(
    emb_model: TopicClassifier, tiny_bert: Path, tmp_path: Path, dtype: str
) -> None:
    texts, labels = make_data(30, seed=1)
    proba = emb_model.predict_proba(texts)
    assert proba.shape == (30, 2) and emb_model.labels_ == ["defence", "law"]
    pos = np.array([[lab in labs for lab in emb_model.labels_] for labs in labels])
    assert proba[pos].mean() > proba[~pos].mean() + 0.2  # it learnt something
    d = emb_model.save(tmp_path / "m")
    assert (d / "adapter.safetensors").is_file() and (d / "heads.safetensors").is_file()
    assert sum(p.stat().st_size for p in d.iterdir()) < 200_000  # a delta over the encoder, not a copy
    back = TopicClassifier.load(d, device="cpu", dtype=dtype)
    assert back.model_.encoder_.model.dtype == getattr(torch, dtype) == emb_model.model_.encoder_.model.dtype
    np.testing.assert_array_equal(back.predict_proba(texts), proba)


def test_auto_dtype_is_chosen_alike_at_fit_and_load(
    tiny_bert: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a CPU with native bf16, ``auto`` is bf16 for the fitted model and for its saved copy alike (the fitted
    model once predicted in float32 and the loaded one in bf16)."""
    monkeypatch.setattr("newsdesk.runtime.cpu_native_bf16", lambda: True)
    texts, labels = make_data(40)
    clf = TopicClassifier("embedding", base=str(tiny_bert), chunk_tokens=16, device="cpu").fit(texts, labels, args=FAST)
    assert clf.model_.encoder_.model.dtype == torch.bfloat16
    back = TopicClassifier.load(clf.save(tmp_path / "auto"), device="cpu")
    assert back.model_.encoder_.model.dtype == torch.bfloat16
    np.testing.assert_array_equal(back.predict_proba(texts), clf.predict_proba(texts))


def test_embedding_frozen_body(tiny_bert: Path, tmp_path: Path, dtype: str) -> None:
    texts, labels = make_data(40)
    clf = TopicClassifier("embedding", base=str(tiny_bert), device="cpu", dtype=dtype).fit(
        texts, labels, args=TrainingArgs(lora_layers=0, holdout=0)
    )
    d = clf.save(tmp_path / "frozen")
    assert not (d / "adapter.safetensors").exists()
    back = TopicClassifier.load(d, dtype=dtype)
    np.testing.assert_array_equal(back.predict_proba(texts), clf.predict_proba(texts))


def test_long_text_reads_past_the_first_window(emb_model: TopicClassifier) -> None:
    filler = " ".join(FILLER * 8)  # 80 tokens: several 16-token windows
    a = emb_model.predict_proba([filler + " court judge jury police"])
    b = emb_model.predict_proba([filler + " weather music today city"])
    assert not np.allclose(a, b)  # the last words still count: nothing was cut off


def test_embedding_add_labels(emb_model: TopicClassifier, tmp_path: Path, dtype: str) -> None:
    d = emb_model.save(tmp_path / "base")
    clf = TopicClassifier.load(d, dtype=dtype)
    texts, _ = make_data(20, seed=3)
    before = clf.predict_proba(texts)
    new_texts, new_labels = make_data(30, labels=("economy",), seed=4)
    clf.add_labels(new_texts, new_labels, args=FAST)
    assert clf.labels_ == ["defence", "law", "economy"]
    np.testing.assert_allclose(clf.predict_proba(texts)[:, :2], before, atol=1e-6)
    back = TopicClassifier.load(clf.save(tmp_path / "ext"), dtype=dtype)
    np.testing.assert_array_equal(back.predict_proba(texts), clf.predict_proba(texts))


# ---- ensemble, transformer, zero-shot -------------------------------------------------------------------------
def test_ensemble_round_trip(tiny_bert: Path, tmp_path: Path, dtype: str) -> None:
    texts, labels = make_data(60)
    clf = TopicClassifier("ensemble", base=str(tiny_bert), device="cpu", dtype=dtype).fit(texts, labels, args=FAST)
    d = clf.save(tmp_path / "ens")
    back = TopicClassifier.load(d, dtype=dtype)
    np.testing.assert_array_equal(back.predict_proba(texts), clf.predict_proba(texts))
    new_texts, new_labels = make_data(30, labels=("economy",), seed=4)
    back.add_labels(new_texts, new_labels, args=FAST)
    assert back.labels_[-1] == "economy"
    assert TopicClassifier.load(back.save(tmp_path / "ens2")).labels_ == back.labels_


def test_transformer_fine_tune_round_trip(tiny_bert: Path, tmp_path: Path, dtype: str) -> None:
    texts, labels = make_data(48)
    clf = TopicClassifier("transformer", base=str(tiny_bert), chunk_tokens=16, device="cpu", dtype=dtype).fit(
        texts, labels, args=TrainingArgs(epochs=6, batch_size=8, learning_rate=3e-3, holdout=0)
    )
    proba = clf.predict_proba(texts)
    pos = np.array([[lab in labs for lab in clf.labels_] for labs in labels])
    assert proba.shape == (48, 2) and proba[pos].mean() > proba[~pos].mean()
    d = clf.save(tmp_path / "ft")
    assert (d / "checkpoint" / "model.safetensors").is_file()
    from safetensors.numpy import load_file

    assert {v.dtype for v in load_file(str(d / "checkpoint" / "model.safetensors")).values()} == {np.dtype(np.float32)}
    back = TopicClassifier.load(d, dtype=dtype)
    np.testing.assert_array_equal(back.predict_proba(texts), proba)
    # The bare checkpoint folder also loads, as a plain classifier named by its id2label.
    raw = TopicClassifier.load(d / "checkpoint")
    assert raw.labels_ == ["defence", "law"] and raw.backend == "transformer"


def test_transformer_needs_a_base() -> None:
    from newsdesk.errors import NewsdeskError

    texts, labels = make_data(30)
    with pytest.raises(NewsdeskError, match="needs base"):
        TopicClassifier("transformer").fit(texts, labels, args=TrainingArgs(holdout=0))


def test_zero_shot_without_training(tiny_bert: Path, tmp_path: Path) -> None:
    clf = TopicClassifier(
        "zero-shot",
        labels=["defence", "law"],
        label_descriptions={"defence": "army troops navy missile"},
        base=str(tiny_bert),
    )
    proba = clf.predict_proba(["the army and the navy", "court and judge"])
    assert proba.shape == (2, 2) and clf.thresholds_.tolist() == [0.5, 0.5]
    texts, labels = make_data(40)
    fitted = TopicClassifier(
        "zero-shot", labels=["defence", "law"], base=str(tiny_bert), args=TrainingArgs(holdout=0.25)
    ).fit(texts, labels, tune_texts=texts[:10], tune_labels=labels[:10])
    back = TopicClassifier.load(fitted.save(tmp_path / "zs"))
    np.testing.assert_allclose(back.predict_proba(texts), fitted.predict_proba(texts), atol=1e-6)
    assert (tmp_path / "zs" / MODEL_FILE).is_file()


# ---- speed options: a shallower body, int8 linear layers -----------------------------------------------------------
def test_encoder_layers_round_trip(tiny_bert: Path, tmp_path: Path) -> None:
    texts, labels = make_data(60)
    opts = {"encoder_layers": 1}
    clf = TopicClassifier(
        "embedding", base=str(tiny_bert), chunk_tokens=16, device="cpu", dtype="float32", backend_options=opts
    )
    clf.fit(texts, labels, args=FAST)
    assert len(clf.model_.encoder_.model.encoder.layer) == 1
    d = clf.save(tmp_path / "shallow")
    from safetensors.numpy import load_file

    assert {k.split(".")[2] for k in load_file(str(d / "adapter.safetensors"))} == {"0"}  # LoRA on the kept layer
    back = TopicClassifier.load(d, device="cpu", dtype="float32")
    assert len(back.model_.encoder_.model.encoder.layer) == 1
    assert back.model_.encoder_.model.config.num_hidden_layers == 1
    np.testing.assert_array_equal(back.predict_proba(texts), clf.predict_proba(texts))
    full = TopicClassifier("embedding", base=str(tiny_bert), chunk_tokens=16, device="cpu", dtype="float32").fit(
        texts, labels, args=FAST
    )
    assert not np.allclose(full.predict_proba(texts), clf.predict_proba(texts), atol=1e-3)  # really one layer less


@pytest.mark.parametrize("layers", [0, 3, "2"])
def test_encoder_layers_out_of_range(tiny_bert: Path, layers) -> None:
    from newsdesk.errors import NewsdeskError

    with pytest.raises(NewsdeskError, match="encoder_layers must be between 1 and 2"):
        Encoder(tiny_bert, device="cpu", layers=layers)


def test_encoder_layers_needs_a_bert_like_body() -> None:
    from newsdesk.errors import NewsdeskError
    from newsdesk.models.topics.encoder import truncate_layers

    with pytest.raises(NewsdeskError, match="BERT-like"):
        truncate_layers(torch.nn.Linear(4, 4), 1, "toy")


def test_int8_close_to_fp32_and_saved(tiny_bert: Path, tmp_path: Path) -> None:
    emb_model = fit_embedding(tiny_bert, "float32")
    q = fit_embedding(tiny_bert, "float32", quantize="int8")  # the same training; only inference is quantised
    linear = q.model_.encoder_.model.encoder.layer[0].output.dense
    assert "Quantized" in type(linear).__module__ + repr(linear)
    test, _ = make_data(30, seed=1)
    pq, pf = q.predict_proba(test), emb_model.predict_proba(test)
    np.testing.assert_allclose(pq, pf, atol=0.05)
    assert not np.allclose(pq, pf, atol=1e-7)
    back = TopicClassifier.load(q.save(tmp_path / "int8"), device="cpu")
    assert back.model_.quantize == "int8"
    np.testing.assert_array_equal(back.predict_proba(test), pq)
    none = TopicClassifier.load(emb_model.save(tmp_path / "fp32"), device="cpu", dtype="float32")
    assert none.model_.quantize == "none" and isinstance(
        none.model_.encoder_.model.encoder.layer[0].output.dense, torch.nn.Linear
    )


def test_unknown_quantize_is_refused() -> None:
    from newsdesk.errors import NewsdeskError

    with pytest.raises(NewsdeskError, match="quantize"):
        TopicClassifier("embedding", backend_options={"quantize": "int4"})._new_backend(["a"])


def test_saved_adapter_factors_merge_as_peft_merges_them(tiny_bert: Path) -> None:
    """The adapter format (newsdesk's keys, scale folded into B) merges into exactly W + B @ A, bit for bit what
    peft's merge of the same factors gives, without peft."""
    from transformers import BertModel

    from newsdesk.models.topics.adapters import ADAPTER, _layers, _lora_model, apply_lora_state

    model, reference = BertModel.from_pretrained(tiny_bert), BertModel.from_pretrained(tiny_bert)
    names = ["encoder.layer.1.attention.self.query", "encoder.layer.0.output.dense"]
    g = torch.Generator().manual_seed(1)
    state = {}
    for name in names:
        out_features, in_features = model.get_submodule(name).weight.shape
        state[f"{name}.lora_A"] = torch.randn(4, in_features, generator=g)
        state[f"{name}.lora_B"] = torch.randn(out_features, 4, generator=g)
    before = model.get_submodule(names[0]).weight.detach().clone()
    assert apply_lora_state(model, state) == 2
    name = names[0]
    assert type(model.get_submodule(name)) is torch.nn.Linear
    assert torch.equal(model.get_submodule(name).weight, before + state[f"{name}.lora_B"] @ state[f"{name}.lora_A"])

    lora = _lora_model(reference, names, 4, 4.0, 0.0)  # peft, at the scale of 1 the saved factors imply
    with torch.no_grad():
        for n, layer in zip(names, _layers(lora, names), strict=True):
            layer.lora_A[ADAPTER].weight.copy_(state[f"{n}.lora_A"])
            layer.lora_B[ADAPTER].weight.copy_(state[f"{n}.lora_B"])
    lora.merge_and_unload()
    for n in names:
        assert torch.equal(model.get_submodule(n).weight, reference.get_submodule(n).weight)

    A, B = state[f"{name}.lora_A"], state[f"{name}.lora_B"]
    with pytest.raises(ValueError, match="does not fit"):
        apply_lora_state(model, {f"{name}.lora_A": A[:, :16], f"{name}.lora_B": B})
    with pytest.raises(ValueError, match="no layer"):
        apply_lora_state(model, {"encoder.layer.9.output.dense.lora_A": A, "encoder.layer.9.output.dense.lora_B": B})


# ---- newsdesk's own BERT (inference without transformers) --------------------------------------------------------
def test_native_bert_is_bit_identical_to_transformers(tiny_bert: Path, dtype: str) -> None:
    """Same token ids and the same window embeddings, bit for bit, with and without padding and with an adapter:
    a model gives the same scores whichever body runs it."""
    g = torch.Generator().manual_seed(3)
    name = "encoder.layer.1.intermediate.dense"
    adapter = {f"{name}.lora_A": torch.randn(2, 32, generator=g), f"{name}.lora_B": torch.randn(64, 2, generator=g)}
    texts, _ = make_data(12)
    texts += [" ".join(texts), "court", "Troops, a JUDGE and an unknown-word!"]
    for ad in (None, adapter):
        ref = Encoder(str(tiny_bert), device="cpu", dtype=dtype, chunk_tokens=16, chunk_overlap=4, adapter=ad)
        own = Encoder(
            str(tiny_bert), device="cpu", dtype=dtype, chunk_tokens=16, chunk_overlap=4, adapter=ad, native=True
        )
        assert own.native and not ref.native
        assert own.tokenize(texts) == ref.tokenize(texts)
        assert (own.prefix, own.suffix, own.pad_id) == (ref.prefix, ref.suffix, ref.pad_id)
        chunks = ref.chunk(texts)
        assert len({len(x) for x in chunks.ids}) > 1  # some batches are padded
        assert np.array_equal(own.embed_chunks(chunks), ref.embed_chunks(chunks))
        one = ref.chunk(["court judge"])  # one row: no padding, no mask
        assert np.array_equal(own.embed_chunks(one), ref.embed_chunks(one))


def test_native_bert_only_for_plain_bert_folders(tiny_bert: Path, tmp_path: Path) -> None:
    import shutil

    from newsdesk.models.topics import bert

    assert bert.unsupported(tiny_bert) is None
    other = tmp_path / "other"
    shutil.copytree(tiny_bert, other)
    config = json.loads((other / "config.json").read_text())
    (other / "config.json").write_text(json.dumps({**config, "hidden_act": "relu"}))
    assert bert.unsupported(other) == "hidden_act='relu'"
    assert not Encoder(str(other), device="cpu", native=True).native  # transformers runs it instead
    (other / "tokenizer.json").unlink()
    assert bert.unsupported(other) == "no tokenizer.json"


def test_loading_the_default_imports_neither_transformers_nor_peft() -> None:
    """What every new process (a CLI run, a Ray actor) pays before its first article: no transformers, no peft."""
    import subprocess
    import sys

    code = (
        "import sys; from newsdesk import TopicClassifier; m = TopicClassifier.load('default'); "
        "m.predict(['Troops crossed the border as the court ruled on the treaty.'] * 2); "
        "print(sorted(n for n in ('transformers', 'peft') if n in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


# ---- length-aware ensemble (issue #18: headlines keep the headline weights, whole articles get their own) --------
def routed_ensemble(tiny_bert: Path, dtype: str, **options) -> TopicClassifier:
    texts, labels = make_data(60)
    long_texts, long_labels = make_data(20, seed=7)
    long_texts = [" ".join([t] * 5) for t in long_texts]  # five times one text: several 16-token windows
    return fit_tiny("ensemble", tiny_bert, dtype, texts + long_texts, labels + long_labels, **options)


def test_ensemble_short_texts_take_their_own_weights_and_shift(tiny_bert: Path, tmp_path: Path, dtype: str) -> None:
    from newsdesk.models.topics.heads import logit

    shift = [0.5, -1.0]
    clf = routed_ensemble(tiny_bert, dtype, weights=[0.0, 1.0], short_weights=[1.0, 0.0], short_logit_shift=shift)
    ens = clf.model_
    short, _ = make_data(6, seed=3)
    long = [" ".join([t] * 5) for t in short]
    assert ens.members_[0].windows_per_text(ens.members_[0].features(short)).tolist() == [1] * 6
    assert min(ens.members_[0].windows_per_text(ens.members_[0].features(long))) > 1
    texts = [x for pair in zip(short, long, strict=True) for x in pair]  # short and long interleaved
    p = clf.predict_proba(texts)
    emb, tfidf = ens.member_proba(texts)
    # one window: the encoder member alone, moved by the shift; several: the tf-idf member alone
    np.testing.assert_allclose(logit(p[0::2]), logit(emb[0::2]) + np.array(shift), atol=1e-6)
    np.testing.assert_allclose(p[1::2], tfidf[1::2], atol=1e-6)
    # the same from precomputed features, and after a save and load (the settings live in newsdesk_model.json)
    np.testing.assert_allclose(ens.proba_from_features(ens.features(texts)), p, atol=1e-9)
    d = clf.save(tmp_path / "routed")
    saved = json.loads((d / MODEL_FILE).read_text())["backend_config"]["short_texts"]
    assert saved == {"max_windows": 1, "weights": [[1.0, 1.0], [0.0, 0.0]], "logit_shift": shift}
    back = TopicClassifier.load(d, device="cpu", dtype=dtype)
    np.testing.assert_array_equal(back.predict_proba(texts), p)
    # a new label is weighted alike whatever the length, and unshifted
    new_texts, new_labels = make_data(30, labels=("economy",), seed=4)
    back.add_labels(new_texts, new_labels, args=FAST)
    assert back.model_.short_weights_.shape == (2, 3) and back.model_.short_logit_shift_[-1] == 0.0
    assert TopicClassifier.load(back.save(tmp_path / "routed2")).labels_ == back.labels_


def test_ensemble_without_short_weights_treats_every_length_alike(tiny_bert: Path, dtype: str) -> None:
    from newsdesk.models.topics.heads import logit

    clf = routed_ensemble(tiny_bert, dtype, weights=[0.0, 1.0])
    short, _ = make_data(4, seed=3)
    p = clf.predict_proba(short)
    np.testing.assert_allclose(logit(p), logit(clf.model_.member_proba(short)[1]), atol=1e-6)


def test_ensemble_member_with_zero_weight_is_not_run_on_that_length(
    tiny_bert: Path, dtype: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clf = routed_ensemble(tiny_bert, dtype, weights=[0.5, 0.5], short_weights=[1.0, 0.0])
    tfidf = clf.model_.members_[1]
    seen: list[int] = []
    real = tfidf.predict_proba
    monkeypatch.setattr(tfidf, "predict_proba", lambda texts: seen.append(len(texts)) or real(texts))
    short, _ = make_data(3, seed=5)
    clf.predict_proba(short + [" ".join(short * 4)])
    assert seen == [1]  # only the long text reached the tf-idf member


def test_short_weights_need_an_encoder_member_and_fit_the_members() -> None:
    from newsdesk.errors import NewsdeskError

    with pytest.raises(NewsdeskError, match="reads texts in encoder windows"):
        TopicClassifier("ensemble", backend_options={"members": ["tfidf"], "short_weights": [1.0]}).fit(
            *make_data(30), args=FAST
        )
    with pytest.raises(NewsdeskError, match="one weight .* per member"):
        TopicClassifier("ensemble", backend_options={"short_weights": [1.0, 0.0, 0.0]}).fit(*make_data(30), args=FAST)
