"""The Celery application. Configuration comes from Django settings (``CELERY_*``)."""
import logging.config
import os

from celery import Celery
from celery.signals import setup_logging, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _use_django_logging(loglevel=None, **kwargs):
    """Workers log through Django's LOGGING (structlog: JSON or readable lines, with the task's ids;
    config/log.py) instead of Celery's own handlers; ``celery worker -l LEVEL`` still sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@worker_init.connect
def _refuse_broken_settings(**kwargs):
    """Refuse to start on settings that would fail every task, as a web server refuses to serve
    (``config/wsgi.py``): Celery's Django fix-up runs the system checks at start-up but ignores what they find."""
    from moderation.public import worker_startup_errors

    if errors := worker_startup_errors():
        raise SystemExit("Refusing to start:\n" + "\n".join(f"{e.id}: {e.msg}" for e in errors))
