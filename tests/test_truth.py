"""The truth check (faithcheck) and the deletion-only compressive summariser (issue #16)."""

import json
import re

import pytest

from newsdesk.models.summaries import faithcheck
from newsdesk.models.summaries.compressive import CompressiveSummarizer, compress, lead_sentences
from newsdesk.models.summaries.summarizer import Summarizer
from newsdesk.text import count_words

ARTICLE = (
    "Police arrested John Smith after he attacked a neighbour in Leeds on Friday. "
    "Smith, 42, was not charged with assault, officers said. "
    "The neighbour, a retired teacher, was treated in hospital for minor injuries. "
    "Officers said the investigation may take several weeks, according to a statement."
)


def kinds(summary: str) -> set[str]:
    return {f.kind for f in faithcheck.check(summary, ARTICLE)}


# ---------------------------------------------------------------------------------------------- the check


def test_a_role_swap_is_flagged():
    summary = "A neighbour attacked John Smith in Leeds."
    assert "order" in kinds(summary)
    assert faithcheck.flagged(summary, ARTICLE)


def test_a_dropped_or_added_negation_is_flagged():
    assert "polarity" in kinds("Smith was charged with assault.")
    assert "polarity" in kinds("Police did not arrest John Smith after he attacked a neighbour.")
    assert faithcheck.flagged("John Smith was charged with assault.", ARTICLE)  # spliced from two sentences


def test_an_invented_adjective_is_flagged():
    summary = "The neighbour, a violent teacher, was treated in hospital."
    flags = faithcheck.check(summary, ARTICLE)
    assert [(f.kind, f.span) for f in flags if f.kind == "word"] == [("word", "violent")]
    assert faithcheck.flagged(summary, ARTICLE)


def test_an_unsupported_name_or_number_is_flagged():
    assert "name/number" in kinds("Smith, 43, was not charged with assault.")


def test_a_copied_sentence_and_a_deletion_only_compression_are_not_flagged():
    assert (
        faithcheck.check("Officers said the investigation may take several weeks, according to a statement.", ARTICLE)
        == []
    )
    assert not faithcheck.flagged("Smith was not charged with assault, officers said.", ARTICLE)
    summary = CompressiveSummarizer().summarize_one(ARTICLE)
    assert summary and not faithcheck.flagged(summary, ARTICLE), faithcheck.check(summary, ARTICLE)


def test_a_deletion_that_drops_a_hedge_is_flagged():
    assert "polarity" in kinds("Officers said the investigation will take several weeks.") | kinds(
        "Officers said the investigation take several weeks."
    )


def test_the_measured_rates_are_stored_with_their_provenance():
    assert faithcheck.CATCH_RATE == 37 / 41
    assert faithcheck.FALSE_ALARM_RATE == 16 / 34
    assert "judged_dev" in faithcheck.MEASURED_ON and "report half" in faithcheck.MEASURED_ON


# ---------------------------------------------------------------------------------------------- compressive

STORIES = [
    ARTICLE,
    "The minister, who did not attend the meeting, said on Monday that the plan may fail. "
    "Critics (including two former judges) said the law was rushed through parliament last week. "
    "The bill - which could cost millions - will be debated again in the spring by the full chamber.",
    "Sasha was spotted listening to earbuds as she and her parents went to Great Falls Park in Virginia on Sunday. "
    "'Where we going? Destination unknown,' tweeted Wall Street Journal reporter Byron Tau. "
    "The family spent about two hours walking the trails, a White House official said on Monday.",
]
_WORDS = re.compile(r"\w+")


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(w in it for w in short)


@pytest.mark.parametrize("text", STORIES)
def test_the_compressive_summariser_only_deletes(text):
    summary = CompressiveSummarizer().summarize_one(text)
    assert summary
    assert _is_subsequence(_WORDS.findall(summary.lower()), _WORDS.findall(text.lower())), summary


def test_compression_deletes_asides_but_never_a_negation_or_hedge():
    assert compress("The neighbour, who lives nearby, was treated in hospital for minor injuries.") == (
        "The neighbour was treated in hospital for minor injuries."
    )
    kept = compress("The neighbour, who did not see the attack, was treated in hospital for minor injuries.")
    assert "who did not see the attack" in kept
    assert "(allegedly)" in compress("The man (allegedly) stole a car from the garage in the town centre.")
    assert "(pictured)" not in compress("The man (pictured) stole a car from the garage in the town centre.")
    for sentence in STORIES[1].split(". "):
        out = compress(sentence).lower()
        for word in ("not", "may", "could"):
            assert (f" {word} " in out) == (f" {word} " in sentence.lower()), (sentence, out)


