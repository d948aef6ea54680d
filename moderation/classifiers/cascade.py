"""Deprecated: the old path of :class:`moderation.classifiers.statistical.StatisticalClassifier`.

Settings written for 0.1 name ``moderation.classifiers.cascade.CascadeClassifier``; they keep working (the
stored classifier name, ``statistical``, never changed). Use the new path.
"""
import warnings

from .statistical import StatisticalClassifier

warnings.warn("moderation.classifiers.cascade.CascadeClassifier is now "
              "moderation.classifiers.statistical.StatisticalClassifier", DeprecationWarning, stacklevel=2)

CascadeClassifier = StatisticalClassifier

__all__ = ["CascadeClassifier"]
