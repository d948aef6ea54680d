from moderation.detector.windows import (MAX_WORDS, MIN_WORDS, is_english, make_windows,
                                                     split_sentences)


def test_sentence_split_handles_abbreviations_and_decimals():
    text = "Dr. Smith paid 3.5 dollars, e.g. for tea. Then he left! Did he? Yes."
    sents = [text[a:b] for a, b in split_sentences(text)]
    assert sents == ["Dr. Smith paid 3.5 dollars, e.g. for tea.", "Then he left!", "Did he?", "Yes."]


def test_windows_are_sentence_aligned_and_bounded():
    sentence = "This is a sentence with exactly ten words in it. "
    text = sentence * 60  # 600 words
    wins = make_windows(text)
    assert len(wins) >= 4
    for w in wins:
        assert MIN_WORDS <= w.n_words <= MAX_WORDS + MIN_WORDS
        assert text[w.start:w.end].endswith(".")
        assert w.start == 0 or text[w.start - 1] == " "


def test_short_text_gives_one_small_window():
    wins = make_windows("Just a few words here. Nothing more.")
    assert len(wins) == 1 and wins[0].n_words < MIN_WORDS


def test_english_check():
    assert is_english("This is plainly an English sentence, and it has the usual little words in it.")
    assert not is_english("Ceci est une phrase en français, avec des mots qui ne sont pas anglais du tout.")
    assert not is_english("Dies ist ein deutscher Satz, der nicht auf Englisch geschrieben wurde.")


def test_a_paragraph_break_ends_a_window_that_has_enough_words():
    """A pasted paragraph gets a window of its own instead of being diluted by its neighbours."""
    human = " ".join(f"My own sentence number {i} is here." for i in range(24))  # 168 words
    pasted = " ".join(f"The pasted sentence number {i} is here." for i in range(12))  # 84 words
    text = human + "\n\n" + pasted

    spans = make_windows(text)

    assert text[spans[-1].start:spans[-1].end] == pasted
    assert all("\n\n" not in text[s.start:s.end] for s in spans)


def test_a_short_paragraph_joins_the_next_one():
    intro = "Short intro line."
    body = " ".join(f"A longer sentence number {i} follows here." for i in range(30))
    text = intro + "\n\n" + body

    spans = make_windows(text)

    assert spans[0].start == 0 and all(s.n_words >= MIN_WORDS for s in spans)
