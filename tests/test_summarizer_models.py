"""The generative summariser on tiny randomly initialised models built here: chat (Llama), seq2seq (BART), GGUF
cache, save/load, map-reduce over long texts, and the guard inside the engine. No downloads."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from tiny_models import tiny_gguf

from newsdesk.errors import ModelLoadError
from newsdesk.models.lm import gguf_cache
from newsdesk.models.summaries import engine as engine_mod
from newsdesk.models.summaries.mapreduce import split_into_parts
from newsdesk.models.summaries.summarizer import Summarizer

ARTICLE = (
    "The council approved a budget of 12 million dollars on Tuesday. "
    "Police said the man was arrested in Paris after a chase. "
    "The mayor will sign the plan next week, officials said. "
    "Residents can comment on the budget online until Friday."
)


def test_chat_model_runs_with_its_template_and_is_deterministic(llama_dir: Path) -> None:
    s = Summarizer(str(llama_dir), max_new_tokens=6)
    assert s._engine.lm.kind == "chat" and s._engine.strategy == "abstract"
    first = s.summarize([ARTICLE, ARTICLE[:120]], return_details=True)
    again = s.summarize([ARTICLE, ARTICLE[:120]], return_details=True)
    assert [r.summary for r in first] == [r.summary for r in again]
    d = first[0].to_dict()
    assert d["model"] == llama_dir.name and d["strategy"] == "abstract" and d["summary"]
    # Whatever a random model writes, the guard leaves only what the article supports.
    assert set(d["guard"]) >= {"kept", "repaired", "regenerated", "replaced", "dropped", "unsupported"}


def test_seq2seq_model_uses_its_own_window(bart_dir: Path) -> None:
    s = Summarizer(str(bart_dir), max_new_tokens=6)
    assert s._engine.lm.kind == "seq2seq" and s._engine.lm.window == 128
    long_text = " ".join([ARTICLE] * 4)  # about 300 tokens: more than the 128-token window
    r = s.summarize(long_text, return_details=True)
    assert r.parts > 1 and not r.capped and r.summary


def test_rewrite_strategy_falls_back_to_article_sentences_under_the_guard(llama_dir: Path) -> None:
    s = Summarizer(str(llama_dir), strategy="rewrite", max_new_tokens=6, rewrite_min_words=1)
    r = s.summarize(ARTICLE, return_details=True)
    # A random model's rewrites are noise: every one is rejected and replaced by the sentence it rewrote.
    # The four sentences (41 words) all fit in key_words=110.
    assert r.guard["replaced"] == 4 and r.guard["kept"] == 0 and r.guard["copied"] == 0
    short = Summarizer(str(llama_dir), strategy="rewrite", max_new_tokens=6, rewrite_min_words=15)
    r_short = short.summarize(ARTICLE, return_details=True)
    assert r_short.guard["copied"] == 4 and r_short.summary == r.summary  # all shorter than 15 words: none rewritten
    lead = Summarizer(str(llama_dir), strategy="rewrite", max_new_tokens=6, rewrite_min_words=15, key_words=None)
    assert lead.summarize(ARTICLE, return_details=True).guard["copied"] == 3  # the first lead_k
    assert r.summary.startswith("The council approved a budget of 12 million dollars on Tuesday.")


def test_guard_catches_a_fabricated_number_and_name(llama_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Summarizer(str(llama_dir))
    fabricated = "The council approved a budget of 45 million dollars on Tuesday. John Smith was arrested in Paris."
    monkeypatch.setattr(engine_mod, "generate", lambda lm, prompts, *a, **k: [fabricated] * len(prompts))
    r = s.summarize(ARTICLE, return_details=True)
    assert "45" not in r.summary and "John Smith" not in r.summary
    assert r.guard["unsupported"] == ["45 million", "John Smith"]
    # The number is repaired from the matching article sentence; the invented person's sentence is replaced.
    assert r.guard["repaired"] == 1 and r.guard["replaced"] == 1
    assert "12 million dollars" in r.summary and "Police said the man was arrested in Paris" in r.summary
    unguarded = Summarizer(str(llama_dir), guard=False).summarize(ARTICLE, return_details=True)
    assert "45 million" in unguarded.summary and unguarded.guard is None


@pytest.mark.parametrize("speculate", [True, False])
@pytest.mark.parametrize("paraphrase_ok", [True, False])
def test_a_rejected_rewrite_is_asked_for_in_other_words_then_by_deletion(
    llama_dir: Path, monkeypatch: pytest.MonkeyPatch, speculate: bool, paraphrase_ok: bool
) -> None:
    """A rewrite the guard rejects is replaced by the model's rewrite in other words when the guard accepts that,
    else by its deletion-only shortening: both asked for in the same generation round as the rewrite when the
    batch is small (speculatively), otherwise one round each, the deletion only if the other words failed."""
    rounds: list[list[str]] = []
    rambling = "The council, which met at length, approved a budget of 12 million dollars on Tuesday night."
    paraphrase = "The council approved a 12 million dollars budget on Tuesday." if paraphrase_ok else rambling
    shorter = "The council approved a 12 million dollars budget."

    def fake_generate(lm, prompts, *args, **kwargs):
        rounds.append(prompts)
        return [shorter if "deleting words" in p else paraphrase if "own words" in p else rambling for p in prompts]

    monkeypatch.setattr(engine_mod, "generate", fake_generate)
    monkeypatch.setattr(engine_mod, "SPECULATE_ROWS", 16 if speculate else 0)
    s = Summarizer(str(llama_dir), strategy="rewrite", rewrite_min_words=1, lead_k=1, key_words=None)
    r = s.summarize(ARTICLE, return_details=True)
    if speculate:
        assert len(rounds) == 1 and len(rounds[0]) == 3
        assert "own words" in rounds[0][1] and "deleting words" in rounds[0][2]
    else:
        assert len(rounds) == (2 if paraphrase_ok else 3) and len(rounds[0]) == 1 and "simpler" in rounds[0][0]
        assert rounds[1] == [p for p in rounds[1] if "own words" in p] and len(rounds[1]) == 1
        assert paraphrase_ok or ("deleting words" in rounds[2][0] and len(rounds[2]) == 1)
    assert r.guard["regenerated"] == 1 and r.guard["replaced"] == 0
    assert r.summary == (paraphrase if paraphrase_ok else shorter)


def test_a_rewrite_the_truth_check_flags_is_rejected_though_the_guard_passes_it(
    llama_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An invented word ("passed" for "approved") has no name or number for the guard to catch; the truth check
    (against the source sentence) rejects it, and the deletion-only fallback stands in."""
    invented = "The council passed a budget of 12 million dollars."
    shorter = "The council approved a 12 million dollars budget."

    def fake_generate(lm, prompts, *args, **kwargs):
        return [shorter if "deleting words" in p else invented for p in prompts]

    monkeypatch.setattr(engine_mod, "generate", fake_generate)
    s = Summarizer(str(llama_dir), strategy="rewrite", rewrite_min_words=1, lead_k=1, key_words=None)
    r = s.summarize(ARTICLE, return_details=True)
    assert r.summary == shorter and r.guard["regenerated"] == 1
    assert any("truth check: word 'passed'" in p for p in r.guard["problems"])


