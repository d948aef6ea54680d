"""What ``manage.py check`` tells a host that installed the plugin by following docs/integrating.md: each setting
or URL include the docs ask for and the host left out is named at start-up, instead of a 500 on the first
request (or a queue that quietly renders without its styles, or beat tasks nobody runs)."""
from __future__ import annotations

import types

import pytest
from django.core.checks import run_checks
from django.urls import include, path


def ids(messages) -> list[str]:
    return [message.id for message in messages]


def urlconf(*patterns) -> types.ModuleType:
    module = types.ModuleType("host_urls")
    module.urlpatterns = list(patterns)
    return module


DISCLOSURE_URLS = path("disclosure/", include("disclosure.urls"))
MODERATION_URLS = path("moderation/", include("moderation.urls", namespace="moderation"))
COMPLIANCE_URLS = path("moderation/compliance/", include("moderation.compliance.urls"))
API_URLS = path("api/v1/", include("moderation.api.urls"))


# --- URL includes: the queue's pages reverse the moderation and compliance namespaces -------------------------

def test_the_demos_urls_pass():
    from moderation.checks import check_url_namespaces

    assert check_url_namespaces(None) == []


def test_a_host_without_the_compliance_include_is_told_which_include_to_add(settings):
    """What docs/integrating.md listed (disclosure, moderation, the API): the queue, audit and stats pages were
    all a 500, NoReverseMatch: 'compliance' is not a registered namespace."""
    from moderation.checks import check_url_namespaces

    settings.ROOT_URLCONF = urlconf(DISCLOSURE_URLS, MODERATION_URLS, API_URLS)
    errors = check_url_namespaces(None)
    assert ids(errors) == ["moderation.E011"]
    assert "'compliance'" in errors[0].msg
    assert 'include("moderation.compliance.urls")' in errors[0].hint
    assert "moderation.E011" in ids(run_checks())  # registered: `manage.py check` runs it


def test_a_host_without_any_of_the_plugins_pages_is_told_both(settings):
    from moderation.checks import check_url_namespaces

    settings.ROOT_URLCONF = urlconf(DISCLOSURE_URLS, API_URLS)
    errors = check_url_namespaces(None)
    assert ids(errors) == ["moderation.E011", "moderation.E011"]
    assert ["'moderation'" in errors[0].msg, "'compliance'" in errors[1].msg] == [True, True]
    assert 'namespace="moderation"' in errors[0].hint


def test_the_namespaces_checked_are_the_ones_the_plugins_frame_reverses():
    """Every ``{% url 'namespace:...' %}`` in moderation/base.html (the queue's navigation) is checked."""
    import re
    from pathlib import Path

    import moderation
    from moderation.checks import PAGE_URL_NAMESPACES

    base = (Path(moderation.__file__).parent / "templates" / "moderation" / "base.html").read_text()
    reversed_there = set(re.findall(r"{% url '([a-z_]+):", base))
    assert reversed_there == {namespace for namespace, _, _ in PAGE_URL_NAMESPACES}


# --- The REST API: drf-spectacular's AutoSchema and the per-client throttle rate ------------------------------

def test_the_demos_rest_framework_settings_pass():
    from moderation.checks import check_api_settings

    assert check_api_settings(None) == []


def test_without_the_demos_rest_framework_settings_the_schema_class_and_throttle_rate_are_named(settings):
    """With DRF's defaults, GET /api/v1/schema was a 500 ("Incompatible AutoSchema used on View") and the API was
    not throttled."""
    from moderation.checks import check_api_settings

    settings.REST_FRAMEWORK = {}
    errors = check_api_settings(None)
    assert ids(errors) == ["moderation.E013", "moderation.W014"]
    assert "rest_framework.schemas.openapi.AutoSchema" in errors[0].msg
    assert "drf_spectacular.openapi.AutoSchema" in errors[0].hint
    assert "'api_client'" in errors[1].msg


def test_no_throttle_said_on_purpose_is_a_hosts_choice(settings):
    """None is DRF's way to switch a throttle off (a gateway limits the rate): it was an error that stopped the
    host's start-up (found by review)."""
    from moderation.checks import check_api_settings

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_client": None}}
    assert check_api_settings(None) == []


def test_a_silenced_check_does_not_stop_the_start_up(settings):
    from moderation.checks import startup_errors

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_client": "lots"}}
    assert "moderation.E014" in ids(startup_errors())
    settings.SILENCED_SYSTEM_CHECKS = ["moderation.E014"]
    assert "moderation.E014" not in ids(startup_errors())


