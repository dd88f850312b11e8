"""The faithfulness guard: every generated sentence is checked against the article it summarises.

A sentence passes when each name, number, date and quantity in it is supported by the article
(:func:`newsdesk.models.summaries.facts.unsupported_facts`), it does not stutter (a phrase repeated that the article
does not repeat, or in a rewrite a word its sentence says fewer times), and — when it rewrites a known article
sentence — it stays about that sentence, does not open with a name that sentence gives only late, and does not put a
part of that sentence's subject in its place (both change who or what did what). A sentence that fails is *repaired*
when the fix is unambiguous (an unsupported number or name swapped for the one the article sentence holds in its
place), otherwise the caller regenerates it or *replaces* it with the best-matching article sentence.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from newsdesk.models.summaries.facts import FactIndex, number_mentions
from newsdesk.models.summaries.sentences import ends_like_prose
from newsdesk.text import STOP_WORDS, count_words, split_sentences

_TOKEN = re.compile(r"[a-z0-9]+")
# What a chat model says when it answers instead of rewriting.
_META = re.compile(
    r"^(sure|here is|here's|certainly|i'm sorry|i am sorry|as an ai|i cannot|i can't|the sentence|this sentence|"
    r"rewrite|summary|shorter version|original)\b",
    re.IGNORECASE,
)


_OPENER = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_COMMON_OPENERS = STOP_WORDS | {"however", "meanwhile", "now", "still", "also", "yet", "thus", "today", "later"}


def ensure_period(sentence: str) -> str:
    """``sentence`` ending in sentence punctuation, so that joined sentences split back the same way."""
    sentence = sentence.strip()
    if sentence and not ends_like_prose(sentence):
        sentence = sentence.rstrip(",;:-–— ") + "."
    return sentence


def content_tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOP_WORDS]


def overlap(candidate: str, reference: str) -> float:
    """Share of ``candidate``'s content words found in ``reference`` (1.0 when it has none)."""
    cand = content_tokens(candidate)
    if not cand:
        return 1.0
    ref = set(content_tokens(reference))
    # Count inflected forms as found ("sign" ~ "signed") by a 5-letter prefix.
    ref_prefixes = {t[:5] for t in ref if len(t) >= 5}
    hits = sum(1 for t in cand if t in ref or (len(t) >= 5 and t[:5] in ref_prefixes))
    return hits / len(cand)


def repeated_phrase(candidate: str, source: str, n: int = 3) -> str | None:
    """A word n-gram said twice in ``candidate`` but not twice in ``source`` (a generation loop), if any."""
    toks = _TOKEN.findall(candidate.lower())
    grams = Counter(tuple(toks[i : i + n]) for i in range(len(toks) - n + 1))
    src_toks = _TOKEN.findall(source.lower())
    src_grams = Counter(tuple(src_toks[i : i + n]) for i in range(len(src_toks) - n + 1))
    for gram, count in grams.items():
        if count > 1 and src_grams[gram] < count:
            return " ".join(gram)
    return None


def repeated_word(candidate: str, origin: str) -> str | None:
    """A content word ``candidate`` says more often than ``origin`` does, and at least twice, if any. A one-sentence
    rewrite has no reason to say a word again that its sentence says once: on CNN/DM such rewrites were mostly
    garbled ("capture his wife and wife together") or invented ("the 50-year-old Food Network's decision")."""
    words = [t for t in content_tokens(candidate) if len(t) > 2]
    said = Counter(_stem(t) for t in words)
    source = Counter(_stem(t) for t in content_tokens(origin))
    return next((t for t in words if said[_stem(t)] > max(1, source[_stem(t)])), None)


def _stem(token: str) -> str:
    # Forms of one word count as one ("neighbours" / "neighbors", "warned" / "warning"), as in :func:`overlap`.
    return token[:5]


_WORDS = re.compile(r"[A-Za-z0-9]+")
# Capitalised, but when, not who: "On Tuesday, the council..." is a fine way to open a rewrite.
_CALENDAR = frozenset(
    str.split(
        """
        monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
        september october november december
        """
    )
)


