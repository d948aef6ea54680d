"""Production profile: ``DJANGO_SETTINGS_MODULE=config.settings.production``.

Everything in :mod:`config.settings.base`, with DEBUG forced off and the HTTPS settings on, so that
``manage.py check --deploy`` passes with no warning. Set at least ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; the system checks refuse to start with the demo key or the
demo users. Behind a TLS-terminating proxy, set ``SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto`` (the proxy must
overwrite that header).
"""
import os

from config.env import env_number

from .base import *  # noqa: F401,F403
from .base import MODERATION

DEBUG = False
MODERATION = {**MODERATION, "ALLOW_PRIVATE_WEBHOOK_URLS": False}

SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "1") == "1"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if _proxy_header := os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (f"HTTP_{_proxy_header.upper().replace('-', '_')}", "https")

# Static files under hashed names: `collectstatic` writes them and a manifest, WhiteNoise serves them with
# far-future cache headers, {% static %} asks for the hashed name (docs/deploy.md; tests/deploy).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
