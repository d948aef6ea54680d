"""The policy's automatic rejection (an operator's opt-in ``auto_reject`` rule), audited like any decision:
an Action by ``system``, a ``review.decided`` outbox event, and a statement of reasons that says the decision
was automated (EU DSA Art. 17(3)(c))."""
from __future__ import annotations

from .. import signals
from ..models import (
    DecisionAction, Evaluation, ReviewItem, ReviewStatus, StatementOfReasons, Submission, SubmissionStatus,
)
from .notify import AUTO_REJECT_MESSAGE, outbox_record
from .review import Actor, _audit, item_mark_decided
from .statements import statement_record


def auto_reject_record(*, submission: Submission, evaluation: Evaluation,
                       from_status: str = SubmissionStatus.PENDING) -> StatementOfReasons:
    """Audit the policy's automatic rejection like any decision: an Action by ``system``, a ``review.decided``
    outbox event and a statement of reasons (caller holds the Submission lock, status already set;
    ``from_status``: the post's status before, ``pending`` for a new revision, another on a re-score). An item
    it decides sends ``review_item_changed``, as a moderator's decision does."""
    details = evaluation.details or {}
    message = details.get("message") or AUTO_REJECT_MESSAGE
    reason = details.get("template") or (evaluation.reasons[0] if evaluation.reasons else "")
    item = _decide_undecided_item(submission=submission, evaluation=evaluation, reason=reason, message=message)
    action = _audit(actor=Actor.system(), item=item, submission=submission, verb="auto_reject",
                    from_status=from_status, to_status=SubmissionStatus.REJECTED, note=message,
                    data={"evaluation": evaluation.pk, "reasons": evaluation.reasons, "template": reason})
    if item is not None:
        signals.review_item_changed.send(sender=ReviewItem, item=item, action=action)
    statement = statement_record(submission=submission, decision=DecisionAction.REJECT, item=item,
                                 evaluation=evaluation, automated_decision=True, reason=reason, message=message)
    # ``statement_of_reasons`` where a moderator's decision carries it (top level), and in ``decision`` as before
    outbox_record(submission=submission, type="review.decided", item=item, extra={
        "statement_of_reasons": str(statement.public_id), "decision": {
            "action": DecisionAction.REJECT, "reason": reason, "message": message, "automated": True,
            "decided_at": statement.created_at.isoformat(), "statement_of_reasons": str(statement.public_id),
            "revision": evaluation.revision.number}})
    return statement


def _decide_undecided_item(*, submission: Submission, evaluation: Evaluation, reason: str,
                           message: str) -> ReviewItem | None:
    """The item a person had not decided yet (the post was in the queue when the author's edit was rejected
    automatically) is decided by that rejection. Left open, it refused every decision (its revision was no
    longer the post's) and the author's appeal ("already waiting for a moderator")."""
    item = submission.review_items.exclude(status=ReviewStatus.DECIDED).select_for_update().first()
    if item is None:
        return None
    item.revision, item.evaluation = evaluation.revision, evaluation
    item_mark_decided(item, actor=Actor.system(), decision=DecisionAction.REJECT, template=None, reason=reason,
                      message=message)
    item.version += 1
    item.save()
    return item
