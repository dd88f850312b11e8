"""Checkable facts in a summary — names, numbers, dates, quantities — and whether the source supports them.

:func:`unsupported_facts` is what the faithfulness guard and the evaluation both use, so that "unsupported" means
the same thing everywhere. The check is lexical and deliberately simple:

* a **number** (``50``, ``1,500``, ``3.5%``, ``$2 million``, ``50-year-old``, ``21st``, ``three``, ``a dozen``)
  is supported when the source states the same value, in figures or in words (``three`` ≡ ``3``,
  ``2 million`` ≡ ``2,000,000``);
* a **name** — a run of capitalised words that is not a plain sentence opener (``The``, ``He``; a single
  capitalised word opening a sentence is not checked), including months and weekdays — is supported when every
  word of it occurs in the source (case-insensitively, allowing small inflections: ``Venezuelan`` ~
  ``Venezuela``, ``Obama's`` ~ ``Obama``), or when it is the acronym of a name in the source (``UN`` ~
  ``United Nations``, ``US`` ~ ``U.S.``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsdesk.text import split_sentences, unglue_sentences

_UNITS = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "hundred": 100,
}  # fmt: skip
# "one", "first" and "second" are too often not numbers ("one of", "second-hand") to count as claims.
_ORDINALS = {
    "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "twentieth": 20,
}  # fmt: skip
_SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9,
    "trillion": 1e12, "tn": 1e12, "k": 1e3,
}  # fmt: skip
# Only counted in the source (so that "one" / "1" in a summary agrees with them), never as claims.
_SOURCE_ONLY = {"one": 1, "first": 1, "second": 2, "once": 1, "twice": 2, "a": 1}

# Capitalised words that open sentences or are otherwise not names; lower-case compare.
_NOT_NAMES = frozenset(
    str.split(
        """
        a an the he she it they we i you me him her them us his hers its their theirs our ours your my mine this
        that these those there here who whom whose which what when where why how and but or nor so yet for of in on
        at to from by with without about after before during since until while as if although though because unless
        however meanwhile moreover also then now still instead thus therefore later earlier today yesterday tomorrow
        tonight mr mrs ms dr some many most several all both each every any no not none few other another such one
        first last next new former late according despite following among between over under into onto upon once
        meanwhile just only even even though yes oh well being having be been is are was were do does did has have
        had will would can could should may might must shall let please said says say police officials official
        experts researchers scientists critics doctors authorities investigators prosecutors witnesses residents
        fans students parents people women men children family friends neighbours neighbors sources reports report
        speaking asked meanwhile nearly almost around about more less than
        """
    )
)

_NUMBER_RE = re.compile(
    r"(?<![\w.])(?P<cur>[$£€¥]\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<suffix>st|nd|rd|th|s)?(?![\d])"
    r"(?:\s?(?P<scale>hundred|thousand|million|billion|trillion|mn|bn|tn|m|b|k)\b)?",
    re.IGNORECASE,
)
# Two or more capitals, dotted or not: "U.S.", "UK", "FBI".
_ACRONYM_RE = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z]{2,}\b")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’.\-&]*[A-Za-z]|[A-Za-z]")
_NUMBER_WORD_RE = re.compile(
    r"\b(?P<word>" + "|".join(sorted({**_UNITS, **_ORDINALS, **_SOURCE_ONLY}, key=len, reverse=True)) + r")\b"
    r"(?:[\s-](?P<unit>" + "|".join(k for k, v in _UNITS.items() if v < 10) + r"))?"
    r"(?:\s(?P<scale>hundred|thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)


def _norm_word(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    elif word.endswith("'"):
        word = word[:-1]
    return word.replace(".", "").replace("'", "").strip("-&")


def _round(value: float) -> float:
    return round(value, 6)


@dataclass
class _Number:
    text: str
    values: set[float]


def _numbers(text: str, *, source: bool) -> list[_Number]:
    """Numeric mentions in ``text`` with every value they could stand for (``2 million`` → {2, 2000000})."""
    found: list[_Number] = []
    for m in _NUMBER_RE.finditer(text):
        raw = m.group("num").replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        values = {_round(value)}
        scale = (m.group("scale") or "").lower()
        if scale:
            # The source may be quoted with or without its scale; a summary's "$3 million" must be 3,000,000.
            values = {_round(value * _SCALES[scale])} | (values if source else set())
        if m.group("suffix") and m.group("suffix").lower() == "s" and len(raw) == 4:
            values.add(_round(value))  # "1990s"
        found.append(_Number(m.group(0).strip(), values))
    for m in _NUMBER_WORD_RE.finditer(text):
        word = m.group("word").lower()
        if word in _SOURCE_ONLY:
            if not source:
                continue
            # "a" alone is not a number; "a million", "a dozen" are.
            if word == "a" and not m.group("scale"):
                continue
        value = float({**_UNITS, **_ORDINALS, **_SOURCE_ONLY}[word])
        if m.group("unit"):
            value += _UNITS[m.group("unit").lower()]
        values = {_round(value)}
        if m.group("scale"):
            values = {_round(value * _SCALES[m.group("scale").lower()])} | (values if source else set())
        found.append(_Number(m.group(0), values))
    return found


def _name_spans(text: str) -> list[tuple[str, list[str]]]:
    """Runs of capitalised words (joined by spaces, ``of``/``de``/``&`` inside allowed) that are not openers."""
    spans: list[tuple[str, list[str]]] = []
    for sentence in split_sentences(text):
        words = list(_WORD_RE.finditer(sentence))
        current: list[re.Match[str]] = []

        def flush(
            current: list[re.Match[str]] = current, sentence: str = sentence, words: list[re.Match[str]] = words
        ) -> None:
            while current and current[-1].group(0).lower() in ("of", "de", "the", "and"):
                current.pop()
            # A lone capitalised word opening a sentence is far more often a common word ("Left", "Experts")
            # than a name; a name there is usually given in full ("Bobby Flay said") and is checked then.
            if current and not (len(current) == 1 and current[0].start() == words[0].start()):
                span = sentence[current[0].start() : current[-1].end()]
                parts = [w.group(0) for w in current if w.group(0)[0].isupper()]
                spans.append((span, parts))
            current.clear()

        for i, w in enumerate(words):
            token = w.group(0)
            is_cap = token[0].isupper() or (len(token) > 1 and token[1:].isupper() and token[0].isalpha())
            if is_cap and _norm_word(token) in _NOT_NAMES and (i == 0 or not current):
                flush()
                continue
            if is_cap:
                # A gap of more than a space (a comma, a quote) ends the span.
                if current and sentence[current[-1].end() : w.start()] != " ":
                    flush()
                current.append(w)
            elif current and token.lower() in ("of", "de") and sentence[current[-1].end() : w.start()] == " ":
                current.append(w)
            else:
                flush()
        flush()
    return spans


@dataclass
class FactIndex:
    """What a source text states, indexed once so that many candidate sentences can be checked quickly."""

    source: str
    words: set[str] = field(init=False)
    prefixes: dict[str, int] = field(init=False)
    acronyms: set[str] = field(init=False)
    written_acronyms: set[str] = field(init=False)
    values: set[float] = field(init=False)

    def __post_init__(self) -> None:
        # Scraped articles glue sentences ("at 11:00 BST.Ninety-six fans"): read as one word, "BST" would be
        # unsupported in a summary that copies the sentence (2 of the 97 tune-half compressive summaries).
        source = unglue_sentences(self.source)
        self.words = set()
        for w in _WORD_RE.findall(source):
            for part in re.split(r"[-&]", w) + [w]:
                norm = _norm_word(part)
                if norm:
                    self.words.add(norm)
        # prefix -> length of the shortest source word that starts with it
        self.prefixes = {}
        for norm in self.words:
            for k in range(4, len(norm)):
                if self.prefixes.get(norm[:k], 99) > len(norm):
                    self.prefixes[norm[:k]] = len(norm)
        self.acronyms = set()
        for _span, parts in _name_spans(source):
            if len(parts) >= 2:
                self.acronyms.add("".join(p[0] for p in parts).lower())
        # Acronyms as the source writes them ("U.S.", "FBI"): a summary may spell them out ("United States").
        self.written_acronyms = {_norm_word(a) for a in _ACRONYM_RE.findall(source)}
        self.values = {v for n in _numbers(source, source=True) for v in n.values}

    def word_supported(self, word: str) -> bool:
        norm = _norm_word(word)
        if not norm or norm in self.words or norm in self.acronyms:
            return True
        # Inflections: one word extends the other by at most three letters ("Iraq" ~ "Iraqi", "America" ~
        # "Americans"), but "charm" is not "charity".
        if any(norm[:k] in self.words for k in range(max(4, len(norm) - 3), len(norm))):
            return True
        if len(norm) >= 4 and self.prefixes.get(norm, 99) - len(norm) <= 3:
            return True
        # Hyphenated names: each part on its own ("Wear-Tyne", "Anglo-French").
        parts = [p for p in re.split(r"[-&]", word) if p]
        return len(parts) > 1 and all(self.word_supported(p) for p in parts)

    def unsupported(self, summary: str) -> list[str]:
        """The names and numbers in ``summary`` that this source does not support, in order, without repeats."""
        found: list[str] = []
        for number in _numbers(summary, source=False):
            if not number.values & self.values and number.text not in found:
                found.append(number.text)
        for span, parts in _name_spans(summary):
            if any(not self.word_supported(p) for p in parts) and span not in found and not self._spelt_out(parts):
                found.append(span)
        return found

    def _spelt_out(self, parts: list[str]) -> bool:
        """Whether a name of several words is an acronym of the source's spelt out: "United States" for "U.S."."""
        capitals = [p for p in parts if p[:1].isupper()]
        return len(capitals) >= 2 and "".join(p[0] for p in capitals).lower() in self.written_acronyms


def unsupported_facts(summary: str, source: str | FactIndex) -> list[str]:
    """Names, numbers, dates and quantities in ``summary`` that ``source`` does not support (empty if all are).

    ``source`` may be the article text or a :class:`FactIndex` built from it (faster when checking many texts
    against one article).
    """
    index = source if isinstance(source, FactIndex) else FactIndex(source)
    return index.unsupported(summary)


def number_mentions(text: str) -> list[str]:
    """Numbers, numeric quantities and number words as written in ``text`` (``50-year-old`` → ``50``)."""
    return [n.text for n in _numbers(text, source=False)]


def name_mentions(text: str) -> list[str]:
    """Runs of capitalised words in ``text`` that :func:`unsupported_facts` treats as names."""
    return [span for span, _parts in _name_spans(text)]
