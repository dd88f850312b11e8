"""Summarising with a generative model, under the faithfulness guard.

Two strategies:

* ``rewrite`` (the default model's): pick the article's key sentences, have the model rewrite each one shorter,
  and keep a rewrite only if the guard accepts it — otherwise repair it, ask again with a stricter instruction,
  or fall back to the article's own sentence. Small models paraphrase one sentence far more reliably than they
  summarise a whole article, and every input fits the window however long the article is.
* ``abstract`` (seq2seq and other chat models): summarise the whole article — in parts, then the parts'
  summaries (map-reduce), when it is longer than the window — and pass each output sentence through the guard.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsdesk.models.lm.generation import GenerationOptions, generate
from newsdesk.models.lm.loading import EMBEDDED_NAME, LoadedModel, load_model
from newsdesk.models.summaries.faithcheck import MAJOR_KINDS
from newsdesk.models.summaries.faithcheck import check as truth_check
from newsdesk.models.summaries.guard import Guard, GuardReport, Verdict, ensure_period
from newsdesk.models.summaries.mapreduce import split_into_parts
from newsdesk.models.summaries.result import SummaryResult
from newsdesk.models.summaries.sentences import (
    compress_sentence,
    ends_like_prose,
    fit_words,
    prose_sentences,
    select_key_sentences,
)
from newsdesk.text import count_words, split_sentences

if TYPE_CHECKING:
    from newsdesk.models.lm.greedy import RowDone

# A short system message: the template's default one costs ~20 tokens of prefill per sentence.
REWRITE_SYSTEM = "You are a news editor."
REWRITE_PROMPT = "Rewrite this sentence in simpler, shorter words, keeping the names and numbers:\n{sentence}"
RETRY_PROMPT = "Rewrite this sentence in your own words:\n{sentence}"
STRICT_PROMPT = "Shorten this sentence by deleting words. Keep every name and number as written:\n{sentence}"
# Asked, in this order of preference, for a sentence whose rewrite the guard rejected: the same sentence in other
# words (a second prompt often paraphrases cleanly where the first garbled), then a deletion-only shortening.
RETRY_PROMPTS = (RETRY_PROMPT, STRICT_PROMPT)
# With ``Summarizer(key_words=...)``, the most sentences the rewrite strategy takes. Replayed on the 100 CNN/DM
# rows: 4 / 5 gave RLsum 36.8 / 36.7 and novel bigrams 15.4 / 15.5 %; 4 also keeps a summary to 2-4 sentences.
KEY_SENTENCES = 4
ABSTRACT_PROMPT = "Summarize this news article in {sentences} short sentences.\n\n{text}"
REDUCE_PROMPT = "These are summaries of consecutive parts of one news article. Summarize them in {sentences} short sentences.\n\n{text}"  # noqa: E501
# Sentences per generation batch in the rewrite strategy (see summarizer.DEFAULT_BATCH_SIZE).
REWRITE_BATCH = 96
# Up to this many rows the rewrite strategy asks for each sentence's fallbacks (``RETRY_PROMPTS``) in the same
# round as its rewrite. Measured for SmolLM2-135M on 2 CPU cores: a decoding step of 6-12 rows costs 1.4x one of 3 rows
# (187-190 vs 132 ms; products of a few rows are bound by reading the weights), far less than a second round.
SPECULATE_ROWS = 16
# Words a rewrite may run past its sentence with the asides deleted (the base). Chosen on the 100 CNN/DM rows
# with the model's outputs replayed: 0 / 2 / 4 gave RLsum 36.0 / 35.8 / 35.8 and novel bigrams 14.5 / 15.5 /
# 15.6 % (first 40 rows: 38.3 / 37.9 / 37.9 and 13.8 / 15.6 / 16.0 %).
LENGTH_SLACK = 2
# Tokens kept free in the window for the instruction and chat template around an article part.
PROMPT_RESERVE = 64


@dataclass(frozen=True)
class EngineSettings:
    """The options the engine runs with: those of :class:`~newsdesk.models.summaries.summarizer.Summarizer`
    that concern generation (see its docstring), after any saved settings filled in the defaults."""

    model: str = EMBEDDED_NAME
    device: str = "auto"
    dtype: str = "auto"
    strategy: str = "auto"
    guard: bool = True
    num_beams: int = 1
    do_sample: bool = False
    temperature: float = 1.0
    max_new_tokens: int | None = None
    max_input_tokens: int | None = None
    max_parts: int = 8
    lead_k: int = 3
    key_words: int | None = 110
    rewrite_min_words: int = 8
    prompt: str | None = None
    trust_remote_code: bool = False
    threads: int | None = None
    runtime: str = "auto"
    batch_invariant: bool = True


@dataclass
class _Job:
    """One article's work in a batch."""

    text: str
    guard: Guard | None
    report: GuardReport
    parts: int = 1
    capped: bool = False
    words_read: int = 0


