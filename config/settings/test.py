"""Test settings: real PostgreSQL and real Redis, as in production (see docs/architecture.md, "Pitfalls").

``DATABASE_URL`` / ``REDIS_URL`` override the defaults below; pytest-django creates ``test_<name>``.
Each test run gets its own queue names, so runs that share the machine's Redis cannot steal each
other's tasks; a worker subprocess inherits them through the environment.
"""
import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("CELERY_QUEUE_PREFIX", f"test{os.getpid()}")
os.environ.setdefault("ALLOW_PRIVATE_WEBHOOK_URLS", "1")

from .base import *  # noqa: E402,F401,F403
from .base import MODERATION, REST_FRAMEWORK  # noqa: E402

DEBUG = False
# Not the demo key: outside DEBUG the system checks refuse that one (moderation.E102).
SECRET_KEY = "test-settings-only-key-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No classifier unless a test configures one (then evaluation is inline at submit; with one, it is queued).
MODERATION = {**MODERATION, "ALLOW_PRIVATE_WEBHOOK_URLS": True, "CLASSIFIERS": []}
# Throttling effectively off; tests/api/test_throttling.py turns it on with override_settings.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api_client": "100000/min"}}
