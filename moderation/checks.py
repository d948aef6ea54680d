"""System checks: bad settings are reported at start-up, not at request time."""
import fnmatch

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.module_loading import import_string

from .conf import DEFAULTS, app_settings


#: The longest sweep bound accepted: the sweep subtracts it from now, which a datetime must still hold.
MAX_SWEEP_SECONDS = 100 * 365 * 24 * 3600


def _is_seconds(value) -> bool:
    """A finite number of seconds from 0 to a century: NaN, infinity or a bound past year 1 passed a plain
    ``>= 0`` test and then raised in every beat's sweep (``timedelta`` / datetime arithmetic)."""
    return (not isinstance(value, bool) and isinstance(value, (int, float))
            and 0 <= value <= MAX_SWEEP_SECONDS)  # False for NaN; inf is above the bound


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
    for key in ("SWEEP_AFTER_SECONDS", "SWEEP_RESEND_AFTER_SECONDS"):
        value = getattr(app_settings, key)
        if not _is_seconds(value):
            errors.append(Error(f"MODERATION[{key!r}] must be a number of seconds (0 or more), not {value!r}.",
                                id="moderation.E006"))
    retention = app_settings.WEBHOOK_RETENTION_DAYS
    if retention is not None and not (_is_seconds(retention) and retention > 0):
        errors.append(Error(f"MODERATION['WEBHOOK_RETENTION_DAYS'] must be a number of days above 0, or None to "
                            f"keep webhook records forever; not {retention!r}.", id="moderation.E007"))
    if app_settings.POLICY is not None:
        from .policy.rules import PolicyInvalid, policy_spec_validate

        try:
            policy_spec_validate(app_settings.POLICY)
        except PolicyInvalid as exc:
            errors.append(Error(f"MODERATION['POLICY'] is invalid: {exc}", id="moderation.E003"))
        else:
            errors += _policy_template_warnings()
    from .services.scan_cost import scan_cost_errors

    for problem in scan_cost_errors():
        errors.append(Error(f"MODERATION['SCAN_COST'] is invalid: {problem}", id="moderation.E005"))
    return errors


#: The URL namespaces the plugin's own pages reverse (moderation/templates/moderation/base.html: the queue's
#: navigation), each with a name it reverses and the include that provides it (config/urls.py is the demo's).
PAGE_URL_NAMESPACES = (
    ("moderation", "moderation:queue", 'path("moderation/", include("moderation.urls", namespace="moderation"))'),
    ("compliance", "compliance:report", 'path("moderation/compliance/", include("moderation.compliance.urls"))'),
)


@register(Tags.urls)
def check_url_namespaces(app_configs, **kwargs):
    """Each URL namespace the plugin's pages reverse is in the host's URLconf: without ``compliance`` every page
    of the queue (its navigation links the compliance report) was a 500, ``NoReverseMatch``."""
    from django.urls import NoReverseMatch, reverse

    errors = []
    for namespace, name, include in PAGE_URL_NAMESPACES:
        try:
            reverse(name)
        except NoReverseMatch:
            errors.append(Error(f"No URL pattern has the namespace {namespace!r}: the plugin's pages (queue, audit, "
                                f"stats) link {name!r} and fail without it.",
                                hint=f"Add {include} to your ROOT_URLCONF.", id="moderation.E011"))
        except Exception:  # a URLconf that does not import: Django's own URL checks report it
            return []
    return errors


#: The API's per-client throttle scope (moderation/api/auth.py, ``ClientRateThrottle``).
API_THROTTLE_SCOPE = "api_client"