def test_a_time_phrase_inside_a_name_is_kept():
    assert compress("The memo was seen by The Mail on Sunday and passed to ministers.").endswith(
        "by The Mail on Sunday and passed to ministers."
    )
    assert compress("The minister resigned on Sunday after the vote in parliament.") == (
        "The minister resigned after the vote in parliament."
    )


def test_a_quotation_is_not_split_at_its_inner_full_stop():
    sentences = lead_sentences(STORIES[2])
    assert not any(s.startswith("Destination unknown") for s in sentences)
    assert any(s.startswith("'Where we going? Destination unknown,' tweeted") for s in sentences)


@pytest.mark.parametrize("max_words", [3, 8, 15, 30, 75])
def test_the_compressive_summariser_respects_max_words(max_words):
    for text in STORIES:
        summary = CompressiveSummarizer().summarize_one(text, max_words)
        assert 0 < count_words(summary) <= max_words, summary


def test_compressive_through_summarizer_and_save(tmp_path):
    s = Summarizer("compressive")
    (r,) = s.summarize([ARTICLE], return_details=True)
    assert r.model == "compressive" and r.strategy == "compressive"
    assert r.summary == CompressiveSummarizer().summarize_one(ARTICLE)
    assert count_words(s.summarize(ARTICLE, max_words=10)) <= 10
    folder = s.save(tmp_path / "compressive")
    assert json.loads((folder / "newsdesk-summarizer.json").read_text())["baseline"] == "compressive"
    assert Summarizer(str(folder)).summarize(ARTICLE) == r.summary


# ---------------------------------------------------------------------------------------------- evaluation


def test_the_evaluation_reports_the_truth_check_flag_rate(tmp_path):
    from newsdesk.evaluation.summaries import evaluate_summaries

    rows = [
        {"id": "a", "text": ARTICLE, "summary": "John Smith was arrested in Leeds."},
        {"id": "b", "text": STORIES[1], "summary": "A minister said the plan may fail."},
    ]
    preds = [
        {"id": "a", "summary": "A neighbour attacked John Smith in Leeds."},  # flagged (order)
        {"id": "b", "summary": "Critics said the law was rushed through parliament last week."},  # a deletion
    ]
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in preds))
    res = evaluate_summaries(rows, ["compressive"], predictions=[path], baselines=["lead3"], n_boot=20)
    d = res.to_dict()
    by_name = {s["name"]: s for s in d["systems"]}
    assert by_name["preds"]["metrics"]["truth_flagged"] == 0.5
    assert by_name["preds"]["per_article"][0]["truth_flags"] and not by_name["preds"]["per_article"][1]["truth_flags"]
    assert by_name["compressive"]["metrics"]["truth_flagged"] == 0.0
    assert d["truth_check"]["catch_rate"] == faithcheck.CATCH_RATE
    titles = [m["title"] for m in d["metrics"]]
    assert (
        "flagged by the truth check" in titles and "unsupported names/numbers" in titles and "unsupported" not in titles
    )
    table = res.table()
    assert "flagged by the truth check" in table and "50.0 %" in table and "90.2 %" in table and "47.1 %" in table
    res.write_report(tmp_path / "rep")
    md = (tmp_path / "rep" / "report.md").read_text(encoding="utf-8")
    html = (tmp_path / "rep" / "report.html").read_text(encoding="utf-8")
    saved = json.loads((tmp_path / "rep" / "results.json").read_text(encoding="utf-8"))
    for page in (md, html):
        assert "flagged by the truth check" in page and "90.2 %" in page and "47.1 %" in page
    assert "order: A neighbour attacked John Smith" in html
    assert (
        saved["systems"][1]["metrics"]["truth_flagged"] == 0.0 and saved["truth_check"]["false_alarm_rate"] == 16 / 34
    )


# ------------------------------------------------------------- compressive: fluency (#16, judged on the tune half)


def test_a_deleted_adjective_never_leaves_a_wrong_article():
    assert "a furious attack" in compress("David Cameron launched a furious attack on Labour MPs over poverty.")
    assert "a very impressive showing" in compress("Making a very impressive showing are the Texas Rangers.")
    assert compress("He was a very good man and a really useful player for the team.") == (
        "He was a good man and a useful player for the team."
    )


