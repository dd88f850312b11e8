"""The article sentences a summary starts from: body sentences (not page furniture), the key ones of a news story,
and each one with its asides deleted."""

from __future__ import annotations

import re
from collections.abc import Callable

from newsdesk.text import STOP_WORDS, count_words, split_sentences, truncate_words

_TOKEN = re.compile(r"[a-z0-9]+")
# Sentence similarity (near-repeats, centrality) also ignores "no", "one" and "two", which the guard must read: a
# rewrite that drops a negation or changes a count says something else, but two sentences are not alike for
# sharing them.
_STOP = STOP_WORDS | {"no", "one", "two"}


def fit_words(sentences: list[str], max_words: int | None) -> list[str]:
    """Keep whole sentences while they fit in ``max_words``; the first one is cut if it alone is too long."""
    if max_words is None:
        return sentences
    out: list[str] = []
    used = 0
    for s in sentences:
        n = count_words(s)
        if used + n > max_words:
            if not out:
                out.append(truncate_words(s, max_words))
            break
        out.append(s)
        used += n
    return out


def content_sentences(text: str, min_words: int = 4) -> list[str]:
    """Sentences of ``text`` that read as prose: at least ``min_words`` words, not a bare caption or byline."""
    return [s for s in split_sentences(text) if count_words(s) >= min_words]


def content_words(sentence: str) -> list[str]:
    """Lower-cased words of two or more letters or digits, without stop words (sentence similarity)."""
    return [t for t in _TOKEN.findall(sentence.lower()) if t not in _STOP and len(t) > 1]


_FURNITURE = re.compile(
    r"\b(sign up|subscribe|newsletters?|click here|scroll down|read more|terms (and|of) (use|service)|"
    r"privacy policy|cookie|all rights reserved|follow us|email us|share this|advertisement|credit:|photo:|"
    r"image:|getty images|copyright)\b|©",
    re.IGNORECASE,
)
_ENDS_LIKE_PROSE = re.compile(r"[.!?…][\"'”’)\]]*$")


def ends_like_prose(text: str) -> bool:
    """Whether ``text`` ends as a sentence does: end punctuation, maybe closing quotes or brackets."""
    return bool(_ENDS_LIKE_PROSE.search(text))


def prose_sentences(text: str, min_words: int = 6, *, split: Callable[[str], list[str]] = split_sentences) -> list[str]:
    """The article's body sentences, in order: complete sentences of ``min_words`` or more words, without page
    furniture (bylines, headlines, photo credits, newsletter prompts) or near-repeats (a caption repeating the
    sentence that follows it). ``split`` splits the text into sentences (the compressive summariser keeps
    quotations whole)."""
    candidates = [
        s
        for s in split(text)
        if count_words(s) >= min_words and _ENDS_LIKE_PROSE.search(s) and not _FURNITURE.search(s)
    ]
    toks = [set(content_words(s)) for s in candidates]
    keep: list[str] = []
    kept_toks: list[set[str]] = []
    taken: set[int] = set()
    for i, sentence in enumerate(candidates):
        if i in taken:
            continue
        if any(toks[i] and len(toks[i] & t) >= 0.8 * len(toks[i]) for t in kept_toks[-4:]):
            continue  # repeats what was just said (a photo caption after its paragraph)
        # A short caption just before the full sentence it abbreviates: keep the full one, in this place.
        for j in range(i + 1, min(len(candidates), i + 4)):
            if (
                toks[i]
                and len(toks[i] & toks[j]) >= 0.8 * len(toks[i])
                and len(toks[i]) < len(toks[j]) <= 2 * len(toks[i])
            ):
                sentence, taken = candidates[j], taken | {j}
                break
        keep.append(sentence)
        kept_toks.append(set(content_words(sentence)))
    return keep or [s for s in split(text) if count_words(s) >= 3] or split(text)


