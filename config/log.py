"""Logging for the demo project: structlog over the standard library.

One formatter for every line, whether it comes from structlog or from a plain ``logging`` logger (Django,
Celery, gunicorn's error log, the apps): it adds the level, the logger's name, an ISO timestamp and whatever
is bound in structlog's context variables — the apps bind ``submission_id``, ``revision_id``,
``review_item_id``, ``delivery_id`` around their pipeline work and ``task_id`` in every Celery task
(``moderation.logs``); django-structlog's middleware binds ``request_id`` per request.

``LOG_FORMAT=json`` writes one JSON object per line (production); ``console`` writes aligned, readable lines
(development). The default follows ``DEBUG``.
"""
from __future__ import annotations

import structlog

#: Run on every line before rendering, for structlog's loggers and the standard library's alike.
SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]


def formatter(fmt: str) -> dict:
    """A ``logging.config`` formatter entry rendering JSON (``json``) or readable lines (``console``)."""
    renderer = (structlog.processors.JSONRenderer() if fmt == "json"
                else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback))
    # Tracebacks as data, without the frames' local variables (they may hold secrets or post text).
    tracebacks = structlog.processors.ExceptionRenderer(
        structlog.tracebacks.ExceptionDictTransformer(show_locals=False))
    return {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([tracebacks] if fmt == "json" else []),
            renderer,
        ],
        "foreign_pre_chain": SHARED_PROCESSORS,
    }


def configure(*, fmt: str, level: str) -> dict:
    """Configure structlog and return the ``LOGGING`` dict for Django's settings."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter(fmt)},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
    }