def test_a_clause_is_cut_only_where_a_verb_follows_it():
    for sentence in (
        "Ian Guffick asked pupils to change the tests for 11-year-olds, which assess English, maths and science.",
        "He has signed a deal with the Millers, who reached a settlement with Hibs over his assistant, John Doolan.",
    ):
        assert compress(sentence) == sentence
    assert compress("Gill, who had been having chemotherapy, said he did not feel cheated.") == (
        "Gill said he did not feel cheated."
    )


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Bidders had until 23 January to register an interest in the ships.", None),
        ("HebCelt is taking place in Stornoway on the Isle of Lewis from 19 to 22 July.", None),
        ("Mr Odah boarded a Kuwaiti government plane on Wednesday morning US time.", None),
        ("The film will be released in US cinemas on 17 March 2017.", "The film will be released in US cinemas."),
    ],
)
def test_a_time_phrase_that_the_sentence_needs_is_kept_and_a_date_goes_with_its_year(sentence, expected):
    assert compress(sentence) == (expected or sentence)


def test_a_descriptor_after_and_is_kept_and_an_age_keeps_its_appositive_comma():
    assert "Arsenal and Germany forward Lukas Podolski" in compress(
        "Arsenal and Germany forward Lukas Podolski wrote on Twitter about the decision."
    )
    assert compress("Copeland, 31, and his wife, Katrine Saltare, 28, were talking in the street.") == (
        "Copeland and his wife, Katrine Saltare, were talking in the street."
    )
    assert compress("Ian Guffick changed the the answers of the pupils in the exam.") == (
        "Ian Guffick changed the answers of the pupils in the exam."
    )


def test_page_furniture_datelines_and_mojibake_are_cleaned():
    from newsdesk.models.summaries.compressive import clean_article

    assert clean_article("Washington (CNN)This week is the 100th anniversary.") == "This week is the 100th anniversary."
    assert clean_article("Media playback is not supported on this deviceMuir told BBC Scotland.") == (
        "Muir told BBC Scotland."
    )
    assert clean_article("A licence can cost Â£1,000 in Southampton.") == "A licence can cost £1,000 in Southampton."
    assert clean_article("They were arrested on their return to the UK.The teenagers were bailed.") == (
        "They were arrested on their return to the UK. The teenagers were bailed."
    )


CAPTIONED = (
    "David Cameron hit back at growing criticism over his election campaign on Friday. "
    "The Prime Minister faced the first serious criticism of the campaign so far from Tory donors. "
    "Sleepy kid: Brock Guzman, 8, was last seen inside his parents silver 2001 Toyota Corolla. "
    "David Cameron hit back at criticism over his campaign He told supporters in Somerset that the economy came first. "
    "If you want more showbiz in this election. "
    "Mr Cameron insisted the economy excites millions of people across the country."
)


def test_photo_captions_and_stray_fragments_are_not_summary_sentences():
    sentences = lead_sentences(CAPTIONED)
    assert "He told supporters in Somerset that the economy came first." in sentences
    assert not any("Sleepy kid" in s or "campaign He told" in s or s.startswith("If you want") for s in sentences)


def test_a_sentence_that_points_back_at_a_skipped_one_is_not_taken():
    text = (
        "The Scottish government said its budget for schools and hospitals would be cut this year. "
        "It argues that cuts imposed by the UK government since 2010 mean that its discretionary budget will be "
        "12.5% lower in real terms by 2019-20 than it was in 2010-11 and more cuts are to come for the rest of it. "
        "Mr Swinney said 4.2% of that reduction would come between now and 2019-20. "
        "Ministers will present the spending plans to parliament in the new year."
    )
    summary = CompressiveSummarizer(max_words=30).summarize_one(text)
    assert summary.startswith("The Scottish government said") and "that reduction" not in summary
    assert "4.2% of that reduction" in CompressiveSummarizer(max_words=90).summarize_one(text)  # taken in order


def test_the_middle_of_a_quotation_is_not_taken_without_its_speaker():
    text = (
        "Laura Muir will miss the Commonwealth Games because of her veterinary exams next spring. "
        '"My exams are in April, so it is not going to work out," said the middle distance runner. '
        "I have got a week off and then it is back to my studies for the final year. "
        "The 24-year-old finished fourth in the 1500m at the World Championships in London."
    )
    summary = CompressiveSummarizer().summarize_one(text)
    assert "I have got a week off" not in summary and "The 24-year-old finished fourth" in summary
    assert CompressiveSummarizer().summarize_one("I have got a week off and then it is back to my studies.")


