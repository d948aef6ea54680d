"""The detector's stand-in for scikit-learn's weighted histogram binning gives scikit-learn's thresholds."""
import threading

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.ensemble._hist_gradient_boosting import binning as sk_binning  # noqa: E402

from moderation.detector.train import binning as B  # noqa: E402

SKLEARN = sk_binning._find_binning_thresholds
pytestmark = pytest.mark.skipif(not B.applies(), reason="this scikit-learn does not bin with weights per quantile")


def test_the_comparison_is_with_scikit_learns_own_function():
    assert SKLEARN.__module__ == "sklearn.ensemble._hist_gradient_boosting.binning"
    assert B.sklearn_find_binning_thresholds() is SKLEARN


def _columns(rng):
    """Columns that take every branch: many distinct values, heavy ties, few values, one value, NaNs."""
    n = 765  # a multiple of 255: with unit weights the quantiles (k/255) fall on data points (averaging branch)
    yield rng.normal(size=n)
    yield np.round(rng.normal(size=n), 1)  # ties across quantiles
    yield rng.integers(0, 40, size=n).astype(float)  # fewer distinct values than bins
    yield np.full(n, 3.0)
    col = rng.exponential(size=n)
    col[rng.random(n) < 0.2] = np.nan
    yield col


def _weights(rng, n):
    """Source-balancing weights like training's (irrational), unit, integer and normalised weights, zeros."""
    yield 1 / np.sqrt(rng.integers(1, 9000, size=n))
    yield np.ones(n)
    yield np.ones(n) / n  # cumulative sums that round: the eps comparison decides
    yield rng.integers(1, 5, size=n).astype(float)
    w = rng.choice([0.1, 0.2, 0.7], size=n)
    yield w / w.sum()
    w = rng.random(n)
    yield w / w.sum()
    w = rng.choice([1.0, 4.0, 0.5], size=n)
    w[rng.random(n) < 0.3] = 0.0
    yield w


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_bins", [255, 85, 31])
def test_thresholds_are_scikit_learns_bit_for_bit(seed, max_bins):
    rng = np.random.default_rng(seed)
    for col in _columns(rng):
        for w in _weights(rng, len(col)):
            ours, theirs = B.find_binning_thresholds(col, max_bins, w), SKLEARN(col, max_bins, sample_weight=w)
            assert ours.shape == theirs.shape
            assert np.array_equal(ours, theirs)
        assert np.array_equal(B.find_binning_thresholds(col, max_bins), SKLEARN(col, max_bins))


def test_inputs_it_does_not_mirror_are_scikit_learns_to_answer():
    rng = np.random.default_rng(0)
    col = rng.normal(size=600)
    signed = rng.normal(size=600)  # negative weights: scikit-learn accepts them
    assert np.array_equal(B.find_binning_thresholds(col, 255, signed), SKLEARN(col, 255, sample_weight=signed))
    nothing = np.full(600, np.nan)
    with pytest.raises(ValueError):  # scikit-learn refuses a column with nothing to bin: so does the stand-in
        SKLEARN(nothing, 255, sample_weight=np.ones(600))
    with pytest.raises(ValueError):
        B.find_binning_thresholds(nothing, 255, np.ones(600))


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 12))
    X[:, 5] = np.round(X[:, 5], 1)
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.5, size=600) > 0).astype(int)
    return X, y, 1 / np.sqrt(rng.integers(1, 500, size=600))


def test_a_weighted_fit_inside_the_block_bins_with_the_stand_in_and_is_the_same_model(monkeypatch):
    X, y, w = _data()

    def fit():
        return HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y, sample_weight=w)

    plain = fit()
    calls = []
    stand_in = B.find_binning_thresholds
    monkeypatch.setattr(B, "find_binning_thresholds", lambda *a, **k: calls.append(1) or stand_in(*a, **k))
    with B.faster_weighted_binning():
        faster = fit()
    assert len(calls) == X.shape[1]  # every feature went through the stand-in
    assert all(np.array_equal(a, b) for a, b in zip(plain._bin_mapper.bin_thresholds_,
                                                     faster._bin_mapper.bin_thresholds_))
    assert np.array_equal(plain.decision_function(X), faster.decision_function(X))


def test_scikit_learns_function_is_back_after_the_block_even_on_error():
    with pytest.raises(RuntimeError):
        with B.faster_weighted_binning():
            assert sk_binning._find_binning_thresholds is B.find_binning_thresholds
            raise RuntimeError
    assert sk_binning._find_binning_thresholds is SKLEARN


def test_blocks_nest_and_overlap_across_threads_without_waiting_on_each_other():
    inside, release = threading.Barrier(3, timeout=10), threading.Event()

    def worker():
        with B.faster_weighted_binning():
            inside.wait()  # all three blocks are open at once, or this times out
            release.wait(10)

    with B.faster_weighted_binning():
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        inside.wait()
        assert sk_binning._find_binning_thresholds is B.find_binning_thresholds
    assert sk_binning._find_binning_thresholds is B.find_binning_thresholds  # the workers' blocks are open
    release.set()
    for t in threads:
        t.join(10)
    assert sk_binning._find_binning_thresholds is SKLEARN