def moved_name(candidate: str, origin: str, *, early: int = 8) -> str | None:
    """The name ``candidate`` opens with (its first content word) when ``origin`` names it only late — past its
    ``early``-th word and its first half — or None. Such a rewrite has usually changed who does what ("Anna Baker
    died on Saturday" for "Tom Baker died on Saturday, with his wife Anna Baker by his side"): every name in it is
    in the article, so the fact check alone passes it."""
    first = content_tokens(candidate)
    if not first or first[0] in _CALENDAR:
        return None
    words = _WORDS.findall(origin)
    for i, word in enumerate(words):
        if word.lower() == first[0]:
            return word if word[0].isupper() and i >= early and i > len(words) / 2 else None
    return None


# Words (hyphenated ones whole: "state-of-the-art") and the punctuation that ends a phrase.
_CLAUSE = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*|[,;:()\u2013\u2014\"“”]|(?<!\w)-(?!\w)")
# Verbs that follow a subject; a rewrite that keeps one keeps the predicate after it.
_AUXILIARIES = frozenset(
    str.split(
        """
        is are was were has have had will would can could may might must should
        """
    )
)
# Words that open what follows a noun inside a subject ("the decision *to* bring ...", "a spokesman *for* ...").
_POST_MODIFIER = frozenset(
    str.split(
        """
        of to in into on at for with from by that who which whose about against over under near between among
        """
    )
)
# After these, what comes is a clause of its own: "police said the man was ..." is about "the man".
_CLAUSE_OPENERS = frozenset(
    str.split(
        """
        said says say told tells claimed claims reported reports added adds announced revealed confirmed warned
        insisted explained noted stated argued wrote believe believes believed think thinks thought that
        and but or nor when while because if although though since as so where
        """
    )
)
_OPENING_PREPOSITIONS = frozenset(
    str.split(
        """
        after before during despite amid following since under within without throughout across around as
        """
    )
)
_QUANTITIES = frozenset(
    str.split(
        """
        one two three four five six seven eight nine ten some many most several each both half part none all
        """
    )
)


def demoted_subject(candidate: str, origin: str) -> tuple[str, str] | None:
    """(the new subject, the subject it replaced) when ``candidate`` keeps ``origin``'s verb but puts before it
    only words from inside ``origin``'s subject, without that subject's head noun — "The U.S. military is the
    most aggressive step" for "The decision to bring the U.S. military into the fight is the most aggressive
    step" — else None. Every word is in the article, so the other checks pass it; but it says something else."""
    cand = _CLAUSE.findall(candidate)
    verb = next((i for i, w in enumerate(cand) if w.lower() in _AUXILIARIES), None)
    if not verb or any(not w[0].isalnum() for w in cand[:verb]):
        return None
    new = [w.lower() for w in cand[:verb] if w.lower() not in STOP_WORDS]
    words = _CLAUSE.findall(origin)
    at = next((i for i, w in enumerate(words) if w.lower() == cand[verb].lower()), None)
    if not new or at is None:
        return None
    start = at
    while start > 0 and words[start - 1][0].isalnum() and words[start - 1].lower() not in _CLAUSE_OPENERS:
        start -= 1
    subject = [w.lower() for w in words[start:at]]
    content = [i for i, w in enumerate(subject) if w not in STOP_WORDS]
    if not content or subject[0] in _POST_MODIFIER | _OPENING_PREPOSITIONS:
        return None  # "In the aftermath of the derby the talk among fans was ...": no plain subject to read
    end = next((i for i in range(content[0], len(subject)) if subject[i] in _POST_MODIFIER), len(subject))
    head = next((subject[i] for i in reversed(content) if i < end), None)
    stems = {_stem(w) for w in new}
    if head is None or head in _QUANTITIES or _stem(head) in stems:
        return None
    if not stems <= {_stem(subject[i]) for i in content}:
        return None  # the rewrite's subject is not taken from the old one
    return new[-1], head


@dataclass
class Verdict:
    """What the guard found in one sentence; ``ok`` when nothing."""

    unsupported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.unsupported and not self.problems


@dataclass
class GuardReport:
    """Per summary: how many sentences were copied from the article (short enough already, asides deleted), and
    how many generated ones were kept as generated, repaired, regenerated, replaced by article content or dropped;
    the unsupported names/numbers and other problems the guard found."""

    copied: int = 0
    kept: int = 0
    repaired: int = 0
    regenerated: int = 0
    replaced: int = 0
    dropped: int = 0
    unsupported: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def note(self, verdict: Verdict) -> None:
        for span in verdict.unsupported:
            if span not in self.unsupported:
                self.unsupported.append(span)
        for problem in verdict.problems:
            if problem not in self.problems:
                self.problems.append(problem)

    def to_dict(self) -> dict[str, Any]:
        return {
            "copied": self.copied,
            "kept": self.kept,
            "repaired": self.repaired,
            "regenerated": self.regenerated,
            "replaced": self.replaced,
            "dropped": self.dropped,
            "unsupported": list(self.unsupported),
            "problems": list(self.problems),
        }


