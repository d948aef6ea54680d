"""The stylometric classifier: the detector's cheap stage, as a plugin.

This module is the public face of the project's one stylometric feature
extractor, :mod:`moderation.detector.features` (every feature is
documented there in ``FEATURE_DOCS``: what it measures and why).  It adds:

* :func:`stylometric_features` - normalise a text and return its named features;
* :class:`StylometricClassifier` (``name = "stylometric"``) - the cascade's
  first stage alone: normalisation, sentence windows, stylometric/lexical
  features and the calibrated ``cheap`` combiner.  No language model, no I/O,
  ~1 ms per passage.
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import Classifier, ClassifierOutput
from moderation.detector.api import DETECTOR_VERSION
from moderation.detector.combiner import load_artifact
from moderation.detector.features import FEATURE_DOCS, FEATURE_NAMES, extract
from moderation.detector.normalize import normalize
from .detector_plugin import author_kinds, classify_passages, options_suffix

__all__ = ["StylometricClassifier", "stylometric_features", "FEATURE_DOCS", "FEATURE_NAMES"]


def stylometric_features(text: str) -> dict[str, float]:
    """Named stylometric features of ``text`` (after normalisation, quotes/code/URLs removed)."""
    return dict(zip(FEATURE_NAMES, extract(normalize(text).text)))


class StylometricClassifier(Classifier):
    name = "stylometric"
    version = DETECTOR_VERSION

    def __init__(self, **options):
        super().__init__(**options)
        # the detector's version is part of it: v2 changed what the post score means, so results
        # stored under v1 must not be reused (``reevaluate`` re-scores them)
        self.version = f"{DETECTOR_VERSION}+{load_artifact('cheap').version}" + options_suffix(self.options)

    def classify(self, passages: Sequence, disclosure=None) -> ClassifierOutput:
        return classify_passages(self, passages, use_lm=False, kinds=author_kinds(self.options))