def test_a_subclass_of_drf_spectaculars_autoschema_is_fine(settings):
    from moderation.checks import check_api_settings

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_SCHEMA_CLASS": "tests.integrations.test_integrator_checks.HostSchema"}
    assert check_api_settings(None) == []


def test_a_throttle_rate_that_is_not_a_rate_is_named(settings):
    from moderation.checks import check_api_settings

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_client": "lots"}}
    errors = check_api_settings(None)
    assert ids(errors) == ["moderation.E014"] and "'lots'" in errors[0].msg


def test_a_host_without_the_api_needs_no_api_settings(settings):
    from moderation.checks import check_api_settings

    settings.ROOT_URLCONF = urlconf(DISCLOSURE_URLS, MODERATION_URLS, COMPLIANCE_URLS)
    settings.REST_FRAMEWORK = {}
    assert check_api_settings(None) == []


try:
    from drf_spectacular.openapi import AutoSchema as _AutoSchema

    class HostSchema(_AutoSchema):
        pass
except ImportError:  # pragma: no cover
    pass


# --- Celery: the tasks without a route go to the default queue, which must be one the workers consume --------

def test_routes_given_as_a_glob_route_every_task(settings):
    """Celery reads "moderation.*" as a pattern: every task was reported unrouted (found by review)."""
    from moderation.checks import check_celery_default_queue

    settings.CELERY_TASK_ROUTES = {"moderation.*": {"queue": "forum.tasks"}}
    settings.CELERY_TASK_DEFAULT_QUEUE = "celery"
    assert check_celery_default_queue(None) == []


def test_the_demos_celery_settings_pass():
    from moderation.checks import check_celery_default_queue

    assert check_celery_default_queue(None) == []


def test_routes_copied_without_the_default_queue_leave_the_beat_tasks_unconsumed(settings):
    """The host copied CELERY_TASK_ROUTES and CELERY_BEAT_SCHEDULE, as the docs said, and started workers with
    ``-Q prefix.fast,prefix.slow,prefix.webhooks``: the heartbeat, the sweep and the outbox went to ``celery``."""
    from moderation.checks import check_celery_default_queue

    del settings.CELERY_TASK_DEFAULT_QUEUE
    warnings = check_celery_default_queue(None)
    assert ids(warnings) == ["moderation.W012"]
    message = warnings[0].msg
    assert "'celery'" in message
    for task in ("moderation.sweep_unevaluated", "moderation.worker_heartbeat", "moderation.dispatch_outbox",
                 "moderation.expire_claims", "moderation.prune_idempotency_records"):
        assert task in message
    assert "moderation.deliver_due_webhooks" not in message  # routed
    assert "moderation.W012" in ids(run_checks())


def test_no_routes_means_one_default_queue_and_no_warning(settings):
    from moderation.checks import check_celery_default_queue

    del settings.CELERY_TASK_ROUTES
    del settings.CELERY_TASK_DEFAULT_QUEUE
    assert check_celery_default_queue(None) == []


# --- MODERATION["BASE_TEMPLATE"]: the four blocks the plugin's pages fill --------------------------------------

@pytest.fixture
def frames(settings, tmp_path):
    """Templates in a directory of their own, found before the project's."""
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    def write(name: str, text: str) -> str:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
        return name

    return write


def base_template_errors(settings, name):
    from moderation.checks import check_moderation_settings

    settings.MODERATION = {**settings.MODERATION, "BASE_TEMPLATE": name}
    return [e for e in check_moderation_settings(None) if e.id == "moderation.E010"]


FULL = ("<title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}"
        "<body>{% block content %}{% endblock %}{% block scripts %}{% endblock %}</body>")


def test_a_base_template_with_the_four_blocks_passes(settings, frames):
    assert base_template_errors(settings, frames("frame.html", FULL)) == []
    assert base_template_errors(settings, "base.html") == []  # the demo's


def test_a_base_template_without_head_and_scripts_is_an_error_naming_them(settings, frames):
    """It loaded, so the check passed, and the queue rendered without its CSS and JavaScript."""
    name = frames("frame.html", "<title>{% block title %}{% endblock %}</title>{% block content %}{% endblock %}")
    errors = base_template_errors(settings, name)
    assert len(errors) == 1
    assert "does not define the blocks head, scripts" in errors[0].msg
    assert "title" not in errors[0].msg.split("blocks")[1].split(":")[0]


