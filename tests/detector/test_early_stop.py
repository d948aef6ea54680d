"""The cascade's language model stops once no later window can change a decision (``api._lm_stage``)."""
import pytest

from moderation.detector.api import Window, _lm_stage


class _Cheap:
    """The cheap stage of a window is given: its text is ``"<cheap>:<lm>"``."""

    def extend(self, x, wtext):
        return x

    def score(self, x, k):
        return x[0], {}


class _LMCombiner:
    feature_names = ["lm_only"]
    band = (0.5, 0.99)

    def score(self, x, k):
        return x[-1], {"lm": 1.0}


class _LM:
    def __init__(self):
        self.calls = []

    def features(self, wtext):
        self.calls.append(wtext)
        return [float(wtext.split(":")[1])]


def _run(windows_spec, *, threshold=0.95, stop_at=None):
    """``windows_spec``: (cheap probability, what the LM would say) per window, all undecided."""
    windows, pending = [], []
    for cheap_p, lm_p in windows_spec:
        windows.append(Window(start=0, end=1, n_words=60, probability=cheap_p, flagged=cheap_p >= threshold,
                              cheap_probability=cheap_p))
        pending.append((len(windows) - 1, f"{cheap_p}:{lm_p}", [cheap_p], cheap_p))
    lm = _LM()
    _lm_stage(windows, pending, _Cheap(), _LMCombiner(), lm, threshold, max(threshold, stop_at or 0.0))
    return windows, lm


def test_the_lm_stops_at_the_first_window_over_the_threshold_by_default():
    windows, lm = _run([(0.90, 0.96), (0.80, 0.995), (0.70, 0.10)])
    assert [w.lm_skipped for w in windows] == [False, True, True]
    assert len(lm.calls) == 1 and windows[0].flagged
    assert windows[1].probability == 0.80  # the cheap stage's, not the LM's


def test_a_higher_evidence_bar_keeps_the_lm_going_until_a_window_reaches_it():
    """A forum threshold of 0.97 or a rule that needs 0.99 reads window 2's LM score: it must exist."""
    windows, lm = _run([(0.90, 0.96), (0.80, 0.995), (0.70, 0.10)], stop_at=0.99)
    assert [w.lm_skipped for w in windows] == [False, False, True]
    assert windows[1].probability == pytest.approx(0.995) and windows[1].stage == "lm"
    assert len(lm.calls) == 2


def test_an_unflagged_post_has_every_undecided_window_checked():
    windows, lm = _run([(0.90, 0.40), (0.80, 0.30), (0.70, 0.10)], stop_at=0.99)
    assert not any(w.lm_skipped for w in windows) and len(lm.calls) == 3
    assert not any(w.flagged for w in windows)


def test_a_bar_below_the_threshold_means_the_threshold():
    windows, _ = _run([(0.90, 0.93), (0.80, 0.96)], threshold=0.95, stop_at=0.5)
    assert not windows[1].lm_skipped and windows[1].flagged  # 0.93 was not enough to stop


def test_the_shipped_cascade_threshold_is_at_or_above_the_cheap_stage_threshold():
    """A skipped window keeps its cheap probability; shown as flagged, the cheap stage flags it on its own."""
    from moderation.detector.api import _lm_artifact_present
    from moderation.detector.combiner import load_artifact

    if not _lm_artifact_present():
        pytest.skip("no lm.json artifact")
    lmc, cheap = load_artifact("lm"), load_artifact("cheap")
    assert lmc.threshold >= cheap.threshold
    # version 10: at every post length (each band's threshold)
    assert all(lmc.threshold_for(n)[0] >= cheap.threshold_for(n)[0] for n in range(1, 20))
