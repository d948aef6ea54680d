"""The ``recorded_vs_declared`` finding: the editor's AI tools recorded more help than the author declared.

Intake keeps what the tools recorded on the draft (``Revision.recorded_assistance``); after the policy has
decided, :func:`recorded_finding_apply` compares it with the final disclosure
(``disclosure.recorder.recorded_vs_declared``). A gap is a reason in the queue for a person to look at,
never an automatic action: it raises a ``publish`` outcome to ``publish_and_queue`` (the post stays
visible) and leaves a stricter outcome as the policy chose it.
"""
from __future__ import annotations

from disclosure.recorder import recorded_vs_declared
from disclosure.schema import load_stored

from ..models import EvaluationOutcome, Revision

REASON = "recorded_vs_declared"


def recorded_finding_apply(*, decision, revision: Revision):
    """Add the finding to the policy's ``decision`` (a ``moderation.policy.Decision``) when there is a gap."""
    gaps = recorded_vs_declared(revision.recorded_assistance, load_stored(revision.disclosure))
    if not gaps:
        return decision
    if REASON not in decision.reasons:
        decision.reasons = [*decision.reasons, REASON]
    if decision.outcome == EvaluationOutcome.PUBLISH:
        decision.outcome = EvaluationOutcome.PUBLISH_AND_QUEUE.value
    decision.details = {**(decision.details or {}), REASON: gaps}
    return decision
