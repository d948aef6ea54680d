import math

import pytest

from moderation.detector import features as F
from moderation.detector.normalize import normalize
from moderation.classifiers.stylometric import FEATURE_DOCS, stylometric_features


def feats(text):
    return dict(zip(F.FEATURE_NAMES, F.extract(text)))


def test_every_feature_is_documented_and_finite():
    assert F.FEATURE_NAMES == list(FEATURE_DOCS)
    v = F.extract("A short text. With two sentences!")
    assert len(v) == len(F.FEATURE_NAMES)
    assert all(math.isfinite(x) for x in v)
    assert all(math.isfinite(x) for x in F.extract(""))


def test_rates():
    f = feats("I don't know. I can't say. You're right, it's fine.")
    assert f["contraction_rate"] == pytest.approx(4 / 10)
    assert f["first_sing_rate"] == pytest.approx(2 / 10)
    assert f["question_rate"] == 0
    f = feats("Is it? Really? yes.")
    assert f["question_rate"] == pytest.approx(2 / 3)
    assert f["lower_start_rate"] == pytest.approx(1 / 3)


def test_ai_lexicon_and_phrases():
    f = feats("It's worth noting that this is a crucial, nuanced landscape. That said, we must delve deeper.")
    assert f["ai_lex_rate"] > 0.2
    assert f["ai_phrase_rate"] >= 1.0
    g = feats("My dog ate my sandwich today and I was mad about it for an hour or so.")
    assert g["ai_lex_rate"] == 0 and g["ai_phrase_rate"] == 0


def test_sentence_length_burstiness():
    even = feats("One two three four five. One two three four five. One two three four five.")
    bursty = feats("One. One two three four five six seven eight nine ten eleven twelve. Two words.")
    assert even["sent_len_cv"] == pytest.approx(0)
    assert bursty["sent_len_cv"] > 0.5


def test_function_words():
    f = feats("the cat and the dog of the house")
    assert f["fw_the"] == pytest.approx(3 / 8)
    assert f["fw_of"] == pytest.approx(1 / 8)


def test_features_ignore_editor_typography():
    curly = "It\u2019s a \u201cgood\u201d idea \u2014 maybe\u2026 Or not; who knows."
    straight = "It's a \"good\" idea - maybe... Or not; who knows."
    assert stylometric_features(curly) == stylometric_features(straight)


def test_features_ignore_invisible_tricks():
    clean = "This is a perfectly ordinary sentence about gardening and tomatoes."
    tricked = "Th\u0456s \u200bis a p\u0435rfectly ordin\u0430ry sent\u200cence about gardening and tom\u0430toes."
    assert stylometric_features(clean) == stylometric_features(tricked)
    assert normalize(tricked).text == clean
