"""Celery tasks: thin wrappers that take ids (plus a content hash), re-fetch and call one service.

Routing and beat schedule are in settings (``CELERY_TASK_ROUTES``, ``CELERY_BEAT_SCHEDULE``).
"""
from celery import shared_task


@shared_task(name="moderation.evaluate_revision", acks_late=True, reject_on_worker_lost=True)
def evaluate_revision(revision_id: int, content_hash: str) -> None:
    from .services.evaluation import revision_evaluate

    revision_evaluate(revision_id=revision_id, content_hash=content_hash)


@shared_task(name="moderation.expire_claims")
def expire_claims() -> int:
    from .services.review import review_items_expire_claims, review_items_wake_due

    return review_items_expire_claims() + review_items_wake_due()
