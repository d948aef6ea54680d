"""Celery tasks: thin wrappers that take ids (plus a content hash), re-fetch and call one service.

Routing and beat schedule are in settings (``CELERY_TASK_ROUTES``, ``CELERY_BEAT_SCHEDULE``).
"""
from celery import shared_task
from django.db import OperationalError

#: Redelivered when the worker dies mid-task (acks_late + reject_on_worker_lost; a killed main process is
#: covered by the broker's visibility timeout); a database blip is retried. Idempotent by construction.
_PIPELINE = {"acks_late": True, "reject_on_worker_lost": True, "autoretry_for": (OperationalError,),
             "retry_backoff": 2, "max_retries": 5}


@shared_task(name="moderation.evaluate_revision", **_PIPELINE)
def evaluate_revision(revision_id: int, content_hash: str) -> None:
    """Fast queue: run the fast classifiers; decide, or hand over to the slow queue when a slow one is set."""
    from .services.evaluation import SlowClassifiersPending, revision_evaluate

    try:
        revision_evaluate(revision_id=revision_id, content_hash=content_hash, queue="fast")
    except SlowClassifiersPending:
        evaluate_revision_slow.delay(revision_id, content_hash)


@shared_task(name="moderation.evaluate_revision_slow", **_PIPELINE)
def evaluate_revision_slow(revision_id: int, content_hash: str) -> None:
    """Slow queue: run whatever is still missing (the language-model stage), then decide."""
    from .services.evaluation import revision_evaluate

    revision_evaluate(revision_id=revision_id, content_hash=content_hash)


@shared_task(name="moderation.sweep_unevaluated")
def sweep_unevaluated() -> int:
    """Beat: re-enqueue current revisions left unevaluated (e.g. the broker was down at submit)."""
    from .services.evaluation import revisions_sweep_unevaluated

    return revisions_sweep_unevaluated()


@shared_task(name="moderation.worker_heartbeat", bind=True)
def worker_heartbeat(self) -> None:
    """Beat: record that a worker is alive (``/api/v1/health`` reports the latest)."""
    import socket

    from django.utils import timezone

    from .models import WorkerHeartbeat

    name = (getattr(self.request, "hostname", None) or socket.gethostname())[:100]
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


@shared_task(name="moderation.expire_claims")
def expire_claims() -> int:
    from .services.review import review_items_expire_claims, review_items_wake_due

    return review_items_expire_claims() + review_items_wake_due()
