"""Round 17's test of a floor under the cascade's LM probability at the band's lower edge, read on the training
split's out-of-fold 60-word ranking (``training.band_floor_choice``; a training report, not a runtime option)."""
import pytest

from moderation.detector.train.training import band_floor_choice


def _choice(ai_lm, human_cheap, human_lm=0.5):
    """Two 60-word AI openings the cheap stage could not settle, and two human ones it settled below the band."""
    lm = {"a1": ai_lm, "a2": 0.9, "h1": human_lm, "h2": human_lm}
    cheap = {"a1": 0.5, "a2": 0.6, "h1": human_cheap, "h2": 0.01}
    labels = {"a1": 1, "a2": 1, "h1": 0, "h2": 0}
    kinds = dict.fromkeys(lm, "prefix60")
    return band_floor_choice(lm, cheap, labels, kinds, (0.15, 0.98))


def test_the_report_says_the_floor_helps_when_it_ranks_the_openings_better_out_of_fold():
    """An AI opening the LM scores 0.05 ranked under a settled human one at 0.1: the floor puts it above."""
    res = _choice(ai_lm=0.05, human_cheap=0.10)
    assert res["prefix60"]["auroc"] == pytest.approx(0.75)
    assert res["prefix60"]["auroc_floored"] == pytest.approx(1.0)
    assert res["chosen"] is True


def test_the_report_says_it_does_not_when_it_does_not():
    res = _choice(ai_lm=0.3, human_cheap=0.10)
    assert res["prefix60"]["auroc"] == res["prefix60"]["auroc_floored"] == pytest.approx(1.0)
    assert res["chosen"] is False
