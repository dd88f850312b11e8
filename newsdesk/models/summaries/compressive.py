"""A compressive summariser that can only delete (issue #16): lead sentences, shortened by removing safe spans.

Nothing is generated, so a summary cannot hold a word, role or relation that its article sentence lacks: every
summary sentence is an article sentence with zero or more spans deleted. Deleted spans are ones whose removal
leaves the claim intact (asides, time and place adverbials, page furniture); a span holding a negation, a modal or
hedge ("not", "may", "allegedly", "denied"; :data:`~newsdesk.models.summaries.faithcheck.NEGATIONS` and
:data:`~newsdesk.models.summaries.faithcheck.HEDGES`) is never deleted, nothing inside a quotation is, and a
sentence whose compressed form would be too short keeps its original wording. The words saved fit more of the lead
into the same budget. ``Summarizer("compressive")``.

Measured (the research of #16, ``bench/RESULTS.md``; 100 CNN/DM and 100 XSum dev articles, split into tune and
report halves by sha256(id) parity): 0/40 summaries judged ``major`` on report-half articles (``bench/judged/``;
fluency bad 9/40), ROUGE-Lsum level with LEAD-3 (CNN/DM report 35.04 vs 34.98, XSum report 14.13 vs 14.53), about
2 % novel bigrams, ~4 ms an article.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from newsdesk.models.summaries.faithcheck import HEDGES, NEGATIONS
from newsdesk.models.summaries.sentences import fit_words, prose_sentences
from newsdesk.text import count_words, split_sentences

__all__ = ["RULES", "CompressiveSummarizer", "Rule", "clean_article", "compress", "lead_sentences"]

# Words a deletion must never remove: they carry polarity or certainty (the truth check's negations and hedges,
# less "claimed"/"claims", which a reporting verb may drop; plus contrast and exclusion), and their inflections.
_PROTECTED_WORDS = (
    NEGATIONS | HEDGES | {"should", "must", "unless", "only", "except", "but", "however", "although"}
) - {
    "claimed",
    "claims",
}
_PROTECTED = re.compile(
    r"\b("
    + "|".join(sorted(map(re.escape, _PROTECTED_WORDS), key=len, reverse=True))
    + r"|\w+n't|avoid\w*|refus\w*|fail\w*)\b",
    re.IGNORECASE,
)
_DAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_WHEN = (
    rf"(?:(?:on|last|this|next|late on|early on|earlier on) {_DAY}(?: (?:morning|afternoon|evening|night))?"
    rf"|(?:on )?{_DAY},? {_MONTH} \d{{1,2}}|(?:on )?{_MONTH} \d{{1,2}}|(?:on )?\d{{1,2}} {_MONTH}"
    r"|(?:earlier |later |)(?:this|last) (?:week|month|year|morning|afternoon|evening|night|weekend|summer|winter|"
    r"spring|autumn)|yesterday|today|tonight|this morning|overnight)"
)


_COMMA_IF_CLAUSE = "<comma-if-clause>"


@dataclass(frozen=True)
class Rule:
    """A deletion: every match of ``pattern`` is replaced by ``repl`` (a separator, usually empty or a comma)."""

    name: str
    pattern: re.Pattern[str]
    repl: str = ""
    keep: Callable[[re.Match[str]], bool] | None = None  # a match for which this is true stays


def _in_title(m: re.Match[str]) -> bool:
    """An "on Sunday" right after a capitalised word is part of a name ("The Mail on Sunday", "Scotland on
    Sunday") as often as it is a time ("Obama on Sunday said"): kept."""
    return m.group(0).lower().startswith(" on ") and bool(re.search(r"\b[A-Z][\w'’-]*$", m.string[: m.start()]))


RULES: tuple[Rule, ...] = (
    # "(pictured)", "(19)", "(left)": parentheses, never ones holding a claim word (checked by _PROTECTED)
    Rule("parenthesis", re.compile(r" ?\([^()]{1,80}\)")),
    # "– which is about 7ft in height –" / " - the largest of its kind - "
    Rule("dash-aside", re.compile(r" [–—-] [^–—\-\"“”]{3,80} [–—-](?= )")),
    # "On Saturday afternoon, members of ..." / "Earlier this week, ..." / "In a statement, ..."
    Rule(
        "lead-adverbial",
        re.compile(
            rf"^(?:{_WHEN}|(?:in|at) (?:a|an|the) (?:statement|interview|press conference|post|blog|tweet|letter|"
            r"video)[^,]{0,50}|(?:in|at) [A-Z][^,]{2,40}|also|meanwhile|now|but|and|however|instead|still),\s+",
            re.IGNORECASE,
        ),
    ),
    # " on Friday", " last week", " yesterday" inside a sentence
    Rule("time", re.compile(rf",? \b{_WHEN}\b(?=[ ,.;:])", re.IGNORECASE), keep=_in_title),
    # ", who had been having chemotherapy," / ", which is about 7ft in height,"
    Rule("relative-clause", re.compile(r", (?:who|which) [^,;:\"“”‘’']{5,120},(?= )"), _COMMA_IF_CLAUSE),
    # ", which is ..." at the very end of a sentence
    Rule(
        "final-relative-clause",
        re.compile(r", (?:which|who) [^,;:\"“”‘’']{5,120}(?=[.!?]$)"),
        "",
    ),
    # "Rhodri Giggs, 37, has" -> "Rhodri Giggs has"
    Rule("age", re.compile(r"(?<=[A-Za-z]), \d{1,3},(?= )"), _COMMA_IF_CLAUSE),
    # "Adrian Marsden, finds officer based at Norwich Castle Museum, said" -> "Adrian Marsden said"
    Rule("appositive", re.compile(r"(?<=[A-Z][a-z]), (?:a|an|the|his|her|their|who is) [^,;:\"“”]{3,70},(?= [a-z])")),
    # ", in central London," / ", near Dereham,"
    Rule(
        "place",
        re.compile(
            r", (?:in|near|outside|on) (?:central |north |south |east |west |northern |southern |"
            r"eastern |western )?[A-Z][A-Za-z'’ -]{2,40},(?= )"
        ),
        _COMMA_IF_CLAUSE,
    ),
    # "PGA Tour star Rickie Fowler" -> "Rickie Fowler" (a descriptor before a full name, at the sentence start or
    # after a preposition)
    Rule(
        "descriptor",
        re.compile(
            r"(^|\b(?:by|as|with|and|that|of|for|to|from) )(?:[A-Z][\w'’&.-]* ){0,3}(?:[Ss]tar|"
            r"striker|defender|midfielder|winger|goalkeeper|forward|boss|manager|coach|chef|actress|actor|singer|"
            r"rapper|model|player|spokesman|spokeswoman|spokesperson|editor|[Ff]ellow [A-Z][\w-]+) "
            r"(?=[A-Z][a-z]+ [A-Z][a-z]+)"
        ),
        r"\1",
    ),
    # intensifiers and hype adjectives: "very", "stunning", "shocking"
    Rule("intensifier", re.compile(r"\b(?:very|really|extremely|incredibly|highly|truly|hugely) (?=[a-z])")),
    Rule(
        "hype",
        re.compile(
            r"\b((?:a|an|the|his|her|their|its) )(?:stunning|shocking|dramatic|incredible|amazing|remarkable|"
            r"extraordinary|heartbreaking|horrific|horrifying|terrifying|bizarre|brutal|tragic|furious|astonishing|"
            r"staggering|spectacular|jaw-dropping|heroic|sickening|devastating|incredible|sensational|emotional|"
            r"extraordinary|hilarious|adorable|bitter|fierce|frantic|daring|desperate|terrible|stark) (?=[a-z])"
        ),
        r"\1",
    ),
    # " also ", " now " inside a sentence
    Rule("also", re.compile(r"(?<=[a-z]) also(?= [a-z])")),
    # "said that" -> "said"
    Rule("that", re.compile(r"\b(said|says|told [A-Za-z ]{2,30}?|claimed|claims|revealed|announced) that\b"), r"\1"),
    # leading "But " / "And " (a connective to a sentence the summary may not hold)
    Rule("connective", re.compile(r"^(?:And|So|Also|Meanwhile|Now) (?=[a-z]*[A-Za-z])")),
)
_BOILERPLATE = re.compile(
    r"^(?:By \. [^.]{2,80} \. )?(?:(?:PUBLISHED|UPDATED|Last updated)[^|]{0,80}\| )+"  # Daily Mail header
    r"|By \. [^.]{2,80} \. "
    r"|(?:PUBLISHED|UPDATED): \. \d{1,2}:\d{2} [A-Z]{2,4}, \d{1,2} [A-Za-z]+ \d{4} \. \|? ?\.? ?"
    r"|\(CNN\) ?-* ?|^[A-Z][A-Za-z ,]{1,40} \(CNN\) -- "
    r"|Scroll down for video\.{0,3} ?|Click here[^.]{0,80}\. ?"
)


def clean_article(text: str) -> str:
    """``text`` without CNN/Daily Mail furniture ("By . X . PUBLISHED: ... | . UPDATED: ...", "(CNN) --") and
    with sentences glued by a missing space ("in 1991.Simpson said") separated."""
    text = _BOILERPLATE.sub("", text)
    text = re.sub(r"(?<=[a-z0-9\"”'’)])([.!?])(?=[A-Z][a-z])", r"\1 ", text)
    return text


# A caption glued to the sentence after it: "... was stolen An eight-year-old boy who ..."
_GLUED = re.compile(r"(?<=[a-z0-9]) (?=(?:The|A|An) [a-z])")


# Quotation marks that open a quotation (after a space or bracket) and ones that close it after punctuation.
_OPENS = re.compile(r"(?:^|(?<=[\s(\[]))[\"“‘'](?=\w)")
_CLOSES_AFTER_PUNCT = re.compile(r"[.,!?][\"”’']")
_CLOSES = re.compile(r"(?<=[^\s(\[])[\"”’'](?=[\s.,;:!?)\]]|$)")


def _opens_quotation(sentence: str) -> bool:
    """Whether ``sentence`` opens a quotation that it does not close."""
    opens = list(_OPENS.finditer(sentence))
    return bool(opens) and not _CLOSES.search(sentence, opens[-1].end())


def _closes_quotation(sentence: str) -> bool:
    """Whether ``sentence`` closes a quotation (punctuation, then a quotation mark) before it opens one."""
    close = _CLOSES_AFTER_PUNCT.search(sentence)
    first_open = _OPENS.search(sentence)
    return close is not None and (first_open is None or close.start() < first_open.start())


def split_keeping_quotations(text: str, most: int = 4) -> list[str]:
    """:func:`newsdesk.text.split_sentences`, but a quotation split at an inner full stop is put back together
    ("'Where we going? Destination unknown,' tweeted X."), joining at most ``most`` sentences."""
    out: list[str] = []
    joined = 0
    for sentence in split_sentences(text):
        if out and joined < most - 1 and _opens_quotation(out[-1]) and _closes_quotation(sentence):
            out[-1] += " " + sentence
            joined += 1
            continue
        out.append(sentence)
        joined = 0
    return out


def lead_sentences(text: str) -> list[str]:
    """The article's body sentences in order (:func:`newsdesk.models.summaries.sentences.prose_sentences` over the
    cleaned text, quotations kept whole); a caption glued without punctuation to the sentence after it is left
    out."""
    out = []
    for s in prose_sentences(clean_article(text), split=split_keeping_quotations):
        parts = _GLUED.split(s)
        if len(parts) > 1 and count_words(parts[-1]) >= 8:
            s = parts[-1]
        out.append(s)
    return out


_QUOTE = re.compile(r"[\"“][^\"“”]*[\"”]|(?<![A-Za-z])['‘][^'‘’]{3,}?['’](?![A-Za-z])")


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    # an unclosed opening quote runs to the end
    if text.count('"') % 2 == 1:
        spans.append((text.rfind('"'), len(text)))
    return spans


def _tidy(sentence: str) -> str:
    s = re.sub(r"\s+([,.;:!?])", r"\1", sentence)
    s = re.sub(r",\s*,", ",", s)
    s = re.sub(r"\s{2,}", " ", s).strip(" ,")
    return s[:1].upper() + s[1:] if s else s


def compress(sentence: str, rules: tuple[Rule, ...] = RULES, min_words: int = 6) -> str:
    """``sentence`` with each safe span that a rule matches deleted.

    A match is kept (not deleted) when it holds a protected word (negation, modal, hedge) or a quotation mark.
    The result is the original sentence when it would fall under ``min_words`` words."""
    out = sentence
    for rule in rules:
        quoted = _quoted_spans(out)

        def repl(m: re.Match[str], rule: Rule = rule, quoted: list[tuple[int, int]] = quoted) -> str:
            span = m.group(0)
            if any(a < m.end() and m.start() < b for a, b in quoted):
                return span  # never edit inside a quotation
            if rule.keep is not None and rule.keep(m):
                return span
            if _PROTECTED.search(re.sub(r"^(?:[ ,]*)(?:but|however|also|now)\b", "", span, flags=re.I)):
                return span
            if rule.repl == _COMMA_IF_CLAUSE:
                # ", near Dereham, the coin ..." keeps a comma; "Giggs, 37, has ..." does not
                nxt = m.string[m.end() :].lstrip()
                return "," if re.match(r"(?:the|a|an|he|she|it|they|we|i|his|her|their|its|[A-Z])\b", nxt) else ""
            return m.expand(rule.repl) if rule.repl else ""

        out = rule.pattern.sub(repl, out)
    out = _tidy(out)
    if count_words(out) < min_words:
        return sentence
    return out


@dataclass
class CompressiveSummarizer:
    """Lead sentences, each compressed by :func:`compress`, taken in order while they fit in ``max_words``.

    A sentence that does not fit is skipped and the next one tried (at most ``lookahead`` more); when not even the
    first fits, it is cut at ``max_words`` (:func:`~newsdesk.models.summaries.sentences.fit_words`). The defaults
    are the measured configuration (75 words, 4 sentences)."""

    max_words: int = 75
    max_sentences: int = 4
    lookahead: int = 2
    rules: tuple[Rule, ...] = field(default=RULES)
    name: str = "compressive"
    strategy: str = "compressive"

    def summarize_one(self, text: str, max_words: int | None = None) -> str:
        """The summary of one article, at most ``max_words`` words (default: the summariser's ``max_words``)."""
        budget = self.max_words if max_words is None else max_words
        chosen: list[str] = []
        used = 0
        skipped = 0
        for sentence in lead_sentences(text):
            if len(chosen) >= self.max_sentences or skipped > self.lookahead:
                break
            c = compress(sentence, self.rules)
            n = count_words(c)
            if not chosen and n > budget:
                return " ".join(fit_words([c], budget))
            if used + n > budget:
                skipped += 1
                continue
            chosen.append(c)
            used += n
        return " ".join(chosen)