@register(Tags.compatibility)
def check_api_settings(app_configs, **kwargs):
    """With the API's URLs installed, the ``REST_FRAMEWORK`` settings it needs: drf-spectacular's ``AutoSchema``
    (with DRF's default, ``GET /api/v1/schema`` was a 500) and a rate for the per-client throttle (without one the
    API is not throttled at all)."""
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("api:schema")
    except NoReverseMatch:
        return []  # a host without the REST API
    except Exception:
        return []
    from drf_spectacular.openapi import AutoSchema
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    errors = []
    try:
        schema_class = api_settings.DEFAULT_SCHEMA_CLASS
    except ImportError as exc:
        schema_class = str(exc)
    if not (isinstance(schema_class, type) and issubclass(schema_class, AutoSchema)):
        errors.append(Error(f"REST_FRAMEWORK['DEFAULT_SCHEMA_CLASS'] is {_dotted(schema_class)}, not drf-spectacular's "
                            "AutoSchema: GET /api/v1/schema fails (500).",
                            hint='Set REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] = "drf_spectacular.openapi.AutoSchema" '
                                 "(or a subclass of it).", id="moderation.E013"))
    rates = api_settings.DEFAULT_THROTTLE_RATES or {}
    rates = rates if isinstance(rates, dict) else {}
    rate = rates.get(API_THROTTLE_SCOPE)
    hint = (f'Set REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {{"{API_THROTTLE_SCOPE}": "600/min"}} '
            "(requests per API client; the demo's default), or None where a gateway limits the rate.")
    if API_THROTTLE_SCOPE not in rates:  # None, DRF's way to switch a throttle off, is a host's choice
        errors.append(Warning(f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'] has no {API_THROTTLE_SCOPE!r} rate: the API "
                              "does not limit how often a client calls it.", hint=hint, id="moderation.W014"))
    elif rate is not None:
        try:
            SimpleRateThrottle.parse_rate(None, rate)
        except Exception:
            errors.append(Error(f"REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'][{API_THROTTLE_SCOPE!r}] is {rate!r}, not a "
                                "rate such as '600/min'.", hint=hint, id="moderation.E014"))
    return errors


def _dotted(value) -> str:
    return repr(f"{value.__module__}.{value.__qualname__}" if isinstance(value, type) else value)


@register(Tags.compatibility)
def check_celery_default_queue(app_configs, **kwargs):
    """Tasks without a route go to ``CELERY_TASK_DEFAULT_QUEUE`` (Celery's default: ``celery``). When the host
    routes the plugin's tasks to queues of its own (``CELERY_TASK_ROUTES``, as the demo does), workers are started
    for those queues (``-Q prefix.fast,...``) and the beat tasks without a route (the sweep, the heartbeat, the
    outbox...) sat in a queue nobody consumed. Only the settings are read, not how the workers are started."""
    routes = getattr(settings, "CELERY_TASK_ROUTES", None)
    if not isinstance(routes, dict):
        return []  # no routes, or a router function: not something to compare with
    queues = {route["queue"] for name, route in routes.items()
              if str(name).startswith("moderation.") and isinstance(route, dict) and route.get("queue")}
    default = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
    if not queues or default in queues:
        return []
    schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", None)
    patterns = [str(name) for name in routes]  # Celery reads a route's name as a glob ("moderation.*")
    unrouted = sorted({entry["task"] for entry in schedule.values()
                       if isinstance(entry, dict) and str(entry.get("task", "")).startswith("moderation.")
                       and not any(fnmatch.fnmatchcase(entry["task"], pattern) for pattern in patterns)}
                      ) if isinstance(schedule, dict) else []
    if isinstance(schedule, dict) and not unrouted:
        return []
    which = f" ({', '.join(unrouted)})" if unrouted else ""
    return [Warning(f"CELERY_TASK_DEFAULT_QUEUE is {default!r}, which is none of the queues CELERY_TASK_ROUTES sends the "
                    f"plugin's tasks to ({', '.join(sorted(queues))}): the tasks without a route{which} go to "
                    f"{default!r}, and a worker started for the routed queues never runs them.",
                    hint=f"Set CELERY_TASK_DEFAULT_QUEUE to one of the routed queues (the demo sets "
                         f"f\"{{QUEUE_PREFIX}}.fast\"), or also start a worker for {default!r}.",
                    id="moderation.W012")]


@register(Tags.compatibility)
def check_celery_visibility_timeout(app_configs, **kwargs):
    """Redis hands a message that is still unacknowledged after the transport's ``visibility_timeout`` to another
    worker; the plugin's tasks acknowledge late (after they ran), so a timeout not above the task time limit lets
    a slow evaluation that is still running be run again beside it (docs/deploy.md: keep it above)."""
    broker = str(getattr(settings, "CELERY_BROKER_URL", "") or "")
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None)
    limit = getattr(settings, "CELERY_TASK_TIME_LIMIT", None)
    if not broker.startswith(("redis://", "rediss://", "redis+socket://", "sqs://")) or not isinstance(options, dict):
        return []
    timeout = options.get("visibility_timeout")
    numbers = (int, float)
    if (not isinstance(timeout, numbers) or isinstance(timeout, bool) or not isinstance(limit, numbers)
            or isinstance(limit, bool) or timeout > limit):
        return []
    return [Warning(f"CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'] is {timeout:g} s, not above "
                    f"CELERY_TASK_TIME_LIMIT ({limit:g} s): a task still running when it passes is delivered to "
                    "another worker and runs twice.",
                    hint="Raise it above the task time limit (the demo settings read CELERY_VISIBILITY_TIMEOUT, "
                         "default 3600).",
                    id="moderation.W015")]


