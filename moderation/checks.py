"""System checks: bad settings are reported at start-up, not at request time."""
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from .conf import DEFAULTS, app_settings


@register(Tags.compatibility)
def check_moderation_settings(app_configs, **kwargs):
    errors = []
    configured = getattr(settings, "MODERATION", {})
    for key in configured:
        if key not in DEFAULTS:
            errors.append(Warning(f"MODERATION[{key!r}] is not a known setting.", id="moderation.W001"))
    try:
        import_string(app_settings.ADAPTER)
    except ImportError as exc:
        errors.append(Error(f"MODERATION['ADAPTER'] cannot be imported: {exc}", id="moderation.E001"))
    for entry in app_settings.CLASSIFIERS:
        path = entry["path"] if isinstance(entry, dict) else entry
        try:
            cls = import_string(path)
        except ImportError as exc:
            errors.append(Error(f"Classifier {path!r} cannot be imported: {exc}", id="moderation.E002"))
            continue
        try:
            cls(**(entry.get("options", {}) if isinstance(entry, dict) else {}))
        except Exception as exc:
            errors.append(Error(f"Classifier {path!r} cannot be built from its options: {exc}",
                                id="moderation.E004"))
    errors += _base_template_errors()
    if app_settings.POLICY is not None:
        from .policy.rules import PolicyInvalid, policy_spec_validate

        try:
            policy_spec_validate(app_settings.POLICY)
        except PolicyInvalid as exc:
            errors.append(Error(f"MODERATION['POLICY'] is invalid: {exc}", id="moderation.E003"))
    from .services.scan_cost import scan_cost_errors

    for problem in scan_cost_errors():
        errors.append(Error(f"MODERATION['SCAN_COST'] is invalid: {problem}", id="moderation.E005"))
    return errors


def _base_template_errors():
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    name = app_settings.BASE_TEMPLATE
    if not isinstance(name, str) or not name:
        return [Error("MODERATION['BASE_TEMPLATE'] must name a template.", id="moderation.E010")]
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return [Error(f"MODERATION['BASE_TEMPLATE'] names {name!r}, which no template loader finds.",
                      hint="The plugin's pages extend it; it needs the blocks title, head, content and scripts.",
                      id="moderation.E010")]
    except TemplateSyntaxError as exc:
        return [Error(f"MODERATION['BASE_TEMPLATE'] {name!r} does not compile: {exc}", id="moderation.E010")]
    return []


@register(Tags.security, deploy=True)
def check_production_safety(app_configs, **kwargs):
    """Refuse production settings with DEBUG, the demo SECRET_KEY or the demo users' password."""
    errors = []
    if settings.DEBUG:
        errors.append(Error("DEBUG is on.", id="moderation.E101"))
    if settings.SECRET_KEY.startswith(("insecure-", "django-insecure")):
        errors.append(Error("SECRET_KEY is the demo key; set SECRET_KEY.", id="moderation.E102"))
    try:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        for user in User.objects.filter(username__in=["author", "reader", "moderator"]):
            if user.check_password("demo"):
                errors.append(Error(f"Demo user {user.username!r} with password 'demo' exists.",
                                    id="moderation.E103"))
    except Exception:  # the database may not exist yet during `check --deploy`
        pass
    return errors
