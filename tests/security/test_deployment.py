"""Deployment: DEBUG is off unless asked for, the production profile passes ``check --deploy`` with no warning,
and outside DEBUG the product refuses to start with the demo key or the demo users (not only under --deploy)."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.security

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str = "", *args: str, settings: str = "config.settings.base", **env: str):
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("DEBUG", "SECRET_KEY", "ALLOW_PRIVATE_WEBHOOK_URLS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment.update(DJANGO_SETTINGS_MODULE=settings, **env)
    command = [sys.executable, *(["-c", code] if code else []), *args]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_debug_and_private_webhooks_are_off_unless_the_environment_turns_them_on():
    done = run_python("import django; django.setup(); from django.conf import settings as s; "
                      "print(s.DEBUG, s.MODERATION['ALLOW_PRIVATE_WEBHOOK_URLS'])")
    assert done.stdout.split() == ["False", "False"], done.stderr
    demo = run_python("import django; django.setup(); from django.conf import settings as s; "
                      "print(s.DEBUG, s.MODERATION['ALLOW_PRIVATE_WEBHOOK_URLS'])", DEBUG="1")
    # DEBUG alone no longer opens webhooks to private addresses; `make run` sets both explicitly.
    assert demo.stdout.split() == ["True", "False"], demo.stderr


def test_make_run_sets_what_the_demo_needs():
    script = (ROOT / "scripts" / "run.sh").read_text()
    assert 'DEBUG="${DEBUG:-1}"' in script and 'ALLOW_PRIVATE_WEBHOOK_URLS="${ALLOW_PRIVATE_WEBHOOK_URLS:-1}"' in script


def test_production_profile_passes_check_deploy_with_no_warning():
    done = run_python("", "manage.py", "check", "--deploy", settings="config.settings.production",
                      SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="forum.example")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout, done.stdout + done.stderr


def test_production_profile_has_secure_cookies_and_hsts():
    done = run_python("import django; django.setup(); from django.conf import settings as s; "
                      "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
                      "s.SECURE_HSTS_SECONDS >= 31536000, s.MODERATION['ALLOW_PRIVATE_WEBHOOK_URLS'])",
                      settings="config.settings.production", SECRET_KEY=secrets.token_urlsafe(50),
                      ALLOW_PRIVATE_WEBHOOK_URLS="1", DEBUG="1")
    assert done.stdout.split() == ["False", "True", "True", "True", "True", "False"], done.stderr


def test_the_demo_key_refuses_to_start_outside_debug_without_deploy_flag():
    done = run_python("", "manage.py", "check", settings="config.settings.production", ALLOWED_HOSTS="x.example")
    assert done.returncode != 0
    assert "moderation.E102" in done.stderr


def test_a_wsgi_server_refuses_the_demo_key_too():
    done = run_python("import config.wsgi", settings="config.settings.production", ALLOWED_HOSTS="x.example")
    assert done.returncode != 0
    assert "Refusing to start" in done.stderr and "moderation.E102" in done.stderr


def test_a_celery_worker_refuses_to_start_with_a_policy_that_would_fail_every_evaluation(tmp_path):
    """The worker started, and every evaluation raised: every post stayed pending, unseen by readers and by
    moderators. ``check`` and the WSGI module refused the setting; the worker runs no system checks."""
    (tmp_path / "bad_policy_settings.py").write_text(
        "from config.settings.base import *  # noqa: F401,F403\n"
        "from config.settings.base import MODERATION\n"
        "MODERATION = {**MODERATION, 'POLICY': {'version': 'x', 'rules': [{'name': 'r1', 'when': {'alwayz': True},"
        " 'outcome': 'hold', 'reason': 'x1', 'priority': 10}]}}\n")
    done = run_python("", "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING",
                      settings="bad_policy_settings", PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")
    assert done.returncode != 0
    assert "Refusing to start" in done.stderr and "moderation.E003" in done.stderr and "alwayz" in done.stderr


def test_the_demo_is_still_allowed_with_debug():
    done = run_python("", "manage.py", "check", DEBUG="1")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["author", "newbie", "reader", "moderator"])
def test_every_demo_user_with_the_demo_password_is_refused_outside_debug(django_user_model, settings, username):
    from moderation.checks import check_production_safety, check_safe_outside_debug

    django_user_model.objects.create_user(username=username, password="demo")
    settings.DEBUG = False
    assert [e.id for e in check_safe_outside_debug(None) if e.is_serious()] == ["moderation.E103"]
    settings.DEBUG = True
    assert check_safe_outside_debug(None) == []
    assert {"moderation.E101", "moderation.E103"} <= {e.id for e in check_production_safety(None)}


@pytest.mark.django_db
def test_a_demo_user_with_a_real_password_is_fine(django_user_model, settings):
    from moderation.checks import check_safe_outside_debug

    django_user_model.objects.create_user(username="moderator", password=secrets.token_urlsafe(16))
    settings.DEBUG = False
    assert "moderation.E103" not in {e.id for e in check_safe_outside_debug(None)}


@pytest.mark.django_db
def test_djangos_own_insecure_key_is_refused_as_what_it_is(settings):
    """A host's settings.py from ``startproject`` keeps ``django-insecure-…``: it is refused outside DEBUG, and the
    message says it is Django's development key (it used to call it "the demo key")."""
    from django.core.management.utils import get_random_secret_key

    from moderation.checks import check_safe_outside_debug

    settings.DEBUG = False
    settings.SECRET_KEY = "django-insecure-" + get_random_secret_key()
    errors = [e for e in check_safe_outside_debug(None) if e.is_serious()]
    assert [e.id for e in errors] == ["moderation.E105"]
    assert "Django's insecure development key" in errors[0].msg and "demo" not in errors[0].msg
    assert "SECRET_KEY" in errors[0].hint


