"""What leaves a state change: the author's notification and the client's outbox event.

Both are rows written in the caller's transaction, so a change and its report commit together; webhook
delivery reads the outbox later (``dispatch_outbox`` on beat), so a broker outage loses nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from disclosure.labels import LABELS

from ..models import Notification, OutboxEvent, Submission

if TYPE_CHECKING:
    from ..models import ReviewItem

EVENT_TYPES = ("submission.evaluated", "submission.queued", "review.decided")


#: what a moderator's decision tells its author, in the author's language when shown (:func:`notification_text`)
AUTHOR_MESSAGES = {
    "review.approve": gettext_noop("A moderator approved your post."),
    "review.reject": gettext_noop("A moderator rejected your post."),
    "review.request_changes": gettext_noop(
        "A moderator asks you to fix your post's AI disclosure before it is published."),
    "review.hide": gettext_noop("A moderator hid your post."),
}
#: the same decisions on the author's appeal: they asked a question, and the answer names it
APPEAL_MESSAGES = {
    "review.approve": gettext_noop("A moderator upheld your appeal: your post is back."),
    "review.reject": gettext_noop("A moderator looked at your appeal and kept the decision: your post stays rejected."),
    "review.request_changes": gettext_noop(
        "A moderator looked at your appeal and asks you to fix your post's AI disclosure before it is published."),
    "review.hide": gettext_noop("A moderator looked at your appeal and kept the decision: your post stays hidden."),
}
#: an automatic rejection whose rule names no template (or one that is gone): the record's English, and what
#: the author reads in their language
AUTO_REJECT_MESSAGE = gettext_noop("Your post was rejected automatically.")


def notification_send(*, submission: Submission, verb: str, note: str = "", label: str = "",
                      automatic: bool = False, appeal: bool = False) -> Notification:
    """Tell the author of ``submission`` about a decision (``verb``: ``review.<action>``). Stored in parts
    (``note``: the moderator's or the rejection template's words, shown as written; ``label``: the label the
    decision set; ``automatic``: the policy's automatic rejection; ``appeal``: the decision answers the author's
    appeal), so that each author reads it in their own language; ``message`` keeps the English text for the
    record."""
    parts = {"note": note, "label": label, "automatic": automatic, "appeal": appeal}
    with translation.override("en"):
        message = _composed(verb, parts)
    return Notification.objects.create(recipient_external_id=submission.author_external_id,
                                       submission=submission, verb=verb, message=message, parts=parts)


def notification_text(notification: Notification) -> str:
    """The notification in the active language (one stored before it had parts: its text as stored)."""
    if notification.parts is None:
        return notification.message
    return _composed(notification.verb, notification.parts)


def _composed(verb: str, parts: dict) -> str:
    note = parts.get("note") or ""
    if parts.get("automatic"):  # the template's message, when the operator's rule names one
        return note or gettext(AUTO_REJECT_MESSAGE)
    messages = APPEAL_MESSAGES if parts.get("appeal") else AUTHOR_MESSAGES
    text = gettext(messages[verb]) if verb in messages else ""
    if parts.get("label") in LABELS:  # the label is part of the outcome: the author hears it, not only "approved"
        text += " " + gettext("It now carries the label “%(label)s”, which your edits keep.") % {
            "label": gettext(LABELS[parts["label"]])}
    return f"{text}\n\n{note}" if note else text


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
                # the revision the decision was about, as GET /submissions/{id} says it (the event lacked it)
                "revision": item.revision.number if item.revision_id else None,
            }
    return payload


def outbox_record(*, submission: Submission, type: str, item: ReviewItem | None = None,
                  extra: dict | None = None) -> OutboxEvent:
    assert type in EVENT_TYPES, type
    payload = {"type": type, "data": {**submission_event_payload(submission, item), **(extra or {})}}
    return OutboxEvent.objects.create(client=submission.client, type=type, payload=payload)
