"""A gradient-boosted tree ensemble scored in numpy, read from JSON (no sklearn, no pickle at runtime).

Detector version 5's cheap stage can be a boosted-tree model (scikit-learn's
``HistGradientBoostingClassifier``, trained with monotonic constraints that mirror the linear model's sign
constraints: casual-typing features may only lower the score, the LLM lexicon only raise it), exported by
:func:`moderation.detector.train.training.export_hgb` as flat node arrays.  :class:`TreeCombiner` has the
same interface as :class:`~moderation.detector.combiner.Combiner` (``score``, ``probability``,
``threshold``, ``band``, ``version``, ``feature_names``), so :func:`moderation.detector.api.score_window`
and the evaluation need no change.

Scoring walks all trees at once: one vector of node indices, advanced level by level (a few numpy
operations per level, not per tree).  The ``top_features`` a moderator sees are exact path attributions
(Saabas): each split on the window's path moves the tree's expected value from the node to the child
taken, and that move is credited to the split's feature; the root values plus the credits add up to the
logit, so the contributions mean what the linear model's do (logit units towards "AI").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

FORMAT = "gbt-v1"


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def threshold_for_length(threshold: float, by_length, n_windows: int) -> tuple[float, str | None]:
    """(window threshold, length band) for a post of ``n_windows`` scored windows. A long post has more
    windows, each a chance to reach a threshold set for one, so from version 10 an artifact carries a threshold
    per length band (``by_length``: ``[[band, threshold], ...]``, :data:`windows.LENGTH_BANDS` names), set so
    that a long human post is flagged no more often than a short one; never below ``threshold``. Band None:
    the post gets ``threshold``. Training reads its thresholds through this before there is an artifact."""
    from .windows import length_band
    band = length_band(n_windows)
    for name, value in by_length or ():
        if name == band:
            return max(float(value), threshold), band
    return threshold, None


class CalibratedScorer:
    """What both combiner forms derive from their ``logit`` and ``score``: the Platt-calibrated probability and
    the top contributions (a linear :class:`~moderation.detector.combiner.Combiner`, a :class:`TreeCombiner`)."""

    platt_a: float
    platt_b: float
    threshold: float
    by_length: list

    def threshold_for(self, n_windows: int) -> tuple[float, str | None]:
        """(window threshold, length band) for a post of ``n_windows`` scored windows
        (:func:`threshold_for_length` with this artifact's thresholds)."""
        return threshold_for_length(self.threshold, self.by_length, n_windows)

    def probability(self, x) -> float:
        return _sigmoid(self.platt_a * self.logit(x) + self.platt_b)

    def contributions(self, x, k: int = 6) -> dict[str, float]:
        """The ``k`` features that pushed the score most towards "AI" (logit units, largest first)."""
        return self.score(x, k)[1]


@dataclass
class TreeCombiner(CalibratedScorer):
    feature_names: list[str]
    #: flat arrays over all trees' nodes (children index into the same arrays; -1 for a leaf)
    feature: list[int]
    threshold_value: list[float]
    left: list[int]
    right: list[int]
    #: each node's expected logit contribution (a leaf: its shrunk leaf value; a split: its children's
    #: sample-weighted mean), so path attributions add up exactly
    value: list[float]
    roots: list[int]
    baseline: float
    platt_a: float = 1.0
    platt_b: float = 0.0
    threshold: float = 0.5
    band: tuple[float, float] = (0.0, 1.0)
    version: str = "0"
    meta: dict = field(default_factory=dict)
    #: text-distortion n-grams (:mod:`moderation.detector.distortion`) read after the 189 cheap features;
    #: empty: the model reads the 189 features only
    distortion: list[str] = field(default_factory=list)
    #: a post of two or more windows is also flagged when its post probability reaches this (version 9;
    #: None: only the window rule)
    post_threshold: float | None = None
    #: window thresholds per length band (version 10; :meth:`CalibratedScorer.threshold_for`)
    by_length: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._dindex = {g: i for i, g in enumerate(self.distortion)}
        self._feat = np.asarray(self.feature, dtype=np.int64)
        self._thr = np.asarray(self.threshold_value, dtype=np.float64)
        self._left = np.asarray(self.left, dtype=np.int64)
        self._right = np.asarray(self.right, dtype=np.int64)
        self._value = np.asarray(self.value, dtype=np.float64)
        self._roots = np.asarray(self.roots, dtype=np.int64)
        leaf = self._left < 0
        # a leaf "splits" on feature 0 and goes to itself, so every tree can be advanced the same number
        # of times without a mask
        self._feat_safe = np.where(leaf, 0, self._feat)
        self._left_safe = np.where(leaf, np.arange(len(leaf)), self._left)
        self._right_safe = np.where(leaf, np.arange(len(leaf)), self._right)
        self._thr_safe = np.where(leaf, np.inf, self._thr)
        self._depth = self._max_depth()
        self._base = float(self.baseline + self._value[self._roots].sum())
        self._n_features = len(self.feature_names)

    def _max_depth(self) -> int:
        depth = 0
        frontier = self._roots
        while True:
            inner = frontier[self._left[frontier] >= 0]
            if len(inner) == 0:
                return depth
            frontier = np.concatenate([self._left[inner], self._right[inner]])
            depth += 1

    # -- scoring -------------------------------------------------------------
    def extend(self, x, text: str) -> list[float]:
        """The model's input for one window: the cheap features ``x`` of ``text``, plus the rates of the
        artifact's distortion n-grams when it has any."""
        if not self.distortion:
            return list(x)
        from .distortion import rates
        return list(x) + rates(text, self._dindex)

    def _walk(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Leaf per tree, and per-feature path contributions (logit units)."""
        node = self._roots.copy()
        contrib = np.zeros(self._n_features)
        for _ in range(self._depth):
            f = self._feat_safe[node]
            nxt = np.where(x[f] <= self._thr_safe[node], self._left_safe[node], self._right_safe[node])
            contrib += np.bincount(f, weights=self._value[nxt] - self._value[node], minlength=self._n_features)
            node = nxt
        return node, contrib

    def logit(self, x) -> float:
        x = np.asarray(x, dtype=np.float64)
        node, _ = self._walk(x)
        return float(self.baseline + self._value[node].sum())

    def score(self, x, k: int = 6) -> tuple[float, dict[str, float]]:
        """(calibrated probability, top-k contributions towards "AI") in one pass."""
        x = np.asarray(x, dtype=np.float64)
        _node, contrib = self._walk(x)
        z = self._base + float(contrib.sum())
        p = _sigmoid(self.platt_a * z + self.platt_b)
        c = contrib.tolist()
        top = sorted(range(len(c)), key=c.__getitem__, reverse=True)[:k]
        return p, {self.feature_names[i]: round(c[i], 3) for i in top if c[i] > 0}

    def logits(self, X) -> np.ndarray:
        """Raw logits for many rows (training and tests)."""
        X = np.asarray(X, dtype=np.float64)
        node = np.broadcast_to(self._roots, (len(X), len(self._roots))).copy()
        rows = np.arange(len(X))[:, None]
        for _ in range(self._depth):
            f = self._feat_safe[node]
            go_left = X[rows, f] <= self._thr_safe[node]
            node = np.where(go_left, self._left_safe[node], self._right_safe[node])
        return self.baseline + self._value[node].sum(axis=1)

    # -- (de)serialisation ---------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format": FORMAT,
            "version": self.version,
            "feature_names": self.feature_names,
            "trees": {"feature": self.feature, "threshold": self.threshold_value, "left": self.left,
                      "right": self.right, "value": self.value, "roots": self.roots},
            "baseline": self.baseline,
            "platt": {"a": self.platt_a, "b": self.platt_b},
            "threshold": self.threshold,
            "band": list(self.band),
            "post_threshold": self.post_threshold,
            "by_length": self.by_length,
            "meta": self.meta,
            "distortion": self.distortion,
        }

    def save(self, path) -> None:
        import json
        from pathlib import Path
        Path(path).write_text(json.dumps(self.to_dict(), separators=(",", ":")) + "\n")

    @classmethod
    def from_dict(cls, d: dict) -> "TreeCombiner":
        if d.get("format") != FORMAT:
            raise ValueError(f"unknown tree format {d.get('format')!r}")
        t = d["trees"]
        return cls(d["feature_names"], t["feature"], t["threshold"], t["left"], t["right"], t["value"],
                   t["roots"], d["baseline"], d["platt"]["a"], d["platt"]["b"], d["threshold"],
                   tuple(d.get("band", (0.0, 1.0))), d.get("version", "0"), d.get("meta", {}),
                   d.get("distortion", []), d.get("post_threshold"), d.get("by_length", []))
