"""What a decision means for the reader reports behind it (kept apart from services/reports.py, which files
reports through the review service, so that the review service can call this without an import loop)."""
from __future__ import annotations

from django.utils import timezone

from disclosure.labels import AI_LABELS

from ..models import DecisionAction, ReaderReport, ReportOutcome, ReviewItem

#: Decisions that agree with a report that the post is undisclosed AI.
UPHOLDING = (DecisionAction.REJECT, DecisionAction.REQUEST_CHANGES, DecisionAction.HIDE)


def reports_resolve(*, item: ReviewItem, decision: str, label: str | None = None) -> int:
    """Mark the submission's pending reports ``upheld`` (the decision agrees the post was undisclosed AI: reject,
    hide, request changes, or an AI label) or ``not_upheld`` (approved as it is).

    Called by the decision service inside its transaction. Returns how many reports were marked.
    """
    upheld = decision in UPHOLDING or label in AI_LABELS
    return ReaderReport.objects.filter(submission_id=item.submission_id, outcome=ReportOutcome.PENDING).update(
        outcome=ReportOutcome.UPHELD if upheld else ReportOutcome.NOT_UPHELD, resolved_at=timezone.now(),
        item=item)
