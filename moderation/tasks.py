"""Celery tasks: thin wrappers that take ids (plus a content hash), re-fetch and call one service.

Services never import this module: they send tasks by name (:mod:`moderation.services.enqueue`), so the
imports here can sit at the top. Routing and beat schedule are in settings (``CELERY_TASK_ROUTES``,
``CELERY_BEAT_SCHEDULE``).
"""
import logging
import os
import socket

from celery import shared_task
from celery.signals import celeryd_after_setup, task_postrun, task_prerun, worker_process_init
from django.db import OperationalError
from django.utils import timezone

from .logs import task_finished, task_started
from .models import WorkerHeartbeat
from .services.enqueue import revision_enqueue
from .services.evaluation import (
    SlowClassifiersPending,
    attempts_exhausted,
    classifiers_warm_up,
    revision_attempt_begin,
    revision_evaluate,
    revision_give_up,
    revisions_sweep_unevaluated,
)
from .services.idempotency import idempotency_records_prune
from .services.review import review_items_expire_claims, review_items_wake_due
from .services.webhooks import outbox_dispatch, webhook_deliver, webhook_records_prune, webhooks_deliver_due

logger = logging.getLogger(__name__)


@task_prerun.connect
def _bind_task_id(sender=None, task_id=None, **kwargs):
    """Every line a moderation task logs carries its Celery task id (``moderation.logs``)."""
    if sender is not None and sender.name.startswith("moderation."):
        task_started(task_id=task_id, task_name=sender.name)


@task_postrun.connect
def _unbind_task_id(sender=None, **kwargs):
    if sender is not None and sender.name.startswith("moderation."):
        task_finished()

#: Redelivered when the worker dies mid-task (acks_late + reject_on_worker_lost; a killed main process is
#: covered by the broker's visibility timeout); a database blip is retried. Idempotent by construction.
_PIPELINE = {"acks_late": True, "reject_on_worker_lost": True, "autoretry_for": (OperationalError,),
             "retry_backoff": 2, "max_retries": 5}


@worker_process_init.connect
def prepare_pool_process(**kwargs) -> None:
    """A new pool process: lower its CPU priority (``MODERATION["WORKER_NICENESS"]``), then load the
    classifiers' models before it is handed a task (``classifiers_warm_up``; ``CELERY_WORKER_PROC_ALIVE_TIMEOUT``
    gives it the time)."""
    from django.db import connections

    from .conf import app_settings

    niceness = int(app_settings.WORKER_NICENESS or 0)
    if niceness > 0 and hasattr(os, "setpriority"):
        try:  # only ever lowered: raising it back would need privileges, and an operator's `nice` stays
            os.setpriority(os.PRIO_PROCESS, 0, max(niceness, os.getpriority(os.PRIO_PROCESS, 0)))
        except OSError:
            logger.warning("could not lower the worker's priority", exc_info=True)
    try:
        classifiers_warm_up()
    except Exception:  # never keep a pool process from starting: its first task loads the models instead
        logger.warning("classifier warm-up failed", exc_info=True)
    connections.close_all()  # no connection opened before the first task outlives this signal


@shared_task(name="moderation.evaluate_revision", **_PIPELINE)
def evaluate_revision(revision_id: int, content_hash: str) -> None:
    """Fast queue: run the fast classifiers; decide, or hand over to the slow queue when a slow one is set."""
    if _poisoned(revision_id):
        return
    # A worker that takes the slow queue too (one worker on every queue, as `make run` runs it) runs every
    # classifier here: a hand-over would come back to this pool, at the cost of a second task and its lookups.
    queue = None if _consumes_slow_queue() else "fast"
    try:
        revision_evaluate(revision_id=revision_id, content_hash=content_hash, queue=queue)
    except SlowClassifiersPending:
        # Through the service, so the send is recorded (``Revision.enqueued_at``) and the sweep waits for it.
        revision_enqueue(revision_id=revision_id, content_hash=content_hash, queue="slow")