class Guard:
    """Checks sentences against one article. Build one per article; checks are cheap after that."""

    def __init__(self, article: str, *, min_overlap: float = 0.6) -> None:
        self.article = article
        self.index = FactIndex(article)
        self.min_overlap = min_overlap

    def check(self, sentence: str, origin: str | None = None) -> Verdict:
        """Check ``sentence``; ``origin`` is the article sentence it rewrites, when there is one."""
        verdict = Verdict(unsupported=self.index.unsupported(sentence))
        text = sentence.strip()
        if not text or count_words(text) < 3:
            verdict.problems.append("empty or too short")
        elif _META.match(text):
            verdict.problems.append("talks about the task instead of the article")
        loop = repeated_phrase(text, origin or self.article)
        if loop:
            verdict.problems.append(f"repeats {loop!r}")
        if origin is not None and text:
            word = self._foreign_opener(text)
            if word:
                verdict.problems.append(f"opens with {word!r}, a word the article does not use")
            again = None if loop else repeated_word(text, origin)
            if again:
                verdict.problems.append(f"says {again!r} more often than the sentence it rewrites")
            name = moved_name(text, origin)
            if name:
                verdict.problems.append(f"opens with {name!r}, whom the sentence it rewrites names only late")
            swap = demoted_subject(text, origin)
            if swap:
                verdict.problems.append(f"makes {swap[0]!r} the subject where the sentence it rewrites has {swap[1]!r}")
            if overlap(text, origin) < self.min_overlap:
                verdict.problems.append("strays from the sentence it rewrites")
            if count_words(text) > count_words(origin) + 3:
                verdict.problems.append("longer than the sentence it rewrites")
        return verdict

    def doomed(self, partial: str, origin: str) -> bool:
        """Whether every rewrite of ``origin`` that begins with ``partial`` (an unfinished output) fails
        :meth:`check`: it talks about the task, opens with a word the article does not use or with a name
        ``origin`` gives only late, has put a part of ``origin``'s subject in its place, or has already said a
        phrase or word too often. More words change none of these, so generation can stop. The last word may be
        unfinished and is not read."""
        words = partial.split()
        if len(words) < 2:
            return False
        text = " ".join(words[:-1])
        return bool(
            _META.match(text)
            or self._foreign_opener(text)
            or moved_name(text, origin)
            or demoted_subject(text, origin)
            or repeated_phrase(text, origin)
            or repeated_word(text, origin)
        )

    def _foreign_opener(self, text: str) -> str | None:
        # The facts check leaves a lone capitalised word opening a sentence alone (usually a common word);
        # a rewrite has no reason to open with a word the article never uses.
        opener = _OPENER.match(text)
        word = opener.group(0) if opener else ""
        if word[:1].isupper() and word.lower() not in _COMMON_OPENERS and not self.index.word_supported(word):
            return word
        return None

    def repair(self, sentence: str, verdict: Verdict, origin: str | None) -> str | None:
        """Swap each unsupported number for the one ``origin`` holds that the sentence left out, when there is
        exactly one; ``None`` when that cannot fix every problem. (Names are never swapped: a wrong person is
        worse than a sentence taken from the article.)"""
        if verdict.problems or not verdict.unsupported or origin is None:
            return None
        fixed = sentence
        origin_numbers = number_mentions(origin)
        for span in verdict.unsupported:
            if not number_mentions(span):
                return None
            unused = [c for c in origin_numbers if c not in fixed]
            if len(unused) != 1 or span not in fixed:
                return None
            fixed = fixed.replace(span, unused[0], 1)
        return fixed if self.check(fixed, origin).ok else None

    def best_source_sentence(self, sentence: str, exclude: set[str] | None = None) -> str | None:
        """The article sentence that best covers ``sentence`` (most shared content words), or ``None``."""
        exclude = exclude or set()
        best, best_score = None, 0.0
        for candidate in split_sentences(self.article):
            if candidate in exclude or count_words(candidate) < 4:
                continue
            score = overlap(sentence, candidate)
            if score > best_score:
                best, best_score = candidate, score
        return best
