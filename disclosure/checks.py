"""System checks for the disclosure app's settings."""
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from .conf import DEFAULTS, app_settings
from .grades import grade_table_errors


@register(Tags.compatibility)
def check_known_settings(app_configs, **kwargs):
    """A misspelt key (``"AI_BLOCKS_COLLAPSED"``) was silently ignored, its default used instead."""
    configured = getattr(settings, "DISCLOSURE", {})
    if not isinstance(configured, dict):
        return []
    return [Warning(f"DISCLOSURE[{key!r}] is not a known setting.", hint=f"Known: {', '.join(sorted(DEFAULTS))}.",
                    id="disclosure.W001")
            for key in configured if key not in DEFAULTS]


@register(Tags.compatibility)
def check_grade_overrides(app_configs, **kwargs):
    return [Error(message, id="disclosure.E001")
            for message in grade_table_errors(app_settings.GRADE_TABLE, app_settings.GRADES)]


@register(Tags.compatibility)
def check_markdown_plugins(app_configs, **kwargs):
    errors = []
    plugins = app_settings.MARKDOWN_PLUGINS
    if not isinstance(plugins, (list, tuple)):
        return [Error("DISCLOSURE['MARKDOWN_PLUGINS'] must be a list of dotted paths.", id="disclosure.E002")]
    for path in plugins:
        try:
            plugin = import_string(path)
        except (ImportError, TypeError, ValueError) as exc:
            errors.append(Error(f"DISCLOSURE['MARKDOWN_PLUGINS']: {path!r} cannot be imported: {exc}",
                                id="disclosure.E002"))
            continue
        if not callable(plugin):
            errors.append(Error(f"DISCLOSURE['MARKDOWN_PLUGINS']: {path!r} is not a markdown-it plugin (not callable).",
                                id="disclosure.E002"))
    return errors
