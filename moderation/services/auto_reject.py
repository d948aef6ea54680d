"""The policy's automatic rejection (an operator's opt-in ``auto_reject`` rule), audited like any decision:
an Action by ``system``, a ``review.decided`` outbox event, and a statement of reasons that says the decision
was automated (EU DSA Art. 17(3)(c))."""
from __future__ import annotations

from ..models import DecisionAction, Evaluation, StatementOfReasons, Submission, SubmissionStatus
from .notify import outbox_record
from .review import Actor, _audit
from .statements import statement_record


def auto_reject_record(*, submission: Submission, evaluation: Evaluation) -> StatementOfReasons:
    """Audit the policy's automatic rejection like any decision: an Action by ``system``, a ``review.decided``
    outbox event and a statement of reasons (caller holds the Submission lock, status already set)."""
    details = evaluation.details or {}
    message = details.get("message") or "Your post was rejected automatically."
    reason = details.get("template") or (evaluation.reasons[0] if evaluation.reasons else "")
    _audit(actor=Actor.system(), item=None, submission=submission, verb="auto_reject",
           from_status=SubmissionStatus.PENDING, to_status=SubmissionStatus.REJECTED, note=message,
           data={"evaluation": evaluation.pk, "reasons": evaluation.reasons, "template": reason})
    statement = statement_record(submission=submission, decision=DecisionAction.REJECT, evaluation=evaluation,
                                 automated_decision=True, reason=reason, message=message)
    outbox_record(submission=submission, type="review.decided", extra={"decision": {
        "action": DecisionAction.REJECT, "reason": reason, "message": message, "automated": True,
        "decided_at": statement.created_at.isoformat(), "statement_of_reasons": str(statement.public_id)}})
    return statement
