"""System checks for ``settings.SPIRIT_AI_DISCLOSURE``: a bad value is reported at start-up, not per request."""
from django.conf import settings
from django.core import checks

LIST_KEYS = ("CATEGORIES_REQUIRING_DISCLOSURE", "PUBLIC_INTEREST_CATEGORIES")
KNOWN_KEYS = {*LIST_KEYS, "MODERATE_PRIVATE_TOPICS"}


def settings_errors(value) -> list[checks.Error]:
    if not isinstance(value, dict):
        return [checks.Error("SPIRIT_AI_DISCLOSURE must be a dict.", id="ai_spirit.E001")]
    errors = [checks.Error(f"SPIRIT_AI_DISCLOSURE has an unknown key {key!r}.",
                           hint=f"Known keys: {', '.join(sorted(KNOWN_KEYS))}.", id="ai_spirit.E002")
              for key in value if key not in KNOWN_KEYS]
    for key in LIST_KEYS:
        slugs = value.get(key, [])
        if not isinstance(slugs, (list, tuple)) or not all(isinstance(s, str) and s for s in slugs):
            errors.append(checks.Error(f"SPIRIT_AI_DISCLOSURE[{key!r}] must be a list of Spirit category slugs.",
                                       id="ai_spirit.E003"))
    if not isinstance(value.get("MODERATE_PRIVATE_TOPICS", False), bool):
        errors.append(checks.Error("SPIRIT_AI_DISCLOSURE['MODERATE_PRIVATE_TOPICS'] must be True or False.",
                                   id="ai_spirit.E004"))
    return errors


@checks.register()
def check_spirit_ai_disclosure(app_configs=None, **kwargs):
    return settings_errors(getattr(settings, "SPIRIT_AI_DISCLOSURE", {}))