@pytest.mark.django_db
def test_the_demo_key_keeps_its_own_message(settings):
    from config.settings.base import DEMO_SECRET_KEY
    from moderation.checks import check_safe_outside_debug

    settings.DEBUG = False
    settings.SECRET_KEY = DEMO_SECRET_KEY
    errors = [e for e in check_safe_outside_debug(None) if e.is_serious()]
    assert [(e.id, e.msg) for e in errors] == [
        ("moderation.E102", "SECRET_KEY is the demo key; set the SECRET_KEY environment variable.")]


# --- Found by an operator's review: a mistyped setting in the environment ----------------------------------

@pytest.mark.parametrize("name, value", [
    ("CELERY_VISIBILITY_TIMEOUT", "1h"), ("LOG_LEVEL", "LOUD"), ("LOG_FORMAT", "xml"),
    ("REDIS_SOCKET_TIMEOUT", "1s"), ("WORKER_NICENESS", "low"), ("AXES_FAILURE_LIMIT", "five"),
    ("DATA_UPLOAD_MAX_MEMORY_SIZE", "2MB"),
])
def test_a_malformed_value_in_the_environment_is_refused_naming_the_variable(name, value):
    """The last line of what the operator reads names the variable and its value: int() said only
    "invalid literal for int() with base 10: '1h'", LOG_LEVEL=LOUD "Unable to configure root logger", and
    LOG_FORMAT=xml was read as console without a word."""
    done = run_python("", "manage.py", "check", REDIS_URL="redis://127.0.0.1:6379/14", **{name: value})
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: ") and f"{name}={value!r}" in last, \
        done.stderr[-2000:]


def test_the_log_level_may_be_written_in_lower_case():
    """``LOG_LEVEL=info`` stopped every role with "Unable to configure root logger"."""
    done = run_python("import django; django.setup(); import logging; print(logging.getLogger().level)",
                      LOG_LEVEL="info")
    assert done.stdout.split() == [str(20)], done.stderr[-2000:]
