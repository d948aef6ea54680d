"""Stage (e): the calibrated combiner and its committed JSON artifact.

The combiner is a standardised logistic regression (coefficients in JSON, no
pickle) followed by Platt calibration fitted on out-of-fold predictions.  One
artifact per feature set:

* ``artifacts/cheap.json`` - stylometric/lexical features only (used when
  LM stage is not installed, and as the cascade's first stage; since version 5
  a boosted-tree artifact, :class:`moderation.detector.trees.TreeCombiner`);
* ``artifacts/lm.json`` - the LM combiner: the cheap stage's log-odds plus the
  language-model statistics (stacked, since version 5).

Each artifact also carries the operating ``threshold`` (chosen so that, out-of-fold,
at most 1% of human training documents and at most 2% of the non-native TOEFL
essays are flagged; the median over five fold assignments since version 8), the
thresholds by post length (version 10), the cascade band, the metrics measured
when it was trained and a description of the training data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .trees import CalibratedScorer, _sigmoid

ARTIFACT_DIR = Path(__file__).with_name("artifacts")
CLIP = 5.0


@dataclass
class Combiner(CalibratedScorer):
    feature_names: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    platt_a: float = 1.0
    platt_b: float = 0.0
    threshold: float = 0.5
    band: tuple[float, float] = (0.0, 1.0)
    version: str = "0"
    meta: dict = field(default_factory=dict)
    #: a post of two or more windows is also flagged when its post probability reaches this (version 9;
    #: None: only the window rule)
    post_threshold: float | None = None
    #: window thresholds per length band (version 10; :meth:`CalibratedScorer.threshold_for`)
    by_length: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self._mean = np.asarray(self.mean, dtype=np.float64)
        scale = np.asarray(self.scale, dtype=np.float64)
        self._inv = np.where(scale != 0, 1.0 / np.where(scale == 0, 1.0, scale), 0.0)
        self._coef = np.asarray(self.coef, dtype=np.float64)
        self._names = np.asarray(self.feature_names)

    # -- scoring -------------------------------------------------------------
    def extend(self, x, text: str) -> list[float]:
        """The model's input for one window: the cheap features as they are (a linear artifact reads no
        more; see :meth:`moderation.detector.trees.TreeCombiner.extend`)."""
        return x

    def standardise(self, x) -> np.ndarray:
        z = (np.asarray(x, dtype=np.float64) - self._mean) * self._inv
        return np.clip(z, -CLIP, CLIP, out=z)

    def logit(self, x) -> float:
        return float(self.standardise(x) @ self._coef + self.intercept)

    def score(self, x, k: int = 6) -> tuple[float, dict[str, float]]:
        """(calibrated probability, top-k contributions) in one pass.

        The cheap stage calls this for every window, so it avoids numpy's per-call overheads
        (``np.clip``, fancy indexing, numpy strings): same numbers as :meth:`standardise`.
        """
        z = np.asarray(x, dtype=np.float64) - self._mean
        z *= self._inv
        np.minimum(z, CLIP, out=z)
        np.maximum(z, -CLIP, out=z)
        z *= self._coef
        p = _sigmoid(self.platt_a * (float(z.sum()) + self.intercept) + self.platt_b)
        contrib = z.tolist()
        top = sorted(range(len(contrib)), key=contrib.__getitem__, reverse=True)[:k]
        return p, {self.feature_names[i]: round(contrib[i], 3) for i in top}

    # -- (de)serialisation ---------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "format": "linear-logistic-v1",
            "version": self.version,
            "feature_names": self.feature_names,
            "mean": self.mean, "scale": self.scale, "coef": self.coef,
            "intercept": self.intercept,
            "platt": {"a": self.platt_a, "b": self.platt_b},
            "threshold": self.threshold,
            "band": list(self.band),
            "post_threshold": self.post_threshold,
            "by_length": self.by_length,
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Combiner":
        if d.get("format") != "linear-logistic-v1":
            raise ValueError(f"unknown combiner format {d.get('format')!r}")
        return cls(d["feature_names"], d["mean"], d["scale"], d["coef"], d["intercept"],
                   d["platt"]["a"], d["platt"]["b"], d["threshold"], tuple(d.get("band", (0.0, 1.0))),
                   d.get("version", "0"), d.get("meta", {}), d.get("post_threshold"), d.get("by_length", []))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n")


@lru_cache(maxsize=8)
def load_artifact(name: str) -> Combiner:
    """Load ``artifacts/<name>.json`` (cached): a linear :class:`Combiner` or, for format ``gbt-v1``
    (detector version 5), a boosted-tree :class:`~moderation.detector.trees.TreeCombiner` with the same
    scoring interface."""
    p = Path(name)
    if not p.suffix:
        p = ARTIFACT_DIR / f"{name}.json"
    d = json.loads(p.read_text())
    if d.get("format") == "gbt-v1":
        from .trees import TreeCombiner
        return TreeCombiner.from_dict(d)
    return Combiner.from_dict(d)
