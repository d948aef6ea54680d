"""The classifier registry, filled from ``MODERATION["CLASSIFIERS"]`` (dotted paths, optionally with options).

A classifier that cannot be imported or built from its options does not stop the pipeline or vanish: it is
replaced by :class:`Unavailable`, whose every run is an ``error`` result saying why, so posts go to a person
instead of being published unchecked. The system check ``moderation.E004`` reports it at start-up.
"""
from __future__ import annotations

from functools import lru_cache

from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from ..conf import app_settings
from .base import Classifier


class Unavailable(Classifier):
    """Stands in for a configured classifier that could not be loaded."""

    version = "unavailable"

    def __init__(self, path: str, error: Exception, name: str = ""):
        super().__init__()
        self.name = name or path.rsplit(".", 1)[-1]
        self.reason = f"{path} could not be loaded: {type(error).__name__}: {error}"

    def classify(self, passages, disclosure):
        raise RuntimeError(self.reason)


def classifier_entries() -> list[tuple[str, dict]]:
    return [(entry["path"], entry.get("options", {})) if isinstance(entry, dict) else (entry, {})
            for entry in app_settings.CLASSIFIERS]


@lru_cache(maxsize=1)
def configured_classifiers() -> tuple[Classifier, ...]:
    instances: list[Classifier] = []
    for path, options in classifier_entries():
        try:
            cls = import_string(path)
        except ImportError as exc:
            instances.append(Unavailable(path, exc))
            continue
        if cls.sends_text_off_site and not app_settings.ALLOW_REMOTE_CLASSIFIERS:
            continue
        try:
            instances.append(cls(**options))
        except Exception as exc:  # bad options, a missing model file: stored as an error, never skipped
            instances.append(Unavailable(path, exc, name=getattr(cls, "name", "")))
    return tuple(instances)


def reset_registry() -> None:
    configured_classifiers.cache_clear()


def _reset_on_setting_changed(*, setting, **kwargs) -> None:
    """Tests that override ``MODERATION`` get a registry built from the new value (as DRF's settings do)."""
    if setting == "MODERATION":
        reset_registry()


setting_changed.connect(_reset_on_setting_changed)
