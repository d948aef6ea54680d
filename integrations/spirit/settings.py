"""Spirit with the plugin: the project's base settings (database, broker, Celery, the plugin's own dicts),
plus what Spirit's project template asks for (its apps, middlewares, context processor, caches, search).

Embedded default as for ``make run``: SQLite and the filesystem broker under ``VAR_DIR`` (``make run-spirit``
uses ``.var/spirit`` so it never shares a database with the demo forum). ``DATABASE_URL`` / ``REDIS_URL``
switch to PostgreSQL / Redis as in production.
"""
import os

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import BASE_DIR, DISCLOSURE, INSTALLED_APPS, MIDDLEWARE, MODERATION, TEMPLATES, VAR_DIR

ROOT_URLCONF = "integrations.spirit.urls"

# The plugin's apps stay; the demo forum goes (Spirit is the host forum now).
INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "forum"] + [
    "django.contrib.humanize",
    "spirit.core",
    "spirit.admin",
    "spirit.search",
    "spirit.user",
    "spirit.user.admin",
    "spirit.user.auth",
    "spirit.category",
    "spirit.category.admin",
    "spirit.topic",
    "spirit.topic.admin",
    "spirit.topic.favorite",
    "spirit.topic.moderate",
    "spirit.topic.notification",
    "spirit.topic.private",
    "spirit.topic.unread",
    "spirit.comment",
    "spirit.comment.bookmark",
    "spirit.comment.flag",
    "spirit.comment.flag.admin",
    "spirit.comment.history",
    "spirit.comment.like",
    "spirit.comment.poll",
    "djconfig",
    "haystack",
    "integrations.spirit",
]

# Spirit's templates are full of inline <script> blocks, so the project's strict CSP (script-src 'self')
# cannot be kept on Spirit pages: the CSP middleware goes (docs/integrations/spirit.md).
MIDDLEWARE = [m for m in MIDDLEWARE if m != "csp.middleware.CSPMiddleware"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.common.CommonMiddleware"),
                  "django.middleware.locale.LocaleMiddleware")
MIDDLEWARE += [
    "spirit.user.middleware.TimezoneMiddleware",
    "spirit.user.middleware.LastIPMiddleware",
    "spirit.user.middleware.LastSeenMiddleware",
    "spirit.user.middleware.ActiveUserMiddleware",
    "spirit.core.middleware.PrivateForumMiddleware",
    "djconfig.middleware.DjConfigMiddleware",
]

INTEGRATION_DIR = BASE_DIR / "integrations" / "spirit"
TEMPLATES = [{
    **TEMPLATES[0],
    # Our overrides of Spirit's templates come before Spirit's own.
    "DIRS": [INTEGRATION_DIR / "templates", BASE_DIR / "templates"],
    "OPTIONS": {"context_processors": [
        "django.contrib.auth.context_processors.auth",
        "django.template.context_processors.debug",
        "django.template.context_processors.i18n",
        "django.template.context_processors.media",
        "django.template.context_processors.static",
        "django.template.context_processors.tz",
        "django.template.context_processors.request",
        "django.contrib.messages.context_processors.messages",
        "djconfig.context_processors.config",
    ]},
}]

# Spirit's rate limiter needs a cache whose entries never expire; the database cache survives restarts and
# is shared by every process (``createcachetable`` makes the tables; run-spirit.sh runs it).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "spirit_cache"},
    "st_rate_limit": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "spirit_rl_cache",
                      "TIMEOUT": None},
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # login brute-force protection, as in the demo forum
    "spirit.user.auth.backends.UsernameAuthBackend",
    "spirit.user.auth.backends.EmailAuthBackend",
]

HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
                                    "PATH": str(VAR_DIR / "st_search")}}
HAYSTACK_SIGNAL_PROCESSOR = "spirit.search.signals.RealtimeSignalProcessor"

LOGIN_URL = "spirit:user:auth:login"
LOGIN_REDIRECT_URL = "spirit:user:update"
LOGOUT_REDIRECT_URL = "spirit:index"
LANGUAGE_CODE = "en"

MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "spirit.core.storage.OverwriteFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

ST_SITE_URL = os.environ.get("ST_SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/")
# Spirit's own task runner stays off: search indexing and e-mails run inline. The plugin's evaluation runs on
# the project's Celery worker as always.
ST_TASK_MANAGER = None
ST_UPLOAD_FILE_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

MODERATION = {**MODERATION, "ADAPTER": "integrations.spirit.adapter.SpiritModerationAdapter",
              # The queue's pages are drawn in a Spirit-looking frame, not the project's base.html.
              "BASE_TEMPLATE": "ai_spirit/moderation_frame.html"}
#: Spirit's @mentions in the comments the plugin renders (integrations/spirit/markdown.py).
DISCLOSURE = {**DISCLOSURE, "MARKDOWN_PLUGINS": ["integrations.spirit.markdown.mentions"]}

#: The integration's own settings (read by integrations.spirit.adapter).
SPIRIT_AI_DISCLOSURE = {
    # Spirit category slugs whose comments must carry a disclosure (the API answers 422 without one) and
    # whose topics inform the public on matters of public interest (EU AI Act Art. 50(4)).
    "CATEGORIES_REQUIRING_DISCLOSURE": [],
    "PUBLIC_INTEREST_CATEGORIES": [],
    # Comments in Spirit's private topics (conversations between a few users) are not sent to the plugin, so
    # they never show in the review queue, which Spirit's moderators could otherwise read. True: they are
    # moderated like public topics, each private form (a new conversation's too) with the disclosure form.
    "MODERATE_PRIVATE_TOPICS": False,
}