LEGAL = (
    "The president has signed a secret directive ordering the armed forces to strike certain drug cartels abroad "
    "for the first time, according to officials who spoke to reporters. "
    "The order is the most aggressive step yet in the campaign. "
    "It signals a continued willingness to use soldiers for what has long been seen as police work, to curb the "
    "flow of fentanyl and other illegal drugs that officials blame for tens of thousands of deaths in the cities "
    "of the country every single year. "
    "Military officials have started drawing up options for how the forces could go after the groups at sea and "
    "on foreign soil, the people familiar with the conversations said, speaking on the condition of anonymity "
    "to discuss the sensitive internal deliberations. "
    "But the order raises legal issues, including whether killing suspects who pose no imminent threat abroad "
    "would count as murder under the law of the country if the forces acted outside of an armed conflict that "
    "the parliament had authorised. "
    "The ministry declined to comment."
)


def test_the_story_s_objection_is_added_when_it_fits_shortened_if_need_be():
    summary = CompressiveSummarizer().summarize_one(LEGAL)
    assert summary.endswith("But the order raises legal issues.")  # its list of examples cut to fit 75 words
    assert CompressiveSummarizer(max_sentences=5).summarize_one(LEGAL, max_words=200).endswith("had authorised.")
    assert "legal" not in CompressiveSummarizer().summarize_one(LEGAL, max_words=30)  # never past max_words
    quoted = LEGAL.replace("But the order raises", '"But the order raises').replace("country.", 'country."', 1)
    assert "legal" not in CompressiveSummarizer().summarize_one(quoted)  # a quotation without its speaker


def test_a_summary_neither_opens_with_an_unnamed_person_nor_ends_in_a_speakerless_quotation():
    article = (
        "He was speaking in a radio interview on the eve of the vote in the capital. "
        "The council approved the new bridge across the river by nine votes to four on Tuesday evening. "
        "Work on the crossing is expected to start next spring and to take two years to finish. "
        '"We are delighted and we cannot wait to see the first cars on it. It has been a long time coming." '
        "Traffic on the old bridge has doubled in ten years."
    )
    summary = CompressiveSummarizer().summarize_one(article)
    assert summary.startswith("The council approved") and "We are delighted" not in summary
    assert summary.endswith("two years to finish.")
    named = article.replace("He was speaking", "The mayor was speaking")
    assert CompressiveSummarizer().summarize_one(named).startswith("The mayor was speaking")


def test_a_he_or_she_after_skipped_sentences_that_name_someone_else_is_not_taken():
    article = (
        "The painter Tom Reed won the village art prize for a small portrait of his mother on Friday. "
        "Reed said finally winning the prize after four tries was very nice indeed. "
        "The portrait hangs beside a window in the old church, which the vicar Peter Lowe said was cut so that the "
        "sick could follow the service from outside without spreading disease among the rest of the congregation. "
        "He said the painting was one of a series he had been working on for years."
    )
    summary = CompressiveSummarizer(max_words=50).summarize_one(article)
    assert summary.startswith("The painter Tom Reed") and "He said the painting" not in summary  # Lowe or Reed?
    unnamed = article.replace("the vicar Peter Lowe said was", "was")
    assert "He said the painting" in CompressiveSummarizer(max_words=50).summarize_one(unnamed)


def test_a_sentence_leaning_on_a_skipped_one_is_not_taken_nor_one_that_opens_on_things_named_before():
    article = (
        "The country was declared free of the virus that killed almost 4,000 people over the past 18 months. "
        "The rebels who kidnapped him at the age of fifteen threatened to cut off the legs or arms of anyone who "
        "tried to flee the camp in the jungle, and he saw this happen to other boys who had been taken with him. "
        "Sometimes they would even make the prisoners eat the meat of their own animals. "
        "Therefore, the camp became known across the region as the worst place to be held."
    )
    assert CompressiveSummarizer(max_words=40).summarize_one(article) == (
        "The country was declared free of the virus that killed almost 4,000 people over the past 18 months."
    )
    opening = (
        "Investing Solutions received those benefit payments over the past two years by housing homeless men. "
        "The charity, Fresh Start Housing, finds clients for the company from London homeless charities."
    )
    assert CompressiveSummarizer().summarize_one(opening).startswith("The charity, Fresh Start Housing")
    assert CompressiveSummarizer().summarize_one(LEGAL).startswith("The president has signed")  # "It" later


def test_a_capitalised_we_opens_a_speakerless_quotation_but_a_title_s_our_is_no_speech():
    from newsdesk.models.summaries.compressive import speakerless_quotation, unquoted_speech

    assert speakerless_quotation('"We are back after a little break of a few months, but it has had no big impact.')
    assert not unquoted_speech("The night's big winner at the awards was The Fault in Our Stars.")
    assert unquoted_speech("My progress has been slow but the most important thing is that I didn't give up.")


