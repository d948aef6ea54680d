"""The built-in offline AI-text detector (issue 6).

Cascade: (a) :mod:`.normalize` -> (b) :mod:`.windows` -> (c) :mod:`.features`
(cheap stylometric/lexical stage) -> (d) :mod:`.lm` (SmolLM2-135M on
onnxruntime, optional) -> (e) :mod:`.combiner` (calibrated logistic
regression, JSON artifacts in ``artifacts/``).  See ``docs/detector.md``.

    >>> from moderation.detector import detect
    >>> r = detect(post_body)            # LM stage used when installed
    >>> r.status, r.probability, r.flagged, r.windows[0].top_features
"""

from .api import DETECTOR_VERSION, DetectorResult, Window, detect, score_texts

__all__ = ["detect", "score_texts", "DetectorResult", "Window", "DETECTOR_VERSION"]
