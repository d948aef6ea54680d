"""Round 17: the cascade's LM probability floored at the band's lower edge (``Combiner.band_floor``), chosen
on the training split's out-of-fold 60-word ranking (``training.band_floor_choice``)."""
import pytest

from moderation.detector.api import STACKED, _lm_score
from moderation.detector.combiner import Combiner
from moderation.detector.train.training import band_floor_choice


def _lm_combiner(band_floor: bool) -> Combiner:
    """A stacked LM combiner that reads one LM statistic, with a weight large enough to go under the band."""
    return Combiner([STACKED, "lm_mean_logprob"], [0.0, 0.0], [1.0, 1.0], [0.0, 4.0], 0.0,
                    threshold=0.94, band=(0.15, 0.98), band_floor=band_floor)


def test_an_undecided_window_the_lm_finds_human_ranks_at_the_band_floor_not_below():
    floored, plain = _lm_combiner(True), _lm_combiner(False)
    p_plain, _ = _lm_score("w", None, 0.5, {}, plain, lambda t: [-2.0])
    p_floor, _ = _lm_score("w", None, 0.5, {}, floored, lambda t: [-2.0])
    assert p_plain < 0.15
    assert p_floor == pytest.approx(0.15)


def test_the_floor_changes_no_score_above_the_band_floor_so_no_verdict():
    floored, plain = _lm_combiner(True), _lm_combiner(False)
    for stat in (-0.3, 0.0, 0.5, 1.2):
        assert _lm_score("w", None, 0.5, {}, floored, lambda t: [stat])[0] == \
            _lm_score("w", None, 0.5, {}, plain, lambda t: [stat])[0]


def test_the_floor_travels_with_the_artifact_and_old_artifacts_read_without_it():
    c = _lm_combiner(True)
    assert Combiner.from_dict(c.to_dict()).band_floor is True
    d = c.to_dict()
    del d["band_floor"]
    assert Combiner.from_dict(d).band_floor is False


def _choice(ai_lm, human_cheap, human_lm=0.5):
    """Two 60-word AI openings the cheap stage could not settle, and two human ones it settled below the band."""
    lm = {"a1": ai_lm, "a2": 0.9, "h1": human_lm, "h2": human_lm}
    cheap = {"a1": 0.5, "a2": 0.6, "h1": human_cheap, "h2": 0.01}
    labels = {"a1": 1, "a2": 1, "h1": 0, "h2": 0}
    kinds = dict.fromkeys(lm, "prefix60")
    return band_floor_choice(lm, cheap, labels, kinds, (0.15, 0.98))


def test_the_floor_is_chosen_when_it_ranks_the_openings_better_out_of_fold():
    """An AI opening the LM scores 0.05 ranked under a settled human one at 0.1: the floor puts it above."""
    res = _choice(ai_lm=0.05, human_cheap=0.10)
    assert res["prefix60"]["auroc"] == pytest.approx(0.75)
    assert res["prefix60"]["auroc_floored"] == pytest.approx(1.0)
    assert res["chosen"] is True


def test_the_floor_is_not_chosen_when_it_does_not_help():
    res = _choice(ai_lm=0.3, human_cheap=0.10)
    assert res["prefix60"]["auroc"] == res["prefix60"]["auroc_floored"] == pytest.approx(1.0)
    assert res["chosen"] is False
