"""Statements of reasons, read side: the statement as the API and the export write it, the latest one on a
submission, and every statement of a period as JSON Lines. Written by ``moderation/services/statements.py``."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from ..models import StatementOfReasons, Submission


def statement_as_dict(statement: StatementOfReasons) -> dict:
    submission = statement.submission
    return {"id": str(statement.public_id), "submission": str(submission.public_id),
            "external_id": submission.external_id, "client": submission.client.name,
            "created_at": statement.created_at.isoformat(), **statement.data}


def statement_latest(submission: Submission) -> StatementOfReasons | None:
    return submission.statements.order_by("-created_at", "-id").first()


def statements_in_period(*, since: datetime | None = None, until: datetime | None = None):
    rows = StatementOfReasons.objects.select_related("submission__client").order_by("created_at", "id")
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    return rows


def statements_jsonl(*, since: datetime | None = None, until: datetime | None = None) -> Iterator[str]:
    """One JSON object per line per statement in ``[since, until)``, oldest first."""
    for statement in statements_in_period(since=since, until=until).iterator(chunk_size=500):
        yield json.dumps(statement_as_dict(statement), ensure_ascii=False, sort_keys=True) + "\n"

