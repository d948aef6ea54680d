"""The detector's stand-in for scikit-learn's weighted histogram binning gives scikit-learn's thresholds."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.ensemble._hist_gradient_boosting import binning as sk_binning  # noqa: E402

from moderation.detector.train.binning import faster_weighted_binning, find_binning_thresholds  # noqa: E402

SKLEARN = sk_binning._find_binning_thresholds


def _columns(rng):
    """Columns that take every branch: many distinct values, heavy ties, few values, one value, NaNs."""
    n = 768  # a multiple of 256: with unit weights quantiles fall exactly on data points (the averaging branch)
    yield rng.normal(size=n)
    yield np.round(rng.normal(size=n), 1)  # ties across quantiles
    yield rng.integers(0, 40, size=n).astype(float)  # fewer distinct values than bins
    yield np.full(n, 3.0)
    col = rng.exponential(size=n)
    col[rng.random(n) < 0.2] = np.nan
    yield col


def _weights(rng, n):
    """Source-balancing weights like training's (irrational), unit and small dyadic weights, and some zeros."""
    yield np.ones(n)
    yield 1 / np.sqrt(rng.integers(1, 9000, size=n))
    yield rng.choice([1.0, 4.0, 0.5], size=n)
    w = rng.random(n)
    w[rng.random(n) < 0.3] = 0.0
    yield w


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("max_bins", [255, 31])
def test_thresholds_are_scikit_learns_bit_for_bit(seed, max_bins):
    rng = np.random.default_rng(seed)
    with faster_weighted_binning():  # find_binning_thresholds needs scikit-learn's function for the unweighted case
        for col in _columns(rng):
            for w in _weights(rng, len(col)):
                ours, theirs = find_binning_thresholds(col, max_bins, w), SKLEARN(col, max_bins, sample_weight=w)
                assert ours.shape == theirs.shape
                assert np.array_equal(ours, theirs)
            assert np.array_equal(find_binning_thresholds(col, max_bins), SKLEARN(col, max_bins))


def test_a_weighted_fit_inside_the_block_is_the_same_model():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 12))
    X[:, 5] = np.round(X[:, 5], 1)
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.5, size=600) > 0).astype(int)
    w = 1 / np.sqrt(rng.integers(1, 500, size=600))

    def fit():
        return HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y, sample_weight=w)

    plain = fit()
    with faster_weighted_binning():
        faster = fit()
    assert all(np.array_equal(a, b) for a, b in zip(plain._bin_mapper.bin_thresholds_,
                                                     faster._bin_mapper.bin_thresholds_))
    assert np.array_equal(plain.decision_function(X), faster.decision_function(X))


def test_scikit_learns_function_is_back_after_the_block_even_on_error():
    with pytest.raises(RuntimeError):
        with faster_weighted_binning():
            assert sk_binning._find_binning_thresholds is find_binning_thresholds
            raise RuntimeError
    assert sk_binning._find_binning_thresholds is SKLEARN
