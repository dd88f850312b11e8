from newsdesk.text import count_words, split_sentences, truncate_words


def test_abbreviations_titles_and_decimals_do_not_split():
    text = "Mr. Smith met Dr. Jones at 3.5 p.m. on Jan. 5. Then he left!"
    assert split_sentences(text) == ["Mr. Smith met Dr. Jones at 3.5 p.m. on Jan. 5.", "Then he left!"]


def test_acronym_continuing_a_name_vs_ending_a_sentence():
    assert split_sentences("The U.S. Army said so. It was late.") == ["The U.S. Army said so.", "It was late."]
    assert split_sentences("He lives in the U.S. The weather is fine.") == [
        "He lives in the U.S.",
        "The weather is fine.",
    ]


def test_initials_and_quotes():
    assert split_sentences("J. K. Rowling wrote it. It sold 1.5 million copies.") == [
        "J. K. Rowling wrote it.",
        "It sold 1.5 million copies.",
    ]
    assert split_sentences('"Why?" he asked. "Because," she said. Done.') == [
        '"Why?" he asked.',
        '"Because," she said.',
        "Done.",
    ]
    assert split_sentences("He said: 'It is over.' Then he left.") == ["He said: 'It is over.'", "Then he left."]


def test_no_as_a_word_and_as_number_abbreviation():
    assert split_sentences("The answer is no. Then No. 10 won.") == ["The answer is no.", "Then No. 10 won."]


def test_line_breaks_end_sentences_and_lowercase_continuations_do_not():
    assert split_sentences("Headline here\nFirst one. Second one.\n\nThird.") == [
        "Headline here",
        "First one.",
        "Second one.",
        "Third.",
    ]
    assert split_sentences("It cost $3. that is cheap.") == ["It cost $3. that is cheap."]
    assert split_sentences("") == []


def test_count_and_truncate_words():
    assert count_words("Hello, world -- it is 3.5 %.") == 5
    assert count_words("") == 0
    assert truncate_words("one two, three four", 2) == "one two,"
    assert truncate_words("one two", 5) == "one two"
