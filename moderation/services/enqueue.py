"""Handing work to the Celery workers, by task name: services never import :mod:`moderation.tasks`.

Tasks are addressed by their registered names (``moderation.<name>``, see ``moderation/tasks.py``); the
routing in ``CELERY_TASK_ROUTES`` applies by name too. A signature by name runs through the registered task
when the worker code is loaded in this process (so its options apply) and falls back to ``send_task``
otherwise.
"""
from __future__ import annotations

import logging
import os
from functools import partial
from urllib.parse import urlsplit

from celery import signature
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Revision

logger = logging.getLogger(__name__)

EVALUATE_REVISION = "moderation.evaluate_revision"
EVALUATE_REVISION_SLOW = "moderation.evaluate_revision_slow"
BROKER_TIMEOUT_SECONDS = 1.0


def task_send(name: str, *args) -> None:
    """Send task ``name`` with positional ``args`` now. Raises whatever the broker raises."""
    signature(name, args=args).apply_async()


def revision_enqueue(*, revision_id: int, content_hash: str, queue: str = "fast") -> bool:
    """Send a revision to the workers; False (logged) when the broker is unreachable (the sweep retries).

    ``Revision.enqueued_at`` records the outcome for the sweep: the time of a send the broker accepted, null
    after one it refused (the sweep then sends it after ``SWEEP_AFTER_SECONDS``, not
    ``SWEEP_RESEND_AFTER_SECONDS``). It is written after the send, so a failure to record it errs towards a
    re-send by the sweep (harmless: the task is idempotent), never towards none."""
    name = EVALUATE_REVISION if queue == "fast" else EVALUATE_REVISION_SLOW
    try:
        task_send(name, revision_id, content_hash)
    except Exception:  # broker down: the sweep tries again later
        logger.warning("could not enqueue evaluation of revision %s; the sweep will retry", revision_id,
                       exc_info=True)
        _record_enqueue(revision_id, None)
        return False
    _record_enqueue(revision_id, timezone.now())
    return True


def _record_enqueue(revision_id: int, at) -> None:
    try:
        Revision.objects.filter(pk=revision_id).update(enqueued_at=at)
    except Exception:  # the database is the one down: the sweep may send it again, which is harmless
        logger.warning("could not record the enqueue of revision %s", revision_id, exc_info=True)


def on_commit(callback, /, **kwargs) -> None:
    """Run ``callback(**kwargs)`` after the current transaction commits; its failure never undoes the commit."""
    transaction.on_commit(partial(callback, **kwargs), robust=True)


def broker_check(*, log: bool = True) -> bool:
    """Is the broker reachable now? Redis: a PING with a short timeout. The embedded filesystem broker: its folders
    exist and are writable. ``log=False`` for a command that reports the outcome itself (no traceback)."""
    url = getattr(settings, "CELERY_BROKER_URL", "") or ""
    try:
        if url.startswith("filesystem://"):
            options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
            folders = {options.get("data_folder_in"), options.get("data_folder_out")} - {None}
            return bool(folders) and all(os.path.isdir(f) and os.access(f, os.W_OK) for f in folders)
        if urlsplit(url).scheme in ("redis", "rediss", "unix"):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
                                          socket_timeout=BROKER_TIMEOUT_SECONDS)
            try:
                return bool(client.ping())
            finally:
                client.close()
        from kombu import Connection

        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:
        if log:
            logger.warning("broker unreachable", exc_info=True)
        return False