class GenerativeSummarizer:
    """The generative engine behind :class:`~newsdesk.models.summaries.summarizer.Summarizer`."""

    def __init__(self, lm: LoadedModel, *, strategy: str, settings: EngineSettings) -> None:
        self.lm = lm
        self.strategy = strategy
        self.settings = settings
        self.name = lm.name

    @classmethod
    def from_settings(cls, settings: EngineSettings) -> GenerativeSummarizer:
        if settings.threads:
            import torch

            torch.set_num_threads(settings.threads)
        runtime = settings.runtime
        if runtime == "auto":
            greedy = settings.num_beams == 1 and not settings.do_sample
            runtime = "native" if greedy else "transformers"
        lm = load_model(
            settings.model,
            settings.device,
            settings.dtype,
            trust_remote_code=settings.trust_remote_code,
            runtime=runtime,
        )
        strategy = settings.strategy
        if strategy == "auto":
            strategy = "rewrite" if settings.model == EMBEDDED_NAME else "abstract"
        if strategy == "rewrite" and lm.kind == "seq2seq":
            strategy = "abstract"  # a summarisation seq2seq model takes no instructions
        return cls(lm, strategy=strategy, settings=settings)

    # -- shared -----------------------------------------------------------------------------------------------
    def _options(self, max_new_tokens: int) -> GenerationOptions:
        return GenerationOptions(
            max_new_tokens=self.settings.max_new_tokens or max_new_tokens,
            num_beams=self.settings.num_beams,
            do_sample=self.settings.do_sample,
            temperature=self.settings.temperature,
        )

    def _generate(
        self,
        prompts: list[str],
        max_new_tokens: int,
        batch_size: int,
        system: str | None = None,
        limits: list[int] | None = None,
        row_done: RowDone | None = None,
    ) -> list[str]:
        return generate(
            self.lm,
            prompts,
            self._options(max_new_tokens),
            batch_size=max(1, batch_size),
            system=system,
            max_input_tokens=self.settings.max_input_tokens,
            new_token_limits=limits,
            row_done=row_done,
        )

    def _rewrite_limits(self, sentences: list[str]) -> list[int]:
        # A rewrite much longer than its input is rejected anyway: stop generating a little past that length.
        return [self.lm.count_tokens(x) + 4 for x in sentences]

    def _result(self, job: _Job, sentences: list[str], max_words: int | None, seconds: float) -> SummaryResult:
        summary = " ".join(fit_words([s for s in sentences if s], max_words))
        return SummaryResult(
            summary=summary,
            model=self.name,
            words=count_words(summary),
            seconds=seconds,
            strategy=self.strategy,
            guard=job.report.to_dict() if job.guard is not None else None,
            parts=job.parts,
            capped=job.capped,
            words_read=job.words_read,
        )

    def summarize_batch(self, texts: list[str], max_words: int | None) -> list[SummaryResult]:
        """Summaries of ``texts``. With ``batch_invariant`` (the default) each article is generated in calls of
        its own, so its summary is the same whatever else is in the job: decoding many rows at once changes the
        floating-point path (padding, shared prefixes, row counts), and with it, at near ties, the greedy tokens."""
        if self.settings.batch_invariant and len(texts) > 1:
            return [result for text in texts for result in self._summarize_together([text], max_words)]
        return self._summarize_together(texts, max_words)

    def _summarize_together(self, texts: list[str], max_words: int | None) -> list[SummaryResult]:
        t0 = time.perf_counter()
        if self.strategy == "rewrite":
            jobs, sentences = self._rewrite(texts)
        else:
            jobs, sentences = self._abstract(texts, max_words)
        # Generation runs batched, so each article gets an equal share of the batch's time.
        share = (time.perf_counter() - t0) / max(1, len(texts))
        return [self._result(job, sents, max_words, share) for job, sents in zip(jobs, sentences, strict=True)]

    def _new_job(self, text: str) -> _Job:
        return _Job(
            text=text,
            guard=Guard(text) if self.settings.guard else None,
            report=GuardReport(),
            words_read=count_words(text),
        )

    # -- rewrite ----------------------------------------------------------------------------------------------
    def _rewrite(self, texts: list[str]) -> tuple[list[_Job], list[list[str]]]:
        jobs = [self._new_job(t) for t in texts]
        key_words = self.settings.key_words
        k = KEY_SENTENCES if key_words is not None else self.settings.lead_k
        chosen = [select_key_sentences(t, k, max_words=key_words) for t in texts]
        # What the model is asked to shorten: the sentence without attributions and asides (deletions only),
        # which is also what stands in for a rewrite the guard rejects.
        bases = [[compress_sentence(x) for x in sents] for sents in chosen]
        # Sentences already about highlight length are kept as they are: rewriting them costs time and gains
        # little (``rewrite_min_words``).
        flat = [
            (j, k)
            for j, sents in enumerate(bases)
            for k in range(len(sents))
            if count_words(sents[k]) >= self.settings.rewrite_min_words
        ]
        for j, sents in enumerate(bases):
            if jobs[j].guard is not None:
                jobs[j].report.copied += sum(1 for x in sents if count_words(x) < self.settings.rewrite_min_words)
        prompt = self.settings.prompt or REWRITE_PROMPT
        flat_bases = [bases[j][k] for j, k in flat]
        prompts = [prompt.format(sentence=b) for b in flat_bases]
        limits = self._rewrite_limits(flat_bases)
        rows = [(jobs[j].guard, chosen[j][k], bases[j][k]) for j, k in flat]
        fallbacks = RETRY_PROMPTS if self.settings.guard else ()
        # Each sentence's fallback outputs, in RETRY_PROMPTS order: (output, finished).
        alternatives: dict[tuple[int, int], list[tuple[str, bool]]] = {}
        n, ranks = len(flat), 1 + len(fallbacks)
        if fallbacks and 0 < ranks * n <= SPECULATE_ROWS:
            # A few sentences (one article): ask for the fallbacks at the same time, in case the guard rejects
            # the rewrite; one round costs less than two (see SPECULATE_ROWS).
            watch = _RewriteWatch(self._decode, rows * ranks, limits * ranks, partners=n)
            every = prompts + [f.format(sentence=b) for f in fallbacks for b in flat_bases]
            outs = self._generate(every, 64, REWRITE_BATCH, REWRITE_SYSTEM, limits * ranks, watch)
            outputs = outs[:n]
            # (A fallback row that ended early because an earlier choice was accepted is never read.)
            for i, key in enumerate(flat):
                alternatives[key] = [(outs[r * n + i], watch.finished(r * n + i)) for r in range(1, ranks)]
        else:
            watch = _RewriteWatch(self._decode, rows, limits)
            outputs = self._generate(prompts, 64, REWRITE_BATCH, REWRITE_SYSTEM, limits, watch)
        results: list[list[str]] = [list(b) for b in bases]
        retry: list[tuple[int, int]] = []
        for i, ((j, k), out) in enumerate(zip(flat, outputs, strict=True)):
            job, source, base = jobs[j], chosen[j][k], bases[j][k]
            rewrite = _first_sentences(out, 1)
            if job.guard is None:
                results[j][k] = rewrite or base
                continue
            verdict, repaired = judge(job.guard, rewrite, source, base, watch.finished(i))
            if verdict.ok:
                job.report.kept += 1
                results[j][k] = rewrite
                continue
            job.report.note(verdict)
            if repaired is not None:
                job.report.repaired += 1
                results[j][k] = repaired
            else:
                retry.append((j, k))
        # Each rejected rewrite's replacement: the first fallback the guard accepts (or repairs), else None.
        settled = {
            (j, k): self._first_accepted(jobs[j], alternatives[(j, k)], chosen[j][k], bases[j][k])
            for j, k in retry
            if (j, k) in alternatives
        }
        missing = [key for key in retry if key not in alternatives]
        if missing:
            settled.update(self._ask_fallbacks(missing, jobs, chosen, bases))
        for j, k in retry:
            fallback = settled[(j, k)]
            if fallback is None:
                jobs[j].report.replaced += 1
            else:
                jobs[j].report.regenerated += 1
                results[j][k] = fallback
        for j, job in enumerate(jobs):
            results[j] = [ensure_period(x) for x in results[j]]
            if job.guard is not None:
                self._final_check(job, results[j], bases[j])
        return jobs, results

    def _ask_fallbacks(
        self,
        keys: list[tuple[int, int]],
        jobs: list[_Job],
        chosen: list[list[str]],
        bases: list[list[str]],
    ) -> dict[tuple[int, int], str | None]:
        """Ask the fallbacks (``RETRY_PROMPTS``) for the sentences ``keys`` whose rewrites were rejected: one round
        per prompt, each asking only for the sentences no earlier prompt gave an accepted output for. (One prompt
        per round lets every row share the prompt's opening, read once: :meth:`NativeLlama.start`.) Returns each
        sentence's accepted fallback, or None."""
        found: dict[tuple[int, int], str | None] = {key: None for key in keys}
        pending = list(keys)
        for fallback in RETRY_PROMPTS:
            if not pending:
                break
            key_bases = [bases[j][k] for j, k in pending]
            limits = self._rewrite_limits(key_bases)
            watch = _RewriteWatch(
                self._decode, [(jobs[j].guard, chosen[j][k], bases[j][k]) for j, k in pending], limits
            )
            outs = self._generate(
                [fallback.format(sentence=b) for b in key_bases], 64, REWRITE_BATCH, REWRITE_SYSTEM, limits, watch
            )
            for i, ((j, k), out) in enumerate(zip(pending, outs, strict=True)):
                found[(j, k)] = self._first_accepted(jobs[j], [(out, watch.finished(i))], chosen[j][k], bases[j][k])
            pending = [key for key in pending if found[key] is None]
        return found

    def _first_accepted(self, job: _Job, outputs: list[tuple[str, bool]], source: str, base: str) -> str | None:
        """The first of ``outputs`` ((output, finished) pairs) the guard accepts or repairs, as it will stand in
        the summary; each rejected one's problems go to the job's report. None if every one is rejected."""
        assert job.guard is not None
        for out, finished in outputs:
            candidate = _first_sentences(out, 1)
            verdict, repaired = judge(job.guard, candidate, source, base, finished)
            if verdict.ok or repaired is not None:
                return candidate if verdict.ok else repaired
            job.report.note(verdict)
        return None

    def _decode(self, tokens: list[int]) -> str:
        return self.lm.tokenizer.batch_decode([tokens], skip_special_tokens=True)[0]

    @staticmethod
    def _final_check(job: _Job, sentences: list[str], origins: list[str | None]) -> None:
        """Check the summary as a whole, as a reader (and the evaluation) sees it: joined sentences can read
        differently from each one alone. A sentence holding an unsupported fact goes back to its origin."""
        assert job.guard is not None
        for _ in range(len(sentences)):
            unsupported = job.guard.index.unsupported(" ".join(sentences))
            if not unsupported:
                return
            for i, sentence in enumerate(sentences):
                if any(span in sentence for span in unsupported) or i == len(sentences) - 1:
                    job.report.note(Verdict(unsupported=unsupported))
                    if origins[i] is not None and sentence != origins[i]:
                        job.report.replaced += 1
                        sentences[i] = origins[i]
                    else:
                        job.report.dropped += 1
                        sentences[i] = ""
                    break

    # -- abstract (+ map-reduce) ------------------------------------------------------------------------------
    def _abstract(self, texts: list[str], max_words: int | None) -> tuple[list[_Job], list[list[str]]]:
        jobs = [self._new_job(t) for t in texts]
        n_sent = max(1, self.settings.lead_k)
        new_tokens = int(1.6 * (max_words or 25 * n_sent)) + 16
        budget = self._part_budget(new_tokens)
        part_lists: list[list[str]] = []
        for job in jobs:
            split = split_into_parts(job.text, budget, self.lm.count_tokens, max_parts=self.settings.max_parts)
            job.parts, job.capped = split.total, split.capped
            if split.capped:
                job.words_read = sum(count_words(p) for p in split.parts)
            part_lists.append(split.parts)
        template = self.settings.prompt or ABSTRACT_PROMPT
        flat = [(j, p) for j, parts in enumerate(part_lists) for p in parts]
        outs = self._generate([self._prompt(template, p, n_sent) for _, p in flat], new_tokens, 8)
        partials: list[list[str]] = [[] for _ in jobs]
        for (j, _), out in zip(flat, outs, strict=True):
            partials[j].append(out)
        summaries = [p[0] if len(p) == 1 else "" for p in partials]
        # Reduce: summarise the parts' summaries together (they are short, so one round fits the window).
        reduce_idx = [j for j, p in enumerate(partials) if len(p) > 1]
        if reduce_idx:
            prompts = [self._prompt(REDUCE_PROMPT, "\n".join(partials[j]), n_sent) for j in reduce_idx]
            for j, out in zip(reduce_idx, self._generate(prompts, new_tokens, 8), strict=True):
                summaries[j] = out
        return jobs, [self._guard_abstract(job, out, n_sent) for job, out in zip(jobs, summaries, strict=True)]

    def _part_budget(self, new_tokens: int) -> int:
        window = min(self.settings.max_input_tokens or self.lm.window, self.lm.window)
        reserve = 8 if self.lm.kind == "seq2seq" else PROMPT_RESERVE + new_tokens
        return max(32, window - reserve)

    def _prompt(self, template: str, text: str, n_sent: int) -> str:
        if self.lm.kind == "seq2seq":
            return text  # summarisation checkpoints take the article as is (T5 configs add their own prefix)
        return template.format(text=text, sentences=n_sent)

    def _guard_abstract(self, job: _Job, output: str, n_sent: int) -> list[str]:
        sentences = [s for s in split_sentences(output) if count_words(s) >= 1][: n_sent + 1]
        if job.guard is None:
            return sentences
        out: list[str] = []
        used: set[str] = set()
        for sentence in sentences:
            verdict = job.guard.check(sentence)
            if verdict.ok:
                job.report.kept += 1
                out.append(sentence)
                continue
            job.report.note(verdict)
            origin = job.guard.best_source_sentence(sentence, exclude=used)
            repaired = job.guard.repair(sentence, verdict, origin) if origin else None
            if repaired is not None and job.guard.index.unsupported(repaired) == []:
                job.report.repaired += 1
                out.append(repaired)
            elif origin is not None and origin not in out:
                job.report.replaced += 1
                used.add(origin)
                out.append(origin)
            else:
                job.report.dropped += 1
        if not out:
            # Nothing usable was generated: say so, and give the article's opening instead of nothing.
            job.report.replaced += 1
            out = prose_sentences(job.text)[:1]
        out = [ensure_period(x) for x in out]
        self._final_check(job, out, [None] * len(out))
        return [x for x in out if x]


