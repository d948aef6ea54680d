"""The classifier registry, filled from ``MODERATION["CLASSIFIERS"]`` (dotted paths, optionally with options)."""
from __future__ import annotations

from functools import lru_cache

from django.utils.module_loading import import_string

from ..conf import app_settings
from .base import Classifier


@lru_cache(maxsize=1)
def configured_classifiers() -> tuple[Classifier, ...]:
    instances = []
    for entry in app_settings.CLASSIFIERS:
        path, options = (entry["path"], entry.get("options", {})) if isinstance(entry, dict) else (entry, {})
        cls = import_string(path)
        if cls.sends_text_off_site and not app_settings.ALLOW_REMOTE_CLASSIFIERS:
            continue
        instances.append(cls(**options))
    return tuple(instances)


def reset_registry() -> None:
    configured_classifiers.cache_clear()