def _policy_template_warnings() -> list[Warning]:
    """An enabled ``auto_reject`` rule whose rejection template is missing or inactive: its authors would get the
    default message instead of the operator's. A warning, not an error: templates live in the database, which
    may not exist yet (the first ``migrate``) and which an operator edits while the site runs. (A ``PolicyRule``
    in the admin is refused when saved instead.)"""
    try:
        from .models import RejectionTemplate
        from .policy.engine import current_policy

        wanted = {rule.template: rule.name for rule in current_policy().rules
                  if rule.enabled and rule.outcome == "auto_reject" and rule.template}
        active = set(RejectionTemplate.objects.filter(code__in=wanted, is_active=True).values_list("code", flat=True))
    except Exception:  # no database yet, or no table: nothing to compare with
        return []
    return [Warning(f"Policy rule {name!r} rejects with the template {code!r}, which is not an active rejection "
                    "template: its authors get the default message.",
                    hint="Create or reactivate it (admin → Rejection templates), or correct the rule.",
                    id="moderation.W006")
            for code, name in sorted(wanted.items()) if code not in active]


def _base_template_errors():
    from django.template import TemplateDoesNotExist, TemplateSyntaxError
    from django.template.loader import get_template

    name = app_settings.BASE_TEMPLATE
    if not isinstance(name, str) or not name:
        return [Error("MODERATION['BASE_TEMPLATE'] must name a template.", id="moderation.E010")]
    try:
        template = get_template(name)
    except TemplateDoesNotExist:
        return [Error(f"MODERATION['BASE_TEMPLATE'] names {name!r}, which no template loader finds.",
                      hint="The plugin's pages extend it; it needs the blocks title, head, content and scripts.",
                      id="moderation.E010")]
    except TemplateSyntaxError as exc:
        return [Error(f"MODERATION['BASE_TEMPLATE'] {name!r} does not compile: {exc}", id="moderation.E010")]
    compiled = getattr(template, "template", None)  # Django's own engine; another (Jinja2) is not inspected
    if compiled is None:
        return []
    try:
        blocks = _rendered_block_names(compiled, [compiled.origin])
    except TemplateDoesNotExist as exc:
        return [Error(f"MODERATION['BASE_TEMPLATE'] {name!r} extends {exc.args[0]!r}, which no template loader finds.",
                      id="moderation.E010")]
    except TemplateSyntaxError as exc:
        return [Error(f"MODERATION['BASE_TEMPLATE'] {name!r} does not compile: {exc}", id="moderation.E010")]
    if blocks is None:  # it extends a template named at render time: nothing to compare with
        return []
    missing = [block for block in BASE_TEMPLATE_BLOCKS if block not in blocks]
    if missing:
        return [Error(f"MODERATION['BASE_TEMPLATE'] {name!r} does not define the block"
                      f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}: the plugin's pages put "
                      "their content, styles and scripts in them, and what a missing block holds is not shown.",
                      hint="Add {% block title %}{% endblock %} inside <title>, {% block head %}{% endblock %} in "
                           "<head>, and {% block content %}{% endblock %} and {% block scripts %}{% endblock %} "
                           "in <body>.",
                      id="moderation.E010")]
    return []


#: The blocks the plugin's pages (moderation/base.html and the compliance and public-log pages) fill.
BASE_TEMPLATE_BLOCKS = ("title", "head", "content", "scripts")
_MAX_EXTENDS_DEPTH = 50