def test_speculative_deletions_give_the_same_summaries(llama_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Summarizer(str(llama_dir), strategy="rewrite", rewrite_min_words=3, max_new_tokens=12)
    texts = [ARTICLE, ARTICLE[60:]]
    one_round = s.summarize(texts, batch_size=1, return_details=True)
    monkeypatch.setattr(engine_mod, "SPECULATE_ROWS", 0)
    two_rounds = s.summarize(texts, batch_size=1, return_details=True)
    assert [(r.summary, r.guard) for r in one_round] == [(r.summary, r.guard) for r in two_rounds]


def test_map_reduce_over_parts_and_the_cap_is_reported(llama_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_generate(lm, prompts, *args, **kwargs):
        calls.append(prompts)
        return ["The council approved a budget of 12 million dollars on Tuesday."] * len(prompts)

    monkeypatch.setattr(engine_mod, "generate", fake_generate)
    long_text = "\n\n".join([ARTICLE] * 10)
    r = Summarizer(str(llama_dir), max_input_tokens=400, max_parts=20).summarize(long_text, return_details=True)
    assert r.parts == len(calls[0]) > 2 and len(calls) == 2  # map over every part, then one reduce
    assert "summaries of consecutive parts" in calls[1][0] and not r.capped
    capped = Summarizer(str(llama_dir), max_input_tokens=400, max_parts=2).summarize(long_text, return_details=True)
    assert capped.capped and capped.parts == r.parts and capped.words_read < r.words_read


def test_split_into_parts_keeps_paragraphs_whole_and_splits_long_ones() -> None:
    count = lambda text: len(text.split())  # noqa: E731
    text = "one two three.\n\nfour five six.\n\n" + " ".join(f"Sentence number {i} here." for i in range(6))
    split = split_into_parts(text, 8, count)
    assert split.parts[0] == "one two three.\nfour five six."
    assert all(count(p) <= 8 for p in split.parts) and not split.capped
    assert " ".join(split.parts).replace("\n", " ").split() == text.split()  # nothing lost
    capped = split_into_parts(text, 8, count, max_parts=2)
    assert capped.capped and capped.total == split.total and len(capped.parts) == 2


def test_save_and_load_round_trip(llama_dir: Path, tmp_path: Path) -> None:
    s = Summarizer(
        str(llama_dir), strategy="rewrite", max_new_tokens=6, max_words=40, rewrite_min_words=1, key_words=None
    )
    out = s.save(tmp_path / "saved")
    assert (out / "model.safetensors").is_file() and not list(out.glob("*.bin"))
    again = Summarizer(str(out), max_new_tokens=6)
    assert again._engine.strategy == "rewrite" and again.max_words == 40 and again.key_words is None
    assert Summarizer(str(out), key_words=30).key_words == 30  # an argument wins over the saved setting
    assert again.summarize(ARTICLE) == s.summarize(ARTICLE)
    lead = Summarizer("lead", lead_k=1).save(tmp_path / "lead")
    assert Summarizer(str(lead), lead_k=1).summarize(ARTICLE) == Summarizer("lead", lead_k=1).summarize(ARTICLE)


def test_gguf_is_converted_once_then_loaded_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_CACHE", str(tmp_path / "cache"))
    gguf_file = tiny_gguf(tmp_path / "tiny.gguf")
    s = Summarizer(str(gguf_file), max_new_tokens=4)
    assert s._engine.lm.kind == "chat" and s.summarize(ARTICLE)
    entries = list((tmp_path / "cache" / "gguf").iterdir())
    assert len(entries) == 1 and gguf_cache.is_converted(entries[0])
    assert entries[0].name.startswith(gguf_cache.file_sha256(gguf_file)[:32])

    def no_conversion(*args, **kwargs):
        raise AssertionError("converted again")

    monkeypatch.setattr(gguf_cache, "convert_gguf", no_conversion)
    # Loading from the cache reads safetensors only: no GGUF parsing or de-quantising.
    import gguf

    monkeypatch.setattr(gguf, "GGUFReader", no_conversion)
    again = Summarizer(str(gguf_file), max_new_tokens=4)
    assert again.summarize(ARTICLE) == s.summarize(ARTICLE)


def test_interrupted_gguf_conversion_leaves_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_CACHE", str(tmp_path / "cache"))
    gguf_file = tiny_gguf(tmp_path / "tiny.gguf")

    def crash(path: Path, out_dir: Path) -> None:
        (out_dir / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    real = gguf_cache.convert_gguf
    monkeypatch.setattr(gguf_cache, "convert_gguf", crash)
    with pytest.raises(KeyboardInterrupt):
        gguf_cache.cached_model_dir(gguf_file)
    assert list((tmp_path / "cache" / "gguf").iterdir()) == []
    monkeypatch.setattr(gguf_cache, "convert_gguf", real)
    assert gguf_cache.is_converted(gguf_cache.cached_model_dir(gguf_file))


def test_bad_model_sources_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="unknown model 'bart'"):
        Summarizer("bart")
    with pytest.raises(ModelLoadError, match="no such GGUF file"):
        Summarizer(str(tmp_path / "missing.gguf"))
    with pytest.raises(ModelLoadError, match="no such model folder"):
        Summarizer(str(tmp_path / "missing-dir"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="no config.json"):
        Summarizer(str(tmp_path / "empty"))
    with pytest.raises(ModelLoadError, match="cannot load this hub model .offline"):
        Summarizer("newsdesk-test/no-such-model")  # the test session is offline (conftest)
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + os.urandom(64))
    with pytest.raises(ModelLoadError, match="cannot read this GGUF file"):
        Summarizer(str(bad))


def test_corrupt_weights_are_a_clear_error(llama_dir: Path, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(llama_dir, broken)
    (broken / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ModelLoadError, match="cannot load the model"):
        Summarizer(str(broken))
    json.loads((llama_dir / "config.json").read_text())  # the original is untouched


def test_shrinking_greedy_decoder_matches_generate(llama_dir: Path) -> None:
    """Rows leave the batch when they end (an end token or their own limit); tokens match ``generate``'s."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from newsdesk.models.lm.greedy import greedy_generate

    tok = AutoTokenizer.from_pretrained(llama_dir)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(llama_dir).eval()
    enc = tok([ARTICLE[:40], ARTICLE[:150], "Police said"], return_tensors="pt", padding=True)
    n_prompt = enc["input_ids"].shape[1]
    greedy = {"do_sample": False, "temperature": None, "top_p": None, "top_k": None, "pad_token_id": tok.pad_token_id}
    with torch.inference_mode():
        free = model.generate(**enc, max_new_tokens=10, eos_token_id=None, **greedy)[:, n_prompt:].tolist()
    # Let row 1's fourth token end a sequence, wherever it appears first in each row.
    stop = free[1][3]
    with torch.inference_mode():
        ref = model.generate(**enc, max_new_tokens=10, eos_token_id=stop, **greedy)[:, n_prompt:].tolist()

    def until_stop(row: list[int], limit: int) -> list[int]:
        row = [t for t in row if t != tok.pad_token_id]
        return (row[: row.index(stop)] if stop in row else row)[:limit]

    mine = greedy_generate(model, enc["input_ids"], enc["attention_mask"], [10, 10, 2], {stop})
    assert mine == [until_stop(ref[0], 10), until_stop(ref[1], 10), until_stop(ref[2], 2)]
    assert len(mine[1]) == free[1].index(stop) < 10 and len(mine[2]) <= 2


def test_a_checkpoints_own_logit_settings_keep_generate(llama_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A repetition penalty in the checkpoint's generation config must still apply: the shrinking greedy decoder
    (plain argmax) is used only when nothing changes the logits."""
    import newsdesk.models.lm.greedy as greedy_mod

    used: list[int] = []
    real = greedy_mod.greedy_generate
    monkeypatch.setattr(greedy_mod, "greedy_generate", lambda *a, **k: used.append(1) or real(*a, **k))
    s = Summarizer(str(llama_dir), max_new_tokens=4, runtime="transformers")
    s.summarize(ARTICLE)
    assert used
    used.clear()
    s._engine.lm.model.generation_config.repetition_penalty = 1.3
    s.summarize(ARTICLE)
    assert not used


# -- the native Llama runtime (newsdesk.models.lm.native_llama) ---------------------------------------------------
PROMPTS = [ARTICLE[:40], ARTICLE[:150], "Police said", ARTICLE[60:200]]


@pytest.mark.parametrize("prefill_rows", [8, 2])
def test_native_llama_logits_match_transformers(
    llama_dir: Path, monkeypatch: pytest.MonkeyPatch, prefill_rows: int
) -> None:
    """Ragged prompts with a shared prefix (computed once), read in one or several groups and left-padded: each
    row's next-token logits equal transformers' on that prompt alone."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from newsdesk.models.lm import native_llama
    from newsdesk.models.lm.native_llama import NativeLlama

    monkeypatch.setattr(native_llama, "PREFILL_ROWS", prefill_rows)

    tok = AutoTokenizer.from_pretrained(llama_dir)
    ref_model = AutoModelForCausalLM.from_pretrained(llama_dir).eval()
    prefix = tok("The council approved", add_special_tokens=False)["input_ids"]
    prompts = [prefix + tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    logits, session = NativeLlama(llama_dir).start(prompts)
    with torch.inference_mode():
        for row, ids in enumerate(prompts):
            ref = ref_model(input_ids=torch.tensor([ids])).logits[0, -1]
            torch.testing.assert_close(logits[row], ref, atol=1e-4, rtol=1e-4)
        # one decoding step, after dropping a row
        nxt = logits.argmax(-1)
        session.keep(torch.tensor([0, 2, 3]))
        stepped = session.step(nxt[[0, 2, 3]])
        for row, orig in enumerate([0, 2, 3]):
            ids = prompts[orig] + [int(nxt[orig])]
            ref = ref_model(input_ids=torch.tensor([ids])).logits[0, -1]
            torch.testing.assert_close(stepped[row], ref, atol=1e-4, rtol=1e-4)


def test_native_greedy_tokens_match_transformers(llama_dir: Path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from newsdesk.models.lm.greedy import decode_greedily, greedy_generate
    from newsdesk.models.lm.native_llama import NativeLlama

    tok = AutoTokenizer.from_pretrained(llama_dir)
    tok.padding_side = "left"
    enc = tok(PROMPTS, return_tensors="pt", padding=True)
    ref_model = AutoModelForCausalLM.from_pretrained(llama_dir).eval()
    limits = [40, 12, 3, 40]  # longer than the cache's first allocation: it must grow
    ref = greedy_generate(ref_model, enc["input_ids"], enc["attention_mask"], limits, {1})
    prompts = [tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    with torch.inference_mode():
        logits, session = NativeLlama(llama_dir).start(prompts)
        mine = decode_greedily(logits, session, limits, {1})
    assert mine == ref
    assert [len(r) for r in mine][2] == 3


def test_chat_tokenizer_matches_transformers(llama_dir: Path, tmp_path: Path) -> None:
    from transformers import AutoTokenizer

    from newsdesk.models.lm.chat_tokenizer import ChatTokenizer

    ref, mine = AutoTokenizer.from_pretrained(llama_dir), ChatTokenizer(llama_dir)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": ARTICLE}]
    text = ref.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    assert mine.apply_chat_template(messages, add_generation_prompt=True) == text
    ids = ref(text, add_special_tokens=False)["input_ids"]
    assert mine.encode(text) == ids and mine(text, add_special_tokens=False)["input_ids"] == ids
    assert mine.batch_decode([ids]) == ref.batch_decode([ids], skip_special_tokens=True)
    assert (mine.eos_token_id, mine.pad_token_id) == (ref.eos_token_id, ref.pad_token_id)
    mine.save_pretrained(tmp_path)
    assert ChatTokenizer(tmp_path).encode(ARTICLE) == mine.encode(ARTICLE)


def test_runtimes_give_the_same_summaries(llama_dir: Path) -> None:
    native = Summarizer(str(llama_dir), strategy="rewrite", rewrite_min_words=3, max_new_tokens=12)
    hf = Summarizer(str(llama_dir), strategy="rewrite", rewrite_min_words=3, max_new_tokens=12, runtime="transformers")
    assert native._engine.lm.backend == "native" and hf._engine.lm.backend == "transformers"
    texts = [ARTICLE, ARTICLE[60:], "The mayor will sign the plan next week, officials said on Monday in Paris."]
    mine, ref = native.summarize(texts, return_details=True), hf.summarize(texts, return_details=True)
    assert [(r.summary, r.guard) for r in mine] == [(r.summary, r.guard) for r in ref]
    assert any(r.guard["kept"] + r.guard["regenerated"] + r.guard["replaced"] for r in mine)  # the model ran


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"generation_config.json": {"repetition_penalty": 1.2}}, "changes the logits"),
        (
            {"config.json": {"rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}}},
            "scaled RoPE",
        ),
        ({"config.json": {"model_type": "mistral"}}, "not a Llama"),
    ],
)
def test_checkpoints_the_native_runtime_cannot_run_load_with_transformers(
    llama_dir: Path, tmp_path: Path, change: dict, reason: str
) -> None:
    import shutil

    from newsdesk.models.lm import native_llama

    folder = tmp_path / "m"
    shutil.copytree(llama_dir, folder)
    for name, values in change.items():
        path = folder / name
        data = json.loads(path.read_text()) if path.is_file() else {}
        path.write_text(json.dumps({**data, **values}))
    assert reason in (native_llama.unsupported(folder) or "")
    if "model_type" not in change.get("config.json", {}):
        assert Summarizer(str(folder), max_new_tokens=4)._engine.lm.backend == "transformers"


def test_unknown_runtime_is_a_clear_error(llama_dir: Path) -> None:
    with pytest.raises(ModelLoadError, match="unknown runtime"):
        Summarizer(str(llama_dir), runtime="onnx")


def test_decoding_ends_a_row_when_told(llama_dir: Path) -> None:
    """``row_done`` ends a row early; the other rows decode as they would without it."""
    import torch
    from transformers import AutoTokenizer

    from newsdesk.models.lm.greedy import decode_greedily
    from newsdesk.models.lm.native_llama import NativeLlama

    tok = AutoTokenizer.from_pretrained(llama_dir)
    prompts = [tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    model = NativeLlama(llama_dir)
    limits = [12] * len(prompts)
    with torch.inference_mode():
        ref = decode_greedily(*model.start(prompts), limits, {1})
        told: list[tuple[int, int, bool]] = []

        def row_done(row: int, tokens: list[int], ending: bool) -> bool:
            told.append((row, len(tokens), ending))
            return row == 1 and len(tokens) == 2

        mine = decode_greedily(*model.start(prompts), limits, {1}, row_done)
    assert mine[1] == ref[1][:2]
    assert [m for i, m in enumerate(mine) if i != 1] == [r for i, r in enumerate(ref) if i != 1]
    assert not any(row == 1 and n > 2 for row, n, _ in told)
    assert all(ending for row, n, ending in told if n == len(ref[row]) and row != 1)


@pytest.mark.parametrize(
    ("context", "source", "k", "guess"),
    [
        ([7, 1, 2, 3], [9, 1, 2, 3, 4, 5, 6], 2, [4, 5]),
        ([8, 2, 3], [2, 3, 4, 1, 2, 3, 5, 8, 3, 6], 1, [5]),  # the longest run found wins over a later shorter one
        ([3], [3, 4, 0, 3, 5], 3, [5]),  # the latest occurrence, cut at the source's end
        ([7, 1], [1, 2], 0, []),
        ([7], [1, 2], 2, []),
    ],
)
def test_guesses_come_from_the_source(context: list[int], source: list[int], k: int, guess: list[int]) -> None:
    from newsdesk.models.lm.prompt_lookup import draft

    assert draft(context, source, k) == guess


def test_native_checks_several_tokens_and_forgets_the_rejected_ones(llama_dir: Path) -> None:
    """``verify`` gives each fed token's next-token logits; after ``commit`` only the kept tokens stay in the
    cache: the logits that follow are transformers' on the prompt and the kept tokens alone."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from newsdesk.models.lm.native_llama import NativeLlama

    tok = AutoTokenizer.from_pretrained(llama_dir)
    ref_model = AutoModelForCausalLM.from_pretrained(llama_dir).eval()
    prompts = [tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS[:3]]
    fed = torch.tensor([[5, 6, 7], [8, 9, 0], [10, 11, 12]])  # row 1 feeds two real tokens and padding
    counts, kept = torch.tensor([3, 2, 3]), torch.tensor([1, 2, 3])
    _, session = NativeLlama(llama_dir).start(prompts)
    with torch.inference_mode():
        checked = session.verify(fed, counts)
        for row, ids in enumerate(prompts):
            for j in range(int(counts[row])):
                ref = ref_model(input_ids=torch.tensor([ids + fed[row, : j + 1].tolist()])).logits[0, -1]
                torch.testing.assert_close(checked[row, j], ref, atol=1e-4, rtol=1e-4)
        session.commit(kept)
        stepped = session.step(torch.tensor([20, 21, 22]))
        for row, ids in enumerate(prompts):
            ids = ids + fed[row, : int(kept[row])].tolist() + [20 + row]
            ref = ref_model(input_ids=torch.tensor([ids])).logits[0, -1]
            torch.testing.assert_close(stepped[row], ref, atol=1e-4, rtol=1e-4)


def test_guesses_from_the_prompt_give_the_same_tokens_in_fewer_passes(llama_dir: Path) -> None:
    """Prompt lookup (``sources``): guesses the model agrees with are kept, the rest dropped from the cache, so
    the tokens are those of plain greedy decoding, in fewer passes when the guesses are good."""
    import torch
    from transformers import AutoTokenizer

    from newsdesk.models.lm.greedy import decode_greedily
    from newsdesk.models.lm.native_llama import NativeLlama, NativeSession

    tok = AutoTokenizer.from_pretrained(llama_dir)
    prompts = [tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]
    model = NativeLlama(llama_dir)
    limits = [30, 12, 3, 30]
    passes: list[str] = []

    def counted(session: NativeSession) -> NativeSession:
        step, verify = session.step, session.verify
        session.step = lambda *a: passes.append("step") or step(*a)
        session.verify = lambda *a: passes.append("verify") or verify(*a)
        return session

    with torch.inference_mode():
        logits, session = model.start(prompts)
        ref = decode_greedily(logits, counted(session), limits, {1})
        plain = len(passes)
        assert set(passes) == {"step"}
        # Guesses from the prompts themselves: mostly wrong for a random model, and nothing changes.
        logits, session = model.start(prompts)
        assert decode_greedily(logits, counted(session), limits, {1}, sources=prompts) == ref
        # Guesses from sources that hold the answer: the same tokens, most of them checked several at a time.
        passes.clear()
        logits, session = model.start(prompts)
        told: list[tuple[int, int]] = []

        def row_done(row: int, tokens: list[int], ending: bool) -> bool:
            told.append((row, len(tokens)))
            return row == 0 and len(tokens) == 20

        sources = [p + r for p, r in zip(prompts, ref, strict=True)]
        mine = decode_greedily(logits, counted(session), limits, {1}, row_done, sources=sources)
    assert mine == [ref[0][:20], *ref[1:]]
    assert "verify" in passes and len(passes) < plain
    # the caller still hears of every token, one at a time, and of none after the row ended
    assert [n for row, n in told if row == 0] == list(range(1, 21))


@pytest.mark.parametrize(
    ("text", "max_words", "settled"),
    [
        ("A short rewrite.\nAnd a note", 20, True),  # the first line is complete
        ("A first sentence here. Then more", 20, True),  # the word after the boundary is complete
        ("A first sentence here. Th", 20, False),  # "Th" could still continue an abbreviation
        ("The U.S. Army said on", 20, False),
        ("one two three four five six seven", 5, True),  # already longer than the sentence it shortens
        ("one two three four five six", 5, False),  # the last word may still fall after a boundary
    ],
)
def test_a_rewrite_row_ends_once_its_outcome_is_known(text: str, max_words: int, settled: bool) -> None:
    assert engine_mod._RewriteWatch._settled(text, max_words) is settled


def test_a_rewrite_cut_off_by_its_length_limit_is_rejected(llama_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An output that reached its new-token limit mid-sentence is not taken as a (shorter) rewrite."""
    s = Summarizer(str(llama_dir), strategy="rewrite", rewrite_min_words=1, lead_k=1, key_words=None)
    outputs: list[str] = []

    def fake_generate(lm, prompts, options, *, new_token_limits, row_done, **kwargs):
        for row, limit in enumerate(new_token_limits):
            tokens = lm.tokenizer.encode(outputs[0])
            assert len(tokens) >= limit
            row_done(row, tokens, True)  # the row ends at its new-token limit
        return [outputs[0]] * len(prompts)

    monkeypatch.setattr(engine_mod, "generate", fake_generate)
    monkeypatch.setattr(engine_mod.GenerativeSummarizer, "_rewrite_limits", lambda self, xs: [4] * len(xs))
    outputs.append("The council approved a budget")  # cut off at 4 tokens, mid-sentence
    cut = s.summarize(ARTICLE, return_details=True)
    assert cut.guard["kept"] == 0 and "cut off by its length limit" in cut.guard["problems"]
    assert cut.summary == "The council approved a budget of 12 million dollars on Tuesday."
    outputs[0] = "The council approved a budget."  # a whole sentence just fits
    whole = s.summarize(ARTICLE, return_details=True)
    assert whole.guard["kept"] == 1 and whole.summary == outputs[0]


def test_a_rewrite_cut_off_under_beam_search_is_rejected_too(llama_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beam search runs through ``model.generate``, which cannot end a row early; the rewrite rows still learn
    how each output ended, so one cut off by its new-token limit is rejected as with greedy decoding."""
    monkeypatch.setattr(engine_mod.GenerativeSummarizer, "_rewrite_limits", lambda self, xs: [3] * len(xs))
    s = Summarizer(str(llama_dir), strategy="rewrite", rewrite_min_words=1, lead_k=1, key_words=None, num_beams=2)
    assert s._engine.lm.backend == "transformers"
    result = s.summarize(ARTICLE, return_details=True)
    assert "cut off by its length limit" in result.guard["problems"]
    assert result.summary == "The council approved a budget of 12 million dollars on Tuesday."


@pytest.mark.parametrize(
    ("rewrite", "cancelled"), [("The council approved a budget.", True), ("John Smith won.", False)]
)
def test_a_speculative_deletion_row_ends_once_its_rewrite_is_accepted(rewrite: str, cancelled: bool) -> None:
    from newsdesk.models.summaries.guard import Guard

    texts = {1: rewrite, 2: "The council approved"}
    source = "The council approved a budget of 12 million dollars on Tuesday."
    row = (Guard(ARTICLE), source, source)
    watch = engine_mod._RewriteWatch(lambda tokens: texts[tokens[-1]], [row, row, row], [30, 30, 30], partners=1)
    assert watch(1, [2], False) is False  # the fallback rows run while the rewrite is undecided
    assert watch(2, [2], False) is False
    watch(0, [1], True)  # the rewrite ends
    assert watch(1, [2, 2], False) is cancelled
    assert watch(2, [2, 2], False) is cancelled


def test_a_rewrite_row_that_cannot_pass_the_guard_ends_at_once() -> None:
    from newsdesk.models.summaries.guard import Guard

    texts = {1: "Rebuzzed", 2: "Rebuzzed council", 3: "The council", 4: "The council approved"}
    source = "The council approved a budget of 12 million dollars on Tuesday."
    watch = engine_mod._RewriteWatch(lambda tokens: texts[tokens[-1]], [(Guard(ARTICLE), source, source)], [30])
    assert watch(0, [1], False) is False  # "Rebuzzed" may still be the start of a longer word
    assert watch(0, [2], False) is True  # opens with a word the article does not use: no need to go on
    assert watch(0, [3], False) is False and watch(0, [4], False) is False
    assert watch.finished(0)


def test_native_generation_splits_prompts_into_equal_batches(llama_dir: Path) -> None:
    """A decoding step costs less per row the more rows it carries: 5 prompts at batch size 4 run as 3 + 2."""
    from newsdesk.models.lm.generation import GenerationOptions, generate

    lm = Summarizer(str(llama_dir), strategy="rewrite")._engine.lm
    sizes: list[int] = []
    start = lm.model.start

    def recording_start(prompts, *args):
        sizes.append(len(prompts))
        return start(prompts, *args)

    lm.model.start = recording_start
    outs = generate(lm, [f"Rewrite sentence {i}." for i in range(5)], GenerationOptions(max_new_tokens=3), batch_size=4)
    assert len(outs) == 5 and sorted(sizes) == [2, 3]


def _varied_articles(n: int) -> list[str]:
    """``n`` different articles of different lengths (so batches pad them differently); article i's sentences
    all hold the number 100 + i, so a prompt tells whose sentence it is."""
    sentences = [
        "The council approved a budget of {n} million dollars on Tuesday.",
        "Police said {n} men were arrested in Paris after a chase.",
        "The mayor will sign plan {n} next week, officials said.",
        "Residents can comment on the {n} pages online until Friday.",
    ]
    return [" ".join(x.format(n=100 + i) for x in sentences[: 2 + i % 3]) for i in range(n)]


@pytest.mark.parametrize("dtype", ["float32", pytest.param("bfloat16", marks=pytest.mark.bf16)])
@pytest.mark.parametrize("strategy", ["rewrite", "abstract"])
def test_an_articles_summary_does_not_depend_on_its_batch(
    llama_dir: Path, monkeypatch: pytest.MonkeyPatch, dtype: str, strategy: str
) -> None:
    """The same article, alone, in a batch of 8 and in a batch of 32: the same summary. Decoding rows together
    changes the arithmetic (padding, shared prefixes, row counts), so no generation call may mix two articles'
    rows; a tiny model's greedy tokens are too robust to show the arithmetic itself, so the calls are checked."""
    import re

    calls: list[set[str]] = []
    real = engine_mod.generate

    def spy(lm, prompts, *args, **kwargs):
        calls.append({n for p in prompts for n in re.findall(r"\b1[0-9][0-9]\b", p)})
        return real(lm, prompts, *args, **kwargs)

    monkeypatch.setattr(engine_mod, "generate", spy)
    s = Summarizer(str(llama_dir), strategy=strategy, guard=False, rewrite_min_words=1, max_new_tokens=8, dtype=dtype)
    texts = _varied_articles(32)
    alone = [s.summarize(t) for t in texts[:8]]
    assert s.summarize(texts[:8], batch_size=8) == alone
    assert s.summarize(texts, batch_size=32)[:8] == alone
    assert s.summarize(texts[5:13], batch_size=8)[:3] == alone[5:8]  # other neighbours, other positions
    assert calls and all(len(articles) == 1 for articles in calls)
    s.batch_invariant = False  # the opt-out decodes a batch's articles together
    calls.clear()
    s.summarize(texts[:8], batch_size=8)
    assert any(len(articles) > 1 for articles in calls)


def test_native_llama_checks_its_weights_against_its_config(llama_dir: Path, tmp_path: Path) -> None:
    import shutil

    from newsdesk.models.lm.native_llama import LlamaConfig, NativeLlama

    model = NativeLlama(llama_dir)
    assert model.config == LlamaConfig.from_dict(json.loads((llama_dir / "config.json").read_text()))
    assert model.config.n_kv_heads == 2 and model.config.head_dim == 8
    assert tuple(model.layers[0].qkv.shape) == ((4 + 2 * 2) * 8, 32)
    bad = tmp_path / "bad"
    shutil.copytree(llama_dir, bad)
    config = json.loads((bad / "config.json").read_text())
    (bad / "config.json").write_text(json.dumps({**config, "intermediate_size": 48}))
    with pytest.raises(ValueError, match="layer 0 gate_up"):
        NativeLlama(bad)
