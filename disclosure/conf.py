"""The disclosure app's settings: ``settings.DISCLOSURE`` with defaults here."""
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: AI-written sections are collapsed for readers unless they ask otherwise.
    "AI_BLOCKS_COLLAPSED_BY_DEFAULT": True,
}


class AppSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, "DISCLOSURE", {}).get(name, DEFAULTS[name])


app_settings = AppSettings()
