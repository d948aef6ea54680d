"""scikit-learn's weighted histogram binning, computed in one pass per feature.

scikit-learn 1.8 and 1.9 bin weighted data (``HistGradientBoostingClassifier.fit(..., sample_weight=w)``) at
weighted quantiles by calling ``_weighted_percentile`` once per quantile: 254 calls per feature.  Below
200,000 rows that loop dominates small fits: 189 features of 600 rows took 14 s on a 2-core machine, and one
unit test 7 minutes (upstream: scikit-learn pull request #34248).  :func:`faster_weighted_binning` swaps in
:func:`find_binning_thresholds`, which computes the same thresholds, bit for bit (``tests/detector/
test_binning.py`` compares them with the installed scikit-learn's), from the same sorts and cumulative sum
but one vectorised ``searchsorted``.  Trained models do not change.  It stands in only for the
implementation it was checked against (one ``_weighted_percentile`` call per quantile), and hands scikit-learn
back every input it does not mirror: negative weights, columns that are not float64, and columns with
nothing left to bin.
"""
from __future__ import annotations

import functools
import inspect
import threading
from contextlib import contextmanager

import numpy as np

_lock = threading.Lock()
_active = 0  # blocks open, in any thread: the stand-in is installed while this is above zero
_SKLEARN = None  # scikit-learn's own function, looked up once


def _binning_module():
    try:
        from sklearn.ensemble._hist_gradient_boosting import binning
    except ImportError:
        return None
    return binning


def sklearn_find_binning_thresholds():
    """scikit-learn's ``_find_binning_thresholds`` (never the stand-in), or ``None``."""
    global _SKLEARN
    if _SKLEARN is None:
        binning = _binning_module()
        found = getattr(binning, "_find_binning_thresholds", None) if binning else None
        _SKLEARN = found if found is not find_binning_thresholds else None
    return _SKLEARN


@functools.cache
def applies() -> bool:
    """Whether the installed scikit-learn has the slow weighted binning this module mirrors (read once: every
    tree fit asks)."""
    original = sklearn_find_binning_thresholds()
    if original is None or "sample_weight" not in inspect.signature(original).parameters:
        return False  # scikit-learn < 1.8 ignores weights when binning: nothing to mirror
    try:
        source = inspect.getsource(original)
    except (OSError, TypeError):
        return False
    return "_weighted_percentile(col_data, sample_weight, percentile, average=True)" in source


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, percentiles: np.ndarray) -> np.ndarray:
    """``[_weighted_percentile(values, weights, p, average=True) for p in percentiles]`` for positive
    weights and float64 values: the "averaged inverted CDF" (Hyndman and Fan), with scikit-learn's arithmetic
    step for step (including its own sort of the values, as a column)."""
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
    """scikit-learn's ``_find_binning_thresholds``, with the weighted quantiles from
    :func:`weighted_quantiles`; every other case is scikit-learn's own function."""
    from sklearn.ensemble._hist_gradient_boosting.common import ALMOST_INF, X_DTYPE

    original = sklearn_find_binning_thresholds()
    if (sample_weight is None or col_data.dtype != np.float64 or sample_weight.dtype != np.float64
            or (sample_weight < 0).any()):
        return original(col_data, max_bins, sample_weight=sample_weight)
    present = ~np.isnan(col_data)
    kept, kept_weight = col_data[present], sample_weight[present]
    nonzero = kept_weight != 0
    kept, kept_weight = kept[nonzero], kept_weight[nonzero]
    if kept.size == 0:  # scikit-learn raises here; let it
        return original(col_data, max_bins, sample_weight=sample_weight)
    order = np.argsort(kept)
    kept, kept_weight = kept[order], kept_weight[order]
    distinct = np.unique(kept).astype(X_DTYPE)
    if len(distinct) == 1:
        return np.asarray([])
    if len(distinct) <= max_bins:
        thresholds = (distinct[:-1] + distinct[1:]) / 2
    else:
        thresholds = weighted_quantiles(kept, kept_weight, np.linspace(0, 100, num=max_bins + 1)[1:-1])
    unique = np.unique(thresholds)
    if unique.shape[0] != thresholds.shape[0]:
        thresholds = unique
    np.clip(thresholds, a_min=None, a_max=ALMOST_INF, out=thresholds)
    return thresholds


@contextmanager
def faster_weighted_binning():
    """Within the block, histogram gradient boosting bins weighted data with :func:`find_binning_thresholds`
    (a scikit-learn whose binning this module does not mirror is left alone).  Blocks may nest and overlap
    across threads: the stand-in stays installed until the last one closes."""
    global _active
    if not applies():
        yield
        return
    binning = _binning_module()
    with _lock:
        if _active == 0:
            binning._find_binning_thresholds = find_binning_thresholds
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                binning._find_binning_thresholds = sklearn_find_binning_thresholds()
