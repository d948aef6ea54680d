"""Which submission, revision, review item, delivery and Celery task a log line belongs to.

The pipeline binds these ids in structlog's context variables around its work, so every line logged inside —
by this app, by a classifier, by ``moderation.http``'s retries, by Django — carries them, whichever logger
wrote it. A host whose logging renders structlog's context (``structlog.contextvars.merge_contextvars`` in
its formatter's chain: ``config/log.py`` is the demo's) gets them as fields; plain ``logging`` setups are
unaffected. Ids are the public ones where a row has one (``submission_id`` is the UUID API clients see).
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from structlog.contextvars import bind_contextvars, bound_contextvars, unbind_contextvars

TASK_KEYS = ("task_id", "task")


def pipeline_context(*, submission: Any = None, revision: Any = None, item: Any = None,
                     **ids: Any) -> AbstractContextManager:
    """Bind the ids of the given rows (and any extra ``ids``) for the lines logged inside the ``with``."""
    bound: dict[str, Any] = {}
    if submission is not None:
        bound["submission_id"] = str(submission.public_id)
    if revision is not None:
        bound["revision_id"] = revision.pk
        bound.setdefault("revision", revision.number)
    if item is not None:
        bound["review_item_id"] = str(item.public_id)
        if item.revision_id is not None:
            bound.setdefault("revision_id", item.revision_id)
    bound.update({key: value for key, value in ids.items() if value is not None})
    return bound_contextvars(**bound)


def task_started(*, task_id: str, task_name: str) -> None:
    """Celery ``task_prerun``: bind the task's id for every line until it ends."""
    bind_contextvars(task_id=task_id, task=task_name)


def task_finished() -> None:
    unbind_contextvars(*TASK_KEYS)
