"""Plain-text helpers shared by every part of newsdesk: sentence splitting and word counting."""

from __future__ import annotations

import re

# Abbreviations that end in a period but rarely end a sentence (compared lower-case, without the period).
ABBREVIATIONS = frozenset(
    str.split(
        """
        mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm maj cpl pvt sen rep gov pres supt insp det rev
        hon fr messrs mme mlle vol vols fig figs approx dept est inc corp co ltd bros plc vs v jan feb mar apr jun
        jul aug sep sept oct nov dec al ave blvd rd e.g i.e cf
        """
    )
)
# Words that usually open a sentence: after "U.S." (an abbreviation that may also end a sentence) one of these
# means a new sentence starts, any other capitalised word ("U.S. Army") means it does not.
SENTENCE_STARTERS = frozenset(
    str.split(
        """
        the a an he she it they we i you his her its their our this that these those there here but and or so yet in
        on at as after before when while if although though however meanwhile then now still also since during many
        some most one two several according police officials authorities
        """
    )
)

# Function words that say nothing about what a sentence is about (lower-case): the faithfulness guard compares
# a rewrite with its sentence on the other words, and the summariser's sentence choice too (see
# newsdesk.models.summaries.sentences, which also leaves out "no", "one" and "two").
STOP_WORDS = frozenset(
    str.split(
        """
        a an the and or but of in on at to for from by with as is are was were be been being it its this that these
        those he she they we you i his her their our your him them us who which what when where how not so if than
        then there here has have had do does did will would can could should may might must said says say also into
        over after before about up out more most some any all
        """
    )
)

_CLOSERS = "\"'”’)]»"
_OPENERS = "\"'“‘([«"
# A candidate boundary: end punctuation, optional closing quotes/brackets, whitespace, then what follows.
_BOUNDARY = re.compile(r"([.!?…]+)([" + re.escape(_CLOSERS) + r"]*)(\s+)(?=\S)")
_WORD_BEFORE = re.compile(r"([\w.&'’-]+)$")
_WORD = re.compile(r"[\w][\w'’.-]*")
_PARAGRAPHS = re.compile(r"\s*\n\s*")


def _is_abbreviation(token: str) -> bool:
    """``token`` is the text right before a period (without it)."""
    low = token.lower().lstrip("(\"'“‘")
    if low in ABBREVIATIONS:
        return True
    # Single letters ("J. K. Rowling", "Plan B." is rarer than initials).
    return len(low) == 1 and low.isalpha()


def _is_dotted_acronym(token: str) -> bool:
    """``U.S``, ``U.K``, ``a.m`` — letters separated by periods (the final period already stripped)."""
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token))


def _split_paragraph(par: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(par):
        punct, _closers, _space = m.group(1), m.group(2), m.group(3)
        nxt = par[m.end() :]
        first = nxt[0]
        # The next sentence starts with a capital, a digit or an opening quote/bracket.
        if not (first.isupper() or first.isdigit() or first in _OPENERS):
            continue
        if punct == "." and not m.group(2):
            before = _WORD_BEFORE.search(par, start, m.start())
            word = before.group(1) if before else ""
            if _is_dotted_acronym(word):
                next_word = _WORD.match(nxt.lstrip(_OPENERS))
                if not next_word or next_word.group(0).lower() not in SENTENCE_STARTERS:
                    continue
            elif _is_abbreviation(word) or (word.lower() in ("no", "nos") and first.isdigit()):
                continue
        sentence = par[start : m.end()].strip()
        if sentence:
            sentences.append(sentence)
        start = m.end()
    tail = par[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# A full stop with no space after it, between a word and a capitalised word: two sentences glued together in
# scraped text ("in 1991.Simpson said", "at 11:00 BST.Ninety-six fans"). "U.S.Army"-like dotted acronyms are left.
_GLUED = (
    re.compile(r"(?<=[a-z0-9\"”'’)])([.!?])(?=[A-Z][a-z])"),
    re.compile(r"(?<=[A-Z]{2})([.!?])(?=[A-Z][a-z])"),  # "the UK.The teenagers"
)


def unglue_sentences(text: str) -> str:
    """``text`` with sentences glued by a missing space separated by one."""
    for pattern in _GLUED:
        text = pattern.sub(r"\1 ", text)
    return text


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences, keeping each sentence's own characters (stripped).

    Line breaks always end a sentence (headlines, paragraphs). Within a line a sentence ends at ``.``, ``!``,
    ``?`` or ``…`` (plus closing quotes) followed by a space and a capital, digit or opening quote — except after
    abbreviations (``Mr.``, ``Dr.``, ``Jan.``), initials (``J. K. Rowling``) and acronyms such as ``U.S.`` when the
    next word continues the name (``U.S. Army``). Decimals (``3.5``) never split.
    """
    if not text:
        return []
    out: list[str] = []
    for par in _PARAGRAPHS.split(text.replace("\u00a0", " ")):
        if par.strip():
            out.extend(_split_paragraph(par.strip()))
    return out


_COUNTED = re.compile(r"\S*[^\W_]\S*")


def count_words(text: str) -> int:
    """Number of whitespace-separated tokens holding at least one letter or digit (punctuation alone is not a word)."""
    return len(_COUNTED.findall(text or ""))


def truncate_words(text: str, max_words: int) -> str:
    """The first ``max_words`` words of ``text`` (original spacing kept), or ``text`` itself if it is shorter."""
    matches = list(_COUNTED.finditer(text))
    if len(matches) <= max_words:
        return text
    return text[: matches[max_words - 1].end()].rstrip()