def test_blocks_from_the_templates_it_extends_count(settings, frames):
    frames("layout.html", FULL)
    assert base_template_errors(settings, frames("frame.html", '{% extends "layout.html" %}'
                                                               "{% block content %}<main>{% endblock %}")) == []
    frames("partial_layout.html", "<title>{% block title %}{% endblock %}</title>{% block body %}{% endblock %}")
    nested = frames("frame2.html", '{% extends "partial_layout.html" %}{% block body %}{% block head %}{% endblock %}'
                                   "{% block content %}{% endblock %}{% endblock %}")
    errors = base_template_errors(settings, nested)
    assert len(errors) == 1 and "does not define the block scripts" in errors[0].msg


def test_a_block_its_parent_never_renders_does_not_count(settings, frames):
    """Django renders a child's block only where the parent has it: a ``scripts`` block the layout lacks is lost."""
    frames("layout.html", "<title>{% block title %}{% endblock %}</title>{% block head %}{% endblock %}"
                          "{% block content %}{% endblock %}")
    name = frames("frame.html", '{% extends "layout.html" %}{% block scripts %}{% endblock %}')
    errors = base_template_errors(settings, name)
    assert len(errors) == 1 and "scripts" in errors[0].msg


def test_a_template_extending_one_of_the_same_name_is_followed(settings, frames):
    """``templates/base.html`` that extends an app's ``base.html`` (Django skips the template itself)."""
    name = frames("base.html", '{% extends "base.html" %}{% block content %}{% endblock %}')
    assert base_template_errors(settings, name) == []  # the project's base.html has all four


def test_a_template_extended_dynamically_is_not_guessed_at(settings, frames):
    assert base_template_errors(settings, frames("frame.html", "{% extends layout_name %}")) == []
    assert base_template_errors(settings, frames("frame2.html", '{% extends "x.html"|add:"" %}')) == []


def test_a_parent_nobody_can_load_is_an_error(settings, frames):
    errors = base_template_errors(settings, frames("frame.html", '{% extends "no/such/layout.html" %}'))
    assert len(errors) == 1 and "'no/such/layout.html'" in errors[0].msg


# --- DISCLOSURE: an unknown key is a warning, as for MODERATION ------------------------------------------------

def test_an_unknown_disclosure_setting_is_a_warning(settings):
    from disclosure.checks import check_known_settings

    settings.DISCLOSURE = {"AI_BLOCKS_COLLAPSED_BY_DEFAULT": False, "AI_BLOCKS_COLLAPSED": False}
    warnings = check_known_settings(None)
    assert ids(warnings) == ["disclosure.W001"]
    assert "'AI_BLOCKS_COLLAPSED'" in warnings[0].msg and "AI_BLOCKS_COLLAPSED_BY_DEFAULT" in warnings[0].hint
    assert "disclosure.W001" in ids(run_checks())


def test_the_known_disclosure_settings_pass(settings):
    from disclosure.checks import check_known_settings
    from disclosure.conf import DEFAULTS

    settings.DISCLOSURE = dict(DEFAULTS)
    assert check_known_settings(None) == []


# --- Found by an operator's review: the broker's visibility timeout and the task time limit --------------------

def test_a_visibility_timeout_not_above_the_task_time_limit_is_named(settings):
    """docs/deploy.md: keep CELERY_VISIBILITY_TIMEOUT above the 300 s task time limit, or Redis hands a task that
    is still running to a second worker. ``CELERY_VISIBILITY_TIMEOUT=100`` passed every check."""
    from moderation.checks import check_celery_visibility_timeout

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_TASK_TIME_LIMIT = 300
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 100}
    warnings = check_celery_visibility_timeout(None)
    assert ids(warnings) == ["moderation.W015"]
    assert "visibility_timeout" in warnings[0].msg and "100" in warnings[0].msg and "300" in warnings[0].msg
    assert "CELERY_VISIBILITY_TIMEOUT" in warnings[0].hint
    assert "moderation.W015" in ids(run_checks())
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
    assert check_celery_visibility_timeout(None) == []


def test_no_visibility_timeout_to_compare_means_no_warning(settings):
    """The filesystem broker (the embedded default) has none; Redis's own default is an hour; a task with no
    time limit cannot be compared."""
    from moderation.checks import check_celery_visibility_timeout

    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 10}
    assert check_celery_visibility_timeout(None) == []
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    assert check_celery_visibility_timeout(None) == []
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 10}
    settings.CELERY_TASK_TIME_LIMIT = None
    assert check_celery_visibility_timeout(None) == []
