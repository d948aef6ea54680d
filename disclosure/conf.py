"""The disclosure app's settings: ``settings.DISCLOSURE`` with defaults here."""
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    #: AI-written sections are collapsed for readers unless they ask otherwise.
    "AI_BLOCKS_COLLAPSED_BY_DEFAULT": True,
    #: Overrides of the involvement-grade table (see disclosure/grades.py); validated by a system check.
    "GRADE_TABLE": None,
    "GRADES": None,
    #: Whether a post that underwent human review (Art. 50(4) exemption) still shows its AI label.
    "SHOW_LABEL_WHEN_REVIEWED": True,
    #: Optional URLs of the Commission's icon files, by eu_variant ("ai", "ai_generated", "ai_modified");
    #: without them the shipped accessible text marks are used.
    "EU_ICON_URLS": {},
    #: Dotted paths of markdown-it-py plugins (callables taking the ``MarkdownIt`` instance) the renderer uses
    #: after its own, e.g. a host's @mentions; their output is sanitised like the rest (disclosure/render.py).
    "MARKDOWN_PLUGINS": [],
}


class AppSettings:
    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(name)
        return getattr(settings, "DISCLOSURE", {}).get(name, DEFAULTS[name])


app_settings = AppSettings()