# Truth-check flags that reject a rewrite: the kinds that mark a likely major error, and a deletion from mid-phrase
# ("cut"), since a model's deletions are not held to the compressive summariser's rules. In the #16 research,
# SmolLM2 rewrites kept only when the guard and this check (against the source sentence) passed them were judged
# major in 7 of 40 report-half summaries, against 46.5 % for the guard alone (bench/judged/).
REJECTING_FLAGS = MAJOR_KINDS | {"cut"}


def judge(guard: Guard, rewrite: str, source: str, base: str, finished: bool = True) -> tuple[Verdict, str | None]:
    """The guard's verdict on ``rewrite``, and its repaired form when the verdict is not ok but repairable. What
    would stand in the summary (the rewrite, or its repair) must also pass the truth check against ``source``
    (:mod:`~newsdesk.models.summaries.faithcheck`): a flag of :data:`REJECTING_FLAGS` rejects it."""
    verdict = check_rewrite(guard, rewrite, source, base, finished)
    repaired = None if verdict.ok else guard.repair(rewrite, verdict, source)
    candidate = rewrite if verdict.ok else repaired
    if candidate:
        flags = [f for f in truth_check(candidate, source) if f.kind in REJECTING_FLAGS]
        if flags:
            verdict.problems.append(f"truth check: {flags[0].kind} {flags[0].span!r}")
            return verdict, None
    return verdict, repaired


