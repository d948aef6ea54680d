"""What leaves a state change: the author's notification and the client's outbox event.

Both are rows written in the caller's transaction, so a change and its report commit together; webhook
delivery reads the outbox later (``dispatch_outbox`` on beat), so a broker outage loses nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Notification, OutboxEvent, Submission

if TYPE_CHECKING:
    from ..models import ReviewItem

EVENT_TYPES = ("submission.evaluated", "submission.queued", "review.decided")


def notification_send(*, submission: Submission, verb: str, message: str) -> Notification:
    return Notification.objects.create(recipient_external_id=submission.author_external_id,
                                       submission=submission, verb=verb, message=message)


def submission_event_payload(submission: Submission, item: ReviewItem | None = None) -> dict:
    payload = {
        "id": str(submission.public_id),
        "external_id": submission.external_id,
        "revision": submission.current_revision.number if submission.current_revision else None,
        "status": submission.status,
        "visible": submission.visible,
    }
    if item is not None:
        payload["review_item"] = {
            "id": str(item.public_id), "kind": item.kind, "status": item.status, "reasons": item.reasons,
            "priority": item.priority, "version": item.version,
        }
        if item.decision_action:
            payload["decision"] = {
                "action": item.decision_action, "reason": item.decision_reason, "message": item.decision_message,
                "decided_at": item.decided_at.isoformat() if item.decided_at else None,
            }
    return payload


def outbox_record(*, submission: Submission, type: str, item: ReviewItem | None = None,
                  extra: dict | None = None) -> OutboxEvent:
    assert type in EVENT_TYPES, type
    payload = {"type": type, "data": {**submission_event_payload(submission, item), **(extra or {})}}
    return OutboxEvent.objects.create(client=submission.client, type=type, payload=payload)