@shared_task(name="moderation.evaluate_revision_slow", **_PIPELINE)
def evaluate_revision_slow(revision_id: int, content_hash: str) -> None:
    """Slow queue: run whatever is still missing (the language-model stage), then decide."""
    if _poisoned(revision_id):
        return
    revision_evaluate(revision_id=revision_id, content_hash=content_hash)


#: The queues this process consumes, recorded when it starts as a worker; empty in any other process (a
#: task called in-process then hands over, as a fast-only worker does).
consumed_queues: frozenset[str] = frozenset()


@celeryd_after_setup.connect
def _record_consumed_queues(sender=None, instance=None, **kwargs) -> None:
    """Recorded once, at start-up (after ``-Q`` is applied): Celery's live view changes meaning between
    versions. Without ``-Q``, Celery 5.6 counts every queue a route has named since as consumed, so a worker
    that had once routed to the slow queue would have believed it consumed it."""
    global consumed_queues
    consumed_queues = frozenset(instance.app.amqp.queues.consume_from)


def _consumes_slow_queue() -> bool:
    """Whether this worker consumes the queue ``evaluate_revision_slow`` is routed to (``celery worker -Q``).

    Separate slow workers (the production layout in the README) keep the hand-over, so the fast classifiers'
    decisions never wait behind the language model."""
    app = evaluate_revision_slow.app
    return app.amqp.router.route({}, evaluate_revision_slow.name)["queue"].name in consumed_queues


def _poisoned(revision_id: int) -> bool:
    """Count this run; past the limit, give up (error result, post held for a person) instead of running."""
    if attempts_exhausted(revision_attempt_begin(revision_id=revision_id)):
        # Held for a person (no-op when it was evaluated or given up already: a late redelivery is dropped).
        revision_give_up(revision_id=revision_id)
        return True
    return False


@shared_task(name="moderation.sweep_unevaluated")
def sweep_unevaluated() -> int:
    """Beat: re-enqueue current revisions left unevaluated (e.g. the broker was down at submit)."""
    return revisions_sweep_unevaluated()


@shared_task(name="moderation.worker_heartbeat", bind=True)
def worker_heartbeat(self) -> None:
    """Beat: record that a worker is alive (``/api/v1/health`` reports the latest)."""
    name = (getattr(self.request, "hostname", None) or socket.gethostname())[:100]
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})


@shared_task(name="moderation.expire_claims")
def expire_claims() -> int:
    return review_items_expire_claims() + review_items_wake_due()


@shared_task(name="moderation.prune_webhook_records")
def prune_webhook_records() -> int:
    """Beat: forget webhook events and their deliveries past ``WEBHOOK_RETENTION_DAYS``."""
    return webhook_records_prune()


@shared_task(name="moderation.prune_idempotency_records")
def prune_idempotency_records() -> int:
    """Beat: forget ``Idempotency-Key`` answers older than their 24 hours."""
    return idempotency_records_prune()


# --- Webhooks: the outbox on beat, retries by ``next_attempt_at`` (never countdowns; see
# docs/architecture.md, "Pitfalls") ---

@shared_task(name="moderation.dispatch_outbox")
def dispatch_outbox() -> int:
    """Beat: outbox events → deliveries; each new delivery is tried at once (beat retries the rest)."""
    delivery_ids = outbox_dispatch()
    for delivery_id in delivery_ids:
        try:
            deliver_webhook.delay(delivery_id)
        except Exception:  # broker down: deliver_due_webhooks finds it on the next beat
            logger.warning("could not enqueue webhook delivery %s", delivery_id, exc_info=True)
            break
    return len(delivery_ids)


@shared_task(name="moderation.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    """Beat: one attempt for every delivery whose ``next_attempt_at`` has passed."""
    return webhooks_deliver_due()


@shared_task(name="moderation.deliver_webhook")
def deliver_webhook(delivery_id: int) -> None:
    """One attempt now, if still due (a lease keeps two workers from sending the same attempt)."""
    webhook_deliver(delivery_id=delivery_id)