def _rendered_block_names(template, history: list, depth: int = 0) -> set[str] | None:
    """The names of the blocks that a template renders, its ``{% extends %}`` parents included; None when it
    extends a template named by a variable (known only at render time). A block a child template defines renders
    only where its parent has that block (or inside one that does), as Django renders them."""
    from django.template.base import Variable
    from django.template.loader_tags import BlockNode, ExtendsNode

    extends = next((node for node in template.nodelist if isinstance(node, ExtendsNode)), None)
    if extends is None:
        return {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
    parent_name = extends.parent_name
    if parent_name.filters or isinstance(parent_name.var, Variable) or not isinstance(parent_name.var, str) \
            or depth >= _MAX_EXTENDS_DEPTH:
        return None
    parent, origin = template.engine.find_template(parent_name.var, skip=history)
    parent_blocks = _rendered_block_names(parent, [*history, origin], depth + 1)
    if parent_blocks is None:
        return None
    names = set(parent_blocks)
    for block in extends.blocks.values():
        if block.name in parent_blocks:
            names.update(node.name for node in block.nodelist.get_nodes_by_type(BlockNode))
    return names


#: The users ``seed_demo`` creates, all with the password "demo".
DEMO_USERNAMES = ("author", "newbie", "reader", "moderator")
#: The demo's key (config/settings/base.py) begins with this.
DEMO_KEY_PREFIXES = ("insecure-",)
#: What ``django-admin startproject`` writes (``django.core.management.utils.get_random_secret_key`` behind it).
DJANGO_INSECURE_KEY_PREFIX = "django-insecure"


def _demo_users_with_demo_password() -> list[str]:
    try:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        return [user.get_username() for user in User.objects.filter(username__in=DEMO_USERNAMES)
                if user.check_password("demo")]
    except Exception:  # the database may not exist yet (first `migrate`, `check --deploy` on a build machine)
        return []


def _unsafe_settings() -> list[Error]:
    errors = []
    if settings.SECRET_KEY.startswith(DJANGO_INSECURE_KEY_PREFIX):
        errors.append(Error("SECRET_KEY is Django's insecure development key (the 'django-insecure-…' key "
                            "that startproject writes into settings.py); anyone who reads your code can sign "
                            "sessions and password-reset links.",
                            hint="Set SECRET_KEY to a secret random value kept out of the code, e.g. from an "
                                 "environment variable: python -c 'import secrets; print(secrets.token_urlsafe(50))'.",
                            id="moderation.E105"))
    elif settings.SECRET_KEY.startswith(DEMO_KEY_PREFIXES) or not settings.SECRET_KEY:
        errors.append(Error("SECRET_KEY is the demo key; set the SECRET_KEY environment variable.",
                            id="moderation.E102"))
    for username in _demo_users_with_demo_password():
        errors.append(Error(f"Demo user {username!r} with password 'demo' exists; delete it or change its "
                            "password.", id="moderation.E103"))
    return errors


@register(Tags.security)
def check_safe_outside_debug(app_configs, **kwargs):
    """Outside DEBUG (i.e. anything but the demo), refuse to start with the demo key or the demo users.

    A normal check, not a ``--deploy`` one: ``runserver``, ``migrate`` and every command refuse, and
    ``config.wsgi`` runs the same checks before serving (see :func:`startup_errors`).
    """
    if settings.DEBUG:
        return []
    errors = _unsafe_settings()
    if app_settings.ALLOW_PRIVATE_WEBHOOK_URLS:
        errors.append(Warning("MODERATION['ALLOW_PRIVATE_WEBHOOK_URLS'] is on: webhooks may be sent to loopback "
                              "and private addresses (SSRF). Keep it for a trusted private network only.",
                              id="moderation.W104"))
    return errors


@register(Tags.security, deploy=True)
def check_production_safety(app_configs, **kwargs):
    """``check --deploy``: DEBUG and private webhook addresses too (the rest runs on every start)."""
    errors = []
    if settings.DEBUG:
        errors.append(Error("DEBUG is on.", id="moderation.E101"))
        errors += _unsafe_settings()  # with DEBUG the start-up check stays quiet; --deploy does not
    if app_settings.ALLOW_PRIVATE_WEBHOOK_URLS:
        errors.append(Error("MODERATION['ALLOW_PRIVATE_WEBHOOK_URLS'] is on in a deployment.", id="moderation.E104"))
    return errors


def worker_startup_errors() -> list:
    """The settings errors that would fail every task (adapter, classifiers, policy, scan cost), for Celery
    workers, which ignore what the system checks find: a bad ``MODERATION["POLICY"]`` failed every evaluation and left every
    post pending. (The web server's other refusals, the demo key and users, are about serving pages.)"""
    return [message for message in check_moderation_settings(None)
            if message.is_serious() and not message.is_silenced()]


def startup_errors() -> list:
    """The serious system-check messages (what ``runserver`` refuses on), for servers that skip checks."""
    from django.core import checks

    return [message for message in checks.run_checks() if message.is_serious() and not message.is_silenced()]
