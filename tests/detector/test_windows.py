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


def test_training_and_evaluation_use_the_windows_the_detector_scores():
    """A post's windows in training and evaluation are detect()'s: a paragraph in another language inside an
    English post is left out everywhere, and a post that is not English as a whole is never scored."""
    from moderation.detector.api import detect
    from moderation.detector.train.data import Doc
    from moderation.detector.train.evaluation import score_docs
    from moderation.detector.train.training import build_examples

    english = " ".join(f"I think sentence number {i} of this post is about the thing we were discussing."
                       for i in range(8))
    french = " ".join(f"Voici la phrase numéro {i} du paragraphe cité, écrite dans une autre langue."
                      for i in range(8))
    terse = ("Log events, not noise. Include request IDs. Use structured logs, JSON if possible. Log at "
             "boundaries: incoming requests, outgoing calls, errors. Never log secrets or personal data. Set "
             "levels deliberately. Debug off in production. Alert on error rates, not individual errors. Make "
             "sure someone actually reads alerts. Rotate files daily. Keep thirty days. Ship logs off host. "
             "Sample debug traces.")
    mixed = f"{english}\n\n{french}\n\n{english}"
    docs = [Doc(mixed, 0, "se:test", "se:test", "test"), Doc(terse, 1, "own:terse", "own:terse", "test")]

    result, examples, (scored_mixed, scored_terse) = (detect(mixed, use_lm=False), build_examples(docs),
                                                      score_docs(docs, progress=False))

    assert sum(w.status == "ok" for w in result.windows) == 2 < len(result.windows)
    assert [e.kind for e in examples if e.doc == 0].count("window") == 2 == scored_mixed.n_windows
    assert all("Voici" not in e.text for e in examples)
    assert detect(terse, use_lm=False).reason == "not_english"
    assert not [e for e in examples if e.doc == 1] and scored_terse.prob is None and scored_terse.prob60 is None
