from newsdesk.models.summaries.facts import FactIndex, unsupported_facts

SOURCE = (
    "Chef Bobby Flay, 50, has filed for divorce from Stephanie March after 10 years of marriage. "
    "The couple separated three weeks ago in New York. The United Nations said 1.5 million people were affected "
    "and the U.S. government pledged $2 million on Friday."
)


def test_supported_summary_has_no_unsupported_facts():
    summary = (
        "Bobby Flay, 50, filed for divorce from March after ten years. They split 3 weeks ago. "
        "The UN said 1,500,000 people were affected; the US pledged 2 million dollars on Friday."
    )
    assert unsupported_facts(summary, SOURCE) == []


def test_fabricated_number_is_caught():
    assert unsupported_facts("The 10-year-old actress Stephanie March filed for divorce.", SOURCE) == []
    assert unsupported_facts("Flay, 45, filed for divorce.", SOURCE) == ["45"]
    assert unsupported_facts("They separated four weeks ago.", SOURCE) == ["four"]


def test_fabricated_names_and_dates_are_caught():
    found = unsupported_facts("Flay met Justin Bieber in Los Angeles on Monday.", SOURCE)
    assert found == ["Justin Bieber", "Los Angeles", "Monday"]
    # A surname alone is supported when the source has it; a different first name is not.
    assert unsupported_facts("Later, Flay said so.", SOURCE) == []
    assert unsupported_facts("Later, Tobias Flay said so.", SOURCE) == ["Tobias Flay"]


def test_inflections_possessives_and_acronyms_are_supported():
    src = "Venezuela's president spoke. The Federal Bureau of Investigation said Obama agreed."
    assert unsupported_facts("The Venezuelan leader and the FBI cited Obama's view.", src) == []
    # and the other way round: an acronym of the source spelt out
    src = "U.S. forces and the UN met. He told us the EU agreed."
    assert unsupported_facts("The United States and the United Nations met.", src) == []
    assert unsupported_facts("The European Union agreed.", src) == []
    assert unsupported_facts("The United Kingdom agreed.", src) == ["United Kingdom"]
    assert unsupported_facts("The United States agreed.", "He told us it was over.") == ["United States"]


def test_sentence_openers_are_not_names():
    assert unsupported_facts("The couple split. He said it was over. Experts agree.", SOURCE) == []


def test_fact_index_reused():
    index = FactIndex(SOURCE)
    assert unsupported_facts("Flay paid $3 million.", index) == ["$3 million"]
    assert unsupported_facts("Flay paid $2 million.", index) == []


def test_sentences_glued_in_the_source_do_not_hide_its_words():
    article = "The club will meet relatives at 11:00 BST.Ninety-six fans died in the crush in the UK.The report is due."
    assert unsupported_facts("The club will meet relatives at 11:00 BST.", article) == []
    assert unsupported_facts("Fans died in the UK.", article) == []
