"""scikit-learn's weighted histogram binning, computed in one pass per feature.

Since scikit-learn 1.8, ``HistGradientBoostingClassifier.fit(..., sample_weight=w)`` bins each feature at
weighted quantiles by calling ``_weighted_percentile`` once per quantile: 254 calls per feature.  Below
200,000 rows that loop is nearly the whole fit: 189 features of 600 rows took 14 s on a 2-core machine, a
retrain of the detector 37 minutes, one unit test 7 (upstream: scikit-learn pull request #34248, not in a
release yet).  :func:`faster_weighted_binning` swaps in :func:`find_binning_thresholds`, which computes the
same thresholds, bit for bit (``tests/detector/test_binning.py`` compares them with the installed
scikit-learn's), from the same sorts and cumulative sum but one vectorised ``searchsorted``.  Trained models
do not change.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import numpy as np

_lock = threading.RLock()
_sklearn_find_binning_thresholds = None


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, percentiles: np.ndarray) -> np.ndarray:
    """``[_weighted_percentile(values, weights, p, average=True) for p in percentiles]`` for positive
    weights: the "averaged inverted CDF" (Hyndman and Fan), with scikit-learn's arithmetic step for step
    (including its own sort of the values, as a column)."""
    order = np.argsort(values.reshape(-1, 1), axis=0)[:, 0]
    values, cdf = values[order], np.cumsum(weights[order])
    rank = percentiles / 100 * cdf[-1]
    zero = rank == 0
    rank[zero] = np.nextafter(rank[zero], rank[zero] + 1)
    last = len(values) - 1
    idx = np.clip(np.searchsorted(cdf, rank), 0, last)
    above = cdf[idx] - rank > np.finfo(values.dtype).eps
    return np.where(above, values[idx], (values[idx] + values[np.clip(idx + 1, 0, last)]) / 2)


def find_binning_thresholds(col_data, max_bins, sample_weight=None):
    """scikit-learn's ``_find_binning_thresholds`` with its weighted quantiles from
    :func:`weighted_quantiles`; the unweighted case is left to scikit-learn."""
    from sklearn.ensemble._hist_gradient_boosting.common import ALMOST_INF, X_DTYPE

    if sample_weight is None:
        return _sklearn_find_binning_thresholds(col_data, max_bins, sample_weight=None)
    present = ~np.isnan(col_data)
    col_data, sample_weight = col_data[present], sample_weight[present]
    nonzero = sample_weight != 0
    col_data, sample_weight = col_data[nonzero], sample_weight[nonzero]
    order = np.argsort(col_data)
    col_data, sample_weight = col_data[order], sample_weight[order]
    distinct = np.unique(col_data).astype(X_DTYPE)
    if len(distinct) == 1:
        return np.asarray([])
    if len(distinct) <= max_bins:
        thresholds = (distinct[:-1] + distinct[1:]) / 2
    else:
        thresholds = weighted_quantiles(col_data, sample_weight, np.linspace(0, 100, num=max_bins + 1)[1:-1])
    unique = np.unique(thresholds)
    if unique.shape[0] != thresholds.shape[0]:
        thresholds = unique
    np.clip(thresholds, a_min=None, a_max=ALMOST_INF, out=thresholds)
    return thresholds


def _sklearn_binning_module():
    try:
        from sklearn.ensemble._hist_gradient_boosting import binning
    except ImportError:
        return None
    return binning if callable(getattr(binning, "_find_binning_thresholds", None)) else None


@contextmanager
def faster_weighted_binning():
    """Within the block, histogram gradient boosting bins weighted data with :func:`find_binning_thresholds`
    (a scikit-learn without the function it stands in for is left alone)."""
    global _sklearn_find_binning_thresholds
    binning = _sklearn_binning_module()
    if binning is None:
        yield
        return
    with _lock:
        saved = binning._find_binning_thresholds
        if saved is not find_binning_thresholds:
            _sklearn_find_binning_thresholds = saved
        binning._find_binning_thresholds = find_binning_thresholds
        try:
            yield
        finally:
            binning._find_binning_thresholds = saved