def test_a_sentence_with_a_typing_error_is_passed_over_and_a_pair_typed_twice_is_deleted():
    article = (
        "A man has admitted wounding another man with a metal hook after an argument over a building job. "
        "Stephen Docherty pleaded guilty to wounding with intent when he appeared at in the district court. "
        "Police said Mr Docherty had hired the victim to lay a concrete floor at his property in the town."
    )
    summary = CompressiveSummarizer().summarize_one(article)
    assert "at in" not in summary and summary.endswith("at his property in the town.")
    assert compress("Fans will be able to mingle in the in the styling suite with the stars.") == (
        "Fans will be able to mingle in the styling suite with the stars."
    )


def test_captions_ending_in_a_quotation_pull_quotes_and_sentences_cut_at_a_title_are_not_summary_sentences():
    text = (
        "The police division said a man lodged a complaint that the weather on his holiday was 'too hot' The "
        "incident was shared by the press office on its Facebook page with a warning not to waste police time. "
        "The football association chief spoke after the ruling was overturned by the court in the summer. "
        'We are ready for a future full of good things for both Africa and Morocco"We are ready for a future full '
        'of good things for both Africa and Morocco," said the football association chief Fouzi Lekjaa. '
        "In 2006, after the ambassador was asked to resign for using the word, then-Sen. Barack Obama wrote to "
        "the secretary of state about the case."
    )
    assert lead_sentences(text) == [
        "The incident was shared by the press office on its Facebook page with a warning not to waste police time.",
        "The football association chief spoke after the ruling was overturned by the court in the summer.",
        '"We are ready for a future full of good things for both Africa and Morocco," said the football association '
        "chief Fouzi Lekjaa.",
        "Barack Obama wrote to the secretary of state about the case.",
    ]


def test_so_far_keeps_its_so_and_a_time_that_completes_took_place_is_kept():
    assert compress("So far, people from 61 countries have signed the letter to the government.").startswith("So far")
    assert compress("So the council said the bridge would open after years of delay.").startswith("The council")
    assert compress("The ceremony, which took place on Saturday, was attended by the whole village.") == (
        "The ceremony was attended by the whole village."
    )
    assert "took place on Saturday" in compress("The ceremony took place on Saturday in front of the whole village.")


def test_a_quotation_cut_at_the_summary_s_end_is_closed_and_nothing_else_is_touched():
    from newsdesk.models.summaries.compressive import close_quotation, close_quotations

    assert close_quotation('The mayor added: "This bridge is the oldest in the county.') == (
        'The mayor added: "This bridge is the oldest in the county."'
    )
    assert close_quotation("He said: 'It's no secret that I am now one of the wealthy.") == (
        "He said: 'It's no secret that I am now one of the wealthy.'"
    )
    assert close_quotation('The coach wrote: " Respect to the team! That was a brave decision.').endswith('decision."')
    for untouched in (
        'He said it was "simply ignored" in the league.',  # closed already
        "The Jones' car was found in the river.",  # an apostrophe, not a quotation
        "In the '90s he lived in a mansion.",
        '"We are back," the captain said.',
        'She said: "We hope, for the town. "Last year, the inquest found the fans were killed.',  # marks do not pair
        'He said: "We will see',  # no full stop: not the end of a sentence
    ):
        assert close_quotation(untouched) == untouched
    # Mid-summary the quotation may go on into the next sentence (BBC style): only the last sentence is closed, and
    # not when the one before leaves a quotation open (its closing mark may open the last one).
    goes_on = ['The director said: "But that music is often dark.', "Those qualities were there in the man."]
    assert close_quotations(goes_on) == goes_on
    set_apart = ['She said: "We hope, for the town.', '"Last year, the inquest found the fans were killed.']
    assert close_quotations(set_apart) == set_apart
    assert close_quotations(["The bridge opened in 1850.", 'The mayor said: "It is the oldest.']) == [
        "The bridge opened in 1850.",
        'The mayor said: "It is the oldest."',
    ]


def test_the_summariser_closes_the_quotation_it_ends_on():
    text = (
        "The council approved the new bridge over the river after a vote on Tuesday night. "
        "The mayor, who has campaigned for the crossing for ten years, spoke to reporters after the meeting. "
        'She said: "This bridge will change the town for the better. '
        '"It will bring trade and visitors back to the high street, and the shops will open again. '
        'We have waited a long time for this day and the people of the town deserve it."'
    )
    summary = CompressiveSummarizer(max_sentences=3).summarize_one(text)
    assert summary.endswith('She said: "This bridge will change the town for the better."')
