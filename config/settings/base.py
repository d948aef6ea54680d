"""Settings for the demo forum and the plugin.

Everything that differs between a laptop and production comes from the environment:

- ``DATABASE_URL``: PostgreSQL in production; unset means SQLite under ``.var/`` (the embedded default).
- ``REDIS_URL``: the Celery broker; unset means kombu's filesystem transport under ``.var/broker``,
  so the whole product runs on one laptop with no server but the one ``make run`` starts.
- ``SECRET_KEY``, ``DEBUG``, ``ALLOWED_HOSTS``: the usual. ``DEBUG`` is off unless the environment says
  ``DEBUG=1`` (``make run`` does, for the demo); outside DEBUG the system checks refuse to start with the demo
  key, the demo users or private webhook addresses allowed (``moderation.checks``). Production deployments
  use ``config.settings.production``, which also turns on secure cookies, HSTS and the HTTPS redirect.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import LOG_LEVELS, env_choice, env_number
from config.log import configure as configure_logging

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / ".var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEMO_SECRET_KEY = "insecure-demo-key-do-not-use-in-production"
DEBUG = os.environ.get("DEBUG", "0") == "1"
# The demo key is only a fallback for the demo: without DEBUG, the system check moderation.E102 refuses it.
SECRET_KEY = os.environ.get("SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "disclosure",
    "moderation",
    "forum",
    "django_structlog",
    "axes",  # brute-force protection for the login forms (last, as its documentation asks)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the language switch's choice (cookie), else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # A request_id (and the user) on every line logged while serving a request (django-structlog).
    "django_structlog.middlewares.RequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "forum.context_processors.demo",
            ],
        },
    },
]


def _database_from_env() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        return dj_database_url.parse(url, conn_max_age=60)
    # Embedded default. WAL + a busy timeout + IMMEDIATE transactions let the web process and the
    # worker write at once, and the engine retries a transaction's start when SQLite still answers
    # "database is locked" under a burst of writers (config/sqlite_backend; docs/architecture.md, "Pitfalls").
    return {
        "ENGINE": "config.sqlite_backend",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database_from_env()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
# Login brute-force protection (django-axes) on /accounts/login/ and /admin/login/: after AXES_FAILURE_LIMIT
# failures for one username from one address, that pair is locked out (HTTP 429) for AXES_COOLOFF_TIME;
# a success resets the count. Per pair, so an attacker cannot lock a moderator out from everywhere.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_number("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_number("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
# English and one complete translation (German), as proof that every user-facing string is translatable:
# each app keeps its catalogue in <app>/locale/, the project's templates theirs in locale/.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# A body over this raises RequestDataTooBig; the API maps it to 413 (see moderation.api).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_number("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)

# Content-Security-Policy: no inline scripts, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# One cache shared by every web process when Redis is there (API throttling counts per client across
# processes); the embedded default keeps a per-process memory cache.
# Short socket timeouts: a Redis that is down or black-holed costs a request about a second, never a hang, and
# the API throttle fails open while it is away (moderation.api.auth.ClientRateThrottle).
REDIS_SOCKET_TIMEOUT = env_number("REDIS_SOCKET_TIMEOUT", 1.0)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"],
                      "KEY_PREFIX": os.environ.get("CELERY_QUEUE_PREFIX", "aidisclosure"),
                      "OPTIONS": {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                                  "socket_timeout": REDIS_SOCKET_TIMEOUT}}} \
    if os.environ.get("REDIS_URL") else {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
QUEUE_PREFIX = os.environ.get("CELERY_QUEUE_PREFIX", "aidisclosure")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    _visibility_timeout = env_number("CELERY_VISIBILITY_TIMEOUT", 3600)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility_timeout,
        # A black-holed Redis must not hang an enqueue (a web request, the sweep): fail after a few seconds;
        # the post stays saved and the sweep re-enqueues it (moderation.services.intake.enqueue_evaluation).
        "socket_timeout": 2 * REDIS_SOCKET_TIMEOUT,
        "socket_connect_timeout": 2 * REDIS_SOCKET_TIMEOUT,
        # kombu looks for abandoned (unacked) messages every interval × throttle seconds, 100 s by default;
        # a short visibility timeout (the worker-kill tests) wants that sweep at least as often.
        **({"unacked_restore_interval": 1, "unacked_restore_throttle": 1} if _visibility_timeout < 100 else {}),
    }
else:
    _broker_dir = VAR_DIR / "broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing: a couple of quick retries, then give up (the caller logs it; the sweep re-enqueues later).
CELERY_BROKER_CONNECTION_TIMEOUT = 2 * REDIS_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Each pool process loads the classifiers' models before it reports ready (moderation.tasks.warm_up_pool_process):
# seconds on an idle machine, tens of seconds on a busy one, far over Celery's default 4 s.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 180
CELERY_TASK_DEFAULT_QUEUE = f"{QUEUE_PREFIX}.fast"
CELERY_TASK_ROUTES = {
    "moderation.evaluate_revision": {"queue": f"{QUEUE_PREFIX}.fast"},
    # Classifiers with queue="slow" (a language-model stage) run here, so they never hold up the fast ones.
    "moderation.evaluate_revision_slow": {"queue": f"{QUEUE_PREFIX}.slow"},
    "moderation.deliver_webhook": {"queue": f"{QUEUE_PREFIX}.webhooks"},
    "moderation.deliver_due_webhooks": {"queue": f"{QUEUE_PREFIX}.webhooks"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-unevaluated": {"task": "moderation.sweep_unevaluated", "schedule": 30.0},
    "dispatch-outbox": {"task": "moderation.dispatch_outbox", "schedule": 10.0},
    "prune-idempotency-records": {"task": "moderation.prune_idempotency_records", "schedule": 3600.0},
    "prune-webhook-records": {"task": "moderation.prune_webhook_records", "schedule": 3600.0},
    "deliver-due-webhooks": {"task": "moderation.deliver_due_webhooks", "schedule": 10.0},
    "expire-claims": {"task": "moderation.expire_claims", "schedule": 60.0},
    "worker-heartbeat": {"task": "moderation.worker_heartbeat", "schedule": 15.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Django REST framework ----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_RATES": {"api_client": os.environ.get("API_THROTTLE_RATE", "600/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AI disclosure & moderation API",
    "DESCRIPTION": "Submit posts with AI-assistance disclosures, get verdicts, receive signed webhooks, "
    "and drive the moderator review queue.",
    # 1.1: OpenAPI 3.1 with the webhook bodies; submissions' "editor", "edited_by". 1.2: 409 on another author's
    # id, the 409 bodies' extra keys published, webhook statuses as the named enums (CHANGELOG, round 19). 1.3: a
    # host's own removal of a post (PUT/DELETE /submissions/{id}/removal, "removed_in_forum"), an author's erasure
    # and data export (POST /erasures, /author-data), moderators' notes (/review-items/{id}/notes); round 20. 1.4:
    # Idempotency-Key on every POST that creates or changes something but erasures (round 21). 1.5: a hide needs a
    # reason (round 23). 1.5.1: request bodies publish "additionalProperties": false, as the server always refused
    "VERSION": "1.5.1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # 3.1, for its "webhooks": the deliveries' bodies, so that a receiver's types can be generated too
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        "moderation.api.webhooks_schema.submission_evaluated",
        "moderation.api.webhooks_schema.submission_queued",
        "moderation.api.webhooks_schema.review_decided",
    ],
    # the webhook bodies' statuses refer to the API's named enums (one type per status in generated clients)
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "moderation.api.webhooks_schema.refer_to_named_enums"],
    # Swagger UI's files come from the drf-spectacular-sidecar package (served locally: no CDN, CSP-safe).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SubmissionStatusEnum": "moderation.models.SubmissionStatus",
        "ReviewStatusEnum": "moderation.models.ReviewStatus",
        "ReviewItemKindEnum": "moderation.models.ReviewItemKind",
        "ClassifierStatusEnum": "moderation.models.ResultStatus",
        "DeliveryStatusEnum": "moderation.api.serializers.DELIVERY_STATUSES",
        "HealthStateEnum": "moderation.api.serializers.HEALTH_STATES",
        "LabelValueEnum": "moderation.api.serializers.LABEL_VALUES",
        "ModeratorLabelEnum": "disclosure.labels.MODERATOR_LABELS",
        "WebhookEventEnum": "moderation.services.notify.EVENT_TYPES",
        "AssistanceKindEnum": "disclosure.recorder.KINDS",
        "HostRemovalReasonEnum": "moderation.models.HostRemovalReason",
    },
}

# --- The plugin ---------------------------------------------------------------------------------
DISCLOSURE = {
    "AI_BLOCKS_COLLAPSED_BY_DEFAULT": True,
}
MODERATION = {
    "ADAPTER": "forum.adapter.ForumModerationAdapter",
    # The built-in stack (docs/pipeline.md): the detector's cheap stylometric stage, the full statistical
    # cascade (its language-model stage, when installed, runs on the slow queue), then the consistency check.
    "CLASSIFIERS": [
        "moderation.classifiers.stylometric.StylometricClassifier",
        {"path": "moderation.classifiers.statistical.StatisticalClassifier", "options": {"queue": "slow"}},
        "moderation.classifiers.consistency.DisclosureConsistencyClassifier",
    ],
    # Webhooks to loopback/private addresses: refused unless the operator sets ALLOW_PRIVATE_WEBHOOK_URLS=1
    # (`make run` does, so a forum on the same laptop can receive them). `check --deploy` refuses it on
    # (moderation.E104); outside DEBUG every start warns (moderation.W104).
    "ALLOW_PRIVATE_WEBHOOK_URLS": os.environ.get("ALLOW_PRIVATE_WEBHOOK_URLS", "0") == "1",
    "SHOW_TRUSTED_BEFORE_EVALUATION": True,
    # Classifier pool processes yield the CPU to the web process (nice value; 0 = as started).
    "WORKER_NICENESS": env_number("WORKER_NICENESS", 10),
}

# structlog over the standard library (config/log.py): one JSON object per line in production
# (LOG_FORMAT=json), readable lines in development; the pipeline's ids ride along on every line.
LOG_FORMAT = env_choice("LOG_FORMAT", "console" if DEBUG else "json", ("json", "console"))
LOGGING = configure_logging(fmt=LOG_FORMAT, level=env_choice("LOG_LEVEL", "WARNING", LOG_LEVELS, upper=True))
