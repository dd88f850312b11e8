"""Generative language models, for whoever needs text generated (the summariser):

- :mod:`~newsdesk.models.lm.loading`: one loader for a packaged default, a folder, a hub id or a GGUF file
  (:mod:`~newsdesk.models.lm.gguf_cache` converts GGUF files once);
- :mod:`~newsdesk.models.lm.generation`: batched generation;
- :mod:`~newsdesk.models.lm.greedy`: greedy decoding that drops each row as it ends, told by a caller's "row
  finished?" callable;
- :mod:`~newsdesk.models.lm.native_llama` and :mod:`~newsdesk.models.lm.chat_tokenizer`: newsdesk's own Llama
  decoder and tokenizer (no transformers import), with :mod:`~newsdesk.models.lm.prompt_lookup` guesses.

Nothing here knows about summaries or topics.
"""
