"""The plugin's settings: one namespaced dict, ``settings.MODERATION``, read through :data:`app_settings`.

Defaults live here; bad values are reported by system checks (``moderation/checks.py``), not at request
time. Reloaded on ``setting_changed`` so tests can override it (the classifier registry resets itself on the same
signal, ``moderation/classifiers/registry.py``).
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

DEFAULTS: dict[str, Any] = {
    #: Dotted path of the host forum's adapter (a subclass of moderation.adapter.ModerationAdapter).
    "ADAPTER": "moderation.adapter.ModerationAdapter",
    #: Dotted paths of classifier classes, or {"path": ..., "options": {...}} dicts.
    "CLASSIFIERS": [],
    #: Policy rules as data (see moderation/policy/); None means the shipped default policy.
    "POLICY": None,
    #: How long a moderator's claim lasts before the item returns to the queue.
    "CLAIM_TTL_SECONDS": 30 * 60,
    #: Let trusted authors' posts show to readers before their evaluation finishes.
    "SHOW_TRUSTED_BEFORE_EVALUATION": True,
    #: Webhook targets on loopback/private addresses are refused unless this is on (tests, demo).
    "ALLOW_PRIVATE_WEBHOOK_URLS": False,
    #: Largest API submission body, in bytes (bigger → 413).
    "MAX_SUBMISSION_BYTES": 200 * 1024,
    #: Whether readers may see a public log of rejected posts.
    "PUBLIC_MODERATION_LOG": False,
    #: Send post text to third-party detectors (remote classifiers, LLM judge) only when on.
    "ALLOW_REMOTE_CLASSIFIERS": False,
    #: Seconds a pending revision may wait before the sweep re-enqueues it.
    "SWEEP_AFTER_SECONDS": 60,
}


class AppSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, "MODERATION", {}).get(name, DEFAULTS[name])

    @cached_property
    def adapter(self):
        return import_string(self.ADAPTER)()

    def reload(self):
        self.__dict__.pop("adapter", None)


app_settings = AppSettings()


def _reload(*, setting, **kwargs):
    if setting == "MODERATION":
        app_settings.reload()


setting_changed.connect(_reload)
