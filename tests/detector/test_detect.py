import statistics

import pytest

from moderation.detector import DetectorResult, detect
from moderation.detector.windows import MIN_WORDS

from .fixtures import AI_TEXTS, HUMAN_TEXTS


def test_result_shape_and_no_human_verdict():
    r = detect(AI_TEXTS[0], use_lm=False)
    assert isinstance(r, DetectorResult)
    assert r.status == "ok" and 0 <= r.probability <= 1
    assert r.verdict in ("flag", "no_evidence")
    n_scored = sum(w.status == "ok" for w in r.windows)
    assert r.flagged == (r.max_window_probability >= r.threshold or (
        n_scored >= 2 and r.post_threshold is not None and r.probability >= r.post_threshold))
    w = r.windows[0]
    assert w.stage == "cheap" and w.top_features and w.status == "ok"


def test_ordering_ai_above_human_without_lm():
    ai = [detect(t, use_lm=False).probability for t in AI_TEXTS]
    human = [detect(t, use_lm=False).probability for t in HUMAN_TEXTS]
    assert statistics.mean(ai) > statistics.mean(human)
    assert min(ai) > min(human) and max(ai) > max(human)
    assert not any(detect(t, use_lm=False).flagged for t in HUMAN_TEXTS)


def test_short_and_foreign_text_is_insufficient_evidence():
    r = detect("Thanks, that fixed it!", use_lm=False)
    assert r.status == "insufficient_evidence" and r.probability is None and not r.flagged
    assert r.reason == "too_short"
    fr = ("Je pense que la meilleure façon de préparer le café est d'utiliser une cafetière à piston, "
          "parce que le goût est plus riche et plus complet. Il faut moudre les grains assez gros, "
          "verser l'eau chaude, attendre quatre minutes et ensuite appuyer doucement sur le piston. "
          "C'est simple, rapide et pas cher, et on peut le faire tous les matins sans problème.")
    r = detect(fr, use_lm=False)
    assert r.status == "insufficient_evidence" and r.reason == "not_english"


def test_window_offsets_point_into_the_original_text():
    body = ("> quoted line from someone else that is not scored\n\n"
            + AI_TEXTS[1].replace("a few", "a\u00a0few").replace("grit,", "grit \u2014")
            + "\n\nSee https://example.org/x and `code()`.\n\n" + AI_TEXTS[2])
    r = detect(body, use_lm=False)
    assert r.status == "ok"
    kinds = {k for _, _, k in r.excluded}
    assert {"quote", "url", "code"} <= kinds
    for w in r.windows:
        seg = body[w.start:w.end]
        assert 0 <= w.start < w.end <= len(body)
        assert seg[0].isalnum() and seg.rstrip()[-1] in ".!?)"
    first = body[r.windows[0].start:r.windows[0].end]
    assert first.startswith("Before you replace")


def test_zero_width_and_homoglyph_tricks_do_not_change_the_score():
    text = AI_TEXTS[0]
    tricked = text.replace("e", "\u0435", 5).replace(" ", " \u200b", 12).replace("a", "\u0430", 4)
    a = detect(text, use_lm=False)
    b = detect(tricked, use_lm=False)
    assert a.probability == pytest.approx(b.probability)


def test_long_post_gets_several_windows():
    body = "\n\n".join(AI_TEXTS + HUMAN_TEXTS)
    r = detect(body, use_lm=False)
    assert len(r.windows) >= 3
    assert all(w.n_words >= MIN_WORDS for w in r.windows if w.status == "ok")
    assert r.max_window_probability == max(w.probability for w in r.windows if w.status == "ok")


def test_the_post_probability_averages_the_windows_evidence_but_one_flagged_window_flags_the_post():
    """A long human post with one AI-written paragraph: the average says "mostly human", the flag
    still goes up, on that paragraph's window."""
    from moderation.detector.api import post_probability

    assert post_probability([0.9]) == pytest.approx(0.9)
    assert post_probability([0.9, 0.1]) == pytest.approx(0.5)
    assert post_probability([0.99, 0.01, 0.01]) < 0.2  # log-odds (4.6 - 4.6 - 4.6) / 3
    human = " ".join(HUMAN_TEXTS)
    r = detect(human + "\n\n" + AI_TEXTS[0], use_lm=False)
    probs = [w.probability for w in r.windows if w.status == "ok"]
    assert len(probs) >= 3
    assert r.max_window_probability == max(probs)
    assert r.probability == pytest.approx(post_probability(probs), abs=1e-6)
    assert r.probability < r.max_window_probability
    assert any(w.flagged for w in r.windows) == (r.flagged_by == "window")
