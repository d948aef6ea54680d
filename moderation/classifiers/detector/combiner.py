"""Stage (e): the calibrated combiner and its committed JSON artifact.

The combiner is a standardised logistic regression (coefficients in JSON, no
pickle) followed by Platt calibration fitted on out-of-fold predictions.  One
artifact per feature set:

* ``artifacts/cheap.json`` - stylometric/lexical features only (used when
  llama-cpp-python is not installed, and as the cascade's first stage);
* ``artifacts/lm.json`` - the same features plus the language-model features.

Each artifact also carries the operating ``threshold`` (chosen so that at most
1% of human training windows, and at most 1% of the non-native TOEFL essays,
are flagged out-of-fold), the cascade band for the cheap stage, the metrics
measured when it was trained and a description of the training data.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ARTIFACT_DIR = Path(__file__).with_name("artifacts")
CLIP = 5.0


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass
class Combiner:
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

    # -- scoring -------------------------------------------------------------
    def standardise(self, x: list[float]) -> list[float]:
        out = []
        for v, m, s in zip(x, self.mean, self.scale):
            z = (v - m) / s if s else 0.0
            out.append(CLIP if z > CLIP else (-CLIP if z < -CLIP else z))
        return out

    def logit(self, x: list[float]) -> float:
        z = self.standardise(x)
        return self.intercept + sum(c * v for c, v in zip(self.coef, z))

    def probability(self, x: list[float]) -> float:
        return _sigmoid(self.platt_a * self.logit(x) + self.platt_b)

    def contributions(self, x: list[float], k: int = 6) -> dict[str, float]:
        """The ``k`` features that pushed the score most towards "AI" (signed
        logit contributions, largest first)."""
        z = self.standardise(x)
        contrib = [(n, c * v) for n, c, v in zip(self.feature_names, self.coef, z)]
        contrib.sort(key=lambda t: -t[1])
        return {n: round(v, 3) for n, v in contrib[:k]}

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
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Combiner":
        if d.get("format") != "linear-logistic-v1":
            raise ValueError(f"unknown combiner format {d.get('format')!r}")
        return cls(d["feature_names"], d["mean"], d["scale"], d["coef"], d["intercept"],
                   d["platt"]["a"], d["platt"]["b"], d["threshold"], tuple(d.get("band", (0.0, 1.0))),
                   d.get("version", "0"), d.get("meta", {}))

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n")


@lru_cache(maxsize=8)
def load_artifact(name: str) -> Combiner:
    """Load ``artifacts/<name>.json`` (cached)."""
    p = Path(name)
    if not p.suffix:
        p = ARTIFACT_DIR / f"{name}.json"
    return Combiner.from_dict(json.loads(p.read_text()))