def check_rewrite(guard: Guard, rewrite: str, source: str, base: str, finished: bool = True) -> Verdict:
    """The guard's verdict on ``rewrite`` of ``source``; a rewrite must also be about as short as the plain
    deletion ``base`` (``LENGTH_SLACK``), or it is not worth its risk, and complete: not cut off by its
    new-token limit."""
    verdict = guard.check(rewrite, origin=source)
    if not finished:
        verdict.problems.append("cut off by its length limit")
    if rewrite and count_words(rewrite) > count_words(base) + LENGTH_SLACK:
        verdict.problems.append("longer than the sentence with its asides removed")
    return verdict


def _first_line(text: str) -> str:
    return text.strip().split("\n")[0].strip().strip('"“”')


def _first_sentences(text: str, n: int) -> str:
    """The model's answer without chatter after it (a second paragraph, a note)."""
    first = _first_line(text)
    return " ".join(split_sentences(first)[:n]) if first else ""


class _RewriteWatch:
    """Ends a rewrite row as soon as its outcome is known, which leaves every summary as it would be without it:
    once its first sentence is complete (the rest is cut off: :func:`_first_sentences`), or once that sentence is
    too long to be accepted (:func:`check_rewrite`) or fails the guard however it goes on (:meth:`Guard.doomed`). It
    also notes the rows cut off by their new-token limit before their first sentence ended (:meth:`finished`).

    It is the "row finished?" callable (:data:`~newsdesk.models.lm.greedy.RowDone`) the generation loop calls with
    each new token; ``decode`` turns a row's tokens into text. ``rows`` holds each prompt's (guard, article
    sentence, base) and ``limits`` its new-token limit. With
    ``partners`` n, the rows come in ranks of n, each rank one prompt for the same n sentences in order of
    preference (the rewrite, then its fallbacks): a row ends as soon as a row of an earlier rank for its sentence
    is accepted, as it will not be read."""

    def __init__(
        self,
        decode: Callable[[list[int]], str],
        rows: Sequence[tuple[Guard | None, str, str]],
        limits: Sequence[int],
        *,
        partners: int = 0,
    ) -> None:
        self.decode = decode
        self.rows = rows
        self.limits = limits
        self.max_words = [count_words(base) + LENGTH_SLACK for _, _, base in rows]
        self.partners = partners
        self.unneeded: set[int] = set()
        self.cut: set[int] = set()

    def finished(self, row: int) -> bool:
        """Whether ``row``'s first sentence ended before its new-token limit."""
        return row not in self.cut

    def __call__(self, row: int, tokens: list[int], ending: bool) -> bool:
        if row in self.unneeded:
            return True
        text = self.decode(tokens)
        settled = self._settled(text, self.max_words[row])
        if ending and not settled and len(tokens) >= self.limits[row] and not _complete(text):
            self.cut.add(row)
        guard, source, base = self.rows[row]
        if not (settled or ending) and guard is not None and guard.doomed(_first_line(text), source):
            return True  # rejected however it goes on
        later = range(row + self.partners, len(self.rows), self.partners) if self.partners else range(0)
        if (ending or settled) and later and guard is not None:
            verdict, repaired = judge(guard, _first_sentences(text, 1), source, base, self.finished(row))
            if verdict.ok or repaired is not None:
                self.unneeded.update(later)
        return settled

    @staticmethod
    def _settled(text: str, max_words: int) -> bool:
        if "\n" in text.strip():
            return True  # the first line is complete
        sentences = split_sentences(_first_line(text))
        if not sentences:
            return False
        # A sentence boundary depends on the word after it (:func:`newsdesk.text.split_sentences`): it is known
        # once that word is complete, and the last word may still end up after a boundary.
        if len(sentences) >= 2 and count_words(sentences[1]) >= 2:
            return True
        shortest = count_words(sentences[0]) - (1 if len(sentences) == 1 else 0)
        return shortest > max_words


def _complete(text: str) -> bool:
    """Whether the first sentence of a finished output ``text`` is whole."""
    if "\n" in text.strip():
        return True
    line = _first_line(text)
    return len(split_sentences(line)) >= 2 or ends_like_prose(line)
