"""British → US spelling for bag-of-words features: ``defence`` → ``defense``, ``labour`` → ``labor``, ...

A TF-IDF model learns a word's weight only from the spellings in its training text. The shipped models learn from
US news (the NYT, AllSides), so a British-spelled article ("Ministry of Defence", "defence budget") misses the
weight of "defense". :func:`us_spelling` maps the common British forms onto the US ones before counting words;
the tf-idf backend applies it when built with ``spelling="us"`` (saved with the model). Only whole lower-case words
are rewritten, from an explicit list: words whose British form is also a different US word are left alone.
"""

from __future__ import annotations

import re

SPELLINGS = ("as-is", "us")

# Whole words (with their inflections listed) whose British spelling differs from the US one.
_WORDS = {
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "pretence": "pretense",
    "licence": "license",
    "licences": "licenses",
    "programme": "program",
    "programmes": "programs",
    "judgement": "judgment",
    "judgements": "judgments",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "manoeuvring": "maneuvering",
    "centre": "center",
    "centres": "centers",
    "centred": "centered",
    "theatre": "theater",
    "theatres": "theaters",
    "metre": "meter",
    "metres": "meters",
    "kilometre": "kilometer",
    "kilometres": "kilometers",
    "fibre": "fiber",
    "calibre": "caliber",
    "sceptic": "skeptic",
    "sceptics": "skeptics",
    "sceptical": "skeptical",
    "aluminium": "aluminum",
    "jewellery": "jewelry",
    "cheque": "check",
    "cheques": "checks",
    "tyre": "tire",
    "tyres": "tires",
    "grey": "gray",
    "paediatric": "pediatric",
    "anaesthetic": "anesthetic",
    "foetus": "fetus",
    "oestrogen": "estrogen",
    "diarrhoea": "diarrhea",
    "haemorrhage": "hemorrhage",
    "leukaemia": "leukemia",
    "gaol": "jail",
    "plough": "plow",
    "storey": "story",
    "storeys": "stories",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "instil": "instill",
    "counsellor": "counselor",
    "counsellors": "counselors",
    "councillor": "councilor",
    "councillors": "councilors",
    "travelled": "traveled",
    "travelling": "traveling",
    "traveller": "traveler",
    "travellers": "travelers",
    "cancelled": "canceled",
    "cancelling": "canceling",
    "labelled": "labeled",
    "labelling": "labeling",
    "modelling": "modeling",
    "fuelled": "fueled",
    "fuelling": "fueling",
    "levelled": "leveled",
    "signalled": "signaled",
    "totalled": "totaled",
    "channelled": "channeled",
    "dialogue": "dialog",
    "catalogue": "catalog",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analyses": "analyzes",
    "analysing": "analyzing",
    "paralyse": "paralyze",
    "paralysed": "paralyzed",
    "practise": "practice",
    "practised": "practiced",
    "practising": "practicing",
    "per cent": "percent",
    "whilst": "while",
    "amongst": "among",
}
# -our → -or (labour, honour, armour, ...) with their inflections.
_OUR = (
    "arbo|ardo|armo|behavio|cando|clamo|colo|endeavo|favo|fervo|flavo|harbo|hono|humo|labo|neighbo|odo|parlo|"
    "ranco|rigo|rumo|savo|splendo|tumo|valo|vapo|vigo"
)
# -ise → -ize stems (organise, recognise, criticise, ...): only stems whose -ise form is never a US word.
_ISE = (
    "apolog|author|capital|categor|central|character|civil|colon|critic|decentral|democrat|demilitar|destabil|"
    "econom|emphas|equal|familiar|fertil|final|formal|fraternal|global|harmon|hospital|immun|industrial|"
    "jeopard|legal|legitim|liberal|local|marginal|maxim|memor|militar|minim|mobil|modern|monopol|national|"
    "natural|neutral|normal|optim|organ|penal|polar|popular|privat|priorit|radical|rational|real|recogn|"
    "revolution|satir|scrutin|special|stabil|standard|steril|subsid|summar|symbol|sympath|synchron|termin|"
    "terror|theor|util|visual|weapon|western"
)
_ISE_END = r"is(?:e|es|ed|ing|er|ers|ation|ations|ational)"
_PATTERN = re.compile(
    r"\b(?:(?P<word>" + "|".join(re.escape(w) for w in sorted(_WORDS, key=len, reverse=True)) + r")"
    r"|(?P<our>(?:" + _OUR + r"))ur(?P<our_end>s|ed|ing|able|ite|ites|less|ful)?"
    r"|(?P<ise>(?:" + _ISE + r"))(?P<ise_end>" + _ISE_END + r"))\b"
)


def _replace(m: re.Match) -> str:
    if m.group("word"):
        return _WORDS[m.group("word")]
    if m.group("our"):
        return m.group("our") + "r" + (m.group("our_end") or "")
    return m.group("ise") + "iz" + m.group("ise_end")[2:]


def us_spelling(text: str) -> str:
    """``text`` lower-cased, with the British spellings of :data:`_WORDS`, ``-our`` and ``-ise`` words in US form."""
    return _PATTERN.sub(_replace, text.lower())