# A paragraph opening with a contrast is where news stories put the main objection or open question ("But the
# order raises legal issues..."); the lead paragraphs rarely say it.
_TURN = re.compile(r"^[\"'“‘]?(But|However|Yet|Still|Critics|Opponents)\b")
# Direct speech: "said/says/told", or a quotation of four words or more. Highlights state the objection rather
# than quote it (scare quotes around a word or two are not speech).
_SAID = re.compile(r"\b(said|says|told)\b")
_QUOTED = re.compile(r"[“\"]([^”\"]*)[”\"]|(?:^|\s)[‘']([^’']*)[’']")


def _is_speech(sentence: str) -> bool:
    if _SAID.search(sentence):
        return True
    return any(count_words(m.group(1) or m.group(2) or "") >= 4 for m in _QUOTED.finditer(sentence))


def is_turn(sentence: str) -> bool:
    """Whether ``sentence`` opens with a contrast ("But", "However", "Critics", ...) and is not direct speech: how
    news stories state their main objection or caveat."""
    return bool(_TURN.match(sentence)) and not _is_speech(sentence)


def select_key_sentences(text: str, k: int = 3, *, max_words: int | None = None, turn_window: int = 8) -> list[str]:
    """The article's first ``k`` body sentences (news puts what matters first) plus, when one of the first
    ``turn_window`` body sentences after those opens with a contrast ("But", "However", "Critics") and is not
    direct speech, the first such sentence: the story's main objection or caveat. In article order.

    With ``max_words``, the lead sentences are taken while their words, asides removed (:func:`compress_sentence`),
    fit in ``max_words`` (at least two), so that short leads give more sentences and long ones fewer; the turn
    sentence is taken whatever its length, and ``k`` caps the sentences in all."""
    sentences = prose_sentences(text)
    if max_words is None:
        chosen = sentences[:k]
    else:
        chosen, used = [], 0
        for sentence in sentences[:k]:
            n = count_words(compress_sentence(sentence))
            if used + n > max_words and len(chosen) >= 2:
                break
            chosen.append(sentence)
            used += n
    for sentence in sentences[len(chosen) : turn_window]:
        if is_turn(sentence):
            if max_words is not None and len(chosen) >= k:
                chosen.pop()  # at most k in all: the objection says more than a fourth or fifth lead sentence
            chosen.append(sentence)
            break
    return chosen


_LEAD_ATTRIBUTION = re.compile(
    r"^(according to [^,]{3,60}, |(also )?(on|last|this|earlier) [A-Za-z]+( [a-z]+)?, )(?=[A-Za-z])", re.IGNORECASE
)
_TAIL_ATTRIBUTION = re.compile(
    r",? (according to [^,.]{3,80}|(he|she|they|police|officials|it|the [a-z]+) (said|says|told [^,.]{2,40}|"
    r"reported|claimed|added)( on [A-Z][a-z]+)?)(?=[.!?][\"'”’]?$)"
)
_PARENTHESIS = re.compile(r" ?\([^()]{1,80}\)")
# ", who ... ," between commas, the second one followed by a space (not "£2,500") and no quotation inside. Not
# "where": "..., where a prosecutor said one of them, a 12-year-old, is pregnant" is no aside.
_RELATIVE_CLAUSE = re.compile(r", (who|which) [^,\"“”‘’']{5,120},(?= )")


def compress_sentence(sentence: str) -> str:
    """``sentence`` without what news highlights leave out — attributions ("according to X", "police said"),
    parentheses and non-restrictive relative clauses. Only deletes, so it adds nothing the article lacks."""
    out = _PARENTHESIS.sub("", sentence)
    out = _LEAD_ATTRIBUTION.sub("", out)
    out = _TAIL_ATTRIBUTION.sub("", out)
    out = _RELATIVE_CLAUSE.sub("", out)
    out = re.sub(r"\s+([,.;:!?])", r"\1", out).strip()
    if not out or count_words(out) < 4:
        return sentence
    return out[0].upper() + out[1:]
