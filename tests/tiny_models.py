"""Tiny, randomly initialised models built on the spot (no downloads), for the tests: a BERT encoder for the topic
backends, and a Llama chat model, a BART seq2seq model and a GGUF file for the summariser. ``tests/conftest.py``
serves them as fixtures (``tiny_bert``, ``llama_dir``, ``bart_dir``); the builders are here for tests that need a
fresh copy."""

from __future__ import annotations

import json
from pathlib import Path

# The tiny BERT's vocabulary: topic words and filler.
TOPIC_WORDS = {
    "defence": ["troops", "army", "missile", "navy"],
    "law": ["court", "judge", "jury", "police"],
    "economy": ["market", "prices", "bank", "jobs"],
}
FILLER = ["the", "a", "of", "city", "weather", "music", "said", "today", "people", "new"]


def tiny_bert(d: Path) -> Path:
    """A 2-layer, 32-wide random BERT with a word-level vocabulary (:data:`TOPIC_WORDS`, :data:`FILLER`), saved
    like a hub checkpoint in the folder ``d``."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    words = sorted({w for ws in TOPIC_WORDS.values() for w in ws} | set(FILLER))
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words])}
    BertTokenizer(vocab=vocab).save_pretrained(d)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(d)
    return d


# The tiny generative models' BPE vocabulary is trained on this corpus.
CORPUS = [
    "The council approved a budget of 12 million dollars on Tuesday.",
    "Police said the man was arrested in Paris after a chase.",
    "The mayor will sign the plan next week, officials said.",
] * 10
CHAT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}</s>{% endfor %}"
    "{% if add_generation_prompt %}<s>assistant: {% endif %}"
)


def _bpe():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=["<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS, trainer)
    return tok


def tiny_tokenizer(chat: bool = False):
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(tokenizer_object=_bpe(), bos_token="<s>", eos_token="</s>", pad_token="<pad>")
    if chat:
        fast.chat_template = CHAT_TEMPLATE
    return fast


def tiny_llama(folder: Path, *, max_positions: int = 512) -> Path:
    """A 2-layer Llama chat model with a BPE tokenizer and a chat template."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    tok = tiny_tokenizer(chat=True)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=2,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def tiny_bart(folder: Path) -> Path:
    """A 1-layer BART (encoder-decoder) with a BPE tokenizer and a 128-token window."""
    import torch
    from transformers import BartConfig, BartForConditionalGeneration

    tok = tiny_tokenizer()
    tok.model_max_length = 128
    config = BartConfig(
        vocab_size=len(tok),
        d_model=32,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=64,
        decoder_ffn_dim=64,
        max_position_embeddings=128,
        bos_token_id=0,
        eos_token_id=1,
        pad_token_id=2,
        decoder_start_token_id=1,
        forced_eos_token_id=1,
    )
    torch.manual_seed(0)
    BartForConditionalGeneration(config).save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def tiny_gguf(path: Path) -> Path:
    """A 2-layer Llama written as an F32 GGUF file, with a GPT-2 style BPE vocabulary and a chat template."""
    import gguf
    import numpy as np

    spec = json.loads(_bpe().to_str())
    vocab = spec["model"]["vocab"]
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    merges = [" ".join(m) if isinstance(m, list) else m for m in spec["model"]["merges"]]
    n, hidden, ff, layers, heads, kv = len(tokens), 32, 64, 2, 4, 2
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name("tiny-llama")
    w.add_context_length(256)
    w.add_embedding_length(hidden)
    w.add_block_count(layers)
    w.add_feed_forward_length(ff)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    w.add_rope_dimension_count(hidden // heads)
    w.add_vocab_size(n)
    w.add_tokenizer_model("gpt2")
    w.add_token_list(tokens)
    w.add_token_types([3, 3, 3] + [1] * (n - 3))
    w.add_token_merges(merges)
    w.add_bos_token_id(0)
    w.add_eos_token_id(1)
    w.add_pad_token_id(2)
    w.add_chat_template(CHAT_TEMPLATE)
    rng = np.random.default_rng(0)

    def weight(name: str, *shape: int) -> None:
        w.add_tensor(name, (rng.standard_normal(shape) * 0.02).astype(np.float32))

    weight("token_embd.weight", n, hidden)
    for i in range(layers):
        weight(f"blk.{i}.attn_q.weight", hidden, hidden)
        weight(f"blk.{i}.attn_k.weight", hidden // heads * kv, hidden)
        weight(f"blk.{i}.attn_v.weight", hidden // heads * kv, hidden)
        weight(f"blk.{i}.attn_output.weight", hidden, hidden)
        weight(f"blk.{i}.ffn_gate.weight", ff, hidden)
        weight(f"blk.{i}.ffn_up.weight", ff, hidden)
        weight(f"blk.{i}.ffn_down.weight", hidden, ff)
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(hidden, np.float32))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(hidden, np.float32))
    w.add_tensor("output_norm.weight", np.ones(hidden, np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
